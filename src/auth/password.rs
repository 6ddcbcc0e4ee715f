//! Argon2id password hashing with the OWASP-recommended cost (m = 19 MiB, t = 2, p = 1).
//! Hashing is deliberately slow: call these from blocking code, never on an async worker.

use std::sync::LazyLock;

use argon2::password_hash::{PasswordHasher, PasswordVerifier, phc::PasswordHash};
use argon2::{Algorithm, Argon2, Params, Version};
use secrecy::{ExposeSecret, SecretString};

pub const MIN_LENGTH: usize = 10;
pub const MAX_LENGTH: usize = 256;

fn argon2() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).expect("the OWASP parameters are valid");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

pub fn hash(password: &SecretString) -> String {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).expect("the operating system provides randomness");
    argon2()
        .hash_password_with_salt(password.expose_secret().as_bytes(), &salt)
        .expect("hashing with valid parameters cannot fail")
        .to_string()
}

/// Checks `password` against a stored hash. With no stored hash (unknown account, or an
/// author without a login) it still spends the full cost on a dummy hash, so response timing
/// does not tell which emails exist.
pub fn verify(password: &SecretString, stored: Option<&str>) -> bool {
    static DUMMY: LazyLock<String> =
        LazyLock::new(|| hash(&SecretString::from("folio-dummy-password")));
    let (stored, real) = match stored {
        Some(s) => (s, true),
        None => (DUMMY.as_str(), false),
    };
    let Ok(parsed) = PasswordHash::new(stored) else {
        return false;
    };
    let ok = argon2()
        .verify_password(password.expose_secret().as_bytes(), &parsed)
        .is_ok();
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
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
        assert!(verify(&pw, Some(&h)));
        assert!(!verify(
            &SecretString::from("wrong horse battery"),
            Some(&h)
        ));
        assert!(!verify(&pw, None));
        assert!(!verify(&pw, Some("not a hash")));
    }
}
