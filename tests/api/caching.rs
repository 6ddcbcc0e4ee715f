//! Conditional GETs, cache headers and compression.

use serde_json::json;

use crate::on_both_backends;
use crate::support::{Backend, id, spawn};

on_both_backends!(
    items_and_lists_answer_304_until_they_change,
    if_modified_since_is_honoured,
    only_anonymous_reads_are_publicly_cacheable,
    responses_are_compressed_on_request,
);

async fn items_and_lists_answer_304_until_they_change(backend: Backend) {
    let app = spawn(backend).await;
    let tag = app.tag("News").await;
    let post = app
        .post_as(
            None,
            json!({"title": "Cached", "status": "published", "tags": [id(&tag)]}),
        )
        .await;
    let item = format!("/api/v1/posts/{}", id(&post));
    for path in [
        item.as_str(),
        "/api/v1/posts",
        "/api/v1/tags",
        "/api/v1/posts/slug/cached",
    ] {
        let first = app.get(path, None).await.expect(200);
        let etag = first.etag();
        assert!(first.header("last-modified").is_some(), "{path}");
        let again = app
            .call("GET", path, None, None, &[("if-none-match", &etag)])
            .await;
        assert_eq!(again.status, 304, "{path}");
        assert!(again.text.is_empty(), "a 304 has no body");
        assert_eq!(again.header("etag"), Some(etag.as_str()));
        let weak = format!("W/{etag}");
        let other = app
            .call("GET", path, None, None, &[("if-none-match", &weak)])
            .await;
        assert_eq!(other.status, 304, "If-None-Match compares weakly: {path}");
        let stale = app
            .call("GET", path, None, None, &[("if-none-match", "\"nope\"")])
            .await;
        assert_eq!(stale.status, 200, "{path}");
    }

    // Any change to what a response shows changes its tag: an edit of the post...
    let before = app.get(&item, None).await.etag();
    let list_before = app.get("/api/v1/posts", None).await.etag();
    app.patch(
        &item,
        Some(&app.owner_token),
        &before,
        json!({"title": "Edited"}),
    )
    .await
    .expect(200);
    let after = app
        .call("GET", &item, None, None, &[("if-none-match", &before)])
        .await;
    assert_eq!(after.status, 200);
    assert_eq!(after.etag_version(), 2);
    let list_after = app
        .call(
            "GET",
            "/api/v1/posts",
            None,
            None,
            &[("if-none-match", &list_before)],
        )
        .await;
    assert_eq!(list_after.status, 200);

    // ...and a rename of a tag it embeds, which does not change the post's version.
    let tag_path = format!("/api/v1/tags/{}", id(&tag));
    let tag_etag = app.get(&tag_path, None).await.etag();
    let current = app.get(&item, None).await.etag();
    app.patch(
        &tag_path,
        Some(&app.owner_token),
        &tag_etag,
        json!({"name": "Breaking"}),
    )
    .await
    .expect(200);
    let renamed = app
        .call("GET", &item, None, None, &[("if-none-match", &current)])
        .await;
    assert_eq!(renamed.status, 200);
    assert_eq!(renamed.body["tags"][0]["name"], "Breaking");
    assert_eq!(renamed.etag_version(), 2, "the post itself did not change");
    // The representation's tag still works for If-Match: it names the version.
    app.patch(
        &item,
        Some(&app.owner_token),
        &renamed.etag(),
        json!({"featured": true}),
    )
    .await
    .expect(200);
}

async fn if_modified_since_is_honoured(backend: Backend) {
    let app = spawn(backend).await;
    let tag = app.tag("Dated").await;
    let path = format!("/api/v1/tags/{}", id(&tag));
    let first = app.get(&path, None).await.expect(200);
    let modified = first.header("last-modified").unwrap().to_owned();
    let same = app
        .call(
            "GET",
            &path,
            None,
            None,
            &[("if-modified-since", &modified)],
        )
        .await;
    assert_eq!(same.status, 304);
    let long_ago = "Mon, 01 Jan 2001 00:00:00 GMT";
    let old = app
        .call("GET", &path, None, None, &[("if-modified-since", long_ago)])
        .await;
    assert_eq!(old.status, 200);
    // If-None-Match wins over If-Modified-Since.
    let both = app
        .call(
            "GET",
            &path,
            None,
            None,
            &[("if-modified-since", &modified), ("if-none-match", "\"x\"")],
        )
        .await;
    assert_eq!(both.status, 200);
}

async fn only_anonymous_reads_are_publicly_cacheable(backend: Backend) {
    let app = spawn(backend).await;
    app.post_as(None, json!({"title": "Public", "status": "published"}))
        .await;
    let anonymous = app.get("/api/v1/posts", None).await.expect(200);
    assert_eq!(
        anonymous.header("cache-control"),
        Some("public, max-age=60, stale-while-revalidate=300")
    );
    assert!(anonymous.header("vary").unwrap().contains("Authorization"));
    let staff = app
        .get("/api/v1/posts", Some(&app.owner_token))
        .await
        .expect(200);
    assert_eq!(staff.header("cache-control"), Some("private, no-store"));
    let me = app
        .get("/api/v1/auth/me", Some(&app.owner_token))
        .await
        .expect(200);
    assert_eq!(me.header("cache-control"), Some("private, no-store"));
    // Errors and writes carry no caching headers.
    let missing = app.get("/api/v1/posts/nope", None).await;
    assert_eq!(missing.status, 404);
    assert_eq!(missing.header("cache-control"), None);
}

async fn responses_are_compressed_on_request(backend: Backend) {
    let app = spawn(backend).await;
    app.post_as(
        None,
        json!({"title": "Long", "status": "published", "markdown": "word ".repeat(2000)}),
    )
    .await;
    let res = app
        .call(
            "GET",
            "/api/v1/posts",
            None,
            None,
            &[("accept-encoding", "gzip")],
        )
        .await;
    assert_eq!(res.status, 200);
    assert_eq!(res.header("content-encoding"), Some("gzip"));
    let plain = app.get("/api/v1/posts", None).await;
    assert_eq!(plain.header("content-encoding"), None);
    assert_eq!(
        res.etag(),
        plain.etag(),
        "validators describe the representation"
    );
}
