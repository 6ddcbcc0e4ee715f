//! Numbered pages over a list, and the `{data, meta}` envelope every list answers with.

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::error::{ApiError, FieldError};

pub const DEFAULT_LIMIT: i64 = 15;
pub const MAX_LIMIT: i64 = 100;

#[derive(Debug, Clone, Copy, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PageParams {
    /// Items per page.
    #[param(minimum = 1, maximum = 100, default = 15)]
    pub limit: Option<i64>,
    /// Page number, from 1.
    #[param(minimum = 1, maximum = 1000000, default = 1)]
    pub page: Option<i64>,
}

/// Validated page parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    pub page: i64,
    pub limit: i64,
}

impl PageRequest {
    pub fn offset(self) -> i64 {
        (self.page - 1).saturating_mul(self.limit)
    }
}

impl TryFrom<PageParams> for PageRequest {
    type Error = ApiError;

    fn try_from(p: PageParams) -> Result<PageRequest, ApiError> {
        let mut errors = Vec::new();
        let limit = p.limit.unwrap_or(DEFAULT_LIMIT);
        if !(1..=MAX_LIMIT).contains(&limit) {
            errors.push(FieldError::new(
                "limit",
                "out_of_range",
                "must be between 1 and 100",
            ));
        }
        let page = p.page.unwrap_or(1);
        // Far past any real collection, and small enough that the offset cannot overflow.
        if !(1..=1_000_000).contains(&page) {
            errors.push(FieldError::new(
                "page",
                "out_of_range",
                "must be between 1 and 1000000",
            ));
        }
        if errors.is_empty() {
            Ok(PageRequest { page, limit })
        } else {
            Err(ApiError::InvalidParameters(errors))
        }
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
    pub fn link_header(&self, path: &str) -> Option<String> {
        let p = &self.meta.pagination;
        let mut links = Vec::new();
        if p.page < p.pages {
            links.push(format!(
                "<{path}?page={}&limit={}>; rel=\"next\"",
                p.page + 1,
                p.limit
            ));
        }
        if p.page > 1 && p.pages > 0 {
            let prev = (p.page - 1).min(p.pages);
            links.push(format!(
                "<{path}?page={prev}&limit={}>; rel=\"prev\"",
                p.limit
            ));
        }
        (!links.is_empty()).then(|| links.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validates_and_computes_pages() {
        let req = PageRequest::try_from(PageParams {
            limit: None,
            page: None,
        })
        .unwrap();
        assert_eq!(req, PageRequest { page: 1, limit: 15 });
        assert!(
            PageRequest::try_from(PageParams {
                limit: Some(101),
                page: None
            })
            .is_err()
        );
        assert!(
            PageRequest::try_from(PageParams {
                limit: Some(0),
                page: Some(0)
            })
            .is_err()
        );
        let list = ListResponse::new(vec![1], PageRequest { page: 2, limit: 10 }, 31);
        assert_eq!(list.meta.pagination.pages, 4);
        assert_eq!(list.meta.pagination.total, 31);
        let link = list.link_header("/api/v1/posts").unwrap();
        assert!(link.contains("page=3&limit=10>; rel=\"next\""), "{link}");
        assert!(link.contains("page=1&limit=10>; rel=\"prev\""), "{link}");
    }
}
