//! The sessions endpoints: sign in, refresh, sign out.

use actix_web::{HttpRequest, HttpResponse, post, web};
use utoipa_actix_web::service_config::ServiceConfig;

use super::input::{LoginRequest, RefreshRequest};
use super::service;
use super::view::TokenResponse;
use crate::auth::AuthSettings;
use crate::db::Db;
use crate::error::ApiResult;
use crate::http::client::client_ip;
use crate::http::extract::JsonBody;
use crate::http::problem::Problem;
use crate::http::problem::responses::{BodyRejected, Throttled};

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(login).service(refresh).service(logout);
}

/// Tokens are secrets: no cache keeps them.
fn tokens(tokens: TokenResponse) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(tokens)
}

/// Sign in with email and password.
///
/// A wrong password and an unknown email are answered the same way, in the same time.
/// Attempts are counted per account and per client address until they succeed: past the
/// limit, they are refused with `429` until the window ends, whatever the password.
#[utoipa::path(
    operation_id = "login",
    tag = "auth",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Signed in", body = TokenResponse),
        BodyRejected,
        (status = 401, description = "Wrong email or password, or the account is disabled", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is missing or of the wrong type", body = Problem, content_type = "application/problem+json"),
        Throttled,
    ),
    security(())
)]
#[post("/auth/login")]
async fn login(
    req: HttpRequest,
    db: web::Data<Db>,
    settings: web::Data<AuthSettings>,
    JsonBody(body): JsonBody<LoginRequest>,
) -> ApiResult<HttpResponse> {
    let grant =
        service::sign_in(&db, &settings, &body.email, body.password, client_ip(&req)).await?;
    Ok(tokens(TokenResponse::of(&settings, grant)))
}

/// Trade a refresh token for new tokens.
///
/// The token presented is used up, and the answer carries the next one. Presenting a token
/// that was already used revokes its whole session: whoever holds any of its tokens must sign
/// in again. Changing the password, being disabled or losing a role also ends every session.
#[utoipa::path(
    operation_id = "refresh",
    tag = "auth",
    request_body = RefreshRequest,
    responses(
        (status = 200, description = "New access and refresh tokens", body = TokenResponse),
        BodyRejected,
        (status = 401, description = "The refresh token is unknown, expired, used or revoked", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is missing or of the wrong type", body = Problem, content_type = "application/problem+json"),
        Throttled,
    ),
    security(())
)]
#[post("/auth/refresh")]
async fn refresh(
    req: HttpRequest,
    db: web::Data<Db>,
    settings: web::Data<AuthSettings>,
    JsonBody(body): JsonBody<RefreshRequest>,
) -> ApiResult<HttpResponse> {
    let grant = service::refresh(&db, &settings, body.refresh_token, client_ip(&req)).await?;
    Ok(tokens(TokenResponse::of(&settings, grant)))
}

/// Sign out: revoke the session a refresh token belongs to.
///
/// Its refresh tokens stop working at once, and so do the access tokens issued for it. An
/// unknown or already revoked token is no error (RFC 7009), so signing out can be repeated.
#[utoipa::path(
    operation_id = "logout",
    tag = "auth",
    request_body = RefreshRequest,
    responses(
        (status = 204, description = "Signed out"),
        BodyRejected,
        (status = 422, description = "A field is missing or of the wrong type", body = Problem, content_type = "application/problem+json"),
    ),
    security(())
)]
#[post("/auth/logout")]
async fn logout(
    db: web::Data<Db>,
    JsonBody(body): JsonBody<RefreshRequest>,
) -> ApiResult<HttpResponse> {
    service::sign_out(&db, body.refresh_token).await?;
    Ok(HttpResponse::NoContent().finish())
}
