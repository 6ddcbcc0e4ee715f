//! Tags as the API shows them.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::model::TagRow;
use crate::db::utc;
use crate::ids::TagId;
use crate::named::view::PostCount;

crate::list_schema!(TagList, Tag, "A page of tags.");

#[derive(Debug, Serialize, ToSchema)]
pub struct Tag {
    #[schema(value_type = String)]
    pub id: TagId,
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
    /// The tag, with `count` when it was asked for.
    pub fn view(row: TagRow, count: Option<PostCount>) -> Tag {
        Tag {
            id: row.id,
            slug: row.slug,
            name: row.name,
            description: row.description,
            created_at: utc(row.created_at),
            updated_at: utc(row.updated_at),
            version: row.version,
            count,
        }
    }
}

impl crate::http::Modified for Tag {
    fn last_modified(&self) -> DateTime<Utc> {
        self.updated_at
    }
}
