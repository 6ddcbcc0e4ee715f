//! The operations on posts and pages that read, decide and write in one transaction, so that
//! what was checked is what gets written: writing, changing and deleting one, bringing back a
//! revision, reading its history, and issuing and honouring preview links. Every change keeps
//! a revision in the same transaction.

use std::time::Duration;

use chrono::{NaiveDateTime, TimeDelta};

use super::input::{NewPostInput, PostPatch};
use super::model::{MetaPatch, PostChanges, PostKind, PostRecord, PostRow, PostStatus};
use super::policy::{self, PostFacts};
use super::previews::{self, Issued};
use super::revisions::{self, Change, Reason, RevisionInfo, Snapshot};
use super::storage;
use crate::auth::Staff;
use crate::content::{self, Rendered, Slug, markdown, text};
use crate::db::page::{PageMeta, PageRequest};
use crate::db::{DbConn, Locked, lock_row, now, write_transaction};
use crate::error::{ApiError, ApiResult, FieldError};
use crate::events::{self, EventType, Standing, Subject};
use crate::ids::{AuthorId, PostId, TagId};
use crate::jobs::{self, Claimed, Job};
use crate::precondition::Expected;
use crate::site::Site;

/// Clocks differ a little: "published" a few seconds ahead of ours is still now.
const CLOCK_SKEW: TimeDelta = TimeDelta::seconds(60);

/// The public representation of a post or page at a time, as readers get it. The HTTP face
/// makes it (`view::public`) and hands it down, so that events carry exactly what readers
/// see.
pub type Render = fn(PostRecord, &Site, NaiveDateTime) -> serde_json::Value;

/// How much history posts keep, how long preview links work, and how a change is shown in
/// its events.
#[derive(Debug, Clone, Copy)]
pub struct Editorial {
    /// Revisions kept per post; older ones are pruned as new ones come.
    pub revisions_per_post: u32,
    pub preview_ttl: Duration,
    pub render: Render,
}

impl Editorial {
    /// The defaults: 50 revisions per post, preview links for a day.
    pub fn new(render: Render) -> Editorial {
        Editorial {
            revisions_per_post: 50,
            preview_ttl: Duration::from_secs(24 * 3600),
            render,
        }
    }
}

/// Where a post stands for readers at `now`, as events tell changes apart.
fn standing(record: &PostRecord, now: NaiveDateTime) -> Standing {
    match (record.row.status_at(now), record.row.published_at) {
        (PostStatus::Published, _) => Standing::Published,
        (PostStatus::Scheduled, Some(at)) => Standing::Scheduled { at },
        _ => Standing::Draft,
    }
}

/// Writes the events of a change of a post from `before` to `after` (`None`: did not or no
/// longer exists), in the change's transaction; and queues the publishing of a post that is
/// now scheduled.
fn announce(
    conn: &mut DbConn,
    editorial: Editorial,
    before: Option<&PostRecord>,
    after: Option<&PostRecord>,
    now: NaiveDateTime,
) -> ApiResult<()> {
    let Some(kind) = after.or(before).map(|r| r.row.kind) else {
        return Ok(());
    };
    if let Some(record) = after
        && record.row.status == PostStatus::Scheduled
        && let Some(at) = record.row.published_at
        && before.is_none_or(|b| {
            b.row.status != record.row.status || b.row.published_at != record.row.published_at
        })
    {
        let job = Job::Publish {
            post: record.row.id.clone(),
        };
        jobs::enqueue(conn, &job, at)?;
    }
    let page = kind == PostKind::Page;
    let kinds = events::post_events(
        page,
        before.map(|r| standing(r, now)),
        after.map(|r| standing(r, now)),
    );
    let public = before.is_some_and(|r| r.row.is_live_at(now))
        || after.is_some_and(|r| r.row.is_live_at(now));
    let subject = if page { Subject::Page } else { Subject::Post };
    events::announce(
        conn,
        &kinds,
        |_| Ok(public),
        now,
        |conn| {
            let site = Site::load(conn)?;
            let shown = |r: &PostRecord| (editorial.render)(r.clone(), &site, now);
            Ok(events::change_data(
                subject,
                before.map(shown),
                after.map(shown),
            ))
        },
    )
}

