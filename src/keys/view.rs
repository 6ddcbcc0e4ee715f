//! API keys as the API shows them: never their secret, but once, when made.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::model::KeyRow;
use crate::auth::Role;
use crate::auth::keys::KeyKind;
use crate::db::utc;
use crate::ids::{AuthorId, KeyId};

/// An API key, without its secret.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiKey {
    #[schema(value_type = String)]
    pub id: KeyId,
    /// What it is for, e.g. "Blog frontend".
    pub name: String,
    pub kind: KeyKind,
    /// What an integration key may do (never more than the account that made it); `null` for
    /// content keys.
    pub role: Option<Role>,
    /// The first characters of the secret, to tell keys apart.
    #[schema(example = "folio_ck_x7Qa")]
    pub prefix: String,
    /// The author who made it; `null` once that account is deleted.
    #[schema(value_type = Option<String>)]
    pub created_by: Option<AuthorId>,
    pub created_at: DateTime<Utc>,
    /// Kept to the minute.
    pub last_used_at: Option<DateTime<Utc>>,
    /// Set once revoked: a revoked key does not work.
    pub revoked_at: Option<DateTime<Utc>>,
}

impl ApiKey {
    pub fn view(row: KeyRow) -> ApiKey {
        ApiKey {
            id: row.id,
            name: row.name,
            kind: row.kind,
            role: row.role,
            prefix: row.prefix,
            created_by: row.created_by,
            created_at: utc(row.created_at),
            last_used_at: row.last_used_at.map(utc),
            revoked_at: row.revoked_at.map(utc),
        }
    }
}

/// A new key, with its secret: shown this once, stored only as a hash.
#[derive(Debug, Serialize, ToSchema)]
pub struct NewApiKey {
    #[serde(flatten)]
    pub key: ApiKey,
    /// Send it as `X-Folio-Key` (content keys may also go in `?key=`). It cannot be shown
    /// again: keep it now.
    #[schema(example = "folio_ck_x7Qa9cVb2mJk4LwR8tYz1NpE5sHd3GfU6oIq0ArXyBc")]
    pub secret: String,
}

/// All keys, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiKeyList {
    pub data: Vec<ApiKey>,
}
