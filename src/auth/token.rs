//! Short-lived access tokens: HS256 JWTs whose algorithm, issuer and audience the server fixes.

use std::time::Duration;

use chrono::Utc;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

use super::Role;

const ISSUER: &str = "folio";
const AUDIENCE: &str = "folio-api";

#[derive(Debug, Serialize, Deserialize)]
pub struct Claims {
    /// The author id of the signed-in account.
    pub sub: String,
    pub role: Role,
    pub iat: i64,
    pub exp: i64,
    pub iss: String,
    pub aud: String,
}

pub struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    ttl: Duration,
}

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("the JWT secret must be at least 32 bytes")]
    TooShort,
    #[error("invalid JWT secret: {0}")]
    Invalid(#[from] jsonwebtoken::errors::Error),
}

impl TokenKeys {
    pub fn new(secret: &SecretString, ttl: Duration) -> Result<TokenKeys, KeyError> {
        let secret = secret.expose_secret().as_bytes();
        if secret.len() < 32 {
            return Err(KeyError::TooShort);
        }
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "sub", "iss", "aud"]);
        validation.leeway = 30;
        Ok(TokenKeys {
            encoding: EncodingKey::from_secret(secret)?,
            decoding: DecodingKey::from_secret(secret)?,
            validation,
            ttl,
        })
    }

    pub fn ttl(&self) -> Duration {
        self.ttl
    }

    pub fn issue(&self, author_id: &str, role: Role) -> String {
        let now = Utc::now().timestamp();
        let claims = Claims {
            sub: author_id.to_owned(),
            role,
            iat: now,
            exp: now + i64::try_from(self.ttl.as_secs()).unwrap_or(i64::MAX / 2),
            iss: ISSUER.to_owned(),
            aud: AUDIENCE.to_owned(),
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .expect("HS256 signing with a valid key cannot fail")
    }

    /// The claims of a token this server signed and that has not expired; `None` otherwise.
    pub fn verify(&self, token: &str) -> Option<Claims> {
        jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation)
            .ok()
            .map(|data| data.claims)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(secret: &str) -> TokenKeys {
        TokenKeys::new(&SecretString::from(secret), Duration::from_secs(900)).unwrap()
    }

    #[test]
    fn issued_tokens_verify_only_with_the_same_key() {
        let a = keys("a-secret-that-is-long-enough-to-use-0123");
        let b = keys("another-secret-that-is-long-enough-4567");
        let token = a.issue("author-1", Role::Editor);
        let claims = a.verify(&token).expect("valid token");
        assert_eq!(claims.sub, "author-1");
        assert_eq!(claims.role, Role::Editor);
        assert_eq!(claims.exp - claims.iat, 900);
        assert!(b.verify(&token).is_none());
        assert!(a.verify(&format!("{token}x")).is_none());
    }

    #[test]
    fn short_secrets_are_refused() {
        assert!(TokenKeys::new(&SecretString::from("short"), Duration::from_secs(1)).is_err());
    }
}
