//! Who is calling: read once per request from its credential, an access token
//! (`Authorization: Bearer`) or an API key (`X-Folio-Key`, or `?key=` for content keys).

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpMessage, HttpRequest, http::header, web};
use futures_util::future::LocalBoxFuture;

use super::keys::{self, KeyHolder, KeyKind};
use super::{AuthSettings, Role, accounts};
use crate::db::Db;
use crate::http::error::{ApiError, ApiResult};

/// The header that carries an API key.
pub const KEY_HEADER: &str = "x-folio-key";
/// The query parameter that may carry a content key (a key in a URL ends up in logs and
/// browser histories, so integration keys are refused there).
pub const KEY_PARAM: &str = "key";

/// How a staff caller proved who it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Via {
    /// A person, signed in: the session id.
    Session(String),
    /// An integration key acting for the account that made it.
    IntegrationKey,
    /// The server itself, at setup or from its command line.
    Server,
}

/// A signed-in staff account, or an integration key acting for one. The role is read from
/// the database on every request, so a changed role, a disabled account or a revoked session
/// or key takes effect at once, whatever the token says.
#[derive(Debug, Clone)]
pub struct Staff {
    pub id: String,
    pub role: Role,
    pub via: Via,
}

impl Staff {
    /// For what only a person may do (managing keys): an integration key cannot mint more.
    pub fn in_person(&self) -> ApiResult<()> {
        match self.via {
            Via::Session(_) | Via::Server => Ok(()),
            Via::IntegrationKey => Err(ApiError::Forbidden(
                "Only a signed-in person may do this; API keys may not.".into(),
            )),
        }
    }
}

/// The caller of a public endpoint: anonymous, a content key, or staff.
///
/// This is not `Option<Staff>`: a request that presents a credential which does not verify
/// is answered `401`, never quietly served as anonymous.
#[derive(Debug, Clone)]
pub enum Caller {
    Anonymous,
    /// Holds a content key: reads what anonymous readers read.
    Reader,
    Staff(Staff),
}

impl Caller {
    pub fn staff(&self) -> Option<&Staff> {
        match self {
            Caller::Anonymous | Caller::Reader => None,
            Caller::Staff(staff) => Some(staff),
        }
    }

    /// Sees what the public sees, so may be served from the shared cache of public reads.
    pub fn is_public(&self) -> bool {
        self.staff().is_none()
    }
}

fn invalid_token() -> ApiError {
    ApiError::Unauthorized("The access token is invalid or has expired; sign in again.".into())
}

fn invalid_key() -> ApiError {
    ApiError::Unauthorized("The API key is invalid or has been revoked.".into())
}

fn integration_key_in_url() -> ApiError {
    ApiError::Unauthorized(
        "Integration keys go in the `X-Folio-Key` header, never in a URL.".into(),
    )
}

enum Credential {
    None,
    /// The token, or `None` when the header is not a bearer token at all.
    Bearer(Option<String>),
    Key {
        secret: String,
        in_query: bool,
    },
}

fn credential(req: &HttpRequest) -> Credential {
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

/// Resolves the caller of `req` from its credential: one query when it carries one, none
/// otherwise.
pub fn resolve(req: &HttpRequest) -> LocalBoxFuture<'static, ApiResult<Caller>> {
    let (Some(settings), Some(db)) = (
        req.app_data::<web::Data<AuthSettings>>(),
        req.app_data::<web::Data<Db>>(),
    ) else {
        return Box::pin(async { Err(ApiError::internal("auth state is not configured")) });
    };
    let db = db.clone();
    match credential(req) {
        Credential::None => Box::pin(async { Ok(Caller::Anonymous) }),
        Credential::Bearer(token) => {
            let claims = token.and_then(|t| settings.tokens.verify(&t));
            Box::pin(async move {
                let claims = claims.ok_or_else(invalid_token)?;
                let (id, session) = (claims.sub, claims.sid);
                let role = db
                    .run({
                        let (id, session) = (id.clone(), session.clone());
                        move |conn| accounts::role_in_session(conn, &id, &session)
                    })
                    .await?
                    .ok_or_else(invalid_token)?;
                Ok(Caller::Staff(Staff {
                    id,
                    role,
                    via: Via::Session(session),
                }))
            })
        }
        // Refused by its look, before any lookup: whether it is a live key is none of the
        // business of whoever reads it in a URL.
        Credential::Key {
            secret,
            in_query: true,
        } if secret.starts_with(KeyKind::Integration.prefix()) => {
            Box::pin(async { Err(integration_key_in_url()) })
        }
        Credential::Key { secret, in_query } => Box::pin(async move {
            let holder = db
                .run(move |conn| keys::authenticate(conn, &secret))
                .await?
                .ok_or_else(invalid_key)?;
            match holder {
                KeyHolder::Content => Ok(Caller::Reader),
                KeyHolder::Integration { .. } if in_query => Err(integration_key_in_url()),
                KeyHolder::Integration { author_id, role } => Ok(Caller::Staff(Staff {
                    id: author_id,
                    role,
                    via: Via::IntegrationKey,
                })),
            }
        }),
    }
}

/// The caller of a public read: as [`resolve`], except that where the server serves content
/// only to holders of a content key, nobody reads anonymously.
pub fn resolve_reader(req: &HttpRequest) -> LocalBoxFuture<'static, ApiResult<Caller>> {
    let required = req
        .app_data::<web::Data<AuthSettings>>()
        .is_some_and(|s| s.content_key_required);
    let caller = resolve(req);
    Box::pin(async move {
        match caller.await? {
            Caller::Anonymous if required => Err(ApiError::Unauthorized(
                "This server serves content to holders of a content key: send it as \
                 `X-Folio-Key` or `?key=`."
                    .into(),
            )),
            caller => Ok(caller),
        }
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
        let caller = resolve(req);
        Box::pin(async move {
            match caller.await? {
                Caller::Staff(staff) => Ok(staff),
                Caller::Reader => Err(ApiError::Forbidden(
                    "A content key reads published content only.".into(),
                )),
                Caller::Anonymous => Err(ApiError::Unauthorized(
                    "Sign in: this endpoint needs a bearer access token or an integration key."
                        .into(),
                )),
            }
        })
    }
}
