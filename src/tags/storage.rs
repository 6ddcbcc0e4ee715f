//! The tags table: pages of it, finding one, inserting under a free slug, versioned changes,
//! deletion, and post counts.

use diesel::prelude::*;

use super::input::TagInput;
use super::model::{NewTag, TagChanges, TagRow};
use crate::content::Slug;
use crate::db::page::PageMeta;
use crate::db::schema::tags;
use crate::db::{DbConn, MultiBackend, now};
use crate::error::{ApiError, ApiResult};
use crate::ids::TagId;
use crate::named::query::NamedListQuery;
use crate::precondition::stale;

fn columns() -> <TagRow as Selectable<MultiBackend>>::SelectExpression {
    <TagRow as Selectable<MultiBackend>>::construct_selection()
}

pub fn not_found(id: &TagId) -> ApiError {
    ApiError::NotFound(format!("No tag with id `{id}`."))
}

pub fn slug_taken(slug: &str) -> ApiError {
    ApiError::Conflict(format!("The slug `{slug}` is already used by another tag."))
}

/// A page of the tags `list` asks for, and where it sits in the list.
pub fn list(conn: &mut DbConn, list: &NamedListQuery) -> ApiResult<(Vec<TagRow>, PageMeta)> {
    crate::named_list!(conn, list, tags, TagRow, TagId, columns())
}

pub fn find(conn: &mut DbConn, id: &TagId) -> ApiResult<Option<TagRow>> {
    Ok(tags::table
        .find(id)
        .select(columns())
        .first(conn)
        .optional()?)
}

pub fn find_by_slug(conn: &mut DbConn, slug: &str) -> ApiResult<Option<TagRow>> {
    Ok(tags::table
        .filter(tags::slug.eq(slug))
        .select(columns())
        .first(conn)
        .optional()?)
}

/// Which of `candidates` are slugs of tags already.
fn slugs_taken(conn: &mut DbConn, candidates: &[String]) -> ApiResult<Vec<String>> {
    Ok(tags::table
        .filter(tags::slug.eq_any(candidates))
        .select(tags::slug)
        .load(conn)?)
}

/// Inserts a new tag under a free slug. Run inside a write transaction.
pub fn insert(conn: &mut DbConn, input: TagInput) -> ApiResult<TagRow> {
    let now = now();
    let mut row = NewTag {
        id: TagId::generate(),
        slug: String::new(),
        name: input.name,
        description: input.description,
        created_at: now,
        updated_at: now,
        version: 1,
    };
    let name = row.name.clone();
    Slug::insert_free(
        conn,
        input.slug,
        &name,
        "tag",
        "tags",
        slugs_taken,
        |conn, slug| {
            row.slug = slug.to_string();
            diesel::insert_into(tags::table)
                .values(&row)
                .returning(columns())
                .get_result(conn)
        },
    )?
    .map_err(|taken| slug_taken(taken.as_str()))
}

/// Applies `changes` to the tag at `version`, and counts a new version; `412` if it is no
/// longer at that version. Run inside a write transaction.
pub fn update(
    conn: &mut DbConn,
    id: &TagId,
    version: i64,
    changes: TagChanges,
) -> ApiResult<TagRow> {
    diesel::update(tags::table.find(id).filter(tags::version.eq(version)))
        .set((
            changes,
            tags::version.eq(version + 1),
            tags::updated_at.eq(now()),
        ))
        .returning(columns())
        .get_result(conn)
        .optional()?
        .ok_or_else(stale)
}

/// Deletes the tag; its links to posts go with it (the posts stay).
pub fn delete(conn: &mut DbConn, id: &TagId) -> ApiResult<()> {
    match diesel::delete(tags::table.find(id)).execute(conn)? {
        0 => Err(not_found(id)),
        _ => Ok(()),
    }
}

/// How many live posts each of `ids` has (tags with none are left out).
pub fn post_counts(
    conn: &mut DbConn,
    ids: &[TagId],
    now: chrono::NaiveDateTime,
) -> ApiResult<std::collections::HashMap<TagId, i64>> {
    crate::count_live_posts!(conn, posts_tags, tag_id, ids, now)
}
