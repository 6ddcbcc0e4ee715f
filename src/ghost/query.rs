//! The parameters of Ghost's Content API, read as Ghost reads them: `limit` (capped, with
//! Ghost's odd values), `page`, `order`, `include`, `fields`, `formats` and `filter` (NQL).
//! Parameters Ghost does not know are ignored, as Ghost ignores them (its client sends `slug`
//! beside a read by slug).

use super::nql::{self, Expr};
use crate::db::page::{DEFAULT_LIMIT, Direction, MAX_LIMIT, PAGE_MAX};
use crate::error::{ApiError, ApiResult, FieldError};

/// A request's parameters, by name; the first of repeated ones counts.
pub struct Params(Vec<(String, String)>);

impl Params {
    pub fn parse(query: &str) -> Params {
        Params(
            url::form_urlencoded::parse(query.as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        )
    }

    fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// A comma-separated list, its items trimmed, empty ones dropped.
    fn list(&self, name: &str) -> Option<Vec<String>> {
        self.get(name).map(|value| {
            value
                .split(',')
                .map(str::trim)
                .filter(|item| !item.is_empty())
                .map(str::to_owned)
                .collect()
        })
    }
}

/// What Ghost's validator answers for a value it refuses (`422`).
fn refused(name: &str) -> ApiError {
    ApiError::Validation(vec![FieldError::new(
        name,
        "invalid",
        format!("Validation (matches) failed for {name}"),
    )])
}

/// How many items a page holds. Ghost caps every value at 100 (`all` too), reads `0` as the
/// default, and a value that is no number at all as `all`; only a negative number is refused.
pub fn limit(params: &Params) -> ApiResult<i64> {
    let Some(value) = params.get("limit") else {
        return Ok(DEFAULT_LIMIT);
    };
    let value = value.trim();
    if value
        .strip_prefix('-')
        .is_some_and(|digits| digits.starts_with(|c: char| c.is_ascii_digit()))
    {
        return Err(refused("limit"));
    }
    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(MAX_LIMIT);
    }
    // All digits: any that overflow are past the cap anyway.
    Ok(match value.parse::<i64>() {
        Ok(0) => DEFAULT_LIMIT,
        Ok(n) => n.min(MAX_LIMIT),
        Err(_) => MAX_LIMIT,
    })
}

/// Which page, from 1 (`0` reads as 1); anything but digits is refused.
pub fn page(params: &Params) -> ApiResult<i64> {
    let Some(value) = params.get("page") else {
        return Ok(1);
    };
    let value = value.trim();
    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err(refused("page"));
    }
    // Far past any real list: the page is empty, and its offset cannot overflow.
    Ok(value.parse::<i64>().unwrap_or(PAGE_MAX).clamp(1, PAGE_MAX))
}

/// How a list is ordered.
#[derive(Debug, Clone, PartialEq)]
pub enum Order {
    /// No `order` given: the resource's default.
    Default,
    /// Terms as written, each a field and a direction; the resource keeps the ones it can
    /// order by, and with none of them the list has no order at all (as in Ghost).
    Terms(Vec<(String, Direction)>),
}

/// `order=field asc|desc[, …]`. A term without a valid direction is dropped, as Ghost drops it.
pub fn order(params: &Params) -> Order {
    let Some(value) = params.get("order") else {
        return Order::Default;
    };
    Order::Terms(
        value
            .split(',')
            .filter_map(|term| {
                let mut words = term.split_whitespace();
                let (field, direction) = (words.next()?, words.next()?);
                if words.next().is_some() {
                    return None;
                }
                let direction = match direction.to_ascii_lowercase().as_str() {
                    "asc" => Direction::Asc,
                    "desc" => Direction::Desc,
                    _ => return None,
                };
                Some((field.to_owned(), direction))
            })
            .collect(),
    )
}

/// What a post or page comes with, in the order asked (which is the order they appear in
/// when `fields` narrows the answer).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Relation {
    Authors,
    Tags,
}

/// `include` for posts and pages: `authors`, `tags`; anything else is ignored.
pub fn relations(params: &Params) -> Vec<Relation> {
    let mut relations = Vec::new();
    for name in params.list("include").unwrap_or_default() {
        let relation = match name.as_str() {
            "authors" => Relation::Authors,
            "tags" => Relation::Tags,
            _ => continue,
        };
        if !relations.contains(&relation) {
            relations.push(relation);
        }
    }
    relations
}

/// `include=count.posts`, for authors and tags.
pub fn counts_posts(params: &Params) -> bool {
    params
        .list("include")
        .is_some_and(|names| names.iter().any(|n| n == "count.posts"))
}

/// Which bodies a post comes with: `html` unless `formats` says otherwise; formats Ghost
/// has and Folio does not (`lexical`, `mobiledoc`) are dropped, as Ghost drops unknown ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Formats {
    pub html: bool,
    pub plaintext: bool,
    /// Whether `formats` was given at all.
    pub given: bool,
}

impl Formats {
    /// `html` asked for by name, which brings `reading_time` back under `fields`.
    pub fn html_given(self) -> bool {
        self.given && self.html
    }
}

pub fn formats(params: &Params) -> Formats {
    match params.list("formats") {
        None => Formats {
            html: true,
            plaintext: false,
            given: false,
        },
        Some(names) => Formats {
            html: names.iter().any(|n| n == "html"),
            plaintext: names.iter().any(|n| n == "plaintext"),
            given: true,
        },
    }
}

