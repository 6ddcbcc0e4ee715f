//! The media operations: storing an upload (once per content), changing and deleting a
//! record, and the two jobs behind them: making an image's variants, and sweeping objects that
//! lost their record. Who may make them is decided before (see [`super::policy`]).

use bytes::Bytes;
use chrono::TimeDelta;

use super::detect::{self, Format};
use super::input::{self, Upload};
use super::model::{MediaChanges, MediaRecord, MediaRow, VariantRow};
use super::picture;
use super::settings::{MediaSettings, original_key, variant_key};
use super::storage::{self, Referrer};
use crate::db::{Db, DbConn, now};
use crate::error::{ApiError, ApiResult};
use crate::events::{self, Subject};
use crate::ids::{AuthorId, MediaId};
use crate::jobs::{self, Claimed, Job};
use crate::precondition::Expected;

/// A record as webhooks get it: made by the HTTP face.
pub type Render = fn(MediaRecord, &MediaSettings) -> serde_json::Value;

/// How long objects stored by an upload may go without their record before a sweep deletes
/// them: far longer than any upload takes between storing and recording.
const SWEEP_GRACE: TimeDelta = TimeDelta::hours(1);

/// Spool files older than this were left by a crash.
const SPOOL_AGE: std::time::Duration = std::time::Duration::from_secs(3600);

/// Digests swept in one job.
const SWEEP_BATCH: i64 = 100;

fn announce(
    conn: &mut DbConn,
    settings: &MediaSettings,
    render: Render,
    before: Option<&MediaRecord>,
    after: Option<&MediaRecord>,
) -> ApiResult<()> {
    // Media are no content readers see by themselves: no `site.changed`.
    events::announce_named(
        conn,
        Subject::Media,
        before,
        after,
        |_| Ok(false),
        |r, _| render(r, settings),
    )
}

fn unsupported() -> ApiError {
    ApiError::UnsupportedMediaType(
        "Folio takes JPEG, PNG, WebP, GIF and AVIF images, PDF, MP3 and M4A audio, and MP4 and \
         WebM video, told from the file's bytes; this file is none of them."
            .into(),
    )
}

/// What is stored of an upload.
enum Stored {
    /// An image, rewritten without its metadata.
    Bytes(Bytes),
    /// Any other file, as uploaded.
    File(tempfile::NamedTempFile),
}

