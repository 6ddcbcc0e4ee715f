//! The one error type of the HTTP layer, and its single mapping to `application/problem+json`
//! (RFC 9457). Internal causes are logged here and never reach the client.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

pub const PROBLEM_JSON: &str = "application/problem+json";

/// One invalid input: which field, a stable machine-readable code, and a sentence for people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct FieldError {
    /// The field, as a JSON path into the request (`title`, `authors[1]`) or a parameter name.
    pub field: String,
    /// A stable code an SDK can switch on, e.g. `required`, `too_long`, `invalid_format`.
    pub code: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, code: &str, message: impl Into<String>) -> Self {
        FieldError {
            field: field.into(),
            code: code.to_owned(),
            message: message.into(),
        }
    }
}

/// The body of every error response.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "type": "urn:folio:problem:not-found",
    "title": "Not Found",
    "status": 404,
    "detail": "No post with id 0192f0c4-6a6e-7d31-a9f5-3c3a4a0d9e11."
}))]
pub struct Problem {
    /// A URI naming the kind of problem; stable, so clients can switch on it.
    #[serde(rename = "type")]
    pub problem_type: String,
    pub title: String,
    pub status: u16,
    /// What went wrong with this request, in words meant for the person reading it.
    pub detail: String,
    /// Present on validation failures: every invalid field, not just the first.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<Vec<FieldError>>,
}

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    BadRequest(String),
    #[error("invalid query parameters")]
    InvalidParameters(Vec<FieldError>),
    #[error("the request body is invalid")]
    Validation(Vec<FieldError>),
    #[error("{0}")]
    Unauthorized(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{allowed}")]
    MethodNotAllowed { allowed: String },
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    PreconditionFailed(String),
    #[error("{0}")]
    PayloadTooLarge(String),
    #[error("{0}")]
    UnsupportedMediaType(String),
    #[error("{0}")]
    PreconditionRequired(String),
    #[error("{detail}")]
    TooManyRequests { detail: String, retry_after: u64 },
    #[error("{0}")]
    RequestTimeout(String),
    #[error("{0}")]
    UriTooLong(String),
    #[error("{0}")]
    HeadersTooLarge(String),
    /// The database could not serve the request in time: worth retrying. The cause is for
    /// the log; clients get a fixed detail.
    #[error("{0}")]
    Unavailable(String),
    /// Anything unexpected. The cause is logged, the client sees a generic message.
    #[error("internal error: {0}")]
    Internal(String),
}

impl ApiError {
    pub fn internal(cause: impl std::fmt::Display) -> Self {
        ApiError::Internal(cause.to_string())
    }

    pub fn validation(field: &str, code: &str, message: impl Into<String>) -> Self {
        ApiError::Validation(vec![FieldError::new(field, code, message)])
    }

    fn kind(&self) -> &'static str {
        match self {
            ApiError::BadRequest(_) => "bad-request",
            ApiError::InvalidParameters(_) => "invalid-parameters",
            ApiError::Validation(_) => "validation",
            ApiError::Unauthorized(_) => "unauthorized",
            ApiError::Forbidden(_) => "forbidden",
            ApiError::NotFound(_) => "not-found",
            ApiError::MethodNotAllowed { .. } => "method-not-allowed",
            ApiError::Conflict(_) => "conflict",
            ApiError::PreconditionFailed(_) => "version-mismatch",
            ApiError::PayloadTooLarge(_) => "payload-too-large",
            ApiError::UnsupportedMediaType(_) => "unsupported-media-type",
            ApiError::PreconditionRequired(_) => "version-required",
            ApiError::TooManyRequests { .. } => "too-many-requests",
            ApiError::RequestTimeout(_) => "request-timeout",
            ApiError::UriTooLong(_) => "uri-too-long",
            ApiError::HeadersTooLarge(_) => "headers-too-large",
            ApiError::Unavailable(_) => "unavailable",
            ApiError::Internal(_) => "internal",
        }
    }

    fn detail(&self) -> String {
        match self {
            ApiError::InvalidParameters(_) => {
                "One or more query parameters are invalid; see `errors`.".to_owned()
            }
            ApiError::Validation(_) => "The request body is invalid; see `errors`.".to_owned(),
            ApiError::MethodNotAllowed { allowed } => {
                format!("This resource supports {allowed} only.")
            }
            ApiError::Internal(_) => {
                "The server could not complete the request. It has been logged.".to_owned()
            }
            ApiError::Unavailable(_) => {
                "The database could not serve this request in time; retry after the seconds \
                 `Retry-After` says."
                    .to_owned()
            }
            ApiError::BadRequest(d)
            | ApiError::Unauthorized(d)
            | ApiError::Forbidden(d)
            | ApiError::NotFound(d)
            | ApiError::Conflict(d)
            | ApiError::PreconditionFailed(d)
            | ApiError::PayloadTooLarge(d)
            | ApiError::UnsupportedMediaType(d)
            | ApiError::PreconditionRequired(d)
            | ApiError::TooManyRequests { detail: d, .. }
            | ApiError::RequestTimeout(d)
            | ApiError::UriTooLong(d)
            | ApiError::HeadersTooLarge(d) => d.clone(),
        }
    }

    /// The problem for an error answer made outside Folio (by actix or a middleware crate).
    pub fn problem_for(status: StatusCode, detail: &str) -> Problem {
        Problem {
            problem_type: format!("urn:folio:problem:http-{}", status.as_u16()),
            title: status.canonical_reason().unwrap_or("Error").to_owned(),
            status: status.as_u16(),
            detail: detail.to_owned(),
            errors: None,
        }
    }

    pub fn problem(&self) -> Problem {
        let status = self.status_code();
        Problem {
            problem_type: format!("urn:folio:problem:{}", self.kind()),
            title: status.canonical_reason().unwrap_or("Error").to_owned(),
            status: status.as_u16(),
            detail: self.detail(),
            errors: match self {
                ApiError::Validation(errors) | ApiError::InvalidParameters(errors) => {
                    Some(errors.clone())
                }
                _ => None,
            },
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::BadRequest(_) | ApiError::InvalidParameters(_) => StatusCode::BAD_REQUEST,
            ApiError::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::PreconditionFailed(_) => StatusCode::PRECONDITION_FAILED,
            ApiError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::PreconditionRequired(_) => StatusCode::PRECONDITION_REQUIRED,
            ApiError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::RequestTimeout(_) => StatusCode::REQUEST_TIMEOUT,
            ApiError::UriTooLong(_) => StatusCode::URI_TOO_LONG,
            ApiError::HeadersTooLarge(_) => StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            ApiError::Internal(cause) => tracing::error!(%cause, "request failed"),
            // An outage is logged once, when it begins and ends (see `db::Manager`), not for
            // every request it turns away.
            ApiError::Unavailable(cause) => tracing::debug!(%cause, "database unavailable"),
            _ => {}
        }
        let mut response = HttpResponse::build(self.status_code());
        response.insert_header((header::CONTENT_TYPE, PROBLEM_JSON));
        match self {
            ApiError::Unauthorized(_) => {
                response.insert_header((header::WWW_AUTHENTICATE, "Bearer realm=\"folio\""));
            }
            ApiError::MethodNotAllowed { allowed } => {
                response.insert_header((header::ALLOW, allowed.as_str()));
            }
            ApiError::Unavailable(_) => {
                response.insert_header((header::RETRY_AFTER, "1"));
            }
            ApiError::TooManyRequests { retry_after, .. } => {
                response.insert_header((header::RETRY_AFTER, retry_after.to_string()));
            }
            ApiError::RequestTimeout(_) => {
                response.insert_header((header::CONNECTION, "close"));
            }
            _ => {}
        }
        response.body(serde_json::to_vec(&self.problem()).unwrap_or_default())
    }
}

