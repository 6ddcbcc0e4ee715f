//! The media endpoints: the library under `/api/v1/media`, and the files themselves at
//! `/media/{sha256}/{name}`, where the address names the bytes and so never goes stale.

use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use futures_util::StreamExt;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_actix_web::service_config::ServiceConfig;

use super::detect::Format;
use super::input::{UpdateMedia, UploadForm};
use super::model::MediaRecord;
use super::query::MediaListParams;
use super::settings::{MediaSettings, Serving, original_key, variant_key};
use super::view::{Media, MediaList};
use super::{input, policy, service, storage};
use crate::auth::Staff;
use crate::db::Db;
use crate::error::{ApiError, ApiResult};
use crate::http::caching::{CacheValidators, NotModified};
use crate::http::conditional::{IfMatch, expected};
use crate::http::cursor::Cursors;
use crate::http::extract::{BodyTimeout, JsonBody, PathSegment, Query};
use crate::http::pagination::ListResponse;
use crate::http::problem::Problem;
use crate::http::problem::responses::{BodyRejected, SignInRequired, VersionRejected};
use crate::http::{self as h};
use crate::ids::{MediaId, Sha256};

/// The library, under the API's prefix.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list)
        .service(get)
        .service(upload)
        .service(update)
        .service(remove);
}

/// The files, outside it.
pub fn files(cfg: &mut ServiceConfig) {
    // HEAD answers as GET does, without the body; it is not a second operation of the
    // document.
    cfg.service(file)
        .route(FILE_PATH, web::head().to(serve_file));
}

const FILE_PATH: &str = "/media/{sha256}/{name}";

/// The answer for a media id that names none.
#[derive(utoipa::IntoResponses)]
pub enum NoSuchMedia {
    #[response(
        status = 404,
        description = "No media has this id",
        content_type = "application/problem+json"
    )]
    NotFound(Problem),
}

/// Where this request came to, for the addresses of files.
fn origin(req: &HttpRequest) -> String {
    let info = req.connection_info();
    format!("{}://{}", info.scheme(), info.host())
}

fn view(req: &HttpRequest, settings: &MediaSettings, record: MediaRecord) -> Media {
    Media::view(record, settings, &origin(req))
}

fn render(record: MediaRecord, settings: &MediaSettings) -> serde_json::Value {
    Media::public(record, settings)
}

