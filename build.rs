// The migrations are embedded in the binary: rebuild when any of their SQL changes.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
