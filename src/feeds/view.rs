//! Feeds and sitemaps as XML: RSS 2.0 (with `content:encoded`, `dc:creator` and
//! `media:content`, as feed readers expect of a blog) and Atom written by their reference
//! crates, and the sitemaps.org index and URL sets.

use std::collections::BTreeMap;

use chrono::{NaiveDateTime, SecondsFormat};
use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};

use super::service::{Feed, Item, Located, Sitemap};
use crate::content::sanitize::text_as_html;
use crate::db::utc;
use crate::error::{ApiError, ApiResult};

const GENERATOR: &str = "Folio";
const ATOM: &str = "http://www.w3.org/2005/Atom";
const MEDIA_RSS: &str = "http://search.yahoo.com/mrss/";
const SITEMAP_NS: &str = "http://www.sitemaps.org/schemas/sitemap/0.9";

/// `text` without the characters XML 1.0 cannot hold (most control characters, U+FFFE and
/// U+FFFF): one of them in a title would make the whole feed unreadable.
fn xml_chars(text: String) -> String {
    let allowed = |c: char| {
        matches!(c, '\t' | '\n' | '\r') || (c >= ' ' && !matches!(c, '\u{fffe}' | '\u{ffff}'))
    };
    if text.chars().all(allowed) {
        text
    } else {
        text.chars().filter(|c| allowed(*c)).collect()
    }
}

/// The feed with every text made fit for XML.
fn fit(feed: Feed) -> Feed {
    let texts = |list: Vec<String>| list.into_iter().map(xml_chars).collect();
    Feed {
        title: xml_chars(feed.title),
        description: xml_chars(feed.description),
        items: feed
            .items
            .into_iter()
            .map(|item| Item {
                title: xml_chars(item.title),
                excerpt: xml_chars(item.excerpt),
                html: item.html.map(xml_chars),
                authors: texts(item.authors),
                categories: texts(item.categories),
                ..item
            })
            .collect(),
        ..feed
    }
}

/// RFC 2822, as RSS dates are written. By hand: chrono's own panics on a year it cannot
/// write (before year 0), and the API takes any date.
fn rfc2822(at: NaiveDateTime) -> String {
    utc(at).format("%a, %d %b %Y %H:%M:%S +0000").to_string()
}

/// The feed as RSS 2.0, served from `self_url`.
pub fn rss(feed: Feed, self_url: &str) -> ApiResult<String> {
    use rss::extension::dublincore::DublinCoreExtension;

    let feed = fit(feed);
    let items: Vec<rss::Item> = feed
        .items
        .into_iter()
        .map(|post| {
            let mut item = rss::Item::default();
            item.set_title(post.title);
            item.set_link(post.url);
            item.set_guid(rss::Guid {
                value: post.id,
                permalink: false,
            });
            item.set_pub_date(rfc2822(post.published));
            // RSS descriptions are HTML; the excerpt is text.
            item.set_description(text_as_html(&post.excerpt));
            item.set_content(post.html);
            item.set_categories(
                post.categories
                    .into_iter()
                    .map(|name| rss::Category { name, domain: None })
                    .collect::<Vec<_>>(),
            );
            let mut creators = DublinCoreExtension::default();
            creators.set_creators(post.authors);
            item.set_dublin_core_ext(creators);
            if let Some(image) = post.feature_image {
                item.set_extensions(element(
                    "media",
                    "content",
                    [("url", image.as_str()), ("medium", "image")],
                ));
            }
            item
        })
        .collect();
    let mut channel = rss::Channel::default();
    channel.set_title(feed.title);
    channel.set_link(feed.link);
    channel.set_description(feed.description);
    channel.set_language(feed.language);
    channel.set_generator(GENERATOR.to_owned());
    channel.set_last_build_date(rfc2822(feed.updated));
    channel.set_ttl("60".to_owned());
    // Where the feed lives, as feed validators want it said.
    channel.set_extensions(element(
        "atom",
        "link",
        [
            ("href", self_url),
            ("rel", "self"),
            ("type", "application/rss+xml"),
        ],
    ));
    channel.set_namespaces(BTreeMap::from([
        ("atom".to_owned(), ATOM.to_owned()),
        ("media".to_owned(), MEDIA_RSS.to_owned()),
    ]));
    channel.set_items(items);
    let out = channel.write_to(Vec::new()).map_err(ApiError::internal)?;
    String::from_utf8(out).map_err(ApiError::internal)
}

/// An empty element `prefix:name` with `attributes`, as RSS extensions are given.
fn element<'a>(
    prefix: &str,
    name: &str,
    attributes: impl IntoIterator<Item = (&'a str, &'a str)>,
) -> rss::extension::ExtensionMap {
    let element = rss::extension::Extension {
        name: format!("{prefix}:{name}"),
        attrs: attributes
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect(),
        ..rss::extension::Extension::default()
    };
    BTreeMap::from([(
        prefix.to_owned(),
        BTreeMap::from([(name.to_owned(), vec![element])]),
    )])
}

