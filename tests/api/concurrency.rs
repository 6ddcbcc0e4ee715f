//! Requests that race: creates that want the same slug, and changes of one resource at once.
//! On PostgreSQL these run in transactions side by side, which is where they used to collide.

use futures_util::future::join_all;
use serde_json::json;

use crate::on_both_backends;
use crate::paths::{AUTHORS, POSTS, TAGS};
use crate::support::{Backend, spawn_with};

on_both_backends!(
    racing_creates_take_the_next_free_slug,
    an_explicit_slug_stays_a_conflict_when_raced,
    racing_updates_with_if_match_any_all_apply,
);

const RACERS: usize = 24;

/// Enough connections that every racer has a transaction of its own.
fn wide_pool(config: &mut folio::Config) {
    config.db_pool_size = RACERS as u32;
}

/// The slugs `hello`, `hello-2`, … `hello-<n>`, sorted as strings.
fn suffixed(base: &str, n: usize) -> Vec<String> {
    let mut slugs: Vec<String> = std::iter::once(base.to_owned())
        .chain((2..=n).map(|i| format!("{base}-{i}")))
        .collect();
    slugs.sort();
    slugs
}

async fn racing_creates_take_the_next_free_slug(backend: Backend) {
    let app = spawn_with(backend, wide_pool).await;
    let owner = Some(app.owner_token.as_str());
    for (path, body) in [
        (POSTS, json!({"title": "Same Title"})),
        (TAGS, json!({"name": "Same Title"})),
        (AUTHORS, json!({"name": "Same Title"})),
    ] {
        let answers = join_all((0..RACERS).map(|_| app.post(path, owner, body.clone()))).await;
        let mut slugs: Vec<String> = answers
            .into_iter()
            .map(|res| res.expect(201).body["slug"].as_str().unwrap().to_owned())
            .collect();
        slugs.sort();
        assert_eq!(slugs, suffixed("same-title", RACERS), "{path}");
    }
}

async fn an_explicit_slug_stays_a_conflict_when_raced(backend: Backend) {
    let app = spawn_with(backend, wide_pool).await;
    let owner = Some(app.owner_token.as_str());
    let body = json!({"title": "Mine", "slug": "wanted"});
    let answers = join_all((0..RACERS).map(|_| app.post(POSTS, owner, body.clone()))).await;
    let mut created = 0;
    for res in answers {
        match res.status {
            201 => created += 1,
            _ => {
                let problem = res.problem(409);
                assert!(
                    problem["detail"].as_str().unwrap().contains("`wanted`"),
                    "{problem}"
                );
            }
        }
    }
    assert_eq!(created, 1);
    let list = app
        .get(&format!("{POSTS}?count=true"), owner)
        .await
        .expect(200);
    assert_eq!(list.body["meta"]["pagination"]["total"], 1);
}

async fn racing_updates_with_if_match_any_all_apply(backend: Backend) {
    let app = spawn_with(backend, wide_pool).await;
    let owner = Some(app.owner_token.as_str());
    let post = app.post_as(None, json!({"title": "Raced"})).await;
    let tag = app.tag("Raced").await;
    let author = app.author("Raced").await;
    for (path, field) in [
        (format!("{POSTS}/{}", post["id"].as_str().unwrap()), "title"),
        (format!("{TAGS}/{}", tag["id"].as_str().unwrap()), "name"),
        (
            format!("{AUTHORS}/{}", author["id"].as_str().unwrap()),
            "name",
        ),
    ] {
        // `If-Match: *` holds whenever the resource exists (RFC 9110 §13.1.1): every change
        // applies, one after the other, and none is refused as stale.
        let answers = join_all(
            (0..RACERS)
                .map(|i| app.patch(&path, owner, "*", json!({ field: format!("Raced {i}") }))),
        )
        .await;
        let mut versions: Vec<i64> = answers
            .into_iter()
            .map(|res| res.expect(200).body["version"].as_i64().unwrap())
            .collect();
        versions.sort();
        assert_eq!(
            versions,
            (2..=RACERS as i64 + 1).collect::<Vec<_>>(),
            "{path}"
        );
        let now = app.get(&path, owner).await.expect(200);
        assert_eq!(now.body["version"], RACERS as i64 + 1);
    }
}
