//! Webhooks and the job queue behind them, against a real receiver: every event type with
//! its body, signatures the reference verifier accepts, nothing from a refused or
//! rolled-back write, retries on the schedule, `410`, `Retry-After`, redelivery, rotation,
//! scheduled publishing (on time, and after a stop), private targets refused, and on
//! PostgreSQL two instances delivering each event exactly once.

use std::collections::BTreeMap;
use std::time::Duration;

use diesel::prelude::*;
use serde_json::{Value, json};

use crate::on_both_backends;
use crate::paths::{AUTHORS, PAGES, POSTS, SETTINGS, TAGS, resource};
use crate::receiver::{Answer, Got, Receiver};
use crate::support::{Backend, id, spawn, spawn_with};

const WEBHOOKS: &str = "/api/v1/webhooks";

on_both_backends!(
    a_change_is_delivered_signed_with_its_public_representation,
    every_change_fires_its_events,
    a_refused_or_rolled_back_write_sends_nothing,
    failures_are_retried_on_the_schedule_under_one_id,
    a_delivery_fails_when_the_retries_run_out,
    a_slow_receiver_times_out_and_is_tried_again,
    gone_disables_the_webhook,
    retry_after_is_honoured,
    redelivery_keeps_the_webhook_id,
    finished_deliveries_are_pruned_after_the_retention,
    a_rotated_secret_signs_beside_the_new_one,
    a_ping_reaches_the_receiver,
    a_scheduled_post_is_published_and_announced_at_its_time,
    a_post_that_fell_due_while_stopped_is_announced_at_the_next_start,
    private_targets_are_refused,
    only_administrators_manage_webhooks,
    the_webhook_resource_keeps_its_contract,
);

/// Long enough for any delivery on a busy machine; tests wait for what they expect, not for
/// this.
const PATIENCE: Duration = Duration::from_secs(20);

/// Registers a webhook for `events` at the receiver, which trusts its secret; answers its id.
async fn hook<S, B>(
    app: &crate::support::TestApp<S>,
    receiver: &Receiver,
    events: &[&str],
) -> String
where
    S: actix_web::dev::Service<
            actix_http::Request,
            Response = actix_web::dev::ServiceResponse<B>,
            Error = actix_web::Error,
        >,
    B: actix_web::body::MessageBody,
{
    let made = app
        .post(
            WEBHOOKS,
            Some(&app.owner_token),
            json!({"url": receiver.url("/hook"), "events": events, "description": "test"}),
        )
        .await
        .expect(201);
    let secret = made.body["secret"].as_str().unwrap();
    assert!(secret.starts_with("whsec_"), "{secret}");
    assert_eq!(made.header("cache-control"), Some("no-store"));
    receiver.trust(secret);
    id(&made.body).to_owned()
}

fn types(got: &[Got]) -> Vec<String> {
    let mut types: Vec<String> = got.iter().map(|g| g.event().to_owned()).collect();
    types.sort();
    types
}

fn all_verified(got: &[Got]) {
    for g in got {
        assert_eq!(
            g.verified,
            Some(true),
            "{} is signed: {:?}",
            g.event(),
            g.headers
        );
        assert!(g.header("webhook-id").len() > 10);
        let ts: i64 = g.header("webhook-timestamp").parse().unwrap();
        assert!((ts - chrono::Utc::now().timestamp()).abs() < 300);
        assert_eq!(g.header("content-type"), "application/json");
    }
}

async fn a_change_is_delivered_signed_with_its_public_representation(backend: Backend) {
    let app = spawn(backend).await;
    let _worker = folio::worker::start(app.state());
    let receiver = Receiver::start();
    hook(
        &app,
        &receiver,
        &["post.added", "post.published", "site.changed"],
    )
    .await;
    let tag = app.tag("News").await;
    let internal = app.tag("#hidden").await;
    let post = app
        .post_as(
            None,
            json!({"title": "Hello", "markdown": "Hi *there*", "status": "published",
                   "tags": [id(&tag), id(&internal)], "og_title": "Social"}),
        )
        .await;
    let got = receiver.wait_for(4, PATIENCE).await;
    all_verified(&got);
    assert_eq!(
        types(&got),
        [
            "post.added",
            "post.published",
            "site.changed",
            "site.changed"
        ],
        "a public tag's creation and the post's change each change the site"
    );
    let public = app
        .get(&resource(POSTS, id(&post)), None)
        .await
        .expect(200)
        .body;
    for g in got.iter().filter(|g| g.event().starts_with("post.")) {
        assert_eq!(
            g.body["data"]["post"]["current"], public,
            "exactly what readers get"
        );
        assert_eq!(g.body["data"]["post"]["previous"], json!({}));
        let stamped = chrono::DateTime::parse_from_rfc3339(g.body["timestamp"].as_str().unwrap());
        assert!(stamped.is_ok(), "{}", g.body["timestamp"]);
    }
    let current = &got.iter().find(|g| g.event() == "post.added").unwrap().body;
    let tags = current["data"]["post"]["current"]["tags"]
        .as_array()
        .unwrap();
    assert_eq!(tags.len(), 1, "readers never see internal tags: {tags:?}");
    let ids: Vec<&str> = got.iter().map(|g| g.header("webhook-id")).collect();
    let mut unique = ids.clone();
    unique.dedup();
    assert_eq!(
        ids.len(),
        unique.len(),
        "each delivery has an id of its own"
    );
}

