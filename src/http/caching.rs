//! HTTP caching of reads: validators on every successful `GET` of JSON, or of a feed's or
//! sitemap's XML (a strong `ETag` over the exact bytes, and `Last-Modified`), `304 Not
//! Modified` for a matching `If-None-Match` or `If-Modified-Since`, and `Cache-Control` that
//! lets shared caches keep anonymous reads and nothing else.

use actix_web::body::{BoxBody, MessageBody, to_bytes};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, EntityTag, HeaderMap, HeaderValue, HttpDate};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::{HttpMessage, HttpResponse, web};

use super::caller::resolve_reader;
use super::extract::without_key;
use super::response_cache::{Claim, Lookup, NoStamp, ResponseCache};
use super::route_table::RouteTable;
use crate::auth::{AuthSettings, KEY_HEADER};
use crate::db::Db;
use crate::error::ApiError;

/// The conditional-request headers every `GET` of JSON honours, for the OpenAPI document.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Header)]
pub struct CacheValidators {
    /// An `ETag` you hold: `304` while it is still current.
    #[param(rename = "If-None-Match", nullable = false)]
    pub if_none_match: Option<String>,
    /// The `Last-Modified` you hold: `304` if nothing changed since (ignored when
    /// `If-None-Match` is sent).
    #[param(rename = "If-Modified-Since", nullable = false)]
    pub if_modified_since: Option<String>,
}

/// The answer to a conditional `GET` whose copy is current.
#[derive(utoipa::IntoResponses)]
pub enum NotModified {
    /// Your copy is current; no body.
    #[response(
        status = 304,
        description = "Your copy (named by If-None-Match or If-Modified-Since) is current; no body"
    )]
    NotModified,
}

/// How long shared caches and browsers may keep anonymous reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CachePolicy {
    /// Seconds a response stays fresh.
    pub max_age: u32,
    /// Seconds a stale response may still be served while it is revalidated.
    pub stale_while_revalidate: u32,
}

impl CachePolicy {
    fn public(self) -> String {
        format!(
            "public, max-age={}, stale-while-revalidate={}",
            self.max_age, self.stale_while_revalidate
        )
    }

    /// For the reader's own cache only.
    fn private(self) -> String {
        format!(
            "private, max-age={}, stale-while-revalidate={}",
            self.max_age, self.stale_while_revalidate
        )
    }
}

/// Who may see this answer decides who may keep it: signed-in callers get theirs only.
const PRIVATE: &str = "private, no-store";

/// The validator of a representation: the resource's version, when the handler named one (so
/// the tag still works in `If-Match`), and a hash of the bytes, which also changes when
/// embedded authors or tags change, or a scheduled post goes live.
fn entity_tag(version: Option<&str>, body: &[u8]) -> EntityTag {
    // xxh3: some twenty times the speed of the standard library's SipHash over a list's
    // quarter megabyte, and the same value in every instance and every release.
    let hash = xxhash_rust::xxh3::xxh3_64(body);
    match version {
        Some(v) => EntityTag::new_strong(format!("{v}-{hash:016x}")),
        None => EntityTag::new_strong(format!("{hash:016x}")),
    }
}

/// The conditional headers of a request: kept apart, since the request itself is handed on.
struct Conditions {
    if_none_match: Option<HeaderValue>,
    if_modified_since: Option<HeaderValue>,
}

impl Conditions {
    fn of(request: &HeaderMap) -> Conditions {
        Conditions {
            if_none_match: request.get(header::IF_NONE_MATCH).cloned(),
            if_modified_since: request.get(header::IF_MODIFIED_SINCE).cloned(),
        }
    }

    /// RFC 9110 §13.1.2 and §13.2.2: `If-None-Match` (weak comparison) wins; only without it
    /// is `If-Modified-Since` consulted.
    fn not_modified(&self, etag: &EntityTag, last_modified: Option<HttpDate>) -> bool {
        if let Some(value) = &self.if_none_match {
            let value = value.to_str().unwrap_or("");
            return value.trim() == "*"
                || value
                    .split(',')
                    .filter_map(|t| t.trim().parse::<EntityTag>().ok())
                    .any(|t| t.weak_eq(etag));
        }
        let since = self
            .if_modified_since
            .as_ref()
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<HttpDate>().ok());
        match (since, last_modified) {
            (Some(since), Some(modified)) => {
                std::time::SystemTime::from(modified) <= std::time::SystemTime::from(since)
            }
            _ => false,
        }
    }
}

/// What a request is, for caching.
struct Read {
    is_get: bool,
    /// A `GET` of content anyone may read (see [`RouteTable::is_public_read`]).
    public_read: bool,
    /// A public read that needs no key even where the API does (see
    /// [`RouteTable::is_open_read`]): any cache may keep it.
    open: bool,
    /// The caller sees what the public sees.
    public: bool,
}

