//! The outbox: what changed, written in the transaction that changed it, with a delivery
//! queued for every webhook that asked for it. A write that is refused or rolled back leaves
//! no event; one that commits cannot lose its events.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde_json::{Map, Value, json};

use crate::db::schema::{events, webhook_deliveries, webhooks};
use crate::db::{DbConn, utc};
use crate::error::ApiResult;
use crate::ids::{DeliveryId, EventId, WebhookId};
use crate::jobs::{self, Job};
use crate::site::Site;

/// What can happen, under Ghost's names.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    serde::Serialize,
    serde::Deserialize,
    utoipa::ToSchema,
    diesel::AsExpression,
    diesel::FromSqlRow,
)]
#[diesel(sql_type = diesel::sql_types::Text)]
pub enum EventType {
    #[serde(rename = "post.added")]
    PostAdded,
    #[serde(rename = "post.edited")]
    PostEdited,
    #[serde(rename = "post.deleted")]
    PostDeleted,
    #[serde(rename = "post.published")]
    PostPublished,
    #[serde(rename = "post.published.edited")]
    PostPublishedEdited,
    #[serde(rename = "post.unpublished")]
    PostUnpublished,
    #[serde(rename = "post.scheduled")]
    PostScheduled,
    #[serde(rename = "post.unscheduled")]
    PostUnscheduled,
    #[serde(rename = "page.added")]
    PageAdded,
    #[serde(rename = "page.edited")]
    PageEdited,
    #[serde(rename = "page.deleted")]
    PageDeleted,
    #[serde(rename = "page.published")]
    PagePublished,
    #[serde(rename = "page.published.edited")]
    PagePublishedEdited,
    #[serde(rename = "page.unpublished")]
    PageUnpublished,
    #[serde(rename = "page.scheduled")]
    PageScheduled,
    #[serde(rename = "page.unscheduled")]
    PageUnscheduled,
    #[serde(rename = "tag.added")]
    TagAdded,
    #[serde(rename = "tag.edited")]
    TagEdited,
    #[serde(rename = "tag.deleted")]
    TagDeleted,
    #[serde(rename = "author.added")]
    AuthorAdded,
    #[serde(rename = "author.edited")]
    AuthorEdited,
    #[serde(rename = "author.deleted")]
    AuthorDeleted,
    #[serde(rename = "media.added")]
    MediaAdded,
    /// Its description changed, or its variants became ready.
    #[serde(rename = "media.edited")]
    MediaEdited,
    #[serde(rename = "media.deleted")]
    MediaDeleted,
    /// Something readers see changed: a frontend that caches whole pages rebuilds.
    #[serde(rename = "site.changed")]
    SiteChanged,
    /// Sent to one webhook when asked, to try it; never subscribed to.
    #[serde(rename = "webhook.ping")]
    Ping,
}

crate::text_enum!(EventType, "event", {
    PostAdded => "post.added",
    PostEdited => "post.edited",
    PostDeleted => "post.deleted",
    PostPublished => "post.published",
    PostPublishedEdited => "post.published.edited",
    PostUnpublished => "post.unpublished",
    PostScheduled => "post.scheduled",
    PostUnscheduled => "post.unscheduled",
    PageAdded => "page.added",
    PageEdited => "page.edited",
    PageDeleted => "page.deleted",
    PagePublished => "page.published",
    PagePublishedEdited => "page.published.edited",
    PageUnpublished => "page.unpublished",
    PageScheduled => "page.scheduled",
    PageUnscheduled => "page.unscheduled",
    TagAdded => "tag.added",
    TagEdited => "tag.edited",
    TagDeleted => "tag.deleted",
    AuthorAdded => "author.added",
    AuthorEdited => "author.edited",
    AuthorDeleted => "author.deleted",
    MediaAdded => "media.added",
    MediaEdited => "media.edited",
    MediaDeleted => "media.deleted",
    SiteChanged => "site.changed",
    Ping => "webhook.ping",
});

