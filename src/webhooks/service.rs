//! The operations on webhooks, and delivering: making, changing, rotating and trying a
//! webhook, redelivering, one delivery attempt as a job, and pruning the log.

use chrono::TimeDelta;
use serde_json::json;

use super::delivery::{self, Attempt, Verdict, WebhookSettings};
use super::model::{DeliveryStatus, NewWebhook, WebhookChanges, WebhookRow};
use super::storage::{self, Logged};
use super::target::{self, Refusal};
use crate::db::{Db, DbConn, Locked, lock_row, now, write_transaction};
use crate::error::{ApiError, ApiResult};
use crate::events::{self, EventType};
use crate::ids::{DeliveryId, WebhookId};
use crate::jobs::{self, Claimed};
use crate::precondition::Expected;

fn delta(d: std::time::Duration) -> TimeDelta {
    TimeDelta::from_std(d).unwrap_or(TimeDelta::MAX)
}

/// Refuses a URL that reaches inside Folio's network. A name that does not resolve yet is
/// accepted: the receiver may not be set up yet, and every delivery checks again.
fn vet_url(url: &str, settings: &WebhookSettings) -> ApiResult<()> {
    let parsed = url::Url::parse(url)
        .map_err(|_| ApiError::validation("url", "invalid_url", "must be an absolute URL"))?;
    match target::addresses(&parsed, settings.targets) {
        Ok(_) | Err(Refusal::Unresolved { .. }) => Ok(()),
        Err(refusal @ Refusal::Internal { .. }) => Err(ApiError::validation(
            "url",
            "internal_address",
            format!("{refusal}: webhooks may not reach it (see `--webhook-allow-private`)"),
        )),
        Err(refusal) => Err(ApiError::validation(
            "url",
            "invalid_url",
            refusal.to_string(),
        )),
    }
}

/// A new webhook, and its secret (shown this once). Blocking: resolves the URL's host.
pub fn create(
    conn: &mut DbConn,
    new: NewWebhook,
    settings: &WebhookSettings,
) -> ApiResult<(WebhookRow, String)> {
    vet_url(&new.url, settings)?;
    let secret = super::signing::new_secret()?;
    let row = write_transaction(conn, |conn| storage::insert(conn, &new, &secret, now()))?;
    Ok((row, secret))
}

/// The webhook locked until the transaction ends, based on the version `expected` names.
fn writable(conn: &mut DbConn, id: &WebhookId, expected: Expected) -> ApiResult<WebhookRow> {
    lock_row(conn, Locked::Webhooks, id.as_str())?;
    let current = storage::find(conn, id)?;
    expected.check(current.version)?;
    Ok(current)
}

pub fn update(
    conn: &mut DbConn,
    id: &WebhookId,
    expected: Expected,
    changes: WebhookChanges,
    settings: &WebhookSettings,
) -> ApiResult<WebhookRow> {
    if let Some(url) = &changes.url {
        vet_url(url, settings)?;
    }
    write_transaction(conn, |conn| {
        let now = now();
        let current = writable(conn, id, expected)?;
        let disabling = changes.enabled == Some(false) && current.enabled;
        let row = storage::update(conn, id, current.version, changes, now)?;
        if disabling {
            storage::give_up_pending(conn, id, "the webhook was disabled", now)?;
        }
        Ok(row)
    })
}

pub fn delete(conn: &mut DbConn, id: &WebhookId) -> ApiResult<()> {
    write_transaction(conn, |conn| storage::delete(conn, id))
}

/// A new secret for the webhook; the old one signs beside it for the configured overlap.
pub fn rotate(
    conn: &mut DbConn,
    id: &WebhookId,
    settings: &WebhookSettings,
) -> ApiResult<(WebhookRow, String)> {
    let secret = super::signing::new_secret()?;
    let row = write_transaction(conn, |conn| {
        let now = now();
        let current = writable(conn, id, Expected::Any)?;
        storage::rotate(
            conn,
            &current,
            &secret,
            now + delta(settings.secret_overlap),
            now,
        )
    })?;
    Ok((row, secret))
}

/// Queues a `webhook.ping` to the webhook, enabled or not, and answers its delivery.
pub fn ping(conn: &mut DbConn, id: &WebhookId) -> ApiResult<DeliveryId> {
    write_transaction(conn, |conn| {
        let now = now();
        let webhook = storage::find(conn, id)?;
        let data = json!({"webhook": {"id": webhook.id, "url": webhook.url}});
        let event = events::write(conn, EventType::Ping, data, now, true)?;
        events::queue_delivery(conn, id, &event, EventType::Ping, now)
    })
}

/// Sends delivery `delivery` of webhook `id` again, now, under the same `webhook-id`.
pub fn redeliver(conn: &mut DbConn, id: &WebhookId, delivery: &DeliveryId) -> ApiResult<()> {
    write_transaction(conn, |conn| {
        let now = now();
        storage::find(conn, id)?;
        let found = storage::delivery(conn, delivery)?.filter(|d| &d.webhook_id == id);
        let Some(found) = found else {
            return Err(ApiError::NotFound(format!(
                "Webhook `{id}` has no delivery `{delivery}`."
            )));
        };
        if found.status == DeliveryStatus::Pending {
            // Its job is queued: a second one would send it twice at once.
            return Err(ApiError::Conflict(format!(
                "Delivery `{delivery}` is still pending: its next attempt is queued."
            )));
        }
        storage::requeue(conn, delivery, now)?;
        jobs::enqueue(
            conn,
            &jobs::Job::Deliver {
                delivery: delivery.clone(),
            },
            now,
        )?;
        Ok(())
    })
}

