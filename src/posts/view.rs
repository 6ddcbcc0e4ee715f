//! Posts and pages as the API shows them: the post in the formats asked for, with its
//! authors and tags embedded in order and its public address; its revisions; preview links.
//! Posts and pages have the same fields under names of their own (`Post`, `Page`).

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::model::{BylineRow, PostRecord, PostStatus, PostTagRow};
use super::previews::Issued;
use super::query::PostShape;
use super::revisions::{Maker, Reason, RevisionInfo, Snapshot};
use crate::content::{TagVisibility, markdown};
use crate::db::utc;
use crate::error::FieldError;
use crate::ids::{AuthorId, RevisionId, TagId};
use crate::site::{Addressed, Site};

/// What showing a post needs besides the post.
pub struct Seen<'a> {
    pub now: NaiveDateTime,
    pub site: &'a Site,
    /// Staff see internal tags; readers never do.
    pub staff: bool,
}

/// An author in a post's byline.
#[derive(Debug, Serialize, ToSchema)]
pub struct PostAuthor {
    #[schema(value_type = String)]
    pub id: AuthorId,
    pub slug: String,
    pub name: String,
    pub avatar_url: Option<String>,
    /// The author's page on the site; `null` until the site's `url` is set.
    pub url: Option<String>,
}

/// A tag on a post.
#[derive(Debug, Serialize, ToSchema)]
pub struct PostTag {
    #[schema(value_type = String)]
    pub id: TagId,
    pub slug: String,
    pub name: String,
    /// Internal tags are shown to signed-in staff only.
    pub visibility: TagVisibility,
    /// The tag's page on the site; `null` for internal tags, and until the site's `url` is set.
    pub url: Option<String>,
}

impl PostAuthor {
    pub fn of(b: BylineRow, site: &Site) -> PostAuthor {
        PostAuthor {
            url: site.author_url(&b.slug),
            id: b.id,
            slug: b.slug,
            name: b.name,
            avatar_url: b.avatar_url,
        }
    }
}

impl PostTag {
    pub fn of(t: PostTagRow, site: &Site) -> PostTag {
        PostTag {
            url: site.tag_url(&t.slug, t.internal),
            visibility: if t.internal {
                TagVisibility::Internal
            } else {
                TagVisibility::Public
            },
            id: t.id,
            slug: t.slug,
            name: t.name,
        }
    }
}

