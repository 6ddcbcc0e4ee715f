//! What creating and changing a tag are sent, and its checking.

use serde::Deserialize;
use utoipa::ToSchema;

use super::model::TagChanges;
use crate::content::Slug;
use crate::error::ApiResult;
use crate::validate::{Fields, double_option};

const NAME_MAX: usize = 191;
const DESCRIPTION_MAX: usize = 500;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateTag {
    #[schema(min_length = 1, max_length = 191, example = "Getting started")]
    pub name: String,
    /// Derived from the name when left out; a taken slug is `409`.
    #[schema(max_length = 191, pattern = "^[a-z0-9]+(-[a-z0-9]+)*$")]
    pub slug: Option<String>,
    #[schema(max_length = 500)]
    pub description: Option<String>,
}

/// A validated new tag.
pub struct TagInput {
    pub slug: Option<Slug>,
    pub name: String,
    pub description: Option<String>,
}

impl CreateTag {
    pub fn validate(self) -> ApiResult<TagInput> {
        let mut f = Fields::new();
        let input = TagInput {
            name: f.required("name", &self.name, NAME_MAX),
            slug: f.slug("slug", self.slug.as_deref()),
            description: f.optional("description", self.description, DESCRIPTION_MAX),
        };
        f.finish(input)
    }
}

/// Fields left out stay as they are; `null` clears an optional field.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateTag {
    #[schema(min_length = 1, max_length = 191)]
    pub name: Option<String>,
    #[schema(max_length = 191, pattern = "^[a-z0-9]+(-[a-z0-9]+)*$")]
    pub slug: Option<String>,
    #[serde(default, with = "double_option")]
    #[schema(value_type = Option<String>, max_length = 500)]
    pub description: Option<Option<String>>,
    /// The version you read, if you do not send `If-Match`.
    pub version: Option<i64>,
}

impl UpdateTag {
    pub fn validate(self) -> ApiResult<TagChanges> {
        let mut f = Fields::new();
        let changes = TagChanges {
            name: self.name.map(|n| f.required("name", &n, NAME_MAX)),
            slug: f.slug("slug", self.slug.as_deref()).map(|s| s.into_inner()),
            description: f.patch("description", self.description, DESCRIPTION_MAX),
        };
        f.finish(changes)
    }
}