/// What one delivery needs: where, the body, and the secrets that sign it now.
struct Prepared {
    webhook: WebhookId,
    url: String,
    body: String,
    secrets: Vec<String>,
}

/// Runs the delivery job `claimed` for `delivery`: one attempt, logged, then finished or
/// queued again on the retry schedule. No connection is held while the receiver answers.
/// Answers what the receiver made of it and how long it took, if an attempt was made.
pub async fn deliver(
    db: &Db,
    claimed: &Claimed,
    delivery: &DeliveryId,
    settings: &WebhookSettings,
    agent: &ureq::Agent,
) -> ApiResult<Option<(Verdict, std::time::Duration)>> {
    let id = delivery.clone();
    let prepared = db
        .run(move |conn| {
            let now = now();
            let Some(row) = storage::delivery(conn, &id)? else {
                return Ok(None);
            };
            if row.status != DeliveryStatus::Pending {
                return Ok(None);
            }
            let webhook = storage::find(conn, &row.webhook_id)?;
            if !webhook.enabled && row.event_type != EventType::Ping.as_str() {
                storage::give_up_pending(conn, &webhook.id, "the webhook is disabled", now)?;
                return Ok(None);
            }
            Ok(Some(Prepared {
                body: storage::event_body(conn, &row.event_id)?,
                secrets: webhook
                    .signing_secrets(now)
                    .into_iter()
                    .map(str::to_owned)
                    .collect(),
                url: webhook.url,
                webhook: webhook.id,
            }))
        })
        .await?;
    let Some(prepared) = prepared else {
        let claimed = claimed.clone();
        db.write(move |conn| jobs::finish(conn, &claimed).map(|_| ()))
            .await?;
        return Ok(None);
    };
    let (agent, message) = (agent.clone(), delivery.to_string());
    let webhook = prepared.webhook.clone();
    let attempt = actix_web::web::block(move || {
        let secrets: Vec<&str> = prepared.secrets.iter().map(String::as_str).collect();
        let timestamp = chrono::Utc::now().timestamp();
        delivery::attempt(
            &agent,
            &prepared.url,
            &message,
            timestamp,
            &prepared.body,
            &secrets,
        )
    })
    .await
    .map_err(ApiError::internal)?;
    let (claimed, delivery, schedule) = (
        claimed.clone(),
        delivery.clone(),
        settings.retry_schedule.clone(),
    );
    let (verdict, status, latency) = (attempt.verdict.clone(), attempt.status, attempt.latency);
    let message = delivery.to_string();
    db.write(move |conn| record(conn, &claimed, (&webhook, &delivery), &attempt, &schedule))
        .await?;
    let latency_ms = latency.as_millis();
    match verdict {
        Verdict::Delivered => {
            tracing::debug!(delivery = message, ?status, latency_ms, "webhook delivered")
        }
        Verdict::Gone => {
            tracing::warn!(
                delivery = message,
                "a webhook answered 410 Gone and was disabled"
            )
        }
        Verdict::Retry { .. } => {
            tracing::info!(
                delivery = message,
                ?status,
                latency_ms,
                "webhook delivery failed"
            )
        }
    }
    Ok(Some((verdict, latency)))
}

/// Logs `attempt` of `delivery` to `webhook` and ends the job: done, queued again after the
/// schedule's next wait, or given up when the schedule is spent (or the receiver is gone).
/// A delivery deleted meanwhile (with its webhook) just ends the job.
fn record(
    conn: &mut DbConn,
    claimed: &Claimed,
    (webhook, delivery): (&WebhookId, &DeliveryId),
    attempt: &Attempt,
    schedule: &[std::time::Duration],
) -> ApiResult<()> {
    let now = now();
    let failed = usize::try_from(claimed.attempts).unwrap_or(usize::MAX);
    let next = match &attempt.verdict {
        Verdict::Retry { not_before } => {
            let jitter = getrandom::u32().map_or(0.5, |r| f64::from(r) / f64::from(u32::MAX));
            delivery::next_wait(schedule, failed, *not_before, jitter).map(|wait| now + delta(wait))
        }
        _ => None,
    };
    let status = match (&attempt.verdict, next) {
        (Verdict::Delivered, _) => DeliveryStatus::Delivered,
        (Verdict::Retry { .. }, Some(_)) => DeliveryStatus::Pending,
        _ => DeliveryStatus::Failed,
    };
    let error = match (&attempt.verdict, next) {
        (Verdict::Retry { .. }, None) => attempt
            .error
            .as_ref()
            .map(|e| format!("{e}; the retries are spent")),
        _ => attempt.error.clone(),
    };
    let logged = storage::log_attempt(
        conn,
        delivery,
        Logged {
            status,
            next_attempt_at: next,
            at: now,
            response_status: attempt.status.map(i32::from),
            latency_ms: i32::try_from(attempt.latency.as_millis()).unwrap_or(i32::MAX),
            response_body: attempt.response.as_deref(),
            error: error.as_deref(),
        },
    )?;
    if !logged {
        jobs::finish(conn, claimed)?;
        return Ok(());
    }
    if attempt.verdict == Verdict::Gone {
        storage::disable(conn, webhook, "the receiver answered 410 Gone", now)?;
        storage::give_up_pending(conn, webhook, "the webhook was disabled", now)?;
    }
    match next {
        Some(at) => jobs::retry(conn, claimed, at, error.as_deref().unwrap_or("failed"))?,
        None => jobs::finish(conn, claimed)?,
    };
    Ok(())
}

/// Forgets finished deliveries older than the retention; answers how many.
pub fn prune(conn: &mut DbConn, settings: &WebhookSettings) -> ApiResult<usize> {
    write_transaction(conn, |conn| {
        storage::prune(conn, now() - delta(settings.retention))
    })
}