/// Publishes post `id` if it is scheduled and its time has come, ending the job `claimed` in
/// the same transaction, and announces it; answers whether it published. (Readers saw it
/// from its time already: this makes it so in the row, and tells the webhooks.)
pub fn publish_due(
    conn: &mut DbConn,
    id: &PostId,
    claimed: &Claimed,
    editorial: Editorial,
) -> ApiResult<bool> {
    write_transaction(conn, |conn| {
        let now = now();
        lock_row(conn, Locked::Posts, id.as_str())?;
        let mut found = None;
        for kind in [PostKind::Post, PostKind::Page] {
            if let Some(record) = storage::find(conn, kind, id)? {
                found = Some(record);
                break;
            }
        }
        let due = found.filter(|r| {
            r.row.status == PostStatus::Scheduled && r.row.published_at.is_some_and(|at| at <= now)
        });
        if !jobs::finish(conn, claimed)? {
            // Another instance took the job over: it publishes.
            return Err(ApiError::Conflict("the job's lease ran out".into()));
        }
        let Some(record) = due else {
            return Ok(false);
        };
        let changes = PostChanges {
            status: Some(PostStatus::Published),
            published_at: Some(record.row.published_at),
            ..PostChanges::default()
        };
        let row = storage::update(
            conn,
            &record.row,
            changes,
            None,
            None,
            &storage::Relations::default(),
            now,
        )?;
        let page = row.kind == PostKind::Page;
        let published = PostRecord { row, ..record };
        let event = if page {
            EventType::PagePublished
        } else {
            EventType::PostPublished
        };
        let subject = if page { Subject::Page } else { Subject::Post };
        events::announce(
            conn,
            &[event],
            |_| Ok(true),
            now,
            |conn| {
                let site = Site::load(conn)?;
                let mut data = events::change_data(
                    subject,
                    None,
                    Some((editorial.render)(published.clone(), &site, now)),
                );
                // What readers saw before its time: a scheduled post.
                data[if page { "page" } else { "post" }]["previous"] =
                    serde_json::json!({"status": "scheduled"});
                Ok(data)
            },
        )?;
        Ok(true)
    })
}

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

pub fn create(
    conn: &mut DbConn,
    staff: &Staff,
    kind: PostKind,
    input: NewPostInput,
    editorial: Editorial,
) -> ApiResult<PostRecord> {
    if input.codeinjection_head.is_some() || input.codeinjection_foot.is_some() {
        policy::may_set_code(staff)?;
    }
    let rendered = render(&input.markdown)?;
    let writer = vec![staff.id.clone()];
    policy::may_publish_as(staff, input.status, &writer, input.authors.as_deref())?;
    let author_ids = input.authors.unwrap_or(writer);
    write_transaction(conn, |conn| {
        let now = now();
        let published_at = publication_time(input.status, input.published_at, now)?;
        let id = PostId::generate();
        let relations = storage::find_relations(conn, &id, Some(&author_ids), Some(&input.tags))?;
        let excerpt = input
            .custom_excerpt
            .clone()
            .unwrap_or_else(|| text::excerpt(&rendered.plaintext));
        let mut record = PostRecord {
            row: PostRow {
                id: id.clone(),
                kind,
                uuid: uuid::Uuid::new_v4().to_string(),
                slug: String::new(),
                title: input.title,
                markdown: input.markdown,
                html: rendered.html,
                custom_excerpt: input.custom_excerpt,
                excerpt,
                reading_time: rendered.reading_time,
                word_count: rendered.word_count,
                image_count: rendered.image_count,
                text_start: rendered.text_start,
                feature_image: input.feature_image,
                featured: input.featured,
                status: input.status,
                visibility: input.visibility,
                published_at,
                meta_title: input.meta_title,
                meta_description: input.meta_description,
                canonical_url: input.canonical_url,
                codeinjection_head: input.codeinjection_head,
                codeinjection_foot: input.codeinjection_foot,
                custom_template: input.custom_template,
                created_at: now,
                updated_at: now,
                version: 1,
            },
            meta: input.meta,
            authors: relations.authors.unwrap_or_default(),
            tags: relations.tags.unwrap_or_default(),
        };
        let title = record.row.title.clone();
        Slug::insert_free(
            conn,
            input.slug,
            &title,
            kind.noun(),
            storage::SLUG_UNIQUE,
            |conn, candidates| storage::slugs_taken(conn, kind, candidates),
            |conn, slug| {
                record.row.slug = slug.to_string();
                storage::insert(conn, &record, &rendered.plaintext)
            },
        )?
        .map_err(|taken| storage::slug_taken(kind, taken.as_str()))?;
        let change = Change {
            post_id: &id,
            reason: Reason::Created,
            by: &staff.id,
            after: &record,
            before: None,
            at: now,
        };
        revisions::record(conn, change, editorial.revisions_per_post)?;
        announce(conn, editorial, None, Some(&record), now)?;
        Ok(record)
    })
}

