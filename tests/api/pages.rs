//! Pages: posts of their own kind under `/pages`, with every operation posts have, kept apart
//! from posts in lists, filters, search, counts, slugs and addresses.

use actix_web::body::MessageBody;
use chrono::{SecondsFormat, TimeDelta, Utc};
use serde_json::{Value, json};

use crate::on_both_backends;
use crate::paths::{AUTHORS, PAGES, POSTS, SETTINGS, TAGS, by_slug, resource};
use crate::support::{Backend, Served, TestApp, id, slugs, spawn};

on_both_backends!(
    pages_crud,
    posts_and_pages_never_answer_for_each_other,
    pages_stay_out_of_post_filters_search_and_counts,
    page_slugs_are_unique_among_pages,
    a_renamed_page_redirects_from_its_former_slug,
    readers_see_only_live_pages,
    a_live_page_is_at_its_slug_whatever_the_permalinks,
);

async fn pages_crud(backend: Backend) {
    let app = spawn(backend).await;
    let owner = Some(app.owner_token.as_str());
    let created = app
        .post(
            PAGES,
            owner,
            json!({"title": "About Us", "markdown": "Who *we* are.", "status": "published"}),
        )
        .await
        .expect(201);
    let page = created.body.clone();
    let path = resource(PAGES, id(&page));
    assert_eq!(created.header("location"), Some(path.as_str()));
    assert_eq!(created.etag_version(), 1);
    assert_eq!(page["slug"], "about-us");
    assert_eq!(page["status"], "published");
    assert!(page["html"].as_str().unwrap().contains("<em>we</em>"));

    let read = app.get(&path, owner).await.expect(200);
    assert_eq!(read.body, page);
    let anonymous = app.get(&by_slug(PAGES, "about-us"), None).await.expect(200);
    assert_eq!(anonymous.body["id"], page["id"]);
    let list = app.get(PAGES, None).await.expect(200);
    assert_eq!(slugs(&list.body), ["about-us"]);

    // Changes need the version read, as for posts.
    let unstated = app
        .call("PATCH", &path, owner, Some(json!({"title": "Nope"})), &[])
        .await;
    unstated.problem(428);
    app.patch(&path, owner, "\"7\"", json!({"title": "Nope"}))
        .await
        .problem(412);
    let changed = app
        .patch(&path, owner, &read.etag(), json!({"title": "About"}))
        .await
        .expect(200);
    assert_eq!(changed.body["title"], "About");
    assert_eq!(changed.etag_version(), 2);
    let by_version = app
        .call(
            "PATCH",
            &path,
            owner,
            Some(json!({"featured": true, "version": 2})),
            &[],
        )
        .await
        .expect(200);
    assert_eq!(by_version.body["version"], 3);
    assert_eq!(by_version.body["featured"], true);

    app.delete(&path, None).await.problem(401);
    app.delete(&path, owner).await.expect(204);
    app.get(&path, owner).await.problem(404);
    let list = app.get(PAGES, owner).await.expect(200);
    assert_eq!(slugs(&list.body), Vec::<String>::new());
}

async fn posts_and_pages_never_answer_for_each_other(backend: Backend) {
    let app = spawn(backend).await;
    let owner = Some(app.owner_token.as_str());
    let post = app
        .post_as(None, json!({"title": "About", "status": "published"}))
        .await;
    let page = page_as(&app, json!({"title": "About", "status": "published"})).await;
    for token in [None, owner] {
        let posts = app.get(POSTS, token).await.expect(200).body;
        assert_eq!(ids(&posts), [id(&post)]);
        let pages = app.get(PAGES, token).await.expect(200).body;
        assert_eq!(ids(&pages), [id(&page)]);
        app.get(&resource(PAGES, id(&post)), token)
            .await
            .problem(404);
        app.get(&resource(POSTS, id(&page)), token)
            .await
            .problem(404);
        let page_by_slug = app.get(&by_slug(PAGES, "about"), token).await.expect(200);
        assert_eq!(page_by_slug.body["id"], page["id"]);
        let post_by_slug = app.get(&by_slug(POSTS, "about"), token).await.expect(200);
        assert_eq!(post_by_slug.body["id"], post["id"]);
    }
    // Nor can one be changed or deleted through the other's collection.
    for (wrong, item) in [(PAGES, &post), (POSTS, &page)] {
        let path = resource(wrong, id(item));
        let res = app
            .call(
                "PATCH",
                &path,
                owner,
                Some(json!({"title": "Moved"})),
                &[("if-match", "*")],
            )
            .await;
        res.problem(404);
        app.delete(&path, owner).await.problem(404);
    }
    let post_now = app
        .get(&resource(POSTS, id(&post)), owner)
        .await
        .expect(200);
    assert_eq!(post_now.body, post);
    let page_now = app
        .get(&resource(PAGES, id(&page)), owner)
        .await
        .expect(200);
    assert_eq!(page_now.body, page);
}

