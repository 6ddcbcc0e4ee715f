//! Optimistic concurrency: every resource has a `version`, sent as a strong `ETag`, and a
//! write must say which version it read.

use actix_web::HttpRequest;
use actix_web::http::header::{self, EntityTag};

use super::error::ApiError;

/// The `If-Match` header of writes, for the OpenAPI document (it is read by [`Expected`]).
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Header)]
pub struct IfMatch {
    /// The `ETag` you read (`"3"`); or send `version` in the body. `*` accepts any version.
    #[param(rename = "If-Match", nullable = false, example = "\"3\"")]
    pub if_match: Option<String>,
}

pub fn etag(version: i64) -> EntityTag {
    EntityTag::new_strong(version.to_string())
}

/// The version a write was based on, as the request states it. Checked against the stored
/// version only once the resource is found and the caller may change it, so that a missing
/// resource is `404` and a forbidden change `403`, whatever the preconditions say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expected {
    /// `If-Match: *`: the client explicitly accepts any current version.
    Any,
    Version(i64),
    /// Neither `If-Match` nor `version`: `428`.
    Unstated,
    /// An `If-Match` that names no version of ours, or one that disagrees with `version`:
    /// it can never match, `412`.
    Unmatchable,
}

impl Expected {
    /// From `If-Match` and/or the body's `version`.
    pub fn from_request(req: &HttpRequest, body_version: Option<i64>) -> Expected {
        let header = req
            .headers()
            .get_all(header::IF_MATCH)
            .filter_map(|v| v.to_str().ok())
            .collect::<Vec<_>>()
            .join(",");
        let from_header = if header.trim().is_empty() {
            None
        } else if header.trim() == "*" {
            Some(Expected::Any)
        } else {
            // Weak tags never match under If-Match's strong comparison.
            let versions = header
                .split(',')
                .filter_map(|tag| tag.trim().parse::<EntityTag>().ok())
                .filter(|tag| !tag.weak)
                // Our tags are `"<version>"` or `"<version>-<hash of the representation>"`.
                .filter_map(|tag| tag.tag().split('-').next()?.parse::<i64>().ok())
                .collect::<Vec<_>>();
            match versions.as_slice() {
                [one] => Some(Expected::Version(*one)),
                _ => Some(Expected::Unmatchable),
            }
        };
        match (from_header, body_version) {
            (None, None) => Expected::Unstated,
            (Some(Expected::Version(h)), Some(b)) if h != b => Expected::Unmatchable,
            (Some(expected), _) => expected,
            (None, Some(b)) => Expected::Version(b),
        }
    }

    pub fn check(self, current: i64) -> Result<(), ApiError> {
        match self {
            Expected::Unstated => Err(ApiError::PreconditionRequired(
                "Say which version you are changing: send the ETag you read in `If-Match`, \
                 or `version` in the body."
                    .into(),
            )),
            Expected::Unmatchable => Err(stale()),
            Expected::Version(v) if v != current => Err(stale()),
            Expected::Any | Expected::Version(_) => Ok(()),
        }
    }
}

/// `412`: the version a write was based on is no longer current.
pub fn stale() -> ApiError {
    ApiError::PreconditionFailed(
        "The resource has changed since you read it: fetch it again, reapply your change, and \
         send the new ETag."
            .into(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    fn expected(if_match: Option<&str>, body: Option<i64>) -> Expected {
        let mut req = TestRequest::default();
        if let Some(v) = if_match {
            req = req.insert_header((header::IF_MATCH, v));
        }
        Expected::from_request(&req.to_http_request(), body)
    }

    #[test]
    fn reads_if_match_or_body_version() {
        assert_eq!(expected(Some("\"3\""), None), Expected::Version(3));
        assert_eq!(expected(None, Some(4)), Expected::Version(4));
        assert_eq!(expected(Some("\"5-00ff\""), None), Expected::Version(5));
        assert_eq!(expected(Some("*"), None), Expected::Any);
        assert!(matches!(
            expected(None, None).check(1),
            Err(ApiError::PreconditionRequired(_))
        ));
        assert!(matches!(
            expected(Some("W/\"3\""), None).check(3),
            Err(ApiError::PreconditionFailed(_))
        ));
        assert!(matches!(
            expected(Some("\"3\""), Some(2)).check(3),
            Err(ApiError::PreconditionFailed(_))
        ));
        assert!(Expected::Version(3).check(4).is_err());
        assert!(Expected::Any.check(4).is_ok());
    }
}
