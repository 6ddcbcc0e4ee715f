//! The envelope every list answers with (`{data, meta}`), its cursors for the pages either
//! side, and the RFC 8288 `Link` header to them.

use serde::Serialize;
use utoipa::ToSchema;

use super::cursor::Cursors;
use crate::auth::KEY_PARAM;
use crate::db::page::{PageMeta, PageRequest, Toward};

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
    use crate::db::page::{KeyValue, Mode};
    use crate::http::cursor::CursorKey;

    fn cursors() -> Cursors {
        let key = actix_web::web::Data::new(CursorKey::derive(&[7; 32]));
        Cursors::new(key, "/api/v1/posts", "tag=a,b")
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
        let request = PageRequest {
            limit: 5,
            mode: Mode::Keyset {
                from: None,
                count: false,
            },
        };
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
