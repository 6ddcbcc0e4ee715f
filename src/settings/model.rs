//! The settings as stored: one row holding the document ([`SiteSettings`]), its version and
//! its last change.

use chrono::NaiveDateTime;

pub use crate::site::SiteSettings;

#[derive(Debug, Clone)]
pub struct SettingsRow {
    pub settings: SiteSettings,
    pub version: i64,
    pub updated_at: NaiveDateTime,
}
