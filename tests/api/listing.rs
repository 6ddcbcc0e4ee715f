//! Filters, search and sorting on the lists.

use actix_web::body::MessageBody;
use chrono::{Duration, SecondsFormat, Utc};
use serde_json::json;

use crate::on_both_backends;
use crate::paths::{AUTHORS, POSTS, TAGS};
use crate::support::{Backend, Served, TestApp, id, slugs, spawn};

on_both_backends!(
    posts_filter_by_tag_author_featured_and_dates,
    filters_combine_with_paging_and_visibility,
    status_narrows_what_the_caller_may_see,
    posts_sort_by_allowed_keys_with_ties_broken_by_id,
    malformed_list_parameters_are_400,
    authors_and_tags_search_and_sort_by_name,
);

fn days_ago(days: f64) -> String {
    (Utc::now() - Duration::milliseconds((days * 86_400_000.0) as i64))
        .to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// `?` + query, URL-encoded where RFC 3339 times need it.
fn q(path: &str, query: &str) -> String {
    format!("{path}?{}", query.replace('+', "%2B").replace(':', "%3A"))
}

/// Three published posts (p1 oldest) and a draft, with tags and authors to filter by.
async fn filterable_posts<S: Served<B>, B: MessageBody>(app: &TestApp<S>) {
    let news = app.tag("News").await;
    let rust = app.tag("Rust").await;
    let other = app.tag("Other").await;
    let mara = app.author("Mara").await;
    let tomas = app.author("Tomas").await;
    let post = |slug: &str, days: f64, tags: Vec<&str>, authors: Vec<&str>, featured: bool| {
        json!({"title": slug, "slug": slug, "status": "published", "published_at": days_ago(days),
               "tags": tags, "authors": authors, "featured": featured})
    };
    app.post_as(
        None,
        post("p1", 3.0, vec![id(&news)], vec![id(&mara)], true),
    )
    .await;
    app.post_as(
        None,
        post(
            "p2",
            2.0,
            vec![id(&rust), id(&news)],
            vec![id(&tomas)],
            false,
        ),
    )
    .await;
    app.post_as(
        None,
        post(
            "p3",
            1.0,
            vec![id(&other)],
            vec![id(&mara), id(&tomas)],
            false,
        ),
    )
    .await;
    app.post_as(
        None,
        json!({"title": "d1", "slug": "d1", "tags": [id(&news)], "authors": [id(&mara)]}),
    )
    .await;
}

async fn posts_filter_by_tag_author_featured_and_dates(backend: Backend) {
    let app = spawn(backend).await;
    filterable_posts(&app).await;
    let list = |query: String| {
        let app = &app;
        async move {
            let res = app
                .get(&q(POSTS, &format!("count=true&{query}")), None)
                .await
                .expect(200);
            (
                slugs(&res.body),
                res.body["meta"]["pagination"]["total"].as_i64().unwrap(),
            )
        }
    };
    assert_eq!(
        list("tag=news".into()).await,
        (vec!["p2".into(), "p1".into()], 2)
    );
    assert_eq!(list("tag=news,other".into()).await.0, ["p3", "p2", "p1"]);
    assert_eq!(list("tag=nothing-here".into()).await, (vec![], 0));
    assert_eq!(list(format!("tag={}", "a".repeat(300))).await, (vec![], 0));
    assert_eq!(list("author=mara".into()).await.0, ["p3", "p1"]);
    assert_eq!(list("author=mara,tomas".into()).await.0, ["p3", "p2", "p1"]);
    assert_eq!(list("tag=news&author=tomas".into()).await.0, ["p2"]);
    assert_eq!(list("featured=true".into()).await.0, ["p1"]);
    assert_eq!(list("featured=false".into()).await.0, ["p3", "p2"]);
    assert_eq!(
        list(format!("published_after={}", days_ago(2.5))).await.0,
        ["p3", "p2"]
    );
    assert_eq!(
        list(format!("published_before={}", days_ago(1.5))).await.0,
        ["p2", "p1"]
    );
    assert_eq!(
        list(format!(
            "published_after={}&published_before={}",
            days_ago(2.5),
            days_ago(1.5)
        ))
        .await,
        (vec!["p2".into()], 1)
    );
}

/// Filters combine with paging (the total counts every match, not the page) and with what
/// the caller may see.
async fn filters_combine_with_paging_and_visibility(backend: Backend) {
    let app = spawn(backend).await;
    filterable_posts(&app).await;
    let page = app
        .get(&format!("{POSTS}?tag=news,other&limit=2&page=2"), None)
        .await
        .expect(200);
    assert_eq!(slugs(&page.body), ["p1"]);
    assert_eq!(page.body["meta"]["pagination"]["total"], 3);
    let link = page.header("link").unwrap();
    assert!(
        link.contains("tag=news%2Cother&page=1&limit=2>; rel=\"prev\""),
        "links keep the filters: {link}"
    );
    // The owner also sees the draft: undated, so it leads.
    let owner = app
        .get(&format!("{POSTS}?tag=news"), Some(&app.owner_token))
        .await
        .expect(200);
    assert_eq!(slugs(&owner.body), ["d1", "p2", "p1"]);
}

async fn status_narrows_what_the_caller_may_see(backend: Backend) {
    let app = spawn(backend).await;
    app.post_as(None, json!({"title": "draft", "slug": "draft"}))
        .await;
    app.post_as(
        None,
        json!({"title": "later", "slug": "later", "status": "scheduled",
                             "published_at": days_ago(-1.0)}),
    )
    .await;
    app.post_as(
        None,
        json!({"title": "live", "slug": "live", "status": "published"}),
    )
    .await;
    let owner = Some(app.owner_token.as_str());
    for (status, anonymous, staff) in [
        ("draft", vec![], vec!["draft"]),
        ("scheduled", vec![], vec!["later"]),
        ("published", vec!["live"], vec!["live"]),
    ] {
        let path = format!("{POSTS}?status={status}");
        assert_eq!(
            slugs(&app.get(&path, None).await.expect(200).body),
            anonymous,
            "{status}"
        );
        assert_eq!(
            slugs(&app.get(&path, owner).await.expect(200).body),
            staff,
            "{status}"
        );
    }
    // An author sees their own drafts, never someone else's.
    let (_, author) = app.staff("author").await;
    app.post_as(Some(&author), json!({"title": "mine", "slug": "mine"}))
        .await;
    let res = app
        .get(&format!("{POSTS}?status=draft"), Some(&author))
        .await
        .expect(200);
    assert_eq!(slugs(&res.body), ["mine"]);
}

async fn posts_sort_by_allowed_keys_with_ties_broken_by_id(backend: Backend) {
    let app = spawn(backend).await;
    let same_time = days_ago(1.0);
    let mut ids = Vec::new();
    for (title, at) in [
        ("Bravo", days_ago(3.0)),
        ("Alpha", same_time.clone()),
        ("Delta", same_time.clone()),
        ("Charlie", days_ago(2.0)),
    ] {
        let post = app
            .post_as(
                None,
                json!({"title": title, "status": "published", "published_at": at}),
            )
            .await;
        ids.push((title, id(&post).to_owned()));
    }
    let titles = |res: &serde_json::Value| -> Vec<String> {
        res["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["title"].as_str().unwrap().to_owned())
            .collect()
    };
    let get = |query: &'static str| {
        let app = &app;
        async move {
            app.get(&format!("{POSTS}?{query}"), None)
                .await
                .expect(200)
                .body
        }
    };
    assert_eq!(
        titles(&get("sort=title").await),
        ["Alpha", "Bravo", "Charlie", "Delta"]
    );
    assert_eq!(
        titles(&get("sort=-title").await),
        ["Delta", "Charlie", "Bravo", "Alpha"]
    );
    // Alpha and Delta share a publication time: the id decides, in the sort's direction.
    let (alpha, delta) = (&ids[1].1, &ids[2].1);
    let (first, second) = if alpha > delta {
        ("Alpha", "Delta")
    } else {
        ("Delta", "Alpha")
    };
    assert_eq!(
        titles(&get("sort=-published_at").await),
        [first, second, "Charlie", "Bravo"]
    );
    assert_eq!(
        titles(&get("").await),
        titles(&get("sort=-published_at,-created_at").await)
    );
    assert_eq!(
        titles(&get("sort=published_at").await),
        ["Bravo", "Charlie", second, first]
    );
    assert_eq!(
        titles(&get("sort=published_at,-title").await),
        ["Bravo", "Charlie", "Delta", "Alpha"]
    );
    assert_eq!(
        titles(&get("sort=created_at").await),
        ["Bravo", "Alpha", "Delta", "Charlie"]
    );
    // Page by page, the order is total: every post exactly once.
    let mut walked = Vec::new();
    for page in 1..=4 {
        let body = app
            .get(
                &format!("{POSTS}?sort=-published_at&limit=1&page={page}"),
                None,
            )
            .await
            .expect(200)
            .body;
        walked.extend(titles(&body));
    }
    assert_eq!(walked, titles(&get("sort=-published_at").await));
}

async fn malformed_list_parameters_are_400(backend: Backend) {
    let app = spawn(backend).await;
    for (path, field) in [
        (&format!("{POSTS}?tag=Not%20A%20Slug"), "tag"),
        (&format!("{POSTS}?author=a,,b"), "author"),
        (&format!("{POSTS}?featured=maybe"), "featured"),
        (&format!("{POSTS}?status=live"), "status"),
        (
            &format!("{POSTS}?published_after=yesterday"),
            "published_after",
        ),
        (
            &format!("{POSTS}?published_before=2026-13-01T00:00:00Z"),
            "published_before",
        ),
        (&format!("{POSTS}?sort=colour"), "sort"),
        (&format!("{POSTS}?sort="), "sort"),
        (&format!("{TAGS}?q=%20"), "q"),
        (&format!("{TAGS}?q=a%00b"), "q"),
        (&format!("{TAGS}?sort=title"), "sort"),
        (&format!("{AUTHORS}?sort=-email"), "sort"),
        (&format!("{AUTHORS}?role=owner"), "role"),
    ] {
        let body = app.get(path, None).await.problem(400);
        assert_eq!(body["errors"][0]["field"], field, "{path}: {body}");
    }
}

async fn authors_and_tags_search_and_sort_by_name(backend: Backend) {
    let app = spawn(backend).await;
    for name in ["Rust", "Go", "Rusty Nails", "100% Pure_Go"] {
        app.tag(name).await;
    }
    let names = |res: &serde_json::Value| -> Vec<String> {
        res["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["name"].as_str().unwrap().to_owned())
            .collect()
    };
    let get = |query: &'static str| {
        let app = &app;
        async move {
            app.get(&format!("{TAGS}?{query}"), None)
                .await
                .expect(200)
                .body
        }
    };
    assert_eq!(names(&get("q=rust").await), ["Rusty Nails", "Rust"]);
    assert_eq!(names(&get("q=RUST").await), ["Rusty Nails", "Rust"]);
    assert_eq!(
        get("q=rust&count=true").await["meta"]["pagination"]["total"],
        2
    );
    // LIKE's wildcards are plain characters in a search.
    assert_eq!(names(&get("q=%25").await), ["100% Pure_Go"]);
    assert_eq!(names(&get("q=_").await), ["100% Pure_Go"]);
    assert_eq!(names(&get("q=zzz").await), Vec::<String>::new());
    assert_eq!(
        names(&get("sort=name").await),
        ["100% Pure_Go", "Go", "Rust", "Rusty Nails"]
    );
    assert_eq!(names(&get("sort=-name&q=go").await), ["Go", "100% Pure_Go"]);
    assert_eq!(
        names(&get("sort=created_at").await),
        ["Rust", "Go", "Rusty Nails", "100% Pure_Go"]
    );

    app.author("Mara Lindqvist").await;
    app.author("Tomás Okafor").await;
    let res = app
        .get(&format!("{AUTHORS}?q=lindq"), None)
        .await
        .expect(200);
    assert_eq!(names(&res.body), ["Mara Lindqvist"]);
    let res = app
        .get(&format!("{AUTHORS}?sort=name&q=r"), None)
        .await
        .expect(200);
    assert_eq!(
        names(&res.body),
        ["Mara Lindqvist", "Owner", "Tomás Okafor"]
    );
}
