//! What signing in and refreshing answer: the tokens of the session.

use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::AuthSettings;
use crate::auth::sessions::Grant;

#[derive(Serialize, ToSchema)]
pub struct TokenResponse {
    /// Send as `Authorization: Bearer <access_token>`.
    pub access_token: String,
    /// Always `Bearer`.
    #[schema(example = "Bearer")]
    pub token_type: &'static str,
    /// Seconds until the access token expires.
    #[schema(example = 900)]
    pub expires_in: u64,
    /// Trade it for new tokens at `POST /auth/refresh` before it expires. It works once:
    /// each refresh answers the next one, and presenting a used one again signs the whole
    /// session out.
    pub refresh_token: String,
    /// Seconds until the refresh token expires, unless used first.
    #[schema(example = 2_592_000)]
    pub refresh_expires_in: u64,
}

impl TokenResponse {
    /// The tokens of `grant`, a session of `grant.author_id`.
    pub fn of(settings: &AuthSettings, grant: Grant) -> TokenResponse {
        TokenResponse {
            access_token: settings.tokens.issue(&grant.author_id, &grant.session_id),
            token_type: "Bearer",
            expires_in: settings.tokens.ttl().as_secs(),
            refresh_token: grant.refresh_token,
            refresh_expires_in: settings.refresh_ttl.as_secs(),
        }
    }
}
