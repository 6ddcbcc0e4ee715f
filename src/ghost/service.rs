//! The reads of Ghost's Content API, each in one connection: a page of live posts, pages,
//! tags or authors (filtered and ordered as asked) with what their answer embeds, or one of
//! them, and the site they are addressed on.

use std::collections::HashMap;
use std::hash::Hash;

use chrono::NaiveDateTime;

use super::nql::Expr;
use super::query::{Browse, Relation, Shape};
use super::storage::{self, Author, Found, Key, OrderTerm, Table};
use crate::db::DbConn;
use crate::db::page::Direction;
use crate::error::ApiResult;
use crate::posts::model::{PostKind, PostMeta, PostRow};
use crate::site::Site;
use crate::tags::model::TagRow;

/// A live post or page with what its answer may show.
pub struct Post {
    pub row: PostRow,
    pub meta: PostMeta,
    /// Empty unless asked for.
    pub authors: Vec<Author>,
    pub tags: Vec<TagRow>,
}

/// A tag or author with its count of live posts, when asked for.
pub struct Counted<T> {
    pub item: T,
    pub posts: Option<i64>,
}

fn default_order(kind: PostKind) -> &'static [(&'static str, Direction)] {
    match kind {
        PostKind::Post => &[
            ("posts.published_at", Direction::Desc),
            ("posts.id", Direction::Desc),
        ],
        PostKind::Page => &[("posts.title", Direction::Asc)],
    }
}

fn filter_of(
    table: Table,
    filter: Option<&Expr>,
    now: NaiveDateTime,
) -> ApiResult<Option<crate::db::fragment::Predicate>> {
    match filter {
        Some(expr) => storage::condition(table, expr, now),
        None => Ok(None),
    }
}

