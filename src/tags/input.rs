//! What creating and changing a tag are sent, and its checking.

use serde::Deserialize;
use utoipa::ToSchema;

use super::model::TagChanges;
use crate::content::{Slug, TagVisibility};
use crate::error::ApiResult;
use crate::validate::{CODE_MAX, Fields, META_DESCRIPTION_MAX, META_TITLE_MAX, double_option};

const NAME_MAX: usize = 191;
const DESCRIPTION_MAX: usize = 500;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateTag {
    /// A name starting with `#` makes the tag internal: for staff, never shown to readers.
    #[schema(min_length = 1, max_length = 191, example = "Getting started")]
    pub name: String,
    /// Derived from the name when left out (`#` becomes `hash-`); a taken slug is `409`.
    #[schema(max_length = 191, pattern = "^[a-z0-9]+(-[a-z0-9]+)*$")]
    pub slug: Option<String>,
    #[schema(max_length = 500)]
    pub description: Option<String>,
    #[schema(format = "uri")]
    pub feature_image: Option<String>,
    /// `#rrggbb`.
    #[schema(pattern = "^#[0-9A-Fa-f]{6}$", example = "#ff1a75")]
    pub accent_color: Option<String>,
    #[schema(max_length = 300)]
    pub meta_title: Option<String>,
    #[schema(max_length = 500)]
    pub meta_description: Option<String>,
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
    #[schema(format = "uri")]
    pub canonical_url: Option<String>,
    /// Markup for the head of the tag's page, for the frontend: editors and above only.
    #[schema(max_length = 65535)]
    pub codeinjection_head: Option<String>,
    /// Markup for the end of the tag's page, as `codeinjection_head`.
    #[schema(max_length = 65535)]
    pub codeinjection_foot: Option<String>,
}

/// A validated new tag.
pub struct TagInput {
    pub slug: Option<Slug>,
    pub name: String,
    pub description: Option<String>,
    pub feature_image: Option<String>,
    pub accent_color: Option<String>,
    pub meta_title: Option<String>,
    pub meta_description: Option<String>,
    pub og_image: Option<String>,
    pub og_title: Option<String>,
    pub og_description: Option<String>,
    pub twitter_image: Option<String>,
    pub twitter_title: Option<String>,
    pub twitter_description: Option<String>,
    pub canonical_url: Option<String>,
    pub codeinjection_head: Option<String>,
    pub codeinjection_foot: Option<String>,
}

impl TagInput {
    /// A tag with a name and nothing else.
    pub fn named(name: &str, description: Option<&str>) -> TagInput {
        TagInput {
            slug: None,
            name: name.to_owned(),
            description: description.map(str::to_owned),
            feature_image: None,
            accent_color: None,
            meta_title: None,
            meta_description: None,
            og_image: None,
            og_title: None,
            og_description: None,
            twitter_image: None,
            twitter_title: None,
            twitter_description: None,
            canonical_url: None,
            codeinjection_head: None,
            codeinjection_foot: None,
        }
    }

    pub fn visibility(&self) -> TagVisibility {
        TagVisibility::of_name(&self.name)
    }

    pub fn sets_code(&self) -> bool {
        self.codeinjection_head.is_some() || self.codeinjection_foot.is_some()
    }
}

impl CreateTag {
    pub fn validate(self) -> ApiResult<TagInput> {
        let mut f = Fields::new();
        let input = TagInput {
            name: f.required("name", &self.name, NAME_MAX),
            slug: f.slug("slug", self.slug.as_deref()),
            description: f.optional("description", self.description, DESCRIPTION_MAX),
            feature_image: f.url("feature_image", self.feature_image),
            accent_color: f.color("accent_color", self.accent_color),
            meta_title: f.optional("meta_title", self.meta_title, META_TITLE_MAX),
            meta_description: f.optional(
                "meta_description",
                self.meta_description,
                META_DESCRIPTION_MAX,
            ),
            og_image: f.url("og_image", self.og_image),
            og_title: f.optional("og_title", self.og_title, META_TITLE_MAX),
            og_description: f.optional("og_description", self.og_description, META_DESCRIPTION_MAX),
            twitter_image: f.url("twitter_image", self.twitter_image),
            twitter_title: f.optional("twitter_title", self.twitter_title, META_TITLE_MAX),
            twitter_description: f.optional(
                "twitter_description",
                self.twitter_description,
                META_DESCRIPTION_MAX,
            ),
            canonical_url: f.url("canonical_url", self.canonical_url),
            codeinjection_head: f.optional("codeinjection_head", self.codeinjection_head, CODE_MAX),
            codeinjection_foot: f.optional("codeinjection_foot", self.codeinjection_foot, CODE_MAX),
        };
        f.finish(input)
    }
}

