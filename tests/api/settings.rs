//! The site's settings: public to read, changed by admins and the owner from the version
//! read, checked field by field; and the addresses (`url`) every representation takes from
//! them, cached reads included.

use actix_web::body::MessageBody;
use serde_json::{Value, json};

use crate::on_both_backends;
use crate::paths::{AUTHORS, POSTS, SETTINGS, TAGS, by_slug, resource};
use crate::support::{Backend, Served, TestApp, id, spawn};

on_both_backends!(
    anyone_reads_the_settings_with_their_defaults,
    only_admins_and_the_owner_change_the_settings,
    only_admin_integration_keys_change_the_settings,
    changing_the_settings_needs_the_version_read,
    invalid_settings_are_refused_naming_each_field,
    settings_round_trip_normalised,
    every_url_follows_the_site_address,
    dates_in_permalinks_are_in_the_site_time_zone,
    cached_reads_follow_a_change_of_settings,
    a_change_of_settings_is_a_change_by_date_too,
);

const SITE: &str = "https://blog.example.com";

async fn anyone_reads_the_settings_with_their_defaults(backend: Backend) {
    let app = spawn(backend).await;
    let res = app.get(SETTINGS, None).await.expect(200);
    let mut body = res.body.clone();
    assert!(
        body["updated_at"].is_string(),
        "updated_at: {}",
        body["updated_at"]
    );
    body.as_object_mut().unwrap().remove("updated_at");
    assert_eq!(
        body,
        json!({
            "title": "Folio", "description": null, "logo": null, "icon": null,
            "cover_image": null, "accent_color": null, "locale": "en",
            "timezone": "Etc/UTC", "url": null, "permalinks": "/{slug}/",
            "navigation": [], "secondary_navigation": [],
            "facebook": null, "twitter": null, "mastodon": null, "bluesky": null,
            "threads": null, "linkedin": null, "instagram": null, "youtube": null,
            "tiktok": null, "meta_title": null, "meta_description": null,
            "og_image": null, "og_title": null, "og_description": null,
            "twitter_image": null, "twitter_title": null, "twitter_description": null,
            "version": 1,
        })
    );
    assert!(
        res.header("cache-control")
            .is_some_and(|c| c.starts_with("public")),
        "{:?}",
        res.header("cache-control")
    );
    assert_eq!(res.etag_version(), 1);
    let again = app
        .call(
            "GET",
            SETTINGS,
            None,
            None,
            &[("if-none-match", &res.etag())],
        )
        .await;
    assert_eq!(again.status, 304);
    assert!(again.text.is_empty());
}

async fn only_admins_and_the_owner_change_the_settings(backend: Backend) {
    let app = spawn(backend).await;
    for role in ["editor", "author", "contributor"] {
        let (_, token) = app.staff(role).await;
        change(&app, Some(&token), json!({"title": role}))
            .await
            .problem(403);
    }
    change(&app, None, json!({"title": "Anyone"}))
        .await
        .problem(401);
    let unchanged = app.get(SETTINGS, None).await.expect(200).body;
    assert_eq!(unchanged["title"], "Folio");
    assert_eq!(unchanged["version"], 1);

    let (_, admin) = app.staff("admin").await;
    let by_admin = change(&app, Some(&admin), json!({"title": "By admin"}))
        .await
        .expect(200);
    assert_eq!(by_admin.body["title"], "By admin");
    assert_eq!(by_admin.body["version"], 2);
    let owner = app.owner_token.clone();
    let by_owner = change(&app, Some(&owner), json!({"title": "By owner"}))
        .await
        .expect(200);
    assert_eq!(by_owner.body["version"], 3);
    assert_eq!(app.get(SETTINGS, None).await.body["title"], "By owner");
}

async fn only_admin_integration_keys_change_the_settings(backend: Backend) {
    let app = spawn(backend).await;
    let keys = [
        (json!({"name": "Blog", "kind": "content"}), 403),
        (
            json!({"name": "Editing", "kind": "integration", "role": "editor"}),
            403,
        ),
        (
            json!({"name": "Admin", "kind": "integration", "role": "admin"}),
            200,
        ),
    ];
    for (key, status) in keys {
        let (_, secret) = app.key(key.clone()).await;
        let res = app
            .call(
                "PATCH",
                SETTINGS,
                None,
                Some(json!({"title": key["name"]})),
                &[("x-folio-key", &secret), ("if-match", "*")],
            )
            .await;
        assert_eq!(res.status, status, "{key}: {}", res.text);
        // Anyone's key reads them, as anyone may.
        let read = app.with_key("GET", SETTINGS, &secret, None).await;
        assert_eq!(read.status, 200);
    }
    assert_eq!(app.get(SETTINGS, None).await.body["title"], "Admin");
}

