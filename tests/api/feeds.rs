//! Feeds and sitemaps, read back by parsers nobody on this team wrote: feedparser for RSS
//! and Atom, libxml2 (through lxml) validating sitemaps against the protocol's schema
//! (tests/feeds/check.py, installed by tests/feeds/setup).

use actix_web::body::MessageBody;
use chrono::{Duration, Utc};
use serde_json::{Value, json};

use crate::on_both_backends;
use crate::paths::{PAGES, POSTS, SETTINGS, resource};
use crate::support::{Backend, Served, TestApp, id, spawn, spawn_with};

on_both_backends!(
    feeds_need_the_sites_address,
    the_site_feeds_carry_the_newest_posts,
    tag_and_author_feeds_follow_their_posts,
    feeds_are_cached_and_change_with_the_content,
    feeds_are_open_where_the_api_needs_a_key,
    the_sitemaps_list_every_public_address,
    markup_in_posts_stays_text,
    what_a_request_claims_does_not_reach_the_cached_feed,
);

const SITE: &str = "https://blog.example.com";

/// What tests/feeds/check.py makes of `text`, a feed or a sitemap (`kind`).
fn read_back(kind: &str, text: &str) -> Value {
    let root = env!("CARGO_MANIFEST_DIR");
    let python = format!("{root}/tests/feeds/.venv/bin/python");
    assert!(
        std::path::Path::new(&python).exists(),
        "the feed checkers are not installed: run tests/feeds/setup (scripts/test does)"
    );
    let file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(file.path(), text).unwrap();
    let out = std::process::Command::new(python)
        .arg(format!("{root}/tests/feeds/check.py"))
        .arg(kind)
        .arg(file.path())
        .output()
        .expect("the checker runs");
    assert!(
        out.status.success(),
        "check.py failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("the checker prints JSON")
}

async fn set_site_url<S: Served<B>, B: MessageBody>(app: &TestApp<S>, url: &str) {
    app.patch(SETTINGS, Some(&app.owner_token), "*", json!({"url": url}))
        .await
        .expect(200);
}

fn days_ago(days: i64) -> String {
    (Utc::now() - Duration::days(days)).to_rfc3339()
}

async fn feeds_need_the_sites_address(backend: Backend) {
    let app = spawn(backend).await;
    app.post_as(None, json!({"title": "Live", "status": "published"}))
        .await;
    for path in ["/rss/", "/atom.xml", "/sitemap.xml", "/sitemap-posts.xml"] {
        let problem = app.get(path, None).await.problem(404);
        assert!(
            problem["detail"].as_str().unwrap().contains("`url`"),
            "{path}: {problem}"
        );
    }
}

async fn the_site_feeds_carry_the_newest_posts(backend: Backend) {
    let app = spawn(backend).await;
    set_site_url(&app, SITE).await;
    let news = app.tag("News").await;
    let hidden = app.tag("#internal").await;
    // 21 live posts, a day apart, the newest last; a draft, a scheduled post and a page.
    for day in (1..=21).rev() {
        app.post_as(
            None,
            json!({
                "title": format!("Day {day}"),
                "markdown": format!("Written *{day}* days ago."),
                "status": "published",
                "published_at": days_ago(day),
                "tags": [id(&news), id(&hidden)],
            }),
        )
        .await;
    }
    app.post_as(None, json!({"title": "Draft", "status": "draft"}))
        .await;
    app.post_as(
        None,
        json!({"title": "Soon", "status": "scheduled",
               "published_at": (Utc::now() + Duration::days(2)).to_rfc3339()}),
    )
    .await;
    app.post(
        PAGES,
        Some(&app.owner_token),
        json!({"title": "About", "status": "published"}),
    )
    .await
    .expect(201);
    // The newest: for members, with a feature image.
    let members = app
        .post_as(
            None,
            json!({
                "title": "For members",
                "markdown": "The whole **story**.",
                "custom_excerpt": "A teaser.",
                "status": "published",
                "visibility": "members",
                "feature_image": "https://images.example.com/cover.jpg",
            }),
        )
        .await;

    let rss = app.get("/rss/", None).await.expect(200);
    assert_eq!(
        rss.header("content-type"),
        Some("application/rss+xml; charset=utf-8")
    );
    let parsed = read_back("feed", &rss.text);
    assert_eq!(parsed["version"], "rss20", "{parsed}");
    assert_eq!(parsed["well_formed"], true, "{}", parsed["problem"]);
    assert_eq!(parsed["link"], format!("{SITE}/"));
    assert_eq!(parsed["self"], format!("{SITE}/rss/"));
    let entries = parsed["entries"].as_array().unwrap();
    let titles: Vec<&str> = entries
        .iter()
        .map(|e| e["title"].as_str().unwrap())
        .collect();
    // The newest 20, newest first; no draft, scheduled post or page.
    let mut expected = vec!["For members".to_owned()];
    expected.extend((1..=19).map(|day| format!("Day {day}")));
    assert_eq!(titles, expected);
    let first = &entries[0];
    assert_eq!(first["link"], format!("{SITE}/for-members/"));
    assert_eq!(first["id"], id(&members));
    assert_eq!(first["summary"], "A teaser.");
    assert_eq!(
        first["content"],
        json!([]),
        "a post for members shows its excerpt only"
    );
    assert_eq!(
        first["media"],
        json!(["https://images.example.com/cover.jpg"])
    );
    assert!(first["authors"][0].as_str().is_some_and(|a| !a.is_empty()));
    let day1 = &entries[1];
    assert!(
        day1["content"][0].as_str().unwrap().contains("<em>1</em>"),
        "{day1}"
    );
    assert_eq!(day1["tags"], json!(["News"]), "internal tags are left out");

    let atom = app.get("/atom.xml", None).await.expect(200);
    assert_eq!(
        atom.header("content-type"),
        Some("application/atom+xml; charset=utf-8")
    );
    let parsed = read_back("feed", &atom.text);
    assert_eq!(parsed["version"], "atom10", "{parsed}");
    assert_eq!(parsed["well_formed"], true, "{}", parsed["problem"]);
    assert_eq!(parsed["self"], format!("{SITE}/atom.xml"));
    let entries = parsed["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 20);
    assert_eq!(
        entries[0]["id"],
        format!("urn:uuid:{}", members["uuid"].as_str().unwrap())
    );
    assert_eq!(entries[0]["content"], json!([]));
    assert!(
        entries[1]["content"][0]
            .as_str()
            .unwrap()
            .contains("<em>1</em>")
    );
    assert_eq!(entries[1]["tags"], json!(["News"]));
}

async fn tag_and_author_feeds_follow_their_posts(backend: Backend) {
    let app = spawn(backend).await;
    set_site_url(&app, SITE).await;
    let (news, other) = (app.tag("News").await, app.tag("Other").await);
    let (writer, quiet) = (app.author("Ada Writer").await, app.author("Quiet").await);
    let hidden = app.tag("#internal").await;
    app.post_as(
        None,
        json!({"title": "Tagged", "status": "published", "tags": [id(&news), id(&hidden)],
               "authors": [id(&writer)]}),
    )
    .await;
    app.post_as(
        None,
        json!({"title": "Untagged", "status": "published", "tags": [id(&other)]}),
    )
    .await;
    app.post_as(
        None,
        json!({"title": "Draft", "status": "draft", "tags": [id(&news)], "authors": [id(&quiet)]}),
    )
    .await;

    for (path, title, link) in [
        ("/tag/news/rss/", "News - ", "/tag/news/"),
        ("/tag/news/atom.xml", "News - ", "/tag/news/"),
        (
            "/author/ada-writer/rss/",
            "Ada Writer - ",
            "/author/ada-writer/",
        ),
        (
            "/author/ada-writer/atom.xml",
            "Ada Writer - ",
            "/author/ada-writer/",
        ),
    ] {
        let parsed = read_back("feed", &app.get(path, None).await.expect(200).text);
        assert_eq!(parsed["well_formed"], true, "{path}: {}", parsed["problem"]);
        assert!(
            parsed["title"].as_str().unwrap().starts_with(title),
            "{path}"
        );
        assert_eq!(parsed["link"], format!("{SITE}{link}"), "{path}");
        let titles: Vec<&str> = parsed["entries"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["title"].as_str().unwrap())
            .collect();
        assert_eq!(titles, ["Tagged"], "{path}");
    }
    // Readers see no tag or author without a live post, and no internal tag.
    for path in [
        "/tag/nothing/rss/",
        "/tag/hash-internal/rss/",
        "/author/quiet/rss/",
        "/author/nobody/atom.xml",
    ] {
        app.get(path, None).await.problem(404);
    }
}

async fn feeds_are_cached_and_change_with_the_content(backend: Backend) {
    let app = spawn(backend).await;
    set_site_url(&app, SITE).await;
    let post = app
        .post_as(None, json!({"title": "First", "status": "published"}))
        .await;
    for path in ["/rss/", "/atom.xml", "/sitemap.xml", "/sitemap-posts.xml"] {
        let first = app.get(path, None).await.expect(200);
        assert_eq!(
            first.header("cache-control"),
            Some("public, max-age=60, stale-while-revalidate=300"),
            "{path}"
        );
        let etag = first.header("etag").expect("an ETag").to_owned();
        let modified = first
            .header("last-modified")
            .expect("a Last-Modified")
            .to_owned();
        let unchanged = app
            .call("GET", path, None, None, &[("if-modified-since", &modified)])
            .await;
        assert_eq!(unchanged.status, 304, "{path}");
        let again = app
            .call("GET", path, None, None, &[("if-none-match", &etag)])
            .await;
        assert_eq!(again.status, 304, "{path}");
        let compressed = app
            .call("GET", path, None, None, &[("accept-encoding", "gzip")])
            .await
            .expect(200);
        assert_eq!(
            compressed.header("content-encoding"),
            Some("gzip"),
            "{path}"
        );
    }
    let before = app.get("/rss/", None).await.expect(200);
    let path = resource(POSTS, id(&post));
    let read = app.get(&path, Some(&app.owner_token)).await.expect(200);
    app.patch(
        &path,
        Some(&app.owner_token),
        &read.etag(),
        json!({"title": "Renamed"}),
    )
    .await
    .expect(200);
    let after = app.get("/rss/", None).await.expect(200);
    assert_ne!(before.header("etag"), after.header("etag"));
    assert!(after.text.contains("Renamed") && !after.text.contains("First"));
}

async fn feeds_are_open_where_the_api_needs_a_key(backend: Backend) {
    let app = spawn_with(backend, |cfg| cfg.protection.content_key_required = true).await;
    set_site_url(&app, SITE).await;
    app.post_as(None, json!({"title": "Live", "status": "published"}))
        .await;
    app.get(POSTS, None).await.problem(401);
    for path in ["/rss/", "/atom.xml", "/sitemap.xml", "/sitemap-posts.xml"] {
        let open = app.get(path, None).await.expect(200);
        // Feed readers and search engines send no key, and any cache may keep the answer.
        assert!(
            open.header("cache-control").unwrap().starts_with("public"),
            "{path}"
        );
        assert_eq!(open.header("vary"), Some("Accept-Encoding"), "{path}");
    }
}

async fn the_sitemaps_list_every_public_address(backend: Backend) {
    let app = spawn(backend).await;
    set_site_url(&app, SITE).await;
    let owner = Some(app.owner_token.as_str());
    let news = app.tag("News").await;
    let hidden = app.tag("#internal").await;
    let unused = app.tag("Unused").await;
    let writer = app.author("Ada Writer").await;
    app.post_as(
        None,
        json!({"title": "Old", "status": "published", "published_at": days_ago(3),
               "tags": [id(&news), id(&hidden)], "authors": [id(&writer)]}),
    )
    .await;
    app.post_as(None, json!({"title": "New", "status": "published"}))
        .await;
    app.post_as(
        None,
        json!({"title": "Syndicated", "status": "published",
               "canonical_url": "https://elsewhere.example.org/original"}),
    )
    .await;
    app.post_as(
        None,
        json!({"title": "Mine", "status": "published",
               "canonical_url": format!("{SITE}/mine/")}),
    )
    .await;
    // The same text again, naming the first as canonical: the duplicate is not listed.
    app.post_as(
        None,
        json!({"title": "Mine again", "status": "published",
               "canonical_url": format!("{SITE}/mine/")}),
    )
    .await;
    app.post_as(None, json!({"title": "Draft", "status": "draft"}))
        .await;
    app.post(
        PAGES,
        owner,
        json!({"title": "About", "status": "published"}),
    )
    .await
    .expect(201);
    let _ = unused;

    let index = app.get("/sitemap.xml", None).await.expect(200);
    assert_eq!(
        index.header("content-type"),
        Some("application/xml; charset=utf-8")
    );
    let parsed = read_back("sitemap", &index.text);
    assert_eq!(parsed["valid"], true, "{}", parsed["errors"]);
    assert_eq!(parsed["root"], "sitemapindex");
    assert_eq!(
        parsed["locs"],
        json!([
            format!("{SITE}/sitemap-pages.xml"),
            format!("{SITE}/sitemap-posts.xml"),
            format!("{SITE}/sitemap-tags.xml"),
            format!("{SITE}/sitemap-authors.xml"),
        ])
    );
    let expected = [
        ("pages", vec![format!("{SITE}/"), format!("{SITE}/about/")]),
        (
            "posts",
            vec![
                format!("{SITE}/mine/"),
                format!("{SITE}/new/"),
                format!("{SITE}/old/"),
            ],
        ),
        ("tags", vec![format!("{SITE}/tag/news/")]),
        ("authors", {
            let mut authors = vec![
                format!("{SITE}/author/ada-writer/"),
                format!(
                    "{SITE}/author/{}/",
                    app.get(&resource(crate::paths::AUTHORS, &app.owner_id), owner)
                        .await
                        .expect(200)
                        .body["slug"]
                        .as_str()
                        .unwrap()
                ),
            ];
            authors.sort();
            authors
        }),
    ];
    for (name, mut locs) in expected {
        let sitemap = app
            .get(&format!("/sitemap-{name}.xml"), None)
            .await
            .expect(200);
        let parsed = read_back("sitemap", &sitemap.text);
        assert_eq!(parsed["valid"], true, "{name}: {}", parsed["errors"]);
        assert_eq!(parsed["root"], "urlset");
        let mut found: Vec<String> = serde_json::from_value(parsed["locs"].clone()).unwrap();
        if name == "posts" {
            // Newest first; "New" and "Mine" were published in the same second or so.
            found.sort();
            locs.sort();
        }
        assert_eq!(found, locs, "{name}");
        assert_eq!(
            parsed["lastmods"].as_array().unwrap().len(),
            locs.len(),
            "every address says when it last changed"
        );
    }
    // Only the parts the index names exist.
    for missing in ["posts-2", "posts-1", "drafts", "tags-02"] {
        app.get(&format!("/sitemap-{missing}.xml"), None)
            .await
            .problem(404);
    }
}

async fn markup_in_posts_stays_text(backend: Backend) {
    let app = spawn(backend).await;
    set_site_url(&app, SITE).await;
    // A control character (which XML cannot hold at all) among markup and CDATA's end.
    let title = "Fish & <Chips> \"]]>\" \u{b}🐟";
    let excerpt = "Ends a CDATA section ]]> and opens <![CDATA[ one";
    let markdown = "Raw `]]>` in code, and ]]> in text: <b>bold</b> &amp; more.";
    app.post_as(
        None,
        json!({"title": title, "custom_excerpt": excerpt, "markdown": markdown,
               "status": "published"}),
    )
    .await;
    // A date RFC 2822 cannot write (before year 0), which the API takes.
    app.post_as(
        None,
        json!({"title": "Ancient", "status": "published",
               "published_at": "-0001-06-01T00:00:00Z"}),
    )
    .await;
    for path in ["/rss/", "/atom.xml"] {
        let parsed = read_back("feed", &app.get(path, None).await.expect(200).text);
        assert_eq!(parsed["well_formed"], true, "{path}: {}", parsed["problem"]);
        let entry = &parsed["entries"][0];
        assert_eq!(entry["title"], title.replace('\u{b}', ""), "{path}");
        assert_eq!(entry["summary"], excerpt, "{path}");
        let content = entry["content"][0].as_str().unwrap();
        assert!(
            content.contains("]]&gt;") || content.contains("]]>"),
            "{path}: {content}"
        );
        assert!(content.contains("<b>bold</b>"), "{path}: {content}");
    }
}

async fn what_a_request_claims_does_not_reach_the_cached_feed(backend: Backend) {
    let app = spawn(backend).await;
    set_site_url(&app, SITE).await;
    app.post_as(None, json!({"title": "Live", "status": "published"}))
        .await;
    // The first reader's forged host would be every reader's, were it believed.
    for path in ["/rss/", "/atom.xml"] {
        let forged = app
            .call(
                "GET",
                path,
                None,
                None,
                &[
                    ("x-forwarded-host", "evil.example"),
                    ("x-forwarded-proto", "http"),
                    ("host", "evil.example"),
                ],
            )
            .await
            .expect(200);
        assert!(!forged.text.contains("evil.example"), "{path}");
        let parsed = read_back("feed", &app.get(path, None).await.expect(200).text);
        assert_eq!(parsed["self"], format!("{SITE}{path}"));
    }
}
