//! Posts and pages as stored: their kind, status and visibility down to the column, the row
//! (read and written whole), its image and social fields (`posts_meta`), the columns a change
//! may touch, and a post with its ordered bylines and tags.

use chrono::NaiveDateTime;
use diesel::deserialize::FromSqlRow;
use diesel::expression::AsExpression;
use diesel::prelude::*;
use diesel::sql_types::Text;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::db::schema::{posts, posts_meta};
use crate::ids::{AuthorId, PostId, TagId};

/// What a row of `posts` is: a post (in the blog's stream, feeds and searches) or a
/// standalone page (About, Imprint), never listed with posts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, AsExpression, FromSqlRow)]
#[diesel(sql_type = Text)]
pub enum PostKind {
    Post,
    Page,
}

crate::text_enum!(PostKind, "kind", { Post => "post", Page => "page" });

impl PostKind {
    /// What one is called in messages.
    pub fn noun(self) -> &'static str {
        self.as_str()
    }
}

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

crate::text_enum!(PostStatus, "post status", {
    Draft => "draft",
    Scheduled => "scheduled",
    Published => "published",
});

/// Who may read a post once it is live. Stored and filterable; until Folio has members,
/// every live post is readable by all.
#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    Serialize,
    Deserialize,
    ToSchema,
    AsExpression,
    FromSqlRow,
)]
#[diesel(sql_type = Text)]
#[serde(rename_all = "lowercase")]
pub enum Visibility {
    #[default]
    Public,
    Members,
    Paid,
}

crate::text_enum!(Visibility, "visibility", {
    Public => "public",
    Members => "members",
    Paid => "paid",
});

/// A post as stored, read and written whole: its row in posts, and its bodies, which live in
/// post_bodies (storage reads and writes them there, beside the search index). Inserts bind
/// every column, absent ones as `NULL`, so the statement is the same each time and the
/// database can keep it prepared.
#[derive(Debug, Clone, Queryable, Insertable)]
#[diesel(table_name = posts, treat_none_as_default_value = false)]
pub struct PostRow {
    pub id: PostId,
    pub kind: PostKind,
    pub uuid: String,
    pub slug: String,
    pub title: String,
    #[diesel(skip_insertion)]
    pub markdown: String,
    #[diesel(skip_insertion)]
    pub html: String,
    pub custom_excerpt: Option<String>,
    pub excerpt: String,
    pub reading_time: i32,
    pub feature_image: Option<String>,
    pub featured: bool,
    pub status: PostStatus,
    pub visibility: Visibility,
    pub published_at: Option<NaiveDateTime>,
    pub meta_title: Option<String>,
    pub meta_description: Option<String>,
    pub canonical_url: Option<String>,
    pub codeinjection_head: Option<String>,
    pub codeinjection_foot: Option<String>,
    pub custom_template: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i64,
    /// What Ghost's reading time and excerpt are made of, counted as the text is written
    /// (see `content::markdown::Rendered`).
    pub word_count: i32,
    pub image_count: i32,
    pub text_start: String,
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

/// What post_bodies and the search index hold of a post: its bodies, and the other fields
/// a search looks in (the plain text, which is not stored, comes with the write: see
/// `storage::TextWrite`).
#[derive(Debug, Clone, Copy)]
pub struct PostText<'a> {
    pub id: &'a str,
    /// Where the post stands in the lists' order, which SQLite's index follows.
    pub kind: PostKind,
    pub published_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub title: &'a str,
    pub excerpt: &'a str,
    pub markdown: &'a str,
    pub html: &'a str,
}

impl<'a> From<&'a PostRow> for PostText<'a> {
    fn from(row: &'a PostRow) -> PostText<'a> {
        PostText {
            id: row.id.as_str(),
            kind: row.kind,
            published_at: row.published_at,
            created_at: row.created_at,
            title: &row.title,
            excerpt: &row.excerpt,
            markdown: &row.markdown,
            html: &row.html,
        }
    }
}

/// A post's image and social fields. A post that sets none has no row; it reads as all
/// `None`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Queryable, Selectable, Serialize, Deserialize)]
#[diesel(table_name = posts_meta)]
pub struct PostMeta {
    pub feature_image_alt: Option<String>,
    pub feature_image_caption: Option<String>,
    pub og_image: Option<String>,
    pub og_title: Option<String>,
    pub og_description: Option<String>,
    pub twitter_image: Option<String>,
    pub twitter_title: Option<String>,
    pub twitter_description: Option<String>,
}

/// A change to a post's image and social fields: `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct MetaPatch {
    pub feature_image_alt: Option<Option<String>>,
    pub feature_image_caption: Option<Option<String>>,
    pub og_image: Option<Option<String>>,
    pub og_title: Option<Option<String>>,
    pub og_description: Option<Option<String>>,
    pub twitter_image: Option<Option<String>>,
    pub twitter_title: Option<Option<String>>,
    pub twitter_description: Option<Option<String>>,
}

impl PostMeta {
    pub fn is_empty(&self) -> bool {
        *self == PostMeta::default()
    }

