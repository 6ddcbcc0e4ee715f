//! The full models of posts, pages, tags and authors: each field round-trips, its limits and
//! URL rules are enforced with a `422` naming it, code injection is the editors', and a
//! refused write changes nothing.

use actix_web::body::MessageBody;
use serde_json::{Map, Value, json};

use crate::on_both_backends;
use crate::paths::{AUTHORS, PAGES, POSTS, TAGS, resource};
use crate::support::{Backend, Served, TestApp, id, spawn, spawn_with};

on_both_backends!(
    every_post_and_page_field_round_trips,
    the_uuid_stays_through_every_edit,
    visibility_defaults_to_public_and_filters_lists,
    post_text_limits_are_enforced,
    post_links_must_be_http_urls,
    a_custom_template_is_a_plain_name,
    only_editors_and_above_set_code_injection,
    every_tag_field_round_trips,
    tag_fields_are_checked,
    authors_create_tags_but_without_code_injection,
    every_author_profile_field_round_trips,
    author_profile_fields_are_checked,
);

/// The URL fields of a post or page.
const POST_URLS: [&str; 4] = [
    "feature_image",
    "canonical_url",
    "og_image",
    "twitter_image",
];

/// URLs no field takes: another scheme, or no scheme at all.
const NOT_HTTP: [&str; 5] = [
    "javascript:alert(1)",
    "ftp://example.com/a.png",
    "data:image/png;base64,AAAA",
    "/images/a.png",
    "example.com/a.png",
];

/// Every optional field a post or page has, set.
fn full_post() -> Value {
    json!({
        "visibility": "members",
        "featured": true,
        "custom_excerpt": "In short",
        "feature_image": "https://cdn.example.com/lake.jpg",
        "feature_image_alt": "A lake at dawn",
        "feature_image_caption": "Taken <b>early</b>, by Mara",
        "meta_title": "Meta title",
        "meta_description": "Meta description",
        "canonical_url": "https://elsewhere.example.com/original/",
        "og_image": "https://cdn.example.com/og.jpg",
        "og_title": "OG title",
        "og_description": "OG description",
        "twitter_image": "https://cdn.example.com/tw.jpg",
        "twitter_title": "Twitter title",
        "twitter_description": "Twitter description",
        "codeinjection_head": "<script>window.head = 1</script>",
        "codeinjection_foot": "<style>.foot { color: red }</style>",
        "custom_template": "wide-Post_2",
    })
}

async fn every_post_and_page_field_round_trips(backend: Backend) {
    let app = spawn(backend).await;
    let owner = Some(app.owner_token.as_str());
    for collection in [POSTS, PAGES] {
        let mut body = full_post();
        body["title"] = json!("Everything");
        body["status"] = json!("published");
        let created = app.post(collection, owner, body).await.expect(201).body;
        let path = resource(collection, id(&created));
        let read = app.get(&path, None).await.expect(200).body;
        for (key, value) in fields(&full_post()) {
            assert_eq!(&created[key], value, "{collection}: {key} as written");
            assert_eq!(&read[key], value, "{collection}: {key} as read");
        }
        // Each can be changed, and cleared with `null`.
        let changed = json!({"og_title": "New OG", "visibility": "paid",
                             "twitter_title": null, "twitter_description": null,
                             "feature_image_caption": null, "custom_template": null,
                             "codeinjection_foot": null});
        let res = app.patch(&path, owner, "\"1\"", changed).await.expect(200);
        assert_eq!(res.body["og_title"], "New OG");
        assert_eq!(res.body["visibility"], "paid");
        let cleared = [
            "twitter_title",
            "twitter_description",
            "feature_image_caption",
            "custom_template",
            "codeinjection_foot",
        ];
        for key in cleared {
            assert_eq!(res.body[key], Value::Null, "{collection}: {key}");
        }
        assert_eq!(
            res.body["og_description"], "OG description",
            "left as it was"
        );
        let read = app.get(&path, None).await.expect(200).body;
        assert_eq!(read, res.body);
    }
}

