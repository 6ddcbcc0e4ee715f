//! What making and changing a webhook is sent, and its checking: an `http(s)` URL, and
//! events Folio sends.

use serde::Deserialize;
use utoipa::ToSchema;

use super::model::{DeliveryStatus, NewWebhook, WebhookChanges};
use crate::db::page::{CursorCodec, PageRequest};
use crate::error::{ApiError, ApiResult};
use crate::events::EventType;
use crate::query::checked;
use crate::validate::{Fields, double_option};

const DESCRIPTION_MAX: usize = 2000;
const URL_MAX: usize = 2048;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateWebhook {
    /// Where deliveries are `POST`ed: an absolute `http` or `https` URL. Addresses inside
    /// Folio's network are refused unless the server allows private targets.
    #[schema(max_length = 2048, example = "https://example.com/hooks/folio")]
    pub url: String,
    /// The events it receives: at least one.
    #[schema(min_items = 1, max_items = 23)]
    pub events: Vec<EventType>,
    /// Whether it receives events now; `true` unless sent.
    pub enabled: Option<bool>,
    #[schema(max_length = 2000)]
    pub description: Option<String>,
}

/// A change to a webhook: only the fields sent change (`description: null` clears it).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateWebhook {
    #[schema(max_length = 2048)]
    pub url: Option<String>,
    #[schema(min_items = 1, max_items = 23)]
    pub events: Option<Vec<EventType>>,
    pub enabled: Option<bool>,
    #[serde(default, with = "double_option")]
    #[schema(value_type = Option<String>, max_length = 2000)]
    pub description: Option<Option<String>>,
    /// The version you read, if not sent as `If-Match`.
    pub version: Option<i64>,
}

fn url(f: &mut Fields, value: String) -> Option<String> {
    if value.len() > URL_MAX {
        f.error(
            "url",
            "too_long",
            format!("must be at most {URL_MAX} bytes"),
        );
        return None;
    }
    f.url("url", Some(value))
}

fn events(f: &mut Fields, events: Vec<EventType>) -> Vec<EventType> {
    if events.is_empty() {
        f.error("events", "required", "name at least one event");
    }
    if events.contains(&EventType::Ping) {
        f.error(
            "events",
            "not_allowed",
            "`webhook.ping` is sent on request (`POST /webhooks/{id}/ping`), not subscribed to",
        );
    }
    let mut events = events;
    events.sort();
    events.dedup();
    events
}

impl CreateWebhook {
    pub fn validate(self) -> ApiResult<NewWebhook> {
        let mut f = Fields::new();
        let url = url(&mut f, self.url).unwrap_or_default();
        let events = events(&mut f, self.events);
        let description = f.optional("description", self.description, DESCRIPTION_MAX);
        f.finish(NewWebhook {
            url,
            events,
            enabled: self.enabled.unwrap_or(true),
            description,
        })
    }
}

impl UpdateWebhook {
    pub fn validate(self) -> ApiResult<WebhookChanges> {
        let mut f = Fields::new();
        let url = self.url.and_then(|u| url(&mut f, u));
        let events = self.events.map(|e| events(&mut f, e));
        let description = f.patch("description", self.description, DESCRIPTION_MAX);
        f.finish(WebhookChanges {
            url,
            events,
            enabled: self.enabled,
            description,
        })
    }
}

crate::paged_params!(
    /// The query of a webhook's delivery log.
    DeliveryListParams {
        /// Only deliveries in this state.
        status: Option<DeliveryStatus>,
    }
);

impl DeliveryListParams {
    pub fn parse(
        self,
        cursors: &impl CursorCodec,
    ) -> Result<(Option<DeliveryStatus>, PageRequest), ApiError> {
        let mut errors = Vec::new();
        let page = self.page_request(cursors, &mut errors);
        checked((self.status, page), errors)
    }
}
