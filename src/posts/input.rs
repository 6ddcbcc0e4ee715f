//! What writing a post or page is sent, and its checking: text lengths, slugs, URLs, and the
//! ids of its authors and tags, which must be distinct and few enough. Posts and pages take
//! the same bodies under names of their own (`CreatePost`, `CreatePage`), so that an SDK's
//! types say which one it writes.

use chrono::NaiveDateTime;

use super::model::{MetaPatch, PostMeta, PostStatus, Visibility};
use crate::content::Slug;
use crate::ids::{AuthorId, TagId};
use crate::validate::Fields;
pub use crate::validate::{CODE_MAX, META_DESCRIPTION_MAX, META_TITLE_MAX};

pub const TITLE_MAX: usize = 255;
pub const MARKDOWN_MAX: usize = 1_000_000;
pub const EXCERPT_MAX: usize = 500;
pub const ALT_MAX: usize = 191;
pub const CAPTION_MAX: usize = 1000;
pub const TEMPLATE_MAX: usize = 100;
const MAX_LINKS: usize = 50;

/// A validated new post or page.
pub struct NewPostInput {
    pub title: String,
    pub slug: Option<Slug>,
    pub markdown: String,
    pub custom_excerpt: Option<String>,
    pub feature_image: Option<String>,
    pub featured: bool,
    pub status: PostStatus,
    pub visibility: Visibility,
    pub published_at: Option<NaiveDateTime>,
    pub authors: Option<Vec<AuthorId>>,
    pub tags: Vec<TagId>,
    pub meta_title: Option<String>,
    pub meta_description: Option<String>,
    pub canonical_url: Option<String>,
    pub codeinjection_head: Option<String>,
    pub codeinjection_foot: Option<String>,
    pub custom_template: Option<String>,
    pub meta: PostMeta,
}

impl NewPostInput {
    /// A draft with `title` and `markdown`, and every other field as a body that leaves it out
    /// has it (by the writer, untagged, public): for what writes posts without a request.
    pub fn draft(title: &str, markdown: &str) -> NewPostInput {
        NewPostInput {
            title: title.to_owned(),
            slug: None,
            markdown: markdown.to_owned(),
            custom_excerpt: None,
            feature_image: None,
            featured: false,
            status: PostStatus::Draft,
            visibility: Visibility::Public,
            published_at: None,
            authors: None,
            tags: Vec::new(),
            meta_title: None,
            meta_description: None,
            canonical_url: None,
            codeinjection_head: None,
            codeinjection_foot: None,
            custom_template: None,
            meta: PostMeta::default(),
        }
    }
}

/// A validated change to a post or page: `None` leaves a field as it is.
#[derive(Default)]
pub struct PostPatch {
    pub title: Option<String>,
    pub slug: Option<Slug>,
    pub markdown: Option<String>,
    pub custom_excerpt: Option<Option<String>>,
    pub feature_image: Option<Option<String>>,
    pub featured: Option<bool>,
    pub status: Option<PostStatus>,
    pub visibility: Option<Visibility>,
    pub published_at: Option<Option<NaiveDateTime>>,
    pub authors: Option<Vec<AuthorId>>,
    pub tags: Option<Vec<TagId>>,
    pub meta_title: Option<Option<String>>,
    pub meta_description: Option<Option<String>>,
    pub canonical_url: Option<Option<String>>,
    pub codeinjection_head: Option<Option<String>>,
    pub codeinjection_foot: Option<Option<String>>,
    pub custom_template: Option<Option<String>>,
    pub meta: MetaPatch,
}

impl PostPatch {
    /// Whether the change sets code for the page's head or foot, which editors alone may.
    pub fn sets_code(&self) -> bool {
        self.codeinjection_head.is_some() || self.codeinjection_foot.is_some()
    }
}