/// Who is reading. Public reads learn their caller here, so that a reader with a content key
/// is served from the shared cache like an anonymous one; the handler then finds the caller
/// in the request's extensions. Other requests are public when they carry no credential.
async fn classify(req: &ServiceRequest) -> Result<Read, ApiError> {
    // A `HEAD` is answered as its `GET` (actix leaves the body out on the wire).
    let is_get = matches!(*req.method(), Method::GET | Method::HEAD);
    let routes = req.app_data::<web::Data<RouteTable>>();
    // Open reads answer everyone alike, whatever credential comes with them.
    let open = is_get && routes.is_some_and(|routes| routes.is_open_read(req.path()));
    let public_read =
        open || (is_get && routes.is_some_and(|routes| routes.is_public_read(req.path())));
    let public = if open {
        true
    } else if public_read {
        let caller = resolve_reader(req.request()).await?;
        let public = caller.is_public();
        req.extensions_mut().insert(caller);
        public
    } else {
        !req.headers().contains_key(header::AUTHORIZATION)
            && !req.headers().contains_key(KEY_HEADER)
    };
    Ok(Read {
        is_get,
        public_read,
        open,
        public,
    })
}

/// What the shared cache makes of a public read.
enum Shared {
    /// Not for the cache: render as usual.
    Bypass,
    /// Kept and current: the answer, ready.
    Hit(HttpResponse),
    /// Render it, and keep what is rendered.
    Render(Claim),
}

/// Looks the read up in the [`ResponseCache`]: served from it while it is current, else
/// claimed for rendering (readers of the same key meanwhile wait for that one rendering).
async fn look_up(
    req: &ServiceRequest,
    read: &Read,
    conditions: &Conditions,
) -> Result<Shared, ApiError> {
    let (Some(cache), Some(db)) = (
        req.app_data::<web::Data<ResponseCache>>(),
        req.app_data::<web::Data<Db>>(),
    ) else {
        return Ok(Shared::Bypass);
    };
    if !(read.public_read && read.public && cache.enabled()) {
        return Ok(Shared::Bypass);
    }
    // Read before the content, so a kept answer is never newer than its stamp says.
    let stamp = match cache.stamp(db).await {
        Ok(stamp) => stamp,
        // The read needs the database as much as its stamp did: answer now rather than make
        // the request wait for it twice.
        Err(NoStamp::Unavailable) => {
            return Err(ApiError::unavailable("the freshness stamp query failed"));
        }
        Err(NoStamp::Failed) => return Ok(Shared::Bypass),
    };
    let (cache, key) = (cache.clone().into_inner(), cache_key(req));
    loop {
        match cache.lookup(&key, &stamp) {
            Lookup::Hit(hit) => {
                return Ok(Shared::Hit(answer(
                    conditions,
                    &hit.headers,
                    hit.body.clone(),
                )));
            }
            Lookup::Wait(kept) => {
                if !Lookup::wait(kept).await {
                    return Ok(Shared::Bypass);
                }
            }
            Lookup::Render(mine) => return Ok(Shared::Render(mine)),
        }
    }
}

/// Middleware: validators and caching headers on successful JSON answers, `304` where the
/// client's copy is current, and anonymous reads served from the [`ResponseCache`] while
/// they are current.
pub async fn conditional_get(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let read = match classify(&req).await {
        Ok(read) => read,
        Err(err) => return Ok(req.error_response(err)),
    };
    let conditions = Conditions::of(req.headers());
    let claim = match look_up(&req, &read, &conditions).await {
        Ok(Shared::Hit(response)) => return Ok(req.into_response(response)),
        Ok(Shared::Render(claim)) => Some(claim),
        Ok(Shared::Bypass) => None,
        Err(err) => return Ok(req.error_response(err)),
    };
    let response = next.call(req).await?;
    validate(response, &read, &conditions, claim).await
}

