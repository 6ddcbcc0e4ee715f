//! The API keys endpoints.

use actix_web::{HttpRequest, HttpResponse, delete, get, post, web};
use utoipa_actix_web::service_config::ServiceConfig;

use super::input::CreateApiKey;
use super::view::{ApiKey, ApiKeyList, NewApiKey};
use super::{policy, service, storage};
use crate::auth::Staff;
use crate::db::Db;
use crate::error::ApiResult;
use crate::http::caching::{CacheValidators, NotModified};
use crate::http::extract::{JsonBody, PathSegment};
use crate::http::problem::Problem;
use crate::http::problem::responses::{BodyRejected, SignInRequired};
use crate::http::{self as h};
use crate::ids::KeyId;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list)
        .service(get)
        .service(create)
        .service(revoke);
}

/// Keys are secrets' records: no cache keeps them.
fn no_store(body: &impl serde::Serialize) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(body)
}

/// Every API key, revoked ones too, newest first.
#[utoipa::path(
    operation_id = "listKeys",
    tag = "keys",
    params(CacheValidators),
    responses(
        NotModified,
        (status = 200, description = "All keys, without their secrets", body = ApiKeyList),
        SignInRequired,
        (status = 403, description = "Only admins and the owner, signed in, manage keys", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/keys")]
async fn list(db: web::Data<Db>, staff: Staff) -> ApiResult<HttpResponse> {
    policy::may_manage(&staff)?;
    let rows = db.run(storage::list).await?;
    let data = rows.into_iter().map(ApiKey::view).collect();
    Ok(no_store(&ApiKeyList { data }))
}

/// One API key, without its secret.
#[utoipa::path(
    operation_id = "getKey",
    tag = "keys",
    params(CacheValidators, ("id" = String, Path, description = "The key's id")),
    responses(
        NotModified,
        (status = 200, description = "The key", body = ApiKey),
        SignInRequired,
        (status = 403, description = "Only admins and the owner, signed in, manage keys", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No key has this id", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/keys/{id}", name = "getKey")]
async fn get(
    db: web::Data<Db>,
    staff: Staff,
    id: web::Path<PathSegment>,
) -> ApiResult<HttpResponse> {
    policy::may_manage(&staff)?;
    let id = KeyId::from(id.into_inner().0);
    let row = db.run(move |conn| storage::find(conn, &id)).await?;
    Ok(no_store(&ApiKey::view(row)))
}

/// Make an API key. Its secret is in this answer only.
///
/// A content key reads published content, like an anonymous reader, and is safe to ship in
/// a frontend. An integration key acts for you, server to server, with the role you give it
/// (no more than your own); it stops working if your account is disabled or deleted.
#[utoipa::path(
    operation_id = "createKey",
    tag = "keys",
    request_body = CreateApiKey,
    responses(
        (status = 201, description = "The new key, with its secret", body = NewApiKey,
            headers(("Location" = String, description = "The key's URL"))),
        BodyRejected,
        SignInRequired,
        (status = 403, description = "Only admins and the owner, signed in, manage keys, with no more than their own role", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is invalid", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/keys")]
async fn create(
    req: HttpRequest,
    db: web::Data<Db>,
    staff: Staff,
    JsonBody(body): JsonBody<CreateApiKey>,
) -> ApiResult<HttpResponse> {
    policy::may_manage(&staff)?;
    let input = body.validate()?;
    policy::may_grant(&staff, input.role)?;
    let (row, secret) = db
        .write(move |conn| service::create(conn, &staff, input))
        .await?;
    let location = h::location(&req, "getKey", row.id.as_str())?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", location))
        .insert_header(("Cache-Control", "no-store"))
        .json(NewApiKey {
            key: ApiKey::view(row),
            secret,
        }))
}

/// Revoke an API key: it stops working on the next request. The record stays, as revoked.
#[utoipa::path(
    operation_id = "revokeKey",
    tag = "keys",
    params(("id" = String, Path, description = "The key's id")),
    responses(
        (status = 204, description = "The key is revoked (or already was)"),
        SignInRequired,
        (status = 403, description = "Only admins and the owner, signed in, manage keys", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No key has this id", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[delete("/keys/{id}")]
async fn revoke(
    db: web::Data<Db>,
    staff: Staff,
    id: web::Path<PathSegment>,
) -> ApiResult<HttpResponse> {
    policy::may_manage(&staff)?;
    let id = KeyId::from(id.into_inner().0);
    db.write(move |conn| service::revoke(conn, &id)).await?;
    Ok(HttpResponse::NoContent().finish())
}
