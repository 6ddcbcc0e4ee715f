//! What a read sends: formats, embedded relations, post counts, and the constant number of
//! SQL statements behind a list.

use serde_json::json;

use crate::on_both_backends;
use crate::paths::{AUTHORS, POSTS, TAGS, resource};
use crate::support::{Backend, id, spawn};

on_both_backends!(
    formats_and_include_shape_posts,
    authors_and_tags_count_their_published_posts,
    a_list_costs_the_same_statements_whatever_its_size,
    unknown_shapes_are_400,
);

async fn formats_and_include_shape_posts(backend: Backend) {
    let app = spawn(backend).await;
    let tag = app.tag("Shape").await;
    let post = app
        .post_as(
            None,
            json!({"title": "Shaped", "markdown": "Hi *there*", "status": "published",
                             "tags": [id(&tag)]}),
        )
        .await;
    let path = resource(POSTS, id(&post));
    let default = app.get(&path, None).await.expect(200).body;
    assert_eq!(default["html"], "<p>Hi <em>there</em></p>\n");
    assert!(default.get("markdown").is_none() && default.get("plaintext").is_none());
    assert!(default["authors"].is_array() && default["tags"].is_array());

    let formats = app
        .get(&format!("{path}?formats=markdown,plaintext"), None)
        .await
        .expect(200)
        .body;
    assert_eq!(formats["markdown"], "Hi *there*");
    assert_eq!(formats["plaintext"], "Hi there");
    assert!(formats.get("html").is_none());

    let bare = app
        .get(&format!("{path}?include="), None)
        .await
        .expect(200)
        .body;
    assert!(bare.get("authors").is_none() && bare.get("tags").is_none());
    let tags_only = app
        .get(&format!("{path}?include=tags"), None)
        .await
        .expect(200)
        .body;
    assert!(tags_only.get("authors").is_none());
    assert_eq!(tags_only["tags"][0]["slug"], "shape");

    let list = app
        .get(&format!("{POSTS}?include=tags&formats=plaintext"), None)
        .await
        .expect(200)
        .body;
    let item = &list["data"][0];
    assert!(item.get("authors").is_none() && item.get("html").is_none());
    assert_eq!(item["plaintext"], "Hi there");
    assert_eq!(item["tags"][0]["slug"], "shape");
}

async fn authors_and_tags_count_their_published_posts(backend: Backend) {
    let app = spawn(backend).await;
    let (busy, quiet) = (app.tag("Busy").await, app.tag("Quiet").await);
    let writer = app.author("Writer").await;
    for status in ["published", "published", "draft"] {
        app.post_as(
            None,
            json!({"title": status, "status": status, "tags": [id(&busy)],
                                 "authors": [id(&writer)]}),
        )
        .await;
    }
    let tags = app
        .get(&format!("{TAGS}?include=count.posts&sort=name"), None)
        .await
        .expect(200)
        .body;
    let counts: Vec<(String, i64)> = tags["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["slug"].as_str().unwrap().to_owned(),
                t["count"]["posts"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        counts,
        [("busy".to_owned(), 2), ("quiet".to_owned(), 0)],
        "drafts do not count"
    );
    let one = app
        .get(&format!("{TAGS}/{}?include=count.posts", id(&quiet)), None)
        .await;
    assert_eq!(one.expect(200).body["count"]["posts"], 0);
    let plain = app
        .get(&resource(TAGS, id(&busy)), None)
        .await
        .expect(200)
        .body;
    assert!(plain.get("count").is_none(), "counts only on request");
    let author = app
        .get(&format!("{AUTHORS}/slug/writer?include=count.posts"), None)
        .await
        .expect(200)
        .body;
    assert_eq!(author["count"], json!({"posts": 2}));
}

async fn a_list_costs_the_same_statements_whatever_its_size(backend: Backend) {
    let app = spawn(backend).await;
    let tags = [app.tag("One").await, app.tag("Two").await];
    let authors = [app.author("Ann").await, app.author("Bo").await];
    for n in 0..30 {
        app.post_as(
            None,
            json!({"title": format!("Post {n}"), "status": "published",
                                 "tags": [id(&tags[n % 2]), id(&tags[(n + 1) % 2])],
                                 "authors": [id(&authors[n % 2])]}),
        )
        .await;
    }
    let cost = |path: String| {
        let app = &app;
        async move {
            let before = app.state().db.statements_run();
            app.get(&path, None).await.expect(200);
            app.state().db.statements_run() - before
        }
    };
    let one = cost(format!("{POSTS}?limit=1")).await;
    let many = cost(format!("{POSTS}?limit=30")).await;
    let filtered = cost(format!("{POSTS}?limit=30&tag=one,two&author=ann,bo")).await;
    assert_eq!(one, many, "a page of 30 costs what a page of 1 does");
    assert_eq!(
        filtered,
        one + 2,
        "the tag and author filters each name their ids once"
    );
    // Each first read: the content's stamp (for the response cache) and then the page, its
    // image and social fields, its authors, its tags and the site's address, each of the two
    // round trips after the pool's liveness check.
    assert_eq!(
        one, 8,
        "liveness, stamp, liveness, page, meta, authors, tags, site"
    );
    let again = cost(format!("{POSTS}?limit=30")).await;
    assert_eq!(
        again, 2,
        "read again unchanged: liveness and stamp, from memory"
    );
    let counted = cost(format!("{POSTS}?limit=30&count=true")).await;
    assert_eq!(counted, one + 1, "a count only when asked for");
    let numbered = cost(format!("{POSTS}?limit=3&page=7")).await;
    assert_eq!(numbered, one + 1, "numbered pages count");
    let first = app
        .get(&format!("{POSTS}?limit=27"), None)
        .await
        .expect(200);
    let deep = first.body["meta"]["pagination"]["next_cursor"]
        .as_str()
        .unwrap()
        .to_owned();
    let after = cost(format!("{POSTS}?limit=3&cursor={deep}")).await;
    assert_eq!(
        after, one,
        "a page after a cursor costs what the first does"
    );
    // A search: on SQLite, its ranked matches kept (two statements) and where its page ends
    // in the index (one), however many posts it finds. On PostgreSQL, whether it matches
    // often (one), and when it does, as this one, the walk for the matches it does not rank
    // (one more), unless the ranked ones fill the page.
    let (filled_by_ranked, more_than_ranked) = match backend {
        Backend::Sqlite => (3, 3),
        Backend::Postgres => (1, 2),
    };
    assert_eq!(
        cost(format!("{POSTS}?limit=1&q=post")).await,
        one + filled_by_ranked,
        "a search whose ranked matches fill the page"
    );
    assert_eq!(
        cost(format!("{POSTS}?limit=30&q=post")).await,
        one + more_than_ranked,
        "a search with more on its page than it ranks"
    );
    let bare = cost(format!("{POSTS}?limit=30&include=")).await;
    assert_eq!(bare, one - 2, "relations not asked for are not loaded");
    let counted = cost(format!("{TAGS}?include=count.posts&limit=100")).await;
    assert_eq!(
        counted,
        cost(format!("{TAGS}?include=count.posts&limit=1")).await
    );
}

async fn unknown_shapes_are_400(backend: Backend) {
    let app = spawn(backend).await;
    for (path, field) in [
        (&format!("{POSTS}?formats=pdf"), "formats"),
        (&format!("{POSTS}?include=comments"), "include"),
        (&format!("{TAGS}?include=count.comments"), "include"),
    ] {
        let body = app.get(path, None).await.problem(400);
        assert_eq!(body["errors"][0]["field"], field, "{path}");
    }
}