/// Gives a rendered answer its validators and `Cache-Control`, keeps it for the cache when it
/// was claimed, and answers `304` when the client's copy is current. Only successful JSON
/// answers to reads (and versioned answers to writes, for their `ETag`) are touched.
async fn validate(
    response: ServiceResponse<impl MessageBody + 'static>,
    read: &Read,
    conditions: &Conditions,
    claim: Option<Claim>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let representation = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| is_representation(v.as_bytes()));
    let versioned = response.headers().contains_key(header::ETAG);
    if !response.status().is_success() || !representation || !(read.is_get || versioned) {
        return Ok(response.map_into_boxed_body());
    }

    let (request, response) = response.into_parts();
    let (mut head, body) = response.into_parts();
    let bytes = to_bytes(body)
        .await
        .map_err(|_| ApiError::internal("a response body could not be read"))?;
    let version = head
        .headers()
        .get(header::ETAG)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<EntityTag>().ok())
        .map(|t| t.tag().to_owned());
    let etag = entity_tag(version.as_deref(), &bytes);
    let headers = head.headers_mut();
    headers.insert(header::ETAG, etag_value(&etag));
    if !read.is_get {
        return Ok(ServiceResponse::new(
            request,
            head.set_body(BoxBody::new(bytes)),
        ));
    }
    // Where reading needs a content key, no shared cache may keep an answer: many key only
    // on the URL, and would hand it to readers without one. The reader's own cache may.
    let key_required = request
        .app_data::<web::Data<AuthSettings>>()
        .is_some_and(|s| s.content_key_required);
    let policy = request
        .app_data::<web::Data<CachePolicy>>()
        .map(|p| *p.get_ref());
    let cache_control = match (read.public, key_required && !read.open, policy) {
        (true, false, Some(policy)) => policy.public(),
        (true, true, Some(policy)) => policy.private(),
        _ => PRIVATE.to_owned(),
    };
    // A handler that says who may keep its answer decides (a preview's: its link is the
    // credential, so no one may).
    if !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_str(&cache_control).expect("cache-control is ASCII"),
        );
    }
    headers.insert(
        header::VARY,
        HeaderValue::from_static(if read.open {
            "Accept-Encoding"
        } else {
            "Authorization, X-Folio-Key, Accept-Encoding"
        }),
    );
    if head.status() != StatusCode::OK {
        return Ok(ServiceResponse::new(
            request,
            head.set_body(BoxBody::new(bytes)),
        ));
    }
    if let Some(claim) = claim {
        claim.keep(head.headers().clone(), bytes.clone());
    }
    Ok(ServiceResponse::new(
        request,
        answer(conditions, head.headers(), bytes),
    ))
}

/// Whether a response of this `Content-Type` is a representation of content: JSON, and the
/// XML of feeds and sitemaps. (Files and the document itself have validators of their own.)
fn is_representation(content_type: &[u8]) -> bool {
    let essence = content_type
        .split(|b| *b == b';')
        .next()
        .unwrap_or_default();
    matches!(
        essence,
        b"application/json" | b"application/rss+xml" | b"application/atom+xml" | b"application/xml"
    )
}

/// Where a public read is kept: its path and query, without the content key that may come
/// with it (every holder of a key reads the same thing).
fn cache_key(req: &ServiceRequest) -> String {
    format!("{}?{}", req.path(), without_key(req.query_string()))
}

/// A `200` with `headers` and `body`, or a bodiless `304` when the client's copy is current.
fn answer(conditions: &Conditions, headers: &HeaderMap, body: web::Bytes) -> HttpResponse {
    let etag = headers
        .get(header::ETAG)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<EntityTag>().ok());
    let last_modified = headers
        .get(header::LAST_MODIFIED)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<HttpDate>().ok());
    if etag.is_some_and(|etag| conditions.not_modified(&etag, last_modified)) {
        let mut not_modified = HttpResponse::new(StatusCode::NOT_MODIFIED);
        for name in [
            header::ETAG,
            header::CACHE_CONTROL,
            header::VARY,
            header::LAST_MODIFIED,
        ] {
            if let Some(value) = headers.get(&name) {
                not_modified.headers_mut().insert(name, value.clone());
            }
        }
        return not_modified;
    }
    let mut response = HttpResponse::with_body(StatusCode::OK, BoxBody::new(body));
    for (name, value) in headers {
        response.headers_mut().append(name.clone(), value.clone());
    }
    response
}

fn etag_value(etag: &EntityTag) -> HeaderValue {
    HeaderValue::from_str(&etag.to_string()).expect("an entity tag is a valid header value")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validators() {
        let a = entity_tag(Some("3"), b"{\"a\":1}");
        assert!(a.tag().starts_with("3-"));
        assert_ne!(a, entity_tag(Some("3"), b"{\"a\":2}"));
        assert_eq!(a, entity_tag(Some("3"), b"{\"a\":1}"));

        let mut request = HeaderMap::new();
        assert!(!Conditions::of(&request).not_modified(&a, None));
        request.insert(header::IF_NONE_MATCH, etag_value(&a));
        assert!(Conditions::of(&request).not_modified(&a, None));
        request.insert(
            header::IF_NONE_MATCH,
            HeaderValue::from_static("\"other\", W/\"x\""),
        );
        assert!(!Conditions::of(&request).not_modified(&a, None));
    }
}
