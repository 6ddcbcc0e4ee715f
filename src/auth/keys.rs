//! API keys as credentials: what a presented key may do. Creating and revoking them is the
//! `keys` resource.

use std::fmt;
use std::str::FromStr;

use chrono::NaiveDateTime;
use diesel::deserialize::FromSqlRow;
use diesel::expression::AsExpression;
use diesel::prelude::*;
use diesel::sql_types::Text;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{Role, secret};
use crate::db::schema::{api_keys, authors};
use crate::db::{DbConn, now};
use crate::error::ApiResult;
use crate::ids::{AuthorId, KeyId};

/// Reads published content only (safe to embed in a frontend), or acts server-to-server
/// with a chosen role.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema, AsExpression, FromSqlRow,
)]
#[diesel(sql_type = Text)]
#[serde(rename_all = "lowercase")]
pub enum KeyKind {
    Content,
    Integration,
}

impl KeyKind {
    pub fn as_str(self) -> &'static str {
        match self {
            KeyKind::Content => "content",
            KeyKind::Integration => "integration",
        }
    }

    /// What every secret of this kind starts with.
    pub fn prefix(self) -> &'static str {
        match self {
            KeyKind::Content => "folio_ck_",
            KeyKind::Integration => "folio_ik_",
        }
    }
}

crate::text_column!(KeyKind);

/// How a key's secret is written. Folio's names its kind (so people and secret scanners can
/// tell what it is); Ghost's is 26 lower-case hex digits, the only form Ghost's own clients
/// (`@tryghost/content-api`) accept, for content keys that frontends built for Ghost use.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum KeyFormat {
    #[default]
    Folio,
    Ghost,
}

/// Hex digits in a Ghost-format secret: 104 random bits.
const GHOST_DIGITS: usize = 26;

impl KeyFormat {
    /// A new secret of `kind` in this format, and the digest to store.
    pub fn generate(self, kind: KeyKind) -> Result<(String, String), crate::error::ApiError> {
        match self {
            KeyFormat::Folio => secret::generate(kind.prefix()),
            KeyFormat::Ghost => secret::generate_hex(GHOST_DIGITS),
        }
    }

    /// How much of a secret is kept to tell keys apart: a Folio secret's kind and a few
    /// random characters, a Ghost secret's first few digits; far too few to guess the rest.
    pub fn shown_chars(self) -> usize {
        match self {
            KeyFormat::Folio => 13,
            KeyFormat::Ghost => 6,
        }
    }
}

impl fmt::Display for KeyKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for KeyKind {
    type Err = String;

    fn from_str(s: &str) -> Result<KeyKind, String> {
        match s {
            "content" => Ok(KeyKind::Content),
            "integration" => Ok(KeyKind::Integration),
            other => Err(format!("unknown key kind `{other}`")),
        }
    }
}

/// What a valid, unrevoked key may do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyHolder {
    Content,
    /// Acts for the account that made the key, with the key's role or that account's,
    /// whichever is less.
    Integration {
        author_id: AuthorId,
        role: Role,
    },
}

/// `last_used_at` is kept to the minute: a key in use is not a write on every request.
const USE_RESOLUTION: chrono::Duration = chrono::Duration::seconds(60);

type KeyRow = (
    KeyId,
    KeyKind,
    Option<Role>,
    Option<NaiveDateTime>,
    Option<AuthorId>,
    Option<Role>,
    Option<NaiveDateTime>,
);

/// The holder of `presented`, if it names a live key; notes the use.
pub fn authenticate(conn: &mut DbConn, presented: &str) -> ApiResult<Option<KeyHolder>> {
    let row: Option<KeyRow> = api_keys::table
        .left_join(authors::table)
        .filter(api_keys::secret_hash.eq(secret::digest(presented)))
        .filter(api_keys::revoked_at.is_null())
        .select((
            api_keys::id,
            api_keys::kind,
            api_keys::role,
            api_keys::last_used_at,
            authors::id.nullable(),
            authors::role.nullable(),
            authors::disabled_at.nullable(),
        ))
        .first(conn)
        .optional()?;
    let Some((id, kind, key_role, last_used_at, author_id, author_role, disabled_at)) = row else {
        return Ok(None);
    };
    let holder = match kind {
        KeyKind::Content => Some(KeyHolder::Content),
        // A key whose maker left, or may no longer sign in, acts for no one.
        KeyKind::Integration => match (author_id, author_role, key_role) {
            (Some(author_id), Some(author_role), Some(key_role)) if disabled_at.is_none() => {
                Some(KeyHolder::Integration {
                    author_id,
                    role: key_role.lesser(author_role),
                })
            }
            _ => None,
        },
    };
    if holder.is_some() && last_used_at.is_none_or(|t| now() - t >= USE_RESOLUTION) {
        diesel::update(api_keys::table.find(&id))
            .set(api_keys::last_used_at.eq(now()))
            .execute(conn)?;
    }
    Ok(holder)
}
