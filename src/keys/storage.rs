use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::auth::keys::KeyKind;
use crate::auth::{Role, secret};
use crate::db::schema::api_keys;
use crate::db::{DbConn, MultiBackend, new_id, now};
use crate::http::error::{ApiError, ApiResult};

/// Characters of a secret kept to tell keys apart: the kind prefix and a few random ones,
/// far too few to guess the rest from.
const SHOWN_CHARS: usize = 13;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = api_keys)]
pub struct KeyRow {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub role: Option<String>,
    pub prefix: String,
    pub created_by: Option<String>,
    pub created_at: NaiveDateTime,
    pub last_used_at: Option<NaiveDateTime>,
    pub revoked_at: Option<NaiveDateTime>,
}

fn columns() -> <KeyRow as Selectable<MultiBackend>>::SelectExpression {
    <KeyRow as Selectable<MultiBackend>>::construct_selection()
}

pub fn not_found(id: &str) -> ApiError {
    ApiError::NotFound(format!("No API key with id `{id}`."))
}

pub struct NewKey {
    pub name: String,
    pub kind: KeyKind,
    pub role: Option<Role>,
    pub created_by: String,
}

/// Stores a new key and answers it with its secret, which is not kept.
pub fn insert(conn: &mut DbConn, key: NewKey) -> ApiResult<(KeyRow, String)> {
    let (secret, digest) = secret::generate(key.kind.prefix())?;
    let row = diesel::insert_into(api_keys::table)
        .values((
            api_keys::id.eq(new_id()),
            api_keys::name.eq(key.name),
            api_keys::kind.eq(key.kind.as_str()),
            api_keys::role.eq(key.role.map(Role::as_str)),
            api_keys::secret_hash.eq(digest),
            api_keys::prefix.eq(&secret[..SHOWN_CHARS]),
            api_keys::created_by.eq(key.created_by),
            api_keys::created_at.eq(now()),
        ))
        .returning(columns())
        .get_result(conn)?;
    Ok((row, secret))
}

/// Every key, revoked ones too (they are the record of what had access), newest first.
pub fn list(conn: &mut DbConn) -> ApiResult<Vec<KeyRow>> {
    Ok(api_keys::table
        .order((api_keys::created_at.desc(), api_keys::id.desc()))
        .select(columns())
        .load(conn)?)
}

pub fn find(conn: &mut DbConn, id: &str) -> ApiResult<KeyRow> {
    api_keys::table
        .find(id)
        .select(columns())
        .first(conn)
        .optional()?
        .ok_or_else(|| not_found(id))
}

/// Revokes the key; it stops working on the next request. Revoking twice is no error.
pub fn revoke(conn: &mut DbConn, id: &str) -> ApiResult<()> {
    find(conn, id)?;
    diesel::update(
        api_keys::table
            .find(id)
            .filter(api_keys::revoked_at.is_null()),
    )
    .set(api_keys::revoked_at.eq(now()))
    .execute(conn)?;
    Ok(())
}
