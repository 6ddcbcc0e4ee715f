//! The read and list parameters of posts and pages: formats and embedded relations, the
//! filters, the search, the sort, and the page, checked into what storage is asked; and the
//! page of a post's history.

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::Deserialize;
use utoipa::IntoParams;

use super::model::{PostStatus, Visibility};
use super::search::{self, Search};
use crate::content::Slug;
use crate::db::page::{CursorCodec, Direction, PageRequest};
use crate::db::stored;
use crate::error::{ApiError, FieldError};
use crate::query::{self, PageParams, checked, names};

/// Slugs one `tag` or `author` filter may name: each is a bound parameter of the query.
const MAX_FILTER_SLUGS: usize = 50;
const MAX_FILTER_CHARS: usize = 2048;

/// Which formats and relations a post is sent with.
#[derive(Debug, Clone, Copy)]
pub struct PostShape {
    pub html: bool,
    pub markdown: bool,
    pub plaintext: bool,
    pub authors: bool,
    pub tags: bool,
}

impl Default for PostShape {
    fn default() -> PostShape {
        PostShape {
            html: true,
            markdown: false,
            plaintext: false,
            authors: true,
            tags: true,
        }
    }
}

impl PostShape {
    fn parse(
        formats: Option<&str>,
        include: Option<&str>,
        errors: &mut Vec<FieldError>,
    ) -> PostShape {
        let mut shape = PostShape::default();
        if let Some(formats) = formats {
            let formats = names(
                "formats",
                formats,
                &["html", "markdown", "plaintext"],
                errors,
            );
            shape.html = formats.contains(&"html");
            shape.markdown = formats.contains(&"markdown");
            shape.plaintext = formats.contains(&"plaintext");
        }
        if let Some(include) = include {
            let include = names("include", include, &["authors", "tags"], errors);
            shape.authors = include.contains(&"authors");
            shape.tags = include.contains(&"tags");
        }
        shape
    }
}

/// How a single post is sent.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PostItemParams {
    /// Which bodies to send, comma-separated: `html`, `markdown`, `plaintext`. Default `html`.
    #[param(
        pattern = "^((html|markdown|plaintext)(,(html|markdown|plaintext))*)?$",
        example = "html,plaintext"
    )]
    pub formats: Option<String>,
    /// Which relations to embed, comma-separated: `authors`, `tags`. Default both; empty for none.
    #[param(pattern = "^((authors|tags)(,(authors|tags))*)?$", example = "authors")]
    pub include: Option<String>,
}

impl TryFrom<PostItemParams> for PostShape {
    type Error = ApiError;

    fn try_from(p: PostItemParams) -> Result<PostShape, ApiError> {
        let mut errors = Vec::new();
        let shape = PostShape::parse(p.formats.as_deref(), p.include.as_deref(), &mut errors);
        checked(shape, errors)
    }
}