/// Stores `upload` by `by` and records it, or answers the record of the same bytes stored
/// before (`false`: nothing new was made).
pub async fn upload(
    db: &Db,
    settings: &MediaSettings,
    by: AuthorId,
    upload: Upload,
    render: Render,
) -> ApiResult<(MediaRecord, bool)> {
    let format = detect::detect(&upload.head, settings.allow_svg).ok_or_else(unsupported)?;
    let file_name = input::file_name(upload.name.as_deref(), format.extension());
    let (stored, sha256, size, dimensions, animated) = if format.is_raster() {
        // Bounded: an image is held whole (twice, as uploaded and as rewritten) while it is
        // prepared, and only a few are decoded at once. Most are not decoded at all, and
        // so do not wait behind the variant jobs for a decoding slot.
        let _held = settings
            .preparing
            .acquire()
            .await
            .map_err(ApiError::internal)?;
        let (limits, file) = (settings.limits, upload.file);
        let (bytes, inspected) = actix_web::web::block(move || {
            let bytes = Bytes::from(std::fs::read(file.path()).map_err(ApiError::internal)?);
            let inspected = picture::inspect(&bytes, format, &limits)?;
            Ok::<_, ApiError>((bytes, inspected))
        })
        .await
        .map_err(ApiError::internal)??;
        let _decoding = if inspected.decodes() {
            Some(
                settings
                    .decoding
                    .acquire()
                    .await
                    .map_err(ApiError::internal)?,
            )
        } else {
            None
        };
        let prepared = actix_web::web::block(move || {
            let prepared = picture::prepare(bytes, inspected, &limits)?;
            let sha256 = crate::ids::Sha256::of(&prepared.bytes);
            Ok::<_, ApiError>((prepared, sha256))
        })
        .await
        .map_err(ApiError::internal)??;
        let (prepared, sha256) = prepared;
        let size = prepared.bytes.len() as u64;
        let dimensions = Some((prepared.width as i32, prepared.height as i32));
        (
            Stored::Bytes(prepared.bytes),
            sha256,
            size,
            dimensions,
            prepared.animated,
        )
    } else {
        (
            Stored::File(upload.file),
            upload.sha256,
            upload.size,
            None,
            false,
        )
    };

    let known = sha256.clone();
    if let Some(existing) = db
        .run(move |conn| storage::find_by_sha(conn, &known))
        .await?
    {
        return Ok((existing, false));
    }
    // Marked before the object is stored: if this upload stops between the two, a sweep
    // finds the object.
    let (mark, extension) = (sha256.clone(), format.extension());
    db.write(move |conn| storage::mark_for_sweep(conn, &mark, extension, now() + SWEEP_GRACE))
        .await?;
    let key = original_key(&sha256, extension);
    match stored {
        Stored::Bytes(bytes) => settings.store.put(&key, bytes).await?,
        Stored::File(file) => settings.store.put_file(&key, file).await?,
    }

    let at = now();
    let row = MediaRow {
        id: MediaId::generate(),
        sha256,
        kind: format.kind(),
        mime_type: format.mime_type().to_owned(),
        extension: extension.to_owned(),
        file_name,
        size_bytes: size as i64,
        width: dimensions.map(|d| d.0),
        height: dimensions.map(|d| d.1),
        alt: upload.alt,
        caption: upload.caption,
        uploaded_by: Some(by),
        created_at: at,
        updated_at: at,
        version: 1,
    };
    let wants_variants = !animated
        && !picture::variant_formats(format).is_empty()
        && row
            .width
            .is_some_and(|w| settings.widths.iter().any(|&v| (v as i32) < w));
    let settings = settings.clone();
    db.write(move |conn| {
        // Another upload of the same bytes got here first: its record is this one's.
        let first =
            storage::find_by_sha(conn, &row.sha256)?.is_none() && storage::insert(conn, &row)?;
        if !first {
            let existing = storage::find_by_sha(conn, &row.sha256)?
                .ok_or_else(|| ApiError::internal("a record of these bytes vanished"))?;
            return Ok((existing, false));
        }
        storage::unmark(conn, &row.sha256)?;
        if wants_variants {
            jobs::enqueue(
                conn,
                &Job::Variants {
                    media: row.id.clone(),
                },
                now(),
            )?;
        }
        let record = MediaRecord {
            row,
            variants: Vec::new(),
        };
        announce(conn, &settings, render, None, Some(&record))?;
        Ok((record, true))
    })
    .await
}

pub fn find(conn: &mut DbConn, id: &MediaId) -> ApiResult<MediaRecord> {
    storage::find(conn, id)?.ok_or_else(|| storage::not_found(id))
}

/// Changes the description of media `id`, from the version `expected` names, once `allowed`
/// says the caller may change it. Run inside a write transaction.
pub fn update(
    conn: &mut DbConn,
    settings: &MediaSettings,
    id: &MediaId,
    expected: Expected,
    changes: MediaChanges,
    allowed: impl FnOnce(&MediaRow) -> ApiResult<()>,
    render: Render,
) -> ApiResult<MediaRecord> {
    crate::db::lock_row(conn, crate::db::Locked::Media, id.as_str())?;
    let current = find(conn, id)?;
    allowed(&current.row)?;
    expected.check(current.row.version)?;
    if changes.is_empty() {
        return Ok(current);
    }
    let row = storage::update(conn, id, current.row.version, &changes, now())?;
    let record = MediaRecord {
        row,
        variants: current.variants.clone(),
    };
    announce(conn, settings, render, Some(&current), Some(&record))?;
    Ok(record)
}

/// The posts that still show media, when it is to be deleted.
pub fn still_shown(referrers: &[Referrer]) -> ApiError {
    let named: Vec<String> = referrers
        .iter()
        .take(10)
        .map(|r| format!("“{}” ({})", r.title, r.id))
        .collect();
    let more = referrers.len().saturating_sub(named.len());
    let tail = if more > 0 {
        format!(" and {more} more")
    } else {
        String::new()
    };
    ApiError::Conflict(format!(
        "Posts still show this media: {}{tail}. Remove it from them first, or delete it \
         anyway with `force=true` (editors and above).",
        named.join(", ")
    ))
}

/// Deletes media `id` once `allowed` says the caller may, and, unless `force`, only when no
/// post or page shows it. Its objects are swept after. Run inside a write transaction.
pub fn delete(
    conn: &mut DbConn,
    settings: &MediaSettings,
    id: &MediaId,
    force: bool,
    allowed: impl FnOnce(&MediaRow) -> ApiResult<()>,
    render: Render,
) -> ApiResult<()> {
    crate::db::lock_row(conn, crate::db::Locked::Media, id.as_str())?;
    let current = find(conn, id)?;
    allowed(&current.row)?;
    if !force {
        let referrers = storage::referrers(conn, &current.row.sha256)?;
        if !referrers.is_empty() {
            return Err(still_shown(&referrers));
        }
    }
    storage::delete(conn, id)?;
    let row = &current.row;
    storage::mark_for_sweep(conn, &row.sha256, &row.extension, now())?;
    jobs::enqueue(conn, &Job::Sweep, now())?;
    announce(conn, settings, render, Some(&current), None)
}