/// The feed as Atom, served from `self_url`.
pub fn atom(feed: Feed, self_url: &str) -> ApiResult<String> {
    use atom_syndication::{Content, Entry, Link, Person, Text};

    let feed = fit(feed);
    let link = |href: String, rel: &str, mime: Option<&str>| Link {
        href,
        rel: rel.to_owned(),
        mime_type: mime.map(str::to_owned),
        ..Link::default()
    };
    let entries: Vec<Entry> = feed
        .items
        .into_iter()
        .map(|post| {
            let mut entry = Entry::default();
            entry.set_id(format!("urn:uuid:{}", post.uuid));
            entry.set_title(Text::plain(post.title));
            entry.set_links(vec![link(post.url, "alternate", Some("text/html"))]);
            entry.set_published(Some(utc(post.published).fixed_offset()));
            entry.set_updated(utc(post.updated).fixed_offset());
            entry.set_summary(Some(Text::plain(post.excerpt)));
            entry.set_content(post.html.map(|html| Content {
                value: Some(html),
                content_type: Some("html".into()),
                ..Content::default()
            }));
            entry.set_authors(
                post.authors
                    .into_iter()
                    .map(|name| Person {
                        name,
                        ..Person::default()
                    })
                    .collect::<Vec<_>>(),
            );
            entry.set_categories(
                post.categories
                    .into_iter()
                    .map(|term| atom_syndication::Category {
                        term,
                        ..atom_syndication::Category::default()
                    })
                    .collect::<Vec<_>>(),
            );
            entry
        })
        .collect();
    let mut out = atom_syndication::Feed::default();
    // The feed's own address is its lasting identity.
    out.set_id(self_url.to_owned());
    out.set_title(Text::plain(feed.title));
    if !feed.description.is_empty() {
        out.set_subtitle(Some(Text::plain(feed.description)));
    }
    out.set_links(vec![
        link(self_url.to_owned(), "self", Some("application/atom+xml")),
        link(feed.link, "alternate", Some("text/html")),
    ]);
    out.set_lang(Some(feed.language));
    out.set_updated(utc(feed.updated).fixed_offset());
    out.set_generator(Some(atom_syndication::Generator {
        value: GENERATOR.into(),
        ..atom_syndication::Generator::default()
    }));
    out.set_entries(entries);
    let out = out.write_to(Vec::new()).map_err(ApiError::internal)?;
    String::from_utf8(out).map_err(ApiError::internal)
}

/// A W3C datetime, as sitemaps give `lastmod`.
fn w3c(at: NaiveDateTime) -> String {
    utc(at).to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// The sitemap index over `sitemaps`.
pub fn sitemap_index(sitemaps: &[Sitemap]) -> ApiResult<String> {
    let entries = sitemaps.iter().map(|s| (s.url.as_str(), s.updated));
    sitemap_xml("sitemapindex", "sitemap", entries)
}

/// A sitemap of `located`.
pub fn url_set(located: &[Located]) -> ApiResult<String> {
    let entries = located.iter().map(|l| (l.url.as_str(), Some(l.updated)));
    sitemap_xml("urlset", "url", entries)
}

/// `<root xmlns=…><element><loc/><lastmod/></element>…</root>`: the one shape both kinds of
/// sitemap file have.
fn sitemap_xml<'a>(
    root: &str,
    element: &str,
    entries: impl Iterator<Item = (&'a str, Option<NaiveDateTime>)>,
) -> ApiResult<String> {
    let mut writer = Writer::new(Vec::new());
    let mut write = |event: Event| writer.write_event(event).map_err(ApiError::internal);
    write(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    write(Event::Start(
        BytesStart::new(root).with_attributes([("xmlns", SITEMAP_NS)]),
    ))?;
    for (loc, updated) in entries {
        write(Event::Start(BytesStart::new(element)))?;
        let mut text = |name: &str, value: &str| {
            write(Event::Start(BytesStart::new(name)))?;
            write(Event::Text(BytesText::new(value)))?;
            write(Event::End(BytesEnd::new(name)))
        };
        text("loc", loc)?;
        if let Some(updated) = updated {
            text("lastmod", &w3c(updated))?;
        }
        write(Event::End(BytesEnd::new(element)))?;
    }
    write(Event::End(BytesEnd::new(root)))?;
    String::from_utf8(writer.into_inner()).map_err(ApiError::internal)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_keeps_only_what_xml_holds() {
        assert_eq!(
            xml_chars("a\u{1}b\u{b}c\td\ne\u{fffe}f🐟".into()),
            "abc\td\nef🐟"
        );
        assert_eq!(xml_chars("plain".into()), "plain");
    }

    #[test]
    fn any_date_is_written() {
        let ancient = chrono::NaiveDate::from_ymd_opt(-1, 1, 1)
            .unwrap()
            .and_hms_opt(0, 0, 0)
            .unwrap();
        assert!(!rfc2822(ancient).is_empty());
        let at = chrono::NaiveDate::from_ymd_opt(2026, 12, 2)
            .unwrap()
            .and_hms_opt(9, 5, 7)
            .unwrap();
        assert_eq!(rfc2822(at), "Wed, 02 Dec 2026 09:05:07 +0000");
    }
}
