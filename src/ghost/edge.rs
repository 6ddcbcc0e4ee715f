//! Middleware in front of the Ghost Content API, doing what Ghost does before and after a
//! read: the legacy `/v2/`…`/v4/` and `canary` prefixes (served, with `Deprecation`), the
//! trailing-slash redirect, CORS for any origin, GET only, the content key in `?key=` with
//! Ghost's errors for each way it can be wrong, and on the way out Ghost's headers (weak
//! `ETag`, `Cache-Control`, `Vary`, `Content-Version`) and Ghost's error body in place of a
//! problem. It runs before the response cache, so no answer is served without a good key.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use actix_web::body::{BoxBody, MessageBody, to_bytes};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderMap, HeaderName, HeaderValue};
use actix_web::http::{Method, StatusCode, Uri};
use actix_web::middleware::Next;
use actix_web::{HttpResponse, web};
use serde_json::Value;

use super::view;
use crate::auth::KEY_PARAM;
use crate::auth::keys::{KeyHolder, authenticate};
use crate::db::Db;
use crate::error::ApiError;

const ROOT: &str = "/ghost/api/";
const CONTENT: &str = "/ghost/api/content/";

/// What Ghost's error answers carry, so that nothing keeps one; a read that finds nothing
/// has its own wording.
const ERROR_CACHE_CONTROL: &str =
    "no-cache, private, no-store, must-revalidate, max-stale=0, post-check=0, pre-check=0";
const NOT_FOUND_CACHE_CONTROL: &str =
    "no-cache, max-age=0, no-store, must-revalidate, max-stale=0, post-check=0, pre-check=0";
const CONTENT_VERSION: HeaderName = HeaderName::from_static("content-version");
const DEPRECATION: HeaderName = HeaderName::from_static("deprecation");

/// Where a request under `/ghost/api/` goes: the path it is served at, and the legacy
/// version it named, if any. `None`: nothing Ghost serves (`/v5/`, the Admin API).
fn route(path: &str) -> Option<(String, Option<&'static str>)> {
    let rest = path.strip_prefix(ROOT)?;
    if rest.starts_with("content/") || rest == "content" {
        return Some((path.to_owned(), None));
    }
    let (version, tail) = rest.split_once('/')?;
    let version = match version {
        "v2" => "v2",
        "v3" => "v3",
        "v4" | "canary" => "v4",
        _ => return None,
    };
    (tail.starts_with("content/") || tail == "content")
        .then(|| (format!("{ROOT}{tail}"), Some(version)))
}

/// One of the errors Ghost answers before a read, with its `type`, message and code.
fn refusal(
    status: StatusCode,
    message: &str,
    context: Option<&str>,
    code: Option<&str>,
) -> HttpResponse {
    let body = view::error(view::error_type(status.as_u16()), message, context, code);
    HttpResponse::build(status)
        .content_type("application/json; charset=utf-8")
        .body(body)
}

fn not_found() -> HttpResponse {
    refusal(StatusCode::NOT_FOUND, "Resource not found", None, None)
}

/// Why a request has no key to check.
#[derive(Debug, PartialEq, Eq)]
enum NoKey {
    Missing,
    Repeated,
}

impl NoKey {
    /// Ghost's answer.
    fn response(self) -> HttpResponse {
        match self {
            NoKey::Missing => no_key(),
            NoKey::Repeated => refusal(
                StatusCode::BAD_REQUEST,
                "Invalid Request",
                None,
                Some("INVALID_REQUEST"),
            ),
        }
    }
}

/// The content key of `query`.
fn key_of(query: &str) -> Result<String, NoKey> {
    let keys: Vec<String> = url::form_urlencoded::parse(query.as_bytes())
        .filter(|(name, _)| name == KEY_PARAM)
        .map(|(_, value)| value.into_owned())
        .collect();
    match keys.as_slice() {
        [] => Err(NoKey::Missing),
        [key] if key.is_empty() => Err(NoKey::Missing),
        [key] => Ok(key.clone()),
        _ => Err(NoKey::Repeated),
    }
}

fn no_key() -> HttpResponse {
    refusal(
        StatusCode::FORBIDDEN,
        "Authorization failed",
        Some(
            "Unable to determine the authenticated member or integration. Check the supplied \
             Content API Key and ensure cookies are being passed through if member auth is \
             failing.",
        ),
        None,
    )
}

/// How long a content key found good is taken as good without asking the database again.
const ADMITTED_FOR: Duration = Duration::from_secs(1);
/// Keys remembered at most (a frontend has one; this bounds what many could hold).
const ADMITTED_MAX: usize = 1024;