/// The representation of one kind of post, `$name`, and a page of them, `$list`.
macro_rules! post_view {
    ($name:ident, $list:ident, $list_doc:literal) => {
        crate::list_schema!($list, $name, $list_doc);

        #[derive(Debug, Serialize, ToSchema)]
        pub struct $name {
            #[schema(value_type = String)]
            pub id: crate::ids::PostId,
            /// Stable and public; the address of a draft's preview on the site uses it.
            pub uuid: String,
            pub slug: String,
            pub title: String,
            /// The public address on the site: by the permalinks once live (a page by its
            /// slug), `/p/{uuid}/` before. `null` until the site's `url` is set.
            pub url: Option<String>,
            /// The Markdown source, with `formats=markdown`.
            #[serde(skip_serializing_if = "Option::is_none")]
            #[schema(nullable = false)]
            pub markdown: Option<String>,
            /// The Markdown rendered to HTML and sanitised: safe to insert into a page as is.
            /// Sent unless `formats` leaves it out.
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
            pub feature_image_alt: Option<String>,
            /// Plain text: escape it.
            pub feature_image_caption: Option<String>,
            pub featured: bool,
            /// A scheduled one whose `published_at` has passed reads as `published`.
            pub status: PostStatus,
            /// Who may read it once live; every live post is public until Folio has members.
            pub visibility: crate::posts::model::Visibility,
            pub published_at: Option<DateTime<Utc>>,
            /// In byline order; the first is the primary author. Sent unless `include` leaves
            /// it out.
            #[serde(skip_serializing_if = "Option::is_none")]
            #[schema(nullable = false)]
            pub authors: Option<Vec<PostAuthor>>,
            /// In order; the first is the primary tag. Internal tags are left out for readers.
            /// Sent unless `include` leaves it out.
            #[serde(skip_serializing_if = "Option::is_none")]
            #[schema(nullable = false)]
            pub tags: Option<Vec<PostTag>>,
            pub meta_title: Option<String>,
            pub meta_description: Option<String>,
            pub canonical_url: Option<String>,
            pub og_image: Option<String>,
            pub og_title: Option<String>,
            pub og_description: Option<String>,
            pub twitter_image: Option<String>,
            pub twitter_title: Option<String>,
            pub twitter_description: Option<String>,
            /// Markup for the page's `<head>`, for the frontend to insert: Folio never renders it.
            pub codeinjection_head: Option<String>,
            /// Markup for the end of the page's `<body>`, as `codeinjection_head`.
            pub codeinjection_foot: Option<String>,
            /// The frontend template to render it with.
            pub custom_template: Option<String>,
            pub created_at: DateTime<Utc>,
            pub updated_at: DateTime<Utc>,
            /// Grows by one on every change; send it back (or the `ETag`) when you change it.
            pub version: i64,
            /// When what this shows last changed: the post, an author or tag it embeds, or the
            /// site's address.
            #[serde(skip)]
            pub changed_at: DateTime<Utc>,
        }

        impl $name {
            /// The post as `shape` asks for it (formats and relations), as `seen` sees it.
            pub fn view(record: PostRecord, seen: &Seen, shape: &PostShape) -> $name {
                let live_since = record
                    .row
                    .is_live_at(seen.now)
                    .then_some(record.row.published_at)
                    .flatten();
                $name::shown(record, seen, shape, live_since)
            }

            /// The post as it will look once published: its address the one it will have.
            pub fn preview(record: PostRecord, seen: &Seen, shape: &PostShape) -> $name {
                let live_since = record.row.published_at.unwrap_or(seen.now);
                $name::shown(record, seen, shape, Some(live_since))
            }

            fn shown(
                record: PostRecord,
                seen: &Seen,
                shape: &PostShape,
                live_since: Option<NaiveDateTime>,
            ) -> $name {
                let status = record.row.status_at(seen.now);
                let changed_at = utc(record
                    .authors
                    .iter()
                    .map(|a| a.updated_at)
                    .chain(record.tags.iter().map(|t| t.updated_at))
                    .fold(
                        record.row.updated_at.max(seen.site.changed_at),
                        NaiveDateTime::max,
                    ));
                let (row, meta) = (record.row, record.meta);
                let plaintext = shape.plaintext.then(|| markdown::plaintext(&row.markdown));
                let url = seen.site.post_url(Addressed {
                    page: row.kind == crate::posts::model::PostKind::Page,
                    slug: &row.slug,
                    id: row.id.as_str(),
                    uuid: &row.uuid,
                    live_since,
                });
                let site = seen.site;
                $name {
                    url,
                    id: row.id,
                    uuid: row.uuid,
                    slug: row.slug,
                    title: row.title,
                    markdown: shape.markdown.then_some(row.markdown),
                    html: shape.html.then_some(row.html),
                    plaintext,
                    excerpt: row.excerpt,
                    custom_excerpt: row.custom_excerpt,
                    reading_time: row.reading_time,
                    feature_image: row.feature_image,
                    feature_image_alt: meta.feature_image_alt,
                    feature_image_caption: meta.feature_image_caption,
                    featured: row.featured,
                    status,
                    visibility: row.visibility,
                    published_at: row.published_at.map(utc),
                    authors: shape.authors.then(|| {
                        record
                            .authors
                            .into_iter()
                            .map(|b| PostAuthor::of(b, site))
                            .collect()
                    }),
                    tags: shape.tags.then(|| {
                        record
                            .tags
                            .into_iter()
                            .filter(|t| seen.staff || !t.internal)
                            .map(|t| PostTag::of(t, site))
                            .collect()
                    }),
                    meta_title: row.meta_title,
                    meta_description: row.meta_description,
                    canonical_url: row.canonical_url,
                    og_image: meta.og_image,
                    og_title: meta.og_title,
                    og_description: meta.og_description,
                    twitter_image: meta.twitter_image,
                    twitter_title: meta.twitter_title,
                    twitter_description: meta.twitter_description,
                    codeinjection_head: row.codeinjection_head,
                    codeinjection_foot: row.codeinjection_foot,
                    custom_template: row.custom_template,
                    created_at: utc(row.created_at),
                    updated_at: utc(row.updated_at),
                    version: row.version,
                    changed_at,
                }
            }
        }

        impl crate::http::Modified for $name {
            /// A scheduled post changes when it goes live, without anyone editing it.
            fn last_modified(&self) -> DateTime<Utc> {
                match (self.status, self.published_at) {
                    (PostStatus::Published, Some(at)) => at.max(self.changed_at),
                    _ => self.changed_at,
                }
            }

            /// The bodies, a little more for what escaping adds, and the rest of the fields.
            fn size_hint(&self) -> usize {
                let bodies = [&self.html, &self.markdown, &self.plaintext]
                    .into_iter()
                    .flatten()
                    .map(String::len)
                    .sum::<usize>();
                bodies + bodies / 8 + self.excerpt.len() + 2048
            }
        }
    };
}