impl From<diesel::result::Error> for ApiError {
    fn from(err: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind, Error};
        match err {
            Error::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => ApiError::Conflict(
                "The request conflicts with an existing resource (a unique value is taken)."
                    .to_owned(),
            ),
            Error::DatabaseError(DatabaseErrorKind::SerializationFailure, _) => {
                ApiError::Conflict("A concurrent change got in the way; retry the request.".into())
            }
            ref other if is_connection_failure(other) => {
                tracing::warn!(cause = %other, "a database connection failed mid-request");
                ApiError::Unavailable(other.to_string())
            }
            other => ApiError::internal(other),
        }
    }
}

/// Whether `err` says the connection, not the request, failed: the server went away or
/// ended it, or (SQLite) another writer held the database longer than a request waits.
/// Another attempt, on another connection, may well succeed.
fn is_connection_failure(err: &diesel::result::Error) -> bool {
    use diesel::result::{DatabaseErrorKind, Error};
    match err {
        Error::DatabaseError(DatabaseErrorKind::ClosedConnection, _)
        | Error::BrokenTransactionManager => true,
        Error::DatabaseError(_, info) => {
            let message = info.message();
            message.starts_with("terminating connection")
                || message.starts_with("the database system is")
                || message == "database is locked"
        }
        _ => false,
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

/// Error answers that many operations share, for their `responses(...)` in the document.
pub mod responses {
    use utoipa::IntoResponses;

    use super::Problem;

    /// An endpoint for signed-in staff.
    #[derive(IntoResponses)]
    pub enum SignInRequired {
        #[response(
            status = 401,
            description = "Not signed in, or the access token or API key is invalid, expired or revoked",
            content_type = "application/problem+json"
        )]
        Unauthorized(Problem),
    }

    /// A public endpoint: no credential is fine (unless the server requires a content key),
    /// but one that is sent must be valid.
    #[derive(IntoResponses)]
    pub enum TokenRejected {
        #[response(
            status = 401,
            description = "The access token or API key is invalid, expired or revoked, or this server requires a content key",
            content_type = "application/problem+json"
        )]
        Unauthorized(Problem),
    }

    /// A JSON request body the server cannot take.
    #[derive(IntoResponses)]
    pub enum BodyRejected {
        #[response(
            status = 400,
            description = "The body is not JSON",
            content_type = "application/problem+json"
        )]
        NotJson(Problem),
        #[response(
            status = 413,
            description = "The body is larger than the server accepts",
            content_type = "application/problem+json"
        )]
        TooLarge(Problem),
        #[response(
            status = 415,
            description = "The body is not declared as JSON",
            content_type = "application/problem+json"
        )]
        NotDeclaredJson(Problem),
    }

    /// Attempts past a limit.
    #[derive(IntoResponses)]
    pub enum Throttled {
        #[response(
            status = 429,
            description = "Too many attempts: wait the seconds `Retry-After` says",
            content_type = "application/problem+json",
            headers(("Retry-After" = u64, description = "Seconds to wait before trying again"))
        )]
        TooMany(Problem),
    }

    /// A change that must name the version it was based on.
    #[derive(IntoResponses)]
    pub enum VersionRejected {
        #[response(
            status = 412,
            description = "The resource changed since you read it: nothing was changed",
            content_type = "application/problem+json"
        )]
        Stale(Problem),
        #[response(
            status = 428,
            description = "Neither `If-Match` nor `version` was sent",
            content_type = "application/problem+json"
        )]
        Unstated(Problem),
    }
}
