//! The tag operations, each one transaction: who may make them is decided before (see
//! [`super::policy`]).

use super::input::TagInput;
use super::model::{TagChanges, TagRow};
use super::storage;
use crate::db::{DbConn, Locked, lock_row};
use crate::error::ApiResult;
use crate::ids::TagId;
use crate::precondition::Expected;

/// Adds a tag. Run inside a write transaction.
pub fn create(conn: &mut DbConn, input: TagInput) -> ApiResult<TagRow> {
    storage::insert(conn, input)
}

/// Changes tag `id`, from the version `expected` names. Run inside a write transaction.
pub fn update(
    conn: &mut DbConn,
    id: &TagId,
    expected: Expected,
    changes: TagChanges,
) -> ApiResult<TagRow> {
    lock_row(conn, Locked::Tags, id.as_str())?;
    let current = storage::find(conn, id)?.ok_or_else(|| storage::not_found(id))?;
    expected.check(current.version)?;
    // The name decides the visibility: no change of it, no change of that.
    let changes = match &changes.name {
        Some(name) if *name == current.name => TagChanges {
            name: None,
            visibility: None,
            ..changes
        },
        _ => changes,
    };
    if let Some(slug) = &changes.slug
        && slug != &current.slug
        && storage::find_by_slug(conn, slug)?.is_some()
    {
        return Err(storage::slug_taken(slug));
    }
    if changes.is_empty() {
        return Ok(current);
    }
    storage::update(conn, id, current.version, changes)
}

/// Deletes tag `id`. Run inside a write transaction.
pub fn delete(conn: &mut DbConn, id: &TagId) -> ApiResult<()> {
    storage::delete(conn, id)
}