async fn the_uuid_stays_through_every_edit(backend: Backend) {
    let app = spawn(backend).await;
    let owner = Some(app.owner_token.as_str());
    for collection in [POSTS, PAGES] {
        let first = app
            .post(collection, owner, json!({"title": "One"}))
            .await
            .expect(201)
            .body;
        let second = app
            .post(collection, owner, json!({"title": "Two"}))
            .await
            .expect(201)
            .body;
        let uuid = first["uuid"].as_str().expect("a uuid").to_owned();
        uuid::Uuid::parse_str(&uuid).unwrap_or_else(|e| panic!("{uuid}: {e}"));
        assert_ne!(first["uuid"], second["uuid"]);
        let path = resource(collection, id(&first));
        let edits = [
            json!({"title": "Renamed", "markdown": "New text"}),
            json!({"slug": "moved"}),
            json!({"status": "published"}),
            json!({"status": "draft"}),
        ];
        for (version, edit) in (1..).zip(edits) {
            let res = app
                .patch(&path, owner, &format!("\"{version}\""), edit.clone())
                .await
                .expect(200);
            assert_eq!(res.body["uuid"], uuid.as_str(), "after {edit}");
        }
    }
}

async fn visibility_defaults_to_public_and_filters_lists(backend: Backend) {
    let app = spawn(backend).await;
    let owner = Some(app.owner_token.as_str());
    for collection in [POSTS, PAGES] {
        let mut made = Map::new();
        for visibility in [None, Some("members"), Some("paid")] {
            let mut body = json!({"title": format!("{visibility:?}"), "status": "published"});
            if let Some(v) = visibility {
                body["visibility"] = json!(v);
            }
            let item = app.post(collection, owner, body).await.expect(201).body;
            let shown = item["visibility"].as_str().unwrap().to_owned();
            made.insert(shown, item["id"].clone());
        }
        assert!(made.contains_key("public"), "the default: {made:?}");
        for (visibility, item) in &made {
            let list = app
                .get(&format!("{collection}?visibility={visibility}"), None)
                .await
                .expect(200)
                .body;
            let listed: Vec<&Value> = list["data"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| &p["id"])
                .collect();
            assert_eq!(listed, [item], "{collection}?visibility={visibility}");
        }
        app.get(&format!("{collection}?visibility=secret"), None)
            .await
            .problem(400);
        let refused = app
            .post(
                collection,
                owner,
                json!({"title": "Secret", "visibility": "secret"}),
            )
            .await
            .problem(422);
        assert_eq!(refused["errors"][0]["field"], "visibility");
    }
}

async fn post_text_limits_are_enforced(backend: Backend) {
    // Code injection may be 64 KiB of characters, more than the default body limit.
    let app = spawn_with(backend, |cfg| cfg.body_limit = 1024 * 1024).await;
    let owner = Some(app.owner_token.as_str());
    let limits = [
        ("feature_image_alt", 191),
        ("feature_image_caption", 1000),
        ("og_title", 300),
        ("og_description", 500),
        ("twitter_title", 300),
        ("twitter_description", 500),
        ("custom_template", 100),
        ("codeinjection_head", 65_535),
        ("codeinjection_foot", 65_535),
    ];
    for collection in [POSTS, PAGES] {
        for (field, max) in limits {
            // Characters are counted, not bytes (a template name is ASCII only).
            let unit = if field == "custom_template" {
                "a"
            } else {
                "é"
            };
            let longest = app
                .post(
                    collection,
                    owner,
                    json!({"title": field, field: unit.repeat(max)}),
                )
                .await
                .expect(201)
                .body;
            assert_eq!(longest[field].as_str().unwrap().chars().count(), max);
            let too_long = json!({"title": field, field: unit.repeat(max + 1)});
            let problem = app.post(collection, owner, too_long).await.problem(422);
            assert_field(&problem, field, "too_long");
            let path = resource(collection, id(&longest));
            let change = json!({field: unit.repeat(max + 1), "title": "Changed"});
            let problem = app.patch(&path, owner, "\"1\"", change).await.problem(422);
            assert_field(&problem, field, "too_long");
            assert_eq!(app.get(&path, owner).await.expect(200).body, longest);
        }
        assert_eq!(total(&app, collection).await, limits.len() as i64);
    }
}

