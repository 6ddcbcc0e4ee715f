//! Feeds and sitemaps made from what is live: the newest posts of the site, a tag or an
//! author, and every public address, split into sitemaps of at most 50,000.

use chrono::NaiveDateTime;

use super::storage::{self, Listed};
use crate::db::DbConn;
use crate::error::{ApiError, ApiResult};
use crate::posts::model::{PostRecord, Visibility};
use crate::site::{Addressed, Site, SiteSettings, load_settings};

/// Posts in a feed: the newest, as Ghost's feeds have them.
pub const FEED_ITEMS: i64 = 20;

/// Addresses in one sitemap: the protocol's limit.
pub const SITEMAP_URLS: i64 = 50_000;

/// Whose posts a feed follows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    Site,
    Tag(String),
    Author(String),
}

/// A feed, in no format yet.
#[derive(Debug)]
pub struct Feed {
    /// The site's address, without a trailing slash: where the feed is published.
    pub site_url: String,
    pub title: String,
    pub description: String,
    /// The page of the site the feed follows.
    pub link: String,
    pub language: String,
    /// When anything in it last changed.
    pub updated: NaiveDateTime,
    pub items: Vec<Item>,
}

#[derive(Debug)]
pub struct Item {
    pub id: String,
    pub uuid: String,
    pub title: String,
    pub url: String,
    pub published: NaiveDateTime,
    pub updated: NaiveDateTime,
    pub excerpt: String,
    /// The whole post; `None` for posts for members, whose excerpt is all a feed shows.
    pub html: Option<String>,
    pub feature_image: Option<String>,
    pub authors: Vec<String>,
    /// Its public tags' names.
    pub categories: Vec<String>,
}

/// Feeds and sitemaps are absolute addresses on the site: without one, there are none.
fn no_site_url() -> ApiError {
    ApiError::NotFound(
        "Feeds and sitemaps give absolute addresses on the site, and the settings name no site \
         `url` yet: set it (PATCH /api/v1/settings)."
            .into(),
    )
}

/// The settings and the site's address, which every feed and sitemap needs.
fn site(conn: &mut DbConn) -> ApiResult<(SiteSettings, Site, String)> {
    let (settings, _, changed_at) = load_settings(conn)?;
    let site = Site::of(&settings, changed_at);
    let base = site.url().ok_or_else(no_site_url)?.to_owned();
    Ok((settings, site, base))
}

/// The feed of `scope`: `404` for a tag or author readers cannot see.
pub fn feed(conn: &mut DbConn, scope: &Scope, now: NaiveDateTime) -> ApiResult<Feed> {
    let (settings, site, base) = site(conn)?;
    let described = settings.description.clone().unwrap_or_default();
    let (title, link, tag, author) = match scope {
        Scope::Site => (settings.title.clone(), format!("{base}/"), None, None),
        Scope::Tag(slug) => {
            let name = storage::live_name(conn, Listed::Tags, slug, now)?
                .ok_or_else(|| ApiError::NotFound(format!("No tag `{slug}` has a post.")))?;
            let link = site
                .tag_url(slug, false)
                .unwrap_or_else(|| format!("{base}/"));
            (
                format!("{name} - {}", settings.title),
                link,
                Some(slug),
                None,
            )
        }
        Scope::Author(slug) => {
            let name = storage::live_name(conn, Listed::Authors, slug, now)?
                .ok_or_else(|| ApiError::NotFound(format!("No author `{slug}` has a post.")))?;
            let link = site.author_url(slug).unwrap_or_else(|| format!("{base}/"));
            (
                format!("{name} - {}", settings.title),
                link,
                None,
                Some(slug),
            )
        }
    };
    let records = storage::latest(
        conn,
        tag.map(String::as_str),
        author.map(String::as_str),
        FEED_ITEMS,
        now,
    )?;
    let items: Vec<Item> = records
        .into_iter()
        .map(|record| item(record, &site, &base))
        .collect();
    let updated = items
        .iter()
        .map(|item| item.updated)
        .chain([site.changed_at])
        .max()
        .unwrap_or(site.changed_at);
    Ok(Feed {
        site_url: base,
        title,
        description: described,
        link,
        language: settings.locale.clone(),
        updated,
        items,
    })
}

