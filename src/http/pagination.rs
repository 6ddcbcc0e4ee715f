//! Numbered pages over a list, and the `{data, meta}` envelope every list answers with.

use serde::Serialize;
use utoipa::ToSchema;

use super::error::{ApiError, FieldError};

pub const DEFAULT_LIMIT: i64 = 15;
pub const MAX_LIMIT: i64 = 100;

/// Validated page parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    pub page: i64,
    pub limit: i64,
}

/// The documented ranges of `limit` and `page`, which every list takes.
pub const PAGE_MAX: i64 = 1_000_000;

impl PageRequest {
    /// Checks `limit` and `page`, adding what is wrong to `errors`.
    pub fn parse(
        limit: Option<i64>,
        page: Option<i64>,
        errors: &mut Vec<FieldError>,
    ) -> PageRequest {
        let limit = limit.unwrap_or(DEFAULT_LIMIT);
        if !(1..=MAX_LIMIT).contains(&limit) {
            errors.push(FieldError::new(
                "limit",
                "out_of_range",
                "must be between 1 and 100",
            ));
        }
        let page = page.unwrap_or(1);
        // Far past any real collection, and small enough that the offset cannot overflow.
        if !(1..=PAGE_MAX).contains(&page) {
            errors.push(FieldError::new(
                "page",
                "out_of_range",
                "must be between 1 and 1000000",
            ));
        }
        PageRequest { page, limit }
    }

    pub fn offset(self) -> i64 {
        (self.page - 1).saturating_mul(self.limit)
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

#[derive(Debug, Serialize, ToSchema)]
pub struct Pagination {
    pub page: i64,
    pub limit: i64,
    /// Number of pages (0 for an empty collection).
    pub pages: i64,
    /// Number of items in the whole collection, as the caller may see it.
    pub total: i64,
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
    pub fn new(data: Vec<T>, request: PageRequest, total: i64) -> ListResponse<T> {
        ListResponse {
            data,
            meta: ListMeta {
                pagination: Pagination {
                    page: request.page,
                    limit: request.limit,
                    pages: (total + request.limit - 1) / request.limit,
                    total,
                },
            },
        }
    }

    /// RFC 8288 links to the neighbouring pages, for the `Link` header.
    /// RFC 8288 links to the neighbouring pages of `path?query`, keeping every other parameter
    /// (filters, sort, fields) as it was.
    pub fn link_header(&self, path: &str, query: &str) -> Option<String> {
        let p = &self.meta.pagination;
        let link = |page: i64, rel: &str| {
            let mut url = url::form_urlencoded::Serializer::new(String::new());
            for (key, value) in url::form_urlencoded::parse(query.as_bytes()) {
                if key != "page" && key != "limit" {
                    url.append_pair(&key, &value);
                }
            }
            url.append_pair("page", &page.to_string());
            url.append_pair("limit", &p.limit.to_string());
            format!("<{path}?{}>; rel=\"{rel}\"", url.finish())
        };
        let mut links = Vec::new();
        if p.page < p.pages {
            links.push(link(p.page + 1, "next"));
        }
        if p.page > 1 && p.pages > 0 {
            links.push(link((p.page - 1).min(p.pages), "prev"));
        }
        (!links.is_empty()).then(|| links.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validates_and_computes_pages() {
        let mut errors = Vec::new();
        assert_eq!(
            PageRequest::parse(None, None, &mut errors),
            PageRequest { page: 1, limit: 15 }
        );
        assert!(errors.is_empty());
        PageRequest::parse(Some(101), None, &mut errors);
        PageRequest::parse(Some(0), Some(0), &mut errors);
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["limit", "limit", "page"]);
        let list = ListResponse::new(vec![1], PageRequest { page: 2, limit: 10 }, 31);
        assert_eq!(list.meta.pagination.pages, 4);
        assert_eq!(list.meta.pagination.total, 31);
        let link = list
            .link_header("/api/v1/posts", "tag=a%2Cb&page=2&limit=10")
            .unwrap();
        assert!(
            link.contains("tag=a%2Cb&page=3&limit=10>; rel=\"next\""),
            "{link}"
        );
        assert!(link.contains("page=3&limit=10>; rel=\"next\""), "{link}");
        assert!(link.contains("page=1&limit=10>; rel=\"prev\""), "{link}");
    }
}
