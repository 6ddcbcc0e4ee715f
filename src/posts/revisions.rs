//! Revisions: what a post or page held after each change to it, kept in the transaction of
//! the change. Each is a snapshot of everything a writer sets (never what is derived from it,
//! such as the HTML), which fields changed since the one before, why (created, edited,
//! published, unpublished, restored) and who made the change. Each post keeps its latest
//! `keep`; older ones are pruned as new ones come.

use std::io::{Read, Write};

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::deserialize::FromSqlRow;
use diesel::expression::AsExpression;
use diesel::prelude::*;
use diesel::sql_types::Text;
use flate2::Compression;
use flate2::read::DeflateDecoder;
use flate2::write::DeflateEncoder;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::model::{PostRecord, PostStatus, Visibility};
use crate::db::page::{self, Direction, KeyValue, PageMeta, PageRequest};
use crate::db::schema::{authors, revisions};
use crate::db::{DbConn, utc};
use crate::error::{ApiError, ApiResult};
use crate::ids::{AuthorId, PostId, RevisionId};

/// Why a revision was made.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema, AsExpression, FromSqlRow,
)]
#[diesel(sql_type = Text)]
#[serde(rename_all = "lowercase")]
pub enum Reason {
    /// The post was written (or, for a post older than revisions, as it was before its first
    /// change since).
    Created,
    Edited,
    /// A draft was published or scheduled.
    Published,
    /// A published or scheduled post went back to being a draft.
    Unpublished,
    /// An earlier revision's content was brought back.
    Restored,
}

crate::text_enum!(Reason, "revision reason", {
    Created => "created",
    Edited => "edited",
    Published => "published",
    Unpublished => "unpublished",
    Restored => "restored",
});

impl Reason {
    /// Why a change from status `before` to `after` is made, unless it restores.
    pub fn of_change(before: PostStatus, after: PostStatus) -> Reason {
        let out = |status| status != PostStatus::Draft;
        match (out(before), out(after)) {
            (false, true) => Reason::Published,
            (true, false) => Reason::Unpublished,
            _ => Reason::Edited,
        }
    }
}

/// An author or tag as a snapshot names it: by id, with the name it had then.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SnapshotRef {
    pub id: String,
    pub name: String,
}

/// What a post or page held at one revision: every field a writer sets.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Snapshot {
    pub title: String,
    pub slug: String,
    pub markdown: String,
    pub custom_excerpt: Option<String>,
    pub feature_image: Option<String>,
    pub feature_image_alt: Option<String>,
    pub feature_image_caption: Option<String>,
    pub featured: bool,
    /// As stored: a scheduled post stays `scheduled` here after its time has come.
    pub status: PostStatus,
    pub visibility: Visibility,
    pub published_at: Option<DateTime<Utc>>,
    pub meta_title: Option<String>,
    pub meta_description: Option<String>,
    pub canonical_url: Option<String>,
    pub og_image: Option<String>,
    pub og_title: Option<String>,
    pub og_description: Option<String>,
    pub twitter_image: Option<String>,
    pub twitter_title: Option<String>,
    pub twitter_description: Option<String>,
    pub codeinjection_head: Option<String>,
    pub codeinjection_foot: Option<String>,
    pub custom_template: Option<String>,
    pub authors: Vec<SnapshotRef>,
    pub tags: Vec<SnapshotRef>,
}