fn item(record: PostRecord, site: &Site, base: &str) -> Item {
    let PostRecord {
        row, authors, tags, ..
    } = record;
    let published = row.published_at.unwrap_or(row.created_at);
    let url = site
        .post_url(Addressed {
            page: false,
            slug: &row.slug,
            id: row.id.as_str(),
            uuid: &row.uuid,
            live_since: row.published_at,
        })
        .unwrap_or_else(|| format!("{base}/"));
    Item {
        html: (row.visibility == Visibility::Public).then_some(row.html),
        id: row.id.to_string(),
        uuid: row.uuid,
        title: row.title,
        url,
        published,
        updated: row.updated_at,
        excerpt: row.custom_excerpt.unwrap_or(row.excerpt),
        feature_image: row.feature_image,
        authors: authors.into_iter().map(|a| a.name).collect(),
        categories: tags
            .into_iter()
            .filter(|t| !t.internal)
            .map(|t| t.name)
            .collect(),
    }
}

/// One sitemap of the index: its address and when the newest of its entries changed.
#[derive(Debug)]
pub struct Sitemap {
    pub url: String,
    pub updated: Option<NaiveDateTime>,
}

/// The order the index lists its sitemaps in, and their names.
const LISTED: [(Listed, &str); 4] = [
    (Listed::Pages, "pages"),
    (Listed::Posts, "posts"),
    (Listed::Tags, "tags"),
    (Listed::Authors, "authors"),
];

/// Parts a list of `count` addresses is split into: at least one, so that every name the
/// index gives exists.
fn parts(count: i64) -> i64 {
    ((count + SITEMAP_URLS - 1) / SITEMAP_URLS).max(1)
}

/// The name of part `part` (from 1) of the sitemap of `name`.
fn part_name(name: &str, part: i64) -> String {
    match part {
        1 => format!("sitemap-{name}.xml"),
        n => format!("sitemap-{name}-{n}.xml"),
    }
}

/// The home page leads the pages' sitemap, so it is never empty (the protocol wants an
/// address in every sitemap, and an index with a sitemap in it).
fn leading(what: Listed) -> i64 {
    i64::from(what == Listed::Pages)
}

/// The sitemaps of the site, for its index. Tags and authors readers cannot see are left
/// out, and so are lists with nothing in them (but the pages, which have the home page).
pub fn index(conn: &mut DbConn, now: NaiveDateTime) -> ApiResult<Vec<Sitemap>> {
    let (_, site, base) = site(conn)?;
    let mut sitemaps = Vec::new();
    for (what, name) in LISTED {
        let (count, newest) = storage::extent(conn, what, &base, now)?;
        let count = count + leading(what);
        if count == 0 {
            continue;
        }
        let updated = match what {
            Listed::Pages => newest.max(Some(site.changed_at)),
            _ => newest,
        };
        for part in 1..=parts(count) {
            sitemaps.push(Sitemap {
                url: format!("{base}/{}", part_name(name, part)),
                updated,
            });
        }
    }
    Ok(sitemaps)
}

/// One address of a sitemap.
#[derive(Debug)]
pub struct Located {
    pub url: String,
    pub updated: NaiveDateTime,
}

/// What `sitemap-{part}.xml` names: a list and which part of it, if it is one.
fn parse_part(part: &str) -> Option<(Listed, i64)> {
    let (name, number) = match part.rsplit_once('-') {
        // Written one way only: digits, no leading zero, from 2.
        Some((name, n)) if n.bytes().all(|b| b.is_ascii_digit()) && !n.starts_with('0') => {
            (name, n.parse::<i64>().ok().filter(|n| *n > 1)?)
        }
        _ => (part, 1),
    };
    LISTED
        .iter()
        .find(|(_, listed)| *listed == name)
        .map(|(what, _)| (*what, number))
}

