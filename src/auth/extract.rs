//! Who is calling: read once per request from the `Authorization` header.

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, http::header, web};
use futures_util::future::LocalBoxFuture;

use super::{Role, TokenKeys, accounts};
use crate::db::Db;
use crate::http::error::ApiError;

/// A signed-in staff account. The role is read from the database on every request, so a
/// changed role or a deleted account takes effect at once, whatever the token says.
#[derive(Debug, Clone)]
pub struct Staff {
    pub id: String,
    pub role: Role,
}

/// The caller of a public endpoint: anonymous, or signed in.
///
/// This is not `Option<Staff>`: a request that presents a token which does not verify is
/// answered `401`, never quietly served as anonymous.
#[derive(Debug, Clone)]
pub enum Caller {
    Anonymous,
    Staff(Staff),
}

impl Caller {
    pub fn staff(&self) -> Option<&Staff> {
        match self {
            Caller::Anonymous => None,
            Caller::Staff(staff) => Some(staff),
        }
    }
}

fn invalid_token() -> ApiError {
    ApiError::Unauthorized("The access token is invalid or has expired; sign in again.".into())
}

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Caller, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let Some(value) = req.headers().get(header::AUTHORIZATION) else {
            return Box::pin(async { Ok(Caller::Anonymous) });
        };
        let token = value
            .to_str()
            .ok()
            .and_then(|v| {
                v.strip_prefix("Bearer ")
                    .or_else(|| v.strip_prefix("bearer "))
            })
            .map(str::trim);
        let (Some(keys), Some(db)) = (
            req.app_data::<web::Data<TokenKeys>>(),
            req.app_data::<web::Data<Db>>(),
        ) else {
            return Box::pin(async { Err(ApiError::internal("auth state is not configured")) });
        };
        let claims = token.and_then(|t| keys.verify(t));
        let db = db.clone();
        Box::pin(async move {
            let claims = claims.ok_or_else(invalid_token)?;
            let account = db
                .run(move |conn| accounts::find_by_id(conn, &claims.sub))
                .await?
                .ok_or_else(invalid_token)?;
            Ok(Caller::Staff(Staff {
                id: account.id,
                role: account.role,
            }))
        })
    }
}

impl FromRequest for Staff {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Staff, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let caller = Caller::from_request(req, payload);
        Box::pin(async move {
            match caller.await? {
                Caller::Staff(staff) => Ok(staff),
                Caller::Anonymous => Err(ApiError::Unauthorized(
                    "Sign in: this endpoint needs a bearer access token.".into(),
                )),
            }
        })
    }
}
