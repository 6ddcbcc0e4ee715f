//! Opaque secrets (refresh tokens, API keys): 256 random bits shown to their holder once, and
//! stored only as a SHA-256 digest. A fast digest is right here, unlike for passwords: the
//! secret has all the entropy, so there is nothing to guess.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

use crate::error::ApiError;

/// A new secret starting with `prefix` (which tells people and secret scanners what it is),
/// and the digest to store.
pub fn generate(prefix: &str) -> Result<(String, String), ApiError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| ApiError::internal(e.to_string()))?;
    let secret = format!("{prefix}{}", URL_SAFE_NO_PAD.encode(bytes));
    let digest = digest(&secret);
    Ok((secret, digest))
}

/// A new secret of `digits` random lower-case hex digits (rounded up to whole bytes), and
/// the digest to store: for formats that allow nothing else.
pub fn generate_hex(digits: usize) -> Result<(String, String), ApiError> {
    let mut bytes = vec![0u8; digits.div_ceil(2)];
    getrandom::fill(&mut bytes).map_err(|e| ApiError::internal(e.to_string()))?;
    let mut secret = hex(&bytes);
    secret.truncate(digits);
    let digest = digest(&secret);
    Ok((secret, digest))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// What is stored for `secret`, and looked up when it is presented.
pub fn digest(secret: &str) -> String {
    hex(&Sha256::digest(secret.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_unique_and_stored_only_as_their_digest() {
        let (a, digest_a) = generate("folio_rt_").unwrap();
        let (b, _) = generate("folio_rt_").unwrap();
        assert_ne!(a, b);
        assert!(a.starts_with("folio_rt_"));
        assert_eq!(a.len(), "folio_rt_".len() + 43);
        assert_eq!(digest(&a), digest_a);
        assert_eq!(digest_a.len(), 64);
        assert!(!digest_a.contains(&a[9..]));
    }

    #[test]
    fn hex_secrets_are_lower_case_hex_of_the_length_asked() {
        let (a, digest_a) = generate_hex(26).unwrap();
        assert_eq!(a.len(), 26);
        assert!(
            a.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        );
        assert_ne!(a, generate_hex(26).unwrap().0);
        assert_eq!(digest(&a), digest_a);
    }
}
