//! The list parameters every list shares, checked at the edge: the page (`limit`, `page`,
//! `cursor`, `count`), the `sort` syntax, and comma-separated names. Problems are collected
//! into the `errors` of one `400`.

use crate::db::page::{
    CursorCodec, DEFAULT_LIMIT, Direction, MAX_LIMIT, Mode, PAGE_MAX, PageRequest, Refused,
};
use crate::error::{ApiError, FieldError};

/// Defines `$name`, the query parameters of a list that pages and filters by nothing but the
/// `$field`s given: `limit`, `page`, `cursor` and `count`, and `page_request` to check them.
#[macro_export]
macro_rules! paged_params {
    ($(#[$doc:meta])* $name:ident { $($(#[$field_doc:meta])* $field:ident: $ty:ty),* $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
        #[into_params(parameter_in = Query)]
        #[serde(deny_unknown_fields)]
        pub struct $name {
            $($(#[$field_doc])* pub $field: $ty,)*
            /// Items per page.
            #[param(minimum = 1, maximum = 100, default = 15)]
            pub limit: Option<i64>,
            /// Page number, from 1: numbered pages, with totals. Leave out to page by cursor.
            #[param(minimum = 1, maximum = 1000000)]
            pub page: Option<i64>,
            /// Where to continue: `next_cursor` or `prev_cursor` from a page of this same list.
            /// Not with `page`.
            #[param(min_length = 1, max_length = 2048, pattern = "^[A-Za-z0-9_-]+$")]
            pub cursor: Option<String>,
            /// Also count the whole list (`total`, `pages`) when paging by cursor.
            #[param(default = false)]
            pub count: Option<bool>,
        }

        impl $name {
            /// The page asked for; what is wrong with it is added to `errors`.
            pub fn page_request(
                &self,
                cursors: &impl $crate::db::page::CursorCodec,
                errors: &mut Vec<$crate::error::FieldError>,
            ) -> $crate::db::page::PageRequest {
                $crate::query::PageParams {
                    limit: self.limit,
                    page: self.page,
                    cursor: self.cursor.as_deref(),
                    count: self.count,
                }
                .parse(cursors, errors)
            }
        }
    };
}

/// The page parameters every list takes, as they came.
pub struct PageParams<'a> {
    pub limit: Option<i64>,
    pub page: Option<i64>,
    pub cursor: Option<&'a str>,
    pub count: Option<bool>,
}

impl PageParams<'_> {
    /// Checks the page parameters, adding what is wrong to `errors`.
    pub fn parse(self, cursors: &impl CursorCodec, errors: &mut Vec<FieldError>) -> PageRequest {
        let params = self;
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
}

/// `Ok(value)` when no parameter was wrong, else `400` listing them all.
pub fn checked<T>(value: T, errors: Vec<FieldError>) -> Result<T, ApiError> {
    if errors.is_empty() {
        Ok(value)
    } else {
        Err(ApiError::InvalidParameters(errors))
    }
}

/// Parses a comma-separated sort against `allowed` (name → key); `-` before a name sorts
/// descending. Absent means `default`. A key named again changes nothing (the first one
/// already decided the order), so it is skipped. Problems are added to `errors`.
pub fn parse_sort<K: Copy + PartialEq>(
    raw: Option<&str>,
    allowed: &[(&str, K)],
    default: &[(K, Direction)],
    errors: &mut Vec<FieldError>,
) -> Vec<(K, Direction)> {
    let Some(raw) = raw else {
        return default.to_vec();
    };
    let mut keys: Vec<(K, Direction)> = Vec::new();
    for part in raw.split(',') {
        let (name, direction) = match part.strip_prefix('-') {
            Some(name) => (name, Direction::Desc),
            None => (part, Direction::Asc),
        };
        match allowed.iter().find(|(n, _)| *n == name) {
            Some((_, key)) if keys.iter().any(|(k, _)| k == key) => {}
            Some((_, key)) => keys.push((*key, direction)),
            None => {
                let names: Vec<&str> = allowed.iter().map(|(n, _)| *n).collect();
                errors.push(FieldError::new(
                    "sort",
                    "unknown_key",
                    format!("cannot sort by `{name}`; use {}", names.join(", ")),
                ));
            }
        }
    }
    keys
}

/// Appends `id` to `keys`, in the direction of the first key, so that no two items tie and
/// the order is total (which keyset pages need).
pub fn with_tiebreak<K>(mut keys: Vec<(K, Direction)>, id: K) -> Vec<(K, Direction)> {
    let direction = keys.first().map_or(Direction::Desc, |(_, d)| *d);
    keys.push((id, direction));
    keys
}

/// Splits a comma-separated parameter into names from `allowed`; an empty value names none.
pub fn names<'a>(
    field: &str,
    raw: &'a str,
    allowed: &[&str],
    errors: &mut Vec<FieldError>,
) -> Vec<&'a str> {
    let names: Vec<&str> = raw.split(',').filter(|n| !n.is_empty()).collect();
    if let Some(unknown) = names.iter().find(|n| !allowed.contains(n)) {
        errors.push(FieldError::new(
            field,
            "unknown_value",
            format!("`{unknown}` is not one of {}", allowed.join(", ")),
        ));
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::page::{Position, Toward};

    /// Decodes `"ok"` only.
    struct OneCursor;

    impl CursorCodec for OneCursor {
        fn decode(&self, cursor: &str) -> Result<(Toward, Position), Refused> {
            match cursor {
                "ok" => Ok((Toward::After, Vec::new())),
                "other" => Err(Refused::OtherQuery),
                _ => Err(Refused::Invalid),
            }
        }
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
        let mut errors = Vec::new();
        assert_eq!(
            params(None, None, None).parse(&OneCursor, &mut errors),
            PageRequest {
                limit: 15,
                mode: Mode::Keyset {
                    from: None,
                    count: false
                }
            }
        );
        assert_eq!(
            params(None, None, Some("ok"))
                .parse(&OneCursor, &mut errors)
                .mode,
            Mode::Keyset {
                from: Some((Toward::After, Vec::new())),
                count: false
            }
        );
        assert!(errors.is_empty());
        params(Some(101), None, None).parse(&OneCursor, &mut errors);
        params(Some(0), Some(0), None).parse(&OneCursor, &mut errors);
        params(None, Some(2), Some("x")).parse(&OneCursor, &mut errors);
        params(None, None, Some("x")).parse(&OneCursor, &mut errors);
        params(None, None, Some("other")).parse(&OneCursor, &mut errors);
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
                ("cursor", "invalid"),
                ("cursor", "stale")
            ]
        );
    }

    #[test]
    fn parses_keys_and_directions() {
        let allowed = [("title", 1), ("published_at", 2)];
        let mut errors = Vec::new();
        let keys = parse_sort(Some("-published_at,title"), &allowed, &[], &mut errors);
        assert_eq!(keys, [(2, Direction::Desc), (1, Direction::Asc)]);
        assert!(errors.is_empty());
        assert_eq!(
            parse_sort(None, &allowed, &[(2, Direction::Desc)], &mut errors),
            [(2, Direction::Desc)]
        );
        let again = parse_sort(Some("title,-title"), &allowed, &[], &mut errors);
        assert_eq!(again, [(1, Direction::Asc)]);
        parse_sort(Some("colour"), &allowed, &[], &mut errors);
        parse_sort(Some(""), &allowed, &[], &mut errors);
        let codes: Vec<_> = errors.iter().map(|e| e.code.as_str()).collect();
        assert_eq!(codes, ["unknown_key", "unknown_key"]);
    }
}
