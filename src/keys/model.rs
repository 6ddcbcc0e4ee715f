//! API keys as stored: the row (the secret only as a digest) and what making one records.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::auth::Role;
use crate::auth::keys::{KeyFormat, KeyKind};
use crate::db::schema::api_keys;
use crate::ids::{AuthorId, KeyId};

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = api_keys)]
pub struct KeyRow {
    pub id: KeyId,
    pub name: String,
    pub kind: KeyKind,
    pub role: Option<Role>,
    pub prefix: String,
    pub created_by: Option<AuthorId>,
    pub created_at: NaiveDateTime,
    pub last_used_at: Option<NaiveDateTime>,
    pub revoked_at: Option<NaiveDateTime>,
}

/// A key to make, for the account `created_by`.
pub struct NewKey {
    pub name: String,
    pub kind: KeyKind,
    pub format: KeyFormat,
    pub role: Option<Role>,
    pub created_by: AuthorId,
}