/// The media library, newest first.
#[utoipa::path(
    operation_id = "listMedia",
    tag = "media",
    params(CacheValidators, MediaListParams),
    responses(
        NotModified,
        (status = 200, description = "A page of media", body = MediaList,
            headers(("Link" = String, description = "RFC 8288 links to the next and previous pages"))),
        (status = 400, description = "A query parameter is unknown or malformed", body = Problem, content_type = "application/problem+json"),
        SignInRequired,
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[get("/media")]
async fn list(
    req: HttpRequest,
    db: web::Data<Db>,
    _staff: Staff,
    settings: web::Data<MediaSettings>,
    cursors: Cursors,
    Query(params): Query<MediaListParams>,
) -> ApiResult<HttpResponse> {
    let (filter, page) = params.parse(&cursors)?;
    let request = page.clone();
    let (records, meta) = db
        .run(move |conn| storage::list(conn, &filter, &request))
        .await?;
    let data = records
        .into_iter()
        .map(|r| view(&req, &settings, r))
        .collect();
    Ok(h::list(
        &req,
        &ListResponse::new(data, &page, meta, &cursors),
    ))
}

/// One file's record.
#[utoipa::path(
    operation_id = "getMedia",
    tag = "media",
    params(CacheValidators, ("id" = String, Path, description = "The media's id")),
    responses(
        NotModified,
        (status = 200, description = "The media", body = Media,
            headers(("ETag" = String, description = "Its version, for `If-Match`"))),
        SignInRequired,
        NoSuchMedia,
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[get("/media/{id}", name = "getMedia")]
async fn get(
    req: HttpRequest,
    db: web::Data<Db>,
    _staff: Staff,
    settings: web::Data<MediaSettings>,
    id: web::Path<PathSegment>,
) -> ApiResult<HttpResponse> {
    let id = MediaId::from(id.into_inner().0);
    let record = db.run(move |conn| service::find(conn, &id)).await?;
    let version = record.row.version;
    Ok(h::one(&view(&req, &settings, record), version))
}

/// Upload a file (`multipart/form-data`). Every member of staff may.
///
/// Its type is told from its bytes. Location and camera metadata are removed from images,
/// which are stood upright; their variants follow shortly. Bytes already stored answer `200`
/// with the record they already have.
#[utoipa::path(
    operation_id = "uploadMedia",
    tag = "media",
    request_body(content = UploadForm, content_type = "multipart/form-data"),
    responses(
        (status = 200, description = "These bytes are already stored: their record", body = Media),
        (status = 201, description = "The new media", body = Media, headers(
            ("Location" = String, description = "The media's URL"),
            ("ETag" = String, description = "Its version"))),
        (status = 400, description = "The form cannot be read", body = Problem, content_type = "application/problem+json"),
        SignInRequired,
        (status = 408, description = "The upload stalled", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The file is larger than the server takes", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "The body is not a form, or the file is of no type Folio takes", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is invalid, or the image has more pixels than the server takes, cannot be decoded, or carries metadata that cannot be removed", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The media store cannot be reached", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[post("/media")]
async fn upload(
    req: HttpRequest,
    db: web::Data<Db>,
    staff: Staff,
    settings: web::Data<MediaSettings>,
    timeout: web::Data<BodyTimeout>,
    payload: web::Payload,
) -> ApiResult<HttpResponse> {
    let form = input::read_upload(
        &req,
        payload,
        &settings.store,
        settings.max_bytes,
        timeout.0,
    )
    .await?;
    let (record, created) = service::upload(&db, &settings, staff.id, form, render).await?;
    let version = record.row.version;
    let location = h::location(&req, "getMedia", record.row.id.as_str())?;
    let body = view(&req, &settings, record);
    Ok(if created {
        h::created(&body, version, &location)
    } else {
        h::one(&body, version)
    })
}

/// Change a file's alt text or caption. Needs the version you read (`If-Match` or
/// `version`). Contributors and authors change what they uploaded; editors and above anything.
#[utoipa::path(
    operation_id = "updateMedia",
    tag = "media",
    params(("id" = String, Path, description = "The media's id"), IfMatch),
    request_body = UpdateMedia,
    responses(
        (status = 200, description = "The changed media", body = Media,
            headers(("ETag" = String, description = "Its new version"))),
        BodyRejected,
        SignInRequired,
        (status = 403, description = "Contributors and authors change only what they uploaded", body = Problem, content_type = "application/problem+json"),
        NoSuchMedia,
        VersionRejected,
        (status = 422, description = "A field is invalid", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[patch("/media/{id}")]
async fn update(
    req: HttpRequest,
    db: web::Data<Db>,
    staff: Staff,
    settings: web::Data<MediaSettings>,
    id: web::Path<PathSegment>,
    JsonBody(body): JsonBody<UpdateMedia>,
) -> ApiResult<HttpResponse> {
    let expected = expected(&req, body.version);
    let changes = body.validate()?;
    let id = MediaId::from(id.into_inner().0);
    let shared = settings.clone().into_inner();
    let record = db
        .write(move |conn| {
            let allowed = |row: &_| policy::may_manage(&staff, row);
            service::update(conn, &shared, &id, expected, changes, allowed, render)
        })
        .await?;
    let version = record.row.version;
    Ok(h::one(&view(&req, &settings, record), version))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct DeleteParams {
    /// Delete it even though posts still show it (editors and above).
    #[param(default = false)]
    pub force: Option<bool>,
}

/// Delete a file. Refused while posts or pages show it, unless `force=true`; its stored
/// objects are deleted shortly after.
#[utoipa::path(
    operation_id = "deleteMedia",
    tag = "media",
    params(("id" = String, Path, description = "The media's id"), DeleteParams),
    responses(
        (status = 204, description = "The media is gone"),
        (status = 400, description = "A query parameter is unknown or malformed", body = Problem, content_type = "application/problem+json"),
        SignInRequired,
        (status = 403, description = "Contributors and authors delete only what they uploaded; only editors and above force", body = Problem, content_type = "application/problem+json"),
        NoSuchMedia,
        (status = 409, description = "Posts still show it; the detail names them", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[delete("/media/{id}")]
async fn remove(
    db: web::Data<Db>,
    staff: Staff,
    settings: web::Data<MediaSettings>,
    id: web::Path<PathSegment>,
    Query(params): Query<DeleteParams>,
) -> ApiResult<HttpResponse> {
    let force = params.force.unwrap_or(false);
    if force {
        policy::may_force(&staff)?;
    }
    let id = MediaId::from(id.into_inner().0);
    let settings = settings.into_inner();
    db.write(move |conn| {
        let allowed = |row: &_| policy::may_manage(&staff, row);
        service::delete(conn, &settings, &id, force, allowed, render)
    })
    .await?;
    crate::jobs::wake();
    Ok(HttpResponse::NoContent().finish())
}

/// Which stored object a file name asks for: the original by its name, or a variant as
/// `{width}w.{extension}`.
enum Asked {
    Original,
    Variant { width: i32, extension: String },
}

fn asked(record: &MediaRecord, name: &str) -> Option<Asked> {
    if name == record.row.file_name {
        return Some(Asked::Original);
    }
    let (stem, extension) = name.rsplit_once('.')?;
    let width: i32 = stem.strip_suffix('w')?.parse().ok()?;
    // One spelling per file: `0640w`, `+640w` name nothing.
    (stem == format!("{width}w")).then(|| Asked::Variant {
        width,
        extension: extension.to_owned(),
    })
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct FilePath {
    /// The SHA-256 of the file's bytes.
    #[param(pattern = "^[0-9a-f]{64}$")]
    pub sha256: String,
    /// The original's `file_name`, or a variant's `{width}w.{extension}` (`640w.webp`).
    pub name: String,
}

/// The answers that carry a file: in the type its bytes were told to be, one of those Folio
/// stores (written out from [`Format::ALL`], so the document lists exactly those).
struct FileServed;

impl utoipa::IntoResponses for FileServed {
    fn responses() -> std::collections::BTreeMap<
        String,
        utoipa::openapi::RefOr<utoipa::openapi::response::Response>,
    > {
        use utoipa::openapi::content::ContentBuilder;
        use utoipa::openapi::header::HeaderBuilder;
        use utoipa::openapi::response::ResponseBuilder;
        use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, SchemaFormat, Type};
        let answer = |description: &str, headers: &[(&str, &str)]| {
            let bytes = ObjectBuilder::new()
                .schema_type(Type::String)
                .format(Some(SchemaFormat::KnownFormat(KnownFormat::Binary)))
                .build();
            let mut response = ResponseBuilder::new().description(description);
            for format in Format::ALL {
                response = response.content(
                    format.mime_type(),
                    ContentBuilder::new().schema(Some(bytes.clone())).build(),
                );
            }
            for (name, description) in headers {
                let string = ObjectBuilder::new().schema_type(Type::String).build();
                response = response.header(
                    *name,
                    HeaderBuilder::new()
                        .schema(Some(string))
                        .description(Some(*description))
                        .build(),
                );
            }
            utoipa::openapi::RefOr::T(response.build())
        };
        std::collections::BTreeMap::from([
            (
                "200".to_owned(),
                answer(
                    "The file",
                    &[
                        ("ETag", "Strong, from the digest"),
                        ("Cache-Control", "`public, max-age=31536000, immutable`"),
                        ("Accept-Ranges", "`bytes`"),
                    ],
                ),
            ),
            (
                "206".to_owned(),
                answer(
                    "The range asked for",
                    &[("Content-Range", "Which bytes these are")],
                ),
            ),
        ])
    }
}

/// A file: the original or one of its variants, by the digest of its bytes.
///
/// Immutable: cached for a year. Media of drafts is not secret, as on every blog platform:
/// whoever has the address reads it. Only the configured variant widths exist.
#[utoipa::path(
    operation_id = "getMediaFile",
    tag = "media",
    params(FilePath,
        ("Range" = Option<String>, Header, description = "One byte range (`bytes=0-1023`)"),
        ("If-None-Match" = Option<String>, Header, description = "The `ETag` of a copy you have"),
        ("If-Range" = Option<String>, Header, description = "Send the range only if this is still the `ETag`")),
    responses(
        FileServed,
        (status = 302, description = "The file is in object storage: at this public address",
            headers(("Location" = String, description = "The object's public address"))),
        (status = 304, description = "Your copy is current"),
        (status = 404, description = "No such file, or no variant of this size", body = Problem, content_type = "application/problem+json"),
        (status = 416, description = "The range lies outside the file", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The media store cannot be reached", body = Problem, content_type = "application/problem+json"),
    ),
    security(())
)]
#[get("/media/{sha256}/{name}")]
async fn file(
    req: HttpRequest,
    db: web::Data<Db>,
    settings: web::Data<MediaSettings>,
    path: web::Path<(String, String)>,
) -> ApiResult<HttpResponse> {
    serve_file(req, db, settings, path).await
}

async fn serve_file(
    req: HttpRequest,
    db: web::Data<Db>,
    settings: web::Data<MediaSettings>,
    path: web::Path<(String, String)>,
) -> ApiResult<HttpResponse> {
    let (sha256, name) = path.into_inner();
    let missing = || ApiError::NotFound("There is no such file.".into());
    let sha256 = Sha256::parse(&sha256).ok_or_else(missing)?;
    let record = db
        .run(move |conn| storage::find_by_sha(conn, &sha256))
        .await?
        .ok_or_else(missing)?;
    let row = &record.row;
    let (key, mime, size, tag) = match asked(&record, &name).ok_or_else(missing)? {
        Asked::Original => (
            original_key(&row.sha256, &row.extension),
            row.mime_type.clone(),
            row.size_bytes as u64,
            row.sha256.to_string(),
        ),
        Asked::Variant { width, extension } => {
            // Only configured widths exist, whatever is asked.
            if !settings.is_variant_width(width as u32) {
                return Err(ApiError::NotFound(format!(
                    "Variants are made {} pixels wide only.",
                    settings
                        .widths
                        .iter()
                        .map(u32::to_string)
                        .collect::<Vec<_>>()
                        .join(", ")
                )));
            }
            let variant = record
                .variants
                .iter()
                .find(|v| v.width == width && v.extension == extension)
                .ok_or_else(|| {
                    ApiError::NotFound("That variant does not exist, or is not ready yet.".into())
                })?;
            (
                variant_key(&row.sha256, width, &extension),
                variant.mime_type.clone(),
                variant.size_bytes as u64,
                format!("{}-{width}.{extension}", row.sha256),
            )
        }
    };
    if let (Serving::Redirect, Some(public)) = (&settings.serving, settings.object_url(&key)) {
        return Ok(HttpResponse::Found()
            .insert_header((header::LOCATION, public))
            .insert_header((header::CACHE_CONTROL, "public, max-age=86400"))
            .finish());
    }
    let etag = format!("\"{tag}\"");
    let mut response = HttpResponse::Ok();
    response
        .insert_header((header::ETAG, etag.as_str()))
        .insert_header((header::CACHE_CONTROL, "public, max-age=31536000, immutable"))
        .insert_header((header::ACCEPT_RANGES, "bytes"))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"));
    if row.extension == Format::Svg.extension() {
        // Opened by itself, an SVG is a document that could run script: never here.
        response.insert_header((
            header::CONTENT_SECURITY_POLICY,
            "sandbox; script-src 'none'",
        ));
    }
    if matches_any(req.headers().get(header::IF_NONE_MATCH), &etag) {
        return Ok(response
            .status(actix_web::http::StatusCode::NOT_MODIFIED)
            .finish());
    }
    let range = wanted_range(&req, &etag, size)?;
    response.insert_header((header::CONTENT_TYPE, mime));
    let length = range.as_ref().map_or(size, |r| r.end - r.start);
    if let Some(range) = &range {
        response
            .status(actix_web::http::StatusCode::PARTIAL_CONTENT)
            .insert_header((
                header::CONTENT_RANGE,
                format!("bytes {}-{}/{size}", range.start, range.end - 1),
            ));
    }
    response.insert_header((header::CONTENT_LENGTH, length));
    // actix writes the length from the body's size: a HEAD answer carries a body of the
    // file's length that is never read (actix sends no body for HEAD), so it says it truly.
    let stream = if req.method() == actix_web::http::Method::HEAD {
        futures_util::stream::empty().boxed()
    } else {
        settings.store.read(&key, range).await?
    };
    Ok(response.body(actix_web::body::SizedStream::new(length, stream)))
}

/// Whether `If-None-Match` names `etag` (or is `*`).
fn matches_any(header: Option<&HeaderValue>, etag: &str) -> bool {
    header.and_then(|v| v.to_str().ok()).is_some_and(|tags| {
        tags.split(',')
            .map(str::trim)
            .any(|tag| tag == "*" || tag == etag || tag.strip_prefix("W/") == Some(etag))
    })
}

/// The one byte range asked for, as a half-open range; `None` for the whole file (no
/// `Range`, one that is not understood, several, or an `If-Range` that no longer holds).
fn wanted_range(
    req: &HttpRequest,
    etag: &str,
    size: u64,
) -> ApiResult<Option<std::ops::Range<u64>>> {
    let Some(range) = req
        .headers()
        .get(header::RANGE)
        .and_then(|v| v.to_str().ok())
    else {
        return Ok(None);
    };
    if let Some(condition) = req.headers().get(header::IF_RANGE)
        && condition.as_bytes() != etag.as_bytes()
    {
        return Ok(None);
    }
    use http_range_header::RangeUnsatisfiableError as Refused;
    match http_range_header::parse_range_header(range).and_then(|r| r.validate(size)) {
        Ok(ranges) if ranges.len() == 1 => {
            let range = &ranges[0];
            Ok(Some(*range.start()..*range.end() + 1))
        }
        Ok(_) => Ok(None),
        Err(Refused::Unsatisfiable) => Err(ApiError::RangeNotSatisfiable { size }),
        Err(_) => Ok(None),
    }
}
