//! `If-Match` and `ETag`: a resource's version as its entity tag, and the version a write
//! says it was based on, read from the request.

use actix_web::HttpRequest;
use actix_web::http::header::{self, EntityTag};

use crate::precondition::Expected;

/// The `If-Match` header of writes, for the OpenAPI document (it is read by [`expected`]).
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

/// The version a write was based on: from `If-Match` and/or the body's `version`.
pub fn expected(req: &HttpRequest, body_version: Option<i64>) -> Expected {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ApiError;
    use actix_web::test::TestRequest;

    fn read(if_match: Option<&str>, body: Option<i64>) -> Expected {
        let mut req = TestRequest::default();
        if let Some(v) = if_match {
            req = req.insert_header((header::IF_MATCH, v));
        }
        expected(&req.to_http_request(), body)
    }

    #[test]
    fn reads_if_match_or_body_version() {
        assert_eq!(read(Some("\"3\""), None), Expected::Version(3));
        assert_eq!(read(None, Some(4)), Expected::Version(4));
        assert_eq!(read(Some("\"5-00ff\""), None), Expected::Version(5));
        assert_eq!(read(Some("*"), None), Expected::Any);
        assert!(matches!(
            read(None, None).check(1),
            Err(ApiError::PreconditionRequired(_))
        ));
        assert!(matches!(
            read(Some("W/\"3\""), None).check(3),
            Err(ApiError::PreconditionFailed(_))
        ));
        assert!(matches!(
            read(Some("\"3\""), Some(2)).check(3),
            Err(ApiError::PreconditionFailed(_))
        ));
    }
}
