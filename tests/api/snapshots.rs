//! The shape of each resource and of problem bodies, as reviewed snapshots (`insta`): a change
//! to what the API answers shows up as a diff of `tests/api/snapshots/`. Ids, times and
//! secrets are redacted; the rest must be the same on both databases.

use insta::assert_json_snapshot;
use serde_json::{Value, json};

use crate::on_both_backends;
use crate::paths::{
    AUTHORS, KEYS, LOGIN, PAGES, POSTS, SETTINGS, TAGS, by_slug, preview, resource, restore,
    revision, revisions,
};
use crate::support::{Backend, id, spawn};

on_both_backends!(
    each_resource_has_one_shape,
    the_rest_of_the_blog_has_one_shape,
    problems_have_one_shape
);

/// What varies from run to run, wherever it stands in a body.
macro_rules! redacted {
    ($name:expr, $value:expr) => {{
        let value: Value = $value;
        assert_json_snapshot!($name, value, {
            ".**.id" => "[id]",
            ".**.created_at" => "[time]",
            ".**.updated_at" => "[time]",
            ".**.published_at" => "[time]",
            ".**.last_used_at" => "[time]",
            ".**.expires_at" => "[time]",
            ".**.uuid" => "[uuid]",
            ".**.token" => "[token]",
            ".**.path" => "[path]",
            ".**.created_by" => "[id]",
            ".**.prefix" => "[prefix]",
            ".**.secret" => "[secret]",
            ".**.next_cursor" => "[cursor]",
            ".**.prev_cursor" => "[cursor]",
        });
    }};
}

async fn each_resource_has_one_shape(backend: Backend) {
    let app = spawn(backend).await;
    let owner = Some(app.owner_token.as_str());
    let author = app
        .post(
            AUTHORS,
            owner,
            json!({"name": "Mara Lindqvist", "bio": "Writes.", "website": "https://example.com/"}),
        )
        .await
        .expect(201)
        .body;
    let tag = app
        .post(
            TAGS,
            owner,
            json!({"name": "News", "description": "What is new."}),
        )
        .await
        .expect(201)
        .body;
    let post = app
        .post_as(
            None,
            json!({
                "title": "Hello, Folio",
                "markdown": "# Hi\n\nSome *text*, and [a link](https://example.com).",
                "status": "published",
                "authors": [id(&author)],
                "tags": [id(&tag)],
                "meta_title": "Hello",
            }),
        )
        .await;
    let app = &app;
    let read = |path: String| async move { app.get(&path, None).await.expect(200).body };
    redacted!(
        "post",
        read(format!(
            "{}?formats=html,markdown,plaintext",
            resource(POSTS, id(&post))
        ))
        .await
    );
    redacted!("post_list", read(format!("{POSTS}?limit=1")).await);
    redacted!(
        "author",
        read(format!(
            "{}?include=count.posts",
            by_slug(AUTHORS, "mara-lindqvist")
        ))
        .await
    );
    let me = app
        .get(&resource(AUTHORS, &app.owner_id), owner)
        .await
        .expect(200);
    redacted!("author_as_staff", me.body);
    redacted!(
        "tag",
        read(format!("{}?include=count.posts", resource(TAGS, id(&tag)))).await
    );
    let key = app
        .post(
            KEYS,
            owner,
            json!({"name": "Blog frontend", "kind": "content"}),
        )
        .await
        .expect(201)
        .body;
    redacted!("new_key", key);
}

/// Settings, pages, revisions and previews, with the site's address set (so every `url` is
/// one).
async fn the_rest_of_the_blog_has_one_shape(backend: Backend) {
    let app = spawn(backend).await;
    let owner = Some(app.owner_token.as_str());
    let settings = app
        .patch(
            SETTINGS,
            owner,
            "*",
            json!({
                "title": "Field Notes",
                "url": "https://blog.example.com",
                "permalinks": "/{year}/{slug}/",
                "navigation": [{"label": "About", "url": "/about/"}],
            }),
        )
        .await
        .expect(200)
        .body;
    redacted!("settings", settings);
    let page = app
        .post(
            PAGES,
            owner,
            json!({"title": "About", "markdown": "Who we are.", "status": "published"}),
        )
        .await
        .expect(201)
        .body;
    let path = resource(PAGES, id(&page));
    app.patch(
        &path,
        owner,
        "*",
        json!({"title": "About us", "og_title": "Us"}),
    )
    .await
    .expect(200);
    let app = &app;
    let read = |path: String| async move { app.get(&path, owner).await.expect(200).body };
    redacted!("page", read(path.clone()).await);
    redacted!("revision_list", read(revisions(&path)).await);
    redacted!("revision", read(revision(&path, 1)).await);
    let restored = app
        .call(
            "POST",
            &restore(&path, 1),
            owner,
            None,
            &[("if-match", "*")],
        )
        .await
        .expect(200)
        .body;
    redacted!("restored", restored);
    let link = app
        .post(&preview(&path), owner, json!({}))
        .await
        .expect(201)
        .body;
    redacted!("preview_link", link.clone());
    let token = link["token"].as_str().unwrap();
    redacted!("preview", read(format!("/api/v1/preview/{token}")).await);
    let post = app
        .post_as(
            None,
            json!({"title": "Hello", "status": "published", "published_at": "2025-06-01T10:00:00Z"}),
        )
        .await;
    redacted!("post_with_address", read(resource(POSTS, id(&post))).await);
}

async fn problems_have_one_shape(backend: Backend) {
    let app = spawn(backend).await;
    let owner = Some(app.owner_token.as_str());
    let post = app.post_as(None, json!({"title": "Versioned"})).await;
    let path = resource(POSTS, id(&post));
    let problems: Vec<(&str, Value)> = vec![
        (
            "not_found",
            app.get(&resource(POSTS, "no-such-post"), None)
                .await
                .problem(404),
        ),
        (
            "invalid_parameters",
            app.get(&format!("{POSTS}?limit=0&sort=colour"), None)
                .await
                .problem(400),
        ),
        (
            "validation",
            app.post(
                POSTS,
                owner,
                json!({"title": " ", "feature_image": "javascript:x"}),
            )
            .await
            .problem(422),
        ),
        (
            "version_mismatch",
            app.patch(&path, owner, "\"7\"", json!({"title": "Late"}))
                .await
                .problem(412),
        ),
        (
            "version_required",
            app.call("PATCH", &path, owner, Some(json!({"title": "Unsure"})), &[])
                .await
                .problem(428),
        ),
        (
            "unauthorized",
            app.post(
                LOGIN,
                None,
                json!({"email": "nobody@example.com", "password": "wrong-password"}),
            )
            .await
            .problem(401),
        ),
        (
            "method_not_allowed",
            app.call("PUT", POSTS, None, None, &[]).await.problem(405),
        ),
    ];
    for (name, problem) in problems {
        redacted!(format!("problem_{name}"), problem);
    }
}
