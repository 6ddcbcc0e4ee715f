//! Keyset pagination: cursors walk every list in every order, both ways, exactly once, even
//! while it changes; they cannot be forged or carried over to another query.

use actix_web::body::MessageBody;
use actix_web::dev::{Service, ServiceResponse};
use chrono::{Duration, SecondsFormat, Utc};
use futures_util::future::join;
use serde_json::{Value, json};

use crate::on_both_backends;
use crate::paths::{API, AUTHORS, POSTS, TAGS, resource};
use crate::support::{Backend, TestApp, spawn};

on_both_backends!(
    cursors_walk_every_order_both_ways,
    cursors_walk_authors_and_tags,
    a_cursor_walk_sees_every_post_once_while_posts_are_written,
    totals_only_when_counted_or_numbered,
    forged_stale_and_conflicting_cursors_are_400,
);

fn at(days_ago: i64) -> String {
    (Utc::now() - Duration::days(days_ago)).to_rfc3339_opts(SecondsFormat::Micros, true)
}

fn ids(page: &Value) -> Vec<String> {
    page["data"]
        .as_array()
        .expect("a list")
        .iter()
        .map(|item| item["id"].as_str().unwrap().to_owned())
        .collect()
}

fn cursor(page: &Value, which: &str) -> Option<String> {
    page["meta"]["pagination"][which]
        .as_str()
        .map(str::to_owned)
}

/// Follows `which` (`next_cursor` or `prev_cursor`) from the page at `path` (+ `cursor`, when
/// given) until it runs out: every page's body, in the order read.
async fn follow<S, B>(
    app: &TestApp<S>,
    path: &str,
    token: Option<&str>,
    which: &str,
    start: Option<String>,
) -> Vec<Value>
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    let mut pages = Vec::new();
    let mut next = start;
    loop {
        let url = match &next {
            Some(cursor) => format!("{path}&cursor={cursor}"),
            None => path.to_owned(),
        };
        let page = app.get(&url, token).await.expect(200).body;
        next = cursor(&page, which);
        pages.push(page);
        if next.is_none() {
            return pages;
        }
        assert!(pages.len() < 100, "a walk that does not end: {path}");
    }
}

/// Checks that `path` (with `limit` small) walks forward and back to exactly `all`.
async fn walks_to<S, B>(app: &TestApp<S>, path: &str, token: Option<&str>, all: &[String])
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    let forward = follow(app, path, token, "next_cursor", None).await;
    let walked: Vec<String> = forward.iter().flat_map(ids).collect();
    assert_eq!(walked, all, "forward: {path}");
    assert_eq!(cursor(&forward[0], "prev_cursor"), None, "{path}");
    assert!(
        all.is_empty() || forward.iter().all(|page| !ids(page).is_empty()),
        "no empty pages: {path}"
    );
    let last = forward.last().unwrap();
    let Some(back) = cursor(last, "prev_cursor") else {
        assert_eq!(forward.len(), 1, "only a first page has nothing before it");
        return;
    };
    // From the last page back to the first, by `prev_cursor`.
    let backward = follow(app, path, token, "prev_cursor", Some(back)).await;
    let mut walked: Vec<String> = backward.iter().rev().flat_map(ids).collect();
    walked.extend(ids(last));
    assert_eq!(walked, all, "backward: {path}");
    assert_eq!(
        backward.last().map(ids),
        Some(ids(&forward[0])),
        "back at the first page: {path}"
    );
}