/// Content keys found good within [`ADMITTED_FOR`], when each was. A read the response cache
/// answers would otherwise spend as long on its key's query as on everything else; a key
/// revoked meanwhile reads on for at most that second. Keys found bad are asked about each
/// time.
#[derive(Debug, Default)]
pub struct Admitted(Mutex<HashMap<String, Instant>>);

impl Admitted {
    fn fresh(&self, key: &str) -> bool {
        let admitted = self.0.lock().unwrap_or_else(|e| e.into_inner());
        admitted
            .get(key)
            .is_some_and(|at| at.elapsed() < ADMITTED_FOR)
    }

    fn remember(&self, key: String) {
        let mut admitted = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if admitted.len() >= ADMITTED_MAX {
            admitted.retain(|_, at| at.elapsed() < ADMITTED_FOR);
            if admitted.len() >= ADMITTED_MAX {
                admitted.clear();
            }
        }
        admitted.insert(key, Instant::now());
    }
}

/// Checks `key` against Folio's keys: only a live content key reads; Ghost's answer for
/// any other.
async fn admit(
    db: &Db,
    admitted: Option<&Admitted>,
    key: String,
) -> Result<Result<(), HttpResponse>, ApiError> {
    if admitted.is_some_and(|a| a.fresh(&key)) {
        return Ok(Ok(()));
    }
    let checked = key.clone();
    let holder = db.run(move |conn| authenticate(conn, &checked)).await?;
    Ok(match holder {
        Some(KeyHolder::Content) => {
            if let Some(admitted) = admitted {
                admitted.remember(key);
            }
            Ok(())
        }
        Some(KeyHolder::Integration { .. }) => Err(refusal(
            StatusCode::UNAUTHORIZED,
            "Invalid API Key type",
            None,
            Some("INVALID_API_KEY_TYPE"),
        )),
        None => Err(refusal(
            StatusCode::UNAUTHORIZED,
            "Unknown Content API Key",
            None,
            Some("UNKNOWN_CONTENT_API_KEY"),
        )),
    })
}

/// Ghost's answer to a preflight: any origin, the headers asked for.
fn preflight(req: &ServiceRequest) -> HttpResponse {
    let mut response = HttpResponse::NoContent();
    response
        .insert_header((
            header::ACCESS_CONTROL_ALLOW_METHODS,
            "GET,HEAD,PUT,PATCH,POST,DELETE",
        ))
        .insert_header((header::ACCESS_CONTROL_MAX_AGE, "86400"))
        .insert_header((
            header::VARY,
            "Accept-Version, Access-Control-Request-Headers",
        ))
        .insert_header((header::CACHE_CONTROL, "public, max-age=0"));
    if let Some(asked) = req.headers().get(header::ACCESS_CONTROL_REQUEST_HEADERS) {
        response.insert_header((header::ACCESS_CONTROL_ALLOW_HEADERS, asked.clone()));
    }
    response.finish()
}

/// The permanent redirect to the slashed path, the query kept.
fn slashed(req: &ServiceRequest) -> HttpResponse {
    let location = match req.query_string() {
        "" => format!("{}/", req.path()),
        query => format!("{}/?{query}", req.path()),
    };
    HttpResponse::MovedPermanently()
        .insert_header((header::LOCATION, location))
        .insert_header((header::CACHE_CONTROL, "public, max-age=31536000"))
        .insert_header((header::VARY, "Accept-Version"))
        .finish()
}

/// The request, now at `path` (a legacy prefix taken off), the query kept.
fn rewrite(req: &mut ServiceRequest, path: &str) {
    let target = match req.query_string() {
        "" => path.to_owned(),
        query => format!("{path}?{query}"),
    };
    let mut parts = req.head().uri.clone().into_parts();
    let Ok(path_and_query) = target.parse() else {
        return;
    };
    parts.path_and_query = Some(path_and_query);
    if let Ok(uri) = Uri::from_parts(parts) {
        req.match_info_mut().get_mut().update(&uri);
        req.head_mut().uri = uri;
    }
}