    /// These fields with `patch` applied, or `None` when the patch changes nothing.
    pub fn patched(&self, patch: MetaPatch) -> Option<PostMeta> {
        let pick = |new: Option<Option<String>>, old: &Option<String>| new.unwrap_or(old.clone());
        let next = PostMeta {
            feature_image_alt: pick(patch.feature_image_alt, &self.feature_image_alt),
            feature_image_caption: pick(patch.feature_image_caption, &self.feature_image_caption),
            og_image: pick(patch.og_image, &self.og_image),
            og_title: pick(patch.og_title, &self.og_title),
            og_description: pick(patch.og_description, &self.og_description),
            twitter_image: pick(patch.twitter_image, &self.twitter_image),
            twitter_title: pick(patch.twitter_title, &self.twitter_title),
            twitter_description: pick(patch.twitter_description, &self.twitter_description),
        };
        (next != *self).then_some(next)
    }
}

/// The columns a `PATCH` may touch; `None` leaves a column as it is. The bodies change
/// together (the HTML and what is counted of the text are the Markdown's), in post_bodies:
/// see [`PostChanges::changes_text`].
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = posts)]
pub struct PostChanges {
    pub slug: Option<String>,
    pub title: Option<String>,
    #[diesel(skip_update)]
    pub markdown: Option<String>,
    #[diesel(skip_update)]
    pub html: Option<String>,
    pub custom_excerpt: Option<Option<String>>,
    pub excerpt: Option<String>,
    pub reading_time: Option<i32>,
    pub word_count: Option<i32>,
    pub image_count: Option<i32>,
    pub text_start: Option<String>,
    pub feature_image: Option<Option<String>>,
    pub featured: Option<bool>,
    pub status: Option<PostStatus>,
    pub visibility: Option<Visibility>,
    pub published_at: Option<Option<NaiveDateTime>>,
    pub meta_title: Option<Option<String>>,
    pub meta_description: Option<Option<String>>,
    pub canonical_url: Option<Option<String>>,
    pub codeinjection_head: Option<Option<String>>,
    pub codeinjection_foot: Option<Option<String>>,
    pub custom_template: Option<Option<String>>,
}

/// Hands every field of [`PostChanges`] to the macro `$then`, after `$args`: for the methods
/// that treat each field alike. They destructure the struct by these names, so a field added
/// to it and not here does not compile.
macro_rules! each_post_change {
    ($then:ident!($($args:tt)*)) => {
        $then!(
            $($args)*;
            slug,
            title,
            markdown,
            html,
            custom_excerpt,
            excerpt,
            reading_time,
            word_count,
            image_count,
            text_start,
            feature_image,
            featured,
            status,
            visibility,
            published_at,
            meta_title,
            meta_description,
            canonical_url,
            codeinjection_head,
            codeinjection_foot,
            custom_template
        )
    };
}

impl PostChanges {
    pub fn is_empty(&self) -> bool {
        macro_rules! none {
            ($changes:expr; $($field:ident),*) => {{
                let PostChanges { $($field),* } = $changes;
                true $(&& $field.is_none())*
            }};
        }
        each_post_change!(none!(self))
    }

    /// Whether the bodies change.
    pub fn changes_text(&self) -> bool {
        self.markdown.is_some() || self.html.is_some()
    }

    /// Whether a field the search index holds changes, beside the text.
    pub fn changes_words(&self) -> bool {
        self.title.is_some() || self.excerpt.is_some()
    }

    /// Whether the post moves in the lists' order: its date changes.
    pub fn changes_date(&self, current: &PostRow) -> bool {
        self.published_at
            .is_some_and(|published_at| published_at != current.published_at)
    }

    /// `row` as this change leaves it at `version`, changed `at`: what the database holds
    /// after the update, known without reading the row back (its bodies would come along).
    pub fn applied_to(self, mut row: PostRow, version: i64, at: NaiveDateTime) -> PostRow {
        macro_rules! set {
            ($changes:expr, $row:ident; $($field:ident),*) => {{
                let PostChanges { $($field),* } = $changes;
                $(if let Some(value) = $field {
                    $row.$field = value;
                })*
            }};
        }
        each_post_change!(set!(self, row));
        row.version = version;
        row.updated_at = at;
        row
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
    /// When the author last changed: the post shows their name and picture.
    pub updated_at: NaiveDateTime,
}

/// A tag as embedded in a post, with the post it belongs to.
#[derive(Debug, Clone, Queryable)]
pub struct PostTagRow {
    pub post_id: PostId,
    pub id: TagId,
    pub slug: String,
    pub name: String,
    /// Internal tags (`#…`) are for staff: readers never see them on a post.
    pub internal: bool,
    pub updated_at: NaiveDateTime,
}

/// A post with its image and social fields and its ordered authors and tags.
#[derive(Debug, Clone)]
pub struct PostRecord {
    pub row: PostRow,
    pub meta: PostMeta,
    pub authors: Vec<BylineRow>,
    pub tags: Vec<PostTagRow>,
}

impl PostRecord {
    pub fn author_ids(&self) -> Vec<AuthorId> {
        self.authors.iter().map(|a| a.id.clone()).collect()
    }
}
