//! Posts as stored: the status down to its column, the row (read and written whole), the
//! columns a change may touch, and a post with its ordered bylines and tags.

use std::fmt;
use std::str::FromStr;

use chrono::NaiveDateTime;
use diesel::deserialize::FromSqlRow;
use diesel::expression::AsExpression;
use diesel::prelude::*;
use diesel::sql_types::Text;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::db::schema::posts;
use crate::ids::{AuthorId, PostId, TagId};

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema, AsExpression, FromSqlRow,
)]
#[diesel(sql_type = Text)]
#[serde(rename_all = "lowercase")]
pub enum PostStatus {
    Draft,
    /// Goes live by itself at `published_at`; no job needs to run.
    Scheduled,
    Published,
}

impl PostStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            PostStatus::Draft => "draft",
            PostStatus::Scheduled => "scheduled",
            PostStatus::Published => "published",
        }
    }
}

crate::text_column!(PostStatus);

impl fmt::Display for PostStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for PostStatus {
    type Err = String;

    fn from_str(s: &str) -> Result<PostStatus, String> {
        match s {
            "draft" => Ok(PostStatus::Draft),
            "scheduled" => Ok(PostStatus::Scheduled),
            "published" => Ok(PostStatus::Published),
            other => Err(format!("unknown post status `{other}`")),
        }
    }
}

/// A post as stored, read and written whole. Inserts bind every column, absent ones as
/// `NULL`, so the statement is the same each time and the database can keep it prepared.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = posts, treat_none_as_default_value = false)]
pub struct PostRow {
    pub id: PostId,
    pub slug: String,
    pub title: String,
    pub markdown: String,
    pub html: String,
    pub plaintext: String,
    pub custom_excerpt: Option<String>,
    pub excerpt: String,
    pub reading_time: i32,
    pub feature_image: Option<String>,
    pub featured: bool,
    pub status: PostStatus,
    pub published_at: Option<NaiveDateTime>,
    pub meta_title: Option<String>,
    pub meta_description: Option<String>,
    pub canonical_url: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i64,
}

impl PostRow {
    /// The status as readers experience it: a scheduled post whose time has come is published.
    pub fn status_at(&self, now: NaiveDateTime) -> PostStatus {
        match self.status {
            PostStatus::Scheduled if self.published_at.is_some_and(|at| at <= now) => {
                PostStatus::Published
            }
            status => status,
        }
    }

    pub fn is_live_at(&self, now: NaiveDateTime) -> bool {
        self.status_at(now) == PostStatus::Published
            && self.published_at.is_some_and(|at| at <= now)
    }
}

/// The columns a `PATCH` may touch; `None` leaves a column as it is.
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = posts)]
pub struct PostChanges {
    pub slug: Option<String>,
    pub title: Option<String>,
    pub markdown: Option<String>,
    pub html: Option<String>,
    pub plaintext: Option<String>,
    pub custom_excerpt: Option<Option<String>>,
    pub excerpt: Option<String>,
    pub reading_time: Option<i32>,
    pub feature_image: Option<Option<String>>,
    pub featured: Option<bool>,
    pub status: Option<PostStatus>,
    pub published_at: Option<Option<NaiveDateTime>>,
    pub meta_title: Option<Option<String>>,
    pub meta_description: Option<Option<String>>,
    pub canonical_url: Option<Option<String>>,
}

impl PostChanges {
    pub fn is_empty(&self) -> bool {
        let PostChanges {
            slug,
            title,
            markdown,
            html,
            plaintext,
            custom_excerpt,
            excerpt,
            reading_time,
            feature_image,
            featured,
            status,
            published_at,
            meta_title,
            meta_description,
            canonical_url,
        } = self;
        slug.is_none()
            && title.is_none()
            && markdown.is_none()
            && html.is_none()
            && plaintext.is_none()
            && custom_excerpt.is_none()
            && excerpt.is_none()
            && reading_time.is_none()
            && feature_image.is_none()
            && featured.is_none()
            && status.is_none()
            && published_at.is_none()
            && meta_title.is_none()
            && meta_description.is_none()
            && canonical_url.is_none()
    }
}

/// An author as embedded in a post (the byline), with the post it belongs to.
#[derive(Debug, Clone, Queryable)]
pub struct BylineRow {
    pub post_id: PostId,
    pub id: AuthorId,
    pub slug: String,
    pub name: String,
    pub avatar_url: Option<String>,
}

/// A tag as embedded in a post, with the post it belongs to.
#[derive(Debug, Clone, Queryable)]
pub struct PostTagRow {
    pub post_id: PostId,
    pub id: TagId,
    pub slug: String,
    pub name: String,
}

/// A post with its ordered authors and tags.
#[derive(Debug, Clone)]
pub struct PostRecord {
    pub row: PostRow,
    pub authors: Vec<BylineRow>,
    pub tags: Vec<PostTagRow>,
}

impl PostRecord {
    pub fn author_ids(&self) -> Vec<AuthorId> {
        self.authors.iter().map(|a| a.id.clone()).collect()
    }
}
