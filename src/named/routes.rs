//! The handlers of named resources, once: a list with its post counts, and one item with its
//! count, for any resource that says how to load, count and show itself ([`Named`]).

use std::collections::HashMap;
use std::hash::Hash;

use actix_web::{HttpRequest, HttpResponse};
use chrono::NaiveDateTime;

use super::query::{ListParams, NamedItemParams, NamedListQuery, NamedShape};
use super::view::PostCount;
use crate::auth::Caller;
use crate::db::page::PageMeta;
use crate::db::{Db, DbConn, now};
use crate::error::ApiResult;
use crate::http::cursor::Cursors;
use crate::http::pagination::ListResponse;
use crate::http::{self as h, Modified};
use crate::site::Site;

/// A resource with a name, a slug and posts (authors, tags), listed and read alike.
pub trait Named: 'static {
    type Id: Clone + Eq + Hash + Send + 'static;
    type Row: Send + 'static;
    type View: serde::Serialize + Modified;
    /// What its lists may be narrowed by, besides what every named list takes.
    type Filter: Send + 'static;

    /// A page of rows, as `list` and `filter` ask.
    fn page(
        conn: &mut DbConn,
        query: &NamedListQuery,
        filter: &Self::Filter,
    ) -> ApiResult<(Vec<Self::Row>, PageMeta)>;
    /// How many live posts each of `ids` has; those with none may be left out.
    fn post_counts(
        conn: &mut DbConn,
        ids: &[Self::Id],
        now: NaiveDateTime,
    ) -> ApiResult<HashMap<Self::Id, i64>>;
    /// The row with `id`, or `404`.
    fn find(conn: &mut DbConn, id: &Self::Id) -> ApiResult<Self::Row>;
    /// The row with `slug`, or `404`.
    fn find_by_slug(conn: &mut DbConn, slug: &str) -> ApiResult<Self::Row>;
    fn id(row: &Self::Row) -> &Self::Id;
    fn version(row: &Self::Row) -> i64;
    /// The row as `caller` may see it, with its post count when one was asked for and its
    /// address on `site`.
    fn view(
        row: Self::Row,
        caller: &Caller,
        count: Option<PostCount>,
        site: &Site,
    ) -> ApiResult<Self::View>;
}

/// Makes `$marker` the [`Named`] resource of the storage module in scope (`storage`, as
/// [`named_storage!`](crate::named_storage) defines it), its lists narrowed by `$filter`,
/// shown as `$view` by `$show`.
#[macro_export]
macro_rules! named_resource {
    ($marker:ident, $row:ty, $id:ty, $filter:ty, $view:ty, $show:expr) => {
        struct $marker;

        impl $crate::named::routes::Named for $marker {
            type Id = $id;
            type Row = $row;
            type View = $view;
            type Filter = $filter;

            fn page(
                conn: &mut $crate::db::DbConn,
                query: &$crate::named::query::NamedListQuery,
                filter: &$filter,
            ) -> $crate::error::ApiResult<(Vec<$row>, $crate::db::page::PageMeta)> {
                storage::list(conn, query, filter)
            }

            fn post_counts(
                conn: &mut $crate::db::DbConn,
                ids: &[$id],
                now: chrono::NaiveDateTime,
            ) -> $crate::error::ApiResult<std::collections::HashMap<$id, i64>> {
                storage::post_counts(conn, ids, now)
            }

            fn find(conn: &mut $crate::db::DbConn, id: &$id) -> $crate::error::ApiResult<$row> {
                storage::find(conn, id)?.ok_or_else(|| storage::not_found(id))
            }

            fn find_by_slug(
                conn: &mut $crate::db::DbConn,
                slug: &str,
            ) -> $crate::error::ApiResult<$row> {
                storage::find_by_slug(conn, slug)?.ok_or_else(|| storage::slug_missing(slug))
            }

            fn id(row: &$row) -> &$id {
                &row.id
            }

            fn version(row: &$row) -> i64 {
                row.version
            }

            fn view(
                row: $row,
                caller: &$crate::auth::Caller,
                count: Option<$crate::named::view::PostCount>,
                site: &$crate::site::Site,
            ) -> $crate::error::ApiResult<$view> {
                Ok($show(row, caller, count, site))
            }
        }
    };
}

/// Post counts for `rows`, when `shape` asks for them.
fn counts<N: Named>(
    conn: &mut DbConn,
    shape: NamedShape,
    rows: &[N::Row],
) -> ApiResult<Option<HashMap<N::Id, i64>>> {
    if !shape.count_posts {
        return Ok(None);
    }
    let ids: Vec<N::Id> = rows.iter().map(|row| N::id(row).clone()).collect();
    N::post_counts(conn, &ids, now()).map(Some)
}

fn count_of<N: Named>(counts: &Option<HashMap<N::Id, i64>>, row: &N::Row) -> Option<PostCount> {
    counts.as_ref().map(|counts| PostCount {
        posts: counts.get(N::id(row)).copied().unwrap_or(0),
    })
}

/// A page of `N` as `params` and `filter` ask, with post counts when asked: one trip to the
/// pool.
pub async fn list<N: Named>(
    req: &HttpRequest,
    db: &Db,
    caller: &Caller,
    cursors: &Cursors,
    params: &impl ListParams,
    filter: N::Filter,
) -> ApiResult<HttpResponse> {
    let list = NamedListQuery::parse(params, cursors)?;
    let page = list.page.clone();
    let (rows, meta, counts, site) = db
        .run(move |conn| {
            let (rows, meta) = N::page(conn, &list, &filter)?;
            let counts = counts::<N>(conn, list.shape, &rows)?;
            Ok((rows, meta, counts, Site::load(conn)?))
        })
        .await?;
    let data = rows
        .into_iter()
        .map(|row| {
            let count = count_of::<N>(&counts, &row);
            N::view(row, caller, count, &site)
        })
        .collect::<ApiResult<Vec<_>>>()?;
    Ok(h::list(req, &ListResponse::new(data, &page, meta, cursors)))
}

/// The `N` with `id`, shaped as `params` ask.
pub async fn by_id<N: Named>(
    db: &Db,
    caller: &Caller,
    id: N::Id,
    params: NamedItemParams,
) -> ApiResult<HttpResponse> {
    let shape = NamedShape::of_item(params)?;
    one::<N>(db, caller, shape, move |conn| N::find(conn, &id)).await
}

/// The `N` with `slug`, shaped as `params` ask.
pub async fn by_slug<N: Named>(
    db: &Db,
    caller: &Caller,
    slug: String,
    params: NamedItemParams,
) -> ApiResult<HttpResponse> {
    let shape = NamedShape::of_item(params)?;
    one::<N>(db, caller, shape, move |conn| N::find_by_slug(conn, &slug)).await
}

/// The one `N` that `find` loads, shaped as asked.
async fn one<N: Named>(
    db: &Db,
    caller: &Caller,
    shape: NamedShape,
    find: impl FnOnce(&mut DbConn) -> ApiResult<N::Row> + Send + 'static,
) -> ApiResult<HttpResponse> {
    let (row, counts, site) = db
        .run(move |conn| {
            let row = find(conn)?;
            let counts = counts::<N>(conn, shape, std::slice::from_ref(&row))?;
            Ok((row, counts, Site::load(conn)?))
        })
        .await?;
    let (version, count) = (N::version(&row), count_of::<N>(&counts, &row));
    Ok(h::one(&N::view(row, caller, count, &site)?, version))
}
