//! Probes for load balancers and orchestrators.

use actix_web::{HttpResponse, get, web};

use crate::db::Db;
use crate::error::{ApiError, ApiResult};
use crate::http::problem::Problem;

/// The process is up.
#[utoipa::path(
    operation_id = "healthz",
    tag = "health",
    responses((status = 200, description = "The server is running", body = String, content_type = "text/plain")),
    security(())
)]
#[get("/healthz")]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().content_type("text/plain").body("ok")
}

/// The database answers.
#[utoipa::path(
    operation_id = "readyz",
    tag = "health",
    responses(
        (status = 200, description = "Ready to serve", body = String, content_type = "text/plain"),
        (status = 503, description = "The database does not answer", body = Problem, content_type = "application/problem+json"),
    ),
    security(())
)]
#[get("/readyz")]
pub async fn readyz(db: web::Data<Db>) -> ApiResult<HttpResponse> {
    // Whatever the failure, the instance is not ready; what it was is for the log only.
    db.ping().await.map_err(ApiError::unavailable)?;
    Ok(HttpResponse::Ok().content_type("text/plain").body("ready"))
}