/// The query parameters of `GET /posts`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PostListParams {
    /// Items per page.
    #[param(minimum = 1, maximum = 100, default = 15)]
    pub limit: Option<i64>,
    /// Page number, from 1: numbered pages, with totals. Leave out to page by cursor.
    #[param(minimum = 1, maximum = 1000000)]
    pub page: Option<i64>,
    /// Where to continue: `next_cursor` or `prev_cursor` from a page of this same list (same
    /// filters and sort). Not with `page`.
    #[param(min_length = 1, max_length = 2048, pattern = "^[A-Za-z0-9_-]+$")]
    pub cursor: Option<String>,
    /// Also count the whole list (`total`, `pages`) when paging by cursor; numbered pages
    /// always count.
    #[param(default = false)]
    pub count: Option<bool>,
    /// Only posts with any of these tags: comma-separated slugs, at most 50.
    #[param(
        max_length = 2048,
        pattern = "^[a-z0-9]+(-[a-z0-9]+)*(,[a-z0-9]+(-[a-z0-9]+)*)*$",
        example = "news"
    )]
    pub tag: Option<String>,
    /// Only posts by any of these authors: comma-separated slugs, at most 50.
    #[param(
        max_length = 2048,
        pattern = "^[a-z0-9]+(-[a-z0-9]+)*(,[a-z0-9]+(-[a-z0-9]+)*)*$"
    )]
    pub author: Option<String>,
    /// Only featured (or only unfeatured) posts.
    pub featured: Option<bool>,
    /// Only posts with this visibility.
    pub visibility: Option<Visibility>,
    /// Narrows what you may already see: asking for drafts without the right to read them
    /// gives an empty list. A scheduled post whose time has come counts as published.
    pub status: Option<PostStatus>,
    /// Only posts published after this time.
    pub published_after: Option<DateTime<Utc>>,
    /// Only posts published before this time.
    pub published_before: Option<DateTime<Utc>>,
    /// Full-text search in the title, excerpt and text, best matches first (unless `sort` is
    /// given): words in the title, then in the excerpt; posts that have them only in their
    /// text follow, newest first. Of the posts with them in the title or excerpt, the newest
    /// 500 at least are ranked; older ones may follow with the rest. Every word must occur, ignoring case; the last one, if it
    /// has three characters or more, may be the start of a word (`datab` finds `database`); `"quoted words"` must occur together
    /// and in that order. Only letters and digits count: anything else just separates words,
    /// and at least one letter or digit is needed. Up to 16 words are used.
    #[param(
        min_length = 1,
        max_length = 200,
        pattern = "[\\p{L}\\p{N}]",
        example = "release notes"
    )]
    pub q: Option<String>,
    /// Comma-separated keys, `-` for descending: `published_at`, `created_at`, `updated_at`,
    /// `title`. Default `-published_at` (drafts, having no date, first), or with `q` the best
    /// match first. Ties are broken by id, in the direction of the first key.
    #[param(
        pattern = "^-?(published_at|created_at|updated_at|title)(,-?(published_at|created_at|updated_at|title))*$",
        example = "-published_at"
    )]
    pub sort: Option<String>,
    /// Which bodies to send, comma-separated: `html`, `markdown`, `plaintext`. Default `html`.
    #[param(
        pattern = "^((html|markdown|plaintext)(,(html|markdown|plaintext))*)?$",
        example = "html,plaintext"
    )]
    pub formats: Option<String>,
    /// Which relations to embed, comma-separated: `authors`, `tags`. Default both; empty for none.
    #[param(pattern = "^((authors|tags)(,(authors|tags))*)?$", example = "authors")]
    pub include: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PostSort {
    /// Best match for the search first. Never named in `sort`: it leads the default order
    /// when there is a search.
    Relevance,
    PublishedAt,
    CreatedAt,
    UpdatedAt,
    Title,
    /// The tie-break, never named in `sort`: the last key of every order.
    Id,
}

/// What a post list asks for, validated.
#[derive(Debug, Clone)]
pub struct PostListQuery {
    pub page: PageRequest,
    pub tags: Vec<String>,
    pub authors: Vec<String>,
    pub featured: Option<bool>,
    pub visibility: Option<Visibility>,
    pub status: Option<PostStatus>,
    pub published_after: Option<NaiveDateTime>,
    pub published_before: Option<NaiveDateTime>,
    pub search: Option<Search>,
    /// The whole order, the tie-break by id last.
    pub sort: Vec<(PostSort, Direction)>,
    pub shape: PostShape,
}

/// Comma-separated slugs. One too long to exist simply matches nothing.
fn slug_list(field: &str, raw: Option<String>, errors: &mut Vec<FieldError>) -> Vec<String> {
    let Some(raw) = raw else {
        return Vec::new();
    };
    let slugs: Vec<String> = raw.split(',').map(str::to_owned).collect();
    if slugs.len() > MAX_FILTER_SLUGS {
        errors.push(FieldError::new(
            field,
            "too_many",
            format!("at most {MAX_FILTER_SLUGS} slugs"),
        ));
    } else if raw.chars().count() > MAX_FILTER_CHARS {
        errors.push(FieldError::new(
            field,
            "too_long",
            format!("must be at most {MAX_FILTER_CHARS} characters"),
        ));
    }
    if let Some(bad) = slugs.iter().find(|s| !Slug::well_formed(s)) {
        errors.push(FieldError::new(
            field,
            "invalid_format",
            format!("`{bad}` is not a slug"),
        ));
    }
    slugs
}

