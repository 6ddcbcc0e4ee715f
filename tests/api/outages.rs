//! When the database goes away or fails under a request: `503` problem+json with
//! `Retry-After`, in one bounded wait, with nothing of the driver's words in the body, and
//! back to normal by itself once the database is.
//!
//! PostgreSQL is a server that can go away; these tests cut this instance's connection to
//! it (through a proxy) or end its sessions. SQLite is a file: its counterpart is another
//! writer holding the database.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection, RunQueryDsl, SqliteConnection};
use futures_util::FutureExt;
use futures_util::future::join_all;
use serde_json::json;

use crate::on_both_backends;
use crate::paths::{ME, POSTS, TAGS, resource};
use crate::support::{Backend, Response, admin_url, id, spawn_behind_proxy, spawn_with};

on_both_backends!(a_busy_pool_is_waited_for_once);

/// Words of the drivers' errors, which must never reach a client.
const DRIVER_WORDS: &[&str] = &[
    "127.0.0.1",
    "5432",
    "refused",
    "connection to server",
    "server closed",
    "terminating",
    "locked",
    "r2d2",
    "diesel",
];

/// A `503` as Folio gives it: problem+json, a `Retry-After`, and a detail of its own.
#[track_caller]
fn assert_unavailable(res: Response) {
    let text = res.text.clone();
    let retry_after = res.header("retry-after").map(str::to_owned);
    let problem = res.problem(503);
    assert_eq!(problem["type"], "urn:folio:problem:unavailable");
    assert!(
        retry_after.is_some_and(|s| s.parse::<u64>().is_ok()),
        "{text}"
    );
    for word in DRIVER_WORDS {
        assert!(!text.to_lowercase().contains(word), "`{word}` in {text}");
    }
}

/// Polls `/readyz` until it answers `200`: the database is back and the pool reconnected.
async fn until_ready<S, B>(app: &crate::support::TestApp<S>)
where
    S: actix_web::dev::Service<
            actix_http::Request,
            Response = actix_web::dev::ServiceResponse<B>,
            Error = actix_web::Error,
        >,
    B: actix_web::body::MessageBody,
{
    let give_up = Instant::now() + Duration::from_secs(60);
    while app.get("/readyz", None).await.status != 200 {
        assert!(Instant::now() < give_up, "Folio did not recover by itself");
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
    }
}

#[actix_web::test]
async fn an_outage_is_answered_at_once_and_survived() {
    let (app, proxy) = spawn_behind_proxy(|c| c.db_checkout_timeout = Duration::from_secs(1)).await;
    let owner = Some(app.owner_token.as_str());
    let before = app
        .post_as(None, json!({"title": "Before", "status": "published"}))
        .await;
    // Kept by the response cache, which must not answer from memory what it cannot check.
    app.get(POSTS, None).await.expect(200);

    proxy.cut();
    let db = &app.state().db;
    let stats = db.stats();
    // The first read finds out: its freshness stamp waits once, and the read answers then,
    // without a second wait to render.
    assert_unavailable(app.get(POSTS, None).await);
    assert_eq!(db.stats().waited_in_vain, stats.waited_in_vain + 1);
    // From then on, nothing waits: reads, signed-in requests and writes are answered at once.
    let some_tags = format!("{TAGS}?limit=5");
    let answers = join_all((0..20).map(|i| {
        match i % 4 {
            0 => app.get(POSTS, None).boxed_local(),
            1 => app.get(&some_tags, None).boxed_local(),
            2 => app.get(ME, owner).boxed_local(),
            _ => app
                .post(POSTS, owner, json!({"title": "During"}))
                .boxed_local(),
        }
    }))
    .await;
    for res in answers {
        assert_unavailable(res);
    }
    assert_eq!(db.stats().waited_in_vain, stats.waited_in_vain + 1);
    assert!(db.stats().refused_at_once >= stats.refused_at_once + 20);
    assert_unavailable(app.get("/readyz", None).await);
    app.get("/healthz", None).await.expect(200);

    proxy.restore();
    until_ready(&app).await;
    let list = app
        .get(&format!("{POSTS}?count=true"), owner)
        .await
        .expect(200);
    assert_eq!(
        list.body["meta"]["pagination"]["total"], 1,
        "nothing written meanwhile"
    );
    app.get(&resource(POSTS, id(&before)), None)
        .await
        .expect(200);
    app.post(POSTS, owner, json!({"title": "After"}))
        .await
        .expect(201);
}

