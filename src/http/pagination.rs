//! Pages over a list, by number or by cursor, and the `{data, meta}` envelope every list
//! answers with.

use crate::auth::extract::KEY_PARAM;
use serde::Serialize;
use utoipa::ToSchema;

use super::cursor::{Cursors, Position, Refused, Toward};
use super::error::{ApiError, ApiResult, FieldError};
use crate::db::DbConn;

pub const DEFAULT_LIMIT: i64 = 15;
pub const MAX_LIMIT: i64 = 100;

/// Far past any real collection, and small enough that the offset cannot overflow.
pub const PAGE_MAX: i64 = 1_000_000;

/// How the page is found.
#[derive(Debug, Clone, PartialEq)]
pub enum Mode {
    /// `page=n`: numbered pages, with totals.
    Numbered(i64),
    /// The first page, or the one a cursor points to; totals only when `count` asks.
    Keyset {
        from: Option<(Toward, Position)>,
        count: bool,
    },
}

/// Validated page parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct PageRequest {
    pub limit: i64,
    pub mode: Mode,
}

/// The page parameters every list takes, as they came.
pub struct PageParams<'a> {
    pub limit: Option<i64>,
    pub page: Option<i64>,
    pub cursor: Option<&'a str>,
    pub count: Option<bool>,
}

impl PageRequest {
    /// Checks the page parameters, adding what is wrong to `errors`.
    pub fn parse(
        params: PageParams<'_>,
        cursors: &Cursors,
        errors: &mut Vec<FieldError>,
    ) -> PageRequest {
        let limit = params.limit.unwrap_or(DEFAULT_LIMIT);
        if !(1..=MAX_LIMIT).contains(&limit) {
            errors.push(FieldError::new(
                "limit",
                "out_of_range",
                "must be between 1 and 100",
            ));
        }
        if let Some(page) = params.page {
            if !(1..=PAGE_MAX).contains(&page) {
                errors.push(FieldError::new(
                    "page",
                    "out_of_range",
                    "must be between 1 and 1000000",
                ));
            }
            if params.cursor.is_some() {
                errors.push(FieldError::new(
                    "cursor",
                    "conflict",
                    "use either `page` or `cursor`, not both",
                ));
            }
            return PageRequest {
                limit,
                mode: Mode::Numbered(page),
            };
        }
        let from = params
            .cursor
            .and_then(|cursor| match cursors.decode(cursor) {
                Ok(from) => Some(from),
                Err(Refused::Invalid) => {
                    errors.push(FieldError::new(
                        "cursor",
                        "invalid",
                        "is not a cursor this server issued; use `next_cursor` or `prev_cursor` \
                     from a list response as it is",
                    ));
                    None
                }
                Err(Refused::OtherQuery) => {
                    errors.push(FieldError::new(
                        "cursor",
                        "stale",
                        "belongs to a list with other filters or another order; keep the \
                     parameters it was issued with, or start again without it",
                    ));
                    None
                }
            });
        PageRequest {
            limit,
            mode: Mode::Keyset {
                from,
                count: params.count.unwrap_or(false),
            },
        }
    }

    fn page(&self) -> Option<i64> {
        match self.mode {
            Mode::Numbered(page) => Some(page),
            Mode::Keyset { .. } => None,
        }
    }
}

/// `Ok(value)` when no parameter was wrong, else `400` listing them all.
pub fn checked<T>(value: T, errors: Vec<FieldError>) -> Result<T, ApiError> {
    if errors.is_empty() {
        Ok(value)
    } else {
        Err(ApiError::InvalidParameters(errors))
    }
}

/// What a storage query is asked to load for a page.
#[derive(Debug, Clone, Copy)]
pub struct Window<'a> {
    /// Rows to load at most.
    pub limit: i64,
    pub offset: i64,
    /// Only the rows strictly after this position in the (possibly reversed) order.
    pub after: Option<&'a Position>,
    /// Read the list's order backwards (for the page before a cursor).
    pub reversed: bool,
}

/// Where a page sits in its list, beyond its items.
#[derive(Debug, Default)]
pub struct PageMeta {
    pub total: Option<i64>,
    /// The first item's position, when there are items before it.
    pub before: Option<Position>,
    /// The last item's position, when there are items after it.
    pub after: Option<Position>,
}