post_view!(Post, PostList, "A page of posts.");
post_view!(Page, PageList, "A page of pages.");

/// Who made a revision.
#[derive(Debug, Serialize, ToSchema)]
pub struct RevisionAuthor {
    #[schema(value_type = String)]
    pub id: AuthorId,
    pub slug: String,
    pub name: String,
}

crate::list_schema!(
    RevisionList,
    RevisionSummary,
    "A page of revisions, newest first."
);

/// A revision, as the history lists it.
#[derive(Debug, Serialize, ToSchema)]
pub struct RevisionSummary {
    #[schema(value_type = String)]
    pub id: RevisionId,
    /// Counts up from 1 for each post; what the revision is addressed by.
    pub number: i32,
    pub reason: Reason,
    /// Who made the change; `null` once their account is deleted (or for the state a post
    /// had before revisions were kept).
    pub author: Option<RevisionAuthor>,
    pub created_at: DateTime<Utc>,
    /// The fields this revision changed, by their names in the API, in alphabetical order.
    pub changed_fields: Vec<String>,
}

/// A revision with everything its post held then.
#[derive(Debug, Serialize, ToSchema)]
pub struct Revision {
    #[serde(flatten)]
    pub summary: RevisionSummary,
    pub snapshot: Snapshot,
}

impl RevisionSummary {
    pub fn of(info: RevisionInfo) -> RevisionSummary {
        RevisionSummary {
            id: info.id,
            number: info.number,
            reason: info.reason,
            author: info
                .author
                .map(|Maker { id, slug, name }| RevisionAuthor { id, slug, name }),
            created_at: utc(info.created_at),
            changed_fields: info.changed_fields,
        }
    }
}

impl crate::http::Modified for RevisionSummary {
    fn last_modified(&self) -> DateTime<Utc> {
        self.created_at
    }
}

impl crate::http::Modified for Revision {
    fn last_modified(&self) -> DateTime<Utc> {
        self.summary.created_at
    }
}

/// A post or page brought back to an earlier revision: `$name { data, warnings }`.
macro_rules! restored_view {
    ($name:ident, $post:ident) => {
        /// The post as restored, and what of the revision could not come back.
        #[derive(Debug, Serialize, ToSchema)]
        pub struct $name {
            pub data: $post,
            /// Authors and tags of the revision that no longer exist (left out), and code
            /// injection and bylines that only editors may bring back (kept as they were).
            pub warnings: Vec<FieldError>,
        }
    };
}

restored_view!(RestoredPost, Post);
restored_view!(RestoredPage, Page);

/// A link that shows a post or page to anyone who has it, until it expires.
#[derive(Debug, Serialize, ToSchema)]
pub struct PreviewLink {
    /// Shown once: only its digest is kept.
    pub token: String,
    /// Where the preview is read, with no credential: `GET` answers the post as it will
    /// look published.
    pub path: String,
    pub expires_at: DateTime<Utc>,
}

impl PreviewLink {
    pub fn of(issued: Issued, path: String) -> PreviewLink {
        PreviewLink {
            token: issued.token,
            path,
            expires_at: utc(issued.expires_at),
        }
    }
}

/// What a preview link shows: a post or a page, as it will look published.
#[derive(Debug, Serialize, ToSchema)]
#[serde(tag = "kind", content = "data", rename_all = "lowercase")]
pub enum Preview {
    Post(Post),
    Page(Page),
}

impl crate::http::Modified for Preview {
    fn last_modified(&self) -> DateTime<Utc> {
        match self {
            Preview::Post(post) => post.last_modified(),
            Preview::Page(page) => page.last_modified(),
        }
    }
}

/// A post or page as an anonymous reader gets it at `now` (the representation events carry).
pub fn public(record: PostRecord, site: &Site, now: NaiveDateTime) -> serde_json::Value {
    let seen = Seen {
        now,
        site,
        staff: false,
    };
    let shape = PostShape::default();
    let shown = match record.row.kind {
        super::model::PostKind::Post => serde_json::to_value(Post::view(record, &seen, &shape)),
        super::model::PostKind::Page => serde_json::to_value(Page::view(record, &seen, &shape)),
    };
    shown.unwrap_or_default()
}
