//! The api_keys table: making a key (its secret is returned once, never stored), listing,
//! finding and revoking them.

use diesel::prelude::*;

use super::model::{KeyRow, NewKey};
use crate::db::schema::api_keys;
use crate::db::{DbConn, MultiBackend, now};
use crate::error::{ApiError, ApiResult};
use crate::ids::KeyId;

fn columns() -> <KeyRow as Selectable<MultiBackend>>::SelectExpression {
    <KeyRow as Selectable<MultiBackend>>::construct_selection()
}

pub fn not_found(id: &KeyId) -> ApiError {
    ApiError::NotFound(format!("No API key with id `{id}`."))
}

/// Stores a new key and answers it with its secret, which is not kept.
pub fn insert(conn: &mut DbConn, key: NewKey) -> ApiResult<(KeyRow, String)> {
    let (secret, digest) = key.format.generate(key.kind)?;
    let row = diesel::insert_into(api_keys::table)
        .values((
            api_keys::id.eq(KeyId::generate()),
            api_keys::name.eq(key.name),
            api_keys::kind.eq(key.kind),
            api_keys::role.eq(key.role),
            api_keys::secret_hash.eq(digest),
            api_keys::prefix.eq(&secret[..key.format.shown_chars()]),
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

pub fn find(conn: &mut DbConn, id: &KeyId) -> ApiResult<KeyRow> {
    api_keys::table
        .find(id)
        .select(columns())
        .first(conn)
        .optional()?
        .ok_or_else(|| not_found(id))
}

/// Revokes the key; it stops working on the next request. Revoking twice is no error.
pub fn revoke(conn: &mut DbConn, id: &KeyId) -> ApiResult<()> {
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