async fn pages_stay_out_of_post_filters_search_and_counts(backend: Backend) {
    let app = spawn(backend).await;
    let tag = app.tag("Guides").await;
    let writer = app.author("Mara Lind").await;
    let body = |title: &str| {
        json!({"title": title, "status": "published", "markdown": "A zebra crossing.",
               "tags": [id(&tag)], "authors": [id(&writer)]})
    };
    let post = app.post_as(None, body("Post")).await;
    let page = page_as(&app, body("Page")).await;
    // Each filter finds the post among posts and the page among pages, never the other.
    for query in [
        "tag=guides",
        "author=mara-lind",
        "q=zebra",
        "featured=false",
    ] {
        let posts = app.get(&format!("{POSTS}?{query}"), None).await.expect(200);
        assert_eq!(ids(&posts.body), [id(&post)], "posts?{query}");
        let pages = app.get(&format!("{PAGES}?{query}"), None).await.expect(200);
        assert_eq!(ids(&pages.body), [id(&page)], "pages?{query}");
    }
    // Tags and authors count posts only.
    let counted = "include=count.posts";
    let tag_read = app
        .get(&format!("{}?{counted}", resource(TAGS, id(&tag))), None)
        .await
        .expect(200);
    assert_eq!(tag_read.body["count"]["posts"], 1);
    let tags = app
        .get(&format!("{TAGS}?{counted}"), None)
        .await
        .expect(200);
    assert_eq!(tags.body["data"][0]["count"]["posts"], 1);
    let author_read = app
        .get(
            &format!("{}?{counted}", resource(AUTHORS, id(&writer))),
            None,
        )
        .await
        .expect(200);
    assert_eq!(author_read.body["count"]["posts"], 1);
    let authors = app
        .get(&format!("{AUTHORS}?{counted}&q=mara"), None)
        .await
        .expect(200);
    assert_eq!(authors.body["data"][0]["count"]["posts"], 1);
}

async fn page_slugs_are_unique_among_pages(backend: Backend) {
    let app = spawn(backend).await;
    let owner = Some(app.owner_token.as_str());
    let post = app.post_as(None, json!({"title": "About"})).await;
    assert_eq!(post["slug"], "about");
    let first = page_as(&app, json!({"title": "About"})).await;
    assert_eq!(
        first["slug"], "about",
        "a post's slug does not take a page's"
    );
    let second = page_as(&app, json!({"title": "About"})).await;
    assert_eq!(second["slug"], "about-2");

    let taken = app
        .post(PAGES, owner, json!({"title": "Other", "slug": "about"}))
        .await
        .problem(409);
    assert!(
        taken["detail"].as_str().unwrap().contains("about"),
        "{taken}"
    );
    assert_eq!(page_total(&app).await, 2, "nothing was created");
    let path = resource(PAGES, id(&second));
    app.patch(&path, owner, "\"1\"", json!({"slug": "about"}))
        .await
        .problem(409);
    assert_eq!(app.get(&path, owner).await.expect(200).body, second);

    // A post may still take a slug only a page has.
    let explicit = app
        .post_as(None, json!({"title": "Other", "slug": "about-2"}))
        .await;
    assert_eq!(explicit["slug"], "about-2");
}

async fn a_renamed_page_redirects_from_its_former_slug(backend: Backend) {
    let app = spawn(backend).await;
    let owner = Some(app.owner_token.as_str());
    let page = page_as(
        &app,
        json!({"title": "First", "slug": "first", "status": "published"}),
    )
    .await;
    app.patch(
        &resource(PAGES, id(&page)),
        owner,
        "\"1\"",
        json!({"slug": "second"}),
    )
    .await
    .expect(200);
    let moved = app.get(&by_slug(PAGES, "first"), None).await;
    assert_eq!(moved.status, 301, "{}", moved.text);
    let second = by_slug(PAGES, "second");
    assert_eq!(moved.header("location"), Some(second.as_str()));
    // Former slugs are kept within a kind: no post had it, and a post may take it.
    app.get(&by_slug(POSTS, "first"), None).await.problem(404);
    app.post_as(
        None,
        json!({"title": "First", "slug": "first", "status": "published"}),
    )
    .await;
    let still = app.get(&by_slug(PAGES, "first"), None).await;
    assert_eq!(still.status, 301, "{}", still.text);
    assert_eq!(still.header("location"), Some(second.as_str()));
}

