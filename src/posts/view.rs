use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::model::{BylineRow, PostRecord, PostStatus, PostTagRow};
use super::search::{self, Search};
use crate::content::Slug;
use crate::db::{stored, utc};
use crate::http::cursor::Cursors;
use crate::http::error::{ApiError, ApiResult, FieldError};
use crate::http::extract::double_option;
use crate::http::pagination::{PageParams, PageRequest, checked};
use crate::http::sort::{self, Direction};
use crate::http::validate::Fields;

const TITLE_MAX: usize = 255;
const MARKDOWN_MAX: usize = 1_000_000;
const EXCERPT_MAX: usize = 500;
const META_TITLE_MAX: usize = 300;
const META_DESCRIPTION_MAX: usize = 500;
const MAX_LINKS: usize = 50;
/// Slugs one `tag` or `author` filter may name: each is a bound parameter of the query.
const MAX_FILTER_SLUGS: usize = 50;
const MAX_FILTER_CHARS: usize = 2048;

/// An author in a post's byline.
#[derive(Debug, Serialize, ToSchema)]
pub struct PostAuthor {
    pub id: String,
    pub slug: String,
    pub name: String,
    pub avatar_url: Option<String>,
}

/// A tag on a post.
#[derive(Debug, Serialize, ToSchema)]
pub struct PostTag {
    pub id: String,
    pub slug: String,
    pub name: String,
}

impl From<BylineRow> for PostAuthor {
    fn from(b: BylineRow) -> PostAuthor {
        PostAuthor {
            id: b.id,
            slug: b.slug,
            name: b.name,
            avatar_url: b.avatar_url,
        }
    }
}

impl From<PostTagRow> for PostTag {
    fn from(t: PostTagRow) -> PostTag {
        PostTag {
            id: t.id,
            slug: t.slug,
            name: t.name,
        }
    }
}

crate::list_schema!(PostList, Post, "A page of posts.");

#[derive(Debug, Serialize, ToSchema)]
pub struct Post {
    pub id: String,
    pub slug: String,
    pub title: String,
    /// The Markdown source, with `formats=markdown`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub markdown: Option<String>,
    /// The Markdown rendered to HTML and sanitised: safe to insert into a page as is. Sent
    /// unless `formats` leaves it out.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub html: Option<String>,
    /// The text without markup, with `formats=plaintext`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub plaintext: Option<String>,
    /// `custom_excerpt` when set, else the start of the text, cut on a word boundary.
    pub excerpt: String,
    pub custom_excerpt: Option<String>,
    /// Estimated minutes to read.
    pub reading_time: i32,
    pub feature_image: Option<String>,
    pub featured: bool,
    /// A scheduled post whose `published_at` has passed reads as `published`.
    pub status: PostStatus,
    pub published_at: Option<DateTime<Utc>>,
    /// In byline order; the first is the primary author. Sent unless `include` leaves it out.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub authors: Option<Vec<PostAuthor>>,
    /// In order; the first is the primary tag. Sent unless `include` leaves it out.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub tags: Option<Vec<PostTag>>,
    pub meta_title: Option<String>,
    pub meta_description: Option<String>,
    pub canonical_url: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Grows by one on every change; send it back (or the `ETag`) when you change the post.
    pub version: i64,
}