fn page<T>(
    browse: &Browse,
    table: Table,
    default: &[(&'static str, Direction)],
    now: NaiveDateTime,
    fetch: impl FnOnce(
        Option<&crate::db::fragment::Predicate>,
        &[OrderTerm],
        i64,
        i64,
    ) -> ApiResult<Found<T>>,
) -> ApiResult<Found<T>> {
    let filter = filter_of(table, browse.filter.as_ref(), now)?;
    let order = storage::order(table, browse, default, now);
    fetch(filter.as_ref(), &order, browse.limit, browse.offset())
}

/// A page of live posts or pages, and the site.
pub fn browse_posts(
    conn: &mut DbConn,
    kind: PostKind,
    browse: &Browse,
    shape: &Shape,
    now: NaiveDateTime,
) -> ApiResult<(Found<Post>, Site)> {
    let site = Site::load(conn)?;
    let found = page(
        browse,
        Table::Posts,
        default_order(kind),
        now,
        |filter, order, limit, offset| {
            storage::posts(conn, kind, filter, order, limit, offset, shape, now)
        },
    )?;
    let total = found.total;
    let rows = with_relations(conn, found.rows, shape)?;
    Ok((Found { rows, total }, site))
}

/// The live post or page `key` names, and the site.
pub fn read_post(
    conn: &mut DbConn,
    kind: PostKind,
    key: Key,
    shape: &Shape,
    now: NaiveDateTime,
) -> ApiResult<(Option<Post>, Site)> {
    let site = Site::load(conn)?;
    let rows = storage::post(conn, kind, key, shape, now)?
        .into_iter()
        .collect();
    Ok((with_relations(conn, rows, shape)?.pop(), site))
}

fn with_relations(conn: &mut DbConn, rows: Vec<PostRow>, shape: &Shape) -> ApiResult<Vec<Post>> {
    let ids: Vec<_> = rows.iter().map(|r| &r.id).collect();
    let mut metas = storage::metas(conn, &ids)?;
    let mut authors = if shape.includes(Relation::Authors) {
        storage::bylines(conn, &ids)?
    } else {
        Default::default()
    };
    let mut tags = if shape.includes(Relation::Tags) {
        storage::post_tags(conn, &ids)?
    } else {
        Default::default()
    };
    Ok(rows
        .into_iter()
        .map(|row| Post {
            meta: metas.remove(&row.id).unwrap_or_default(),
            authors: authors.remove(&row.id).unwrap_or_default(),
            tags: tags.remove(&row.id).unwrap_or_default(),
            row,
        })
        .collect())
}

/// A page of the tags readers see, and the site.
pub fn browse_tags(
    conn: &mut DbConn,
    browse: &Browse,
    counts: bool,
    now: NaiveDateTime,
) -> ApiResult<(Found<Counted<TagRow>>, Site)> {
    let site = Site::load(conn)?;
    let found = page(
        browse,
        Table::Tags,
        &[("tags.name", Direction::Asc), ("tags.id", Direction::Asc)],
        now,
        |filter, order, limit, offset| storage::tags(conn, filter, order, limit, offset, now),
    )?;
    let rows = count_tags(conn, found.rows, counts, now)?;
    Ok((
        Found {
            rows,
            total: found.total,
        },
        site,
    ))
}

/// The tag `key` names, if readers see it, and the site.
pub fn read_tag(
    conn: &mut DbConn,
    key: Key,
    counts: bool,
    now: NaiveDateTime,
) -> ApiResult<(Option<Counted<TagRow>>, Site)> {
    let site = Site::load(conn)?;
    let rows = storage::tag(conn, key, now)?.into_iter().collect();
    Ok((count_tags(conn, rows, counts, now)?.pop(), site))
}

fn count_tags(
    conn: &mut DbConn,
    rows: Vec<TagRow>,
    counts: bool,
    now: NaiveDateTime,
) -> ApiResult<Vec<Counted<TagRow>>> {
    let found = match counts {
        true => {
            let ids: Vec<_> = rows.iter().map(|t| t.id.clone()).collect();
            Some(storage::tag_counts(conn, &ids, now)?)
        }
        false => None,
    };
    Ok(counted(rows, found, |t| &t.id))
}

/// `rows` with their counts from `found`, if counted (none there: no live post).
fn counted<T, Id: Eq + Hash>(
    rows: Vec<T>,
    mut found: Option<HashMap<Id, i64>>,
    id: impl Fn(&T) -> &Id,
) -> Vec<Counted<T>> {
    rows.into_iter()
        .map(|item| Counted {
            posts: found
                .as_mut()
                .map(|found| found.remove(id(&item)).unwrap_or(0)),
            item,
        })
        .collect()
}

/// A page of the authors readers see, and the site.
pub fn browse_authors(
    conn: &mut DbConn,
    browse: &Browse,
    counts: bool,
    now: NaiveDateTime,
) -> ApiResult<(Found<Counted<Author>>, Site)> {
    let site = Site::load(conn)?;
    let found = page(
        browse,
        Table::Authors,
        &[
            ("authors.name", Direction::Asc),
            ("authors.id", Direction::Asc),
        ],
        now,
        |filter, order, limit, offset| storage::authors(conn, filter, order, limit, offset, now),
    )?;
    let rows = count_authors(conn, found.rows, counts, now)?;
    Ok((
        Found {
            rows,
            total: found.total,
        },
        site,
    ))
}

/// The author `key` names, if readers see them, and the site.
pub fn read_author(
    conn: &mut DbConn,
    key: Key,
    counts: bool,
    now: NaiveDateTime,
) -> ApiResult<(Option<Counted<Author>>, Site)> {
    let site = Site::load(conn)?;
    let rows = storage::author(conn, key, now)?.into_iter().collect();
    Ok((count_authors(conn, rows, counts, now)?.pop(), site))
}

fn count_authors(
    conn: &mut DbConn,
    rows: Vec<Author>,
    counts: bool,
    now: NaiveDateTime,
) -> ApiResult<Vec<Counted<Author>>> {
    let found = match counts {
        true => {
            let ids: Vec<_> = rows.iter().map(|a| a.id.clone()).collect();
            Some(storage::author_counts(conn, &ids, now)?)
        }
        false => None,
    };
    Ok(counted(rows, found, |a| &a.id))
}

/// Ghost's search index of posts, and the site.
pub fn search_index_posts(
    conn: &mut DbConn,
    now: NaiveDateTime,
) -> ApiResult<(Vec<storage::Indexed>, Site)> {
    Ok((storage::indexed_posts(conn, now)?, Site::load(conn)?))
}

/// Ghost's search index of authors, and the site.
pub fn search_index_authors(
    conn: &mut DbConn,
    now: NaiveDateTime,
) -> ApiResult<(Vec<Author>, Site)> {
    Ok((storage::indexed_authors(conn, now)?, Site::load(conn)?))
}

/// Ghost's search index of tags, and the site.
pub fn search_index_tags(conn: &mut DbConn) -> ApiResult<(Vec<TagRow>, Site)> {
    Ok((storage::indexed_tags(conn)?, Site::load(conn)?))
}
