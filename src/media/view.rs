//! Media as the API shows it: the file's address, what it is, and the variants that are
//! ready, so a frontend can build a `srcset`.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::detect::Format;
use super::model::{MediaKind, MediaRecord};
use super::settings::{self, MediaSettings};
use crate::db::utc;
use crate::ids::{AuthorId, MediaId, Sha256};

/// An uploaded file.
#[derive(Debug, Serialize, ToSchema)]
pub struct Media {
    #[schema(value_type = String)]
    pub id: MediaId,
    /// Where the file is read. Never changes: the address names the bytes.
    pub url: String,
    /// The SHA-256 of the stored bytes, in hex (after location metadata was removed).
    #[schema(value_type = String, pattern = "^[0-9a-f]{64}$")]
    pub sha256: Sha256,
    pub kind: MediaKind,
    /// Told from the bytes, never from the name or the upload's claim.
    pub mime_type: String,
    /// The uploaded file's name, made safe for an address.
    pub file_name: String,
    pub size_bytes: i64,
    /// Images only, as stored (turned upright).
    pub width: Option<i32>,
    pub height: Option<i32>,
    pub alt: Option<String>,
    pub caption: Option<String>,
    /// Smaller copies of an image that are ready, narrowest first, each in WebP and in the
    /// original's format: made after the upload, so a new image has none for a moment.
    pub variants: Vec<Variant>,
    /// Who uploaded it; `null` once their account is gone.
    #[schema(value_type = Option<String>)]
    pub uploaded_by: Option<AuthorId>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Grows by one on every change; send it back (or the `ETag`) when you change it.
    pub version: i64,
}

/// A smaller copy of an image.
#[derive(Debug, Serialize, ToSchema)]
pub struct Variant {
    pub width: i32,
    pub height: i32,
    pub mime_type: String,
    pub url: String,
}

impl Media {
    /// `record` with addresses from `origin` (`https://host` of the request; empty for
    /// addresses that are paths), or the store's public address when it has one.
    pub fn view(record: MediaRecord, settings: &MediaSettings, origin: &str) -> Media {
        let row = record.row;
        let address = |key: object_store::path::Path, name: &str| {
            settings
                .object_url(&key)
                .unwrap_or_else(|| settings::folio_url(origin, &row.sha256, name))
        };
        let variants = record
            .variants
            .into_iter()
            .filter_map(|v| {
                let format = Format::of_extension(&v.extension)?;
                let key = settings::variant_key(&row.sha256, v.width, &v.extension);
                Some(Variant {
                    url: address(key, &settings::variant_name(v.width, format)),
                    width: v.width,
                    height: v.height,
                    mime_type: v.mime_type,
                })
            })
            .collect();
        let url = address(
            settings::original_key(&row.sha256, &row.extension),
            &row.file_name,
        );
        Media {
            url,
            id: row.id,
            kind: row.kind,
            mime_type: row.mime_type,
            file_name: row.file_name,
            size_bytes: row.size_bytes,
            width: row.width,
            height: row.height,
            alt: row.alt,
            caption: row.caption,
            variants,
            uploaded_by: row.uploaded_by,
            created_at: utc(row.created_at),
            updated_at: utc(row.updated_at),
            version: row.version,
            sha256: row.sha256,
        }
    }

    /// As events carry it: addresses are paths unless the store has a public address.
    pub fn public(record: MediaRecord, settings: &MediaSettings) -> serde_json::Value {
        serde_json::to_value(Media::view(record, settings, "")).unwrap_or_default()
    }
}

impl crate::http::Modified for Media {
    fn last_modified(&self) -> DateTime<Utc> {
        self.updated_at
    }
}

crate::list_schema!(MediaList, Media, "A page of media, newest first.");