async fn readers_see_only_live_pages(backend: Backend) {
    let app = spawn(backend).await;
    let owner = Some(app.owner_token.as_str());
    let tomorrow = (Utc::now() + TimeDelta::days(1)).to_rfc3339_opts(SecondsFormat::Secs, true);
    let draft = page_as(&app, json!({"title": "Draft"})).await;
    let scheduled = page_as(
        &app,
        json!({"title": "Scheduled", "status": "scheduled", "published_at": tomorrow}),
    )
    .await;
    let live = page_as(&app, json!({"title": "Live", "status": "published"})).await;

    let list = app.get(PAGES, None).await.expect(200);
    assert_eq!(slugs(&list.body), ["live"]);
    for hidden in [&draft, &scheduled] {
        app.get(&resource(PAGES, id(hidden)), None)
            .await
            .problem(404);
        let slug = hidden["slug"].as_str().unwrap();
        app.get(&by_slug(PAGES, slug), None).await.problem(404);
    }
    app.get(&resource(PAGES, id(&live)), None).await.expect(200);

    // Staff who may see them still do.
    let list = app.get(PAGES, owner).await.expect(200);
    assert_eq!(list.body["data"].as_array().unwrap().len(), 3);
    app.get(&resource(PAGES, id(&draft)), owner)
        .await
        .expect(200);
    let (_, author) = app.staff("author").await;
    let theirs = app
        .post(PAGES, Some(&author), json!({"title": "Mine"}))
        .await
        .expect(201)
        .body;
    let list = app.get(PAGES, Some(&author)).await.expect(200);
    let mut seen = slugs(&list.body);
    seen.sort();
    assert_eq!(seen, ["live", "mine"], "another's drafts stay hidden");
    app.get(&resource(PAGES, id(&theirs)), None)
        .await
        .problem(404);
}

async fn a_live_page_is_at_its_slug_whatever_the_permalinks(backend: Backend) {
    let app = spawn(backend).await;
    let owner = Some(app.owner_token.as_str());
    let page = page_as(&app, json!({"title": "About", "status": "published"})).await;
    let draft = page_as(&app, json!({"title": "Soon"})).await;
    let post = app
        .post_as(
            None,
            json!({"title": "Hello", "status": "published", "published_at": "2025-03-04T05:06:07Z"}),
        )
        .await;
    assert_eq!(page["url"], Value::Null, "no site address yet");
    assert_eq!(draft["url"], Value::Null);

    let settings =
        json!({"url": "https://blog.example.com/", "permalinks": "/{year}/{month}/{day}/{slug}/"});
    app.call(
        "PATCH",
        SETTINGS,
        owner,
        Some(settings),
        &[("if-match", "*")],
    )
    .await
    .expect(200);
    let read = app.get(&resource(PAGES, id(&page)), None).await.expect(200);
    assert_eq!(read.body["url"], "https://blog.example.com/about/");
    let listed = app.get(PAGES, None).await.expect(200);
    assert_eq!(
        listed.body["data"][0]["url"],
        "https://blog.example.com/about/"
    );
    let post_read = app.get(&resource(POSTS, id(&post)), None).await.expect(200);
    assert_eq!(
        post_read.body["url"], "https://blog.example.com/2025/03/04/hello/",
        "posts follow the permalinks"
    );

    // A draft is at its preview address until it goes live.
    let draft_path = resource(PAGES, id(&draft));
    let unpublished = app.get(&draft_path, owner).await.expect(200);
    let uuid = draft["uuid"].as_str().unwrap();
    assert_eq!(
        unpublished.body["url"],
        format!("https://blog.example.com/p/{uuid}/")
    );
    let published = app
        .patch(
            &draft_path,
            owner,
            &unpublished.etag(),
            json!({"status": "published"}),
        )
        .await
        .expect(200);
    assert_eq!(published.body["url"], "https://blog.example.com/soon/");
}

// ---- helpers ----

/// A new page by the owner.
async fn page_as<S: Served<B>, B: MessageBody>(app: &TestApp<S>, body: Value) -> Value {
    app.post(PAGES, Some(&app.owner_token), body)
        .await
        .expect(201)
        .body
}

/// How many pages the owner sees.
async fn page_total<S: Served<B>, B: MessageBody>(app: &TestApp<S>) -> i64 {
    app.get(&format!("{PAGES}?count=true"), Some(&app.owner_token))
        .await
        .expect(200)
        .body["meta"]["pagination"]["total"]
        .as_i64()
        .expect("a total")
}

/// The ids in a list response, in order.
fn ids(list: &Value) -> Vec<&str> {
    list["data"]
        .as_array()
        .expect("a list")
        .iter()
        .map(id)
        .collect()
}