async fn changing_the_settings_needs_the_version_read(backend: Backend) {
    let app = spawn(backend).await;
    let owner = Some(app.owner_token.as_str());
    let first = app.get(SETTINGS, None).await.expect(200);
    let unstated = app
        .call("PATCH", SETTINGS, owner, Some(json!({"title": "A"})), &[])
        .await;
    unstated.problem(428);

    let changed = app
        .patch(SETTINGS, owner, &first.etag(), json!({"title": "A"}))
        .await
        .expect(200);
    assert_eq!(changed.etag_version(), 2);
    assert_eq!(changed.body["version"], 2);
    // The first version read is stale now, by header or by body.
    app.patch(SETTINGS, owner, &first.etag(), json!({"title": "B"}))
        .await
        .problem(412);
    let stale_body = json!({"title": "B", "version": 1});
    app.call("PATCH", SETTINGS, owner, Some(stale_body), &[])
        .await
        .problem(412);
    let current = app.get(SETTINGS, None).await.expect(200);
    assert_eq!(current.body["title"], "A");
    assert_eq!(current.etag_version(), 2);

    let by_body = json!({"title": "C", "version": 2});
    let changed = app
        .call("PATCH", SETTINGS, owner, Some(by_body), &[])
        .await
        .expect(200);
    assert_eq!(changed.body["title"], "C");
    assert_eq!(changed.body["version"], 3);
}

async fn invalid_settings_are_refused_naming_each_field(backend: Backend) {
    let app = spawn(backend).await;
    let before = app.get(SETTINGS, None).await.expect(200).body;
    let mut cases: Vec<(Value, String, &str)> = Vec::new();
    for (field, code, values) in refused_values() {
        for value in values {
            cases.push((json!({field: value}), field.to_owned(), code));
        }
    }
    let nav = |url: &str| json!([{"label": "Home", "url": "/"}, {"label": "Bad", "url": url}]);
    let many: Vec<Value> = (0..51)
        .map(|i| json!({"label": format!("L{i}"), "url": "/"}))
        .collect();
    for (field, body, code) in [
        (
            "navigation[0].label",
            json!([{"label": " ", "url": "/"}]),
            "required",
        ),
        (
            "navigation[0].label",
            json!([{"label": "x".repeat(101), "url": "/"}]),
            "too_long",
        ),
        (
            "navigation[1].url",
            nav("javascript:alert(1)"),
            "invalid_url",
        ),
        ("navigation[1].url", nav("about/"), "invalid_url"),
        ("navigation[1].url", nav("//evil.example/"), "invalid_url"),
        ("navigation", json!(many), "too_many"),
    ] {
        cases.push((json!({"navigation": body.clone()}), field.to_owned(), code));
        let secondary = format!("secondary_{field}");
        cases.push((json!({"secondary_navigation": body}), secondary, code));
    }
    for (body, field, code) in cases {
        let problem = change(&app, Some(&app.owner_token), body.clone())
            .await
            .problem(422);
        let named = problem["errors"].as_array().expect("errors");
        assert_eq!(named.len(), 1, "{body}: {problem}");
        assert_eq!(named[0]["field"], field.as_str(), "{body}");
        assert_eq!(named[0]["code"], code, "{body}");
    }
    // Every invalid field of one body is named, and nothing of it is written.
    let mixed = json!({"title": "Fine", "url": "ftp://x", "timezone": "Nowhere/Land",
                       "permalinks": "/{year}/", "accent_color": "blue", "locale": "?"});
    let problem = change(&app, Some(&app.owner_token), mixed)
        .await
        .problem(422);
    let mut fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    fields.sort();
    assert_eq!(
        fields,
        ["accent_color", "locale", "permalinks", "timezone", "url"]
    );
    assert_eq!(app.get(SETTINGS, None).await.expect(200).body, before);
}

