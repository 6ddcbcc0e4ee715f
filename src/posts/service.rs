//! The post operations that read, decide and write in one transaction, so that what was
//! checked is what gets written.

use chrono::{NaiveDateTime, TimeDelta};

use super::input::{NewPostInput, PostPatch};
use super::model::{PostChanges, PostRecord, PostRow, PostStatus};
use super::policy::{self, PostFacts};
use super::storage;
use crate::auth::Staff;
use crate::content::{self, Rendered, Slug, markdown, text};
use crate::db::{DbConn, Locked, lock_row, now, write_transaction};
use crate::error::{ApiError, ApiResult};
use crate::ids::PostId;
use crate::precondition::Expected;

/// Clocks differ a little: "published" a few seconds ahead of ours is still now.
const CLOCK_SKEW: TimeDelta = TimeDelta::seconds(60);

/// The `published_at` a post gets for `status`, or why that combination is invalid.
pub fn publication_time(
    status: PostStatus,
    published_at: Option<NaiveDateTime>,
    now: NaiveDateTime,
) -> ApiResult<Option<NaiveDateTime>> {
    match (status, published_at) {
        (PostStatus::Published, None) => Ok(Some(now)),
        (PostStatus::Published, Some(at)) if at > now + CLOCK_SKEW => Err(ApiError::validation(
            "published_at",
            "in_future",
            "is in the future: use status `scheduled` to publish later",
        )),
        (PostStatus::Scheduled, None) => Err(ApiError::validation(
            "published_at",
            "required",
            "a scheduled post needs the time to publish it",
        )),
        (PostStatus::Scheduled, Some(at)) if at <= now => Err(ApiError::validation(
            "published_at",
            "not_in_future",
            "must be in the future for a scheduled post",
        )),
        (_, at) => Ok(at),
    }
}

/// `markdown` rendered, or `422` naming the field when it nests too deep.
fn render(markdown: &str) -> ApiResult<Rendered> {
    markdown::render(markdown)
        .map_err(|too_deep| ApiError::validation("markdown", "too_deep", too_deep.to_string()))
}

pub fn create(conn: &mut DbConn, staff: &Staff, input: NewPostInput) -> ApiResult<PostRecord> {
    let rendered = render(&input.markdown)?;
    let writer = vec![staff.id.clone()];
    policy::may_publish_as(staff, input.status, &writer, input.authors.as_deref())?;
    let author_ids = input.authors.unwrap_or(writer);
    write_transaction(conn, |conn| {
        let now = now();
        let published_at = publication_time(input.status, input.published_at, now)?;
        let id = PostId::generate();
        let relations = storage::find_relations(conn, &id, Some(&author_ids), Some(&input.tags))?;
        let (authors, tags) = (
            relations.authors.unwrap_or_default(),
            relations.tags.unwrap_or_default(),
        );
        let excerpt = input
            .custom_excerpt
            .clone()
            .unwrap_or_else(|| text::excerpt(&rendered.plaintext));
        let mut row = PostRow {
            id,
            slug: String::new(),
            title: input.title,
            markdown: input.markdown,
            html: rendered.html,
            plaintext: rendered.plaintext,
            custom_excerpt: input.custom_excerpt,
            excerpt,
            reading_time: rendered.reading_time,
            feature_image: input.feature_image,
            featured: input.featured,
            status: input.status,
            published_at,
            meta_title: input.meta_title,
            meta_description: input.meta_description,
            canonical_url: input.canonical_url,
            created_at: now,
            updated_at: now,
            version: 1,
        };
        let title = row.title.clone();
        Slug::insert_free(
            conn,
            input.slug,
            &title,
            "post",
            "posts",
            storage::slugs_taken,
            |conn, slug| {
                row.slug = slug.to_string();
                storage::insert(conn, &row, &authors, &tags)
            },
        )?
        .map_err(|taken| storage::slug_taken(taken.as_str()))?;
        Ok(PostRecord { row, authors, tags })
    })
}

