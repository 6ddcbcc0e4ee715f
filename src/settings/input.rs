//! What changing the settings is sent, and its checking: lengths, URLs, the time zone, the
//! permalinks, the navigation.

use serde::Deserialize;
use utoipa::ToSchema;

use super::model::SiteSettings;
use crate::site::Permalinks;
use crate::site::settings::NavItem;
use crate::validate::{Fields, HANDLE_MAX, META_DESCRIPTION_MAX, META_TITLE_MAX, double_option};

const TITLE_MAX: usize = 150;
const DESCRIPTION_MAX: usize = 200;
const LOCALE_MAX: usize = 35;
const NAV_MAX: usize = 50;
const LABEL_MAX: usize = 100;

/// Fields left out stay as they are; `null` clears an optional field. A navigation sent
/// replaces the whole list.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateSettings {
    #[schema(min_length = 1, max_length = 150, example = "Field Notes")]
    pub title: Option<String>,
    #[serde(default, with = "double_option")]
    #[schema(value_type = Option<String>, max_length = 200)]
    pub description: Option<Option<String>>,
    #[serde(default, with = "double_option")]
    #[schema(value_type = Option<String>, format = "uri")]
    pub logo: Option<Option<String>>,
    #[serde(default, with = "double_option")]
    #[schema(value_type = Option<String>, format = "uri")]
    pub icon: Option<Option<String>>,
    #[serde(default, with = "double_option")]
    #[schema(value_type = Option<String>, format = "uri")]
    pub cover_image: Option<Option<String>>,
    /// `#rrggbb`.
    #[serde(default, with = "double_option")]
    #[schema(value_type = Option<String>, pattern = "^#[0-9A-Fa-f]{6}$", example = "#ff1a75")]
    pub accent_color: Option<Option<String>>,
    /// A BCP 47 language tag.
    #[schema(
        max_length = 35,
        pattern = "^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$",
        example = "en-GB"
    )]
    pub locale: Option<String>,
    /// An IANA time zone: the dates in permalinks are the site's.
    #[schema(example = "Europe/Berlin")]
    pub timezone: Option<String>,
    /// The site's public address, `http(s)` (a trailing slash is dropped): every `url` in
    /// the API is made from it.
    #[serde(default, with = "double_option")]
    #[schema(value_type = Option<String>, format = "uri", example = "https://blog.example.com")]
    pub url: Option<Option<String>>,
    /// How a post's public path is made: from `{slug}`, `{id}`, `{year}`, `{month}` and
    /// `{day}` (in the site's time zone), starting and ending with `/`, naming the post by
    /// `{slug}` or `{id}`. Pages are always at `/{slug}/`.
    #[schema(max_length = 191, example = "/{year}/{month}/{slug}/")]
    pub permalinks: Option<String>,
    #[schema(max_items = 50)]
    pub navigation: Option<Vec<NavLink>>,
    #[schema(max_items = 50)]
    pub secondary_navigation: Option<Vec<NavLink>>,
    #[serde(default, with = "double_option")]
    #[schema(value_type = Option<String>, max_length = 191)]
    pub facebook: Option<Option<String>>,
    #[serde(default, with = "double_option")]
    #[schema(value_type = Option<String>, max_length = 191)]
    pub twitter: Option<Option<String>>,
    #[serde(default, with = "double_option")]
    #[schema(value_type = Option<String>, max_length = 191)]
    pub mastodon: Option<Option<String>>,
    #[serde(default, with = "double_option")]
    #[schema(value_type = Option<String>, max_length = 191)]
    pub bluesky: Option<Option<String>>,
    #[serde(default, with = "double_option")]
    #[schema(value_type = Option<String>, max_length = 191)]
    pub threads: Option<Option<String>>,
    #[serde(default, with = "double_option")]
    #[schema(value_type = Option<String>, max_length = 191)]
    pub linkedin: Option<Option<String>>,
    #[serde(default, with = "double_option")]
    #[schema(value_type = Option<String>, max_length = 191)]
    pub instagram: Option<Option<String>>,
    #[serde(default, with = "double_option")]
    #[schema(value_type = Option<String>, max_length = 191)]
    pub youtube: Option<Option<String>>,
    #[serde(default, with = "double_option")]
    #[schema(value_type = Option<String>, max_length = 191)]
    pub tiktok: Option<Option<String>>,
    #[serde(default, with = "double_option")]
    #[schema(value_type = Option<String>, max_length = 300)]
    pub meta_title: Option<Option<String>>,
    #[serde(default, with = "double_option")]
    #[schema(value_type = Option<String>, max_length = 500)]
    pub meta_description: Option<Option<String>>,
    #[serde(default, with = "double_option")]
    #[schema(value_type = Option<String>, format = "uri")]
    pub og_image: Option<Option<String>>,
    #[serde(default, with = "double_option")]
    #[schema(value_type = Option<String>, max_length = 300)]
    pub og_title: Option<Option<String>>,
    #[serde(default, with = "double_option")]
    #[schema(value_type = Option<String>, max_length = 500)]
    pub og_description: Option<Option<String>>,
    #[serde(default, with = "double_option")]
    #[schema(value_type = Option<String>, format = "uri")]
    pub twitter_image: Option<Option<String>>,
    #[serde(default, with = "double_option")]
    #[schema(value_type = Option<String>, max_length = 300)]
    pub twitter_title: Option<Option<String>>,
    #[serde(default, with = "double_option")]
    #[schema(value_type = Option<String>, max_length = 500)]
    pub twitter_description: Option<Option<String>>,
    /// The version you read, if you do not send `If-Match`.
    pub version: Option<i64>,
}