async fn settings_round_trip_normalised(backend: Backend) {
    let app = spawn(backend).await;
    let nav = json!([{"label": "About", "url": "/about/"},
                     {"label": "Shop", "url": "https://shop.example.com/"}]);
    let mut sent = json!({
        "title": "Field Notes", "description": "Notes from the field",
        "logo": "https://cdn.example.com/logo.png", "icon": "https://cdn.example.com/icon.png",
        "cover_image": "https://cdn.example.com/cover.jpg", "locale": "pt-BR",
        "timezone": "Europe/Berlin", "permalinks": "/{year}/{month}/{slug}/",
        "navigation": nav, "secondary_navigation": [{"label": "RSS", "url": "/rss/"}],
        "facebook": "fieldnotes", "twitter": "@fieldnotes", "mastodon": "@notes@social.example",
        "bluesky": "notes.bsky.social", "threads": "@fieldnotes", "linkedin": "company/notes",
        "instagram": "fieldnotes", "youtube": "@FieldNotes", "tiktok": "@fieldnotes",
        "meta_title": "Field Notes, a blog", "meta_description": "What we saw",
        "og_image": "https://cdn.example.com/og.png", "og_title": "Field Notes (OG)",
        "og_description": "Shared", "twitter_image": "https://cdn.example.com/tw.png",
        "twitter_title": "Field Notes (X)", "twitter_description": "Posted",
    });
    let changed = change(&app, Some(&app.owner_token), {
        let mut body = sent.clone();
        body["url"] = json!("https://blog.example.com/notes/");
        body["accent_color"] = json!("#FF1A75");
        body
    })
    .await
    .expect(200)
    .body;
    // The address loses its trailing slash; the colour is kept in lower case.
    sent["url"] = json!("https://blog.example.com/notes");
    sent["accent_color"] = json!("#ff1a75");
    for (key, value) in sent.as_object().unwrap() {
        assert_eq!(&changed[key], value, "{key}");
    }
    let read = app.get(SETTINGS, None).await.expect(200).body;
    assert_eq!(read, changed);

    // `null` clears; a navigation sent replaces the whole list.
    let cleared = change(
        &app,
        Some(&app.owner_token),
        json!({"description": null, "accent_color": null, "url": null, "twitter": null,
               "navigation": [{"label": "Home", "url": "/"}]}),
    )
    .await
    .expect(200)
    .body;
    for key in ["description", "accent_color", "url", "twitter"] {
        assert_eq!(cleared[key], Value::Null, "{key}");
    }
    assert_eq!(
        cleared["navigation"],
        json!([{"label": "Home", "url": "/"}])
    );
    assert_eq!(cleared["title"], "Field Notes", "left out, left as it was");
    assert_eq!(cleared["version"], 3);
}

async fn every_url_follows_the_site_address(backend: Backend) {
    let app = spawn(backend).await;
    let owner = Some(app.owner_token.as_str());
    let news = app.tag("News").await;
    let internal = app.tag("#ops").await;
    let post = app
        .post_as(
            None,
            json!({"title": "Hello", "status": "published", "tags": [id(&news), id(&internal)]}),
        )
        .await;
    let draft = app.post_as(None, json!({"title": "Draft"})).await;
    let me = app.get(&resource(AUTHORS, &app.owner_id), None).await.body;
    let paths = Paths {
        post: resource(POSTS, id(&post)),
        draft: resource(POSTS, id(&draft)),
        tag: resource(TAGS, id(&news)),
        internal: resource(TAGS, id(&internal)),
        author: resource(AUTHORS, &app.owner_id),
    };
    for url in urls(&app, &paths).await {
        assert_eq!(url, Value::Null, "no site address yet");
    }

    change(&app, owner, json!({"url": "https://blog.example.com/"}))
        .await
        .expect(200);
    let author_url = format!("{SITE}/author/{}/", me["slug"].as_str().unwrap());
    let draft_url = format!("{SITE}/p/{}/", draft["uuid"].as_str().unwrap());
    let expected = [
        json!(format!("{SITE}/hello/")),
        json!(author_url),
        json!(format!("{SITE}/tag/news/")),
        Value::Null,
        json!(draft_url),
        json!(format!("{SITE}/tag/news/")),
        Value::Null,
        json!(author_url),
    ];
    assert_eq!(urls(&app, &paths).await, expected);
    let tags = app.get(&format!("{TAGS}?visibility=all"), None).await.body;
    for tag in tags["data"].as_array().unwrap() {
        let want = if tag["visibility"] == "internal" {
            Value::Null
        } else {
            json!(format!("{SITE}/tag/{}/", tag["slug"].as_str().unwrap()))
        };
        assert_eq!(tag["url"], want, "{tag}");
    }
    let listed = app.get(AUTHORS, None).await.body;
    assert!(
        listed["data"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["url"] == author_url.as_str())
    );
}

/// Where the resources of [`every_url_follows_the_site_address`] are.
struct Paths {
    post: String,
    draft: String,
    tag: String,
    internal: String,
    author: String,
}

