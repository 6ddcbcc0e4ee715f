//! The site as a whole: its settings as stored, and what every representation needs of them,
//! the public address of each post, page, tag and author (`url`), made from the site's
//! address and permalinks, with dates in the site's time zone.

pub mod settings;

use chrono::NaiveDateTime;
use chrono_tz::Tz;
use diesel::prelude::*;

use crate::db::DbConn;
use crate::db::schema::settings as settings_table;
use crate::error::{ApiError, ApiResult};
pub use settings::SiteSettings;

/// One part of a permalink template.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Text(String),
    Slug,
    Id,
    Year,
    Month,
    Day,
}

/// How a post's public path is made: a template such as `/{slug}/` or
/// `/{year}/{month}/{slug}/`, from `{slug}`, `{id}`, `{year}`, `{month}` and `{day}` (the
/// date it was published, in the site's time zone). It starts and ends with `/` and names
/// the post by `{slug}` or `{id}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Permalinks(Vec<Part>);

impl Permalinks {
    pub const DEFAULT: &'static str = "/{slug}/";
    pub const MAX_LEN: usize = 191;

    pub fn parse(template: &str) -> Result<Permalinks, String> {
        if template.len() > Self::MAX_LEN {
            return Err(format!("must be at most {} characters", Self::MAX_LEN));
        }
        if !template.starts_with('/') || !template.ends_with('/') || template.contains("//") {
            return Err("must start and end with `/`, with no empty segment".into());
        }
        let mut parts = Vec::new();
        let mut rest = template;
        while let Some(open) = rest.find('{') {
            let (text, after) = rest.split_at(open);
            let close = after
                .find('}')
                .ok_or_else(|| "has a `{` that is never closed".to_owned())?;
            if !text.is_empty() {
                parts.push(Part::Text(literal(text)?));
            }
            parts.push(match &after[1..close] {
                "slug" => Part::Slug,
                "id" => Part::Id,
                "year" => Part::Year,
                "month" => Part::Month,
                "day" => Part::Day,
                other => {
                    return Err(format!(
                        "knows no `{{{other}}}`: use {{slug}}, {{id}}, {{year}}, {{month}}, {{day}}"
                    ));
                }
            });
            rest = &after[close + 1..];
        }
        if !rest.is_empty() {
            parts.push(Part::Text(literal(rest)?));
        }
        if !parts.iter().any(|p| matches!(p, Part::Slug | Part::Id)) {
            return Err("must name the post by {slug} or {id}".into());
        }
        Ok(Permalinks(parts))
    }

    /// The path of a post with `slug` and `id`, published at `published` (site time).
    fn path(&self, slug: &str, id: &str, published: chrono::DateTime<Tz>) -> String {
        use chrono::Datelike;
        let mut path = String::new();
        for part in &self.0 {
            match part {
                Part::Text(text) => path.push_str(text),
                Part::Slug => path.push_str(slug),
                Part::Id => path.push_str(id),
                Part::Year => path.push_str(&format!("{:04}", published.year())),
                Part::Month => path.push_str(&format!("{:02}", published.month())),
                Part::Day => path.push_str(&format!("{:02}", published.day())),
            }
        }
        path
    }
}

/// Literal text of a template: what a path segment may hold without escaping.
fn literal(text: &str) -> Result<String, String> {
    if text
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"/-_.~".contains(&b))
    {
        Ok(text.to_owned())
    } else {
        Err("may hold only letters, digits, `/`, `-`, `_`, `.` and `~` around its fields".into())
    }
}

/// A post as its address needs it.
pub struct Addressed<'a> {
    pub page: bool,
    pub slug: &'a str,
    pub id: &'a str,
    pub uuid: &'a str,
    /// When it went live, if it has.
    pub live_since: Option<NaiveDateTime>,
}

/// Where things are on the site's frontend.
#[derive(Debug, Clone)]
pub struct Site {
    /// Without a trailing slash; `None` until the settings give one.
    url: Option<String>,
    permalinks: Permalinks,
    timezone: Tz,
    /// When the settings last changed: every address is as new as they are.
    pub changed_at: NaiveDateTime,
}

impl Site {
    /// The addresses `settings`, as changed at `changed_at`, make. Stored settings were
    /// checked when written; should one no longer parse (a time zone a newer database
    /// dropped), its default stands in.
    pub fn of(settings: &SiteSettings, changed_at: NaiveDateTime) -> Site {
        Site {
            changed_at,
            url: settings
                .url
                .as_deref()
                .map(|url| url.trim_end_matches('/').to_owned()),
            permalinks: Permalinks::parse(&settings.permalinks).unwrap_or_else(|_| {
                Permalinks::parse(Permalinks::DEFAULT).expect("the default permalinks parse")
            }),
            timezone: settings.timezone.parse().unwrap_or(Tz::UTC),
        }
    }

    /// The site as its settings are now.
    pub fn load(conn: &mut DbConn) -> ApiResult<Site> {
        let (settings, _, changed_at) = load_settings(conn)?;
        Ok(Site::of(&settings, changed_at))
    }