async fn every_change_fires_its_events(backend: Backend) {
    let app = spawn(backend).await;
    let _worker = folio::worker::start(app.state());
    let receiver = Receiver::start();
    let all: Vec<String> = folio::events::EventType::SUBSCRIBABLE
        .iter()
        .map(|e| e.as_str().to_owned())
        .filter(|e| e != "site.changed")
        .collect();
    let all: Vec<&str> = all.iter().map(String::as_str).collect();
    hook(&app, &receiver, &all).await;
    let owner = Some(app.owner_token.as_str());
    let edit = |version: i64, body: Value| {
        let mut body = body;
        body["version"] = json!(version);
        body
    };
    let post = app
        .post_as(None, json!({"title": "A", "markdown": "a"}))
        .await;
    let path = resource(POSTS, id(&post));
    let mut version = post["version"].as_i64().unwrap();
    let later = (chrono::Utc::now() + chrono::TimeDelta::days(30)).to_rfc3339();
    let later2 = (chrono::Utc::now() + chrono::TimeDelta::days(31)).to_rfc3339();
    let mut expected: Vec<&str> = vec!["post.added"];
    for (change, events) in [
        (json!({"title": "B"}), &["post.edited"][..]),
        (
            json!({"status": "published"}),
            &["post.edited", "post.published"][..],
        ),
        (
            json!({"title": "C"}),
            &["post.edited", "post.published.edited"][..],
        ),
        (
            json!({"status": "draft"}),
            &["post.edited", "post.unpublished"][..],
        ),
        (
            json!({"status": "scheduled", "published_at": later}),
            &["post.edited", "post.scheduled"][..],
        ),
        (
            json!({"published_at": later2}),
            &["post.edited", "post.scheduled"][..],
        ),
        (
            json!({"status": "draft"}),
            &["post.edited", "post.unscheduled"][..],
        ),
    ] {
        let changed = app
            .patch_body(&path, owner, edit(version, change.clone()))
            .await
            .expect(200);
        version = changed.body["version"].as_i64().unwrap();
        expected.extend(events);
    }
    app.delete(&path, owner).await.expect(204);
    expected.push("post.deleted");
    let page = app
        .post(
            PAGES,
            owner,
            json!({"title": "About", "markdown": "x", "status": "published"}),
        )
        .await
        .expect(201)
        .body;
    expected.extend(["page.added", "page.published"]);
    app.delete(&resource(PAGES, id(&page)), owner)
        .await
        .expect(204);
    expected.push("page.deleted");
    let tag = app.tag("Rust").await;
    let tag_path = resource(TAGS, id(&tag));
    app.patch_body(&tag_path, owner, json!({"name": "Rust lang", "version": 1}))
        .await
        .expect(200);
    app.delete(&tag_path, owner).await.expect(204);
    expected.extend(["tag.added", "tag.edited", "tag.deleted"]);
    let author = app.author("Ada").await;
    let author_path = resource(AUTHORS, id(&author));
    app.patch_body(&author_path, owner, json!({"bio": "Counts", "version": 1}))
        .await
        .expect(200);
    app.delete(&author_path, owner).await.expect(204);
    expected.extend(["author.added", "author.edited", "author.deleted"]);
    let got = receiver.wait_for(expected.len(), PATIENCE).await;
    let got = receiver
        .settle(Duration::from_millis(300), PATIENCE)
        .await
        .max_by_len(got);
    all_verified(&got);
    let mut expected: Vec<String> = expected.into_iter().map(str::to_owned).collect();
    expected.sort();
    assert_eq!(types(&got), expected);
    let deleted = got.iter().find(|g| g.event() == "post.deleted").unwrap();
    assert_eq!(deleted.body["data"]["post"]["current"], json!({}));
    assert_eq!(deleted.body["data"]["post"]["previous"]["title"], "C");
    let unpublished = got
        .iter()
        .find(|g| g.event() == "post.unpublished")
        .unwrap();
    assert_eq!(
        unpublished.body["data"]["post"]["previous"]["status"], "published",
        "previous holds what changed"
    );
    assert!(
        unpublished.body["data"]["post"]["previous"]
            .get("markdown")
            .is_none()
    );
    assert!(
        unpublished.body["data"]["post"]["previous"]
            .get("slug")
            .is_none()
    );
    let edited_tag = got.iter().find(|g| g.event() == "tag.edited").unwrap();
    assert_eq!(edited_tag.body["data"]["tag"]["previous"]["name"], "Rust");
    assert_eq!(
        edited_tag.body["data"]["tag"]["current"]["name"],
        "Rust lang"
    );
    // The settings change what every page shows.
    let site_hook = Receiver::start();
    hook(&app, &site_hook, &["site.changed"]).await;
    app.patch_body(SETTINGS, owner, json!({"title": "Renamed", "version": 1}))
        .await
        .expect(200);
    assert_eq!(
        types(&site_hook.wait_for(1, PATIENCE).await),
        ["site.changed"]
    );
}

