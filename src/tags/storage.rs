//! The tags table: pages of it, finding one, inserting under a free slug, versioned changes,
//! deletion, and post counts.

use diesel::prelude::*;

use super::input::TagInput;
use super::model::{NewTag, TagChanges, TagRow};
use super::query::TagScope;
use crate::content::tag;
use crate::db::schema::{posts, posts_tags, tags};
use crate::db::{DbConn, MultiBackend, now};
use crate::error::ApiResult;
use crate::ids::TagId;

/// The tags of `scope`.
fn in_scope(
    query: tags::BoxedQuery<'static, MultiBackend>,
    scope: &TagScope,
) -> tags::BoxedQuery<'static, MultiBackend> {
    match scope.only() {
        Some(visibility) => query.filter(tags::visibility.eq(visibility)),
        None => query,
    }
}

crate::named_storage! {
    table: tags,
    row: TagRow,
    new: NewTag,
    id: TagId,
    changes: TagChanges,
    filter: TagScope => in_scope,
    links: posts_tags.tag_id,
    what: "tag",
}

/// Inserts a new tag under a free slug (`hash-…` for an internal one). Run inside a write
/// transaction.
pub fn insert(conn: &mut DbConn, input: TagInput) -> ApiResult<TagRow> {
    let now = now();
    let source = tag::slug_source(&input.name);
    let row = NewTag {
        id: TagId::generate(),
        slug: String::new(),
        visibility: input.visibility(),
        name: input.name,
        description: input.description,
        feature_image: input.feature_image,
        accent_color: input.accent_color,
        meta_title: input.meta_title,
        meta_description: input.meta_description,
        og_image: input.og_image,
        og_title: input.og_title,
        og_description: input.og_description,
        twitter_image: input.twitter_image,
        twitter_title: input.twitter_title,
        twitter_description: input.twitter_description,
        canonical_url: input.canonical_url,
        codeinjection_head: input.codeinjection_head,
        codeinjection_foot: input.codeinjection_foot,
        created_at: now,
        updated_at: now,
        version: 1,
    };
    insert_named(conn, row, input.slug, &source)
}

/// Deletes the tag; its links to posts go with it (the posts stay). The posts it was on show
/// one tag less from now on, so they count as changed (`updated_at`, which `Last-Modified`
/// follows; not their version: nobody edited them).
pub fn delete(conn: &mut DbConn, id: &TagId) -> ApiResult<()> {
    let tagged = posts_tags::table
        .filter(posts_tags::tag_id.eq(id))
        .select(posts_tags::post_id);
    diesel::update(posts::table.filter(posts::id.eq_any(tagged)))
        .set(posts::updated_at.eq(now()))
        .execute(conn)?;
    match diesel::delete(tags::table.find(id)).execute(conn)? {
        0 => Err(not_found(id)),
        _ => Ok(()),
    }
}