/// Middleware: see the module's documentation. Other paths pass untouched.
pub async fn edge(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    if !req.path().starts_with(ROOT) {
        return Ok(next.call(req).await?.map_into_boxed_body());
    }
    let read = matches!(*req.method(), Method::GET | Method::HEAD);
    let answer = |req: ServiceRequest, response: HttpResponse, version| {
        let mut response = req.into_response(response);
        let status = response.status();
        dress(response.headers_mut(), status, read, version, None);
        Ok(response)
    };
    let Some((path, version)) = route(req.path()) else {
        return answer(req, not_found(), None);
    };
    if req.method() == Method::OPTIONS {
        let response = preflight(&req);
        return answer(req, response, version);
    }
    if !matches!(*req.method(), Method::GET | Method::HEAD) {
        return answer(req, not_found(), version);
    }
    if !req.path().ends_with('/') {
        let response = slashed(&req);
        return answer(req, response, version);
    }
    let key = match key_of(req.query_string()) {
        Ok(key) => key,
        Err(no) => return answer(req, no.response(), version),
    };
    let operation = Operation::of(&path);
    // Without the database no key can be checked: refused, never let through.
    let checked = match req.app_data::<web::Data<Db>>().cloned() {
        Some(db) => {
            let admitted = req.app_data::<web::Data<Admitted>>().cloned();
            admit(&db, admitted.as_ref().map(|a| a.get_ref()), key).await
        }
        None => Err(ApiError::internal("the database is not configured")),
    };
    match checked {
        Ok(Ok(())) => {}
        Ok(Err(refused)) => return answer(req, refused, version),
        Err(err) => {
            let mut response = as_ghost_error(req.error_response(err), operation).await;
            let status = response.status();
            dress(response.headers_mut(), status, read, version, None);
            return Ok(response);
        }
    }
    // The latest version's address, relative (RFC 8288 resolves it against the request's):
    // a forged Host must not be sent back.
    let latest = version.map(|_| match req.query_string() {
        "" => path.clone(),
        query => format!("{path}?{query}"),
    });
    if version.is_some() {
        rewrite(&mut req, &path);
    }
    let mut response = as_ghost_error(next.call(req).await?, operation).await;
    let status = response.status();
    dress(response.headers_mut(), status, read, version, latest);
    Ok(response)
}

/// Ghost's headers on every answer of the API (`read`: to a `GET` or `HEAD`).
fn dress(
    headers: &mut HeaderMap,
    status: StatusCode,
    read: bool,
    version: Option<&str>,
    latest: Option<String>,
) {
    let set = |headers: &mut HeaderMap, name: HeaderName, value: &str| {
        if let Ok(value) = HeaderValue::from_str(value) {
            headers.insert(name, value);
        }
    };
    set(
        headers,
        CONTENT_VERSION,
        &format!("v{}", view::GHOST_VERSION),
    );
    set(headers, header::ACCESS_CONTROL_ALLOW_ORIGIN, "*");
    if let Some(version) = version {
        set(headers, DEPRECATION, &format!("version=\"{version}\""));
        if let Some(latest) = latest {
            set(
                headers,
                header::LINK,
                &format!("<{latest}>; rel=\"latest-version\""),
            );
        }
    }
    if status.is_client_error() || status.is_server_error() {
        let cache_control = match status {
            StatusCode::NOT_FOUND if read => NOT_FOUND_CACHE_CONTROL,
            _ => ERROR_CACHE_CONTROL,
        };
        set(headers, header::CACHE_CONTROL, cache_control);
        set(headers, header::VARY, "Accept-Version, Accept-Encoding");
        return;
    }
    match status {
        StatusCode::OK | StatusCode::NOT_MODIFIED => {
            set(headers, header::CACHE_CONTROL, "public, max-age=0");
            set(
                headers,
                header::VARY,
                if status == StatusCode::OK {
                    "Accept-Version, Accept-Encoding"
                } else {
                    "Accept-Version"
                },
            );
            // Ghost's validators are weak: the same content, however encoded.
            if let Some(etag) = headers
                .get(header::ETAG)
                .and_then(|v| v.to_str().ok())
                .filter(|etag| !etag.starts_with("W/"))
            {
                let weak = format!("W/{etag}");
                set(headers, header::ETAG, &weak);
            }
        }
        _ => {}
    }
}

/// What a request asked of the API, for the words of its error.
#[derive(Debug, Clone, Copy)]
struct Operation {
    /// `(plural, singular)`, e.g. `("posts", "post")`.
    resource: Option<(&'static str, &'static str)>,
    browse: bool,
}

impl Operation {
    fn of(path: &str) -> Operation {
        let rest = path.strip_prefix(CONTENT).unwrap_or_default();
        let (first, tail) = rest.split_once('/').unwrap_or((rest, ""));
        let resource = match first {
            "posts" => Some(("posts", "post")),
            "pages" => Some(("pages", "page")),
            "authors" => Some(("authors", "author")),
            "tags" => Some(("tags", "tag")),
            "settings" => Some(("settings", "settings")),
            _ => None,
        };
        Operation {
            resource,
            browse: tail.is_empty(),
        }
    }