/// The job that makes the variants of media `id`, held as `claimed`.
pub async fn make_variants(
    db: &Db,
    settings: &MediaSettings,
    claimed: &Claimed,
    id: &MediaId,
    render: Render,
) -> ApiResult<usize> {
    let wanted = id.clone();
    let Some(record) = db.run(move |conn| storage::find(conn, &wanted)).await? else {
        let claimed = claimed.clone();
        db.write(move |conn| jobs::finish(conn, &claimed)).await?;
        return Ok(0);
    };
    let row = record.row.clone();
    let format = Format::of_extension(&row.extension)
        .ok_or_else(|| ApiError::internal(format!("media of extension `{}`", row.extension)))?;
    let made = {
        // The slot first: a job waiting for one holds no image in memory meanwhile.
        let _slot = settings
            .decoding
            .acquire()
            .await
            .map_err(ApiError::internal)?;
        let original = settings
            .store
            .get(&original_key(&row.sha256, &row.extension))
            .await?;
        let (widths, limits) = (settings.widths.clone(), settings.limits);
        actix_web::web::block(move || picture::variants(&original, format, &widths, &limits))
            .await
            .map_err(ApiError::internal)?
    };
    // An image that does not decode (its header was fine, its data is not) never will: it
    // keeps its original only, rather than being tried again for ever.
    let made = match made {
        Ok(made) => made,
        Err(why) => {
            tracing::warn!(media = %row.id, why, "no variants can be made of an image");
            let claimed = claimed.clone();
            db.write(move |conn| jobs::finish(conn, &claimed)).await?;
            return Ok(0);
        }
    };
    let mut ready = Vec::with_capacity(made.len());
    for variant in made {
        let (width, extension) = (variant.width as i32, variant.format.extension());
        let size = variant.bytes.len() as i64;
        settings
            .store
            .put(
                &variant_key(&row.sha256, width, extension),
                Bytes::from(variant.bytes),
            )
            .await?;
        ready.push(VariantRow {
            media_id: row.id.clone(),
            width,
            height: variant.height as i32,
            mime_type: variant.format.mime_type().to_owned(),
            extension: extension.to_owned(),
            size_bytes: size,
        });
    }
    let count = ready.len();
    let (claimed, settings, id) = (claimed.clone(), settings.clone(), id.clone());
    db.write(move |conn| {
        // Deleted meanwhile: its objects are swept with the rest.
        if let Some(before) = storage::find(conn, &id)? {
            storage::add_variants(conn, &ready)?;
            let after = find(conn, &id)?;
            announce(conn, &settings, render, Some(&before), Some(&after))?;
        }
        jobs::finish(conn, &claimed)?;
        Ok(())
    })
    .await?;
    Ok(count)
}

/// Deletes the objects of every digest whose sweep is due and that no record has, and spool
/// files a crash left. Each digest's objects are deleted inside the transaction that takes its
/// sweep, so an upload of the same bytes meanwhile waits for it and then stores them again.
pub async fn sweep(db: &Db, settings: &MediaSettings) -> ApiResult<usize> {
    let store = settings.store.clone();
    let spooled = actix_web::web::block(move || store.forget_incoming(SPOOL_AGE))
        .await
        .map_err(ApiError::internal)?;
    if spooled > 0 {
        tracing::info!(spooled, "left-over upload spool files deleted");
    }
    let due = db
        .run(|conn| storage::due_sweeps(conn, now(), SWEEP_BATCH))
        .await?;
    let mut swept = 0;
    for (sha256, extension) in due {
        let store = settings.store.clone();
        let deleted = db
            .write(move |conn| {
                if !storage::take_sweep(conn, &sha256, now())? {
                    return Ok(false);
                }
                store.delete_blocking(&sha256, &extension)?;
                Ok(true)
            })
            .await?;
        swept += usize::from(deleted);
    }
    Ok(swept)
}

/// Whether a sweep has more to do now.
pub fn sweep_due(conn: &mut DbConn) -> ApiResult<bool> {
    Ok(!storage::due_sweeps(conn, now(), 1)?.is_empty())
}
