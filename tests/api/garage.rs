//! A real S3-compatible server for the media tests: one Garage per test process, started on
//! first use, and a bucket of its own for every test.

use std::net::{TcpListener, TcpStream};
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{ChildStdin, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// Garage, and an access key on it.
pub struct Garage {
    /// `http://127.0.0.1:PORT`; clients address buckets by path.
    pub endpoint: String,
    pub region: String,
    pub access_key: String,
    pub secret_key: String,
    binary: PathBuf,
    dir: PathBuf,
    /// Never written: the watchdog stops Garage when this pipe closes, which the kernel does
    /// when the test process ends, however it ends.
    _lifeline: ChildStdin,
}

/// Runs Garage and waits on the pipe from the test process: statics are never dropped and a
/// killed process runs no code, so the end of the pipe is the one signal that always comes.
/// Garage's exit is recorded so that a server that fails to start is reported at once, and
/// the folder goes only once the test process has gone too, so its log can still be read.
const WATCHDOG: &str = r#"
exec 3<&0
"$0" -c "$1/garage.toml" server >"$1/log" 2>&1 </dev/null 3<&- &
garage=$!
{ cat <&3 >/dev/null; kill "$garage" 2>/dev/null; } &
wait "$garage"
echo "$?" >"$1/exited"
wait
rm -rf "$1"
"#;

const STARTUP: Duration = Duration::from_secs(60);

/// The test process's Garage, started on first use. Panics, rather than skipping the test,
/// if it cannot start.
pub fn garage() -> &'static Garage {
    static GARAGE: OnceLock<Result<Garage, String>> = OnceLock::new();
    // A failure is kept, so that every media test reports it rather than trying again.
    GARAGE
        .get_or_init(Garage::start)
        .as_ref()
        .unwrap_or_else(|e| panic!("{e}"))
}

impl Garage {
    fn start() -> Result<Garage, String> {
        let binary = std::env::var_os("FOLIO_GARAGE").map_or_else(
            || Path::new(env!("CARGO_MANIFEST_DIR")).join(".tools/garage/bin/garage"),
            PathBuf::from,
        );
        if !binary.is_file() {
            return Err(format!(
                "the media tests need Garage, and {} is missing: run scripts/garage install \
                 (or set FOLIO_GARAGE to a garage binary)",
                binary.display()
            ));
        }
        // Kept rather than dropped with the static (which never happens): the watchdog
        // removes it.
        let dir = tempfile::Builder::new()
            .prefix("folio-garage-")
            .tempdir()
            .map_err(|e| format!("a folder for Garage: {e}"))?
            .keep();
        let [rpc, s3, admin] = free_ports();
        let mut secret = [0u8; 32];
        getrandom::fill(&mut secret).map_err(|e| format!("an RPC secret: {e}"))?;
        let secret: String = secret.iter().map(|b| format!("{b:02x}")).collect();
        let d = dir.display();
        let config = format!(
            "metadata_dir = \"{d}/meta\"\n\
             data_dir = \"{d}/data\"\n\
             db_engine = \"sqlite\"\n\
             replication_factor = 1\n\
             rpc_bind_addr = \"127.0.0.1:{rpc}\"\n\
             rpc_public_addr = \"127.0.0.1:{rpc}\"\n\
             rpc_secret = \"{secret}\"\n\
             [s3_api]\n\
             s3_region = \"garage\"\n\
             api_bind_addr = \"127.0.0.1:{s3}\"\n\
             [admin]\n\
             api_bind_addr = \"127.0.0.1:{admin}\"\n"
        );
        std::fs::write(dir.join("garage.toml"), config)
            .map_err(|e| format!("Garage's configuration: {e}"))?;
        let lifeline = Command::new("sh")
            .args(["-c", WATCHDOG])
            .arg(&binary)
            .arg(&dir)
            // Garage's own log levels, not those set for Folio, and a log to read in a panic.
            .env_remove("RUST_LOG")
            .env("NO_COLOR", "1")
            // Out of the terminal's process group, so that Ctrl-C ends the tests and the pipe
            // then ends Garage, rather than killing the watchdog before it has cleaned up.
            .process_group(0)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("starting Garage: {e}"))?
            .stdin
            .take()
            .expect("the watchdog's stdin");
        let mut garage = Garage {
            endpoint: format!("http://127.0.0.1:{s3}"),
            region: "garage".to_owned(),
            access_key: String::new(),
            secret_key: String::new(),
            binary,
            dir,
            _lifeline: lifeline,
        };

        let deadline = Instant::now() + STARTUP;
        while TcpStream::connect(("127.0.0.1", s3)).is_err() || garage.run(&["status"]).is_err() {
            if garage.dir.join("exited").exists() || Instant::now() > deadline {
                let log = garage.log();
                return Err(format!(
                    "Garage stopped, or did not answer in {STARTUP:?}:\n{log}"
                ));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let node = garage.run(&["node", "id", "-q"])?;
        let node = node.trim().split('@').next().unwrap_or_default();
        garage.run(&["layout", "assign", "-z", "dc1", "-c", "1G", node])?;
        garage.run(&["layout", "apply", "--version", "1"])?;
        let key = garage.run(&["json-api", "CreateKey", r#"{"name":"folio-tests"}"#])?;
        let key: serde_json::Value =
            serde_json::from_str(&key).map_err(|e| format!("Garage's new key: {e}: {key}"))?;
        match (key["accessKeyId"].as_str(), key["secretAccessKey"].as_str()) {
            (Some(id), Some(secret)) => {
                (garage.access_key, garage.secret_key) = (id.into(), secret.into())
            }
            _ => return Err(format!("Garage's new key has no ID or secret: {key}")),
        }
        Ok(garage)
    }

    /// A new empty bucket that the key may read and write: one per test, so that tests do not
    /// see each other's objects.
    pub fn bucket(&self) -> String {
        // Not serialised: each command is a client of its own, and Garage takes concurrent
        // requests (48 buckets at once took a seventh of the time they took one by one).
        let name = format!("folio-{}", uuid::Uuid::new_v4().simple());
        let key = &self.access_key;
        self.cli(&["bucket", "create", &name]);
        self.cli(&[
            "bucket", "allow", "--read", "--write", "--owner", &name, "--key", key,
        ]);
        name
    }

    /// Runs a CLI command, and panics with its output and the server's log if it fails.
    fn cli(&self, args: &[&str]) -> String {
        self.run(args).unwrap_or_else(|e| panic!("{e}"))
    }

    fn run(&self, args: &[&str]) -> Result<String, String> {
        let out = Command::new(&self.binary)
            .arg("-c")
            .arg(self.dir.join("garage.toml"))
            .args(args)
            .env_remove("RUST_LOG")
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("running {}: {e}", self.binary.display()))?;
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        if out.status.success() {
            return Ok(stdout);
        }
        Err(format!(
            "garage {} failed ({}):\n{stdout}{}\nGarage's log:\n{}",
            args.join(" "),
            out.status,
            String::from_utf8_lossy(&out.stderr),
            self.log()
        ))
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("log")).unwrap_or_else(|e| format!("({e})"))
    }
}

/// Ports the system is not using now. All are held until all are chosen, so they differ.
fn free_ports() -> [u16; 3] {
    let listeners = [(); 3].map(|()| TcpListener::bind("127.0.0.1:0").expect("a free port"));
    listeners.map(|l| l.local_addr().expect("a bound port").port())
}
