use diesel::prelude::*;

use super::model::{NewTag, TagChanges, TagRow};
use crate::content::Slug;
use crate::db::schema::{posts, posts_tags, tags};
use crate::db::{DbConn, Locked, MultiBackend, lock_row, now};
use crate::http::conditional::{Expected, stale};
use crate::http::error::{ApiError, ApiResult};
use crate::http::listing::NamedListQuery;
use crate::http::pagination::PageMeta;

fn columns() -> <TagRow as Selectable<MultiBackend>>::SelectExpression {
    <TagRow as Selectable<MultiBackend>>::construct_selection()
}

pub fn not_found(id: &str) -> ApiError {
    ApiError::NotFound(format!("No tag with id `{id}`."))
}

/// A page of the tags `list` asks for, and where it sits in the list.
pub fn list(conn: &mut DbConn, list: &NamedListQuery) -> ApiResult<(Vec<TagRow>, PageMeta)> {
    crate::named_list!(conn, list, tags, TagRow, columns())
}

pub fn find(conn: &mut DbConn, id: &str) -> ApiResult<Option<TagRow>> {
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

fn slug_taken(slug: &str) -> ApiError {
    ApiError::Conflict(format!("The slug `{slug}` is already used by another tag."))
}

pub struct TagInput {
    pub slug: Option<Slug>,
    pub name: String,
    pub description: Option<String>,
}

pub fn insert(conn: &mut DbConn, input: TagInput) -> ApiResult<TagRow> {
    let now = now();
    let mut row = NewTag {
        id: crate::db::new_id(),
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

pub fn update(
    conn: &mut DbConn,
    id: &str,
    expected: Expected,
    changes: TagChanges,
) -> ApiResult<TagRow> {
    lock_row(conn, Locked::Tags, id)?;
    let current = find(conn, id)?.ok_or_else(|| not_found(id))?;
    expected.check(current.version)?;
    if let Some(slug) = &changes.slug
        && slug != &current.slug
        && find_by_slug(conn, slug)?.is_some()
    {
        return Err(slug_taken(slug));
    }
    if changes.slug.is_none() && changes.name.is_none() && changes.description.is_none() {
        return Ok(current);
    }
    diesel::update(
        tags::table
            .find(id)
            .filter(tags::version.eq(current.version)),
    )
    .set((
        changes,
        tags::version.eq(current.version + 1),
        tags::updated_at.eq(now()),
    ))
    .returning(columns())
    .get_result(conn)
    .optional()?
    .ok_or_else(stale)
}

/// Deletes the tag; its links to posts go with it (the posts stay).
pub fn delete(conn: &mut DbConn, id: &str) -> ApiResult<()> {
    match diesel::delete(tags::table.find(id)).execute(conn)? {
        0 => Err(not_found(id)),
        _ => Ok(()),
    }
}

/// How many live posts each of `ids` has (tags with none are left out).
pub fn post_counts(
    conn: &mut DbConn,
    ids: &[String],
    now: chrono::NaiveDateTime,
) -> ApiResult<std::collections::HashMap<String, i64>> {
    let rows: Vec<(String, i64)> = posts_tags::table
        .inner_join(posts::table)
        .filter(posts_tags::tag_id.eq_any(ids))
        .filter(crate::posts::storage::live(now))
        .group_by(posts_tags::tag_id)
        .select((posts_tags::tag_id, diesel::dsl::count_star()))
        .load(conn)?;
    Ok(rows.into_iter().collect())
}