/// A link of the navigation, as a change sends it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NavLink {
    #[schema(min_length = 1, max_length = 100, example = "About")]
    pub label: String,
    /// An absolute `http(s)` URL, or a path on the site (`/about/`).
    #[schema(max_length = 2048, example = "/about/")]
    pub url: String,
}

/// A checked change to the settings: every field normalised.
#[derive(Debug)]
pub struct SettingsPatch {
    fields: UpdateSettings,
    navigation: Option<Vec<NavItem>>,
    secondary_navigation: Option<Vec<NavItem>>,
}

/// A site address: `http(s)`, with no query or fragment, without its trailing slash.
fn site_url(f: &mut Fields, value: Option<String>) -> Option<String> {
    let url = f.url("url", value)?;
    if url.contains(['?', '#']) {
        f.error("url", "invalid_url", "must have no query or fragment");
    }
    Some(url.trim_end_matches('/').to_owned())
}

fn locale(f: &mut Fields, value: String) -> String {
    let mut parts = value.split('-');
    let language = parts.next().unwrap_or("");
    let well_formed = (2..=3).contains(&language.len())
        && language.bytes().all(|b| b.is_ascii_alphabetic())
        && parts
            .all(|p| (1..=8).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()));
    if !well_formed || value.len() > LOCALE_MAX {
        f.error(
            "locale",
            "invalid_format",
            "must be a language tag such as `en` or `pt-BR`",
        );
    }
    value
}

fn timezone(f: &mut Fields, value: String) -> String {
    match value.parse::<chrono_tz::Tz>() {
        Ok(tz) => tz.name().to_owned(),
        Err(_) => {
            f.error(
                "timezone",
                "unknown",
                "must be an IANA time zone such as `Europe/Berlin`",
            );
            value
        }
    }
}

/// A path on the site: from its root, and nothing a browser could read as another host
/// (`//host`, `/\\host`) or that is not one path (spaces, control characters).
fn site_path(path: &str) -> bool {
    path.starts_with('/')
        && !path.starts_with("//")
        && !path.contains('\\')
        && !path.chars().any(|c| c.is_whitespace() || c.is_control())
}

