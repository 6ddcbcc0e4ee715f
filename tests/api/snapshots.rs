//! The shape of each resource and of problem bodies, as reviewed snapshots (`insta`): a change
//! to what the API answers shows up as a diff of `tests/api/snapshots/`. Ids, times and
//! secrets are redacted; the rest must be the same on both databases.

use insta::assert_json_snapshot;
use serde_json::{Value, json};

use crate::on_both_backends;
use crate::paths::{AUTHORS, KEYS, LOGIN, POSTS, TAGS, by_slug, resource};
use crate::support::{Backend, id, spawn};

on_both_backends!(each_resource_has_one_shape, problems_have_one_shape);

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
