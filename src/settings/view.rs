//! The settings as the API shows them: every field is public.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::model::SettingsRow;
use crate::db::utc;
use crate::site::settings::NavItem;

#[derive(Debug, Serialize, ToSchema)]
pub struct Settings {
    /// The site's name.
    pub title: String,
    pub description: Option<String>,
    pub logo: Option<String>,
    pub icon: Option<String>,
    pub cover_image: Option<String>,
    pub accent_color: Option<String>,
    /// A BCP 47 language tag.
    pub locale: String,
    /// An IANA time zone.
    pub timezone: String,
    /// The site's public address, without a trailing slash; `null` until it is set, and
    /// with it every `url` in the API.
    pub url: Option<String>,
    /// How a post's public path is made (see `UpdateSettings`).
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
    pub updated_at: DateTime<Utc>,
    /// Grows by one on every change; send it back (or the `ETag`) when you change them.
    pub version: i64,
}

impl Settings {
    pub fn view(row: SettingsRow) -> Settings {
        let s = row.settings;
        Settings {
            title: s.title,
            description: s.description,
            logo: s.logo,
            icon: s.icon,
            cover_image: s.cover_image,
            accent_color: s.accent_color,
            locale: s.locale,
            timezone: s.timezone,
            url: s.url,
            permalinks: s.permalinks,
            navigation: s.navigation,
            secondary_navigation: s.secondary_navigation,
            facebook: s.facebook,
            twitter: s.twitter,
            mastodon: s.mastodon,
            bluesky: s.bluesky,
            threads: s.threads,
            linkedin: s.linkedin,
            instagram: s.instagram,
            youtube: s.youtube,
            tiktok: s.tiktok,
            meta_title: s.meta_title,
            meta_description: s.meta_description,
            og_image: s.og_image,
            og_title: s.og_title,
            og_description: s.og_description,
            twitter_image: s.twitter_image,
            twitter_title: s.twitter_title,
            twitter_description: s.twitter_description,
            updated_at: utc(row.updated_at),
            version: row.version,
        }
    }
}

impl crate::http::Modified for Settings {
    fn last_modified(&self) -> DateTime<Utc> {
        self.updated_at
    }
}
