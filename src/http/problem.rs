//! problem+json (RFC 9457): the body every error answers with, and the one place an
//! [`ApiError`] becomes a response. The cause of a server-side failure is logged here, with
//! its chain, inside the request's span, and never reaches the client.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::{ApiError, FieldError};

pub const PROBLEM_JSON: &str = "application/problem+json";

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

impl Problem {
    pub fn of(err: &ApiError) -> Problem {
        let answer = err.answer();
        Problem {
            problem_type: format!("urn:folio:problem:{}", answer.kind),
            title: title(answer.status),
            status: answer.status.as_u16(),
            detail: answer.detail.into_owned(),
            errors: answer.errors.map(<[FieldError]>::to_vec),
        }
    }

    /// The problem for an error answer made outside Folio (by actix or a middleware crate).
    pub fn for_status(status: StatusCode, detail: &str) -> Problem {
        Problem {
            problem_type: format!("urn:folio:problem:http-{}", status.as_u16()),
            title: title(status),
            status: status.as_u16(),
            detail: detail.to_owned(),
            errors: None,
        }
    }
}

fn title(status: StatusCode) -> String {
    status.canonical_reason().unwrap_or("Error").to_owned()
}

/// An error and the errors that caused it, as one line for the log.
struct Chain<'a>(&'a dyn std::error::Error);

impl std::fmt::Display for Chain<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)?;
        let mut source = self.0.source();
        while let Some(cause) = source {
            write!(f, ": {cause}")?;
            source = cause.source();
        }
        Ok(())
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.answer().status
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            ApiError::Internal(_) => tracing::error!(error = %Chain(self), "request failed"),
            ApiError::StorageUnavailable(_) => {
                tracing::warn!(error = %Chain(self), "media store unavailable")
            }
            // An outage is logged once, when it begins and ends (see `db::Manager`), not for
            // every request it turns away.
            ApiError::Unavailable(_) => {
                tracing::debug!(error = %Chain(self), "database unavailable")
            }
            _ => {}
        }
        let answer = self.answer();
        let mut response = HttpResponse::build(answer.status);
        response.insert_header((header::CONTENT_TYPE, PROBLEM_JSON));
        if let Some((name, value)) = &answer.header {
            response.insert_header((name.clone(), value.as_ref()));
        }
        response.body(serde_json::to_vec(&Problem::of(self)).unwrap_or_default())
    }
}

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