pub fn update(
    conn: &mut DbConn,
    staff: &Staff,
    id: &PostId,
    expected: Expected,
    patch: PostPatch,
) -> ApiResult<PostRecord> {
    let rendered = patch.markdown.as_deref().map(render).transpose()?;
    write_transaction(conn, |conn| {
        let now = now();
        lock_row(conn, Locked::Posts, id.as_str())?;
        let current = storage::find(conn, id)?.ok_or_else(|| policy::not_found(id))?;
        let current_ids = current.author_ids();
        let current_status = current.row.status_at(now);
        policy::may_write(staff, id, &PostFacts::of(&current, &current_ids, now))?;
        expected.check(current.row.version)?;

        let status = patch.status.unwrap_or(current_status);
        let published_at = if patch.status.is_some() || patch.published_at.is_some() {
            let at = patch.published_at.unwrap_or(current.row.published_at);
            Some(publication_time(status, at, now)?)
        } else {
            None
        };
        policy::may_publish_as(staff, status, &current_ids, patch.authors.as_deref())?;
        let relations =
            storage::find_relations(conn, id, patch.authors.as_deref(), patch.tags.as_deref())?;
        if let Some(slug) = &patch.slug
            && slug.as_str() != current.row.slug
        {
            if storage::slug_in_use(conn, slug.as_str(), id)? {
                return Err(storage::slug_taken(slug.as_str()));
            }
            storage::record_slug_change(conn, id, &current.row.slug, slug.as_str(), now)?;
        }

        // The derived excerpt follows the text unless a custom one is (still) set.
        let custom_excerpt = patch
            .custom_excerpt
            .clone()
            .unwrap_or_else(|| current.row.custom_excerpt.clone());
        let excerpt = if patch.custom_excerpt.is_some() || rendered.is_some() {
            let plaintext = rendered
                .as_ref()
                .map_or(&current.row.plaintext, |r| &r.plaintext);
            Some(custom_excerpt.unwrap_or_else(|| text::excerpt(plaintext)))
        } else {
            None
        };
        let changes = PostChanges {
            slug: patch.slug.map(content::Slug::into_inner),
            title: patch.title,
            markdown: patch.markdown,
            html: rendered.as_ref().map(|r| r.html.clone()),
            plaintext: rendered.as_ref().map(|r| r.plaintext.clone()),
            reading_time: rendered.as_ref().map(|r| r.reading_time),
            custom_excerpt: patch.custom_excerpt,
            excerpt,
            feature_image: patch.feature_image,
            featured: patch.featured,
            status: published_at.map(|_| status),
            published_at,
            meta_title: patch.meta_title,
            meta_description: patch.meta_description,
            canonical_url: patch.canonical_url,
        };
        if changes.is_empty() && patch.authors.is_none() && patch.tags.is_none() {
            return Ok(current);
        }
        let row = storage::update(conn, id, current.row.version, &changes, &relations, now)?;
        Ok(PostRecord {
            row,
            authors: relations.authors.unwrap_or(current.authors),
            tags: relations.tags.unwrap_or(current.tags),
        })
    })
}

pub fn delete(conn: &mut DbConn, staff: &Staff, id: &PostId) -> ApiResult<()> {
    write_transaction(conn, |conn| {
        let now = now();
        let current = storage::find(conn, id)?.ok_or_else(|| policy::not_found(id))?;
        let ids = current.author_ids();
        policy::may_write(staff, id, &PostFacts::of(&current, &ids, now))?;
        storage::delete(conn, id)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn publication_rules() {
        let now = now();
        let hour = TimeDelta::hours(1);
        assert_eq!(
            publication_time(PostStatus::Published, None, now).unwrap(),
            Some(now)
        );
        assert!(publication_time(PostStatus::Published, Some(now + hour), now).is_err());
        assert_eq!(
            publication_time(PostStatus::Published, Some(now - hour), now).unwrap(),
            Some(now - hour)
        );
        assert!(publication_time(PostStatus::Scheduled, None, now).is_err());
        assert!(publication_time(PostStatus::Scheduled, Some(now - hour), now).is_err());
        assert!(publication_time(PostStatus::Scheduled, Some(now + hour), now).is_ok());
        assert_eq!(
            publication_time(PostStatus::Draft, None, now).unwrap(),
            None
        );
    }
}
