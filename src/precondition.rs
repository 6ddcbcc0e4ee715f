//! Optimistic concurrency: which version of a resource a write was based on, checked when
//! the write is made, so that two editors never overwrite each other unawares.

use crate::error::ApiError;

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

    #[test]
    fn versions_are_checked_as_stated() {
        assert!(matches!(
            Expected::Unstated.check(1),
            Err(ApiError::PreconditionRequired(_))
        ));
        assert!(matches!(
            Expected::Unmatchable.check(3),
            Err(ApiError::PreconditionFailed(_))
        ));
        assert!(Expected::Version(3).check(4).is_err());
        assert!(Expected::Version(4).check(4).is_ok());
        assert!(Expected::Any.check(4).is_ok());
    }
}