/// The addresses of `sitemap-{part}.xml`: `404` for a name the index does not give.
pub fn sitemap(conn: &mut DbConn, part: &str, now: NaiveDateTime) -> ApiResult<Vec<Located>> {
    let missing =
        || ApiError::NotFound(format!("The sitemap index names no `sitemap-{part}.xml`."));
    let (what, number) = parse_part(part).ok_or_else(missing)?;
    let (_, site, base) = site(conn)?;
    let (count, _) = storage::extent(conn, what, &base, now)?;
    let lead = leading(what);
    if count + lead == 0 || number > parts(count + lead) {
        return Err(missing());
    }
    let (leads, offset, limit) = window(number, lead);
    let mut located = Vec::new();
    if leads {
        located.push(Located {
            url: format!("{base}/"),
            updated: site.changed_at,
        });
    }
    let page = what == Listed::Pages;
    for entry in storage::entries(conn, what, &base, now, offset, limit)? {
        let url = match (&entry.post, what) {
            (Some(keys), _) => site
                .post_url(Addressed {
                    page,
                    slug: &entry.slug,
                    id: &keys.id,
                    uuid: &keys.uuid,
                    live_since: keys.published_at,
                })
                // One that names another page as canonical is that page's duplicate: search
                // engines want the canonical one only (and it is listed if it is Folio's).
                .filter(|url| keys.canonical_url.as_ref().is_none_or(|c| c == url)),
            (None, Listed::Tags) => site.tag_url(&entry.slug, false),
            (None, _) => site.author_url(&entry.slug),
        };
        if let Some(url) = url {
            located.push(Located {
                url,
                updated: entry.updated_at,
            });
        }
    }
    Ok(located)
}

/// Where part `number` of a list starts in the storage's order, and how many it takes, when
/// `lead` addresses (the home page) come first: whether the part holds those, its offset and
/// its limit.
fn window(number: i64, lead: i64) -> (bool, i64, i64) {
    let start = (number - 1) * SITEMAP_URLS;
    let leads = start < lead;
    let offset = (start - lead).max(0);
    let limit = SITEMAP_URLS - if leads { lead - start } else { 0 };
    (leads, offset, limit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sitemaps_split_at_the_protocols_limit() {
        assert_eq!(parts(0), 1);
        assert_eq!(parts(1), 1);
        assert_eq!(parts(SITEMAP_URLS), 1);
        assert_eq!(parts(SITEMAP_URLS + 1), 2);
        assert_eq!(parts(3 * SITEMAP_URLS), 3);
        assert_eq!(part_name("posts", 1), "sitemap-posts.xml");
        assert_eq!(part_name("posts", 2), "sitemap-posts-2.xml");
    }

    #[test]
    fn the_home_page_leads_the_first_part_and_shifts_the_rest() {
        let n = SITEMAP_URLS;
        // The pages: the home page, then 49,999 pages; then 50,000 from offset 49,999.
        assert_eq!(window(1, 1), (true, 0, n - 1));
        assert_eq!(window(2, 1), (false, n - 1, n));
        assert_eq!(window(3, 1), (false, 2 * n - 1, n));
        // Everything else has no lead.
        assert_eq!(window(1, 0), (false, 0, n));
        assert_eq!(window(2, 0), (false, n, n));
        // 50,000 pages and the home page make two parts, the second of one page.
        assert_eq!(parts(n + 1), 2);
        let (_, offset, _) = window(2, 1);
        assert_eq!(n - offset, 1);
    }

    #[test]
    fn only_the_names_the_index_gives_are_parts() {
        assert_eq!(parse_part("posts"), Some((Listed::Posts, 1)));
        assert_eq!(parse_part("posts-2"), Some((Listed::Posts, 2)));
        assert_eq!(parse_part("authors-12"), Some((Listed::Authors, 12)));
        // Part 1 has one name only, and numbers are written one way.
        for other in [
            "posts-1", "posts-02", "posts-0", "posts-", "posts-x", "posts-+2", "users", "", "-2",
        ] {
            assert_eq!(parse_part(other), None, "{other}");
        }
    }
}
