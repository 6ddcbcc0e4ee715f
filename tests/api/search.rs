//! Full-text search on posts (`q`): SQLite's FTS5 and PostgreSQL's tsvector behind one API.

use chrono::{Duration, SecondsFormat, Timelike, Utc};
use diesel::RunQueryDsl;
use serde_json::{Value, json};

use crate::on_both_backends;
use crate::paths::{POSTS, resource};
use crate::support::{Backend, id, slugs, spawn};

on_both_backends!(
    finds_words_in_title_excerpt_and_text,
    a_title_match_ranks_above_a_text_match,
    the_text_decides_a_match_and_not_its_place,
    quoted_words_must_occur_as_a_phrase,
    the_last_bare_word_is_a_prefix,
    hostile_input_is_a_plain_search_or_a_400,
    the_index_follows_every_write,
    anonymous_readers_never_find_drafts,
    search_combines_with_filters_and_paging,
    an_explicit_sort_overrides_relevance,
    every_page_of_a_search_is_in_order_however_its_matches_fall,
);

fn days_ago(days: i64) -> String {
    (Utc::now() - Duration::days(days)).to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// A published post, `days` old.
fn published(slug: &str, title: &str, markdown: &str, days: i64) -> Value {
    json!({"slug": slug, "title": title, "markdown": markdown, "status": "published",
           "published_at": days_ago(days)})
}

/// `text`, percent-encoded for a query string (every byte but letters and digits).
fn encoded(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Searches the posts for `text` (plus `extra` parameters) as `token`: the slugs on the page
/// and the total.
async fn search<S, B>(
    app: &crate::support::TestApp<S>,
    text: &str,
    extra: &str,
    token: Option<&str>,
) -> (Vec<String>, i64)
where
    S: actix_web::dev::Service<
            actix_http::Request,
            Response = actix_web::dev::ServiceResponse<B>,
            Error = actix_web::Error,
        >,
    B: actix_web::body::MessageBody,
{
    let path = format!("{POSTS}?count=true&q={}{extra}", encoded(text));
    let res = app.get(&path, token).await.expect(200);
    let total = res.body["meta"]["pagination"]["total"].as_i64().unwrap();
    (slugs(&res.body), total)
}

fn strings(slugs: &[&str]) -> Vec<String> {
    slugs.iter().map(|s| s.to_string()).collect()
}

async fn finds_words_in_title_excerpt_and_text(backend: Backend) {
    let app = spawn(backend).await;
    app.post_as(
        None,
        published("in-title", "Gardening tips", "Soil and water.", 1),
    )
    .await;
    let mut excerpt = published("in-excerpt", "Spring", "Soil and water.", 2);
    excerpt["custom_excerpt"] = json!("All about gardening.");
    app.post_as(None, excerpt).await;
    app.post_as(
        None,
        published(
            "in-text",
            "Autumn",
            "# Notes\n\nWe *love* gardening here.",
            3,
        ),
    )
    .await;
    app.post_as(None, published("elsewhere", "Winter", "Snow and ice.", 4))
        .await;

    let mut found = search(&app, "gardening", "", None).await;
    found.0.sort();
    assert_eq!(found, (strings(&["in-excerpt", "in-text", "in-title"]), 3));
    assert_eq!(search(&app, "GARDENING", "", None).await.1, 3);
    assert_eq!(search(&app, "soil water", "", None).await.1, 2);
    assert_eq!(search(&app, "snow", "", None).await.0, ["elsewhere"]);
    assert_eq!(search(&app, "cactus", "", None).await, (vec![], 0));
}

async fn a_title_match_ranks_above_a_text_match(backend: Backend) {
    let app = spawn(backend).await;
    // The newer post has the word only in its text: date order alone would put it first.
    let mut in_text = published(
        "in-text",
        "Storage notes",
        "Some words about databases and other things.",
        1,
    );
    in_text["custom_excerpt"] = json!("A summary.");
    app.post_as(None, in_text).await;
    let mut in_title = published(
        "in-title",
        "Databases explained",
        "Some words about storage and other things.",
        3,
    );
    in_title["custom_excerpt"] = json!("A summary.");
    app.post_as(None, in_title).await;

    assert_eq!(
        search(&app, "databases", "", None).await.0,
        ["in-title", "in-text"]
    );
}

async fn the_text_decides_a_match_and_not_its_place(backend: Backend) {
    let app = spawn(backend).await;
    // Oldest first: the word often in the text, once in the text, once in the excerpt.
    let mut often = published(
        "often",
        "Notes",
        "Kale, kale and kale: kale everywhere, kale all winter.",
        5,
    );
    often["custom_excerpt"] = json!("A summary.");
    app.post_as(None, often).await;
    let mut in_excerpt = published("in-excerpt", "More notes", "Nothing to see.", 4);
    in_excerpt["custom_excerpt"] = json!("All about kale.");
    app.post_as(None, in_excerpt).await;
    let mut once = published("once", "Other notes", "There was kale once.", 2);
    once["custom_excerpt"] = json!("A summary.");
    app.post_as(None, once).await;

    // The excerpt's match leads; the text's matches tie, however often the word occurs,
    // and follow newest first.
    assert_eq!(
        search(&app, "kale", "", None).await,
        (strings(&["in-excerpt", "once", "often"]), 3)
    );
}

async fn quoted_words_must_occur_as_a_phrase(backend: Backend) {
    let app = spawn(backend).await;
    app.post_as(
        None,
        published("phrase", "Fox", "The quick brown fox jumps.", 1),
    )
    .await;
    app.post_as(
        None,
        published("words", "Dog", "Brown dogs are quick too.", 2),
    )
    .await;

    assert_eq!(
        search(&app, "\"quick brown\"", "", None).await,
        (strings(&["phrase"]), 1)
    );
    assert_eq!(search(&app, "\"brown quick\"", "", None).await.1, 0);
    assert_eq!(search(&app, "quick brown", "", None).await.1, 2);
    assert_eq!(
        search(&app, "\"brown fox\" jumps", "", None).await.0,
        ["phrase"]
    );
}

async fn the_last_bare_word_is_a_prefix(backend: Backend) {
    let app = spawn(backend).await;
    app.post_as(
        None,
        published("db", "Database design", "Tables and keys.", 1),
    )
    .await;

    assert_eq!(search(&app, "datab", "", None).await.0, ["db"]);
    assert_eq!(search(&app, "design datab", "", None).await.0, ["db"]);
    // Only the last bare word: earlier and quoted words must be whole.
    assert_eq!(search(&app, "datab design", "", None).await.1, 0);
    assert_eq!(search(&app, "\"datab\"", "", None).await.1, 0);
    assert_eq!(search(&app, "\"database\"", "", None).await.0, ["db"]);
}

async fn hostile_input_is_a_plain_search_or_a_400(backend: Backend) {
    let app = spawn(backend).await;
    app.post_as(
        None,
        published(
            "fox",
            "The fox and the hound",
            "Not a fox, or is it? Yes: a:b",
            1,
        ),
    )
    .await;

    // Nothing to search for: a 400 that names `q`.
    for text in [
        "\"", "*", "'", "\\", "(", "&|!()<>", ":*", "\0", "--", "\"\"", "—",
    ] {
        let path = format!("{POSTS}?q={}", encoded(text));
        let body = app.get(&path, None).await.problem(400);
        assert_eq!(body["errors"][0]["field"], "q", "{text:?}: {body}");
        assert_eq!(body["errors"][0]["code"], "invalid_format", "{text:?}");
    }
    let long = "a".repeat(2_000);
    let body = app
        .get(&format!("{POSTS}?q={long}"), None)
        .await
        .problem(400);
    assert_eq!(body["errors"][0]["field"], "q");
    assert_eq!(body["errors"][0]["code"], "too_long");

    // Operators of either query language are words like any other, or just separators.
    for text in [
        "fox\"",
        "\"fox",
        "fox*",
        "(fox",
        "fox)",
        "'fox'",
        "fox\\",
        "fox:*",
        "fox AND",
        "NOT fox",
        "fox OR hound",
        "fox & !hound",
        "fox <-> hound",
        "NEAR(fox hound)",
        "-fox",
        "fox;",
        "fox\0",
        "a:b",
        "x' OR '1'='1",
        "日本語",
        "ÆØÅ",
        &"fox ".repeat(50),
        &"a".repeat(200),
    ] {
        let path = format!("{POSTS}?q={}", encoded(text));
        app.get(&path, None).await.expect(200);
    }
    assert_eq!(search(&app, "fox\"", "", None).await.0, ["fox"]);
    assert_eq!(search(&app, "(fox)*", "", None).await.0, ["fox"]);
    assert_eq!(search(&app, "NOT fox", "", None).await.0, ["fox"]);
    assert_eq!(search(&app, "a:b", "", None).await.0, ["fox"]);
    assert_eq!(search(&app, "fox OR cat", "", None).await.1, 0);
}

async fn the_index_follows_every_write(backend: Backend) {
    let app = spawn(backend).await;
    let owner = Some(app.owner_token.as_str());
    let post = app
        .post_as(None, published("p", "Alpha report", "About kiwis.", 1))
        .await;
    let path = resource(POSTS, id(&post));
    assert_eq!(search(&app, "alpha kiwis", "", None).await.0, ["p"]);

    let etag = app.get(&path, owner).await.expect(200).etag();
    let changed = app
        .patch(
            &path,
            owner,
            &etag,
            json!({"title": "Beta report", "markdown": "About mangos."}),
        )
        .await
        .expect(200);
    for gone in ["alpha", "kiwis"] {
        assert_eq!(search(&app, gone, "", None).await.1, 0, "{gone}");
    }
    assert_eq!(search(&app, "beta mangos", "", None).await.0, ["p"]);

    // A change to other fields leaves the index as it was.
    let changed = app
        .patch(&path, owner, &changed.etag(), json!({"featured": true}))
        .await
        .expect(200);
    assert_eq!(search(&app, "beta mangos", "", None).await.0, ["p"]);

    // A retitle alone: the old title's words go, the text stays found, and both the new
    // title and the text still hold their phrases.
    let changed = app
        .patch(
            &path,
            owner,
            &changed.etag(),
            json!({"title": "Gamma kiwis report"}),
        )
        .await
        .expect(200);
    assert_eq!(search(&app, "beta", "", None).await.1, 0);
    assert_eq!(search(&app, "\"gamma kiwis\"", "", None).await.0, ["p"]);
    assert_eq!(
        search(&app, "\"about mangos\" report", "", None).await.0,
        ["p"]
    );

    let unpublished = app
        .patch(&path, owner, &changed.etag(), json!({"status": "draft"}))
        .await
        .expect(200);
    assert_eq!(search(&app, "gamma", "", None).await.1, 0);
    assert_eq!(search(&app, "gamma", "", owner).await.0, ["p"]);
    assert_eq!(unpublished.body["status"], "draft");

    app.delete(&path, owner).await.expect(204);
    assert_eq!(search(&app, "gamma", "", owner).await, (vec![], 0));
}

async fn anonymous_readers_never_find_drafts(backend: Backend) {
    let app = spawn(backend).await;
    app.post_as(None, json!({"slug": "draft", "title": "Secret draft"}))
        .await;
    app.post_as(
        None,
        json!({"slug": "later", "title": "Secret later", "status": "scheduled",
               "published_at": days_ago(-1)}),
    )
    .await;
    app.post_as(None, published("live", "Secret live", "", 1))
        .await;
    let (_, author) = app.staff("author").await;
    app.post_as(
        Some(&author),
        json!({"slug": "mine", "title": "Secret mine"}),
    )
    .await;

    assert_eq!(
        search(&app, "secret", "", None).await,
        (strings(&["live"]), 1)
    );
    assert_eq!(search(&app, "secret", "&status=draft", None).await.1, 0);
    let (mut seen, total) = search(&app, "secret", "", Some(&author)).await;
    seen.sort();
    assert_eq!((seen, total), (strings(&["live", "mine"]), 2));
    assert_eq!(
        search(&app, "secret", "", Some(&app.owner_token)).await.1,
        4
    );
}

async fn search_combines_with_filters_and_paging(backend: Backend) {
    let app = spawn(backend).await;
    let news = app.tag("News").await;
    for (slug, tagged, text) in [
        ("n1", true, "Common ground."),
        ("n2", true, "Common sense."),
        ("n3", true, "Common goods."),
        ("o1", false, "Common law."),
        ("n4", true, "Rare find."),
    ] {
        let mut post = published(slug, slug, text, 1);
        if tagged {
            post["tags"] = json!([id(&news)]);
        }
        app.post_as(None, post).await;
    }

    let (mut all, total) = search(&app, "common", "&tag=news", None).await;
    all.sort();
    assert_eq!((all.clone(), total), (strings(&["n1", "n2", "n3"]), 3));
    // Page by page, every match exactly once, and the total counts them all.
    let mut walked = Vec::new();
    for page in 1..=3 {
        let (slugs, total) = search(
            &app,
            "common",
            &format!("&tag=news&limit=1&page={page}"),
            None,
        )
        .await;
        assert_eq!((slugs.len(), total), (1, 3), "page {page}");
        walked.extend(slugs);
    }
    walked.sort();
    assert_eq!(walked, all);
    let res = app
        .get(&format!("{POSTS}?q=common&tag=news&limit=2&page=2"), None)
        .await
        .expect(200);
    assert_eq!(slugs(&res.body).len(), 1);
    assert_eq!(res.body["meta"]["pagination"]["pages"], 2);
    assert_eq!(search(&app, "common", "&featured=true", None).await.1, 0);
}

async fn an_explicit_sort_overrides_relevance(backend: Backend) {
    let app = spawn(backend).await;
    app.post_as(None, published("zebra", "Zebra databases", "Stripes.", 3))
        .await;
    app.post_as(
        None,
        published("apple", "Apple", "Orchards and databases.", 1),
    )
    .await;

    assert_eq!(
        search(&app, "databases", "", None).await.0,
        ["zebra", "apple"]
    );
    assert_eq!(
        search(&app, "databases", "&sort=title", None).await.0,
        ["apple", "zebra"]
    );
    assert_eq!(
        search(&app, "databases", "&sort=published_at", None)
            .await
            .0,
        ["zebra", "apple"]
    );
    assert_eq!(
        search(&app, "databases", "&sort=-published_at", None)
            .await
            .0,
        ["apple", "zebra"]
    );
}

/// Walks `path` (a list with a search) page by page, by cursor forward to the end and back
/// again, and by number: each walk must give `expected`, in order.
async fn walk<S, B>(
    app: &crate::support::TestApp<S>,
    path: &str,
    token: Option<&str>,
    expected: &[String],
) where
    S: actix_web::dev::Service<
            actix_http::Request,
            Response = actix_web::dev::ServiceResponse<B>,
            Error = actix_web::Error,
        >,
    B: actix_web::body::MessageBody,
{
    let cursor = |body: &Value, which: &str| {
        body["meta"]["pagination"][which]
            .as_str()
            .map(str::to_owned)
    };
    let mut pages = Vec::new();
    let mut next = Some(format!("{path}&limit=7"));
    while let Some(page) = next.take() {
        let body = app.get(&page, token).await.expect(200).body;
        next = cursor(&body, "next_cursor").map(|c| format!("{path}&limit=7&cursor={c}"));
        pages.push(body);
    }
    let forward: Vec<String> = pages.iter().flat_map(slugs).collect();
    assert_eq!(forward, expected, "by cursor, forward: {path}");

    let mut backward = slugs(pages.last().unwrap());
    let mut before = cursor(pages.last().unwrap(), "prev_cursor");
    while let Some(c) = before.take() {
        let body = app
            .get(&format!("{path}&limit=7&cursor={c}"), token)
            .await
            .expect(200)
            .body;
        before = cursor(&body, "prev_cursor");
        backward.splice(0..0, slugs(&body));
    }
    assert_eq!(backward, expected, "by cursor, back from the end: {path}");

    let mut numbered = Vec::new();
    for page in 1..=expected.len().div_ceil(5) {
        let body = app
            .get(&format!("{path}&limit=5&page={page}"), token)
            .await
            .expect(200)
            .body;
        assert_eq!(
            body["meta"]["pagination"]["total"],
            expected.len(),
            "{path}"
        );
        numbered.extend(slugs(&body));
    }
    assert_eq!(numbered, expected, "by number: {path}");
}

async fn every_page_of_a_search_is_in_order_however_its_matches_fall(backend: Backend) {
    let app = spawn(backend).await;
    // SQLite's index holds its entries a second at a time (see `SearchKey`): 30 matches in
    // one second, more than a page reads past its end, and 20 more a day apart, with posts
    // that do not match among them. The oldest has the word in its title, and leads.
    let second = (Utc::now() - Duration::days(3)).with_nanosecond(0).unwrap();
    app.post_as(None, published("titled", "Kale", "Greens.", 40))
        .await;
    let mut live = vec!["titled".to_owned()];
    for n in (0..30).rev() {
        let at = second + Duration::milliseconds(n * 30);
        let slug = format!("same-{n:02}");
        app.post_as(
            None,
            json!({"slug": slug, "title": "Notes", "markdown": format!("Some kale, {n}."),
                   "custom_excerpt": "A summary.", "status": "published",
                   "published_at": at.to_rfc3339_opts(SecondsFormat::Micros, true)}),
        )
        .await;
        live.push(slug);
    }
    for n in 0..20 {
        let slug = format!("daily-{n:02}");
        for (slug, text) in [
            (slug.clone(), "More kale."),
            (format!("other-{n:02}"), "Leeks."),
        ] {
            let mut post = published(&slug, "Notes", text, 4 + n);
            post["custom_excerpt"] = json!("A summary.");
            app.post_as(None, post).await;
        }
        live.push(slug);
    }
    // A draft that keeps its date, among the live posts in the index: no reader's, and the
    // staff's in its place.
    app.post_as(
        None,
        json!({"slug": "kept-date", "title": "Notes", "markdown": "Kale again.",
               "custom_excerpt": "A summary.", "status": "draft", "published_at": days_ago(2)}),
    )
    .await;
    let mut staff = live.clone();
    staff.insert(1, "kept-date".to_owned());

    // PostgreSQL walks the lists' index for a search that matches this often (see the
    // search_walk migration), once it knows how many posts there are.
    if backend == Backend::Postgres {
        let mut conn = app.db().conn().unwrap();
        diesel::sql_query("ANALYZE posts")
            .execute(&mut *conn)
            .unwrap();
        #[derive(diesel::QueryableByName)]
        struct Often {
            #[diesel(sql_type = diesel::sql_types::Bool)]
            often: bool,
        }
        let walks = diesel::sql_query("SELECT posts_match_often('kale:*') AS often")
            .get_result::<Often>(&mut *conn)
            .unwrap();
        assert!(walks.often, "the search is one that walks");
    }
    walk(&app, &format!("{POSTS}?q=kale"), None, &live).await;
    walk(
        &app,
        &format!("{POSTS}?q=kale"),
        Some(&app.owner_token),
        &staff,
    )
    .await;
    walk(
        &app,
        &format!("{POSTS}?q=kale&status=published"),
        Some(&app.owner_token),
        &live,
    )
    .await;
}