/// The post of `kind` with `id` as `staff` may change it, its row locked until the
/// transaction ends, and based on the version `expected` names.
fn writable(
    conn: &mut DbConn,
    staff: &Staff,
    kind: PostKind,
    id: &PostId,
    expected: Expected,
    now: NaiveDateTime,
) -> ApiResult<PostRecord> {
    lock_row(conn, Locked::Posts, id.as_str())?;
    let current = storage::find(conn, kind, id)?.ok_or_else(|| policy::not_found(kind, id))?;
    let ids = current.author_ids();
    policy::may_write(staff, kind, id, &PostFacts::of(&current, &ids, now))?;
    expected.check(current.row.version)?;
    Ok(current)
}

pub fn update(
    conn: &mut DbConn,
    staff: &Staff,
    kind: PostKind,
    id: &PostId,
    expected: Expected,
    patch: PostPatch,
    editorial: Editorial,
) -> ApiResult<PostRecord> {
    if patch.sets_code() {
        policy::may_set_code(staff)?;
    }
    let rendered = patch.markdown.as_deref().map(render).transpose()?;
    write_transaction(conn, |conn| {
        let now = now();
        let current = writable(conn, staff, kind, id, expected, now)?;
        let change = Edit {
            patch,
            rendered,
            reason: None,
        };
        apply(conn, staff, current, change, editorial, now)
    })
}

/// A change to apply to a post: what was sent, its Markdown rendered, and why, when that is
/// not simply the change of status it makes.
struct Edit {
    patch: PostPatch,
    rendered: Option<Rendered>,
    reason: Option<Reason>,
}

/// Applies `edit` to `current` (locked, and allowed to `staff`), and keeps a revision.
fn apply(
    conn: &mut DbConn,
    staff: &Staff,
    current: PostRecord,
    edit: Edit,
    editorial: Editorial,
    now: NaiveDateTime,
) -> ApiResult<PostRecord> {
    let Edit {
        patch,
        rendered,
        reason,
    } = edit;
    let (kind, id) = (current.row.kind, current.row.id.clone());
    let current_ids = current.author_ids();
    let status = patch.status.unwrap_or(current.row.status_at(now));
    let published_at = if patch.status.is_some() || patch.published_at.is_some() {
        let at = patch.published_at.unwrap_or(current.row.published_at);
        Some(publication_time(status, at, now)?)
    } else {
        None
    };
    policy::may_publish_as(staff, status, &current_ids, patch.authors.as_deref())?;
    let relations =
        storage::find_relations(conn, &id, patch.authors.as_deref(), patch.tags.as_deref())?;
    if let Some(slug) = &patch.slug
        && slug.as_str() != current.row.slug
    {
        if storage::slug_in_use(conn, kind, slug.as_str(), &id)? {
            return Err(storage::slug_taken(kind, slug.as_str()));
        }
        storage::record_slug_change(conn, kind, &id, &current.row.slug, slug.as_str(), now)?;
    }

    // The derived excerpt follows the text unless a custom one is (still) set.
    let custom_excerpt = patch
        .custom_excerpt
        .clone()
        .unwrap_or_else(|| current.row.custom_excerpt.clone());
    let excerpt = if patch.custom_excerpt.is_some() || rendered.is_some() {
        Some(custom_excerpt.unwrap_or_else(|| match &rendered {
            Some(rendered) => text::excerpt(&rendered.plaintext),
            None => text::excerpt(&content::markdown::plaintext(&current.row.markdown)),
        }))
    } else {
        None
    };
    let changes = PostChanges {
        slug: patch.slug.map(content::Slug::into_inner),
        title: patch.title,
        markdown: patch.markdown,
        html: rendered.as_ref().map(|r| r.html.clone()),
        reading_time: rendered.as_ref().map(|r| r.reading_time),
        word_count: rendered.as_ref().map(|r| r.word_count),
        image_count: rendered.as_ref().map(|r| r.image_count),
        text_start: rendered.as_ref().map(|r| r.text_start.clone()),
        custom_excerpt: patch.custom_excerpt,
        excerpt,
        feature_image: patch.feature_image,
        featured: patch.featured,
        status: published_at.map(|_| status),
        visibility: patch.visibility,
        published_at,
        meta_title: patch.meta_title,
        meta_description: patch.meta_description,
        canonical_url: patch.canonical_url,
        codeinjection_head: patch.codeinjection_head,
        codeinjection_foot: patch.codeinjection_foot,
        custom_template: patch.custom_template,
    };
    let meta = current.meta.patched(patch.meta);
    if changes.is_empty() && meta.is_none() && patch.authors.is_none() && patch.tags.is_none() {
        return Ok(current);
    }
    let shows_other_media =
        changes.markdown.is_some() || changes.feature_image.is_some() || meta.is_some();
    let row = storage::update(
        conn,
        &current.row,
        changes,
        rendered.as_ref().map(|r| r.plaintext.as_str()),
        meta.as_ref(),
        &relations,
        now,
    )?;
    let record = PostRecord {
        row,
        meta: meta.unwrap_or_else(|| current.meta.clone()),
        authors: relations.authors.unwrap_or_else(|| current.authors.clone()),
        tags: relations.tags.unwrap_or_else(|| current.tags.clone()),
    };
    if shows_other_media {
        storage::track_media(conn, &record)?;
    }
    let change = Change {
        post_id: &id,
        reason: reason.unwrap_or_else(|| Reason::of_change(current.row.status, record.row.status)),
        by: &staff.id,
        after: &record,
        before: Some(&current),
        at: now,
    };
    revisions::record(conn, change, editorial.revisions_per_post)?;
    announce(conn, editorial, Some(&current), Some(&record), now)?;
    Ok(record)
}