async fn cursors_walk_every_order_both_ways(backend: Backend) {
    let app = spawn(backend).await;
    let owner = Some(app.owner_token.as_str());
    // Ties on purpose: two pairs share a publication time, and titles repeat, so only the id
    // tells them apart. The words give the search scores that differ and scores that tie.
    let posts = [
        ("Rust in production", 10, "rust rust rust"),
        ("Gardening", 10, "tomatoes and rust on leaves"),
        ("Rust", 8, "rust"),
        ("Gardening", 8, "more rust"),
        ("Cooking", 5, "no match here"),
        ("Rust", 3, "rust"),
        ("Archive", 1, "old rust"),
    ];
    for (title, days, markdown) in posts {
        app.post_as(
            None,
            json!({"title": title, "markdown": markdown, "status": "published", "published_at": at(days)}),
        )
        .await;
    }
    app.post_as(None, json!({"title": "Draft one", "markdown": "rust"}))
        .await;
    app.post_as(None, json!({"title": "Draft two"})).await;
    app.post_as(
        None,
        json!({"title": "Soon", "status": "scheduled", "published_at": (Utc::now() + Duration::days(2)).to_rfc3339()}),
    )
    .await;

    for (query, token) in [
        ("", None),
        ("", owner),
        ("sort=title", owner),
        ("sort=-title", None),
        ("sort=published_at", owner),
        ("sort=published_at,-title", owner),
        ("sort=-updated_at", owner),
        ("sort=created_at", None),
        ("q=rust", None),
        ("q=rust", owner),
        ("q=rust&sort=title", None),
        ("tag=none-such", None),
    ] {
        let all = ids(&app
            .get(&format!("{POSTS}?limit=100&{query}"), token)
            .await
            .expect(200)
            .body);
        for limit in [1, 2, 3] {
            let path = format!("{POSTS}?limit={limit}&{query}");
            walks_to(&app, &path, token, &all).await;
        }
    }

    // The Link header carries the same cursors, with the filters and limit kept.
    let first = app
        .get(&format!("{POSTS}?limit=2&q=rust"), None)
        .await
        .expect(200);
    let next = cursor(&first.body, "next_cursor").unwrap();
    assert_eq!(
        first.header("link"),
        Some(format!("</api/v1/posts?q=rust&cursor={next}&limit=2>; rel=\"next\"").as_str())
    );
    let second = app
        .get(&format!("{POSTS}?limit=2&q=rust&cursor={next}"), None)
        .await
        .expect(200);
    let link = second.header("link").unwrap();
    assert!(
        link.contains("rel=\"next\"") && link.contains("rel=\"prev\""),
        "{link}"
    );
    // Another limit and other formats carry on from the same place.
    let wider = app
        .get(
            &format!("{POSTS}?limit=3&q=rust&formats=plaintext&include=&cursor={next}"),
            None,
        )
        .await
        .expect(200);
    assert_eq!(ids(&wider.body)[..2], ids(&second.body)[..]);
}

async fn cursors_walk_authors_and_tags(backend: Backend) {
    let app = spawn(backend).await;
    for name in ["Mara", "Abel", "Zoe", "Abel", "Ines"] {
        app.author(name).await;
        app.tag(&format!("{name} tag")).await;
    }
    for (resource, query) in [
        ("authors", "sort=name"),
        ("authors", "sort=-name"),
        ("authors", ""),
        ("authors", "q=abel"),
        ("tags", "sort=name,-created_at"),
        ("tags", "sort=-updated_at"),
        ("tags", "include=count.posts"),
    ] {
        let all = ids(&app
            .get(&format!("{API}/{resource}?limit=100&{query}"), None)
            .await
            .expect(200)
            .body);
        for limit in [1, 2] {
            let path = format!("{API}/{resource}?limit={limit}&{query}");
            walks_to(&app, &path, None, &all).await;
        }
    }
}

async fn a_cursor_walk_sees_every_post_once_while_posts_are_written(backend: Backend) {
    let app = spawn(backend).await;
    let mut originals = Vec::new();
    for day in 1..=12 {
        let post = app
            .post_as(
                None,
                json!({"title": format!("Post {day}"), "status": "published", "published_at": at(day)}),
            )
            .await;
        originals.push(post["id"].as_str().unwrap().to_owned());
    }
    let mut seen: Vec<String> = Vec::new();
    let mut next: Option<String> = None;
    let mut round: usize = 0;
    loop {
        round += 1;
        let url = match &next {
            Some(cursor) => format!("{POSTS}?limit=2&cursor={cursor}"),
            None => format!("{POSTS}?limit=2"),
        };
        // While each page is read: a new post at the top, one far back at the bottom, and an
        // edit to a post not read yet.
        let writes = async {
            app.post_as(
                None,
                json!({"title": format!("New {round}"), "status": "published"}),
            )
            .await;
            app.post_as(
                None,
                json!({"title": format!("Old {round}"), "status": "published", "published_at": at(400 + round as i64)}),
            )
            .await;
            let target = &originals[(round * 5) % originals.len()];
            app.call(
                "PATCH",
                &resource(POSTS, target),
                Some(&app.owner_token),
                Some(json!({"title": format!("Edited {round}")})),
                &[("if-match", "*")],
            )
            .await
            .expect(200);
        };
        let (page, ()) = join(app.get(&url, None), writes).await;
        let page = page.expect(200).body;
        seen.extend(ids(&page));
        next = cursor(&page, "next_cursor");
        if next.is_none() {
            break;
        }
        assert!(round < 100, "the walk ends");
    }
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), seen.len(), "no post twice: {seen:?}");
    for id in &originals {
        assert!(seen.contains(id), "{id} was seen");
    }
}

