use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::model::{TagChanges, TagRow};
use super::storage::TagInput;
use crate::db::utc;
use crate::http::error::ApiResult;
use crate::http::extract::double_option;
use crate::http::listing::PostCount;
use crate::http::validate::Fields;

const NAME_MAX: usize = 191;
const DESCRIPTION_MAX: usize = 500;

crate::list_schema!(TagList, Tag, "A page of tags.");

#[derive(Debug, Serialize, ToSchema)]
pub struct Tag {
    pub id: String,
    pub slug: String,
    pub name: String,
    pub description: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Grows by one on every change; send it back (or the `ETag`) when you change the tag.
    pub version: i64,
    /// With `include=count.posts`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub count: Option<PostCount>,
}

impl Tag {
    /// Adds the post count from `counts` (a missing entry is none) when it was asked for.
    pub fn with_count(mut self, counts: Option<&std::collections::HashMap<String, i64>>) -> Tag {
        self.count = counts.map(|c| PostCount {
            posts: c.get(&self.id).copied().unwrap_or(0),
        });
        self
    }
}

impl From<TagRow> for Tag {
    fn from(row: TagRow) -> Tag {
        Tag {
            id: row.id,
            slug: row.slug,
            name: row.name,
            description: row.description,
            created_at: utc(row.created_at),
            updated_at: utc(row.updated_at),
            version: row.version,
            count: None,
        }
    }
}

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

impl crate::http::Modified for Tag {
    fn last_modified(&self) -> DateTime<Utc> {
        self.updated_at
    }
}