async fn post_links_must_be_http_urls(backend: Backend) {
    let app = spawn(backend).await;
    let owner = Some(app.owner_token.as_str());
    for collection in [POSTS, PAGES] {
        let mut body = json!({"title": "Linked"});
        for field in POST_URLS {
            body[field] = json!(format!("http://cdn.example.com/{field}.png"));
        }
        let linked = app.post(collection, owner, body).await.expect(201).body;
        let path = resource(collection, id(&linked));
        for field in POST_URLS {
            for bad in NOT_HTTP {
                let problem = app
                    .post(collection, owner, json!({"title": "Bad", field: bad}))
                    .await
                    .problem(422);
                assert_field(&problem, field, "invalid_url");
                let problem = app
                    .patch(&path, owner, "\"1\"", json!({field: bad}))
                    .await
                    .problem(422);
                assert_field(&problem, field, "invalid_url");
            }
        }
        assert_eq!(app.get(&path, owner).await.expect(200).body, linked);
        assert_eq!(total(&app, collection).await, 1);
    }
}

async fn a_custom_template_is_a_plain_name(backend: Backend) {
    let app = spawn(backend).await;
    let owner = Some(app.owner_token.as_str());
    for collection in [POSTS, PAGES] {
        let post = app
            .post(
                collection,
                owner,
                json!({"title": "T", "custom_template": "Post-wide_2"}),
            )
            .await
            .expect(201)
            .body;
        assert_eq!(post["custom_template"], "Post-wide_2");
        let path = resource(collection, id(&post));
        for bad in ["../layouts/x", "two words", "post.hbs", "café"] {
            let body = json!({"title": "T", "custom_template": bad});
            let problem = app.post(collection, owner, body).await.problem(422);
            assert_field(&problem, "custom_template", "invalid_format");
            let problem = app
                .patch(&path, owner, "\"1\"", json!({"custom_template": bad}))
                .await
                .problem(422);
            assert_field(&problem, "custom_template", "invalid_format");
        }
        assert_eq!(app.get(&path, owner).await.expect(200).body, post);
    }
}

async fn only_editors_and_above_set_code_injection(backend: Backend) {
    let app = spawn(backend).await;
    for (role, may) in [
        ("contributor", false),
        ("author", false),
        ("editor", true),
        ("admin", true),
    ] {
        let (_, token) = app.staff(role).await;
        let token = Some(token.as_str());
        for collection in [POSTS, PAGES] {
            let before = total(&app, collection).await;
            let with_code = json!({"title": "Code", "codeinjection_head": "<script>x()</script>"});
            let res = app.post(collection, token, with_code).await;
            assert_eq!(
                res.status,
                if may { 201 } else { 403 },
                "{role}: {collection}"
            );
            let created = if may { 2 } else { 1 };
            let own = app
                .post(collection, token, json!({"title": "Plain"}))
                .await
                .expect(201)
                .body;
            assert_eq!(total(&app, collection).await, before + created);
            let path = resource(collection, id(&own));
            // Even clearing it is setting it.
            for change in [
                json!({"codeinjection_foot": "<script>y()</script>"}),
                json!({"codeinjection_head": null, "title": "Cleared"}),
            ] {
                let res = app.patch(&path, token, "*", change.clone()).await;
                assert_eq!(res.status, if may { 200 } else { 403 }, "{role}: {change}");
            }
            let now = app.get(&path, token).await.expect(200).body;
            if may {
                assert_eq!(now["codeinjection_foot"], "<script>y()</script>");
                assert_eq!(now["title"], "Cleared");
            } else {
                assert_eq!(now, own, "{role}: refused changes change nothing");
            }
        }
    }
}

/// Every optional field a tag has, set.
fn full_tag() -> Value {
    json!({
        "description": "All about design",
        "feature_image": "https://cdn.example.com/design.jpg",
        "meta_title": "Design, meta",
        "meta_description": "Design described",
        "og_image": "https://cdn.example.com/design-og.jpg",
        "og_title": "Design OG",
        "og_description": "Design shared",
        "twitter_image": "https://cdn.example.com/design-tw.jpg",
        "twitter_title": "Design X",
        "twitter_description": "Design posted",
        "canonical_url": "https://elsewhere.example.com/design/",
        "codeinjection_head": "<meta name=\"tag\" content=\"design\">",
        "codeinjection_foot": "<script>tag()</script>",
    })
}

