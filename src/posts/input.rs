//! What writing a post is sent, and its checking: text lengths, slugs, URLs, and the ids of
//! its authors and tags, which must be distinct and few enough.

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::Deserialize;
use utoipa::ToSchema;

use super::model::PostStatus;
use crate::content::Slug;
use crate::db::stored;
use crate::error::ApiResult;
use crate::ids::{AuthorId, TagId};
use crate::validate::{Fields, double_option};

const TITLE_MAX: usize = 255;
const MARKDOWN_MAX: usize = 1_000_000;
const EXCERPT_MAX: usize = 500;
const META_TITLE_MAX: usize = 300;
const META_DESCRIPTION_MAX: usize = 500;
const MAX_LINKS: usize = 50;

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
    pub authors: Option<Vec<AuthorId>>,
    pub tags: Vec<TagId>,
    pub meta_title: Option<String>,
    pub meta_description: Option<String>,
    pub canonical_url: Option<String>,
}

/// The ids a write names for `field`, typed: at most [`MAX_LINKS`], none twice, none with a
/// NUL (which no id holds, and PostgreSQL cannot even compare).
fn ids<Id: From<String>>(
    f: &mut Fields,
    field: &str,
    ids: Option<Vec<String>>,
    at_least_one: bool,
) -> Option<Vec<Id>> {
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
    Some(ids.into_iter().map(Id::from).collect())
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
    pub authors: Option<Vec<AuthorId>>,
    pub tags: Option<Vec<TagId>>,
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