/// The ids a write names for `field`, typed: at most [`MAX_LINKS`], none twice, none with a
/// NUL (which no id holds, and PostgreSQL cannot even compare).
pub fn ids<Id: From<String>>(
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

/// The body types that create and change one kind of post (`$create`, `$update`), and their
/// checking into a [`NewPostInput`] and a [`PostPatch`].
macro_rules! post_bodies {
    ($create:ident, $update:ident) => {
        #[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
        #[serde(deny_unknown_fields)]
        pub struct $create {
            #[schema(min_length = 1, max_length = 255, example = "Hello, Folio")]
            pub title: String,
            /// Derived from the title when left out (`-2`, `-3`… on conflict); a taken slug
            /// is `409`. Unique within its kind: a post and a page may share one.
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
            /// The feature image's alternative text.
            #[schema(max_length = 191)]
            pub feature_image_alt: Option<String>,
            /// Plain text: frontends escape it.
            #[schema(max_length = 1000)]
            pub feature_image_caption: Option<String>,
            #[serde(default)]
            pub featured: bool,
            /// Defaults to `draft`. Contributors may only write drafts.
            pub status: Option<$crate::posts::model::PostStatus>,
            /// Defaults to `public`.
            pub visibility: Option<$crate::posts::model::Visibility>,
            /// Defaults to now when publishing; required, and in the future, when scheduling.
            pub published_at: Option<chrono::DateTime<chrono::Utc>>,
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
            #[schema(format = "uri")]
            pub og_image: Option<String>,
            #[schema(max_length = 300)]
            pub og_title: Option<String>,
            #[schema(max_length = 500)]
            pub og_description: Option<String>,
            #[schema(format = "uri")]
            pub twitter_image: Option<String>,
            #[schema(max_length = 300)]
            pub twitter_title: Option<String>,
            #[schema(max_length = 500)]
            pub twitter_description: Option<String>,
            /// Markup for the page's `<head>`, inserted by the frontend, never by Folio.
            /// Editors, admins and the owner only.
            #[schema(max_length = 65535)]
            pub codeinjection_head: Option<String>,
            /// Markup for the end of the page's `<body>`, as `codeinjection_head`.
            #[schema(max_length = 65535)]
            pub codeinjection_foot: Option<String>,
            /// The frontend's template for it: ASCII letters, digits, `-` and `_`.
            #[schema(max_length = 100, pattern = "^[A-Za-z0-9_-]+$")]
            pub custom_template: Option<String>,
        }

        impl $create {
            pub fn validate(self) -> $crate::error::ApiResult<$crate::posts::input::NewPostInput> {
                use $crate::posts::input::*;
                let mut f = $crate::validate::Fields::new();
                let input = NewPostInput {
                    title: f.required("title", &self.title, TITLE_MAX),
                    slug: f.slug("slug", self.slug.as_deref()),
                    markdown: f.body("markdown", self.markdown, MARKDOWN_MAX),
                    custom_excerpt: f.optional("custom_excerpt", self.custom_excerpt, EXCERPT_MAX),
                    feature_image: f.url("feature_image", self.feature_image),
                    featured: self.featured,
                    status: self
                        .status
                        .unwrap_or($crate::posts::model::PostStatus::Draft),
                    visibility: self.visibility.unwrap_or_default(),
                    published_at: self.published_at.map($crate::db::stored),
                    authors: ids(&mut f, "authors", self.authors, true),
                    tags: ids(&mut f, "tags", self.tags, false).unwrap_or_default(),
                    meta_title: f.optional("meta_title", self.meta_title, META_TITLE_MAX),
                    meta_description: f.optional(
                        "meta_description",
                        self.meta_description,
                        META_DESCRIPTION_MAX,
                    ),
                    canonical_url: f.url("canonical_url", self.canonical_url),
                    codeinjection_head: f.optional(
                        "codeinjection_head",
                        self.codeinjection_head,
                        CODE_MAX,
                    ),
                    codeinjection_foot: f.optional(
                        "codeinjection_foot",
                        self.codeinjection_foot,
                        CODE_MAX,
                    ),
                    custom_template: f.token("custom_template", self.custom_template, TEMPLATE_MAX),
                    meta: $crate::posts::model::PostMeta {
                        feature_image_alt: f.optional(
                            "feature_image_alt",
                            self.feature_image_alt,
                            ALT_MAX,
                        ),
                        feature_image_caption: f.optional(
                            "feature_image_caption",
                            self.feature_image_caption,
                            CAPTION_MAX,
                        ),
                        og_image: f.url("og_image", self.og_image),
                        og_title: f.optional("og_title", self.og_title, META_TITLE_MAX),
                        og_description: f.optional(
                            "og_description",
                            self.og_description,
                            META_DESCRIPTION_MAX,
                        ),
                        twitter_image: f.url("twitter_image", self.twitter_image),
                        twitter_title: f.optional(
                            "twitter_title",
                            self.twitter_title,
                            META_TITLE_MAX,
                        ),
                        twitter_description: f.optional(
                            "twitter_description",
                            self.twitter_description,
                            META_DESCRIPTION_MAX,
                        ),
                    },
                };
                f.finish(input)
            }
        }

        /// Fields left out stay as they are; `null` clears an optional field.
        #[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
        #[serde(deny_unknown_fields)]
        pub struct $update {
            #[schema(min_length = 1, max_length = 255)]
            pub title: Option<String>,
            #[schema(max_length = 191, pattern = "^[a-z0-9]+(-[a-z0-9]+)*$")]
            pub slug: Option<String>,
            /// As for a new one.
            #[schema(max_length = 1000000)]
            pub markdown: Option<String>,
            #[serde(default, with = "crate::validate::double_option")]
            #[schema(value_type = Option<String>, max_length = 500)]
            pub custom_excerpt: Option<Option<String>>,
            #[serde(default, with = "crate::validate::double_option")]
            #[schema(value_type = Option<String>, format = "uri")]
            pub feature_image: Option<Option<String>>,
            #[serde(default, with = "crate::validate::double_option")]
            #[schema(value_type = Option<String>, max_length = 191)]
            pub feature_image_alt: Option<Option<String>>,
            #[serde(default, with = "crate::validate::double_option")]
            #[schema(value_type = Option<String>, max_length = 1000)]
            pub feature_image_caption: Option<Option<String>>,
            pub featured: Option<bool>,
            pub status: Option<$crate::posts::model::PostStatus>,
            pub visibility: Option<$crate::posts::model::Visibility>,
            #[serde(default, with = "crate::validate::double_option")]
            #[schema(value_type = Option<chrono::DateTime<chrono::Utc>>)]
            pub published_at: Option<Option<chrono::DateTime<chrono::Utc>>>,
            /// Replaces the byline: author ids in order.
            #[schema(min_items = 1, max_items = 50)]
            pub authors: Option<Vec<String>>,
            /// Replaces the tags: tag ids in order.
            #[schema(max_items = 50)]
            pub tags: Option<Vec<String>>,
            #[serde(default, with = "crate::validate::double_option")]
            #[schema(value_type = Option<String>, max_length = 300)]
            pub meta_title: Option<Option<String>>,
            #[serde(default, with = "crate::validate::double_option")]
            #[schema(value_type = Option<String>, max_length = 500)]
            pub meta_description: Option<Option<String>>,
            #[serde(default, with = "crate::validate::double_option")]
            #[schema(value_type = Option<String>, format = "uri")]
            pub canonical_url: Option<Option<String>>,
            #[serde(default, with = "crate::validate::double_option")]
            #[schema(value_type = Option<String>, format = "uri")]
            pub og_image: Option<Option<String>>,
            #[serde(default, with = "crate::validate::double_option")]
            #[schema(value_type = Option<String>, max_length = 300)]
            pub og_title: Option<Option<String>>,
            #[serde(default, with = "crate::validate::double_option")]
            #[schema(value_type = Option<String>, max_length = 500)]
            pub og_description: Option<Option<String>>,
            #[serde(default, with = "crate::validate::double_option")]
            #[schema(value_type = Option<String>, format = "uri")]
            pub twitter_image: Option<Option<String>>,
            #[serde(default, with = "crate::validate::double_option")]
            #[schema(value_type = Option<String>, max_length = 300)]
            pub twitter_title: Option<Option<String>>,
            #[serde(default, with = "crate::validate::double_option")]
            #[schema(value_type = Option<String>, max_length = 500)]
            pub twitter_description: Option<Option<String>>,
            /// Editors, admins and the owner only.
            #[serde(default, with = "crate::validate::double_option")]
            #[schema(value_type = Option<String>, max_length = 65535)]
            pub codeinjection_head: Option<Option<String>>,
            /// Editors, admins and the owner only.
            #[serde(default, with = "crate::validate::double_option")]
            #[schema(value_type = Option<String>, max_length = 65535)]
            pub codeinjection_foot: Option<Option<String>>,
            #[serde(default, with = "crate::validate::double_option")]
            #[schema(value_type = Option<String>, max_length = 100, pattern = "^[A-Za-z0-9_-]+$")]
            pub custom_template: Option<Option<String>>,
            /// The version you read, if you do not send `If-Match`.
            pub version: Option<i64>,
        }

        impl $update {
            pub fn validate(self) -> $crate::error::ApiResult<$crate::posts::input::PostPatch> {
                use $crate::posts::input::*;
                let mut f = $crate::validate::Fields::new();
                let patch = PostPatch {
                    title: self.title.map(|t| f.required("title", &t, TITLE_MAX)),
                    slug: f.slug("slug", self.slug.as_deref()),
                    markdown: self.markdown.map(|m| f.body("markdown", m, MARKDOWN_MAX)),
                    custom_excerpt: f.patch("custom_excerpt", self.custom_excerpt, EXCERPT_MAX),
                    feature_image: f.patch_url("feature_image", self.feature_image),
                    featured: self.featured,
                    status: self.status,
                    visibility: self.visibility,
                    published_at: self.published_at.map(|at| at.map($crate::db::stored)),
                    authors: ids(&mut f, "authors", self.authors, true),
                    tags: ids(&mut f, "tags", self.tags, false),
                    meta_title: f.patch("meta_title", self.meta_title, META_TITLE_MAX),
                    meta_description: f.patch(
                        "meta_description",
                        self.meta_description,
                        META_DESCRIPTION_MAX,
                    ),
                    canonical_url: f.patch_url("canonical_url", self.canonical_url),
                    codeinjection_head: f.patch(
                        "codeinjection_head",
                        self.codeinjection_head,
                        CODE_MAX,
                    ),
                    codeinjection_foot: f.patch(
                        "codeinjection_foot",
                        self.codeinjection_foot,
                        CODE_MAX,
                    ),
                    custom_template: f.patch_with(self.custom_template, |f, v| {
                        f.token("custom_template", v, TEMPLATE_MAX)
                    }),
                    meta: $crate::posts::model::MetaPatch {
                        feature_image_alt: f.patch(
                            "feature_image_alt",
                            self.feature_image_alt,
                            ALT_MAX,
                        ),
                        feature_image_caption: f.patch(
                            "feature_image_caption",
                            self.feature_image_caption,
                            CAPTION_MAX,
                        ),
                        og_image: f.patch_url("og_image", self.og_image),
                        og_title: f.patch("og_title", self.og_title, META_TITLE_MAX),
                        og_description: f.patch(
                            "og_description",
                            self.og_description,
                            META_DESCRIPTION_MAX,
                        ),
                        twitter_image: f.patch_url("twitter_image", self.twitter_image),
                        twitter_title: f.patch("twitter_title", self.twitter_title, META_TITLE_MAX),
                        twitter_description: f.patch(
                            "twitter_description",
                            self.twitter_description,
                            META_DESCRIPTION_MAX,
                        ),
                    },
                };
                f.finish(patch)
            }
        }
    };
}

post_bodies!(CreatePost, UpdatePost);
post_bodies!(CreatePage, UpdatePage);