pub fn delete(
    conn: &mut DbConn,
    staff: &Staff,
    kind: PostKind,
    id: &PostId,
    editorial: Editorial,
) -> ApiResult<()> {
    write_transaction(conn, |conn| {
        let now = now();
        let current = storage::find(conn, kind, id)?.ok_or_else(|| policy::not_found(kind, id))?;
        let ids = current.author_ids();
        policy::may_write(staff, kind, id, &PostFacts::of(&current, &ids, now))?;
        announce(conn, editorial, Some(&current), None, now)?;
        storage::delete(conn, id)
    })
}

/// A post brought back to an earlier revision, and what of it could not come back.
pub struct Restored {
    pub record: PostRecord,
    /// Authors and tags of the revision that are gone, and code that only editors may set.
    pub warnings: Vec<FieldError>,
}

/// Brings back the content of revision `number` of post `id`, as a new revision: its title,
/// text, excerpt, images, SEO and social fields, template, tags, and for editors and above
/// its code and byline (which only they may set; for others they stay, with a warning). Its
/// slug, status, publication time, visibility and featured flag stay as they are now.
pub fn restore(
    conn: &mut DbConn,
    staff: &Staff,
    kind: PostKind,
    id: &PostId,
    number: i32,
    expected: Expected,
    editorial: Editorial,
) -> ApiResult<Restored> {
    write_transaction(conn, |conn| {
        let now = now();
        let current = writable(conn, staff, kind, id, expected, now)?;
        let (_, snapshot) =
            revisions::find(conn, id, number)?.ok_or_else(|| revisions::not_found(number))?;
        let rendered = Some(render(&snapshot.markdown)?);
        let (patch, warnings) = restoring(conn, staff, &current, snapshot)?;
        let edit = Edit {
            patch,
            rendered,
            reason: Some(Reason::Restored),
        };
        let record = apply(conn, staff, current, edit, editorial, now)?;
        Ok(Restored { record, warnings })
    })
}

