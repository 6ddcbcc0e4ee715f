//! Authentication (Argon2id passwords, JWT access tokens, refresh-token sessions, API keys),
//! the limits on guessing them, who a credential proves the caller to be, and the roles
//! that authorise. Nothing here speaks HTTP: `http::caller` reads credentials off requests,
//! and `sessions` is the resource that signs people in.

pub mod accounts;
pub mod caller;
pub mod email;
pub mod keys;
pub mod password;
pub mod role;
pub mod secret;
pub mod sessions;
pub mod throttle;
pub mod token;

use std::time::Duration;

pub use caller::{
    Caller, Credential, KEY_HEADER, KEY_PARAM, Staff, Via, resolve, resolve_reader, resolve_staff,
};
pub use email::Email;
pub use role::Role;
pub use token::TokenKeys;

/// How this instance authenticates, shared by every worker.
pub struct AuthSettings {
    pub tokens: TokenKeys,
    /// How long a refresh token stays usable; each refresh starts the count again.
    pub refresh_ttl: Duration,
    /// How long a session may be kept going by refreshing, from its sign-in.
    pub session_max_age: Duration,
    pub throttle: throttle::Limits,
    /// Whether public reads need a content key (else anonymous readers may read).
    pub content_key_required: bool,
}
