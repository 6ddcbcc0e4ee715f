//! Tags: their endpoints, slugs and roles; internal tags (`#…`), which readers never see;
//! and the posts each one counts.

use chrono::{SecondsFormat, TimeDelta, Utc};
use serde_json::{Value, json};

use crate::on_both_backends;
use crate::paths::{PAGES, POSTS, SETTINGS, TAGS, by_slug, resource};
use crate::support::{Backend, id, slugs, spawn};

on_both_backends!(
    tags_crud,
    tag_slugs,
    tag_roles,
    deleting_a_tag_keeps_its_posts,
    a_hash_makes_a_tag_internal,
    renaming_to_or_from_a_hash_flips_the_visibility,
    tag_lists_leave_internal_tags_out_unless_asked,
    readers_never_see_internal_tags_on_posts_or_pages,
    post_counts_count_live_posts_only,
);

async fn tags_crud(backend: Backend) {
    let app = spawn(backend).await;
    let owner = Some(app.owner_token.as_str());

    let created = app
        .post(
            TAGS,
            owner,
            json!({"name": "Getting Started", "description": "First steps"}),
        )
        .await
        .expect(201);
    let tag = created.body.clone();
    assert_eq!(tag["slug"], "getting-started");
    assert_eq!(tag["version"], 1);
    assert_eq!(
        created.header("location").unwrap(),
        resource(TAGS, id(&tag))
    );
    assert_eq!(created.etag_version(), 1);

    let read = app.get(&resource(TAGS, id(&tag)), None).await.expect(200);
    assert_eq!(read.body["name"], "Getting Started");
    let by_slug = app
        .get(&format!("{TAGS}/slug/getting-started"), None)
        .await
        .expect(200);
    assert_eq!(by_slug.body["id"], tag["id"]);

    let changed = app
        .patch(
            &resource(TAGS, id(&tag)),
            owner,
            &read.etag(),
            json!({"description": null}),
        )
        .await
        .expect(200);
    assert_eq!(changed.body["version"], 2);
    assert_eq!(changed.body["description"], serde_json::Value::Null);
    assert_eq!(changed.etag_version(), 2);

    let list = app
        .get(&format!("{TAGS}?count=true"), None)
        .await
        .expect(200);
    assert_eq!(list.body["meta"]["pagination"]["total"], 1);
    assert_eq!(list.body["data"][0]["id"], tag["id"]);

    app.delete(&resource(TAGS, id(&tag)), owner)
        .await
        .expect(204);
    app.get(&resource(TAGS, id(&tag)), None).await.problem(404);
}

async fn tag_slugs(backend: Backend) {
    let app = spawn(backend).await;
    let owner = Some(app.owner_token.as_str());
    for expected in ["news", "news-2", "news-3"] {
        assert_eq!(app.tag("News").await["slug"], expected);
    }
    let taken = app
        .post(TAGS, owner, json!({"name": "Other", "slug": "news"}))
        .await;
    assert!(
        taken.problem(409)["detail"]
            .as_str()
            .unwrap()
            .contains("news")
    );
    let invalid = app
        .post(TAGS, owner, json!({"name": "Other", "slug": "Not A Slug"}))
        .await;
    assert_eq!(invalid.problem(422)["errors"][0]["field"], "slug");
    // Renaming onto a taken slug is refused and changes nothing.
    let other = app.tag("Other").await;
    let path = resource(TAGS, id(&other));
    app.patch(&path, owner, "\"1\"", json!({"slug": "news"}))
        .await
        .problem(409);
    assert_eq!(app.get(&path, None).await.body["slug"], "other");
}

async fn tag_roles(backend: Backend) {
    let app = spawn(backend).await;
    let tag = app.tag("Existing").await;
    let path = resource(TAGS, id(&tag));
    for (role, may_create, may_manage) in [
        ("admin", true, true),
        ("editor", true, true),
        ("author", true, false),
        ("contributor", false, false),
    ] {
        let (_, token) = app.staff(role).await;
        let create = app
            .post(TAGS, Some(&token), json!({"name": format!("By {role}")}))
            .await;
        assert_eq!(
            create.status,
            if may_create { 201 } else { 403 },
            "{role} creating a tag"
        );
        let current = app.get(&path, None).await;
        let patch = app
            .patch(
                &path,
                Some(&token),
                &current.etag(),
                json!({"name": "Renamed"}),
            )
            .await;
        assert_eq!(
            patch.status,
            if may_manage { 200 } else { 403 },
            "{role} changing a tag"
        );
    }
    app.post(TAGS, None, json!({"name": "Anonymous"}))
        .await
        .problem(401);
    app.delete(&path, None).await.problem(401);
    let (_, author) = app.staff("author").await;
    app.delete(&path, Some(&author)).await.problem(403);
    app.get(&path, None).await.expect(200);
}

