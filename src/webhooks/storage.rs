//! Webhook and delivery queries.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::model::{DeliveryRow, DeliveryStatus, NewWebhook, WebhookChanges, WebhookRow};
use crate::db::page::{self, Direction, KeyValue, PageMeta, PageRequest};
use crate::db::schema::{events, webhook_deliveries, webhooks};
use crate::db::{DbConn, MultiBackend};
use crate::error::{ApiError, ApiResult};
use crate::events::store_list;
use crate::ids::{DeliveryId, EventId, WebhookId};

pub fn not_found(id: &WebhookId) -> ApiError {
    ApiError::NotFound(format!("No webhook has the id `{id}`."))
}

pub fn list(conn: &mut DbConn) -> ApiResult<Vec<WebhookRow>> {
    Ok(webhooks::table
        .order(webhooks::id.desc())
        .select(WebhookRow::as_select())
        .load(conn)?)
}

pub fn find(conn: &mut DbConn, id: &WebhookId) -> ApiResult<WebhookRow> {
    webhooks::table
        .find(id)
        .select(WebhookRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| not_found(id))
}

pub fn insert(
    conn: &mut DbConn,
    new: &NewWebhook,
    secret: &str,
    now: NaiveDateTime,
) -> ApiResult<WebhookRow> {
    let id = WebhookId::generate();
    diesel::insert_into(webhooks::table)
        .values((
            webhooks::id.eq(&id),
            webhooks::url.eq(&new.url),
            webhooks::events.eq(store_list(&new.events)),
            webhooks::enabled.eq(new.enabled),
            webhooks::description.eq(&new.description),
            webhooks::secret.eq(secret),
            webhooks::created_at.eq(now),
            webhooks::updated_at.eq(now),
            webhooks::version.eq(1),
        ))
        .execute(conn)?;
    find(conn, &id)
}

/// Applies `changes` to the webhook at `version`; enabling one clears why it was disabled.
pub fn update(
    conn: &mut DbConn,
    id: &WebhookId,
    version: i64,
    changes: WebhookChanges,
    now: NaiveDateTime,
) -> ApiResult<WebhookRow> {
    let target = webhooks::table
        .filter(webhooks::id.eq(id))
        .filter(webhooks::version.eq(version));
    diesel::update(target)
        .set((
            changes.url.map(|url| webhooks::url.eq(url)),
            changes
                .events
                .map(|events| webhooks::events.eq(store_list(&events))),
            changes.enabled.map(|enabled| webhooks::enabled.eq(enabled)),
            changes
                .enabled
                .filter(|enabled| *enabled)
                .map(|_| webhooks::disabled_reason.eq(None::<String>)),
            changes.description.map(|d| webhooks::description.eq(d)),
            webhooks::updated_at.eq(now),
            webhooks::version.eq(version + 1),
        ))
        .execute(conn)?;
    find(conn, id)
}

pub fn rotate(
    conn: &mut DbConn,
    current: &WebhookRow,
    secret: &str,
    previous_until: NaiveDateTime,
    now: NaiveDateTime,
) -> ApiResult<WebhookRow> {
    diesel::update(webhooks::table.find(&current.id))
        .set((
            webhooks::secret.eq(secret),
            webhooks::previous_secret.eq(Some(&current.secret)),
            webhooks::previous_secret_until.eq(Some(previous_until)),
            webhooks::updated_at.eq(now),
            webhooks::version.eq(current.version + 1),
        ))
        .execute(conn)?;
    find(conn, &current.id)
}

/// Turns the webhook off, saying why (the receiver answered 410 Gone).
pub fn disable(
    conn: &mut DbConn,
    id: &WebhookId,
    reason: &str,
    now: NaiveDateTime,
) -> ApiResult<()> {
    diesel::update(webhooks::table.find(id))
        .set((
            webhooks::enabled.eq(false),
            webhooks::disabled_reason.eq(Some(reason)),
            webhooks::updated_at.eq(now),
            webhooks::version.eq(webhooks::version + 1),
        ))
        .execute(conn)?;
    Ok(())
}

pub fn delete(conn: &mut DbConn, id: &WebhookId) -> ApiResult<()> {
    let removed = diesel::delete(webhooks::table.find(id)).execute(conn)?;
    if removed == 0 {
        return Err(not_found(id));
    }
    Ok(())
}

pub fn delivery(conn: &mut DbConn, id: &DeliveryId) -> ApiResult<Option<DeliveryRow>> {
    Ok(webhook_deliveries::table
        .find(id)
        .select(DeliveryRow::as_select())
        .first(conn)
        .optional()?)
}

/// The body of `event`, as every delivery of it sends it.
pub fn event_body(conn: &mut DbConn, event: &EventId) -> ApiResult<String> {
    Ok(events::table.find(event).select(events::body).first(conn)?)
}

