//! Cross-cutting HTTP: problem+json rendering, extractors (the caller, bodies, parameters),
//! conditional requests and caching, cursors and list envelopes, the guard in front of the
//! API, and the answers for requests no route takes.

pub mod caching;
pub mod caller;
pub mod client;
pub mod conditional;
pub mod cursor;
pub mod extract;
pub mod guard;
pub mod pagination;
pub mod problem;
pub mod response_cache;
pub mod route_table;

use std::panic::AssertUnwindSafe;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header;
use actix_web::middleware::Next;
use actix_web::{HttpRequest, HttpResponse, ResponseError, web};
use futures_util::FutureExt;

use crate::error::ApiError;
use route_table::RouteTable;

/// The default service: `405` with `Allow` for a known path, else `404`.
pub async fn no_route(
    req: HttpRequest,
    routes: web::Data<RouteTable>,
) -> Result<HttpResponse, ApiError> {
    Err(match routes.allowed(req.path()) {
        Some(allowed) => ApiError::MethodNotAllowed { allowed },
        None => ApiError::NotFound(format!("There is nothing at {}.", req.path())),
    })
}

/// Turns a panic in a handler into an opaque `500` problem, instead of a dropped connection.
pub async fn catch_panic(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    // The request cannot be cloned here: routing needs it unshared. Keep what a stand-in needs.
    let (method, uri) = (req.method().clone(), req.uri().clone());
    match AssertUnwindSafe(next.call(req)).catch_unwind().await {
        Ok(response) => response.map(ServiceResponse::map_into_boxed_body),
        Err(_) => {
            let err = ApiError::internal(format!("the handler for {method} {uri} panicked"));
            // The real request went down with the handler; a stand-in carries the response out.
            let stand_in = actix_web::test::TestRequest::default()
                .method(method)
                .uri(&uri.to_string())
                .to_http_request();
            Ok(ServiceResponse::new(stand_in, err.error_response()))
        }
    }
}

/// Answers for errors raised by actix itself before a handler runs (path segments that do not
/// parse, for example), which would otherwise be plain text.
pub fn path_config() -> web::PathConfig {
    web::PathConfig::default().error_handler(|err, _| {
        ApiError::NotFound(format!("There is nothing at this address: {err}.")).into()
    })
}

/// What a representation's `Last-Modified` is, and about how large it serialises.
pub trait Modified {
    fn last_modified(&self) -> chrono::DateTime<chrono::Utc>;

    /// About how many bytes of JSON it makes: the body is written into one buffer of that
    /// size, not grown (and copied) step by step up to a quarter megabyte for a list.
    fn size_hint(&self) -> usize {
        1024
    }
}

/// Finishes `response` with `value` as JSON, written into one buffer of `size_hint` bytes.
fn json(
    mut response: actix_web::HttpResponseBuilder,
    value: &impl serde::Serialize,
    size_hint: usize,
) -> HttpResponse {
    let mut body = Vec::with_capacity(size_hint);
    match serde_json::to_writer(&mut body, value) {
        Ok(()) => response
            .insert_header(header::ContentType::json())
            .body(body),
        Err(err) => ApiError::internal(err).error_response(),
    }
}

pub fn http_date(t: chrono::DateTime<chrono::Utc>) -> header::HttpDate {
    header::HttpDate::from(std::time::SystemTime::from(t))
}

/// One resource, with its version as the `ETag` (the caching middleware adds a hash of the
/// representation) and its `Last-Modified`.
pub fn one<T: serde::Serialize + Modified>(value: &T, version: i64) -> HttpResponse {
    let mut response = HttpResponse::Ok();
    response
        .insert_header(header::ETag(conditional::etag(version)))
        .insert_header(header::LastModified(http_date(value.last_modified())));
    json(response, value, value.size_hint())
}

/// The path of the route named `route` (its operation id) for `segment`, as the route table
/// builds it: where a new resource is, or where an old link now leads.
pub fn location(req: &HttpRequest, route: &str, segment: &str) -> Result<String, ApiError> {
    req.url_for(route, [segment])
        .map(|url| url.path().to_owned())
        .map_err(ApiError::internal)
}

/// A new resource: `201`, its address in `Location`, its version as the `ETag`.
pub fn created<T: serde::Serialize>(value: &T, version: i64, location: &str) -> HttpResponse {
    HttpResponse::Created()
        .insert_header(header::ETag(conditional::etag(version)))
        .insert_header((header::LOCATION, location))
        .json(value)
}

/// A page of a collection, with RFC 8288 `Link`s to its neighbours.
pub fn list<T: serde::Serialize + Modified>(
    req: &HttpRequest,
    list: &pagination::ListResponse<T>,
) -> HttpResponse {
    let mut response = HttpResponse::Ok();
    if let Some(links) = list.link_header(req.path(), req.query_string()) {
        response.insert_header((header::LINK, links));
    }
    if let Some(newest) = list.data.iter().map(Modified::last_modified).max() {
        response.insert_header(header::LastModified(http_date(newest)));
    }
    let size = list.data.iter().map(Modified::size_hint).sum::<usize>() + 512;
    json(response, list, size)
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::{App, test};

    #[actix_web::test]
    async fn a_panicking_handler_answers_problem_json() {
        let app = test::init_service(
            App::new()
                .wrap(actix_web::middleware::from_fn(catch_panic))
                .route(
                    "/boom",
                    web::get().to(|| async { panic!("kaboom") as HttpResponse }),
                ),
        )
        .await;
        let res =
            test::call_service(&app, test::TestRequest::get().uri("/boom").to_request()).await;
        assert_eq!(res.status(), 500);
        assert_eq!(
            res.headers().get("content-type").unwrap(),
            problem::PROBLEM_JSON
        );
        let body = test::read_body(res).await;
        let text = String::from_utf8_lossy(&body);
        assert!(!text.contains("kaboom"), "{text}");
    }
}
