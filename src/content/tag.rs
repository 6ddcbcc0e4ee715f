//! Internal tags: a tag whose name starts with `#` organises content for staff (`#newsletter`,
//! `#legacy`) and is never shown to readers. Its slug starts with `hash-`, as in Ghost, so
//! that it cannot take a public tag's address.

use diesel::deserialize::FromSqlRow;
use diesel::expression::AsExpression;
use diesel::sql_types::Text;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Whether readers see a tag. Follows from its name: `#…` is internal.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema, AsExpression, FromSqlRow,
)]
#[diesel(sql_type = Text)]
#[serde(rename_all = "lowercase")]
pub enum TagVisibility {
    Public,
    /// Named `#…`: left out of what readers see (posts' tags, tag lists), kept for staff.
    Internal,
}

crate::text_enum!(TagVisibility, "tag visibility", {
    Public => "public",
    Internal => "internal",
});

impl TagVisibility {
    pub fn of_name(name: &str) -> TagVisibility {
        if name.starts_with('#') {
            TagVisibility::Internal
        } else {
            TagVisibility::Public
        }
    }
}

/// What a tag's slug is derived from: its name, with `#` spelt `hash-`.
pub fn slug_source(name: &str) -> String {
    match name.strip_prefix('#') {
        Some(rest) => format!("hash-{rest}"),
        None => name.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::Slug;

    #[test]
    fn a_hash_makes_a_tag_internal_and_its_slug_hash_prefixed() {
        assert_eq!(TagVisibility::of_name("#News"), TagVisibility::Internal);
        assert_eq!(TagVisibility::of_name("News #1"), TagVisibility::Public);
        assert_eq!(
            Slug::derive(&slug_source("#Big News"), "tag").as_str(),
            "hash-big-news"
        );
        assert_eq!(Slug::derive(&slug_source("#"), "tag").as_str(), "hash");
        assert_eq!(Slug::derive(&slug_source("News"), "tag").as_str(), "news");
    }
}