/// Loads the page `request` asks for: `count` gives the number of items in the whole list
/// (called only when a total is wanted), `load` the rows of a window, `position` an item's
/// place for the cursors.
pub fn fetch<R>(
    conn: &mut DbConn,
    request: &PageRequest,
    count: impl FnOnce(&mut DbConn) -> ApiResult<i64>,
    load: impl FnOnce(&mut DbConn, Window<'_>) -> ApiResult<Vec<R>>,
    position: impl Fn(&R) -> Position,
) -> ApiResult<(Vec<R>, PageMeta)> {
    let limit = request.limit;
    let (from, counted) = match &request.mode {
        Mode::Numbered(page) => {
            let total = count(conn)?;
            let offset = (page - 1).saturating_mul(limit);
            let window = Window {
                limit,
                offset,
                after: None,
                reversed: false,
            };
            let rows = load(conn, window)?;
            let more_after = offset.saturating_add(rows.len() as i64) < total;
            let meta = PageMeta {
                total: Some(total),
                before: rows.first().filter(|_| *page > 1).map(&position),
                after: rows.last().filter(|_| more_after).map(&position),
            };
            return Ok((rows, meta));
        }
        Mode::Keyset { from, count: true } => (from, Some(count(conn)?)),
        Mode::Keyset { from, count: false } => (from, None),
    };
    // One row more than the page, to learn whether the list goes on.
    let window = |after, reversed| Window {
        limit: limit + 1,
        offset: 0,
        after,
        reversed,
    };
    let full = |rows: &Vec<R>| rows.len() as i64 > limit;
    let (rows, meta) = match from {
        None | Some((Toward::After, _)) => {
            let after = from.as_ref().map(|(_, p)| p);
            let mut rows = load(conn, window(after, false))?;
            let more_after = full(&rows);
            rows.truncate(limit as usize);
            let meta = PageMeta {
                total: counted,
                before: rows.first().filter(|_| after.is_some()).map(&position),
                after: rows.last().filter(|_| more_after).map(&position),
            };
            (rows, meta)
        }
        Some((Toward::Before, before)) => {
            let mut rows = load(conn, window(Some(before), true))?;
            let more_before = full(&rows);
            rows.truncate(limit as usize);
            rows.reverse();
            let meta = PageMeta {
                total: counted,
                before: rows.first().filter(|_| more_before).map(&position),
                after: rows.last().map(&position),
            };
            (rows, meta)
        }
    };
    Ok((rows, meta))
}

/// Where a page sits in its list.
#[derive(Debug, Serialize, ToSchema)]
pub struct Pagination {
    pub limit: i64,
    /// The page number, when paging by `page`.
    #[schema(required = true)]
    pub page: Option<i64>,
    /// Number of pages (0 for an empty list): when paging by `page`, or with `count=true`.
    #[schema(required = true)]
    pub pages: Option<i64>,
    /// Number of items in the whole list, as you may see it: when paging by `page`, or with
    /// `count=true`.
    #[schema(required = true)]
    pub total: Option<i64>,
    /// Pass as `cursor` for the items after this page; `null` at the end of the list.
    #[schema(required = true)]
    pub next_cursor: Option<String>,
    /// Pass as `cursor` for the items before this page; `null` at the start of the list.
    #[schema(required = true)]
    pub prev_cursor: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ListMeta {
    pub pagination: Pagination,
}

/// A page of a collection. Documented per item type with [`list_schema!`](crate::list_schema).
#[derive(Debug, Serialize)]
pub struct ListResponse<T> {
    pub data: Vec<T>,
    pub meta: ListMeta,
}

/// Declares the documented schema of a page of `$item`s: a named schema with a reference to
/// the item type, where utoipa would inline a generic one and SDKs would get anonymous types.
#[macro_export]
macro_rules! list_schema {
    ($name:ident, $item:ty, $doc:literal) => {
        #[doc = $doc]
        #[derive(utoipa::ToSchema)]
        pub struct $name {
            pub data: Vec<$item>,
            pub meta: $crate::http::pagination::ListMeta,
        }
    };
}

impl<T> ListResponse<T> {
    pub fn new(
        data: Vec<T>,
        request: &PageRequest,
        meta: PageMeta,
        cursors: &Cursors,
    ) -> ListResponse<T> {
        let limit = request.limit;
        ListResponse {
            data,
            meta: ListMeta {
                pagination: Pagination {
                    limit,
                    page: request.page(),
                    pages: meta.total.map(|total| (total + limit - 1) / limit),
                    total: meta.total,
                    next_cursor: meta.after.map(|p| cursors.encode(Toward::After, p)),
                    prev_cursor: meta.before.map(|p| cursors.encode(Toward::Before, p)),
                },
            },
        }
    }

    /// RFC 8288 links to the neighbouring pages of `path?query`, keeping every other parameter
    /// (filters, sort, formats) as it was: by number when paging by number, else by cursor.
    pub fn link_header(&self, path: &str, query: &str) -> Option<String> {
        let p = &self.meta.pagination;
        let link = |key: &str, value: &str, rel: &str| {
            let mut url = url::form_urlencoded::Serializer::new(String::new());
            for (k, v) in url::form_urlencoded::parse(query.as_bytes()) {
                // A content key is the caller's credential: never written into a link that a
                // shared cache may hand to someone else.
                if !matches!(k.as_ref(), "page" | "cursor" | "limit" | KEY_PARAM) {
                    url.append_pair(&k, &v);
                }
            }
            url.append_pair(key, value);
            url.append_pair("limit", &p.limit.to_string());
            format!("<{path}?{}>; rel=\"{rel}\"", url.finish())
        };
        let mut links = Vec::new();
        match (p.page, p.pages) {
            (Some(page), Some(pages)) => {
                if page < pages {
                    links.push(link("page", &(page + 1).to_string(), "next"));
                }
                if page > 1 && pages > 0 {
                    links.push(link("page", &(page - 1).min(pages).to_string(), "prev"));
                }
            }
            _ => {
                if let Some(next) = &p.next_cursor {
                    links.push(link("cursor", next, "next"));
                }
                if let Some(prev) = &p.prev_cursor {
                    links.push(link("cursor", prev, "prev"));
                }
            }
        }
        (!links.is_empty()).then(|| links.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::cursor::{CursorKey, KeyValue};

    fn cursors() -> Cursors {
        let key = actix_web::web::Data::new(CursorKey::derive(&[7; 32]));
        Cursors::new(key, "/api/v1/posts", "tag=a,b")
    }

    fn params(limit: Option<i64>, page: Option<i64>, cursor: Option<&str>) -> PageParams<'_> {
        PageParams {
            limit,
            page,
            cursor,
            count: None,
        }
    }

    #[test]
    fn validates_page_parameters() {
        let c = cursors();
        let mut errors = Vec::new();
        assert_eq!(
            PageRequest::parse(params(None, None, None), &c, &mut errors),
            PageRequest {
                limit: 15,
                mode: Mode::Keyset {
                    from: None,
                    count: false
                }
            }
        );
        assert!(errors.is_empty());
        PageRequest::parse(params(Some(101), None, None), &c, &mut errors);
        PageRequest::parse(params(Some(0), Some(0), None), &c, &mut errors);
        PageRequest::parse(params(None, Some(2), Some("x")), &c, &mut errors);
        PageRequest::parse(params(None, None, Some("x")), &c, &mut errors);
        let fields: Vec<_> = errors
            .iter()
            .map(|e| (e.field.as_str(), e.code.as_str()))
            .collect();
        assert_eq!(
            fields,
            [
                ("limit", "out_of_range"),
                ("limit", "out_of_range"),
                ("page", "out_of_range"),
                ("cursor", "conflict"),
                ("cursor", "invalid")
            ]
        );
    }

    #[test]
    fn numbered_pages_link_by_number_and_keep_filters() {
        let request = PageRequest {
            limit: 10,
            mode: Mode::Numbered(2),
        };
        let meta = PageMeta {
            total: Some(31),
            ..PageMeta::default()
        };
        let list = ListResponse::new(vec![1], &request, meta, &cursors());
        assert_eq!(list.meta.pagination.pages, Some(4));
        let link = list
            .link_header("/api/v1/posts", "tag=a%2Cb&page=2&limit=10")
            .unwrap();
        assert!(
            link.contains("tag=a%2Cb&page=3&limit=10>; rel=\"next\""),
            "{link}"
        );
        assert!(link.contains("page=1&limit=10>; rel=\"prev\""), "{link}");
    }

    #[test]
    fn keyset_pages_link_by_cursor() {
        let c = cursors();
        let request = PageRequest::parse(params(Some(5), None, None), &c, &mut Vec::new());
        let meta = PageMeta {
            total: None,
            before: None,
            after: Some(vec![KeyValue::Text("id".into())]),
        };
        let list = ListResponse::new(vec![1], &request, meta, &c);
        let p = &list.meta.pagination;
        assert_eq!((p.page, p.pages, p.total), (None, None, None));
        let next = p.next_cursor.clone().unwrap();
        assert_eq!(p.prev_cursor, None);
        let link = list.link_header("/api/v1/posts", "tag=a,b").unwrap();
        assert_eq!(
            link,
            format!("</api/v1/posts?tag=a%2Cb&cursor={next}&limit=5>; rel=\"next\"")
        );
    }
}
