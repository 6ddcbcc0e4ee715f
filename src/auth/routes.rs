use actix_web::{HttpResponse, post, web};
use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use super::{Email, TokenKeys, accounts, password};
use crate::db::Db;
use crate::http::error::responses::BodyRejected;
use crate::http::error::{ApiError, ApiResult, Problem};
use crate::http::extract::JsonBody;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(login);
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    #[schema(example = "owner@example.com")]
    pub email: String,
    #[schema(value_type = String, format = Password)]
    pub password: SecretString,
}

#[derive(Serialize, ToSchema)]
pub struct TokenResponse {
    /// Send as `Authorization: Bearer <access_token>`.
    pub access_token: String,
    /// Always `Bearer`.
    #[schema(example = "Bearer")]
    pub token_type: &'static str,
    /// Seconds until the access token expires.
    #[schema(example = 900)]
    pub expires_in: u64,
}

/// Sign in with email and password.
///
/// A wrong password and an unknown email are answered the same way, in the same time.
#[utoipa::path(
    operation_id = "login",
    tag = "auth",
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Signed in", body = TokenResponse),
        BodyRejected,
        (status = 401, description = "Wrong email or password", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is missing or of the wrong type", body = Problem, content_type = "application/problem+json"),
    ),
    security(())
)]
#[post("/auth/login")]
async fn login(
    db: web::Data<Db>,
    keys: web::Data<TokenKeys>,
    JsonBody(body): JsonBody<LoginRequest>,
) -> ApiResult<HttpResponse> {
    let account = match Email::parse(&body.email) {
        Ok(email) => {
            db.run(move |conn| accounts::find_by_email(conn, email.as_str()))
                .await?
        }
        Err(_) => None,
    };
    let stored = account.as_ref().and_then(|a| a.password_hash.clone());
    let password = body.password;
    let verified = web::block(move || password::verify(&password, stored.as_deref()))
        .await
        .map_err(ApiError::internal)?;
    let account = account
        .filter(|_| verified)
        .ok_or_else(|| ApiError::Unauthorized("The email or password is wrong.".into()))?;
    Ok(HttpResponse::Ok().json(TokenResponse {
        access_token: keys.issue(&account.id, account.role),
        token_type: "Bearer",
        expires_in: keys.ttl().as_secs(),
    }))
}
