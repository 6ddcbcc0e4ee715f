//! What stands between the internet and the handlers: a per-client request rate, limits on
//! the size of a request's head, CORS, and the security headers on every answer.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use actix_cors::Cors;
use actix_web::body::{BoxBody, MessageBody, to_bytes};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::web;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};

use super::client::client_ip;
use super::problem::{PROBLEM_JSON, Problem};
use crate::auth::KEY_HEADER;
use crate::auth::throttle::network;
use crate::error::ApiError;

/// Past this many tracked clients, the ones back at a full allowance are forgotten.
const TRACKED_CLIENTS: usize = 10_000;

/// Per-instance limits on every request.
pub struct Guard {
    limiter: Option<DefaultKeyedRateLimiter<IpAddr>>,
    query_limit: usize,
    header_limit: usize,
    started: Instant,
    /// Seconds after `started` of the last sweep of idle clients.
    last_sweep: AtomicU64,
}

impl Guard {
    /// `per_minute` requests per client address (with bursts of as many); 0 is no limit.
    pub fn new(per_minute: u32, query_limit: usize, header_limit: usize) -> Guard {
        Guard {
            limiter: NonZeroU32::new(per_minute)
                .map(|n| DefaultKeyedRateLimiter::hashmap(Quota::per_minute(n))),
            query_limit,
            header_limit,
            started: Instant::now(),
            last_sweep: AtomicU64::new(0),
        }
    }

    /// Drops clients back at a full allowance, at most once a second: the sweep walks every
    /// tracked client under the limiter's lock.
    fn forget_idle_clients(&self, limiter: &DefaultKeyedRateLimiter<IpAddr>) {
        let now = self.started.elapsed().as_secs();
        let last = self.last_sweep.load(Ordering::Relaxed);
        if now > last
            && limiter.len() > TRACKED_CLIENTS
            && self
                .last_sweep
                .compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed)
                .is_ok()
        {
            limiter.retain_recent();
        }
    }

    fn admit(&self, req: &ServiceRequest) -> Result<(), ApiError> {
        if req.query_string().len() > self.query_limit {
            return Err(ApiError::UriTooLong(format!(
                "The query string is longer than the {} bytes this server accepts.",
                self.query_limit
            )));
        }
        let header_bytes: usize = req
            .headers()
            .iter()
            .map(|(name, value)| name.as_str().len() + value.len())
            .sum();
        if header_bytes > self.header_limit {
            return Err(ApiError::HeadersTooLarge(format!(
                "The request headers are larger than the {} bytes this server accepts.",
                self.header_limit
            )));
        }
        // Probes from load balancers are not clients.
        if matches!(req.path(), "/healthz" | "/readyz") {
            return Ok(());
        }
        let (Some(limiter), Some(address)) = (&self.limiter, client_ip(req.request())) else {
            return Ok(());
        };
        self.forget_idle_clients(limiter);
        limiter.check_key(&network(address)).map_err(|not_until| {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            ApiError::TooManyRequests {
                detail: "This client is making requests faster than this server allows; slow down."
                    .into(),
                retry_after: wait.as_secs() + u64::from(wait.subsec_nanos() > 0),
            }
        })
    }
}

/// Middleware: refuses what [`Guard`] does not admit, before any work is done for it.
pub async fn guard(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let refusal = match req.app_data::<web::Data<Guard>>() {
        Some(guard) => guard.admit(&req).err(),
        None => None,
    };
    match refusal {
        Some(err) => Ok(req.error_response(err)),
        None => Ok(next.call(req).await?.map_into_boxed_body()),
    }
}

/// CORS for the configured origins (`*` for any). Credentials are tokens and keys sent in
/// headers, never cookies, so no origin is ever given credentialed access.
pub fn cors(origins: &[String], max_age: Duration) -> Cors {
    let mut cors = Cors::default()
        .allowed_methods([
            Method::GET,
            Method::HEAD,
            Method::POST,
            Method::PATCH,
            Method::DELETE,
        ])
        .allowed_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::IF_MATCH,
            header::IF_NONE_MATCH,
            header::IF_MODIFIED_SINCE,
            HeaderName::from_static(KEY_HEADER),
            // Sent by Ghost's browser client.
            HeaderName::from_static("accept-version"),
        ])
        .expose_headers([
            header::ETAG,
            header::LAST_MODIFIED,
            header::LINK,
            header::LOCATION,
            header::RETRY_AFTER,
        ])
        .max_age(usize::try_from(max_age.as_secs()).ok())
        // A request from another origin is still answered; the browser withholds the answer
        // from a page the origin list does not name. Non-browser clients send no `Origin`.
        .block_on_origin_mismatch(false)
        // Ghost's Content API answers every origin, as Ghost does.
        .allowed_origin_fn(|_, head| head.uri.path().starts_with("/ghost/api/"));
    for origin in origins {
        cors = match origin.as_str() {
            "*" => cors.allow_any_origin().send_wildcard(),
            origin => cors.allowed_origin(origin),
        };
    }
    cors
}