async fn every_tag_field_round_trips(backend: Backend) {
    let app = spawn(backend).await;
    let owner = Some(app.owner_token.as_str());
    let mut body = full_tag();
    body["name"] = json!("Design");
    body["accent_color"] = json!("#FF1A75");
    let created = app.post(TAGS, owner, body).await.expect(201).body;
    let path = resource(TAGS, id(&created));
    let read = app.get(&path, None).await.expect(200).body;
    for (key, value) in fields(&full_tag()) {
        assert_eq!(&created[key], value, "{key} as written");
        assert_eq!(&read[key], value, "{key} as read");
    }
    assert_eq!(read["accent_color"], "#ff1a75", "kept in lower case");
    let res = app
        .patch(
            &path,
            owner,
            "\"1\"",
            json!({"og_title": "Redesigned", "accent_color": "#00AA00",
                   "twitter_title": null, "codeinjection_head": null}),
        )
        .await
        .expect(200);
    assert_eq!(res.body["og_title"], "Redesigned");
    assert_eq!(res.body["accent_color"], "#00aa00");
    assert_eq!(res.body["twitter_title"], Value::Null);
    assert_eq!(res.body["codeinjection_head"], Value::Null);
    assert_eq!(res.body["twitter_description"], "Design posted");
    assert_eq!(app.get(&path, None).await.expect(200).body, res.body);
}

async fn tag_fields_are_checked(backend: Backend) {
    let app = spawn(backend).await;
    let owner = Some(app.owner_token.as_str());
    let tag = app.tag("Kept").await;
    let path = resource(TAGS, id(&tag));
    let mut cases: Vec<(&str, Value, &str)> = vec![
        ("accent_color", json!("red"), "invalid_format"),
        ("accent_color", json!("#ff1a7"), "invalid_format"),
        ("accent_color", json!("ff1a75"), "invalid_format"),
        ("meta_title", json!("m".repeat(301)), "too_long"),
        ("meta_description", json!("m".repeat(501)), "too_long"),
        ("og_title", json!("o".repeat(301)), "too_long"),
        ("og_description", json!("o".repeat(501)), "too_long"),
        ("twitter_title", json!("t".repeat(301)), "too_long"),
        ("twitter_description", json!("t".repeat(501)), "too_long"),
        ("description", json!("d".repeat(501)), "too_long"),
    ];
    for field in [
        "feature_image",
        "og_image",
        "twitter_image",
        "canonical_url",
    ] {
        for bad in NOT_HTTP {
            cases.push((field, json!(bad), "invalid_url"));
        }
    }
    for (field, bad, code) in cases {
        let problem = app
            .post(TAGS, owner, json!({"name": "Refused", field: bad.clone()}))
            .await
            .problem(422);
        assert_field(&problem, field, code);
        let problem = app
            .patch(&path, owner, "\"1\"", json!({field: bad}))
            .await
            .problem(422);
        assert_field(&problem, field, code);
    }
    assert_eq!(app.get(&path, None).await.expect(200).body, tag);
    let all = app
        .get(&format!("{TAGS}?visibility=all&count=true"), None)
        .await
        .expect(200);
    assert_eq!(
        all.body["meta"]["pagination"]["total"], 1,
        "nothing created"
    );
}

async fn authors_create_tags_but_without_code_injection(backend: Backend) {
    let app = spawn(backend).await;
    let (_, author) = app.staff("author").await;
    let author = Some(author.as_str());
    for code in ["codeinjection_head", "codeinjection_foot"] {
        app.post(
            TAGS,
            author,
            json!({"name": "Scripted", code: "<script>x()</script>"}),
        )
        .await
        .problem(403);
    }
    app.get(&format!("{TAGS}/slug/scripted"), None)
        .await
        .problem(404);
    let plain = app
        .post(TAGS, author, json!({"name": "Plain", "og_title": "Fine"}))
        .await
        .expect(201)
        .body;
    assert_eq!(plain["og_title"], "Fine");

    let (_, editor) = app.staff("editor").await;
    let scripted = app
        .post(
            TAGS,
            Some(&editor),
            json!({"name": "Scripted", "codeinjection_foot": "<script>x()</script>"}),
        )
        .await
        .expect(201)
        .body;
    assert_eq!(scripted["codeinjection_foot"], "<script>x()</script>");
}

/// Every profile field of an author, set.
fn full_author() -> Value {
    json!({
        "cover_image": "https://cdn.example.com/cover.jpg",
        "meta_title": "Mara, the author",
        "meta_description": "Mara writes about lakes",
        "twitter": "@mara",
        "facebook": "mara.lind",
        "mastodon": "@mara@social.example",
        "bluesky": "mara.bsky.social",
        "threads": "@mara.lind",
        "linkedin": "in/mara-lind",
        "instagram": "mara_lind",
        "youtube": "@MaraLind",
        "tiktok": "@mara",
    })
}