/// `q`: short enough, and with a word to search for.
fn search_query(q: Option<String>, errors: &mut Vec<FieldError>) -> Option<Search> {
    let q = q?;
    if q.chars().count() > search::MAX_CHARS {
        let message = format!("must be at most {} characters", search::MAX_CHARS);
        errors.push(FieldError::new("q", "too_long", message));
        return None;
    }
    let search = Search::parse(&q);
    if search.is_none() {
        let message = "must hold a letter or digit to search for";
        errors.push(FieldError::new("q", "invalid_format", message));
    }
    search
}

/// The order when `sort` is left out: by date, newest first, or best match first when
/// searching (then by date, so the order stays total).
fn default_sort(searching: bool) -> Vec<(PostSort, Direction)> {
    let by_date = [
        (PostSort::PublishedAt, Direction::Desc),
        (PostSort::CreatedAt, Direction::Desc),
    ];
    let relevance = searching.then_some((PostSort::Relevance, Direction::Desc));
    relevance.into_iter().chain(by_date).collect()
}

impl PostListQuery {
    /// Whether the list is in a search's own order: best match first, then newest.
    pub fn in_relevance_order(&self) -> bool {
        self.search.is_some() && self.sort == query::with_tiebreak(default_sort(true), PostSort::Id)
    }

    pub fn parse(p: PostListParams, cursors: &impl CursorCodec) -> Result<PostListQuery, ApiError> {
        let mut errors = Vec::new();
        let search = search_query(p.q, &mut errors);
        let page = PageParams {
            limit: p.limit,
            page: p.page,
            cursor: p.cursor.as_deref(),
            count: p.count,
        };
        let query = PostListQuery {
            page: page.parse(cursors, &mut errors),
            tags: slug_list("tag", p.tag, &mut errors),
            authors: slug_list("author", p.author, &mut errors),
            featured: p.featured,
            visibility: p.visibility,
            status: p.status,
            published_after: p.published_after.map(stored),
            published_before: p.published_before.map(stored),
            sort: query::with_tiebreak(
                query::parse_sort(
                    p.sort.as_deref(),
                    &[
                        ("published_at", PostSort::PublishedAt),
                        ("created_at", PostSort::CreatedAt),
                        ("updated_at", PostSort::UpdatedAt),
                        ("title", PostSort::Title),
                    ],
                    &default_sort(search.is_some()),
                    &mut errors,
                ),
                PostSort::Id,
            ),
            shape: PostShape::parse(p.formats.as_deref(), p.include.as_deref(), &mut errors),
            search,
        };
        checked(query, errors)
    }
}

crate::paged_params!(
    /// The query parameters of a post's history.
    RevisionListParams {}
);

impl RevisionListParams {
    pub fn parse(self, cursors: &impl CursorCodec) -> Result<PageRequest, ApiError> {
        let mut errors = Vec::new();
        let page = self.page_request(cursors, &mut errors);
        checked(page, errors)
    }
}

#[cfg(test)]
mod tests {
    use utoipa::IntoParams;
    use utoipa::openapi::path::ParameterIn;

    use super::*;

    #[test]
    fn the_documented_q_is_the_one_checked() {
        let params = PostListParams::into_params(|| Some(ParameterIn::Query));
        let q = params
            .iter()
            .find(|p| p.name == "q")
            .expect("q is documented");
        let schema = serde_json::to_value(&q.schema).unwrap();
        assert_eq!(schema["maxLength"], search::MAX_CHARS);
        assert_eq!(schema["pattern"], search::WORD_CHAR);
    }

    #[test]
    fn q_needs_a_word_and_a_bounded_length() {
        let mut errors = Vec::new();
        assert!(search_query(Some("a".repeat(search::MAX_CHARS)), &mut errors).is_some());
        assert!(search_query(Some("a".repeat(search::MAX_CHARS + 1)), &mut errors).is_none());
        assert!(search_query(Some("\"*\" -".into()), &mut errors).is_none());
        assert!(search_query(Some(String::new()), &mut errors).is_none());
        assert!(search_query(None, &mut errors).is_none());
        let codes: Vec<_> = errors.iter().map(|e| e.code.as_str()).collect();
        assert_eq!(codes, ["too_long", "invalid_format", "invalid_format"]);
    }

    #[test]
    fn a_search_orders_by_relevance_unless_sorted() {
        assert_eq!(
            default_sort(true)[0],
            (PostSort::Relevance, Direction::Desc)
        );
        assert!(
            !default_sort(false)
                .iter()
                .any(|(k, _)| *k == PostSort::Relevance)
        );
    }
}