trait Longest {
    fn max_by_len(self, other: Self) -> Self;
}

impl Longest for Vec<Got> {
    fn max_by_len(self, other: Vec<Got>) -> Vec<Got> {
        if self.len() >= other.len() {
            self
        } else {
            other
        }
    }
}

async fn a_refused_or_rolled_back_write_sends_nothing(backend: Backend) {
    let app = spawn(backend).await;
    let _worker = folio::worker::start(app.state());
    let receiver = Receiver::start();
    hook(
        &app,
        &receiver,
        &["post.added", "post.edited", "site.changed"],
    )
    .await;
    let owner = Some(app.owner_token.as_str());
    let post = app
        .post_as(None, json!({"title": "A", "markdown": "a"}))
        .await;
    let path = resource(POSTS, id(&post));
    // Refused: stale, invalid, and not allowed.
    app.patch_body(&path, owner, json!({"title": "B", "version": 7}))
        .await
        .expect(412);
    app.patch_body(&path, owner, json!({"title": "", "version": 1}))
        .await
        .expect(422);
    app.post(
        POSTS,
        owner,
        json!({"title": "x", "markdown": "a", "tags": ["nope"]}),
    )
    .await
    .expect(422);
    // Rolled back after the service wrote its events: nothing of it may remain.
    let db = app.state().db.clone();
    let owner_id = app.owner_id.clone();
    let rolled_back = db
        .run(move |conn| {
            let staff = folio::auth::Staff {
                id: owner_id.into(),
                role: folio::auth::Role::Owner,
                via: folio::auth::Via::Server,
            };
            let input = folio::posts::input::NewPostInput::draft("Ghost", "boo");
            let editorial = folio::posts::service::Editorial::new(folio::posts::view::public);
            // The service's own transaction runs inside this one, as a savepoint.
            let mut created = false;
            let outcome: Result<(), folio::error::ApiError> =
                folio::db::write_transaction(conn, |conn| {
                    folio::posts::service::create(
                        conn,
                        &staff,
                        folio::posts::model::PostKind::Post,
                        input,
                        editorial,
                    )?;
                    created = true;
                    Err(folio::error::ApiError::Conflict(
                        "rolled back on purpose".into(),
                    ))
                });
            Ok((created, outcome.is_err()))
        })
        .await
        .unwrap();
    assert_eq!(rolled_back, (true, true), "created, then rolled back");
    app.patch_body(&path, owner, json!({"title": "Marker", "version": 1}))
        .await
        .expect(200);
    let got = receiver.wait_for(3, PATIENCE).await;
    let got = receiver
        .settle(Duration::from_millis(300), PATIENCE)
        .await
        .max_by_len(got);
    assert_eq!(types(&got), ["post.added", "post.edited"]);
    // Deliveries run side by side: the order they arrive in is not the order of the events.
    let edited = got.iter().find(|g| g.event() == "post.edited").unwrap();
    assert_eq!(edited.body["data"]["post"]["current"]["title"], "Marker");
}

/// An instance whose retries wait `schedule` (`--webhook-retry-schedule`).
async fn with_schedule(
    backend: Backend,
    schedule: &str,
) -> crate::support::TestApp<
    impl actix_web::dev::Service<
        actix_http::Request,
        Response = actix_web::dev::ServiceResponse<impl actix_web::body::MessageBody>,
        Error = actix_web::Error,
    >,
> {
    let schedule = folio::config::parse_schedule(schedule).unwrap();
    spawn_with(backend, move |cfg| cfg.webhooks.retry_schedule = schedule.0).await
}

async fn deliveries<S, B>(app: &crate::support::TestApp<S>, webhook: &str, query: &str) -> Value
where
    S: actix_web::dev::Service<
            actix_http::Request,
            Response = actix_web::dev::ServiceResponse<B>,
            Error = actix_web::Error,
        >,
    B: actix_web::body::MessageBody,
{
    app.get(
        &format!("{WEBHOOKS}/{webhook}/deliveries{query}"),
        Some(&app.owner_token),
    )
    .await
    .expect(200)
    .body
}