impl Snapshot {
    pub fn of(record: &PostRecord) -> Snapshot {
        let (row, meta) = (&record.row, &record.meta);
        Snapshot {
            title: row.title.clone(),
            slug: row.slug.clone(),
            markdown: row.markdown.clone(),
            custom_excerpt: row.custom_excerpt.clone(),
            feature_image: row.feature_image.clone(),
            feature_image_alt: meta.feature_image_alt.clone(),
            feature_image_caption: meta.feature_image_caption.clone(),
            featured: row.featured,
            status: row.status,
            visibility: row.visibility,
            published_at: row.published_at.map(utc),
            meta_title: row.meta_title.clone(),
            meta_description: row.meta_description.clone(),
            canonical_url: row.canonical_url.clone(),
            og_image: meta.og_image.clone(),
            og_title: meta.og_title.clone(),
            og_description: meta.og_description.clone(),
            twitter_image: meta.twitter_image.clone(),
            twitter_title: meta.twitter_title.clone(),
            twitter_description: meta.twitter_description.clone(),
            codeinjection_head: row.codeinjection_head.clone(),
            codeinjection_foot: row.codeinjection_foot.clone(),
            custom_template: row.custom_template.clone(),
            authors: record
                .authors
                .iter()
                .map(|a| SnapshotRef {
                    id: a.id.to_string(),
                    name: a.name.clone(),
                })
                .collect(),
            tags: record
                .tags
                .iter()
                .map(|t| SnapshotRef {
                    id: t.id.to_string(),
                    name: t.name.clone(),
                })
                .collect(),
        }
    }

    fn fields(&self) -> serde_json::Map<String, serde_json::Value> {
        match serde_json::to_value(self) {
            Ok(serde_json::Value::Object(fields)) => fields,
            _ => unreachable!("a snapshot serialises as an object"),
        }
    }

    /// The fields that differ from `before` (with none before, those that are set), by
    /// their names in the API, in alphabetical order. Authors and tags count as changed when
    /// their ids or order do.
    pub fn changed_since(&self, before: Option<&Snapshot>) -> Vec<String> {
        let ids = |named: &serde_json::Value| -> Vec<serde_json::Value> {
            named
                .as_array()
                .map(|list| list.iter().map(|n| n["id"].clone()).collect())
                .unwrap_or_default()
        };
        let before = before.map(Snapshot::fields);
        self.fields()
            .into_iter()
            .filter(|(field, now)| {
                let was = before.as_ref().and_then(|b| b.get(field));
                match (field.as_str(), was) {
                    ("authors" | "tags", Some(was)) => ids(was) != ids(now),
                    (_, Some(was)) => was != now,
                    (_, None) => {
                        !(now.is_null()
                            || now == ""
                            || now == &serde_json::json!([])
                            || now == false)
                    }
                }
            })
            .map(|(field, _)| field)
            .collect()
    }

    /// The snapshot as stored: JSON, deflated (Markdown shrinks to about a third).
    fn pack(&self) -> ApiResult<Vec<u8>> {
        let json = serde_json::to_vec(self).map_err(ApiError::internal)?;
        let mut encoder = DeflateEncoder::new(Vec::new(), Compression::default());
        encoder.write_all(&json).map_err(ApiError::internal)?;
        encoder.finish().map_err(ApiError::internal)
    }

    fn unpack(stored: &[u8]) -> ApiResult<Snapshot> {
        let mut json = Vec::new();
        DeflateDecoder::new(stored)
            .read_to_end(&mut json)
            .map_err(ApiError::internal)?;
        serde_json::from_slice(&json).map_err(ApiError::internal)
    }
}

/// Who made a revision, as a list shows them (`None` once the account is gone).
#[derive(Debug, Clone, Queryable)]
pub struct Maker {
    pub id: AuthorId,
    pub slug: String,
    pub name: String,
}

/// A revision without its snapshot, as lists show it.
#[derive(Debug, Clone)]
pub struct RevisionInfo {
    pub id: RevisionId,
    pub number: i32,
    pub reason: Reason,
    pub author: Option<Maker>,
    pub created_at: NaiveDateTime,
    pub changed_fields: Vec<String>,
}

type InfoColumns = (
    revisions::id,
    revisions::number,
    revisions::reason,
    diesel::dsl::Nullable<(authors::id, authors::slug, authors::name)>,
    revisions::created_at,
    revisions::changed_fields,
);

fn info_columns() -> InfoColumns {
    (
        revisions::id,
        revisions::number,
        revisions::reason,
        (authors::id, authors::slug, authors::name).nullable(),
        revisions::created_at,
        revisions::changed_fields,
    )
}

