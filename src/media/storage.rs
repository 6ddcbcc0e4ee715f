//! Media queries: records and their variants, the posts that point at them, and the sweeps
//! that find objects whose record is gone.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::model::{MediaChanges, MediaKind, MediaRecord, MediaRow, VariantRow};
use crate::db::page::{self, KeyValue, PageMeta, PageRequest};
use crate::db::schema::{media, media_references, media_sweeps, media_variants, posts};
use crate::db::{DbConn, MultiBackend};
use crate::error::{ApiError, ApiResult};
use crate::ids::{MediaId, PostId, Sha256};
use crate::named::storage::contains_pattern;

pub fn not_found(id: &MediaId) -> ApiError {
    ApiError::NotFound(format!("No media has the id `{id}`."))
}

fn stale() -> ApiError {
    ApiError::PreconditionFailed(
        "The media changed since you read it; read it again and reapply your change.".into(),
    )
}

/// The variants of each of `ids`, narrowest first.
fn variants_of(
    conn: &mut DbConn,
    ids: &[&MediaId],
) -> ApiResult<HashMap<MediaId, Vec<VariantRow>>> {
    let rows: Vec<VariantRow> = media_variants::table
        .filter(media_variants::media_id.eq_any(ids))
        .order((
            media_variants::media_id,
            media_variants::width,
            media_variants::extension,
        ))
        .select(VariantRow::as_select())
        .load(conn)?;
    let mut by_media: HashMap<MediaId, Vec<VariantRow>> = HashMap::new();
    for row in rows {
        by_media.entry(row.media_id.clone()).or_default().push(row);
    }
    Ok(by_media)
}

fn with_variants(conn: &mut DbConn, rows: Vec<MediaRow>) -> ApiResult<Vec<MediaRecord>> {
    let mut variants = variants_of(conn, &rows.iter().map(|r| &r.id).collect::<Vec<_>>())?;
    Ok(rows
        .into_iter()
        .map(|row| MediaRecord {
            variants: variants.remove(&row.id).unwrap_or_default(),
            row,
        })
        .collect())
}

fn one(conn: &mut DbConn, row: Option<MediaRow>) -> ApiResult<Option<MediaRecord>> {
    Ok(match row {
        Some(row) => with_variants(conn, vec![row])?.pop(),
        None => None,
    })
}

pub fn find(conn: &mut DbConn, id: &MediaId) -> ApiResult<Option<MediaRecord>> {
    let row = media::table
        .find(id)
        .select(MediaRow::as_select())
        .first(conn)
        .optional()?;
    one(conn, row)
}

pub fn find_by_sha(conn: &mut DbConn, sha256: &Sha256) -> ApiResult<Option<MediaRecord>> {
    let row = media::table
        .filter(media::sha256.eq(sha256))
        .select(MediaRow::as_select())
        .first(conn)
        .optional()?;
    one(conn, row)
}

/// What a list of media holds.
#[derive(Debug, Clone, Default)]
pub struct MediaFilter {
    pub kind: Option<MediaKind>,
    /// Text in the alt text or the file name.
    pub q: Option<String>,
}

/// A page of media, newest first.
pub fn list(
    conn: &mut DbConn,
    filter: &MediaFilter,
    request: &PageRequest,
) -> ApiResult<(Vec<MediaRecord>, PageMeta)> {
    let matching = || {
        let mut query = media::table.into_boxed::<MultiBackend>();
        if let Some(kind) = filter.kind {
            query = query.filter(media::kind.eq(kind));
        }
        if let Some(text) = &filter.q {
            let pattern = contains_pattern(text);
            query = query.filter(
                crate::db::lower(media::file_name)
                    .like(pattern.clone())
                    .escape('\\')
                    .or(crate::db::lower(media::alt.assume_not_null())
                        .like(pattern)
                        .escape('\\')),
            );
        }
        query
    };
    let (rows, meta) = page::fetch(
        conn,
        request,
        |conn| Ok(matching().count().get_result(conn)?),
        |conn, window| {
            let mut query = matching();
            if let Some(after) = window.after {
                let [KeyValue::Text(id)] = after.as_slice() else {
                    return Err(page::misfit());
                };
                query = if window.reversed {
                    query.filter(media::id.gt(id.clone()))
                } else {
                    query.filter(media::id.lt(id.clone()))
                };
            }
            query = match window.reversed {
                true => query.order(media::id.asc()),
                false => query.order(media::id.desc()),
            };
            Ok(query
                .select(MediaRow::as_select())
                .limit(window.limit)
                .offset(window.offset)
                .load(conn)?)
        },
        |row| vec![KeyValue::Text(row.id.to_string())],
    )?;
    Ok((with_variants(conn, rows)?, meta))
}

/// Records `row`; `false` when a record of the same bytes was committed first (on
/// PostgreSQL two uploads can both have found none), which then stands.
pub fn insert(conn: &mut DbConn, row: &MediaRow) -> ApiResult<bool> {
    use diesel::Connection;
    let inserted =
        conn.transaction(|conn| diesel::insert_into(media::table).values(row).execute(conn));
    match inserted {
        Ok(_) => Ok(true),
        Err(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        )) => Ok(false),
        Err(err) => Err(err.into()),
    }
}

