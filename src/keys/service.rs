//! The key operations, each one transaction: who may make them is decided before (see
//! [`super::policy`]).

use super::input::KeyInput;
use super::model::{KeyRow, NewKey};
use super::storage;
use crate::auth::Staff;
use crate::db::DbConn;
use crate::error::ApiResult;
use crate::ids::KeyId;

/// Makes a key for `staff`, answered with its secret. Run inside a write transaction.
pub fn create(conn: &mut DbConn, staff: &Staff, input: KeyInput) -> ApiResult<(KeyRow, String)> {
    storage::insert(
        conn,
        NewKey {
            name: input.name,
            kind: input.kind,
            format: input.format,
            role: input.role,
            created_by: staff.id.clone(),
        },
    )
}

/// Revokes key `id`. Run inside a write transaction.
pub fn revoke(conn: &mut DbConn, id: &KeyId) -> ApiResult<()> {
    storage::revoke(conn, id)
}