/// The `url`s of: the post, its author and its tags as staff see them embedded, the draft,
/// the public tag, the internal tag, and the author.
async fn urls<S: Served<B>, B: MessageBody>(app: &TestApp<S>, paths: &Paths) -> Vec<Value> {
    let owner = Some(app.owner_token.as_str());
    let post = app.get(&paths.post, owner).await.expect(200).body;
    let draft = app.get(&paths.draft, owner).await.expect(200).body;
    let mut found = vec![
        post["url"].clone(),
        post["authors"][0]["url"].clone(),
        post["tags"][0]["url"].clone(),
        post["tags"][1]["url"].clone(),
        draft["url"].clone(),
    ];
    for path in [&paths.tag, &paths.internal, &paths.author] {
        found.push(app.get(path, None).await.expect(200).body["url"].clone());
    }
    found
}

async fn dates_in_permalinks_are_in_the_site_time_zone(backend: Backend) {
    let app = spawn(backend).await;
    let owner = Some(app.owner_token.as_str());
    let dated = json!({"url": SITE, "permalinks": "/{year}/{month}/{day}/{slug}/",
                       "timezone": "Europe/Berlin"});
    change(&app, owner, dated).await.expect(200);
    // Half past eleven on New Year's Eve in UTC is already the new year in Berlin.
    let eve = app
        .post_as(
            None,
            json!({"title": "Eve", "status": "published", "published_at": "2025-12-31T23:30:00Z"}),
        )
        .await;
    assert_eq!(eve["url"], format!("{SITE}/2026/01/01/eve/"));
    let path = resource(POSTS, id(&eve));
    let read = app.get(&path, None).await.expect(200);
    assert_eq!(read.body["url"], format!("{SITE}/2026/01/01/eve/"));

    change(&app, owner, json!({"timezone": "Etc/UTC"}))
        .await
        .expect(200);
    let read = app.get(&path, None).await.expect(200);
    assert_eq!(read.body["url"], format!("{SITE}/2025/12/31/eve/"));
    let by_slug_read = app.get(&by_slug(POSTS, "eve"), None).await.expect(200);
    assert_eq!(by_slug_read.body["url"], format!("{SITE}/2025/12/31/eve/"));

    // And west of UTC the other way: early on New Year's Day is still the old year.
    change(&app, owner, json!({"timezone": "America/New_York"}))
        .await
        .expect(200);
    let dawn = app
        .post_as(
            None,
            json!({"title": "Dawn", "status": "published", "published_at": "2026-01-01T03:00:00Z"}),
        )
        .await;
    assert_eq!(dawn["url"], format!("{SITE}/2025/12/31/dawn/"));
    let list = app.get(POSTS, None).await.expect(200);
    assert_eq!(
        list.body["data"][0]["url"],
        format!("{SITE}/2025/12/31/dawn/")
    );
    assert_eq!(
        list.body["data"][1]["url"],
        format!("{SITE}/2025/12/31/eve/")
    );

    // Permalinks by id need no date at all.
    change(&app, owner, json!({"permalinks": "/archive/{id}/"}))
        .await
        .expect(200);
    let read = app.get(&path, None).await.expect(200);
    assert_eq!(read.body["url"], format!("{SITE}/archive/{}/", id(&eve)));
}

async fn cached_reads_follow_a_change_of_settings(backend: Backend) {
    let app = spawn(backend).await;
    let other = app.sibling().await;
    let owner = Some(app.owner_token.as_str());
    let post = app
        .post_as(None, json!({"title": "Kept", "status": "published"}))
        .await;
    let path = resource(POSTS, id(&post));
    let read = async |path: &str| {
        let before = app.state().db.statements_run();
        let res = app.get(path, None).await.expect(200);
        (res, app.state().db.statements_run() - before)
    };
    for path in [path.as_str(), POSTS, SETTINGS] {
        read(path).await;
        let (_, statements) = read(path).await;
        assert_eq!(statements, 2, "kept, checked by its stamp only: {path}");
    }
    let (first, _) = read(&path).await;
    assert_eq!(first.body["url"], Value::Null);

    change(&app, owner, json!({"url": SITE, "title": "Renamed"}))
        .await
        .expect(200);
    let (item, _) = read(&path).await;
    assert_eq!(item.body["url"], format!("{SITE}/kept/"));
    let (list, _) = read(POSTS).await;
    assert_eq!(list.body["data"][0]["url"], format!("{SITE}/kept/"));
    let (settings, _) = read(SETTINGS).await;
    assert_eq!(settings.body["title"], "Renamed");
    let revalidated = app
        .call(
            "GET",
            &path,
            None,
            None,
            &[("if-none-match", &first.etag())],
        )
        .await;
    assert_eq!(revalidated.status, 200, "the old tag no longer matches");

    // A change made through another instance shows here too.
    let by_id = json!({"permalinks": "/p-{id}/"});
    other
        .call(
            "PATCH",
            SETTINGS,
            Some(&other.owner_token),
            Some(by_id),
            &[("if-match", "*")],
        )
        .await
        .expect(200);
    let (item, _) = read(&path).await;
    assert_eq!(item.body["url"], format!("{SITE}/p-{}/", id(&post)));
}