async fn deleting_a_tag_keeps_its_posts(backend: Backend) {
    let app = spawn(backend).await;
    let a = app.tag("A").await;
    let b = app.tag("B").await;
    let post = app
        .post_as(
            None,
            json!({"title": "Tagged", "status": "published", "tags": [id(&a), id(&b)]}),
        )
        .await;
    app.delete(&resource(TAGS, id(&a)), Some(&app.owner_token))
        .await
        .expect(204);
    let read = app.get(&resource(POSTS, id(&post)), None).await.expect(200);
    let tags: Vec<_> = read.body["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["slug"].clone())
        .collect();
    assert_eq!(tags, vec![json!("b")]);
}

async fn a_hash_makes_a_tag_internal(backend: Backend) {
    let app = spawn(backend).await;
    let owner = Some(app.owner_token.as_str());
    app.call(
        "PATCH",
        SETTINGS,
        owner,
        Some(json!({"url": "https://blog.example.com"})),
        &[("if-match", "*")],
    )
    .await
    .expect(200);
    let internal = app.tag("#Newsletter Only").await;
    assert_eq!(internal["visibility"], "internal");
    assert_eq!(internal["slug"], "hash-newsletter-only");
    assert_eq!(internal["url"], Value::Null, "internal tags have no page");
    let public = app.tag("Newsletter Only").await;
    assert_eq!(public["visibility"], "public");
    assert_eq!(public["slug"], "newsletter-only");
    assert_eq!(
        public["url"],
        "https://blog.example.com/tag/newsletter-only/"
    );
    // A `#` elsewhere in the name is just a character.
    let numbered = app.tag("Issue #1").await;
    assert_eq!(numbered["visibility"], "public");
    let read = app
        .get(&by_slug(TAGS, "hash-newsletter-only"), None)
        .await
        .expect(200);
    assert_eq!(read.body["id"], internal["id"]);
    assert_eq!(read.body["visibility"], "internal");
    assert_eq!(
        app.tag("#Newsletter Only").await["slug"],
        "hash-newsletter-only-2"
    );
}

async fn renaming_to_or_from_a_hash_flips_the_visibility(backend: Backend) {
    let app = spawn(backend).await;
    let owner = Some(app.owner_token.as_str());
    let tag = app.tag("News").await;
    let path = resource(TAGS, id(&tag));
    let hidden = app
        .patch(&path, owner, "\"1\"", json!({"name": "#News"}))
        .await
        .expect(200);
    assert_eq!(hidden.body["visibility"], "internal");
    let listed = app.get(TAGS, None).await.expect(200);
    assert_eq!(slugs(&listed.body), Vec::<String>::new());

    let shown = app
        .patch(&path, owner, "\"2\"", json!({"name": "Headlines"}))
        .await
        .expect(200);
    assert_eq!(shown.body["visibility"], "public");
    let listed = app.get(TAGS, None).await.expect(200);
    assert_eq!(slugs(&listed.body), ["news"]);
    // Other changes leave the visibility as the name has it.
    let described = app
        .patch(&path, owner, "\"3\"", json!({"description": "#not-a-name"}))
        .await
        .expect(200);
    assert_eq!(described.body["visibility"], "public");
}

async fn tag_lists_leave_internal_tags_out_unless_asked(backend: Backend) {
    let app = spawn(backend).await;
    app.tag("Public One").await;
    app.tag("#Internal One").await;
    app.tag("Public Two").await;
    app.tag("#Internal Two").await;
    let sorted = |body: &Value| {
        let mut all = slugs(body);
        all.sort();
        all
    };
    for token in [None, Some(app.owner_token.as_str())] {
        let list = async |query: &str| {
            app.get(&format!("{TAGS}?count=true{query}"), token)
                .await
                .expect(200)
                .body
        };
        let default = list("").await;
        assert_eq!(sorted(&default), ["public-one", "public-two"]);
        assert_eq!(default["meta"]["pagination"]["total"], 2);
        let public = list("&visibility=public").await;
        assert_eq!(sorted(&public), ["public-one", "public-two"]);
        let internal = list("&visibility=internal").await;
        assert_eq!(
            sorted(&internal),
            ["hash-internal-one", "hash-internal-two"]
        );
        assert_eq!(internal["meta"]["pagination"]["total"], 2);
        let all = list("&visibility=all").await;
        assert_eq!(all["meta"]["pagination"]["total"], 4);
        // Searching by name keeps to the visibility asked for.
        let found = list("&q=one").await;
        assert_eq!(sorted(&found), ["public-one"]);
    }
    app.get(&format!("{TAGS}?visibility=hidden"), None)
        .await
        .problem(400);
}

async fn readers_never_see_internal_tags_on_posts_or_pages(backend: Backend) {
    let app = spawn(backend).await;
    let owner = Some(app.owner_token.as_str());
    let internal = app.tag("#Featured Slot").await;
    let first = app.tag("First Public").await;
    let second = app.tag("Second Public").await;
    let tags = json!([id(&internal), id(&first), id(&second)]);
    let (_, secret) = app
        .key(json!({"name": "Frontend", "kind": "content"}))
        .await;
    for collection in [POSTS, PAGES] {
        let body = json!({"title": "Tagged", "status": "published", "tags": tags});
        let item = app.post(collection, owner, body).await.expect(201).body;
        let path = resource(collection, id(&item));
        let embedded = |item: &Value| -> Vec<(String, String)> {
            item["tags"]
                .as_array()
                .expect("tags")
                .iter()
                .map(|t| {
                    (
                        t["slug"].as_str().unwrap().to_owned(),
                        t["visibility"].as_str().unwrap().to_owned(),
                    )
                })
                .collect()
        };
        let shown = [
            ("first-public".to_owned(), "public".to_owned()),
            ("second-public".to_owned(), "public".to_owned()),
        ];
        let as_read = [
            app.get(&path, None).await.expect(200).body,
            app.get(&by_slug(collection, "tagged"), None)
                .await
                .expect(200)
                .body,
            app.get(collection, None).await.expect(200).body["data"][0].clone(),
        ];
        for read in &as_read {
            assert_eq!(
                embedded(read),
                shown,
                "{collection}: the first tag a reader sees is public"
            );
        }
        let staff = app.get(&path, owner).await.expect(200).body;
        let mut all = vec![("hash-featured-slot".to_owned(), "internal".to_owned())];
        all.extend(shown.clone());
        assert_eq!(embedded(&staff), all, "{collection}: staff see every tag");
        assert_eq!(embedded(&item), all, "{collection}: as written");
        let listed = app.get(collection, owner).await.expect(200).body;
        assert_eq!(embedded(&listed["data"][0]), all);
        let by_key = app.with_key("GET", &path, &secret, None).await.expect(200);
        assert_eq!(
            embedded(&by_key.body),
            shown,
            "{collection}: a content key reads"
        );
        // What staff were answered is never what readers are answered from the cache.
        assert_eq!(
            embedded(&app.get(&path, None).await.expect(200).body),
            shown
        );
    }
}

async fn post_counts_count_live_posts_only(backend: Backend) {
    let app = spawn(backend).await;
    let owner = Some(app.owner_token.as_str());
    let tag = app.tag("Counted").await;
    let internal = app.tag("#Counted").await;
    let tags = json!([id(&tag), id(&internal)]);
    let tomorrow = (Utc::now() + TimeDelta::days(1)).to_rfc3339_opts(SecondsFormat::Secs, true);
    for (collection, body) in [
        (POSTS, json!({"title": "Live", "status": "published"})),
        (
            POSTS,
            json!({"title": "Old", "status": "published", "published_at": "2020-01-01T00:00:00Z"}),
        ),
        (POSTS, json!({"title": "Draft"})),
        (
            POSTS,
            json!({"title": "Later", "status": "scheduled", "published_at": tomorrow}),
        ),
        (PAGES, json!({"title": "Page", "status": "published"})),
    ] {
        let mut body = body;
        body["tags"] = tags.clone();
        app.post(collection, owner, body).await.expect(201);
    }
    for token in [None, owner] {
        for t in [&tag, &internal] {
            let read = app
                .get(
                    &format!("{}?include=count.posts", resource(TAGS, id(t))),
                    token,
                )
                .await
                .expect(200);
            assert_eq!(read.body["count"]["posts"], 2, "{}", t["name"]);
        }
        let list = app
            .get(&format!("{TAGS}?include=count.posts&visibility=all"), token)
            .await
            .expect(200);
        for listed in list.body["data"].as_array().unwrap() {
            assert_eq!(listed["count"]["posts"], 2, "{listed}");
        }
    }
    // Unpublishing one takes it out of the count.
    let live = app.get(&by_slug(POSTS, "live"), owner).await.expect(200);
    app.patch(
        &resource(POSTS, id(&live.body)),
        owner,
        &live.etag(),
        json!({"status": "draft"}),
    )
    .await
    .expect(200);
    let read = app
        .get(
            &format!("{}?include=count.posts", resource(TAGS, id(&tag))),
            None,
        )
        .await
        .expect(200);
    assert_eq!(read.body["count"]["posts"], 1);
}