/// Waits until the webhook has a delivery and its latest is no longer pending; answers it.
async fn finished<S, B>(app: &crate::support::TestApp<S>, webhook: &str) -> Value
where
    S: actix_web::dev::Service<
            actix_http::Request,
            Response = actix_web::dev::ServiceResponse<B>,
            Error = actix_web::Error,
        >,
    B: actix_web::body::MessageBody,
{
    let deadline = std::time::Instant::now() + PATIENCE;
    loop {
        let log = deliveries(app, webhook, "").await;
        let latest = log["data"][0].clone();
        let done = latest.is_object() && latest["status"] != "pending";
        if done || std::time::Instant::now() > deadline {
            return latest;
        }
        actix_web::rt::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn failures_are_retried_on_the_schedule_under_one_id(backend: Backend) {
    let app = with_schedule(backend, "200ms,400ms").await;
    let _worker = folio::worker::start(app.state());
    let receiver = Receiver::start();
    receiver.answer([Answer::status(500), Answer::status(503)]);
    let webhook = hook(&app, &receiver, &["tag.added"]).await;
    app.tag("Retried").await;
    let got = receiver.wait_for(3, PATIENCE).await;
    assert_eq!(got.len(), 3, "two failures, then the delivery");
    all_verified(&got);
    let ids: Vec<&str> = got.iter().map(|g| g.header("webhook-id")).collect();
    assert!(
        ids.iter().all(|i| *i == ids[0]),
        "one id for every attempt: {ids:?}"
    );
    // The schedule's waits, less the tenth of jitter.
    assert!(
        got[1].at - got[0].at >= Duration::from_millis(180),
        "{:?}",
        got[1].at - got[0].at
    );
    assert!(
        got[2].at - got[1].at >= Duration::from_millis(360),
        "{:?}",
        got[2].at - got[1].at
    );
    let delivery = finished(&app, &webhook).await;
    assert_eq!(delivery["status"], "delivered");
    assert_eq!(delivery["attempts"], 3);
    assert_eq!(delivery["response_status"], 200);
    assert_eq!(delivery["response_body"], "ok");
    assert_eq!(delivery["id"], ids[0]);
    assert_eq!(delivery["event_type"], "tag.added");
    let pending = deliveries(&app, &webhook, "?status=pending").await;
    assert_eq!(pending["data"], json!([]));
    let delivered = deliveries(&app, &webhook, "?status=delivered").await;
    assert_eq!(delivered["data"].as_array().unwrap().len(), 1);
}

async fn a_delivery_fails_when_the_retries_run_out(backend: Backend) {
    let app = with_schedule(backend, "10ms").await;
    let _worker = folio::worker::start(app.state());
    let receiver = Receiver::start();
    receiver.answer([
        Answer::status(500),
        Answer::status(302).with_header("Location", "/x"),
    ]);
    let webhook = hook(&app, &receiver, &["tag.added"]).await;
    app.tag("Doomed").await;
    let delivery = finished(&app, &webhook).await;
    assert_eq!(delivery["status"], "failed");
    assert_eq!(delivery["attempts"], 2);
    assert_eq!(
        delivery["response_status"], 302,
        "a redirect is a failure, not followed"
    );
    let error = delivery["error"].as_str().unwrap();
    assert!(
        error.contains("redirect") && error.contains("spent"),
        "{error}"
    );
    assert_eq!(receiver.got().len(), 2);
}

async fn a_slow_receiver_times_out_and_is_tried_again(backend: Backend) {
    let schedule = folio::config::parse_schedule("10ms").unwrap();
    let app = spawn_with(backend, move |cfg| {
        cfg.webhooks.retry_schedule = schedule.0;
        cfg.webhooks.timeout = Duration::from_secs(1);
    })
    .await;
    let _worker = folio::worker::start(app.state());
    let receiver = Receiver::start();
    receiver.answer([Answer::status(200).after(Duration::from_millis(2500))]);
    let webhook = hook(&app, &receiver, &["tag.added"]).await;
    app.tag("Slow").await;
    let got = receiver.wait_for(2, PATIENCE).await;
    assert_eq!(got.len(), 2, "the slow answer did not count");
    let delivery = finished(&app, &webhook).await;
    assert_eq!(delivery["status"], "delivered");
    assert_eq!(delivery["attempts"], 2);
}

async fn gone_disables_the_webhook(backend: Backend) {
    let app = spawn(backend).await;
    let _worker = folio::worker::start(app.state());
    let receiver = Receiver::start();
    receiver.answer([Answer::status(410)]);
    let webhook = hook(&app, &receiver, &["tag.added"]).await;
    app.tag("First").await;
    let delivery = finished(&app, &webhook).await;
    assert_eq!(delivery["status"], "failed");
    let shown = app
        .get(&resource(WEBHOOKS, &webhook), Some(&app.owner_token))
        .await
        .expect(200)
        .body;
    assert_eq!(shown["enabled"], false);
    assert!(shown["disabled_reason"].as_str().unwrap().contains("410"));
    app.tag("Second").await;
    let got = receiver.settle(Duration::from_millis(500), PATIENCE).await;
    assert_eq!(got.len(), 1, "nothing goes to a disabled webhook");
    // Enabled again, it receives, and the reason is gone.
    let version = shown["version"].as_i64().unwrap();
    let enabled = app
        .patch_body(
            &resource(WEBHOOKS, &webhook),
            Some(&app.owner_token),
            json!({"enabled": true, "version": version}),
        )
        .await
        .expect(200)
        .body;
    assert_eq!(enabled["disabled_reason"], Value::Null);
    app.tag("Third").await;
    assert_eq!(receiver.wait_for(2, PATIENCE).await.len(), 2);
}

async fn retry_after_is_honoured(backend: Backend) {
    let app = with_schedule(backend, "10ms,10ms").await;
    let _worker = folio::worker::start(app.state());
    let receiver = Receiver::start();
    receiver.answer([Answer::status(429).with_header("Retry-After", "1")]);
    hook(&app, &receiver, &["tag.added"]).await;
    app.tag("Patient").await;
    let got = receiver.wait_for(2, PATIENCE).await;
    assert_eq!(got.len(), 2);
    assert!(
        got[1].at - got[0].at >= Duration::from_millis(900),
        "the receiver asked for a second: {:?}",
        got[1].at - got[0].at
    );
}

async fn redelivery_keeps_the_webhook_id(backend: Backend) {
    let app = spawn(backend).await;
    let _worker = folio::worker::start(app.state());
    let receiver = Receiver::start();
    let webhook = hook(&app, &receiver, &["tag.added"]).await;
    app.tag("Again").await;
    let first = finished(&app, &webhook).await;
    assert_eq!(first["status"], "delivered");
    let path = format!("{WEBHOOKS}/{webhook}/deliveries/{}/redeliver", id(&first));
    let queued = app
        .post(&path, Some(&app.owner_token), json!({}))
        .await
        .expect(202);
    assert_eq!(queued.body["status"], "pending");
    let got = receiver.wait_for(2, PATIENCE).await;
    assert_eq!(got.len(), 2);
    assert_eq!(got[0].header("webhook-id"), got[1].header("webhook-id"));
    assert_eq!(got[0].body, got[1].body, "the same event, byte for byte");
    let again = finished(&app, &webhook).await;
    assert_eq!(again["attempts"], 2);
    let elsewhere = format!("{WEBHOOKS}/{webhook}/deliveries/nope/redeliver");
    app.post(&elsewhere, Some(&app.owner_token), json!({}))
        .await
        .expect(404);
}

async fn finished_deliveries_are_pruned_after_the_retention(backend: Backend) {
    let app = spawn(backend).await;
    let worker = folio::worker::start(app.state());
    let receiver = Receiver::start();
    receiver.answer([Answer::status(500)]);
    let webhook = hook(&app, &receiver, &["tag.added"]).await;
    app.tag("Old").await;
    let db = (**app.state().db).clone();
    let count = |db: folio::db::Db| async move {
        db.run(|conn| {
            use folio::db::schema::{events, jobs, webhook_deliveries};
            let deliveries: i64 = webhook_deliveries::table.count().get_result(conn)?;
            let events: i64 = events::table.count().get_result(conn)?;
            let prunes: i64 = jobs::table
                .filter(jobs::kind.eq("prune"))
                .count()
                .get_result(conn)?;
            Ok((deliveries, events, prunes))
        })
        .await
        .unwrap()
    };
    // The first attempt failed; the next is seconds away: the delivery is pending.
    receiver.wait_for(1, PATIENCE).await;
    actix_web::rt::time::sleep(Duration::from_millis(200)).await;
    drop(worker);
    app.tag("Recent").await;
    let (stored, events, prunes) = count(db.clone()).await;
    assert_eq!(
        (stored, events, prunes),
        (1, 2, 1),
        "one pruning job is queued"
    );
    // Everything older than a moment goes, but what is still pending stays.
    let settings = folio::webhooks::delivery::WebhookSettings {
        retention: Duration::ZERO,
        ..Default::default()
    };
    let pruned = db
        .run(move |conn| folio::webhooks::service::prune(conn, &settings))
        .await
        .unwrap();
    assert_eq!(
        pruned, 0,
        "the delivery is pending, the other event not yet dispatched"
    );
    let log = deliveries(&app, &webhook, "").await;
    assert_eq!(log["data"].as_array().unwrap().len(), 1);
    let db2 = db.clone();
    db2.run(|conn| {
        use folio::db::schema::webhook_deliveries as d;
        diesel::update(d::table)
            .set(d::status.eq("failed"))
            .execute(conn)?;
        Ok(())
    })
    .await
    .unwrap();
    let keep_a_day = folio::webhooks::delivery::WebhookSettings::default();
    let pruned = db
        .run(move |conn| folio::webhooks::service::prune(conn, &keep_a_day))
        .await
        .unwrap();
    assert_eq!(pruned, 0, "within the retention nothing goes");
    let settings = folio::webhooks::delivery::WebhookSettings {
        retention: Duration::ZERO,
        ..Default::default()
    };
    let pruned = db
        .run(move |conn| folio::webhooks::service::prune(conn, &settings))
        .await
        .unwrap();
    assert_eq!(pruned, 1);
    let (stored, events, _) = count(db).await;
    assert_eq!(
        (stored, events),
        (0, 1),
        "its event goes with it; one no worker dispatched yet stays"
    );
}

async fn a_rotated_secret_signs_beside_the_new_one(backend: Backend) {
    let app = spawn(backend).await;
    let _worker = folio::worker::start(app.state());
    let receiver = Receiver::start();
    let webhook = hook(&app, &receiver, &["tag.added"]).await;
    let rotated = app
        .post(
            &format!("{WEBHOOKS}/{webhook}/rotate-secret"),
            Some(&app.owner_token),
            json!({}),
        )
        .await
        .expect(200);
    assert_eq!(rotated.header("cache-control"), Some("no-store"));
    let secret = rotated.body["secret"].as_str().unwrap().to_owned();
    assert!(rotated.body["previous_secret_expires_at"].is_string());
    receiver.trust(&secret);
    app.tag("Rotated").await;
    let got = receiver.wait_for(1, PATIENCE).await;
    assert_eq!(got.len(), 1);
    let by: BTreeMap<_, _> = got[0].verified_by.iter().cloned().collect();
    assert_eq!(by.len(), 2);
    assert!(
        by.values().all(|ok| *ok),
        "the old and the new secret each verify it: {by:?}"
    );
    assert_eq!(got[0].header("webhook-signature").split(' ').count(), 2);
    // A secret never shows again.
    let shown = app
        .get(&resource(WEBHOOKS, &webhook), Some(&app.owner_token))
        .await
        .expect(200);
    assert!(!shown.text.contains("whsec_"), "{}", shown.text);
}

async fn a_ping_reaches_the_receiver(backend: Backend) {
    let app = spawn(backend).await;
    let _worker = folio::worker::start(app.state());
    let receiver = Receiver::start();
    let webhook = hook(&app, &receiver, &["post.published"]).await;
    let queued = app
        .post(
            &format!("{WEBHOOKS}/{webhook}/ping"),
            Some(&app.owner_token),
            json!({}),
        )
        .await
        .expect(202);
    assert_eq!(queued.body["event_type"], "webhook.ping");
    let got = receiver.wait_for(1, PATIENCE).await;
    all_verified(&got);
    assert_eq!(got[0].path, "/hook");
    assert_eq!(got[0].event(), "webhook.ping");
    assert_eq!(got[0].body["data"]["webhook"]["id"], webhook.as_str());
    assert_eq!(got[0].header("webhook-id"), id(&queued.body));
}

async fn a_scheduled_post_is_published_and_announced_at_its_time(backend: Backend) {
    let app = spawn(backend).await;
    let _worker = folio::worker::start(app.state());
    let receiver = Receiver::start();
    hook(&app, &receiver, &["post.published", "site.changed"]).await;
    let at = chrono::Utc::now() + chrono::TimeDelta::milliseconds(1500);
    let post = app
        .post_as(
            None,
            json!({"title": "Soon", "markdown": "x", "status": "scheduled", "published_at": at.to_rfc3339()}),
        )
        .await;
    let got = receiver.wait_for(2, PATIENCE).await;
    assert_eq!(types(&got), ["post.published", "site.changed"]);
    let published = got.iter().find(|g| g.event() == "post.published").unwrap();
    let arrived = chrono::Utc::now() - chrono::TimeDelta::from_std(published.at.elapsed()).unwrap();
    assert!(arrived >= at, "not before its time: {arrived} < {at}");
    assert_eq!(
        published.body["data"]["post"]["current"]["status"],
        "published"
    );
    assert_eq!(
        published.body["data"]["post"]["previous"],
        json!({"status": "scheduled"})
    );
    assert_eq!(published.body["data"]["post"]["current"]["id"], id(&post));
    let db = app.state().db.clone();
    let post_id = id(&post).to_owned();
    let (status, jobs) = db
        .run(move |conn| {
            use folio::db::schema::{jobs, posts};
            let status: String = posts::table
                .find(&post_id)
                .select(posts::status)
                .first(conn)?;
            let jobs: i64 = jobs::table
                .filter(jobs::kind.eq("publish"))
                .count()
                .get_result(conn)?;
            Ok((status, jobs))
        })
        .await
        .unwrap();
    assert_eq!(status, "published", "the row says so too");
    assert_eq!(jobs, 0, "the job is done");
    let later = receiver.settle(Duration::from_millis(500), PATIENCE).await;
    assert_eq!(later.len(), 2, "announced once");
}

async fn a_post_that_fell_due_while_stopped_is_announced_at_the_next_start(backend: Backend) {
    let app = spawn(backend).await;
    let receiver = Receiver::start();
    hook(&app, &receiver, &["post.published", "page.published"]).await;
    let at = chrono::Utc::now() + chrono::TimeDelta::milliseconds(1500);
    for collection in [POSTS, PAGES] {
        app.post(
            collection,
            Some(&app.owner_token),
            json!({"title": "While away", "markdown": "x", "status": "scheduled", "published_at": at.to_rfc3339()}),
        )
        .await
        .expect(201);
    }
    actix_web::rt::time::sleep(Duration::from_millis(2000)).await;
    assert!(receiver.got().is_empty(), "no worker ran");
    let _worker = folio::worker::start(app.state());
    let got = receiver.wait_for(2, PATIENCE).await;
    assert_eq!(types(&got), ["page.published", "post.published"]);
}

async fn private_targets_are_refused(backend: Backend) {
    let app = spawn_with(backend, |cfg| cfg.webhooks.targets.allow_private = false).await;
    let _worker = folio::worker::start(app.state());
    let owner = Some(app.owner_token.as_str());
    for url in [
        "http://127.0.0.1:9/hook",
        "http://localhost:9/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.1/",
        "http://[::1]/",
        "http://[::ffff:127.0.0.1]/",
    ] {
        let refused = app
            .post(
                WEBHOOKS,
                owner,
                json!({"url": url, "events": ["post.added"]}),
            )
            .await
            .problem(422);
        assert_eq!(
            refused["errors"][0]["code"], "internal_address",
            "{url}: {refused}"
        );
    }
    for url in ["ftp://example.com/", "not a url", "javascript:alert(1)"] {
        app.post(
            WEBHOOKS,
            owner,
            json!({"url": url, "events": ["post.added"]}),
        )
        .await
        .expect(422);
    }
    // One stored before the rule (or by hand) is refused when it is delivered, after the
    // name is resolved: the receiver never hears of it.
    let receiver = Receiver::start();
    let db = app.state().db.clone();
    let url = receiver.url("/hook");
    db.run(move |conn| {
        use folio::db::schema::webhooks as w;
        let now = folio::db::now();
        diesel::insert_into(w::table)
            .values((
                w::id.eq("sneaky"),
                w::url.eq(url),
                w::events.eq("tag.added"),
                w::enabled.eq(true),
                w::secret.eq("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"),
                w::created_at.eq(now),
                w::updated_at.eq(now),
                w::version.eq(1i64),
            ))
            .execute(conn)?;
        Ok(())
    })
    .await
    .unwrap();
    app.tag("Probe").await;
    let deadline = std::time::Instant::now() + PATIENCE;
    let delivery = loop {
        let log = deliveries(&app, "sneaky", "").await;
        let latest = log["data"][0].clone();
        if latest["attempts"].as_i64().unwrap_or(0) > 0 || std::time::Instant::now() > deadline {
            break latest;
        }
        actix_web::rt::time::sleep(Duration::from_millis(20)).await;
    };
    let error = delivery["error"].as_str().unwrap_or_default();
    assert!(error.contains("inside the network"), "{delivery}");
    assert_eq!(delivery["response_status"], Value::Null);
    assert!(receiver.got().is_empty());
}

async fn only_administrators_manage_webhooks(backend: Backend) {
    let app = spawn(backend).await;
    let body = json!({"url": "http://127.0.0.1:9/", "events": ["post.added"]});
    for role in ["editor", "author", "contributor"] {
        let (_, token) = app.staff(role).await;
        app.post(WEBHOOKS, Some(&token), body.clone())
            .await
            .expect(403);
        app.get(WEBHOOKS, Some(&token)).await.expect(403);
    }
    app.get(WEBHOOKS, None).await.expect(401);
    let (_, admin) = app.staff("admin").await;
    app.post(WEBHOOKS, Some(&admin), body).await.expect(201);
}

async fn the_webhook_resource_keeps_its_contract(backend: Backend) {
    let app = spawn(backend).await;
    let owner = Some(app.owner_token.as_str());
    let made = app
        .post(WEBHOOKS, owner, json!({"url": "http://127.0.0.1:9/a", "events": ["post.added", "post.added", "tag.added"]}))
        .await
        .expect(201);
    let path = made.header("location").unwrap().to_owned();
    assert_eq!(made.body["events"], json!(["post.added", "tag.added"]));
    assert_eq!(made.body["enabled"], true);
    let listed = app.get(WEBHOOKS, owner).await.expect(200).body;
    assert_eq!(listed["data"].as_array().unwrap().len(), 1);
    assert!(listed["data"][0].get("secret").is_none());
    app.patch_body(&path, owner, json!({"description": "x"}))
        .await
        .expect(428);
    app.patch_body(&path, owner, json!({"description": "x", "version": 9}))
        .await
        .expect(412);
    let changed = app
        .patch_body(
            &path,
            owner,
            json!({"description": "x", "events": ["page.added"], "version": 1}),
        )
        .await
        .expect(200);
    assert_eq!(changed.body["events"], json!(["page.added"]));
    assert_eq!(changed.etag_version(), 2);
    for bad in [
        json!({"url": "http://127.0.0.1:9/", "events": []}),
        json!({"url": "http://127.0.0.1:9/", "events": ["webhook.ping"]}),
        json!({"url": "http://127.0.0.1:9/", "events": ["post.exploded"]}),
        json!({"url": "http://127.0.0.1:9/", "events": ["post.added"], "secret": "mine"}),
    ] {
        let status = app.post(WEBHOOKS, owner, bad.clone()).await.status;
        assert!(status == 400 || status == 422, "{bad}: {status}");
    }
    app.delete(&path, owner).await.expect(204);
    app.delete(&path, owner).await.expect(404);
    app.get(&format!("{path}/deliveries"), owner)
        .await
        .expect(404);
}

/// Two instances on one PostgreSQL, each with its worker, publish 200 scheduled posts that
/// fall due together, and each event reaches the webhook exactly once.
#[actix_web::test]
async fn two_instances_deliver_each_event_exactly_once() {
    let app = spawn(Backend::Postgres).await;
    let other = app.sibling().await;
    let receiver = Receiver::start();
    hook(&app, &receiver, &["post.published"]).await;
    // Far enough ahead that the last of the 200 is still scheduled when written, on a slow
    // machine too: all fall due together, with both workers running.
    let at = chrono::Utc::now() + chrono::TimeDelta::seconds(20);
    let mut ids = Vec::new();
    for n in 0..200 {
        let post = app
            .post_as(
                None,
                json!({"title": format!("Post {n}"), "markdown": "x", "status": "scheduled",
                       "published_at": at.to_rfc3339()}),
            )
            .await;
        ids.push(id(&post).to_owned());
    }
    let _one = folio::worker::start(app.state());
    let _two = folio::worker::start(other.state());
    receiver.wait_for(200, Duration::from_secs(60)).await;
    let got = receiver
        .settle(Duration::from_secs(1), Duration::from_secs(60))
        .await;
    let mut published: Vec<String> = got
        .iter()
        .map(|g| {
            g.body["data"]["post"]["current"]["id"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    published.sort();
    ids.sort();
    assert_eq!(published, ids, "every post announced once");
}

/// An instance killed (`SIGKILL`) while a receiver is still answering its delivery leaves
/// the job leased; when the lease runs out, another instance delivers it, under the same id.
#[actix_web::test]
async fn a_delivery_outlives_the_instance_killed_during_it() {
    let app = spawn(Backend::Postgres).await;
    let receiver = Receiver::start();
    receiver.answer([Answer::status(200).after(Duration::from_secs(30))]);
    let webhook = hook(&app, &receiver, &["tag.added"]).await;
    app.tag("Orphaned").await;
    let data = tempfile::tempdir().unwrap();
    let url = app.config().database_url.clone().expect("a PostgreSQL URL");
    let mut doomed = std::process::Command::new(env!("CARGO_BIN_EXE_folio"))
        .args(["serve", "--bind", "127.0.0.1:0", "--webhook-allow-private"])
        .args(["--webhook-timeout", "2", "--log", "warn"])
        .arg("--database-url")
        .arg(&url)
        .arg("--data-dir")
        .arg(data.path())
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("start a second Folio");
    let first = receiver.wait_for(1, PATIENCE).await;
    assert_eq!(first.len(), 1, "the other instance began the delivery");
    doomed.kill().expect("SIGKILL");
    doomed.wait().unwrap();
    let _worker = folio::worker::start(app.state());
    let got = receiver.wait_for(2, Duration::from_secs(60)).await;
    assert_eq!(got.len(), 2, "delivered after the lease ran out");
    assert_eq!(got[0].header("webhook-id"), got[1].header("webhook-id"));
    let delivery = finished(&app, &webhook).await;
    assert_eq!(delivery["status"], "delivered");
}
