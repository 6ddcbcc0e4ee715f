//! Media as stored: the record of an uploaded file, its ready variants, and the forms that
//! make and change them.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{media, media_variants};
use crate::ids::{AuthorId, MediaId, Sha256};

/// What a file is, as far as serving and variants care.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    serde::Serialize,
    serde::Deserialize,
    utoipa::ToSchema,
    diesel::AsExpression,
    diesel::FromSqlRow,
)]
#[diesel(sql_type = diesel::sql_types::Text)]
#[serde(rename_all = "lowercase")]
pub enum MediaKind {
    Image,
    Video,
    Audio,
    /// PDF.
    Document,
}

crate::text_enum!(MediaKind, "media kind", {
    Image => "image",
    Video => "video",
    Audio => "audio",
    Document => "document",
});

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = media)]
pub struct MediaRow {
    pub id: MediaId,
    pub sha256: Sha256,
    pub kind: MediaKind,
    pub mime_type: String,
    /// Of the stored object's key, without the dot (`jpg`).
    pub extension: String,
    pub file_name: String,
    pub size_bytes: i64,
    pub width: Option<i32>,
    pub height: Option<i32>,
    pub alt: Option<String>,
    pub caption: Option<String>,
    pub uploaded_by: Option<AuthorId>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i64,
}

/// A variant that is ready, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = media_variants)]
pub struct VariantRow {
    pub media_id: MediaId,
    pub width: i32,
    pub height: i32,
    pub mime_type: String,
    pub extension: String,
    pub size_bytes: i64,
}

/// A record with the variants that are ready, narrowest first.
#[derive(Debug, Clone)]
pub struct MediaRecord {
    pub row: MediaRow,
    pub variants: Vec<VariantRow>,
}

/// A change to the description of a file; `None` leaves a field as it is.
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = media)]
pub struct MediaChanges {
    pub alt: Option<Option<String>>,
    pub caption: Option<Option<String>>,
}

impl MediaChanges {
    pub fn is_empty(&self) -> bool {
        self.alt.is_none() && self.caption.is_none()
    }
}