/// Fields left out stay as they are; `null` clears an optional field.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateTag {
    /// Renaming to or from `#…` makes the tag internal or public.
    #[schema(min_length = 1, max_length = 191)]
    pub name: Option<String>,
    #[schema(max_length = 191, pattern = "^[a-z0-9]+(-[a-z0-9]+)*$")]
    pub slug: Option<String>,
    #[serde(default, with = "double_option")]
    #[schema(value_type = Option<String>, max_length = 500)]
    pub description: Option<Option<String>>,
    #[serde(default, with = "double_option")]
    #[schema(value_type = Option<String>, format = "uri")]
    pub feature_image: Option<Option<String>>,
    #[serde(default, with = "double_option")]
    #[schema(value_type = Option<String>, pattern = "^#[0-9A-Fa-f]{6}$")]
    pub accent_color: Option<Option<String>>,
    #[serde(default, with = "double_option")]
    #[schema(value_type = Option<String>, max_length = 300)]
    pub meta_title: Option<Option<String>>,
    #[serde(default, with = "double_option")]
    #[schema(value_type = Option<String>, max_length = 500)]
    pub meta_description: Option<Option<String>>,
    #[serde(default, with = "double_option")]
    #[schema(value_type = Option<String>, format = "uri")]
    pub og_image: Option<Option<String>>,
    #[serde(default, with = "double_option")]
    #[schema(value_type = Option<String>, max_length = 300)]
    pub og_title: Option<Option<String>>,
    #[serde(default, with = "double_option")]
    #[schema(value_type = Option<String>, max_length = 500)]
    pub og_description: Option<Option<String>>,
    #[serde(default, with = "double_option")]
    #[schema(value_type = Option<String>, format = "uri")]
    pub twitter_image: Option<Option<String>>,
    #[serde(default, with = "double_option")]
    #[schema(value_type = Option<String>, max_length = 300)]
    pub twitter_title: Option<Option<String>>,
    #[serde(default, with = "double_option")]
    #[schema(value_type = Option<String>, max_length = 500)]
    pub twitter_description: Option<Option<String>>,
    #[serde(default, with = "double_option")]
    #[schema(value_type = Option<String>, format = "uri")]
    pub canonical_url: Option<Option<String>>,
    #[serde(default, with = "double_option")]
    #[schema(value_type = Option<String>, max_length = 65535)]
    pub codeinjection_head: Option<Option<String>>,
    #[serde(default, with = "double_option")]
    #[schema(value_type = Option<String>, max_length = 65535)]
    pub codeinjection_foot: Option<Option<String>>,
    /// The version you read, if you do not send `If-Match`.
    pub version: Option<i64>,
}

impl UpdateTag {
    pub fn validate(self) -> ApiResult<TagChanges> {
        let mut f = Fields::new();
        let name = self.name.map(|n| f.required("name", &n, NAME_MAX));
        let changes = TagChanges {
            visibility: name.as_deref().map(TagVisibility::of_name),
            name,
            slug: f.slug("slug", self.slug.as_deref()).map(|s| s.into_inner()),
            description: f.patch("description", self.description, DESCRIPTION_MAX),
            feature_image: f.patch_url("feature_image", self.feature_image),
            accent_color: f.patch_with(self.accent_color, |f, v| f.color("accent_color", v)),
            meta_title: f.patch("meta_title", self.meta_title, META_TITLE_MAX),
            meta_description: f.patch(
                "meta_description",
                self.meta_description,
                META_DESCRIPTION_MAX,
            ),
            og_image: f.patch_url("og_image", self.og_image),
            og_title: f.patch("og_title", self.og_title, META_TITLE_MAX),
            og_description: f.patch("og_description", self.og_description, META_DESCRIPTION_MAX),
            twitter_image: f.patch_url("twitter_image", self.twitter_image),
            twitter_title: f.patch("twitter_title", self.twitter_title, META_TITLE_MAX),
            twitter_description: f.patch(
                "twitter_description",
                self.twitter_description,
                META_DESCRIPTION_MAX,
            ),
            canonical_url: f.patch_url("canonical_url", self.canonical_url),
            codeinjection_head: f.patch("codeinjection_head", self.codeinjection_head, CODE_MAX),
            codeinjection_foot: f.patch("codeinjection_foot", self.codeinjection_foot, CODE_MAX),
        };
        f.finish(changes)
    }
}