/// Middleware at the edge: every answer leaves with the security headers, and error answers
/// made outside Folio's handlers (a refused CORS preflight, say), which come as plain text,
/// leave as problem+json like every other error. The API serves JSON only, so it may forbid
/// everything else; the docs page runs scripts, so its policy is left to it, and a handler
/// that sets a policy of its own (an SVG file's sandbox) keeps it.
pub async fn edge(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let is_docs = req.path().starts_with("/docs");
    let mut response = as_problem(next.call(req).await?).await;
    let headers = response.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    if !is_docs && !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'"),
        );
    }
    Ok(response)
}

async fn as_problem(
    response: ServiceResponse<impl MessageBody + 'static>,
) -> ServiceResponse<BoxBody> {
    let status = response.status();
    // JSON error bodies are Folio's own: problem+json, or the Ghost Content API's errors.
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| {
            v.as_bytes() == PROBLEM_JSON.as_bytes() || v.as_bytes().starts_with(b"application/json")
        });
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return response.map_into_boxed_body();
    }
    let (request, response) = response.into_parts();
    let (mut head, body) = response.into_parts();
    let text = to_bytes(body).await.unwrap_or_default();
    let text = String::from_utf8_lossy(&text);
    let detail = match text.trim() {
        // Only a short sentence is passed on; anything else might be internals.
        t if !t.is_empty() && t.len() <= 200 && !t.contains('\n') => t.to_owned(),
        _ => status
            .canonical_reason()
            .unwrap_or("The request failed")
            .to_owned(),
    };
    let problem = Problem::for_status(status, &detail);
    let headers = head.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
    headers.remove(header::CONTENT_LENGTH);
    headers.remove(header::CONTENT_ENCODING);
    let body = serde_json::to_vec(&problem).unwrap_or_default();
    ServiceResponse::new(request, head.set_body(BoxBody::new(body)))
}

#[cfg(test)]
mod tests {
    use actix_web::test::TestRequest;

    use super::*;

    #[test]
    fn long_query_strings_and_heavy_heads_are_refused() {
        let guard = Guard::new(0, 16, 64);
        let ok = TestRequest::with_uri("/api/v1/posts?limit=5").to_srv_request();
        assert!(guard.admit(&ok).is_ok());
        let long = TestRequest::with_uri("/api/v1/posts?q=0123456789abcdef").to_srv_request();
        assert!(matches!(guard.admit(&long), Err(ApiError::UriTooLong(_))));
        let heavy = TestRequest::with_uri("/")
            .insert_header(("x-padding", "x".repeat(64)))
            .to_srv_request();
        assert!(matches!(
            guard.admit(&heavy),
            Err(ApiError::HeadersTooLarge(_))
        ));
    }

    #[test]
    fn each_client_gets_its_own_allowance() {
        let guard = Guard::new(2, 4096, 16 * 1024);
        let from = |ip: &str| {
            TestRequest::with_uri("/api/v1/posts")
                .peer_addr(format!("{ip}:4000").parse().unwrap())
                .to_srv_request()
        };
        assert!(guard.admit(&from("192.0.2.1")).is_ok());
        assert!(guard.admit(&from("192.0.2.1")).is_ok());
        match guard.admit(&from("192.0.2.1")) {
            Err(ApiError::TooManyRequests { retry_after, .. }) => {
                assert!((1..=30).contains(&retry_after), "{retry_after}")
            }
            other => panic!("{other:?}"),
        }
        assert!(guard.admit(&from("192.0.2.2")).is_ok());
        let probe = TestRequest::with_uri("/healthz")
            .peer_addr("192.0.2.1:4000".parse().unwrap())
            .to_srv_request();
        assert!(guard.admit(&probe).is_ok());
    }
}