/// `fields`: exactly these keys, in this order; `None` for every key.
pub fn fields(params: &Params) -> Option<Vec<String>> {
    params.list("fields")
}

/// `filter`, parsed; a syntax error is Ghost's `400`.
pub fn filter(params: &Params) -> ApiResult<Option<Expr>> {
    match params.get("filter") {
        None => Ok(None),
        Some(text) if text.trim().is_empty() => Ok(None),
        Some(text) => nql::parse(text)
            .map(Some)
            .map_err(|err| ApiError::BadRequest(format!("Error parsing filter: {err}"))),
    }
}

/// Everything a browse is asked.
#[derive(Debug, Clone)]
pub struct Browse {
    pub limit: i64,
    pub page: i64,
    pub order: Order,
    pub filter: Option<Expr>,
}

impl Browse {
    pub fn parse(params: &Params) -> ApiResult<Browse> {
        Ok(Browse {
            limit: limit(params)?,
            page: page(params)?,
            order: order(params),
            filter: filter(params)?,
        })
    }

    pub fn offset(&self) -> i64 {
        (self.page - 1).saturating_mul(self.limit)
    }
}

/// How each item is shown.
#[derive(Debug, Clone)]
pub struct Shape {
    pub relations: Vec<Relation>,
    pub counts_posts: bool,
    pub formats: Formats,
    pub fields: Option<Vec<String>>,
}

impl Shape {
    pub fn parse(params: &Params) -> Shape {
        Shape {
            relations: relations(params),
            counts_posts: counts_posts(params),
            formats: formats(params),
            fields: fields(params),
        }
    }

    pub fn includes(&self, relation: Relation) -> bool {
        self.relations.contains(&relation)
    }

    /// Whether posts are sent with their HTML, which is then read.
    pub fn sends_html(&self) -> bool {
        self.formats.html || self.names("html")
    }

    /// Whether posts are sent with their plain text, which is then made from the Markdown.
    pub fn sends_plaintext(&self) -> bool {
        self.formats.plaintext || self.names("plaintext")
    }

    /// Whether `fields` names `key` (under `fields`, the formats' keys are sent by name).
    fn names(&self, key: &str) -> bool {
        self.fields
            .as_ref()
            .is_some_and(|fields| fields.iter().any(|f| f == key))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limit_of(query: &str) -> ApiResult<i64> {
        limit(&Params::parse(query))
    }

    #[test]
    fn limits_are_read_as_ghost_reads_them() {
        assert_eq!(limit_of("").unwrap(), 15);
        assert_eq!(limit_of("limit=2").unwrap(), 2);
        assert_eq!(limit_of("limit=0").unwrap(), 15);
        assert_eq!(limit_of("limit=101").unwrap(), 100);
        assert_eq!(limit_of("limit=1000").unwrap(), 100);
        assert_eq!(limit_of("limit=99999999999999999999999").unwrap(), 100);
        assert_eq!(limit_of("limit=all").unwrap(), 100);
        assert_eq!(limit_of("limit=abc").unwrap(), 100);
        assert!(matches!(limit_of("limit=-1"), Err(ApiError::Validation(_))));
    }

    #[test]
    fn pages_are_read_as_ghost_reads_them() {
        let page_of = |q: &str| page(&Params::parse(q));
        assert_eq!(page_of("").unwrap(), 1);
        assert_eq!(page_of("page=0").unwrap(), 1);
        assert_eq!(page_of("page=3").unwrap(), 3);
        assert_eq!(page_of("page=99999999999999999999").unwrap(), PAGE_MAX);
        assert!(page_of("page=abc").is_err());
        assert!(page_of("page=-1").is_err());
        let browse = Browse::parse(&Params::parse("page=1000000&limit=100")).unwrap();
        assert_eq!(browse.offset(), 99_999_900);
    }

    #[test]
    fn order_terms_need_a_direction() {
        let order_of = |q: &str| order(&Params::parse(q));
        assert_eq!(order_of(""), Order::Default);
        assert_eq!(order_of("order=title"), Order::Terms(vec![]));
        assert_eq!(
            order_of("order=featured%20desc%2C%20published_at%20ASC"),
            Order::Terms(vec![
                ("featured".into(), Direction::Desc),
                ("published_at".into(), Direction::Asc)
            ])
        );
        assert_eq!(
            order_of("order=title%20sideways,slug%20asc"),
            Order::Terms(vec![("slug".into(), Direction::Asc)])
        );
    }

    #[test]
    fn includes_and_formats_ignore_what_they_do_not_know() {
        let params = Params::parse("include=tags,nosuch,authors,tags&formats=lexical,plaintext");
        assert_eq!(relations(&params), [Relation::Tags, Relation::Authors]);
        assert_eq!(
            formats(&params),
            Formats {
                html: false,
                plaintext: true,
                given: true
            }
        );
        assert!(counts_posts(&Params::parse("include=count.posts")));
        assert_eq!(
            fields(&Params::parse("fields=title,%20slug,")),
            Some(vec!["title".to_owned(), "slug".to_owned()])
        );
    }

    #[test]
    fn a_filter_that_does_not_parse_is_a_bad_request() {
        let params = Params::parse("filter=slug%3A%22post-1%22");
        assert!(
            matches!(filter(&params), Err(ApiError::BadRequest(d)) if d.starts_with("Error parsing filter"))
        );
        assert!(filter(&Params::parse("filter=")).unwrap().is_none());
    }
}
