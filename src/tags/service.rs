//! The tag operations, each one transaction: who may make them is decided before (see
//! [`super::policy`]).

use super::input::TagInput;
use super::model::{TagChanges, TagRow};
use super::storage;
use crate::content::TagVisibility;
use crate::db::{DbConn, Locked, lock_row};
use crate::error::ApiResult;
use crate::events::{self, Subject};
use crate::ids::TagId;
use crate::precondition::Expected;
use crate::site::Site;

/// A tag as readers get it (the representation events carry): made by the HTTP face.
pub type Render = fn(TagRow, &Site) -> serde_json::Value;

/// Writes the events of a change of a tag; readers see it unless it is internal.
fn announce(
    conn: &mut DbConn,
    render: Render,
    before: Option<&TagRow>,
    after: Option<&TagRow>,
) -> ApiResult<()> {
    let public = [before, after]
        .into_iter()
        .flatten()
        .any(|t| t.visibility == TagVisibility::Public);
    events::announce_named(conn, Subject::Tag, before, after, |_| Ok(public), render)
}

/// Adds a tag. Run inside a write transaction.
pub fn create(conn: &mut DbConn, input: TagInput, render: Render) -> ApiResult<TagRow> {
    let row = storage::insert(conn, input)?;
    announce(conn, render, None, Some(&row))?;
    Ok(row)
}

/// Changes tag `id`, from the version `expected` names. Run inside a write transaction.
pub fn update(
    conn: &mut DbConn,
    id: &TagId,
    expected: Expected,
    changes: TagChanges,
    render: Render,
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
    let row = storage::update(conn, id, current.version, changes)?;
    announce(conn, render, Some(&current), Some(&row))?;
    Ok(row)
}

/// Deletes tag `id`. Run inside a write transaction.
pub fn delete(conn: &mut DbConn, id: &TagId, render: Render) -> ApiResult<()> {
    let current = storage::find(conn, id)?;
    storage::delete(conn, id)?;
    announce(conn, render, current.as_ref(), None)
}
