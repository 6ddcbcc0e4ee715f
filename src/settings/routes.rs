//! The settings endpoints.

use actix_web::{HttpRequest, HttpResponse, get, patch, web};
use utoipa_actix_web::service_config::ServiceConfig;

use super::input::UpdateSettings;
use super::view::Settings;
use super::{policy, service, storage};
use crate::auth::Staff;
use crate::db::Db;
use crate::error::ApiResult;
use crate::http::caching::{CacheValidators, NotModified};
use crate::http::conditional::{IfMatch, expected};
use crate::http::extract::JsonBody;
use crate::http::problem::Problem;
use crate::http::problem::responses::{
    BodyRejected, SignInRequired, TokenRejected, VersionRejected,
};
use crate::http::{self as h};

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(get).service(update);
}

/// The site's settings.
///
/// Its name, description, images, locale and time zone, public address and permalinks,
/// navigation, social accounts and default SEO fields: everything a frontend needs to draw the
/// site. Public, and cached like every public read.
#[utoipa::path(
    operation_id = "getSettings",
    tag = "settings",
    params(CacheValidators),
    responses(
        NotModified,
        (status = 200, description = "The settings", body = Settings,
            headers(("ETag" = String, description = "The settings' version, for `If-Match`"))),
        TokenRejected,
    ),
    security((), ("bearer" = []), ("api_key" = []), ("api_key_query" = []))
)]
#[get("/settings")]
async fn get(db: web::Data<Db>) -> ApiResult<HttpResponse> {
    let row = db.run(storage::find).await?;
    let version = row.version;
    Ok(h::one(&Settings::view(row), version))
}

/// Change the settings. Admins and the owner. Needs the version you read (`If-Match` or
/// `version`).
#[utoipa::path(
    operation_id = "updateSettings",
    tag = "settings",
    params(IfMatch),
    request_body = UpdateSettings,
    responses(
        (status = 200, description = "The changed settings", body = Settings,
            headers(("ETag" = String, description = "The settings' new version"))),
        BodyRejected,
        SignInRequired,
        (status = 403, description = "Only admins and the owner change the settings", body = Problem, content_type = "application/problem+json"),
        VersionRejected,
        (status = 422, description = "A field is invalid", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[patch("/settings")]
async fn update(
    req: HttpRequest,
    db: web::Data<Db>,
    staff: Staff,
    JsonBody(body): JsonBody<UpdateSettings>,
) -> ApiResult<HttpResponse> {
    policy::may_change(&staff)?;
    let patch = body.validate()?;
    let expected = expected(&req, patch.version());
    let row = db
        .write(move |conn| service::update(conn, expected, patch))
        .await?;
    let version = row.version;
    Ok(h::one(&Settings::view(row), version))
}