impl EventType {
    /// Every event a webhook may ask for.
    pub const SUBSCRIBABLE: [EventType; 26] = [
        EventType::PostAdded,
        EventType::PostEdited,
        EventType::PostDeleted,
        EventType::PostPublished,
        EventType::PostPublishedEdited,
        EventType::PostUnpublished,
        EventType::PostScheduled,
        EventType::PostUnscheduled,
        EventType::PageAdded,
        EventType::PageEdited,
        EventType::PageDeleted,
        EventType::PagePublished,
        EventType::PagePublishedEdited,
        EventType::PageUnpublished,
        EventType::PageScheduled,
        EventType::PageUnscheduled,
        EventType::TagAdded,
        EventType::TagEdited,
        EventType::TagDeleted,
        EventType::AuthorAdded,
        EventType::AuthorEdited,
        EventType::AuthorDeleted,
        EventType::MediaAdded,
        EventType::MediaEdited,
        EventType::MediaDeleted,
        EventType::SiteChanged,
    ];
}

/// What an event is about: the key its representation goes under in the body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject {
    Post,
    Page,
    Tag,
    Author,
    Media,
}

impl Subject {
    fn key(self) -> &'static str {
        match self {
            Subject::Post => "post",
            Subject::Page => "page",
            Subject::Tag => "tag",
            Subject::Author => "author",
            Subject::Media => "media",
        }
    }
}

/// Where a post or page stands for readers, before or after a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    Draft,
    /// Scheduled, its time not yet come; `at` is the time.
    Scheduled {
        at: NaiveDateTime,
    },
    /// Live: published, or scheduled and its time come.
    Published,
}

/// The events a change of a post (or page, `page`) from `before` to `after` makes: `None`
/// is "did not exist" and "no longer exists".
pub fn post_events(
    page: bool,
    before: Option<Standing>,
    after: Option<Standing>,
) -> Vec<EventType> {
    use EventType::*;
    use Standing::*;
    let pick = |post: EventType, page_event: EventType| if page { page_event } else { post };
    let mut out = Vec::new();
    match (before, after) {
        (None, None) => {}
        (None, Some(now)) => {
            out.push(pick(PostAdded, PageAdded));
            match now {
                Published => out.push(pick(PostPublished, PagePublished)),
                Scheduled { .. } => out.push(pick(PostScheduled, PageScheduled)),
                Draft => {}
            }
        }
        (Some(_), None) => out.push(pick(PostDeleted, PageDeleted)),
        (Some(was), Some(now)) => {
            out.push(pick(PostEdited, PageEdited));
            match (was, now) {
                (Published, Published) => out.push(pick(PostPublishedEdited, PagePublishedEdited)),
                (Published, _) => out.push(pick(PostUnpublished, PageUnpublished)),
                (_, Published) => out.push(pick(PostPublished, PagePublished)),
                (Scheduled { at: a }, Scheduled { at: b }) if a != b => {
                    out.push(pick(PostScheduled, PageScheduled))
                }
                (Draft, Scheduled { .. }) => out.push(pick(PostScheduled, PageScheduled)),
                (Scheduled { .. }, Draft) => out.push(pick(PostUnscheduled, PageUnscheduled)),
                _ => {}
            }
        }
    }
    out
}

/// The enabled webhooks and what each asked for, read once per write.
#[derive(Debug, Default)]
pub struct Subscribers(Vec<(WebhookId, Vec<EventType>)>);

impl Subscribers {
    pub fn load(conn: &mut DbConn) -> ApiResult<Subscribers> {
        let rows: Vec<(WebhookId, String)> = webhooks::table
            .filter(webhooks::enabled.eq(true))
            .select((webhooks::id, webhooks::events))
            .load(conn)?;
        Ok(Subscribers(
            rows.into_iter()
                .map(|(id, events)| (id, parse_list(&events)))
                .collect(),
        ))
    }

    pub fn want(&self, event: EventType) -> bool {
        self.0.iter().any(|(_, wanted)| wanted.contains(&event))
    }

    pub fn want_any(&self, events: &[EventType]) -> bool {
        events.iter().any(|e| self.want(*e))
    }
}

