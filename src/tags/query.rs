//! The list parameters of tags: those of every named resource, and which tags to show by
//! visibility (internal tags are left out unless asked for).

use serde::Deserialize;
use utoipa::ToSchema;

use crate::content::TagVisibility;

/// Which tags a list holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum TagScope {
    /// Public tags only.
    #[default]
    Public,
    /// Internal tags (`#…`) only.
    Internal,
    All,
}

impl TagScope {
    /// The visibility the tags must have; `None` for any.
    pub fn only(self) -> Option<TagVisibility> {
        match self {
            TagScope::Public => Some(TagVisibility::Public),
            TagScope::Internal => Some(TagVisibility::Internal),
            TagScope::All => None,
        }
    }
}

crate::named_list_params!(
    /// The query parameters of a list of tags.
    TagListParams {
        /// `public` (the default), `internal` (`#…` tags, for organising) or `all`.
        #[param(inline)]
        visibility: Option<TagScope>,
    }
);
