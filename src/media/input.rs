//! What uploading and changing media are sent, and its checking: an upload is read as it
//! arrives into a spool file, hashed and counted on the way, and refused as soon as it is
//! too large.

use std::io::Write;
use std::time::Duration;

use actix_multipart::Multipart;
use actix_web::{HttpRequest, web};
use futures_util::StreamExt;
use serde::Deserialize;
use sha2::Digest;
use utoipa::ToSchema;

use super::model::MediaChanges;
use super::store::MediaStore;
use crate::error::{ApiError, ApiResult};
use crate::ids::Sha256;
use crate::validate::{Fields, double_option};

pub const ALT_MAX: usize = 1000;
pub const CAPTION_MAX: usize = 5000;
/// The bytes a text field of the form may have.
const TEXT_FIELD_MAX: usize = 16 * 1024;
/// How much of the file's start is kept to tell its type.
pub const HEAD_BYTES: usize = 64 * 1024;
/// Spooled writes are gathered to this size, each one a trip to the blocking pool.
const WRITE_BATCH: usize = 1024 * 1024;

/// The form of an upload, for the document (it is read as a stream, not by this type).
// `deny_unknown_fields` is for the document (no other parts are taken).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct UploadForm {
    /// The file. Its type is told from its bytes: JPEG, PNG, WebP, GIF and AVIF images, PDF,
    /// MP3 and M4A audio, MP4 and WebM video (SVG when the server allows it).
    #[schema(value_type = String, format = Binary)]
    pub file: Vec<u8>,
    /// Describes the picture for those who cannot see it.
    #[schema(max_length = 1000)]
    pub alt: Option<String>,
    #[schema(max_length = 5000)]
    pub caption: Option<String>,
}

/// An upload as received: the file spooled, and what the form said of it.
pub struct Upload {
    pub file: tempfile::NamedTempFile,
    pub size: u64,
    /// The first bytes, to tell the type from.
    pub head: Vec<u8>,
    /// Of the bytes as uploaded.
    pub sha256: Sha256,
    /// The name the client gave, if any.
    pub name: Option<String>,
    pub alt: Option<String>,
    pub caption: Option<String>,
}

fn unreadable(err: impl std::fmt::Display) -> ApiError {
    ApiError::BadRequest(format!("The multipart form could not be read: {err}."))
}

fn too_large(max: u64) -> ApiError {
    ApiError::PayloadTooLarge(format!(
        "The file is larger than this server takes ({} MiB).",
        max / (1024 * 1024)
    ))
}

/// Reads the upload form from `payload`: a `file` part, and optionally `alt` and `caption`.
/// Each part of the body must arrive within `idle` of the one before.
pub async fn read_upload(
    req: &HttpRequest,
    payload: web::Payload,
    store: &MediaStore,
    max_bytes: u64,
    idle: Duration,
) -> ApiResult<Upload> {
    let is_form = req
        .headers()
        .get(actix_web::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.trim_start()
                .to_ascii_lowercase()
                .starts_with("multipart/form-data")
        });
    if !is_form {
        return Err(ApiError::UnsupportedMediaType(
            "Send the upload as `multipart/form-data`, the file in a part named `file`.".into(),
        ));
    }
    let mut form = Multipart::new(req.headers(), payload);
    let (mut file, mut alt, mut caption) = (None, None, None);
    let mut f = Fields::new();
    while let Some(part) = actix_web::rt::time::timeout(idle, form.next())
        .await
        .map_err(|_| timed_out(idle))?
    {
        let mut part = part.map_err(unreadable)?;
        let name = part.name().unwrap_or_default().to_owned();
        match name.as_str() {
            "file" if file.is_none() => {
                let given = part
                    .content_disposition()
                    .and_then(|d| d.get_filename())
                    .map(str::to_owned);
                file = Some(spool(&mut part, store, max_bytes, idle, given).await?);
            }
            "alt" | "caption" => {
                let text = read_text(&mut part, &name, idle).await?;
                let (slot, max) = if name == "alt" {
                    (&mut alt, ALT_MAX)
                } else {
                    (&mut caption, CAPTION_MAX)
                };
                *slot = f.optional(&name, Some(text), max);
            }
            "file" => f.error("file", "repeated", "send one file per upload"),
            other => f.error(other, "unknown", "not a field of the upload form"),
        }
    }
    let Some(mut upload) = file else {
        f.error("file", "required", "the form has no part named `file`");
        return Err(f.finish(()).unwrap_err());
    };
    f.finish(())?;
    upload.alt = alt.filter(|a: &String| !a.is_empty());
    upload.caption = caption.filter(|c: &String| !c.is_empty());
    Ok(upload)
}

fn timed_out(idle: Duration) -> ApiError {
    ApiError::RequestTimeout(format!(
        "The upload stalled: nothing arrived for {} seconds.",
        idle.as_secs()
    ))
}