type InfoRow = (
    RevisionId,
    i32,
    Reason,
    Option<Maker>,
    NaiveDateTime,
    String,
);

fn info((id, number, reason, author, created_at, changed): InfoRow) -> ApiResult<RevisionInfo> {
    Ok(RevisionInfo {
        id,
        number,
        reason,
        author,
        created_at,
        changed_fields: serde_json::from_str(&changed).map_err(ApiError::internal)?,
    })
}

/// A revision to record: the post as it is after the change, and as it was before.
pub struct Change<'a> {
    pub post_id: &'a PostId,
    pub reason: Reason,
    pub by: &'a AuthorId,
    pub after: &'a PostRecord,
    /// The post before the change; `None` when it is new.
    pub before: Option<&'a PostRecord>,
    pub at: NaiveDateTime,
}

/// Records `change` as the post's next revision, unless it changed nothing a snapshot holds,
/// and prunes the post's history to its latest `keep`. A post written before revisions were
/// kept gets its state before the change recorded first, as its "created" revision. Run in
/// the change's transaction, with the post's row locked (`db::lock_row`), so that numbers are
/// given out one at a time.
pub fn record(conn: &mut DbConn, change: Change, keep: u32) -> ApiResult<()> {
    let after = Snapshot::of(change.after);
    let before = change.before.map(Snapshot::of);
    let changed = after.changed_since(before.as_ref());
    if change.before.is_some() && changed.is_empty() {
        return Ok(());
    }
    let latest: Option<i32> = revisions::table
        .filter(revisions::post_id.eq(change.post_id))
        .select(diesel::dsl::max(revisions::number))
        .first(conn)?;
    let mut number = latest.unwrap_or(0);
    if let (None, Some(before), Some(was)) = (latest, &before, change.before) {
        number += 1;
        insert(
            conn,
            change.post_id,
            number,
            Reason::Created,
            None,
            was.row.updated_at,
            &before.changed_since(None),
            before,
        )?;
    }
    number += 1;
    insert(
        conn,
        change.post_id,
        number,
        change.reason,
        Some(change.by),
        change.at,
        &changed,
        &after,
    )?;
    let oldest_kept = number - keep.max(1) as i32 + 1;
    diesel::delete(
        revisions::table
            .filter(revisions::post_id.eq(change.post_id))
            .filter(revisions::number.lt(oldest_kept)),
    )
    .execute(conn)?;
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn insert(
    conn: &mut DbConn,
    post_id: &PostId,
    number: i32,
    reason: Reason,
    by: Option<&AuthorId>,
    at: NaiveDateTime,
    changed: &[String],
    snapshot: &Snapshot,
) -> ApiResult<()> {
    let changed = serde_json::to_string(changed).map_err(ApiError::internal)?;
    diesel::insert_into(revisions::table)
        .values((
            revisions::id.eq(RevisionId::generate()),
            revisions::post_id.eq(post_id),
            revisions::number.eq(number),
            revisions::reason.eq(reason),
            revisions::author_id.eq(by),
            revisions::created_at.eq(at),
            revisions::changed_fields.eq(changed),
            revisions::snapshot.eq(snapshot.pack()?),
        ))
        .execute(conn)?;
    Ok(())
}

/// A page of the revisions of `post_id`, newest first.
pub fn list(
    conn: &mut DbConn,
    post_id: &PostId,
    request: &PageRequest,
) -> ApiResult<(Vec<RevisionInfo>, PageMeta)> {
    let of_post = || {
        revisions::table
            .left_join(authors::table)
            .filter(revisions::post_id.eq(post_id))
            .into_boxed()
    };
    let (rows, meta) = page::fetch(
        conn,
        request,
        |conn| Ok(of_post().count().get_result(conn)?),
        |conn, window| {
            let direction = if window.reversed {
                Direction::Asc
            } else {
                Direction::Desc
            };
            let mut query = of_post();
            if let Some(after) = window.after {
                let number = match after.as_slice() {
                    [KeyValue::Int(number)] => {
                        i32::try_from(*number).map_err(|_| page::misfit())?
                    }
                    _ => return Err(page::misfit()),
                };
                query = match direction {
                    Direction::Desc => query.filter(revisions::number.lt(number)),
                    Direction::Asc => query.filter(revisions::number.gt(number)),
                };
            }
            query = match direction {
                Direction::Desc => query.order(revisions::number.desc()),
                Direction::Asc => query.order(revisions::number.asc()),
            };
            Ok(query
                .select(info_columns())
                .limit(window.limit)
                .offset(window.offset)
                .load::<InfoRow>(conn)?)
        },
        |row| vec![KeyValue::Int(i64::from(row.1))],
    )?;
    let infos = rows.into_iter().map(info).collect::<ApiResult<_>>()?;
    Ok((infos, meta))
}

/// Revision `number` of `post_id`, with its snapshot.
pub fn find(
    conn: &mut DbConn,
    post_id: &PostId,
    number: i32,
) -> ApiResult<Option<(RevisionInfo, Snapshot)>> {
    let found: Option<(InfoRow, Vec<u8>)> = revisions::table
        .left_join(authors::table)
        .filter(revisions::post_id.eq(post_id))
        .filter(revisions::number.eq(number))
        .select((info_columns(), revisions::snapshot))
        .first(conn)
        .optional()?;
    match found {
        Some((row, stored)) => Ok(Some((info(row)?, Snapshot::unpack(&stored)?))),
        None => Ok(None),
    }
}

pub fn not_found(number: i32) -> ApiError {
    ApiError::NotFound(format!("No revision {number} is kept for it."))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_follow_the_status() {
        use PostStatus::*;
        assert_eq!(Reason::of_change(Draft, Published), Reason::Published);
        assert_eq!(Reason::of_change(Draft, Scheduled), Reason::Published);
        assert_eq!(Reason::of_change(Published, Draft), Reason::Unpublished);
        assert_eq!(Reason::of_change(Scheduled, Draft), Reason::Unpublished);
        assert_eq!(Reason::of_change(Published, Published), Reason::Edited);
        assert_eq!(Reason::of_change(Draft, Draft), Reason::Edited);
    }

    fn snapshot() -> Snapshot {
        Snapshot {
            title: "T".into(),
            slug: "t".into(),
            markdown: "# Hello\n\n".repeat(500),
            custom_excerpt: None,
            feature_image: None,
            feature_image_alt: None,
            feature_image_caption: None,
            featured: false,
            status: PostStatus::Draft,
            visibility: Visibility::Public,
            published_at: None,
            meta_title: None,
            meta_description: None,
            canonical_url: None,
            og_image: None,
            og_title: None,
            og_description: None,
            twitter_image: None,
            twitter_title: None,
            twitter_description: None,
            codeinjection_head: None,
            codeinjection_foot: None,
            custom_template: None,
            authors: vec![SnapshotRef {
                id: "a".into(),
                name: "A".into(),
            }],
            tags: vec![],
        }
    }

    #[test]
    fn changes_are_named_by_field() {
        let before = snapshot();
        assert_eq!(
            before.changed_since(None),
            [
                "authors",
                "markdown",
                "slug",
                "status",
                "title",
                "visibility"
            ]
        );
        let mut after = before.clone();
        assert!(after.changed_since(Some(&before)).is_empty());
        after.title = "U".into();
        after.authors[0].name = "Renamed since".into();
        after.tags.push(SnapshotRef {
            id: "t".into(),
            name: "T".into(),
        });
        assert_eq!(after.changed_since(Some(&before)), ["tags", "title"]);
    }

    #[test]
    fn snapshots_are_stored_deflated() {
        let snapshot = snapshot();
        let packed = snapshot.pack().unwrap();
        let json = serde_json::to_vec(&snapshot).unwrap();
        assert!(
            packed.len() * 10 < json.len(),
            "{} of {}",
            packed.len(),
            json.len()
        );
        assert_eq!(Snapshot::unpack(&packed).unwrap(), snapshot);
    }
}
