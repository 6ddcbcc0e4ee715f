//! Argon2id password hashing at an OWASP-recommended cost: m = 7 MiB, t = 5, p = 1. OWASP
//! lists it among five settings of equal strength (19 MiB with t = 2 is another), which trade
//! memory for passes; the least memory suits a server meant to run in tens of megabytes, where
//! two sign-ins at 19 MiB each were most of its peak. Hashes made with other parameters carry
//! them, and still verify. Hashing is deliberately slow: call these from blocking code, never
//! on an async worker.

use std::sync::{Condvar, LazyLock, Mutex};

use argon2::password_hash::{PasswordHasher, PasswordVerifier, phc::PasswordHash};
use argon2::{Algorithm, Argon2, Params, Version};
use secrecy::{ExposeSecret, SecretString};

pub const MIN_LENGTH: usize = 10;
pub const MAX_LENGTH: usize = 256;

fn argon2() -> Argon2<'static> {
    let params = Params::new(7 * 1024, 5, 1, None).expect("the OWASP parameters are valid");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// How many hashes may run at once: one per core. Each takes 7 MiB, and a burst of sign-ins
/// would otherwise run hundreds side by side on the blocking pool (gigabytes of memory, and
/// every one of them slower); past the cores, they wait their turn here instead.
fn one_per_core<T>(work: impl FnOnce() -> T) -> T {
    static RUNNING: Mutex<usize> = Mutex::new(0);
    static FREED: Condvar = Condvar::new();
    static CORES: LazyLock<usize> =
        LazyLock::new(|| std::thread::available_parallelism().map_or(2, |n| n.get()));
    let mut running = RUNNING.lock().unwrap_or_else(|e| e.into_inner());
    while *running >= *CORES {
        running = FREED.wait(running).unwrap_or_else(|e| e.into_inner());
    }
    *running += 1;
    drop(running);
    // Released on the way out, even if the work panics.
    struct Permit;
    impl Drop for Permit {
        fn drop(&mut self) {
            *RUNNING.lock().unwrap_or_else(|e| e.into_inner()) -= 1;
            FREED.notify_one();
        }
    }
    let _permit = Permit;
    work()
}

pub fn hash(password: &SecretString) -> String {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).expect("the operating system provides randomness");
    one_per_core(|| {
        argon2()
            .hash_password_with_salt(password.expose_secret().as_bytes(), &salt)
            .expect("hashing with valid parameters cannot fail")
            .to_string()
    })
}

/// What unknown accounts are checked against.
static DUMMY: LazyLock<String> =
    LazyLock::new(|| hash(&SecretString::from("folio-dummy-password")));

/// Starts making the dummy hash, off the startup path (it takes as long as a sign-in), so
/// that the first sign-in for an unknown email does not take twice as long as any other,
/// telling that the email is unknown.
pub fn prepare() {
    std::thread::spawn(|| LazyLock::force(&DUMMY));
}

/// Checks `password` against a stored hash. With no stored hash (unknown account, or an
/// author without a login) it still spends the full cost on a dummy hash, so response timing
/// does not tell which emails exist.
pub fn verify(password: &SecretString, stored: Option<&str>) -> bool {
    let (stored, real) = match stored {
        Some(s) => (s, true),
        None => (DUMMY.as_str(), false),
    };
    let Ok(parsed) = PasswordHash::new(stored) else {
        return false;
    };
    let ok = one_per_core(|| {
        argon2()
            .verify_password(password.expose_secret().as_bytes(), &parsed)
            .is_ok()
    });
    ok && real
}

/// A random password for accounts created without one, printable and URL-safe.
pub fn generate() -> SecretString {
    use base64::Engine;
    let mut bytes = [0u8; 18];
    getrandom::fill(&mut bytes).expect("the operating system provides randomness");
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(bytes)
        .into()
}

pub fn check_strength(password: &str) -> Result<(), String> {
    let chars = password.chars().count();
    if chars < MIN_LENGTH {
        Err(format!("must be at least {MIN_LENGTH} characters"))
    } else if chars > MAX_LENGTH {
        Err(format!("must be at most {MAX_LENGTH} characters"))
    } else if password.contains('\0') {
        Err("must not contain NUL characters".to_owned())
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_and_are_argon2id_with_owasp_cost() {
        let pw = SecretString::from("correct horse battery");
        let h = hash(&pw);
        assert!(h.starts_with("$argon2id$v=19$m=7168,t=5,p=1$"), "{h}");
        assert!(verify(&pw, Some(&h)));
        assert!(!verify(
            &SecretString::from("wrong horse battery"),
            Some(&h)
        ));
        assert!(!verify(&pw, None));
        assert!(!verify(&pw, Some("not a hash")));
    }

    #[test]
    fn hashes_made_with_the_former_cost_still_verify() {
        let pw = SecretString::from("correct horse battery");
        let former = Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(19 * 1024, 2, 1, None).unwrap(),
        )
        .hash_password_with_salt(pw.expose_secret().as_bytes(), &[7u8; 16])
        .unwrap()
        .to_string();
        assert!(former.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(verify(&pw, Some(&former)));
        assert!(!verify(
            &SecretString::from("wrong horse battery"),
            Some(&former)
        ));
    }
}