fn links(f: &mut Fields, field: &str, items: Vec<NavLink>) -> Vec<NavItem> {
    if items.len() > NAV_MAX {
        f.error(
            field,
            "too_many",
            format!("must have at most {NAV_MAX} entries"),
        );
    }
    items
        .into_iter()
        .enumerate()
        .map(|(i, item)| {
            let label = f.required(&format!("{field}[{i}].label"), &item.label, LABEL_MAX);
            let at = format!("{field}[{i}].url");
            let url = if site_path(&item.url) {
                f.body(&at, item.url, 2048)
            } else if item.url.starts_with('/') {
                f.error(&at, "invalid_url", "must be a plain path on the site");
                item.url
            } else {
                f.url(&at, Some(item.url)).unwrap_or_default()
            };
            NavItem { label, url }
        })
        .collect()
}

impl UpdateSettings {
    pub fn validate(self) -> crate::error::ApiResult<SettingsPatch> {
        let mut f = Fields::new();
        let handle = |f: &mut Fields, field: &str, value: Option<Option<String>>| {
            f.patch_with(value, |f, v| f.handle(field, v, HANDLE_MAX))
        };
        let patch = UpdateSettings {
            title: self.title.map(|t| f.required("title", &t, TITLE_MAX)),
            description: f.patch("description", self.description, DESCRIPTION_MAX),
            logo: f.patch_url("logo", self.logo),
            icon: f.patch_url("icon", self.icon),
            cover_image: f.patch_url("cover_image", self.cover_image),
            accent_color: f.patch_with(self.accent_color, |f, v| f.color("accent_color", v)),
            locale: self.locale.map(|l| locale(&mut f, l)),
            timezone: self.timezone.map(|t| timezone(&mut f, t)),
            url: f.patch_with(self.url, site_url),
            permalinks: self.permalinks.inspect(|p| {
                if let Err(message) = Permalinks::parse(p) {
                    f.error("permalinks", "invalid_format", message);
                }
            }),
            navigation: None,
            secondary_navigation: None,
            facebook: handle(&mut f, "facebook", self.facebook),
            twitter: handle(&mut f, "twitter", self.twitter),
            mastodon: handle(&mut f, "mastodon", self.mastodon),
            bluesky: handle(&mut f, "bluesky", self.bluesky),
            threads: handle(&mut f, "threads", self.threads),
            linkedin: handle(&mut f, "linkedin", self.linkedin),
            instagram: handle(&mut f, "instagram", self.instagram),
            youtube: handle(&mut f, "youtube", self.youtube),
            tiktok: handle(&mut f, "tiktok", self.tiktok),
            meta_title: f.patch("meta_title", self.meta_title, META_TITLE_MAX),
            meta_description: f.patch(
                "meta_description",
                self.meta_description,
                META_DESCRIPTION_MAX,
            ),
            og_image: f.patch_url("og_image", self.og_image),
            og_title: f.patch("og_title", self.og_title, META_TITLE_MAX),
            og_description: f.patch("og_description", self.og_description, META_DESCRIPTION_MAX),
            twitter_image: f.patch_url("twitter_image", self.twitter_image),
            twitter_title: f.patch("twitter_title", self.twitter_title, META_TITLE_MAX),
            twitter_description: f.patch(
                "twitter_description",
                self.twitter_description,
                META_DESCRIPTION_MAX,
            ),
            version: self.version,
        };
        let navigation = self.navigation.map(|n| links(&mut f, "navigation", n));
        let secondary_navigation = self
            .secondary_navigation
            .map(|n| links(&mut f, "secondary_navigation", n));
        f.finish(SettingsPatch {
            fields: patch,
            navigation,
            secondary_navigation,
        })
    }
}

impl SettingsPatch {
    /// The version the body names, if it names one.
    pub fn version(&self) -> Option<i64> {
        self.fields.version
    }