async fn read_text(
    part: &mut actix_multipart::Field,
    name: &str,
    idle: Duration,
) -> ApiResult<String> {
    let mut bytes = Vec::new();
    while let Some(chunk) = actix_web::rt::time::timeout(idle, part.next())
        .await
        .map_err(|_| timed_out(idle))?
    {
        bytes.extend_from_slice(&chunk.map_err(unreadable)?);
        if bytes.len() > TEXT_FIELD_MAX {
            return Err(ApiError::validation(
                name,
                "too_long",
                format!("must be at most {TEXT_FIELD_MAX} bytes"),
            ));
        }
    }
    String::from_utf8(bytes).map_err(|_| ApiError::validation(name, "invalid", "must be UTF-8"))
}

/// Writes the file part to a new spool file as it arrives.
async fn spool(
    part: &mut actix_multipart::Field,
    store: &MediaStore,
    max_bytes: u64,
    idle: Duration,
    name: Option<String>,
) -> ApiResult<Upload> {
    let mut spool = Some(store.incoming_file()?);
    let mut hasher = sha2::Sha256::new();
    let (mut size, mut head, mut batch) = (0u64, Vec::new(), Vec::with_capacity(WRITE_BATCH));
    loop {
        let chunk = actix_web::rt::time::timeout(idle, part.next())
            .await
            .map_err(|_| timed_out(idle))?;
        let done = chunk.is_none();
        if let Some(chunk) = chunk {
            let chunk = chunk.map_err(unreadable)?;
            size += chunk.len() as u64;
            if size > max_bytes {
                return Err(too_large(max_bytes));
            }
            hasher.update(&chunk);
            if head.len() < HEAD_BYTES {
                let take = (HEAD_BYTES - head.len()).min(chunk.len());
                head.extend_from_slice(&chunk[..take]);
            }
            batch.extend_from_slice(&chunk);
        }
        if batch.len() >= WRITE_BATCH || (done && !batch.is_empty()) {
            let (mut file, bytes) = (spool.take().expect("the spool is back"), batch);
            let (file, mut bytes) =
                web::block(move || file.write_all(&bytes).map(|()| (file, bytes)))
                    .await
                    .map_err(ApiError::internal)?
                    .map_err(ApiError::internal)?;
            bytes.clear();
            batch = bytes;
            spool = Some(file);
        }
        if done {
            break;
        }
    }
    if size == 0 {
        return Err(ApiError::validation("file", "empty", "the file is empty"));
    }
    Ok(Upload {
        file: spool.expect("the spool is back"),
        size,
        head,
        sha256: Sha256::from_digest(&hasher.finalize()),
        name,
        alt: None,
        caption: None,
    })
}

/// A name safe for an address, from the one the client gave: its stem as a slug, the
/// extension of the type the bytes are. Never one a variant is served under (`640w.webp`).
pub fn file_name(given: Option<&str>, extension: &str) -> String {
    let base = given
        .and_then(|name| name.rsplit(['/', '\\']).next())
        .unwrap_or_default();
    let stem = base.rsplit_once('.').map_or(base, |(stem, _)| stem);
    let mut stem = slug::slugify(stem);
    stem.truncate(80);
    let stem = stem.trim_end_matches('-');
    let stem = match stem {
        "" => "file".to_owned(),
        s if s.ends_with('w') && s[..s.len() - 1].bytes().all(|b| b.is_ascii_digit()) => {
            format!("file-{s}")
        }
        s => s.to_owned(),
    };
    format!("{stem}.{extension}")
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateMedia {
    #[serde(default, with = "double_option")]
    #[schema(value_type = Option<String>, max_length = 1000)]
    pub alt: Option<Option<String>>,
    #[serde(default, with = "double_option")]
    #[schema(value_type = Option<String>, max_length = 5000)]
    pub caption: Option<Option<String>>,
    /// The version you read, if you do not send `If-Match`.
    pub version: Option<i64>,
}

impl UpdateMedia {
    pub fn validate(self) -> ApiResult<MediaChanges> {
        let mut f = Fields::new();
        let changes = MediaChanges {
            alt: f.patch("alt", self.alt, ALT_MAX),
            caption: f.patch("caption", self.caption, CAPTION_MAX),
        };
        f.finish(changes)
    }
}

#[cfg(test)]
mod tests {
    use super::file_name;

    #[test]
    fn names_are_made_safe_and_take_the_extension_of_the_bytes() {
        assert_eq!(
            file_name(Some("My Holiday (1).JPG"), "jpg"),
            "my-holiday-1.jpg"
        );
        assert_eq!(file_name(Some("../../etc/passwd"), "pdf"), "passwd.pdf");
        assert_eq!(file_name(Some("C:\\x\\évasion.png"), "png"), "evasion.png");
        assert_eq!(file_name(Some("evil.png"), "pdf"), "evil.pdf");
        assert_eq!(file_name(None, "webp"), "file.webp");
        assert_eq!(file_name(Some("...."), "gif"), "file.gif");
        assert_eq!(file_name(Some("640w.webp"), "webp"), "file-640w.webp");
    }
}