    /// Ghost's message for an error of `status` in this operation.
    fn message(self, status: StatusCode) -> String {
        let Some((plural, singular)) = self.resource else {
            return match status {
                StatusCode::NOT_FOUND => "Resource not found".to_owned(),
                status => status.canonical_reason().unwrap_or("Error").to_owned(),
            };
        };
        let what = if self.browse {
            format!("cannot list {plural}.")
        } else {
            format!("cannot read {singular}.")
        };
        let kind = match status {
            StatusCode::BAD_REQUEST => "Request not understood error",
            StatusCode::NOT_FOUND => "Resource not found error",
            StatusCode::UNPROCESSABLE_ENTITY => "Validation error",
            StatusCode::SERVICE_UNAVAILABLE => "Service unavailable error",
            StatusCode::TOO_MANY_REQUESTS => "Too many requests error",
            _ => "Internal server error",
        };
        format!("{kind}, {what}")
    }
}

/// A problem+json answer as Ghost's error body: the problem's detail (or its first field's
/// message) as Ghost's `context`, headers such as `Retry-After` kept.
async fn as_ghost_error(
    response: ServiceResponse<impl MessageBody + 'static>,
    operation: Operation,
) -> ServiceResponse<BoxBody> {
    let status = response.status();
    let is_problem = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes() == crate::http::problem::PROBLEM_JSON.as_bytes());
    if !(status.is_client_error() || status.is_server_error()) || !is_problem {
        return response.map_into_boxed_body();
    }
    let (request, response) = response.into_parts();
    let (mut head, body) = response.into_parts();
    let problem: Value = to_bytes(body)
        .await
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .unwrap_or_default();
    let context = problem["errors"][0]["message"]
        .as_str()
        .or_else(|| problem["detail"].as_str())
        .map(str::to_owned);
    // A route nobody serves is Ghost's bare "Resource not found".
    let context = match (status, operation.resource) {
        (StatusCode::NOT_FOUND, None) => None,
        _ => context,
    };
    let body = view::error(
        view::error_type(status.as_u16()),
        &operation.message(status),
        context.as_deref(),
        None,
    );
    let headers = head.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    headers.remove(header::CONTENT_LENGTH);
    ServiceResponse::new(request, head.set_body(BoxBody::new(body)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legacy_prefixes_are_served_and_v5_is_not() {
        assert_eq!(
            route("/ghost/api/content/posts/"),
            Some(("/ghost/api/content/posts/".into(), None))
        );
        assert_eq!(
            route("/ghost/api/v4/content/posts/"),
            Some(("/ghost/api/content/posts/".into(), Some("v4")))
        );
        assert_eq!(
            route("/ghost/api/canary/content/tags/x/"),
            Some(("/ghost/api/content/tags/x/".into(), Some("v4")))
        );
        assert_eq!(route("/ghost/api/v5/content/posts/"), None);
        assert_eq!(route("/ghost/api/admin/posts/"), None);
    }

    #[test]
    fn keys_are_read_as_ghost_reads_them() {
        assert_eq!(key_of("key=abc&limit=1").unwrap(), "abc");
        assert_eq!(key_of("limit=1"), Err(NoKey::Missing));
        assert_eq!(key_of("key="), Err(NoKey::Missing));
        assert_eq!(key_of("key=a&key=a"), Err(NoKey::Repeated));
        assert_eq!(NoKey::Missing.response().status(), 403);
        assert_eq!(NoKey::Repeated.response().status(), 400);
    }

    #[test]
    fn good_keys_are_remembered_for_a_moment_and_no_more_than_so_many() {
        let admitted = Admitted::default();
        assert!(!admitted.fresh("k"));
        admitted.remember("k".into());
        assert!(admitted.fresh("k"));
        admitted
            .0
            .lock()
            .unwrap()
            .insert("k".into(), Instant::now() - ADMITTED_FOR);
        assert!(!admitted.fresh("k"));
        for i in 0..ADMITTED_MAX + 10 {
            admitted.remember(i.to_string());
        }
        assert!(admitted.0.lock().unwrap().len() <= ADMITTED_MAX);
    }

    #[test]
    fn errors_speak_of_the_operation() {
        let of = |path| Operation::of(path);
        assert_eq!(
            of("/ghost/api/content/posts/").message(StatusCode::BAD_REQUEST),
            "Request not understood error, cannot list posts."
        );
        assert_eq!(
            of("/ghost/api/content/posts/slug/x/").message(StatusCode::NOT_FOUND),
            "Resource not found error, cannot read post."
        );
        assert_eq!(
            of("/ghost/api/content/nosuch/").message(StatusCode::NOT_FOUND),
            "Resource not found"
        );
    }
}