/// Ends every session of database `name` but the caller's, until `stop` is set; counts them.
fn terminate_sessions(name: String, stop: Arc<AtomicBool>, ended: Arc<AtomicUsize>) {
    let mut admin = PgConnection::establish(&admin_url()).expect("the admin connection");
    #[derive(diesel::QueryableByName)]
    struct Ended {
        #[diesel(sql_type = diesel::sql_types::Bool)]
        ended: bool,
    }
    while !stop.load(Ordering::SeqCst) {
        let rows: Vec<Ended> = diesel::sql_query(
            "SELECT pg_terminate_backend(pid) AS ended FROM pg_stat_activity \
             WHERE datname = $1 AND pid <> pg_backend_pid()",
        )
        .bind::<diesel::sql_types::Text, _>(&name)
        .load(&mut admin)
        .unwrap_or_default();
        ended.fetch_add(rows.iter().filter(|r| r.ended).count(), Ordering::SeqCst);
        std::thread::sleep(Duration::from_millis(3));
    }
}

#[actix_web::test]
async fn connections_ended_under_load_answer_503_and_lose_nothing() {
    let app = spawn_with(Backend::Postgres, |c| c.db_pool_size = 8).await;
    let owner = Some(app.owner_token.as_str());
    let (stop, ended) = (
        Arc::new(AtomicBool::new(false)),
        Arc::new(AtomicUsize::new(0)),
    );
    let terminator = std::thread::spawn({
        let name = app.pg_database().unwrap().to_owned();
        let (stop, ended) = (stop.clone(), ended.clone());
        move || terminate_sessions(name, stop, ended)
    });
    let mut acknowledged = Vec::new();
    let mut refused = 0;
    let app = &app;
    for round in 0..12 {
        let answers = join_all((0..16).map(|i| {
            let title = format!("Round {round} post {i}");
            async move {
                match i % 2 {
                    0 => app.post(POSTS, owner, json!({"title": title})).await,
                    _ => app.get(&format!("{POSTS}?limit=5"), owner).await,
                }
            }
        }))
        .await;
        for res in answers {
            match res.status {
                201 => acknowledged.push(id(&res.body).to_owned()),
                200 => {}
                _ => {
                    assert_unavailable(res);
                    refused += 1;
                }
            }
        }
    }
    stop.store(true, Ordering::SeqCst);
    terminator.join().unwrap();
    assert!(
        ended.load(Ordering::SeqCst) > 0,
        "no session was ended: the test proved nothing"
    );
    assert!(
        refused > 0,
        "no request met an ended session: the test proved nothing"
    );
    // The pool drops what broke and opens new connections by itself.
    until_ready(app).await;
    for post in &acknowledged {
        app.get(&resource(POSTS, post), owner).await.expect(200);
    }
    app.post(POSTS, owner, json!({"title": "After"}))
        .await
        .expect(201);
}

#[actix_web::test]
async fn a_database_held_by_another_writer_answers_503_after_one_wait() {
    let app = spawn_with(Backend::Sqlite, |c| {
        c.db_checkout_timeout = Duration::from_millis(300)
    })
    .await;
    let owner = Some(app.owner_token.as_str());
    let mut other = SqliteConnection::establish(&app.config().database_url()).unwrap();
    other.batch_execute("BEGIN IMMEDIATE").unwrap();
    assert_unavailable(app.post(POSTS, owner, json!({"title": "Blocked"})).await);
    // Readers are not held up by a writer.
    app.get(POSTS, owner).await.expect(200);
    other.batch_execute("ROLLBACK").unwrap();
    app.post(POSTS, owner, json!({"title": "Free"}))
        .await
        .expect(201);
    let list = app
        .get(&format!("{POSTS}?count=true"), owner)
        .await
        .expect(200);
    assert_eq!(list.body["meta"]["pagination"]["total"], 1);
}

async fn a_busy_pool_is_waited_for_once(backend: Backend) {
    let app = spawn_with(backend, |c| {
        c.db_checkout_timeout = Duration::from_millis(300)
    })
    .await;
    app.get(POSTS, None).await.expect(200);
    let db = app.state().db.clone();
    // Every connection taken, as by long requests: the database is up, but busy.
    let held: Vec<_> = (0..db.max_connections())
        .map(|_| db.conn().expect("a connection"))
        .collect();
    let stats = db.stats();
    assert_unavailable(app.get(POSTS, None).await);
    // One wait: the freshness stamp's, after which the read is answered without waiting for
    // the database again to render.
    assert_eq!(db.stats().waited_in_vain, stats.waited_in_vain + 1);
    assert_eq!(db.stats().refused_at_once, stats.refused_at_once);
    drop(held);
    app.get(POSTS, None).await.expect(200);
}
