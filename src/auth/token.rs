//! Short-lived access tokens: HS256 JWTs (RFC 8725) whose algorithm, issuer and audience
//! the server fixes, named by a key id so the signing secret can be rotated without signing
//! everyone out.

use std::time::Duration;

use chrono::{DateTime, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::ids::{AuthorId, SessionId};

const ISSUER: &str = "folio";
const AUDIENCE: &str = "folio-api";
const ALGORITHM: Algorithm = Algorithm::HS256;
/// Clock skew tolerated between instances, for `exp`, `nbf` and `iat`.
const LEEWAY_SECONDS: u64 = 10;

#[derive(Debug, Serialize, Deserialize)]
pub struct Claims {
    /// The author id of the signed-in account.
    pub sub: String,
    /// The session the token was issued for; revoking it ends the token too.
    pub sid: String,
    /// Unique per token, so two issued in the same second still differ (for logs and audit).
    pub jti: String,
    pub iat: i64,
    pub nbf: i64,
    pub exp: i64,
    pub iss: String,
    pub aud: String,
}

struct SigningKey {
    kid: String,
    encoding: EncodingKey,
    decoding: DecodingKey,
}

impl SigningKey {
    fn new(secret: &SecretString) -> Result<SigningKey, KeyError> {
        let secret = secret.expose_secret().as_bytes();
        if secret.len() < 32 {
            return Err(KeyError::TooShort);
        }
        Ok(SigningKey {
            kid: key_id(secret),
            encoding: EncodingKey::from_secret(secret)?,
            decoding: DecodingKey::from_secret(secret)?,
        })
    }
}

/// A stable name for a secret that does not reveal it: every instance sharing the secret
/// derives the same one.
fn key_id(secret: &[u8]) -> String {
    let digest = Sha256::new()
        .chain_update(b"folio-jwt-kid\0")
        .chain_update(secret)
        .finalize();
    digest[..8].iter().map(|b| format!("{b:02x}")).collect()
}

/// The secret that signed tokens before the current one, trusted for verification only,
/// and only until `until`.
pub struct PreviousSecret {
    pub secret: SecretString,
    pub until: DateTime<Utc>,
}

pub struct TokenKeys {
    current: SigningKey,
    previous: Option<(SigningKey, DateTime<Utc>)>,
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
    pub fn new(
        secret: &SecretString,
        previous: Option<&PreviousSecret>,
        ttl: Duration,
    ) -> Result<TokenKeys, KeyError> {
        let mut validation = Validation::new(ALGORITHM);
        validation.algorithms = vec![ALGORITHM];
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "nbf", "iat", "sub", "iss", "aud"]);
        validation.validate_nbf = true;
        validation.leeway = LEEWAY_SECONDS;
        let previous = previous
            .map(|p| Ok::<_, KeyError>((SigningKey::new(&p.secret)?, p.until)))
            .transpose()?;
        Ok(TokenKeys {
            current: SigningKey::new(secret)?,
            previous,
            validation,
            ttl,
        })
    }

    pub fn ttl(&self) -> Duration {
        self.ttl
    }

    /// The key id tokens are signed with now.
    #[cfg(test)]
    fn current_kid(&self) -> &str {
        &self.current.kid
    }

    pub fn issue(&self, author_id: &AuthorId, session_id: &SessionId) -> String {
        let now = Utc::now().timestamp();
        let claims = Claims {
            sub: author_id.to_string(),
            sid: session_id.to_string(),
            jti: uuid::Uuid::now_v7().simple().to_string(),
            iat: now,
            nbf: now,
            exp: now + i64::try_from(self.ttl.as_secs()).unwrap_or(i64::MAX / 2),
            iss: ISSUER.to_owned(),
            aud: AUDIENCE.to_owned(),
        };
        let mut header = Header::new(ALGORITHM);
        header.kid = Some(self.current.kid.clone());
        jsonwebtoken::encode(&header, &claims, &self.current.encoding)
            .expect("HS256 signing with a valid key cannot fail")
    }

    /// The claims of a token this server signed, with the algorithm it uses, by a key it
    /// still trusts, that is valid now; `None` otherwise.
    pub fn verify(&self, token: &str) -> Option<Claims> {
        let header = jsonwebtoken::decode_header(token).ok()?;
        if header.alg != ALGORITHM {
            return None;
        }
        let kid = header.kid?;
        let key = if kid == self.current.kid {
            &self.current
        } else {
            match &self.previous {
                Some((key, until)) if kid == key.kid && Utc::now() < *until => key,
                _ => return None,
            }
        };
        let claims = jsonwebtoken::decode::<Claims>(token, &key.decoding, &self.validation)
            .ok()?
            .claims;
        // jsonwebtoken checks `exp` and `nbf`; a token issued in the future is as suspect.
        let latest = Utc::now().timestamp() + LEEWAY_SECONDS as i64;
        (claims.iat <= latest).then_some(claims)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = "a-secret-that-is-long-enough-to-use-0123";
    const B: &str = "another-secret-that-is-long-enough-4567";

    fn keys(secret: &str) -> TokenKeys {
        TokenKeys::new(&SecretString::from(secret), None, Duration::from_secs(900)).unwrap()
    }

    fn rotated(until: DateTime<Utc>) -> TokenKeys {
        let previous = PreviousSecret {
            secret: SecretString::from(A),
            until,
        };
        TokenKeys::new(
            &SecretString::from(B),
            Some(&previous),
            Duration::from_secs(900),
        )
        .unwrap()
    }

    #[test]
    fn issued_tokens_verify_only_with_the_same_key() {
        let a = keys(A);
        let b = keys(B);
        let token = a.issue(
            &"author-1".to_owned().into(),
            &"session-1".to_owned().into(),
        );
        let claims = a.verify(&token).expect("valid token");
        assert_eq!(claims.sub, "author-1");
        assert_eq!(claims.sid, "session-1");
        assert_eq!(claims.exp - claims.iat, 900);
        assert!(b.verify(&token).is_none());
        assert!(a.verify(&format!("{token}x")).is_none());
    }

    #[test]
    fn tokens_name_their_key() {
        let a = keys(A);
        let header =
            jsonwebtoken::decode_header(a.issue(&"x".to_owned().into(), &"s".to_owned().into()))
                .unwrap();
        assert_eq!(header.alg, Algorithm::HS256);
        assert_eq!(header.kid.as_deref(), Some(a.current_kid()));
        assert_eq!(a.current_kid().len(), 16);
        assert_ne!(a.current_kid(), keys(B).current_kid());
    }

    #[test]
    fn the_previous_secret_verifies_until_its_deadline_and_never_signs() {
        let (author, session) = ("author-1".to_owned().into(), "session-1".to_owned().into());
        let old = keys(A).issue(&author, &session);
        let within = rotated(Utc::now() + chrono::Duration::minutes(5));
        assert_eq!(within.verify(&old).unwrap().sub, "author-1");
        let fresh = within.issue(&author, &session);
        assert!(
            keys(A).verify(&fresh).is_none(),
            "new tokens use the new key"
        );
        assert!(keys(B).verify(&fresh).is_some());
        let past = rotated(Utc::now() - chrono::Duration::seconds(1));
        assert!(past.verify(&old).is_none());
    }

    #[test]
    fn short_secrets_are_refused() {
        assert!(
            TokenKeys::new(&SecretString::from("short"), None, Duration::from_secs(1)).is_err()
        );
    }
}
