//! The one error type: every way a request can fail, and what each answers (status, problem
//! type, detail, the header that goes with it) in one place per failure. Storage, services
//! and extractors all return it; `http::problem` turns it into `application/problem+json`.

use std::borrow::Cow;

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderName};
use serde::Serialize;
use utoipa::ToSchema;

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

/// Why a request failed on the server's side: kept for the log, never shown to clients.
pub type Cause = Box<dyn std::error::Error + Send + Sync>;

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
    /// A `Range` that asks for none of the file's `size` bytes.
    #[error("no such range in {size} bytes")]
    RangeNotSatisfiable { size: u64 },
    #[error("{detail}")]
    TooManyRequests { detail: String, retry_after: u64 },
    #[error("{0}")]
    RequestTimeout(String),
    #[error("{0}")]
    UriTooLong(String),
    #[error("{0}")]
    HeadersTooLarge(String),
    /// The database could not serve the request in time: worth retrying.
    #[error("database unavailable: {0}")]
    Unavailable(#[source] Cause),
    /// The media store could not be reached in time: worth retrying.
    #[error("media store unavailable: {0}")]
    StorageUnavailable(#[source] Cause),
    /// Anything unexpected.
    #[error("internal error: {0}")]
    Internal(#[source] Cause),
}

/// What an error answers with.
#[derive(Debug)]
pub struct Answer<'a> {
    pub status: StatusCode,
    /// The last part of the problem type, `urn:folio:problem:<kind>`.
    pub kind: &'static str,
    pub detail: Cow<'a, str>,
    /// The invalid fields, for validation failures.
    pub errors: Option<&'a [FieldError]>,
    /// A header the answer must carry.
    pub header: Option<(HeaderName, Cow<'a, str>)>,
}

impl<'a> Answer<'a> {
    fn new(status: StatusCode, kind: &'static str, detail: impl Into<Cow<'a, str>>) -> Self {
        Answer {
            status,
            kind,
            detail: detail.into(),
            errors: None,
            header: None,
        }
    }

    fn errors(mut self, errors: &'a [FieldError]) -> Self {
        self.errors = Some(errors);
        self
    }

    fn header(mut self, name: HeaderName, value: impl Into<Cow<'a, str>>) -> Self {
        self.header = Some((name, value.into()));
        self
    }
}

impl ApiError {
    pub fn internal(cause: impl Into<Cause>) -> Self {
        ApiError::Internal(cause.into())
    }

    pub fn unavailable(cause: impl Into<Cause>) -> Self {
        ApiError::Unavailable(cause.into())
    }

    pub fn validation(field: &str, code: &str, message: impl Into<String>) -> Self {
        ApiError::Validation(vec![FieldError::new(field, code, message)])
    }

    /// The whole answer to each failure, one arm apiece.
    pub fn answer(&self) -> Answer<'_> {
        use StatusCode as S;
        match self {
            ApiError::BadRequest(d) => Answer::new(S::BAD_REQUEST, "bad-request", d),
            ApiError::InvalidParameters(errors) => Answer::new(
                S::BAD_REQUEST,
                "invalid-parameters",
                "One or more query parameters are invalid; see `errors`.",
            )
            .errors(errors),
            ApiError::Validation(errors) => Answer::new(
                S::UNPROCESSABLE_ENTITY,
                "validation",
                "The request body is invalid; see `errors`.",
            )
            .errors(errors),
            ApiError::Unauthorized(d) => Answer::new(S::UNAUTHORIZED, "unauthorized", d)
                .header(header::WWW_AUTHENTICATE, "Bearer realm=\"folio\""),
            ApiError::Forbidden(d) => Answer::new(S::FORBIDDEN, "forbidden", d),
            ApiError::NotFound(d) => Answer::new(S::NOT_FOUND, "not-found", d),
            ApiError::MethodNotAllowed { allowed } => Answer::new(
                S::METHOD_NOT_ALLOWED,
                "method-not-allowed",
                format!("This resource supports {allowed} only."),
            )
            .header(header::ALLOW, allowed),
            ApiError::Conflict(d) => Answer::new(S::CONFLICT, "conflict", d),
            ApiError::PreconditionFailed(d) => {
                Answer::new(S::PRECONDITION_FAILED, "version-mismatch", d)
            }
            ApiError::PayloadTooLarge(d) => {
                Answer::new(S::PAYLOAD_TOO_LARGE, "payload-too-large", d)
            }
            ApiError::UnsupportedMediaType(d) => {
                Answer::new(S::UNSUPPORTED_MEDIA_TYPE, "unsupported-media-type", d)
            }
            ApiError::PreconditionRequired(d) => {
                Answer::new(S::PRECONDITION_REQUIRED, "version-required", d)
            }
            ApiError::RangeNotSatisfiable { size } => Answer::new(
                S::RANGE_NOT_SATISFIABLE,
                "range-not-satisfiable",
                format!("The file has {size} bytes; the range asked for lies outside them."),
            )
            .header(header::CONTENT_RANGE, format!("bytes */{size}")),
            ApiError::TooManyRequests {
                detail,
                retry_after,
            } => Answer::new(S::TOO_MANY_REQUESTS, "too-many-requests", detail)
                .header(header::RETRY_AFTER, retry_after.to_string()),
            ApiError::RequestTimeout(d) => Answer::new(S::REQUEST_TIMEOUT, "request-timeout", d)
                .header(header::CONNECTION, "close"),
            ApiError::UriTooLong(d) => Answer::new(S::URI_TOO_LONG, "uri-too-long", d),
            ApiError::HeadersTooLarge(d) => {
                Answer::new(S::REQUEST_HEADER_FIELDS_TOO_LARGE, "headers-too-large", d)
            }
            ApiError::Unavailable(_) => Answer::new(
                S::SERVICE_UNAVAILABLE,
                "unavailable",
                "The database could not serve this request in time; retry after the seconds \
                 `Retry-After` says.",
            )
            .header(header::RETRY_AFTER, "1"),
            ApiError::StorageUnavailable(_) => Answer::new(
                S::SERVICE_UNAVAILABLE,
                "storage-unavailable",
                "The media store could not serve this request; retry after the seconds \
                 `Retry-After` says.",
            )
            .header(header::RETRY_AFTER, "5"),
            ApiError::Internal(_) => Answer::new(
                S::INTERNAL_SERVER_ERROR,
                "internal",
                "The server could not complete the request. It has been logged.",
            ),
        }
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
            other if is_connection_failure(&other) => {
                tracing::warn!(cause = %other, "a database connection failed mid-request");
                ApiError::unavailable(other)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn causes_are_kept_for_the_log_and_never_in_the_detail() {
        let err = ApiError::internal("the disk caught fire at /var/lib/folio");
        let answer = err.answer();
        assert_eq!(answer.status, StatusCode::INTERNAL_SERVER_ERROR);
        assert!(!answer.detail.contains("fire"));
        let source = std::error::Error::source(&err).expect("the cause");
        assert!(source.to_string().contains("/var/lib/folio"));
        let down = ApiError::unavailable("connection to 127.0.0.1:5432 refused");
        assert!(!down.answer().detail.contains("127.0.0.1"));
        assert_eq!(down.answer().header.unwrap().0, header::RETRY_AFTER);
    }
}
