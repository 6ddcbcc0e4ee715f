//! The caller of a request as an extractor: the credential is read off the request (an
//! `Authorization: Bearer` token, or an API key in `X-Folio-Key` or `?key=`) and resolved by
//! `auth`, once per request.

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpMessage, HttpRequest, http::header, web};
use futures_util::future::LocalBoxFuture;

use crate::auth::{self, AuthSettings, Caller, Credential, KEY_HEADER, KEY_PARAM, Staff};
use crate::db::Db;
use crate::error::{ApiError, ApiResult};

/// The credential `req` presents.
pub fn credential(req: &HttpRequest) -> Credential {
    if let Some(value) = req.headers().get(header::AUTHORIZATION) {
        let token = value
            .to_str()
            .ok()
            .and_then(|v| v.split_once(' '))
            // The scheme is case-insensitive (RFC 9110 §11.1).
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, token)| token.trim().to_owned());
        return Credential::Bearer(token);
    }
    if let Some(value) = req.headers().get(KEY_HEADER) {
        return Credential::Key {
            secret: value.to_str().unwrap_or_default().trim().to_owned(),
            in_query: false,
        };
    }
    url::form_urlencoded::parse(req.query_string().as_bytes())
        .find(|(name, _)| name == KEY_PARAM)
        .map_or(Credential::None, |(_, secret)| Credential::Key {
            secret: secret.into_owned(),
            in_query: true,
        })
}

/// What resolving a caller needs from the application.
fn state(req: &HttpRequest) -> ApiResult<(web::Data<Db>, web::Data<AuthSettings>)> {
    match (
        req.app_data::<web::Data<Db>>(),
        req.app_data::<web::Data<AuthSettings>>(),
    ) {
        (Some(db), Some(settings)) => Ok((db.clone(), settings.clone())),
        _ => Err(ApiError::internal("auth state is not configured")),
    }
}

/// The caller of a public read of `req` (see [`auth::resolve_reader`]).
pub fn resolve_reader(req: &HttpRequest) -> LocalBoxFuture<'static, ApiResult<Caller>> {
    let credential = credential(req);
    let state = state(req);
    Box::pin(async move {
        let (db, settings) = state?;
        auth::resolve_reader(&db, &settings, credential).await
    })
}

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Caller, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        // The caching middleware may have resolved it already.
        if let Some(caller) = req.extensions().get::<Caller>().cloned() {
            return Box::pin(async { Ok(caller) });
        }
        resolve_reader(req)
    }
}

impl FromRequest for Staff {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Staff, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let credential = credential(req);
        let state = state(req);
        Box::pin(async move {
            let (db, settings) = state?;
            auth::resolve_staff(&db, &settings, credential).await
        })
    }
}
