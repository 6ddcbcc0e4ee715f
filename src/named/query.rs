//! The list and read parameters of named resources (authors, tags): a page, a name search,
//! a sort by name or time, and `include=count.posts`.

use serde::Deserialize;
use utoipa::IntoParams;

use crate::db::page::{CursorCodec, Direction, PageRequest};
use crate::error::{ApiError, FieldError};
use crate::query::{self, PageParams, checked};

/// The parameters every list of a named resource takes, as they came.
pub struct ListFields<'a> {
    pub limit: Option<i64>,
    pub page: Option<i64>,
    pub cursor: Option<&'a str>,
    pub count: Option<bool>,
    pub q: Option<&'a str>,
    pub sort: Option<&'a str>,
    pub include: Option<&'a str>,
}

/// The query parameters of a list of a named resource: those every one takes (see
/// [`named_list_params!`](crate::named_list_params)), and maybe some of its own.
pub trait ListParams {
    fn fields(&self) -> ListFields<'_>;
}

/// Defines `$name`, the query parameters of a list of a named resource: those every one
/// takes, and the `$field`s given (documented, as `IntoParams` fields are).
#[macro_export]
macro_rules! named_list_params {
    ($(#[$doc:meta])* $name:ident { $($(#[$field_doc:meta])* $field:ident: $ty:ty),* $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
        #[into_params(parameter_in = Query)]
        #[serde(deny_unknown_fields)]
        pub struct $name {
            /// Items per page.
            #[param(minimum = 1, maximum = 100, default = 15)]
            pub limit: Option<i64>,
            /// Page number, from 1: numbered pages, with totals. Leave out to page by cursor.
            #[param(minimum = 1, maximum = 1000000)]
            pub page: Option<i64>,
            /// Where to continue: `next_cursor` or `prev_cursor` from a page of this same list
            /// (same `q` and sort). Not with `page`.
            #[param(min_length = 1, max_length = 2048, pattern = "^[A-Za-z0-9_-]+$")]
            pub cursor: Option<String>,
            /// Also count the whole list (`total`, `pages`) when paging by cursor; numbered
            /// pages always count.
            #[param(default = false)]
            pub count: Option<bool>,
            /// Only those whose name contains this text, ignoring case.
            #[param(min_length = 1, max_length = 191, pattern = "\\S")]
            pub q: Option<String>,
            /// Comma-separated keys, `-` for descending: `name`, `created_at`, `updated_at`.
            /// Default `-created_at`. Ties are broken by id.
            #[param(
                pattern = "^-?(name|created_at|updated_at)(,-?(name|created_at|updated_at))*$",
                example = "name"
            )]
            pub sort: Option<String>,
            /// `count.posts` adds to each how many published posts it has.
            #[param(pattern = "^(count\\.posts)?$", example = "count.posts")]
            pub include: Option<String>,
            $($(#[$field_doc])* pub $field: $ty,)*
        }

        impl $crate::named::query::ListParams for $name {
            fn fields(&self) -> $crate::named::query::ListFields<'_> {
                $crate::named::query::ListFields {
                    limit: self.limit,
                    page: self.page,
                    cursor: self.cursor.as_deref(),
                    count: self.count,
                    q: self.q.as_deref(),
                    sort: self.sort.as_deref(),
                    include: self.include.as_deref(),
                }
            }
        }
    };
}

crate::named_list_params!(
    /// The query parameters of a list of authors or tags.
    NamedListParams {}
);

/// The query parameters of a single author or tag.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct NamedItemParams {
    /// `count.posts` adds how many published posts it has.
    #[param(pattern = "^(count\\.posts)?$", example = "count.posts")]
    pub include: Option<String>,
}

/// What to add to each author or tag.
#[derive(Debug, Clone, Copy, Default)]
pub struct NamedShape {
    pub count_posts: bool,
}

impl NamedShape {
    fn parse(include: Option<&str>, errors: &mut Vec<FieldError>) -> NamedShape {
        let count_posts = match include {
            None | Some("") => false,
            Some("count.posts") => true,
            Some(other) => {
                errors.push(FieldError::new(
                    "include",
                    "unknown_relation",
                    format!("cannot include `{other}`; use count.posts"),
                ));
                false
            }
        };
        NamedShape { count_posts }
    }

    /// From the parameters of a single author or tag.
    pub fn of_item(params: NamedItemParams) -> Result<NamedShape, ApiError> {
        let mut errors = Vec::new();
        let shape = NamedShape::parse(params.include.as_deref(), &mut errors);
        checked(shape, errors)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameSort {
    Name,
    CreatedAt,
    UpdatedAt,
    /// The tie-break, never named in `sort`: the last key of every order.
    Id,
}

/// A validated list request over authors or tags.
#[derive(Debug, Clone)]
pub struct NamedListQuery {
    pub page: PageRequest,
    /// The search text, trimmed.
    pub q: Option<String>,
    /// The whole order, the tie-break by id last.
    pub sort: Vec<(NameSort, Direction)>,
    pub shape: NamedShape,
}

/// `q` for names: trimmed, non-empty, short, and free of NUL (which PostgreSQL refuses).
pub fn search_text(q: Option<String>, errors: &mut Vec<FieldError>) -> Option<String> {
    let q = q?.trim().to_owned();
    if q.is_empty() || q.chars().count() > 191 || q.contains('\0') {
        errors.push(FieldError::new(
            "q",
            "invalid",
            "must be 1 to 191 characters of text",
        ));
        return None;
    }
    Some(q)
}

impl NamedListQuery {
    pub fn parse(
        params: &impl ListParams,
        cursors: &impl CursorCodec,
    ) -> Result<NamedListQuery, ApiError> {
        let p = params.fields();
        let mut errors = Vec::new();
        let page = PageParams {
            limit: p.limit,
            page: p.page,
            cursor: p.cursor,
            count: p.count,
        };
        let query = NamedListQuery {
            page: page.parse(cursors, &mut errors),
            q: search_text(p.q.map(str::to_owned), &mut errors),
            sort: query::with_tiebreak(
                query::parse_sort(
                    p.sort,
                    &[
                        ("name", NameSort::Name),
                        ("created_at", NameSort::CreatedAt),
                        ("updated_at", NameSort::UpdatedAt),
                    ],
                    &[(NameSort::CreatedAt, Direction::Desc)],
                    &mut errors,
                ),
                NameSort::Id,
            ),
            shape: NamedShape::parse(p.include, &mut errors),
        };
        checked(query, errors)
    }
}
