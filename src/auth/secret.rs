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

/// What is stored for `secret`, and looked up when it is presented.
pub fn digest(secret: &str) -> String {
    Sha256::digest(secret.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
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
}