impl Post {
    /// The post as `shape` asks for it (formats and relations).
    pub fn view(record: PostRecord, now: NaiveDateTime, shape: &PostShape) -> Post {
        let status = record.row.status_at(now);
        let row = record.row;
        Post {
            id: row.id,
            slug: row.slug,
            title: row.title,
            markdown: shape.markdown.then_some(row.markdown),
            html: shape.html.then_some(row.html),
            plaintext: shape.plaintext.then_some(row.plaintext),
            excerpt: row.excerpt,
            custom_excerpt: row.custom_excerpt,
            reading_time: row.reading_time,
            feature_image: row.feature_image,
            featured: row.featured,
            status,
            published_at: row.published_at.map(utc),
            authors: shape
                .authors
                .then(|| record.authors.into_iter().map(PostAuthor::from).collect()),
            tags: shape
                .tags
                .then(|| record.tags.into_iter().map(PostTag::from).collect()),
            meta_title: row.meta_title,
            meta_description: row.meta_description,
            canonical_url: row.canonical_url,
            created_at: utc(row.created_at),
            updated_at: utc(row.updated_at),
            version: row.version,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreatePost {
    #[schema(min_length = 1, max_length = 255, example = "Hello, Folio")]
    pub title: String,
    /// Derived from the title when left out (`-2`, `-3`… on conflict); a taken slug is `409`.
    #[schema(max_length = 191, pattern = "^[a-z0-9]+(-[a-z0-9]+)*$")]
    pub slug: Option<String>,
    /// CommonMark, with tables, footnotes, strikethrough and task lists. Lists, quotes,
    /// emphasis, links and HTML elements may nest at most 128 deep.
    #[serde(default)]
    #[schema(max_length = 1000000)]
    pub markdown: String,
    #[schema(max_length = 500)]
    pub custom_excerpt: Option<String>,
    #[schema(format = "uri")]
    pub feature_image: Option<String>,
    #[serde(default)]
    pub featured: bool,
    /// Defaults to `draft`. Contributors may only write drafts.
    pub status: Option<PostStatus>,
    /// Defaults to now when publishing; required, and in the future, when scheduling.
    pub published_at: Option<DateTime<Utc>>,
    /// Author ids in byline order; defaults to the signed-in author.
    #[schema(min_items = 1, max_items = 50)]
    pub authors: Option<Vec<String>>,
    /// Tag ids in order; the first is the primary tag.
    #[schema(max_items = 50)]
    pub tags: Option<Vec<String>>,
    #[schema(max_length = 300)]
    pub meta_title: Option<String>,
    #[schema(max_length = 500)]
    pub meta_description: Option<String>,
    #[schema(format = "uri")]
    pub canonical_url: Option<String>,
}

/// A validated new post.
pub struct NewPostInput {
    pub title: String,
    pub slug: Option<Slug>,
    pub markdown: String,
    pub custom_excerpt: Option<String>,
    pub feature_image: Option<String>,
    pub featured: bool,
    pub status: PostStatus,
    pub published_at: Option<NaiveDateTime>,
    pub authors: Option<Vec<String>>,
    pub tags: Vec<String>,
    pub meta_title: Option<String>,
    pub meta_description: Option<String>,
    pub canonical_url: Option<String>,
}

fn ids(
    f: &mut Fields,
    field: &str,
    ids: Option<Vec<String>>,
    at_least_one: bool,
) -> Option<Vec<String>> {
    let ids = ids?;
    if at_least_one && ids.is_empty() {
        f.error(field, "required", "must name at least one author");
    }
    if ids.len() > MAX_LINKS {
        f.error(
            field,
            "too_many",
            format!("must have at most {MAX_LINKS} entries"),
        );
    }
    for (i, id) in ids.iter().enumerate() {
        if id.contains('\0') {
            f.error(
                format!("{field}[{i}]"),
                "invalid_characters",
                "must not contain NUL characters",
            );
        } else if ids[..i].contains(id) {
            f.error(format!("{field}[{i}]"), "duplicate", "is listed twice");
        }
    }
    Some(ids)
}

impl CreatePost {
    pub fn validate(self) -> ApiResult<NewPostInput> {
        let mut f = Fields::new();
        let input = NewPostInput {
            title: f.required("title", &self.title, TITLE_MAX),
            slug: f.slug("slug", self.slug.as_deref()),
            markdown: f.body("markdown", self.markdown, MARKDOWN_MAX),
            custom_excerpt: f.optional("custom_excerpt", self.custom_excerpt, EXCERPT_MAX),
            feature_image: f.url("feature_image", self.feature_image),
            featured: self.featured,
            status: self.status.unwrap_or(PostStatus::Draft),
            published_at: self.published_at.map(stored),
            authors: ids(&mut f, "authors", self.authors, true),
            tags: ids(&mut f, "tags", self.tags, false).unwrap_or_default(),
            meta_title: f.optional("meta_title", self.meta_title, META_TITLE_MAX),
            meta_description: f.optional(
                "meta_description",
                self.meta_description,
                META_DESCRIPTION_MAX,
            ),
            canonical_url: f.url("canonical_url", self.canonical_url),
        };
        f.finish(input)
    }
}

/// Fields left out stay as they are; `null` clears an optional field.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdatePost {
    #[schema(min_length = 1, max_length = 255)]
    pub title: Option<String>,
    #[schema(max_length = 191, pattern = "^[a-z0-9]+(-[a-z0-9]+)*$")]
    pub slug: Option<String>,
    /// As for a new post.
    #[schema(max_length = 1000000)]
    pub markdown: Option<String>,
    #[serde(default, with = "double_option")]
    #[schema(value_type = Option<String>, max_length = 500)]
    pub custom_excerpt: Option<Option<String>>,
    #[serde(default, with = "double_option")]
    #[schema(value_type = Option<String>, format = "uri")]
    pub feature_image: Option<Option<String>>,
    pub featured: Option<bool>,
    pub status: Option<PostStatus>,
    #[serde(default, with = "double_option")]
    #[schema(value_type = Option<DateTime<Utc>>)]
    pub published_at: Option<Option<DateTime<Utc>>>,
    /// Replaces the byline: author ids in order.
    #[schema(min_items = 1, max_items = 50)]
    pub authors: Option<Vec<String>>,
    /// Replaces the tags: tag ids in order.
    #[schema(max_items = 50)]
    pub tags: Option<Vec<String>>,
    #[serde(default, with = "double_option")]
    #[schema(value_type = Option<String>, max_length = 300)]
    pub meta_title: Option<Option<String>>,
    #[serde(default, with = "double_option")]
    #[schema(value_type = Option<String>, max_length = 500)]
    pub meta_description: Option<Option<String>>,
    #[serde(default, with = "double_option")]
    #[schema(value_type = Option<String>, format = "uri")]
    pub canonical_url: Option<Option<String>>,
    /// The version you read, if you do not send `If-Match`.
    pub version: Option<i64>,
}

/// A validated change to a post.
#[derive(Default)]
pub struct PostPatch {
    pub title: Option<String>,
    pub slug: Option<Slug>,
    pub markdown: Option<String>,
    pub custom_excerpt: Option<Option<String>>,
    pub feature_image: Option<Option<String>>,
    pub featured: Option<bool>,
    pub status: Option<PostStatus>,
    pub published_at: Option<Option<NaiveDateTime>>,
    pub authors: Option<Vec<String>>,
    pub tags: Option<Vec<String>>,
    pub meta_title: Option<Option<String>>,
    pub meta_description: Option<Option<String>>,
    pub canonical_url: Option<Option<String>>,
}

impl UpdatePost {
    pub fn validate(self) -> ApiResult<PostPatch> {
        let mut f = Fields::new();
        let patch = PostPatch {
            title: self.title.map(|t| f.required("title", &t, TITLE_MAX)),
            slug: f.slug("slug", self.slug.as_deref()),
            markdown: self.markdown.map(|m| f.body("markdown", m, MARKDOWN_MAX)),
            custom_excerpt: f.patch("custom_excerpt", self.custom_excerpt, EXCERPT_MAX),
            feature_image: f.patch_url("feature_image", self.feature_image),
            featured: self.featured,
            status: self.status,
            published_at: self.published_at.map(|at| at.map(stored)),
            authors: ids(&mut f, "authors", self.authors, true),
            tags: ids(&mut f, "tags", self.tags, false),
            meta_title: f.patch("meta_title", self.meta_title, META_TITLE_MAX),
            meta_description: f.patch(
                "meta_description",
                self.meta_description,
                META_DESCRIPTION_MAX,
            ),
            canonical_url: f.patch_url("canonical_url", self.canonical_url),
        };
        f.finish(patch)
    }
}

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

/// Splits a comma-separated parameter into names from `allowed`; an empty value names none.
fn names<'a>(
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
    /// Narrows what you may already see: asking for drafts without the right to read them
    /// gives an empty list. A scheduled post whose time has come counts as published.
    pub status: Option<PostStatus>,
    /// Only posts published after this time.
    pub published_after: Option<DateTime<Utc>>,
    /// Only posts published before this time.
    pub published_before: Option<DateTime<Utc>>,
    /// Full-text search in the title, excerpt and text, best matches first (unless `sort` is
    /// given). Every word must occur, ignoring case; the last one may be the start of a word
    /// (`datab` finds `database`); `"quoted words"` must occur together and in that order.
    /// Only letters and digits count: anything else just separates words, and at least one
    /// letter or digit is needed. Up to 16 words are used.
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
    pub fn parse(p: PostListParams, cursors: &Cursors) -> Result<PostListQuery, ApiError> {
        let mut errors = Vec::new();
        let search = search_query(p.q, &mut errors);
        let page = PageParams {
            limit: p.limit,
            page: p.page,
            cursor: p.cursor.as_deref(),
            count: p.count,
        };
        let query = PostListQuery {
            page: PageRequest::parse(page, cursors, &mut errors),
            tags: slug_list("tag", p.tag, &mut errors),
            authors: slug_list("author", p.author, &mut errors),
            featured: p.featured,
            status: p.status,
            published_after: p.published_after.map(stored),
            published_before: p.published_before.map(stored),
            sort: sort::with_tiebreak(
                sort::parse(
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

impl crate::http::Modified for Post {
    /// A scheduled post changes when it goes live, without anyone editing it.
    fn last_modified(&self) -> DateTime<Utc> {
        match (self.status, self.published_at) {
            (PostStatus::Published, Some(at)) => at.max(self.updated_at),
            _ => self.updated_at,
        }
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