async fn a_change_of_settings_is_a_change_by_date_too(backend: Backend) {
    let app = spawn(backend).await;
    let owner = Some(app.owner_token.as_str());
    let post = app
        .post_as(None, json!({"title": "Dated", "status": "published"}))
        .await;
    let item = resource(POSTS, id(&post));
    let mut modified = Vec::new();
    for path in [item.as_str(), POSTS] {
        let read = app.get(path, None).await.expect(200);
        let since = read
            .header("last-modified")
            .expect("Last-Modified")
            .to_owned();
        let same = app
            .call("GET", path, None, None, &[("if-modified-since", &since)])
            .await;
        assert_eq!(same.status, 304, "{path}");
        modified.push(since);
    }
    // Dates are in whole seconds: the change must come in a later one than the post.
    let last = chrono::DateTime::parse_from_rfc2822(&modified[0]).expect("an HTTP date");
    let later = last.with_timezone(&chrono::Utc) + chrono::TimeDelta::milliseconds(1100);
    if let Ok(wait) = (later - chrono::Utc::now()).to_std() {
        actix_web::rt::time::sleep(wait).await;
    }
    change(&app, owner, json!({"url": SITE})).await.expect(200);
    // A client (or a shared cache) that revalidates by date must not keep the old `url`.
    for (path, since) in [item.as_str(), POSTS].into_iter().zip(&modified) {
        let res = app
            .call("GET", path, None, None, &[("if-modified-since", since)])
            .await;
        assert_eq!(res.status, 200, "{path}: its url changed after {since}");
    }
}

// ---- helpers ----

/// Values each settings field refuses, and the code it refuses them with.
fn refused_values() -> Vec<(&'static str, &'static str, Vec<Value>)> {
    let texts = |list: &[&str]| list.iter().map(|v| json!(v)).collect::<Vec<_>>();
    let long = |n: usize| vec![json!("x".repeat(n))];
    vec![
        (
            "url",
            "invalid_url",
            texts(&[
                "ftp://example.com",
                "blog.example.com",
                "/blog",
                "javascript:alert(1)",
                "https://example.com/?ref=1",
                "https://example.com/#top",
            ]),
        ),
        (
            "timezone",
            "unknown",
            texts(&["Mars/Olympus", "Berlin", "+02:00"]),
        ),
        (
            "permalinks",
            "invalid_format",
            texts(&[
                "{slug}/",
                "/{slug}",
                "/{year}/{month}/",
                "/{author}/{slug}/",
                "//{slug}/",
                "/{slug}/?x/",
            ]),
        ),
        (
            "accent_color",
            "invalid_format",
            texts(&["red", "#ff1a7", "ff1a75", "#ff1a7g"]),
        ),
        (
            "locale",
            "invalid_format",
            texts(&["english please", "en_GB", "e", "en-"]),
        ),
        ("title", "required", texts(&[" "])),
        ("title", "too_long", long(151)),
        ("description", "too_long", long(201)),
        ("meta_title", "too_long", long(301)),
        ("og_description", "too_long", long(501)),
        ("twitter", "invalid_format", texts(&["@two words"])),
        ("mastodon", "too_long", long(192)),
        ("logo", "invalid_url", texts(&["javascript:alert(1)"])),
        (
            "og_image",
            "invalid_url",
            texts(&["ftp://example.com/og.png"]),
        ),
        ("twitter_image", "invalid_url", texts(&["/tw.png"])),
    ]
}

/// A change to the settings as `token`, whatever their version.
async fn change<S: Served<B>, B: MessageBody>(
    app: &TestApp<S>,
    token: Option<&str>,
    body: Value,
) -> crate::support::Response {
    app.call("PATCH", SETTINGS, token, Some(body), &[("if-match", "*")])
        .await
}
