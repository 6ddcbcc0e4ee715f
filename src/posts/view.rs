//! Posts as the API shows them: the post in the formats asked for, with its authors and tags
//! embedded in order.

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::model::{BylineRow, PostRecord, PostStatus, PostTagRow};
use super::query::PostShape;
use crate::db::utc;
use crate::ids::{AuthorId, PostId, TagId};

/// An author in a post's byline.
#[derive(Debug, Serialize, ToSchema)]
pub struct PostAuthor {
    #[schema(value_type = String)]
    pub id: AuthorId,
    pub slug: String,
    pub name: String,
    pub avatar_url: Option<String>,
}

/// A tag on a post.
#[derive(Debug, Serialize, ToSchema)]
pub struct PostTag {
    #[schema(value_type = String)]
    pub id: TagId,
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
    #[schema(value_type = String)]
    pub id: PostId,
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

impl crate::http::Modified for Post {
    /// A scheduled post changes when it goes live, without anyone editing it.
    fn last_modified(&self) -> DateTime<Utc> {
        match (self.status, self.published_at) {
            (PostStatus::Published, Some(at)) => at.max(self.updated_at),
            _ => self.updated_at,
        }
    }
}