    /// The site's address, without a trailing slash; `None` until the settings give one.
    pub fn url(&self) -> Option<&str> {
        self.url.as_deref()
    }

    pub fn timezone(&self) -> Tz {
        self.timezone
    }

    /// This site with its addresses relative to its root while the settings name no `url`
    /// (for answers that must give one, and may give a path a frontend can still follow).
    pub fn rooted(mut self) -> Site {
        self.url.get_or_insert_with(String::new);
        self
    }

    /// Any page of the site, by its path.
    pub fn page_url(&self, path: &str) -> Option<String> {
        self.at(path)
    }

    fn at(&self, path: &str) -> Option<String> {
        self.url.as_ref().map(|url| format!("{url}{path}"))
    }

    /// A post's or page's public address: by the permalinks once it is live (a page by its
    /// slug alone), and at `/p/{uuid}/` before, where a frontend shows previews.
    pub fn post_url(&self, post: Addressed) -> Option<String> {
        let path = match post.live_since {
            None => format!("/p/{}/", post.uuid),
            Some(_) if post.page => format!("/{}/", post.slug),
            Some(at) => {
                let local = at.and_utc().with_timezone(&self.timezone);
                self.permalinks.path(post.slug, post.id, local)
            }
        };
        self.at(&path)
    }

    /// A tag's page; internal tags have none.
    pub fn tag_url(&self, slug: &str, internal: bool) -> Option<String> {
        if internal {
            return None;
        }
        self.at(&format!("/tag/{slug}/"))
    }

    pub fn author_url(&self, slug: &str) -> Option<String> {
        self.at(&format!("/author/{slug}/"))
    }
}

/// The settings row: its document, version and last change.
pub fn load_settings(conn: &mut DbConn) -> ApiResult<(SiteSettings, i64, NaiveDateTime)> {
    let (document, version, updated_at): (String, i64, NaiveDateTime) = settings_table::table
        .find(1)
        .select((
            settings_table::document,
            settings_table::version,
            settings_table::updated_at,
        ))
        .first(conn)?;
    let settings = serde_json::from_str(&document).map_err(ApiError::internal)?;
    Ok((settings, version, updated_at))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site(url: &str, permalinks: &str, timezone: &str) -> Site {
        let settings = SiteSettings {
            url: Some(url.to_owned()),
            permalinks: permalinks.to_owned(),
            timezone: timezone.to_owned(),
            ..SiteSettings::default()
        };
        Site::of(&settings, NaiveDateTime::default())
    }

    fn live(at: &str) -> Addressed<'static> {
        Addressed {
            page: false,
            slug: "hello",
            id: "0193",
            uuid: "u-1",
            live_since: Some(at.parse().unwrap()),
        }
    }

    #[test]
    fn permalinks_are_checked() {
        for good in [
            "/{slug}/",
            "/{year}/{month}/{day}/{slug}/",
            "/blog/{id}/",
            "/p-{slug}.html/",
        ] {
            assert!(Permalinks::parse(good).is_ok(), "{good}");
        }
        for bad in [
            "{slug}/",
            "/{slug}",
            "/{year}/",
            "/{slug}/{nope}/",
            "/{slug",
            "//{slug}/",
            "/ {slug}/",
            "/?{slug}/",
        ] {
            assert!(Permalinks::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn dates_in_addresses_are_the_sites() {
        // 23:30 on New Year's Eve in UTC is already next year in Berlin.
        let at = "2026-12-31T23:30:00";
        let dated = "/{year}/{month}/{day}/{slug}/";
        assert_eq!(
            site("https://blog.example.com/", dated, "Europe/Berlin")
                .post_url(live(at))
                .unwrap(),
            "https://blog.example.com/2027/01/01/hello/"
        );
        assert_eq!(
            site("https://blog.example.com", dated, "Etc/UTC")
                .post_url(live(at))
                .unwrap(),
            "https://blog.example.com/2026/12/31/hello/"
        );
        assert_eq!(
            site("https://example.com/blog", dated, "America/New_York")
                .post_url(live(at))
                .unwrap(),
            "https://example.com/blog/2026/12/31/hello/"
        );
    }

    #[test]
    fn drafts_pages_tags_and_authors_have_their_own_addresses() {
        let site = site("https://example.com", "/{year}/{slug}/", "Etc/UTC");
        let draft = Addressed {
            live_since: None,
            ..live("2026-01-01T00:00:00")
        };
        assert_eq!(site.post_url(draft).unwrap(), "https://example.com/p/u-1/");
        let page = Addressed {
            page: true,
            ..live("2026-01-01T00:00:00")
        };
        assert_eq!(site.post_url(page).unwrap(), "https://example.com/hello/");
        assert_eq!(
            site.tag_url("news", false).unwrap(),
            "https://example.com/tag/news/"
        );
        assert_eq!(site.tag_url("hash-x", true), None);
        assert_eq!(
            site.author_url("mara").unwrap(),
            "https://example.com/author/mara/"
        );
        let unset = Site::of(&SiteSettings::default(), NaiveDateTime::default());
        assert_eq!(unset.post_url(live("2026-01-01T00:00:00")), None);
        assert_eq!(unset.author_url("mara"), None);
    }
}
