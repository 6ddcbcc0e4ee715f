use actix_web::{HttpRequest, HttpResponse, post, web};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_actix_web::service_config::ServiceConfig;

use super::sessions::{self, Grant, Refusal};
use super::throttle::Flow;
use super::{AuthSettings, Email, accounts, password};
use crate::db::Db;
use crate::http::client::client_ip;
use crate::http::error::responses::{BodyRejected, Throttled};
use crate::http::error::{ApiError, ApiResult, Problem};
use crate::http::extract::JsonBody;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(login).service(refresh).service(logout);
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    #[schema(example = "owner@example.com")]
    pub email: String,
    #[schema(value_type = String, format = Password)]
    pub password: SecretString,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    /// The refresh token from the last sign-in or refresh.
    #[schema(value_type = String, format = Password)]
    pub refresh_token: SecretString,
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
    /// Trade it for new tokens at `POST /auth/refresh` before it expires. It works once:
    /// each refresh answers the next one, and presenting a used one again signs the whole
    /// session out.
    pub refresh_token: String,
    /// Seconds until the refresh token expires, unless used first.
    #[schema(example = 2_592_000)]
    pub refresh_expires_in: u64,
}

fn tokens(settings: &AuthSettings, author_id: &str, grant: Grant) -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(TokenResponse {
            access_token: settings.tokens.issue(author_id, &grant.session_id),
            token_type: "Bearer",
            expires_in: settings.tokens.ttl().as_secs(),
            refresh_token: grant.refresh_token,
            refresh_expires_in: settings.refresh_ttl.as_secs(),
        })
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
    // Text that is no email address names no account, so it counts against the address only.
    let email = Email::parse(&body.email).ok();
    let buckets = settings.throttle.buckets(
        Flow::SignIn,
        email.as_ref().map(Email::as_str),
        client_ip(&req),
    );
    let account = {
        let buckets = buckets.clone();
        db.write(move |conn| {
            buckets.reserve(conn)?;
            match email {
                Some(email) => accounts::find_by_email(conn, email.as_str()),
                None => Ok(None),
            }
        })
        .await?
    };
    let stored = account.as_ref().and_then(|a| a.password_hash.clone());
    let password = body.password;
    let verified = {
        let stored = stored.clone();
        web::block(move || password::verify(&password, stored.as_deref()))
            .await
            .map_err(ApiError::internal)?
    };
    let Some(account) = account.filter(|_| verified) else {
        return Err(ApiError::Unauthorized(
            "The email or password is wrong.".into(),
        ));
    };
    if account.disabled {
        // Said only to someone who knows the password.
        return Err(ApiError::Unauthorized(
            "This account is disabled; ask an administrator.".into(),
        ));
    }
    let ttl = settings.refresh_ttl;
    let id = account.id.clone();
    let grant = db
        .write(move |conn| {
            // The password was checked outside this transaction: a change of password, a
            // disabling or a lost login committed meanwhile must not be outlived by a session.
            if !accounts::signs_in_with(conn, &id, stored.as_deref())? {
                return Err(ApiError::Unauthorized(
                    "The account changed while signing in; sign in again.".into(),
                ));
            }
            buckets.succeed(conn)?;
            sessions::start(conn, &id, ttl)
        })
        .await?;
    Ok(tokens(&settings, &account.id, grant))
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
    let buckets = settings
        .throttle
        .buckets(Flow::Refresh, None, client_ip(&req));
    let (ttl, max_age) = (settings.refresh_ttl, settings.session_max_age);
    let outcome = db
        .write(move |conn| {
            buckets.reserve(conn)?;
            let outcome = sessions::rotate(conn, body.refresh_token.expose_secret(), ttl, max_age)?;
            if outcome.is_ok() {
                buckets.succeed(conn)?;
            }
            Ok(outcome)
        })
        .await?;
    match outcome {
        Ok((author_id, grant)) => Ok(tokens(&settings, &author_id, grant)),
        Err(refusal) => Err(ApiError::Unauthorized(
            match refusal {
                Refusal::Invalid => "The refresh token is invalid or has expired; sign in again.",
                Refusal::Reused => {
                    "This refresh token was already used, so it may have been copied: its \
                     session is now signed out everywhere. Sign in again."
                }
            }
            .into(),
        )),
    }
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
    db.write(move |conn| sessions::revoke_by_token(conn, body.refresh_token.expose_secret()))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