const HANDLES: [&str; 9] = [
    "twitter",
    "facebook",
    "mastodon",
    "bluesky",
    "threads",
    "linkedin",
    "instagram",
    "youtube",
    "tiktok",
];

async fn every_author_profile_field_round_trips(backend: Backend) {
    let app = spawn(backend).await;
    let owner = Some(app.owner_token.as_str());
    let mut body = full_author();
    body["name"] = json!("Mara Lind");
    let created = app.post(AUTHORS, owner, body).await.expect(201).body;
    let path = resource(AUTHORS, id(&created));
    let read = app.get(&path, None).await.expect(200).body;
    for (key, value) in fields(&full_author()) {
        assert_eq!(&created[key], value, "{key} as written");
        assert_eq!(&read[key], value, "{key} as read");
    }
    let change = json!({"twitter": null, "meta_title": "Mara again",
                        "bluesky": "https://bsky.app/profile/mara"});
    let changed = app
        .patch(&path, owner, "\"1\"", change)
        .await
        .expect(200)
        .body;
    assert_eq!(changed["twitter"], Value::Null);
    assert_eq!(changed["meta_title"], "Mara again");
    assert_eq!(changed["bluesky"], "https://bsky.app/profile/mara");
    assert_eq!(changed["tiktok"], "@mara", "left as it was");
    assert_eq!(app.get(&path, None).await.expect(200).body, changed);
}

async fn author_profile_fields_are_checked(backend: Backend) {
    let app = spawn(backend).await;
    let owner = Some(app.owner_token.as_str());
    let author = app.author("Kept").await;
    let path = resource(AUTHORS, id(&author));
    let count_before = total(&app, AUTHORS).await;
    let mut cases: Vec<(&str, Value, &str)> = vec![
        ("meta_title", json!("m".repeat(301)), "too_long"),
        ("meta_description", json!("m".repeat(501)), "too_long"),
    ];
    for bad in NOT_HTTP {
        cases.push(("cover_image", json!(bad), "invalid_url"));
    }
    for handle in HANDLES {
        cases.push((handle, json!("two words"), "invalid_format"));
        cases.push((handle, json!("tab\there"), "invalid_format"));
        cases.push((handle, json!("h".repeat(192)), "too_long"));
    }
    for (field, bad, code) in cases {
        let problem = app
            .post(
                AUTHORS,
                owner,
                json!({"name": "Refused", field: bad.clone()}),
            )
            .await
            .problem(422);
        assert_field(&problem, field, code);
        let problem = app
            .patch(&path, owner, "\"1\"", json!({field: bad}))
            .await
            .problem(422);
        assert_field(&problem, field, code);
    }
    // The longest handles are taken.
    for handle in HANDLES {
        let longest = json!({"name": "Long", handle: "h".repeat(191)});
        let res = app.post(AUTHORS, owner, longest).await.expect(201);
        assert_eq!(res.body[handle].as_str().unwrap().len(), 191);
        app.delete(&resource(AUTHORS, id(&res.body)), owner)
            .await
            .expect(204);
    }
    assert_eq!(app.get(&path, None).await.expect(200).body, author);
    assert_eq!(total(&app, AUTHORS).await, count_before, "nothing created");
}

// ---- helpers ----

/// The fields of an object body.
fn fields(body: &Value) -> &Map<String, Value> {
    body.as_object().expect("an object")
}

/// Asserts a `422` that names `field` alone, with `code`.
#[track_caller]
fn assert_field(problem: &Value, field: &str, code: &str) {
    let errors = problem["errors"].as_array().expect("errors");
    assert_eq!(errors.len(), 1, "{problem}");
    assert_eq!(errors[0]["field"], field, "{problem}");
    assert_eq!(errors[0]["code"], code, "{problem}");
}

/// How many items the owner sees in `collection`.
async fn total<S: Served<B>, B: MessageBody>(app: &TestApp<S>, collection: &str) -> i64 {
    app.get(&format!("{collection}?count=true"), Some(&app.owner_token))
        .await
        .expect(200)
        .body["meta"]["pagination"]["total"]
        .as_i64()
        .expect("a total")
}