/// What one attempt left in the log.
pub struct Logged<'a> {
    pub status: DeliveryStatus,
    pub next_attempt_at: Option<NaiveDateTime>,
    pub at: NaiveDateTime,
    pub response_status: Option<i32>,
    pub latency_ms: i32,
    pub response_body: Option<&'a str>,
    pub error: Option<&'a str>,
}

/// Logs an attempt of delivery `id`; `false` when the delivery no longer exists.
pub fn log_attempt(conn: &mut DbConn, id: &DeliveryId, logged: Logged) -> ApiResult<bool> {
    let changed = diesel::update(webhook_deliveries::table.find(id))
        .set((
            webhook_deliveries::status.eq(logged.status),
            webhook_deliveries::attempts.eq(webhook_deliveries::attempts + 1),
            webhook_deliveries::next_attempt_at.eq(logged.next_attempt_at),
            webhook_deliveries::last_attempt_at.eq(Some(logged.at)),
            webhook_deliveries::response_status.eq(logged.response_status),
            webhook_deliveries::latency_ms.eq(Some(logged.latency_ms)),
            webhook_deliveries::response_body.eq(logged.response_body),
            webhook_deliveries::error.eq(logged.error),
        ))
        .execute(conn)?;
    Ok(changed == 1)
}

/// Marks what was still to be delivered to webhook `id` as failed, saying `why`.
pub fn give_up_pending(
    conn: &mut DbConn,
    id: &WebhookId,
    why: &str,
    now: NaiveDateTime,
) -> ApiResult<()> {
    diesel::update(
        webhook_deliveries::table
            .filter(webhook_deliveries::webhook_id.eq(id))
            .filter(webhook_deliveries::status.eq(DeliveryStatus::Pending)),
    )
    .set((
        webhook_deliveries::status.eq(DeliveryStatus::Failed),
        webhook_deliveries::next_attempt_at.eq(None::<NaiveDateTime>),
        webhook_deliveries::error.eq(Some(why)),
        webhook_deliveries::last_attempt_at.eq(Some(now)),
    ))
    .execute(conn)?;
    Ok(())
}

/// Marks a delivery to be tried again now, keeping its id (its `webhook-id`) and its log.
pub fn requeue(conn: &mut DbConn, id: &DeliveryId, now: NaiveDateTime) -> ApiResult<()> {
    diesel::update(webhook_deliveries::table.find(id))
        .set((
            webhook_deliveries::status.eq(DeliveryStatus::Pending),
            webhook_deliveries::next_attempt_at.eq(Some(now)),
        ))
        .execute(conn)?;
    Ok(())
}

/// A page of `webhook`'s deliveries, newest first, of `status` if given.
pub fn deliveries(
    conn: &mut DbConn,
    webhook: &WebhookId,
    status: Option<DeliveryStatus>,
    request: &PageRequest,
) -> ApiResult<(Vec<DeliveryRow>, PageMeta)> {
    let of_webhook = || {
        let mut query = webhook_deliveries::table
            .filter(webhook_deliveries::webhook_id.eq(webhook))
            .into_boxed::<MultiBackend>();
        if let Some(status) = status {
            query = query.filter(webhook_deliveries::status.eq(status));
        }
        query
    };
    page::fetch(
        conn,
        request,
        |conn| Ok(of_webhook().count().get_result(conn)?),
        |conn, window| {
            let direction = if window.reversed {
                Direction::Asc
            } else {
                Direction::Desc
            };
            let mut query = of_webhook();
            if let Some(after) = window.after {
                let [KeyValue::Text(id)] = after.as_slice() else {
                    return Err(page::misfit());
                };
                query = match direction {
                    Direction::Desc => query.filter(webhook_deliveries::id.lt(id.clone())),
                    Direction::Asc => query.filter(webhook_deliveries::id.gt(id.clone())),
                };
            }
            query = match direction {
                Direction::Desc => query.order(webhook_deliveries::id.desc()),
                Direction::Asc => query.order(webhook_deliveries::id.asc()),
            };
            Ok(query
                .select(DeliveryRow::as_select())
                .limit(window.limit)
                .offset(window.offset)
                .load(conn)?)
        },
        |row| vec![KeyValue::Text(row.id.to_string())],
    )
}

/// Forgets finished deliveries made before `before`, and the events none refers to any more.
pub fn prune(conn: &mut DbConn, before: NaiveDateTime) -> ApiResult<usize> {
    let removed = diesel::delete(
        webhook_deliveries::table
            .filter(webhook_deliveries::created_at.lt(before))
            .filter(webhook_deliveries::status.ne(DeliveryStatus::Pending)),
    )
    .execute(conn)?;
    let referenced = webhook_deliveries::table.select(webhook_deliveries::event_id);
    diesel::delete(
        events::table
            .filter(events::created_at.lt(before))
            .filter(events::dispatched_at.is_not_null())
            .filter(diesel::dsl::not(events::id.eq_any(referenced))),
    )
    .execute(conn)?;
    Ok(removed)
}
