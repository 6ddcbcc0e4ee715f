//! The list parameters of media: the page, the kind of file, and text to look for.

use super::model::MediaKind;
use super::storage::MediaFilter;
use crate::db::page::{CursorCodec, PageRequest};
use crate::error::ApiResult;

crate::paged_params!(
    /// The query of the media library.
    MediaListParams {
        /// Only files of this kind.
        #[param(inline)]
        kind: Option<MediaKind>,
        /// Text in the alt text or the file name (any case).
        #[param(min_length = 1, max_length = 200)]
        q: Option<String>,
    }
);

impl MediaListParams {
    pub fn parse(self, cursors: &impl CursorCodec) -> ApiResult<(MediaFilter, PageRequest)> {
        let mut errors = Vec::new();
        let page = self.page_request(cursors, &mut errors);
        let q = self.q.map(|q| q.trim().to_owned());
        match &q {
            Some(q) if q.is_empty() => errors.push(crate::error::FieldError::new(
                "q",
                "empty",
                "must hold some text to look for",
            )),
            Some(q) if q.chars().count() > 200 => errors.push(crate::error::FieldError::new(
                "q",
                "too_long",
                "must be at most 200 characters",
            )),
            _ => {}
        }
        crate::query::checked((MediaFilter { kind: self.kind, q }, page), errors)
    }
}
