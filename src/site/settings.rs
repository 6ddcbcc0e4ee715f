//! The site's settings as stored: one JSON document in the settings row. Every key has a
//! default, so a document written by an older Folio (or `{}`, as the migration leaves it)
//! reads whole, and keys a newer one adds are simply there.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::Permalinks;

pub const DEFAULT_TITLE: &str = "Folio";
pub const DEFAULT_LOCALE: &str = "en";
pub const DEFAULT_TIMEZONE: &str = "Etc/UTC";

/// A link in the site's navigation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct NavItem {
    #[schema(min_length = 1, max_length = 100, example = "About")]
    pub label: String,
    /// An absolute `http(s)` URL, or a path on the site (`/about/`).
    #[schema(max_length = 2048, example = "/about/")]
    pub url: String,
}

/// Everything the settings hold. All of it is public: what a frontend needs to draw the site.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SiteSettings {
    pub title: String,
    pub description: Option<String>,
    pub logo: Option<String>,
    pub icon: Option<String>,
    pub cover_image: Option<String>,
    pub accent_color: Option<String>,
    pub locale: String,
    /// An IANA time zone: dates in permalinks are the site's.
    pub timezone: String,
    /// The public address of the site (no trailing slash), or `None` until it is set.
    pub url: Option<String>,
    /// How a post's public path is made from it (see [`Permalinks`]).
    pub permalinks: String,
    pub navigation: Vec<NavItem>,
    pub secondary_navigation: Vec<NavItem>,
    pub facebook: Option<String>,
    pub twitter: Option<String>,
    pub mastodon: Option<String>,
    pub bluesky: Option<String>,
    pub threads: Option<String>,
    pub linkedin: Option<String>,
    pub instagram: Option<String>,
    pub youtube: Option<String>,
    pub tiktok: Option<String>,
    pub meta_title: Option<String>,
    pub meta_description: Option<String>,
    pub og_image: Option<String>,
    pub og_title: Option<String>,
    pub og_description: Option<String>,
    pub twitter_image: Option<String>,
    pub twitter_title: Option<String>,
    pub twitter_description: Option<String>,
}

impl Default for SiteSettings {
    fn default() -> SiteSettings {
        SiteSettings {
            title: DEFAULT_TITLE.to_owned(),
            description: None,
            logo: None,
            icon: None,
            cover_image: None,
            accent_color: None,
            locale: DEFAULT_LOCALE.to_owned(),
            timezone: DEFAULT_TIMEZONE.to_owned(),
            url: None,
            permalinks: Permalinks::DEFAULT.to_owned(),
            navigation: Vec::new(),
            secondary_navigation: Vec::new(),
            facebook: None,
            twitter: None,
            mastodon: None,
            bluesky: None,
            threads: None,
            linkedin: None,
            instagram: None,
            youtube: None,
            tiktok: None,
            meta_title: None,
            meta_description: None,
            og_image: None,
            og_title: None,
            og_description: None,
            twitter_image: None,
            twitter_title: None,
            twitter_description: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_or_older_document_reads_whole() {
        let empty: SiteSettings = serde_json::from_str("{}").unwrap();
        assert_eq!(empty, SiteSettings::default());
        let older: SiteSettings =
            serde_json::from_str(r#"{"title": "Mine", "retired_key": 3}"#).unwrap();
        assert_eq!(older.title, "Mine");
        assert_eq!(older.permalinks, "/{slug}/");
    }
}
