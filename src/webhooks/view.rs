//! Webhooks and deliveries as the API shows them: a webhook's secret only once, when it is
//! made or rotated.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::model::{DeliveryRow, DeliveryStatus, WebhookRow};
use crate::db::utc;
use crate::events::{EventType, parse_list};
use crate::ids::{DeliveryId, EventId, WebhookId};

/// A webhook: where events go.
#[derive(Debug, Serialize, ToSchema)]
pub struct Webhook {
    #[schema(value_type = String)]
    pub id: WebhookId,
    /// Where deliveries are `POST`ed.
    pub url: String,
    /// The events it receives.
    pub events: Vec<EventType>,
    /// A disabled webhook receives nothing, and what was pending for it is given up.
    pub enabled: bool,
    pub description: Option<String>,
    /// Why Folio disabled it, if it did (the receiver answered `410 Gone`). Enabling it
    /// again clears this.
    pub disabled_reason: Option<String>,
    /// Until when the secret it had before its last rotation still signs beside the new one.
    pub previous_secret_expires_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Grows by one on every change; send it back (or the `ETag`) when you change it.
    pub version: i64,
}

impl Webhook {
    pub fn view(row: WebhookRow) -> Webhook {
        Webhook {
            id: row.id,
            url: row.url,
            events: parse_list(&row.events),
            enabled: row.enabled,
            description: row.description,
            disabled_reason: row.disabled_reason,
            previous_secret_expires_at: row.previous_secret.and(row.previous_secret_until).map(utc),
            created_at: utc(row.created_at),
            updated_at: utc(row.updated_at),
            version: row.version,
        }
    }
}

impl crate::http::Modified for Webhook {
    fn last_modified(&self) -> DateTime<Utc> {
        self.updated_at
    }
}

/// A webhook with its signing secret: shown this once.
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookWithSecret {
    #[serde(flatten)]
    pub webhook: Webhook,
    /// Verifies the `webhook-signature` of every delivery (Standard Webhooks). It cannot be
    /// shown again: keep it now.
    #[schema(example = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")]
    pub secret: String,
}

impl crate::http::Modified for WebhookWithSecret {
    fn last_modified(&self) -> DateTime<Utc> {
        self.webhook.updated_at
    }
}

/// Every webhook, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookList {
    pub data: Vec<Webhook>,
}

/// One event's delivery to one webhook, with every attempt's outcome.
#[derive(Debug, Serialize, ToSchema)]
pub struct Delivery {
    /// Sent as `webhook-id`, the same on every attempt and redelivery: receivers drop
    /// deliveries they have seen.
    #[schema(value_type = String)]
    pub id: DeliveryId,
    #[schema(value_type = String)]
    pub event_id: EventId,
    pub event_type: EventType,
    pub status: DeliveryStatus,
    /// Attempts made so far.
    pub attempts: i32,
    /// When the next attempt is due, while it is pending.
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub last_attempt_at: Option<DateTime<Utc>>,
    /// The receiver's status code at the last attempt; `null` when it did not answer.
    pub response_status: Option<i32>,
    /// How long the last attempt took, in milliseconds.
    pub latency_ms: Option<i32>,
    /// The first KiB of the receiver's last answer.
    pub response_body: Option<String>,
    /// What went wrong at the last attempt.
    pub error: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl Delivery {
    pub fn view(row: DeliveryRow) -> Delivery {
        Delivery {
            id: row.id,
            event_id: row.event_id,
            event_type: row.event_type.parse().unwrap_or(EventType::Ping),
            status: row.status,
            attempts: row.attempts,
            next_attempt_at: row.next_attempt_at.map(utc),
            last_attempt_at: row.last_attempt_at.map(utc),
            response_status: row.response_status,
            latency_ms: row.latency_ms,
            response_body: row.response_body,
            error: row.error,
            created_at: utc(row.created_at),
        }
    }
}

impl crate::http::Modified for Delivery {
    fn last_modified(&self) -> DateTime<Utc> {
        self.last_attempt_at.unwrap_or(self.created_at)
    }
}

crate::list_schema!(
    DeliveryList,
    Delivery,
    "A page of deliveries, newest first."
);
