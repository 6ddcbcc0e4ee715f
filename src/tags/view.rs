//! Tags as the API shows them.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::model::TagRow;
use crate::content::TagVisibility;
use crate::db::utc;
use crate::ids::TagId;
use crate::named::view::PostCount;
use crate::site::Site;

crate::list_schema!(TagList, Tag, "A page of tags.");

#[derive(Debug, Serialize, ToSchema)]
pub struct Tag {
    #[schema(value_type = String)]
    pub id: TagId,
    pub slug: String,
    pub name: String,
    pub description: Option<String>,
    /// `internal` for a tag named `#…`: never shown to readers on posts, nor in lists unless
    /// asked for.
    pub visibility: TagVisibility,
    /// The tag's page on the site: `null` for an internal tag, and until the site's `url` is
    /// set.
    pub url: Option<String>,
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
    /// Markup for the head of the tag's page, for the frontend to insert.
    pub codeinjection_head: Option<String>,
    /// Markup for the end of the tag's page, as `codeinjection_head`.
    pub codeinjection_foot: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Grows by one on every change; send it back (or the `ETag`) when you change the tag.
    pub version: i64,
    /// With `include=count.posts`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub count: Option<PostCount>,
    /// When what this shows last changed: it, or the site's address.
    #[serde(skip)]
    pub changed_at: DateTime<Utc>,
}

impl Tag {
    /// The tag, with `count` when it was asked for, and its address on `site`.
    /// The tag as readers get it, without counts (what its events carry).
    pub fn public(row: TagRow, site: &Site) -> serde_json::Value {
        serde_json::to_value(Tag::view(row, None, site)).unwrap_or_default()
    }

    pub fn view(row: TagRow, count: Option<PostCount>, site: &Site) -> Tag {
        Tag {
            url: site.tag_url(&row.slug, row.visibility == TagVisibility::Internal),
            id: row.id,
            slug: row.slug,
            name: row.name,
            description: row.description,
            visibility: row.visibility,
            feature_image: row.feature_image,
            accent_color: row.accent_color,
            meta_title: row.meta_title,
            meta_description: row.meta_description,
            og_image: row.og_image,
            og_title: row.og_title,
            og_description: row.og_description,
            twitter_image: row.twitter_image,
            twitter_title: row.twitter_title,
            twitter_description: row.twitter_description,
            canonical_url: row.canonical_url,
            codeinjection_head: row.codeinjection_head,
            codeinjection_foot: row.codeinjection_foot,
            created_at: utc(row.created_at),
            updated_at: utc(row.updated_at),
            version: row.version,
            count,
            changed_at: utc(row.updated_at.max(site.changed_at)),
        }
    }
}

impl crate::http::Modified for Tag {
    fn last_modified(&self) -> DateTime<Utc> {
        self.changed_at
    }
}