/// A stored list of event types (space-separated). Types a newer version wrote and this one
/// does not know are left out.
pub fn parse_list(stored: &str) -> Vec<EventType> {
    stored
        .split_whitespace()
        .filter_map(|name| name.parse().ok())
        .collect()
}

/// How a list of event types is stored.
pub fn store_list(events: &[EventType]) -> String {
    events
        .iter()
        .map(|e| e.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The body every delivery of an event sends: Ghost's shape, with the event's type and time.
pub fn body(event: EventType, at: NaiveDateTime, data: Value) -> Value {
    json!({
        "type": event.as_str(),
        "timestamp": utc(at).to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
        "data": data,
    })
}

/// The `data` of an event about `subject`: its public representation now (`{}` once deleted)
/// and, of what it was, the fields that changed (all of them once deleted).
pub fn change_data(subject: Subject, before: Option<Value>, after: Option<Value>) -> Value {
    let previous = match (&before, &after) {
        (Some(Value::Object(was)), Some(Value::Object(now))) => {
            let mut changed = Map::new();
            for (key, old) in was {
                if now.get(key) != Some(old) {
                    changed.insert(key.clone(), old.clone());
                }
            }
            Value::Object(changed)
        }
        (Some(was), None) => was.clone(),
        _ => json!({}),
    };
    let current = after.unwrap_or_else(|| json!({}));
    json!({ subject.key(): { "current": current, "previous": previous } })
}

/// Stores an event for the worker to hand to the webhooks that want it; answers its id.
/// `dispatched` marks one already handed out (a ping, queued for one webhook by itself).
pub fn write(
    conn: &mut DbConn,
    event: EventType,
    data: Value,
    at: NaiveDateTime,
    dispatched: bool,
) -> ApiResult<EventId> {
    let id = EventId::generate();
    diesel::insert_into(events::table)
        .values((
            events::id.eq(&id),
            events::event_type.eq(event.as_str()),
            events::body.eq(body(event, at, data).to_string()),
            events::created_at.eq(at),
            events::dispatched_at.eq(dispatched.then_some(at)),
        ))
        .execute(conn)?;
    Ok(id)
}

/// Queues one delivery of `event` to `webhook`, to be tried at once.
pub fn queue_delivery(
    conn: &mut DbConn,
    webhook: &WebhookId,
    event: &EventId,
    event_type: EventType,
    at: NaiveDateTime,
) -> ApiResult<DeliveryId> {
    let id = insert_delivery(conn, webhook, event, event_type, at)?;
    jobs::notify(conn)?;
    Ok(id)
}

/// A delivery and its job, without telling the workers (the caller does, once).
fn insert_delivery(
    conn: &mut DbConn,
    webhook: &WebhookId,
    event: &EventId,
    event_type: EventType,
    at: NaiveDateTime,
) -> ApiResult<DeliveryId> {
    let id = DeliveryId::generate();
    diesel::insert_into(webhook_deliveries::table)
        .values((
            webhook_deliveries::id.eq(&id),
            webhook_deliveries::webhook_id.eq(webhook),
            webhook_deliveries::event_id.eq(event),
            webhook_deliveries::event_type.eq(event_type.as_str()),
            webhook_deliveries::status.eq("pending"),
            webhook_deliveries::attempts.eq(0),
            webhook_deliveries::next_attempt_at.eq(Some(at)),
            webhook_deliveries::created_at.eq(at),
        ))
        .execute(conn)?;
    jobs::insert(
        conn,
        &Job::Deliver {
            delivery: id.clone(),
        },
        at,
    )?;
    Ok(id)
}

#[derive(QueryableByName)]
struct Undispatched {
    #[diesel(sql_type = diesel::sql_types::Text)]
    id: String,
    #[diesel(sql_type = diesel::sql_types::Text)]
    event_type: String,
}

/// Whether events wait to be dispatched: a read, so that a worker with nothing to hand out
/// takes no write lock.
pub fn any_undispatched(conn: &mut DbConn) -> ApiResult<bool> {
    Ok(diesel::select(diesel::dsl::exists(
        events::table.filter(events::dispatched_at.is_null()),
    ))
    .get_result(conn)?)
}

/// Hands up to `limit` undispatched events, oldest first, to the webhooks that want them now
/// (a delivery and its job each) and marks them dispatched, in one transaction; answers how
/// many. On PostgreSQL instances doing this at once take different events (`SKIP LOCKED`).
pub fn dispatch(conn: &mut DbConn, limit: i64) -> ApiResult<usize> {
    crate::db::write_transaction(conn, |conn| {
        let (sql, lock) = match conn {
            DbConn::Postgres(_) => ("$1", " FOR UPDATE SKIP LOCKED"),
            DbConn::Sqlite(_) => ("?", ""),
        };
        let sql = format!(
            "SELECT id, event_type FROM events WHERE dispatched_at IS NULL \
             ORDER BY created_at LIMIT {sql}{lock}"
        );
        let pending: Vec<Undispatched> = match conn {
            DbConn::Postgres(c) => diesel::sql_query(&sql)
                .bind::<diesel::sql_types::BigInt, _>(limit)
                .load(c)?,
            DbConn::Sqlite(c) => diesel::sql_query(&sql)
                .bind::<diesel::sql_types::BigInt, _>(limit)
                .load(c)?,
        };
        if pending.is_empty() {
            return Ok(0);
        }
        let now = crate::db::now();
        let subscribers = Subscribers::load(conn)?;
        let mut ids = Vec::with_capacity(pending.len());
        for event in pending {
            let id = EventId::from(event.id);
            if let Ok(event_type) = event.event_type.parse::<EventType>() {
                for (webhook, wanted) in &subscribers.0 {
                    if wanted.contains(&event_type) {
                        insert_delivery(conn, webhook, &id, event_type, now)?;
                    }
                }
            }
            ids.push(id);
        }
        diesel::update(events::table.filter(events::id.eq_any(&ids)))
            .set(events::dispatched_at.eq(Some(now)))
            .execute(conn)?;
        jobs::notify(conn)?;
        Ok(ids.len())
    })
}

/// Announces one change inside its transaction: `events` with the change's `data`, and
/// `site.changed` when readers see the difference (`public`). Each is worked out only when
/// some webhook wants what it decides.
pub fn announce(
    conn: &mut DbConn,
    events: &[EventType],
    public: impl FnOnce(&mut DbConn) -> ApiResult<bool>,
    at: NaiveDateTime,
    data: impl FnOnce(&mut DbConn) -> ApiResult<Value>,
) -> ApiResult<()> {
    let subscribers = Subscribers::load(conn)?;
    let mut written = false;
    if subscribers.want_any(events) {
        let data = data(conn)?;
        for event in events.iter().filter(|e| subscribers.want(**e)) {
            write(conn, *event, data.clone(), at, false)?;
            written = true;
        }
    }
    if subscribers.want(EventType::SiteChanged) && public(conn)? {
        write(conn, EventType::SiteChanged, json!({}), at, false)?;
        written = true;
    }
    if written {
        jobs::notify(conn)?;
    }
    Ok(())
}

/// Announces a change of a tag, author or media (`subject`) from `before` to `after` (`None`: did
/// not or no longer exists), shown by `render`; `public` when readers see the difference.
pub fn announce_named<R: Clone>(
    conn: &mut DbConn,
    subject: Subject,
    before: Option<&R>,
    after: Option<&R>,
    public: impl FnOnce(&mut DbConn) -> ApiResult<bool>,
    render: impl Fn(R, &Site) -> Value,
) -> ApiResult<()> {
    use EventType::*;
    let event = match (subject, before.is_some(), after.is_some()) {
        (_, false, false) => return Ok(()),
        (Subject::Tag, false, true) => TagAdded,
        (Subject::Tag, true, true) => TagEdited,
        (Subject::Tag, true, false) => TagDeleted,
        (Subject::Media, false, true) => MediaAdded,
        (Subject::Media, true, true) => MediaEdited,
        (Subject::Media, true, false) => MediaDeleted,
        (_, false, true) => AuthorAdded,
        (_, true, true) => AuthorEdited,
        (_, true, false) => AuthorDeleted,
    };
    events_now(conn, &[event], public, |conn| {
        let site = Site::load(conn)?;
        let shown = |r: &R| render(r.clone(), &site);
        Ok(change_data(subject, before.map(shown), after.map(shown)))
    })
}

/// [`announce`], now.
pub fn events_now(
    conn: &mut DbConn,
    events: &[EventType],
    public: impl FnOnce(&mut DbConn) -> ApiResult<bool>,
    data: impl FnOnce(&mut DbConn) -> ApiResult<Value>,
) -> ApiResult<()> {
    announce(conn, events, public, crate::db::now(), data)
}

#[cfg(test)]
mod tests {
    use super::EventType::*;
    use super::{EventType, Standing, Subject, change_data, parse_list, post_events, store_list};
    use chrono::NaiveDate;
    use serde_json::json;

    #[test]
    fn every_change_of_standing_has_its_events() {
        let at = NaiveDate::from_ymd_opt(2030, 1, 1)
            .unwrap()
            .and_hms_opt(9, 0, 0)
            .unwrap();
        let later = at + chrono::TimeDelta::hours(1);
        let (d, s, p) = (
            Standing::Draft,
            Standing::Scheduled { at },
            Standing::Published,
        );
        let cases: [(Option<Standing>, Option<Standing>, &[EventType]); 13] = [
            (None, Some(d), &[PostAdded]),
            (None, Some(p), &[PostAdded, PostPublished]),
            (None, Some(s), &[PostAdded, PostScheduled]),
            (Some(d), None, &[PostDeleted]),
            (Some(p), None, &[PostDeleted]),
            (Some(d), Some(d), &[PostEdited]),
            (Some(d), Some(p), &[PostEdited, PostPublished]),
            (Some(p), Some(p), &[PostEdited, PostPublishedEdited]),
            (Some(p), Some(d), &[PostEdited, PostUnpublished]),
            (Some(d), Some(s), &[PostEdited, PostScheduled]),
            (Some(s), Some(d), &[PostEdited, PostUnscheduled]),
            (Some(s), Some(s), &[PostEdited]),
            (
                Some(s),
                Some(Standing::Scheduled { at: later }),
                &[PostEdited, PostScheduled],
            ),
        ];
        for (before, after, events) in cases {
            assert_eq!(
                post_events(false, before, after),
                events,
                "{before:?} → {after:?}"
            );
        }
        assert_eq!(
            post_events(true, Some(s), Some(p)),
            [PageEdited, PagePublished]
        );
    }

    #[test]
    fn previous_holds_only_what_changed_and_all_of_a_deleted_resource() {
        let was = json!({"title": "A", "slug": "a", "version": 1});
        let now = json!({"title": "B", "slug": "a", "version": 2});
        assert_eq!(
            change_data(Subject::Post, Some(was.clone()), Some(now.clone())),
            json!({"post": {"current": now, "previous": {"title": "A", "version": 1}}})
        );
        assert_eq!(
            change_data(Subject::Tag, None, Some(now.clone())),
            json!({"tag": {"current": now, "previous": {}}})
        );
        assert_eq!(
            change_data(Subject::Page, Some(was.clone()), None),
            json!({"page": {"current": {}, "previous": was}})
        );
    }

    #[test]
    fn lists_of_event_types_are_stored_and_read_back() {
        let list = [PostPublished, SiteChanged, PagePublishedEdited];
        assert_eq!(parse_list(&store_list(&list)), list);
        assert_eq!(parse_list("post.added comment.added"), [PostAdded]);
        for event in EventType::SUBSCRIBABLE.into_iter().chain([Ping]) {
            assert_eq!(event.as_str().parse::<EventType>(), Ok(event));
            let named = serde_json::to_value(event).unwrap();
            assert_eq!(named, event.as_str(), "the API names it as it is stored");
        }
    }
}