    /// Writes the fields this change sets into `settings`.
    pub fn apply(self, settings: &mut SiteSettings) {
        fn set<T>(field: &mut T, value: Option<T>) {
            if let Some(value) = value {
                *field = value;
            }
        }
        let p = self.fields;
        set(&mut settings.title, p.title);
        set(&mut settings.description, p.description);
        set(&mut settings.logo, p.logo);
        set(&mut settings.icon, p.icon);
        set(&mut settings.cover_image, p.cover_image);
        set(&mut settings.accent_color, p.accent_color);
        set(&mut settings.locale, p.locale);
        set(&mut settings.timezone, p.timezone);
        set(&mut settings.url, p.url);
        set(&mut settings.permalinks, p.permalinks);
        set(&mut settings.navigation, self.navigation);
        set(
            &mut settings.secondary_navigation,
            self.secondary_navigation,
        );
        set(&mut settings.facebook, p.facebook);
        set(&mut settings.twitter, p.twitter);
        set(&mut settings.mastodon, p.mastodon);
        set(&mut settings.bluesky, p.bluesky);
        set(&mut settings.threads, p.threads);
        set(&mut settings.linkedin, p.linkedin);
        set(&mut settings.instagram, p.instagram);
        set(&mut settings.youtube, p.youtube);
        set(&mut settings.tiktok, p.tiktok);
        set(&mut settings.meta_title, p.meta_title);
        set(&mut settings.meta_description, p.meta_description);
        set(&mut settings.og_image, p.og_image);
        set(&mut settings.og_title, p.og_title);
        set(&mut settings.og_description, p.og_description);
        set(&mut settings.twitter_image, p.twitter_image);
        set(&mut settings.twitter_title, p.twitter_title);
        set(&mut settings.twitter_description, p.twitter_description);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(json: serde_json::Value) -> UpdateSettings {
        serde_json::from_value(json).unwrap()
    }

    fn codes(json: serde_json::Value) -> Vec<(String, String)> {
        match body(json).validate() {
            Err(crate::error::ApiError::Validation(errors)) => {
                errors.into_iter().map(|e| (e.field, e.code)).collect()
            }
            Ok(_) => Vec::new(),
            Err(other) => panic!("{other:?}"),
        }
    }

    #[test]
    fn settings_are_checked_field_by_field() {
        let bad = codes(serde_json::json!({
            "title": " ",
            "url": "ftp://example.com",
            "timezone": "Mars/Olympus",
            "locale": "english please",
            "permalinks": "/{year}/",
            "accent_color": "red",
            "navigation": [{"label": "", "url": "javascript:alert(1)"}, {"label": "Out", "url": "/\\\\evil.example"}],
        }));
        let fields: Vec<&str> = bad.iter().map(|(field, _)| field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "title",
                "accent_color",
                "locale",
                "timezone",
                "url",
                "permalinks",
                "navigation[0].label",
                "navigation[0].url",
                "navigation[1].url"
            ]
        );
        assert!(
            codes(serde_json::json!({"url": "https://example.com/blog?x=1"}))
                .contains(&("url".into(), "invalid_url".into()))
        );
    }

    #[test]
    fn a_change_writes_what_it_sets_normalised() {
        let patch = body(serde_json::json!({
            "url": "https://blog.example.com/",
            "timezone": "Europe/Berlin",
            "accent_color": "#FF1A75",
            "navigation": [{"label": "About", "url": "/about/"}],
            "description": null,
        }))
        .validate()
        .unwrap();
        let mut settings = SiteSettings {
            description: Some("old".into()),
            ..SiteSettings::default()
        };
        patch.apply(&mut settings);
        assert_eq!(settings.url.as_deref(), Some("https://blog.example.com"));
        assert_eq!(settings.timezone, "Europe/Berlin");
        assert_eq!(settings.accent_color.as_deref(), Some("#ff1a75"));
        assert_eq!(settings.navigation[0].url, "/about/");
        assert_eq!(settings.description, None);
        assert_eq!(settings.title, "Folio");
    }
}
