//! The tags table: pages of it, finding one, inserting under a free slug, versioned changes,
//! deletion, and post counts.

use diesel::prelude::*;

use super::input::TagInput;
use super::model::{NewTag, TagChanges, TagRow};
use crate::db::schema::tags;
use crate::db::{DbConn, now};
use crate::error::ApiResult;
use crate::ids::TagId;

crate::named_storage! {
    table: tags,
    row: TagRow,
    new: NewTag,
    id: TagId,
    changes: TagChanges,
    links: posts_tags.tag_id,
    what: "tag",
}

/// Inserts a new tag under a free slug. Run inside a write transaction.
pub fn insert(conn: &mut DbConn, input: TagInput) -> ApiResult<TagRow> {
    let now = now();
    let row = NewTag {
        id: TagId::generate(),
        slug: String::new(),
        name: input.name,
        description: input.description,
        created_at: now,
        updated_at: now,
        version: 1,
    };
    insert_named(conn, row, input.slug)
}

/// Deletes the tag; its links to posts go with it (the posts stay).
pub fn delete(conn: &mut DbConn, id: &TagId) -> ApiResult<()> {
    match diesel::delete(tags::table.find(id)).execute(conn)? {
        0 => Err(not_found(id)),
        _ => Ok(()),
    }
}
