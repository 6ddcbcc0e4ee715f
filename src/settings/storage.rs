//! The settings row: reading it, and writing a new document at a version.

use diesel::prelude::*;

use super::model::{SettingsRow, SiteSettings};
use crate::db::schema::settings;
use crate::db::{DbConn, now};
use crate::error::{ApiError, ApiResult};
use crate::precondition::stale;
use crate::site;

pub fn find(conn: &mut DbConn) -> ApiResult<SettingsRow> {
    let (settings, version, updated_at) = site::load_settings(conn)?;
    Ok(SettingsRow {
        settings,
        version,
        updated_at,
    })
}

/// The row, locked until the transaction ends (on PostgreSQL; a SQLite write transaction
/// holds the whole database), so that changes are applied one after the other.
pub fn find_for_update(conn: &mut DbConn) -> ApiResult<SettingsRow> {
    if let DbConn::Postgres(pg) = conn {
        diesel::sql_query("SELECT 1 FROM settings WHERE id = 1 FOR UPDATE").execute(pg)?;
    }
    find(conn)
}

/// Stores `document` over the row at `version`, and counts a new version; `412` if it is no
/// longer at that version.
pub fn save(conn: &mut DbConn, document: SiteSettings, version: i64) -> ApiResult<SettingsRow> {
    let json = serde_json::to_string(&document).map_err(ApiError::internal)?;
    let updated_at = now();
    let changed = diesel::update(
        settings::table
            .find(1)
            .filter(settings::version.eq(version)),
    )
    .set((
        settings::document.eq(json),
        settings::version.eq(version + 1),
        settings::updated_at.eq(updated_at),
    ))
    .execute(conn)?;
    if changed == 0 {
        return Err(stale());
    }
    Ok(SettingsRow {
        settings: document,
        version: version + 1,
        updated_at,
    })
}
