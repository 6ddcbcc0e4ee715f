//! The HTTP application: every route, the shared state, and the middleware around them.

use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::middleware::{Compress, Condition, Next, from_fn};
use actix_web::{App, HttpResponse, web};
use utoipa::OpenApi;
use utoipa_actix_web::service_config::ServiceConfig;
use utoipa_actix_web::{AppExt, scope};
use utoipa_swagger_ui::{Config as SwaggerConfig, SwaggerUi};

use crate::auth::AuthSettings;
use crate::db::Db;
use crate::http::caching::{CachePolicy, conditional_get};
use crate::http::client::ClientAddress;
use crate::http::cursor::CursorKey;
use crate::http::extract::BodyTimeout;
use crate::http::guard::{self, Guard};
use crate::http::response_cache::ResponseCache;
use crate::http::{self, RouteTable};
use crate::openapi::ApiDoc;
use crate::{authors, health, keys, posts, tags};

pub const API_PREFIX: &str = "/api/v1";

/// How long browsers may remember a CORS preflight answer.
const PREFLIGHT_MAX_AGE: std::time::Duration = std::time::Duration::from_secs(3600);

/// Everything a running server shares between workers.
#[derive(Clone)]
pub struct AppState {
    pub db: web::Data<Db>,
    pub auth: web::Data<AuthSettings>,
    /// Who a request comes from, behind proxies or not.
    pub client: web::Data<ClientAddress>,
    /// Per-client request rate and request-head limits, shared by every worker.
    pub guard: web::Data<Guard>,
    /// Origins whose browser apps may call the API.
    pub cors_origins: Vec<String>,
    /// How long a client may take to send a request's head, and again its body.
    pub body_timeout: std::time::Duration,
    /// Signs list cursors.
    pub cursors: web::Data<CursorKey>,
    /// Largest request body accepted, in bytes.
    pub body_limit: usize,
    pub cache: CachePolicy,
    /// Anonymous reads kept in memory.
    pub responses: web::Data<ResponseCache>,
}

/// Whether `path` is a read anyone may make of content, and so may come from the
/// [`ResponseCache`].
pub fn is_public_read(path: &str) -> bool {
    ["posts", "authors", "tags"].iter().any(|resource| {
        path.strip_prefix(API_PREFIX)
            .and_then(|rest| rest.strip_prefix('/'))
            .and_then(|rest| rest.strip_prefix(resource))
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
    })
}

/// Registers every documented route; also how the OpenAPI document is collected.
pub fn register(cfg: &mut ServiceConfig) {
    cfg.service(health::healthz)
        .service(health::readyz)
        .service(
            scope(API_PREFIX)
                .configure(crate::auth::routes::routes)
                .configure(authors::routes::routes)
                .configure(keys::routes::routes)
                .configure(posts::routes::routes)
                .configure(tags::routes::routes),
        );
}

pub fn app(
    state: AppState,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    let openapi_path = format!("{API_PREFIX}/openapi.json");
    let (app, mut doc) = App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        // Before the API scope, which would otherwise claim the path.
        .map(|app| app.route(&openapi_path, web::get().to(serve_openapi)))
        .configure(register)
        .split_for_parts();
    crate::openapi::finish(&mut doc);
    let routes = RouteTable::from_openapi(&doc).with(&openapi_path, &[Method::GET]);
    let doc_json = OpenApiJson(web::Bytes::from(
        doc.to_json().expect("the OpenAPI document serialises"),
    ));
    app.app_data(web::Data::new(doc_json))
        .app_data(state.db)
        .app_data(state.auth)
        .app_data(state.client)
        .app_data(state.guard)
        .app_data(web::Data::new(BodyTimeout(state.body_timeout)))
        .app_data(state.cursors)
        .app_data(web::PayloadConfig::new(state.body_limit))
        .app_data(web::Data::new(state.cache))
        .app_data(state.responses)
        .app_data(http::path_config())
        .app_data(web::Data::new(routes))
        // Interactive documentation, every asset served from the binary (no CDN).
        .service(SwaggerUi::new("/docs/{_:.*}").config(SwaggerConfig::new([openapi_path])))
        .route(
            "/docs",
            web::get().to(|| async {
                HttpResponse::PermanentRedirect()
                    .insert_header((actix_web::http::header::LOCATION, "/docs/"))
                    .finish()
            }),
        )
        .default_service(web::to(http::no_route))
        .wrap(from_fn(http::catch_panic))
        // Inside compression: validators describe the representation, whatever its encoding.
        .wrap(from_fn(conditional_get))
        .wrap(Compress::default())
        // Refusals are cheap, so they come before any work, and inside CORS so that a
        // browser can read them.
        .wrap(from_fn(guard::guard))
        // Without origins to allow, there is nothing for CORS to do on any request.
        .wrap(Condition::new(
            !state.cors_origins.is_empty(),
            guard::cors(&state.cors_origins, PREFLIGHT_MAX_AGE),
        ))
        .wrap(from_fn(guard::edge))
        .wrap(from_fn(log_request))
}

/// The OpenAPI document, serialised once.
struct OpenApiJson(web::Bytes);

async fn serve_openapi(doc: web::Data<OpenApiJson>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(doc.0.clone())
}

/// One line per request: method, path, status, duration.
async fn log_request(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = Instant::now();
    let method = req.method().clone();
    let path = req.path().to_owned();
    let response = next.call(req).await?;
    tracing::info!(
        %method,
        path,
        status = response.status().as_u16(),
        micros = started.elapsed().as_micros() as u64,
        "request"
    );
    Ok(response)
}
