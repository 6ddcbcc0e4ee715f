use actix_web::{HttpResponse, delete, get, post, web};
use utoipa_actix_web::service_config::ServiceConfig;

use super::storage::{self, NewKey};
use super::view::{ApiKey, ApiKeyList, CreateApiKey, NewApiKey};
use crate::auth::Staff;
use crate::db::Db;
use crate::http::caching::{CacheValidators, NotModified};
use crate::http::error::responses::{BodyRejected, SignInRequired};
use crate::http::error::{ApiError, ApiResult, Problem};
use crate::http::extract::{JsonBody, Key};

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list)
        .service(get)
        .service(create)
        .service(revoke);
}

/// Keys are the owner's and admins' to manage, in person: a key may not mint keys.
fn may_manage(staff: &Staff) -> ApiResult<()> {
    if !staff.role.is_administrator() {
        return Err(ApiError::Forbidden(
            "Only admins and the owner manage API keys.".into(),
        ));
    }
    staff.in_person()
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
    may_manage(&staff)?;
    let rows = db.run(storage::list).await?;
    let data = rows
        .into_iter()
        .map(ApiKey::view)
        .collect::<ApiResult<_>>()?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(ApiKeyList { data }))
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
#[get("/keys/{id}")]
async fn get(db: web::Data<Db>, staff: Staff, id: web::Path<Key>) -> ApiResult<HttpResponse> {
    may_manage(&staff)?;
    let id = id.into_inner().0;
    let row = db.run(move |conn| storage::find(conn, &id)).await?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(ApiKey::view(row)?))
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
    db: web::Data<Db>,
    staff: Staff,
    JsonBody(body): JsonBody<CreateApiKey>,
) -> ApiResult<HttpResponse> {
    may_manage(&staff)?;
    let input = body.validate()?;
    if let Some(role) = input.role
        && staff.role.is_below(role)
    {
        return Err(ApiError::Forbidden(format!(
            "A key may do no more than you: `{role}` is above your role."
        )));
    }
    let key = NewKey {
        name: input.name,
        kind: input.kind,
        role: input.role,
        created_by: staff.id,
    };
    let (row, secret) = db.write(move |conn| storage::insert(conn, key)).await?;
    let location = format!("/api/v1/keys/{}", row.id);
    Ok(HttpResponse::Created()
        .insert_header(("Location", location))
        .insert_header(("Cache-Control", "no-store"))
        .json(NewApiKey {
            key: ApiKey::view(row)?,
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
async fn revoke(db: web::Data<Db>, staff: Staff, id: web::Path<Key>) -> ApiResult<HttpResponse> {
    may_manage(&staff)?;
    let id = id.into_inner().0;
    db.write(move |conn| storage::revoke(conn, &id)).await?;
    Ok(HttpResponse::NoContent().finish())
}