/// Applies `changes` to the media at `version`, counting a new version.
pub fn update(
    conn: &mut DbConn,
    id: &MediaId,
    version: i64,
    changes: &MediaChanges,
    now: NaiveDateTime,
) -> ApiResult<MediaRow> {
    diesel::update(media::table.find(id).filter(media::version.eq(version)))
        .set((
            changes,
            media::version.eq(version + 1),
            media::updated_at.eq(now),
        ))
        .returning(<MediaRow as Selectable<MultiBackend>>::construct_selection())
        .get_result(conn)
        .optional()?
        .ok_or_else(stale)
}

pub fn delete(conn: &mut DbConn, id: &MediaId) -> ApiResult<()> {
    diesel::delete(media::table.find(id)).execute(conn)?;
    Ok(())
}

/// Records variants as ready (again, harmlessly: a job that ran twice). One job makes a
/// media's variants at a time.
pub fn add_variants(conn: &mut DbConn, variants: &[VariantRow]) -> ApiResult<()> {
    for variant in variants {
        let known = media_variants::table
            .find((&variant.media_id, variant.width, &variant.extension))
            .count()
            .get_result::<i64>(conn)?;
        if known == 0 {
            diesel::insert_into(media_variants::table)
                .values(variant)
                .execute(conn)?;
        }
    }
    Ok(())
}

/// A post or page that points at some media.
#[derive(Debug, Clone, Queryable)]
pub struct Referrer {
    pub id: PostId,
    pub title: String,
}

/// The posts and pages that point at `sha256`, oldest first.
pub fn referrers(conn: &mut DbConn, sha256: &Sha256) -> ApiResult<Vec<Referrer>> {
    Ok(media_references::table
        .inner_join(posts::table)
        .filter(media_references::sha256.eq(sha256))
        .order(posts::id)
        .select((posts::id, posts::title))
        .load(conn)?)
}

/// Notes that the objects of `sha256` may have no record from `due` on (an upload about to
/// store them, or a deleted record), so a sweep then looks. Waits for a sweep of the same
/// digest in progress, which holds the row.
pub fn mark_for_sweep(
    conn: &mut DbConn,
    sha256: &Sha256,
    extension: &str,
    due: NaiveDateTime,
) -> ApiResult<()> {
    use diesel::Connection;
    let set = (
        media_sweeps::extension.eq(extension),
        media_sweeps::due_at.eq(due),
    );
    // Changing the row waits for a sweep that holds it; inserting one (in a savepoint) loses
    // to a concurrent upload of the same bytes that inserted first, and then changes that.
    for _ in 0..2 {
        let changed = diesel::update(media_sweeps::table.find(sha256))
            .set(set)
            .execute(conn)?;
        if changed == 1 {
            return Ok(());
        }
        let inserted = conn.transaction(|conn| {
            diesel::insert_into(media_sweeps::table)
                .values((media_sweeps::sha256.eq(sha256), set))
                .execute(conn)
        });
        match inserted {
            Ok(_) => return Ok(()),
            Err(diesel::result::Error::DatabaseError(
                diesel::result::DatabaseErrorKind::UniqueViolation,
                _,
            )) => continue,
            Err(err) => return Err(err.into()),
        }
    }
    Err(ApiError::Conflict(
        "The same file is being uploaded by others right now; retry.".into(),
    ))
}

/// The record of `sha256` exists: nothing to sweep.
pub fn unmark(conn: &mut DbConn, sha256: &Sha256) -> ApiResult<()> {
    diesel::delete(media_sweeps::table.find(sha256)).execute(conn)?;
    Ok(())
}

/// Digests whose sweep is due at `now`, oldest first.
pub fn due_sweeps(
    conn: &mut DbConn,
    now: NaiveDateTime,
    limit: i64,
) -> ApiResult<Vec<(Sha256, String)>> {
    Ok(media_sweeps::table
        .filter(media_sweeps::due_at.le(now))
        .order(media_sweeps::due_at)
        .select((media_sweeps::sha256, media_sweeps::extension))
        .limit(limit)
        .load(conn)?)
}

/// Takes the due sweep of `sha256`, if no record has the digest: `true` when its objects are
/// now to be deleted, in this same transaction (which holds the sweep's row until then, so
/// an upload of the same bytes waits rather than losing its object). A digest that has a
/// record is simply no longer swept.
pub fn take_sweep(conn: &mut DbConn, sha256: &Sha256, now: NaiveDateTime) -> ApiResult<bool> {
    // The row first: from here until the transaction ends, an upload marking the digest waits.
    let taken = diesel::delete(
        media_sweeps::table
            .find(sha256)
            .filter(media_sweeps::due_at.le(now)),
    )
    .execute(conn)?;
    if taken == 0 {
        return Ok(false);
    }
    let recorded = diesel::select(diesel::dsl::exists(
        media::table.filter(media::sha256.eq(sha256)),
    ))
    .get_result::<bool>(conn)?;
    Ok(!recorded)
}
