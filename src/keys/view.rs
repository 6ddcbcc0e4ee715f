use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::storage::KeyRow;
use crate::auth::Role;
use crate::auth::keys::KeyKind;
use crate::db::utc;
use crate::http::error::{ApiError, ApiResult};
use crate::http::validate::Fields;

const NAME_MAX: usize = 191;

/// An API key, without its secret.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiKey {
    pub id: String,
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
    pub created_by: Option<String>,
    pub created_at: DateTime<Utc>,
    /// Kept to the minute.
    pub last_used_at: Option<DateTime<Utc>>,
    /// Set once revoked: a revoked key does not work.
    pub revoked_at: Option<DateTime<Utc>>,
}

impl ApiKey {
    pub fn view(row: KeyRow) -> ApiResult<ApiKey> {
        Ok(ApiKey {
            id: row.id,
            name: row.name,
            kind: row.kind.parse().map_err(ApiError::internal)?,
            role: row
                .role
                .as_deref()
                .map(str::parse)
                .transpose()
                .map_err(ApiError::internal)?,
            prefix: row.prefix,
            created_by: row.created_by,
            created_at: utc(row.created_at),
            last_used_at: row.last_used_at.map(utc),
            revoked_at: row.revoked_at.map(utc),
        })
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

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateApiKey {
    #[schema(min_length = 1, max_length = 191, example = "Blog frontend")]
    pub name: String,
    pub kind: KeyKind,
    /// Integration keys only, and required for them: admin, editor, author or contributor,
    /// and no more than your own role.
    pub role: Option<Role>,
}

pub struct KeyInput {
    pub name: String,
    pub kind: KeyKind,
    pub role: Option<Role>,
}

impl CreateApiKey {
    pub fn validate(self) -> ApiResult<KeyInput> {
        let mut f = Fields::new();
        let name = f.required("name", &self.name, NAME_MAX);
        match (self.kind, self.role) {
            (KeyKind::Content, Some(_)) => f.error(
                "role",
                "not_allowed",
                "content keys read; they have no role",
            ),
            (KeyKind::Integration, None) => {
                f.error("role", "required", "an integration key acts with a role")
            }
            (KeyKind::Integration, Some(Role::Owner)) => f.error(
                "role",
                "not_allowed",
                "there is one owner; a key cannot be it",
            ),
            _ => {}
        }
        f.finish(KeyInput {
            name,
            kind: self.kind,
            role: self.role,
        })
    }
}
