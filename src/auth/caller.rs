//! Who is calling: anonymous, a content key, or staff, resolved from the credential a request
//! presents (an access token, or an API key). Reading the credential off a request is
//! `http::caller`'s; deciding what it proves is here.

use super::keys::{self, KeyHolder, KeyKind};
use super::{AuthSettings, Role, accounts};
use crate::db::Db;
use crate::error::{ApiError, ApiResult};
use crate::ids::{AuthorId, SessionId};

/// The header that carries an API key.
pub const KEY_HEADER: &str = "x-folio-key";
/// The query parameter that may carry a content key (a key in a URL ends up in logs and
/// browser histories, so integration keys are refused there).
pub const KEY_PARAM: &str = "key";

/// How a staff caller proved who it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Via {
    /// A person, signed in: the session.
    Session(SessionId),
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
    pub id: AuthorId,
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

/// What a request presents to say who it is.
#[derive(Debug, Clone)]
pub enum Credential {
    None,
    /// The token, or `None` when the `Authorization` header is not a bearer token at all.
    Bearer(Option<String>),
    Key {
        secret: String,
        in_query: bool,
    },
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

/// The caller `credential` proves: one query when there is a credential, none otherwise.
pub async fn resolve(
    db: &Db,
    settings: &AuthSettings,
    credential: Credential,
) -> ApiResult<Caller> {
    match credential {
        Credential::None => Ok(Caller::Anonymous),
        Credential::Bearer(token) => {
            let claims = token
                .and_then(|t| settings.tokens.verify(&t))
                .ok_or_else(invalid_token)?;
            let (id, session) = (AuthorId::from(claims.sub), SessionId::from(claims.sid));
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
        }
        // Refused by its look, before any lookup: whether it is a live key is none of the
        // business of whoever reads it in a URL.
        Credential::Key {
            secret,
            in_query: true,
        } if secret.starts_with(KeyKind::Integration.prefix()) => Err(integration_key_in_url()),
        Credential::Key { secret, in_query } => {
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
        }
    }
}

/// The caller of a public read: as [`resolve`], except that where the server serves content
/// only to holders of a content key, nobody reads anonymously.
pub async fn resolve_reader(
    db: &Db,
    settings: &AuthSettings,
    credential: Credential,
) -> ApiResult<Caller> {
    match resolve(db, settings, credential).await? {
        Caller::Anonymous if settings.content_key_required => Err(ApiError::Unauthorized(
            "This server serves content to holders of a content key: send it as \
             `X-Folio-Key` or `?key=`."
                .into(),
        )),
        caller => Ok(caller),
    }
}

/// The staff member a credential proves, for endpoints that need one.
pub async fn resolve_staff(
    db: &Db,
    settings: &AuthSettings,
    credential: Credential,
) -> ApiResult<Staff> {
    match resolve(db, settings, credential).await? {
        Caller::Staff(staff) => Ok(staff),
        Caller::Reader => Err(ApiError::Forbidden(
            "A content key reads published content only.".into(),
        )),
        Caller::Anonymous => Err(ApiError::Unauthorized(
            "Sign in: this endpoint needs a bearer access token or an integration key.".into(),
        )),
    }
}
