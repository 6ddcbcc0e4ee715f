//! Conditional GETs, cache headers and compression.

use serde_json::json;

use crate::on_both_backends;
use crate::paths::{AUTHORS, ME, POSTS, TAGS, resource};
use crate::support::{Backend, id, spawn};

on_both_backends!(
    items_and_lists_answer_304_until_they_change,
    if_modified_since_is_honoured,
    only_anonymous_reads_are_publicly_cacheable,
    responses_are_compressed_on_request,
    kept_reads_change_with_any_write_from_any_instance,
    a_kept_list_shows_a_scheduled_post_when_it_goes_live,
    kept_reads_are_never_shown_to_staff_nor_drafts_to_readers,
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
    let item = resource(POSTS, id(&post));
    for path in [item.as_str(), POSTS, TAGS, &format!("{POSTS}/slug/cached")] {
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
    let list_before = app.get(POSTS, None).await.etag();
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
        .call("GET", POSTS, None, None, &[("if-none-match", &list_before)])
        .await;
    assert_eq!(list_after.status, 200);

    // ...and a rename of a tag it embeds, which does not change the post's version.
    let tag_path = resource(TAGS, id(&tag));
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
    let path = resource(TAGS, id(&tag));
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
    let anonymous = app.get(POSTS, None).await.expect(200);
    assert_eq!(
        anonymous.header("cache-control"),
        Some("public, max-age=60, stale-while-revalidate=300")
    );
    assert!(anonymous.header("vary").unwrap().contains("Authorization"));
    let staff = app.get(POSTS, Some(&app.owner_token)).await.expect(200);
    assert_eq!(staff.header("cache-control"), Some("private, no-store"));
    let me = app.get(ME, Some(&app.owner_token)).await.expect(200);
    assert_eq!(me.header("cache-control"), Some("private, no-store"));
    // Errors and writes carry no caching headers.
    let missing = app.get(&format!("{POSTS}/nope"), None).await;
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
        .call("GET", POSTS, None, None, &[("accept-encoding", "gzip")])
        .await;
    assert_eq!(res.status, 200);
    assert_eq!(res.header("content-encoding"), Some("gzip"));
    let plain = app.get(POSTS, None).await;
    assert_eq!(plain.header("content-encoding"), None);
    assert_eq!(
        res.etag(),
        plain.etag(),
        "validators describe the representation"
    );
}

async fn kept_reads_change_with_any_write_from_any_instance(backend: Backend) {
    let app = spawn(backend).await;
    let other = app.sibling().await;
    let tag = app.tag("News").await;
    let post = app
        .post_as(
            None,
            json!({"title": "First", "status": "published", "tags": [id(&tag)]}),
        )
        .await;
    let paths = [
        POSTS.to_owned(),
        resource(POSTS, id(&post)),
        format!("{TAGS}?include=count.posts"),
        AUTHORS.to_owned(),
    ];
    let read = async |path: &str| {
        let before = app.state().db.statements_run();
        let res = app.get(path, None).await.expect(200);
        (res.body, app.state().db.statements_run() - before)
    };
    // Each read twice: the second from memory, the same bytes.
    let mut kept = Vec::new();
    for path in &paths {
        let (first, _) = read(path).await;
        let (again, statements) = read(path).await;
        assert_eq!(first, again, "{path}");
        assert_eq!(statements, 2, "liveness check and stamp only: {path}");
        kept.push(first);
    }
    // Each kind of write, made through the other instance, shows at once here.
    let changed = other
        .call(
            "PATCH",
            &resource(TAGS, id(&tag)),
            Some(&other.owner_token),
            Some(json!({"name": "Headlines"})),
            &[("if-match", "*")],
        )
        .await
        .expect(200);
    assert_eq!(changed.body["name"], "Headlines");
    let (list, statements) = read(&paths[0]).await;
    assert!(statements > 2, "read afresh");
    assert_eq!(list["data"][0]["tags"][0]["name"], "Headlines");
    let (item, _) = read(&paths[1]).await;
    assert_eq!(item["tags"][0]["name"], "Headlines");
    other
        .post_as(None, json!({"title": "Second", "status": "published"}))
        .await;
    let (list, _) = read(&paths[0]).await;
    assert_eq!(list["data"][0]["title"], "Second");
    other
        .delete(&resource(POSTS, id(&post)), Some(&other.owner_token))
        .await
        .expect(204);
    assert_eq!(app.get(&paths[1], None).await.status, 404);
    let (tags, _) = read(&paths[2]).await;
    assert_eq!(tags["data"][0]["count"]["posts"], 0);
    other.author("Newcomer").await;
    let (authors, _) = read(&paths[3]).await;
    assert_ne!(authors, kept[3]);
    assert!(
        authors["data"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["name"] == "Newcomer")
    );
}

async fn a_kept_list_shows_a_scheduled_post_when_it_goes_live(backend: Backend) {
    let app = spawn(backend).await;
    app.post_as(None, json!({"title": "Now", "status": "published"}))
        .await;
    let soon = chrono::Utc::now() + chrono::Duration::seconds(2);
    app.post_as(
        None,
        json!({"title": "Soon", "status": "scheduled", "published_at": soon.to_rfc3339()}),
    )
    .await;
    let titles = async || {
        let body = app.get(POSTS, None).await.expect(200).body;
        body["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["title"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(titles().await, ["Now"]);
    assert_eq!(titles().await, ["Now"], "kept");
    let wait = (soon - chrono::Utc::now()).to_std().unwrap_or_default();
    tokio_sleep(wait + std::time::Duration::from_millis(200)).await;
    assert_eq!(
        titles().await,
        ["Soon", "Now"],
        "live, with nothing written"
    );
}

async fn tokio_sleep(duration: std::time::Duration) {
    actix_web::rt::time::sleep(duration).await;
}

async fn kept_reads_are_never_shown_to_staff_nor_drafts_to_readers(backend: Backend) {
    let app = spawn(backend).await;
    app.post_as(None, json!({"title": "Public", "status": "published"}))
        .await;
    app.post_as(None, json!({"title": "Draft"})).await;
    let count = |body: &serde_json::Value| body["data"].as_array().unwrap().len();
    // Staff first: their answer, with the draft, is theirs alone.
    let staff = app.get(POSTS, Some(&app.owner_token)).await.expect(200);
    assert_eq!(count(&staff.body), 2);
    let anonymous = app.get(POSTS, None).await.expect(200);
    assert_eq!(count(&anonymous.body), 1);
    let again = app.get(POSTS, None).await.expect(200);
    assert_eq!(count(&again.body), 1);
    let staff = app.get(POSTS, Some(&app.owner_token)).await.expect(200);
    assert_eq!(count(&staff.body), 2, "staff never get the readers' copy");
    assert_eq!(staff.header("cache-control"), Some("private, no-store"));
    // A kept answer still honours conditional requests.
    let etag = again.etag();
    let revalidated = app
        .call("GET", POSTS, None, None, &[("if-none-match", &etag)])
        .await;
    assert_eq!(revalidated.status, 304);
    assert!(revalidated.text.is_empty());
}
