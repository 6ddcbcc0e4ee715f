//! Anonymous reads, rendered once and then served from memory until what they show changes.
//!
//! Every committed change to content bumps `content_generation` (triggers, in the
//! migrations), whichever instance made it. A cached read is good while the generation it was
//! rendered at is still current and no scheduled post has gone live since. So each read costs
//! one small query for the [`Stamp`], read *before* the content: an entry can then only be
//! older than its stamp claims, never newer, and a stale one is never served.
//!
//! Only anonymous reads are kept: they show published content, the same for every reader,
//! so no draft can ever reach a reader through the cache.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use actix_web::http::header::HeaderMap;
use actix_web::web::Bytes;
use chrono::NaiveDateTime;

use super::error::ApiResult;
use crate::db::{Db, DbConn, now};

/// How fresh the content is, as the database says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    /// Grows with every committed change to content.
    pub generation: i64,
    /// When the next scheduled post goes live, if any is waiting.
    pub next_live: Option<NaiveDateTime>,
    /// When the stamp was read.
    pub at: NaiveDateTime,
}

/// Reads the [`Stamp`] at `now`.
pub type StampQuery = fn(&mut DbConn, NaiveDateTime) -> ApiResult<Stamp>;

/// A response as it was sent: its headers (validators included) and its bytes.
pub struct Entry {
    pub headers: HeaderMap,
    pub body: Bytes,
    /// Good until then: a scheduled post goes live.
    until: Option<NaiveDateTime>,
}

struct Entries {
    generation: i64,
    bytes: usize,
    map: HashMap<String, Arc<Entry>>,
}

pub struct ResponseCache {
    /// Most bytes kept; 0 turns the cache off.
    budget: usize,
    stamp: StampQuery,
    entries: Mutex<Entries>,
}

impl ResponseCache {
    pub fn new(budget: usize, stamp: StampQuery) -> ResponseCache {
        ResponseCache {
            budget,
            stamp,
            entries: Mutex::new(Entries {
                generation: i64::MIN,
                bytes: 0,
                map: HashMap::new(),
            }),
        }
    }

    pub fn enabled(&self) -> bool {
        self.budget > 0
    }

    /// Reads the stamp, on the blocking pool.
    pub async fn stamp(&self, db: &Db) -> ApiResult<Stamp> {
        let query = self.stamp;
        db.run(move |conn| query(conn, now())).await
    }

    fn entries(&self) -> std::sync::MutexGuard<'_, Entries> {
        // A panic while holding the lock cannot leave the map half-changed in a harmful way:
        // at worst an entry is missing.
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The response kept for `key`, if it is still good at `stamp`.
    pub fn get(&self, key: &str, stamp: &Stamp) -> Option<Arc<Entry>> {
        let mut entries = self.entries();
        if stamp.generation > entries.generation {
            // Everything kept is older than the content now: let it all go.
            entries.map.clear();
            entries.bytes = 0;
            entries.generation = stamp.generation;
            return None;
        }
        if stamp.generation < entries.generation {
            return None;
        }
        let entry = entries.map.get(key)?;
        match entry.until {
            Some(until) if stamp.at >= until => None,
            _ => Some(entry.clone()),
        }
    }

    /// Keeps a response rendered after `stamp` was read.
    pub fn put(&self, key: String, stamp: &Stamp, headers: HeaderMap, body: Bytes) {
        // Room for the key, the headers and the bookkeeping besides the body.
        let size = key.len() + body.len() + 1024;
        if size > self.budget / 4 {
            return;
        }
        let mut entries = self.entries();
        if stamp.generation < entries.generation {
            return;
        }
        if stamp.generation > entries.generation || entries.bytes + size > self.budget {
            entries.map.clear();
            entries.bytes = 0;
            entries.generation = stamp.generation;
        }
        let entry = Entry {
            headers,
            body,
            until: stamp.next_live,
        };
        let replaced = entries.map.insert(key.clone(), Arc::new(entry));
        entries.bytes += size;
        if let Some(old) = replaced {
            entries.bytes -= key.len() + old.body.len() + 1024;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stamp(generation: i64, at: i64, next_live: Option<i64>) -> Stamp {
        let time = |s| chrono::DateTime::from_timestamp(s, 0).unwrap().naive_utc();
        Stamp {
            generation,
            next_live: next_live.map(time),
            at: time(at),
        }
    }

    fn never(_: &mut DbConn, _: NaiveDateTime) -> ApiResult<Stamp> {
        unreachable!("the stamp is given in these tests")
    }

    #[test]
    fn keeps_a_response_until_the_content_changes_or_a_post_goes_live() {
        let cache = ResponseCache::new(1 << 20, never);
        let body = Bytes::from_static(b"{\"data\":[]}");
        cache.put(
            "/a".into(),
            &stamp(1, 100, Some(200)),
            HeaderMap::new(),
            body,
        );
        assert!(cache.get("/a", &stamp(1, 150, Some(200))).is_some());
        assert!(cache.get("/b", &stamp(1, 150, Some(200))).is_none());
        assert!(
            cache.get("/a", &stamp(1, 200, None)).is_none(),
            "a scheduled post has gone live"
        );
        assert!(cache.get("/a", &stamp(0, 150, None)).is_none());
        assert!(cache.get("/a", &stamp(2, 150, None)).is_none(), "changed");
        assert!(
            cache.get("/a", &stamp(1, 150, None)).is_none(),
            "gone for good once a newer generation was seen"
        );
        // A response rendered from an older read is not kept once a newer one was seen.
        cache.put(
            "/a".into(),
            &stamp(1, 150, None),
            HeaderMap::new(),
            Bytes::new(),
        );
        assert!(cache.get("/a", &stamp(2, 150, None)).is_none());
    }

    #[test]
    fn stays_within_its_budget() {
        let cache = ResponseCache::new(8 * 1024, never);
        let s = stamp(1, 0, None);
        cache.put(
            "/big".into(),
            &s,
            HeaderMap::new(),
            Bytes::from(vec![0; 4096]),
        );
        assert!(
            cache.get("/big", &s).is_none(),
            "over a quarter of the budget"
        );
        for i in 0..10 {
            cache.put(
                format!("/{i}"),
                &s,
                HeaderMap::new(),
                Bytes::from(vec![0; 500]),
            );
        }
        assert!(cache.entries().bytes <= 8 * 1024);
        assert!(cache.get("/9", &s).is_some());
    }
}
