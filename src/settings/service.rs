//! Changing the settings: in one transaction, from the version the change is based on.

use super::input::SettingsPatch;
use super::model::SettingsRow;
use super::storage;
use crate::db::DbConn;
use crate::error::ApiResult;
use crate::events;
use crate::precondition::Expected;

/// Applies `patch` to the settings, from the version `expected` names. Run inside a write
/// transaction.
pub fn update(
    conn: &mut DbConn,
    expected: Expected,
    patch: SettingsPatch,
) -> ApiResult<SettingsRow> {
    let current = storage::find_for_update(conn)?;
    expected.check(current.version)?;
    let mut document = current.settings.clone();
    patch.apply(&mut document);
    if document == current.settings {
        return Ok(current);
    }
    let saved = storage::save(conn, document, current.version)?;
    // Every public page shows the site's name, navigation and addresses.
    events::events_now(conn, &[], |_| Ok(true), |_| Ok(serde_json::json!({})))?;
    Ok(saved)
}