async fn totals_only_when_counted_or_numbered(backend: Backend) {
    let app = spawn(backend).await;
    for day in 1..=5 {
        app.post_as(
            None,
            json!({"title": format!("Post {day}"), "status": "published", "published_at": at(day)}),
        )
        .await;
    }
    let pagination = |body: &Value| body["meta"]["pagination"].clone();
    let counted = app
        .get(&format!("{POSTS}?limit=2&count=true"), None)
        .await
        .expect(200)
        .body;
    let p = pagination(&counted);
    assert_eq!(
        (&p["page"], &p["pages"], &p["total"]),
        (&Value::Null, &json!(3), &json!(5))
    );
    let next = cursor(&counted, "next_cursor").unwrap();
    let further = app
        .get(&format!("{POSTS}?limit=2&count=true&cursor={next}"), None)
        .await
        .expect(200)
        .body;
    assert_eq!(
        pagination(&further)["total"],
        5,
        "the whole list, not the rest"
    );
    let uncounted = app
        .get(&format!("{POSTS}?limit=2&cursor={next}"), None)
        .await
        .expect(200)
        .body;
    assert_eq!(pagination(&uncounted)["total"], Value::Null);
    assert_eq!(ids(&uncounted), ids(&further));
    // Numbered pages always count, and give cursors too, to go on by cursor from there.
    let numbered = app
        .get(&format!("{POSTS}?limit=2&page=2"), None)
        .await
        .expect(200)
        .body;
    let p = pagination(&numbered);
    assert_eq!((&p["page"], &p["total"]), (&json!(2), &json!(5)));
    let after = cursor(&numbered, "next_cursor").unwrap();
    let third = app
        .get(&format!("{POSTS}?limit=2&cursor={after}"), None)
        .await
        .expect(200)
        .body;
    let page3 = app
        .get(&format!("{POSTS}?limit=2&page=3"), None)
        .await
        .expect(200)
        .body;
    assert_eq!(ids(&third), ids(&page3));
}

async fn forged_stale_and_conflicting_cursors_are_400(backend: Backend) {
    let app = spawn(backend).await;
    let news = app.tag("News").await;
    for n in 1..=3 {
        app.post_as(
            None,
            json!({"title": format!("Post {n}"), "status": "published", "tags": [news["id"]]}),
        )
        .await;
    }
    app.tag("Other").await;
    let page = app
        .get(&format!("{POSTS}?limit=1&tag=news"), None)
        .await
        .expect(200)
        .body;
    let good = cursor(&page, "next_cursor").unwrap();
    app.get(&format!("{POSTS}?tag=news&cursor={good}"), None)
        .await
        .expect(200);

    // One character changed anywhere breaks the signature.
    let mut forged = good.clone().into_bytes();
    let i = forged.len() / 3;
    forged[i] = if forged[i] == b'A' { b'B' } else { b'A' };
    let forged = String::from_utf8(forged).unwrap();
    let tag_cursor = cursor(
        &app.get(&format!("{TAGS}?limit=1"), None)
            .await
            .expect(200)
            .body,
        "next_cursor",
    )
    .unwrap();
    for (path, code) in [
        (format!("{POSTS}?tag=news&cursor={forged}"), "invalid"),
        (format!("{POSTS}?cursor=not-a-cursor"), "invalid"),
        (format!("{POSTS}?cursor="), "invalid"),
        (format!("{POSTS}?cursor={}", "A".repeat(300)), "invalid"),
        // Another filter, another order, or another list: the cursor's place means nothing.
        (format!("{POSTS}?tag=other&cursor={good}"), "stale"),
        (format!("{POSTS}?cursor={good}"), "stale"),
        (
            format!("{POSTS}?tag=news&sort=title&cursor={good}"),
            "stale",
        ),
        (format!("{AUTHORS}?cursor={tag_cursor}"), "stale"),
        (format!("{TAGS}?q=news&cursor={tag_cursor}"), "stale"),
        (format!("{POSTS}?tag=news&page=2&cursor={good}"), "conflict"),
    ] {
        let problem = app.get(&path, None).await.problem(400);
        assert_eq!(problem["errors"][0]["field"], "cursor", "{path}: {problem}");
        assert_eq!(problem["errors"][0]["code"], code, "{path}: {problem}");
    }
}
