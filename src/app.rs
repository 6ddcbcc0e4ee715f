//! The HTTP application: the shared state, the routes of the route table, and the middleware
//! around them.

use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::middleware::{Compress, Condition, Next, from_fn};
use actix_web::{App, HttpResponse, web};
use tracing::Instrument;
use utoipa_actix_web::AppExt;
use utoipa_swagger_ui::{Config as SwaggerConfig, SwaggerUi};

use crate::auth::AuthSettings;
use crate::db::Db;
use crate::http::caching::{CachePolicy, conditional_get};
use crate::http::client::ClientAddress;
use crate::http::cursor::CursorKey;
use crate::http::extract::BodyTimeout;
use crate::http::guard::{self, Guard};
use crate::http::response_cache::ResponseCache;
use crate::http::route_table::RouteTable;
use crate::media::settings::MediaSettings;
use crate::posts::service::Editorial;
use crate::routes::{self, OPENAPI_PATH};
use crate::webhooks::delivery::WebhookSettings;

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
    /// The routes' methods and public reads, for middleware.
    pub routes: web::Data<RouteTable>,
    /// The OpenAPI document, serialised once.
    pub document: web::Data<ApiDocument>,
    /// How much history posts keep, and how long preview links work.
    pub editorial: web::Data<Editorial>,
    /// How webhooks are delivered.
    pub webhooks: web::Data<WebhookSettings>,
    /// Where media is stored, and how it is taken and served.
    pub media: web::Data<MediaSettings>,
    /// Jobs this instance runs at once.
    pub job_concurrency: usize,
}

/// The OpenAPI document as served.
pub struct ApiDocument(web::Bytes);

impl ApiDocument {
    pub fn of(doc: &utoipa::openapi::OpenApi) -> ApiDocument {
        ApiDocument(web::Bytes::from(
            doc.to_json().expect("the OpenAPI document serialises"),
        ))
    }
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
    let app = App::new()
        // Before the API scope, which would otherwise claim the path.
        .route(OPENAPI_PATH, web::get().to(serve_openapi))
        .into_utoipa_app()
        .configure(routes::register)
        .into_app()
        // Ghost's contract, documented by Ghost: not part of Folio's own document.
        .configure(crate::ghost::routes::routes);
    app.app_data(state.document)
        .app_data(state.db)
        .app_data(state.auth)
        .app_data(state.client)
        .app_data(state.guard)
        .app_data(web::Data::new(BodyTimeout(state.body_timeout)))
        .app_data(state.cursors)
        .app_data(web::PayloadConfig::new(state.body_limit))
        .app_data(web::Data::new(state.cache))
        .app_data(state.responses)
        .app_data(crate::http::path_config())
        .app_data(state.routes)
        .app_data(state.editorial)
        .app_data(state.webhooks)
        .app_data(state.media)
        .app_data(web::Data::new(crate::ghost::edge::Admitted::default()))
        // Interactive documentation, every asset served from the binary (no CDN).
        .service(SwaggerUi::new("/docs/{_:.*}").config(SwaggerConfig::new([OPENAPI_PATH])))
        .route(
            "/docs",
            web::get().to(|| async {
                HttpResponse::PermanentRedirect()
                    .insert_header((actix_web::http::header::LOCATION, "/docs/"))
                    .finish()
            }),
        )
        .default_service(web::to(crate::http::no_route))
        .wrap(from_fn(crate::http::catch_panic))
        // Inside compression: validators describe the representation, whatever its encoding.
        .wrap(from_fn(conditional_get))
        // Before the cache (a read is served only with a good key), after compression (it
        // rewrites error bodies).
        .wrap(from_fn(crate::ghost::edge::edge))
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

async fn serve_openapi(doc: web::Data<ApiDocument>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/json")
        .body(doc.0.clone())
}

/// One line per request (method, path, status, duration), and a span around its handling, so
/// that what is logged meanwhile (an internal error's causes, say) names its request.
async fn log_request(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = Instant::now();
    let method = req.method().clone();
    let path = req.path().to_owned();
    let span = tracing::info_span!("request", %method, path);
    let response = next.call(req).instrument(span.clone()).await?;
    span.in_scope(|| {
        tracing::info!(
            %method,
            path,
            status = response.status().as_u16(),
            micros = started.elapsed().as_micros() as u64,
            "request"
        )
    });
    Ok(response)
}