/// The change that brings `snapshot`'s content back to `current`, and warnings for what of
/// it cannot come back.
fn restoring(
    conn: &mut DbConn,
    staff: &Staff,
    current: &PostRecord,
    snapshot: Snapshot,
) -> ApiResult<(PostPatch, Vec<FieldError>)> {
    let mut warnings = Vec::new();
    let named_ids = |list: &[revisions::SnapshotRef]| -> Vec<String> {
        list.iter().map(|n| n.id.clone()).collect()
    };
    let wanted_authors: Vec<AuthorId> = named_ids(&snapshot.authors)
        .into_iter()
        .map(AuthorId::from)
        .collect();
    let present = storage::existing_authors(conn, &wanted_authors)?;
    let mut authors: Vec<AuthorId> = Vec::new();
    for (i, (id, named)) in wanted_authors.iter().zip(&snapshot.authors).enumerate() {
        if present.contains(id) {
            authors.push(id.clone());
        } else {
            warnings.push(FieldError::new(
                format!("authors[{i}]"),
                "not_found",
                format!(
                    "the author `{}` ({id}) no longer exists: left out",
                    named.name
                ),
            ));
        }
    }
    let editorial = staff.role.is_editorial();
    let byline_changes = !authors.is_empty() && authors != current.author_ids();
    if authors.is_empty() {
        warnings.push(FieldError::new(
            "authors",
            "kept",
            "none of the revision's authors exists any more: the byline stays as it is",
        ));
    } else if byline_changes && !editorial {
        warnings.push(FieldError::new(
            "authors",
            "kept",
            "editors set bylines: the byline stays as it is",
        ));
    }
    let wanted_tags: Vec<TagId> = named_ids(&snapshot.tags)
        .into_iter()
        .map(TagId::from)
        .collect();
    let present = storage::existing_tags(conn, &wanted_tags)?;
    let mut tags: Vec<TagId> = Vec::new();
    for (i, (id, named)) in wanted_tags.iter().zip(&snapshot.tags).enumerate() {
        if present.contains(id) {
            tags.push(id.clone());
        } else {
            warnings.push(FieldError::new(
                format!("tags[{i}]"),
                "not_found",
                format!("the tag `{}` ({id}) no longer exists: left out", named.name),
            ));
        }
    }
    let mut code = |field: &str, then: Option<String>, now: &Option<String>| {
        if editorial {
            Some(then)
        } else {
            if then != *now {
                warnings.push(FieldError::new(
                    field,
                    "kept",
                    "only editors, admins and the owner may set code injection: it stays as it is",
                ));
            }
            None
        }
    };
    let codeinjection_head = code(
        "codeinjection_head",
        snapshot.codeinjection_head,
        &current.row.codeinjection_head,
    );
    let codeinjection_foot = code(
        "codeinjection_foot",
        snapshot.codeinjection_foot,
        &current.row.codeinjection_foot,
    );
    let patch = PostPatch {
        title: Some(snapshot.title),
        markdown: Some(snapshot.markdown),
        custom_excerpt: Some(snapshot.custom_excerpt),
        feature_image: Some(snapshot.feature_image),
        authors: (byline_changes && editorial).then_some(authors),
        tags: Some(tags),
        meta_title: Some(snapshot.meta_title),
        meta_description: Some(snapshot.meta_description),
        canonical_url: Some(snapshot.canonical_url),
        codeinjection_head,
        codeinjection_foot,
        custom_template: Some(snapshot.custom_template),
        meta: MetaPatch {
            feature_image_alt: Some(snapshot.feature_image_alt),
            feature_image_caption: Some(snapshot.feature_image_caption),
            og_image: Some(snapshot.og_image),
            og_title: Some(snapshot.og_title),
            og_description: Some(snapshot.og_description),
            twitter_image: Some(snapshot.twitter_image),
            twitter_title: Some(snapshot.twitter_title),
            twitter_description: Some(snapshot.twitter_description),
        },
        ..PostPatch::default()
    };
    Ok((patch, warnings))
}

/// The post of `kind` with `id`, if `staff` may read its history.
fn with_history(
    conn: &mut DbConn,
    staff: &Staff,
    kind: PostKind,
    id: &PostId,
) -> ApiResult<PostRecord> {
    let current = storage::find(conn, kind, id)?.ok_or_else(|| policy::not_found(kind, id))?;
    let ids = current.author_ids();
    policy::may_see_history(staff, kind, id, &PostFacts::of(&current, &ids, now()))?;
    Ok(current)
}

/// A page of the revisions of post `id`, newest first.
pub fn history(
    conn: &mut DbConn,
    staff: &Staff,
    kind: PostKind,
    id: &PostId,
    request: &PageRequest,
) -> ApiResult<(Vec<RevisionInfo>, PageMeta)> {
    with_history(conn, staff, kind, id)?;
    revisions::list(conn, id, request)
}

/// Revision `number` of post `id`, with its snapshot.
pub fn revision(
    conn: &mut DbConn,
    staff: &Staff,
    kind: PostKind,
    id: &PostId,
    number: i32,
) -> ApiResult<(RevisionInfo, Snapshot)> {
    with_history(conn, staff, kind, id)?;
    revisions::find(conn, id, number)?.ok_or_else(|| revisions::not_found(number))
}

/// A link that shows post `id` to anyone who has it, for `editorial.preview_ttl`.
pub fn preview(
    conn: &mut DbConn,
    staff: &Staff,
    kind: PostKind,
    id: &PostId,
    editorial: Editorial,
) -> ApiResult<Issued> {
    write_transaction(conn, |conn| {
        let now = now();
        let current = storage::find(conn, kind, id)?.ok_or_else(|| policy::not_found(kind, id))?;
        let ids = current.author_ids();
        policy::may_write(staff, kind, id, &PostFacts::of(&current, &ids, now))?;
        previews::issue(conn, id, &staff.id, now, editorial.preview_ttl)
    })
}

/// The post a preview link shows, while the link works.
pub fn previewed(conn: &mut DbConn, token: &str) -> ApiResult<PostRecord> {
    let id = previews::post_of(conn, token, now())?.ok_or_else(previews::not_found)?;
    storage::find_any(conn, &id)?.ok_or_else(previews::not_found)
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
