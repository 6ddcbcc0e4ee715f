//! Anonymous reads, rendered once and then served from memory until what they show changes.
//!
//! Every committed change to content bumps `content_generation` (triggers, in the
//! migrations), whichever instance made it. A cached read is good while the generation it was
//! rendered at is still current and no scheduled post has gone live since. So each read needs
//! a [`Stamp`] read *after the request arrived* and *before the content*: an entry can then
//! only be older than its stamp claims, never newer, and a stale one is never served.
//!
//! Reads arriving together share one stamp query (see [`ResponseCache::stamp`]), so under
//! load a kept answer costs a fraction of a query, not one each.
//!
//! Only anonymous reads are kept: they show published content, the same for every reader,
//! so no draft can ever reach a reader through the cache.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use actix_web::http::header::HeaderMap;
use actix_web::web::Bytes;
use chrono::NaiveDateTime;
use tokio::sync::watch;

use crate::db::live::Stamp;
use crate::db::{Db, DbConn, now};
use crate::error::{ApiError, ApiResult};

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
    /// Answers being rendered for the cache now, by key.
    rendering: HashMap<String, Rendering>,
    /// Tells renderings apart, so that one only ever clears its own mark.
    renderings_begun: u64,
}

/// A mark that one reader is rendering a key at a generation; readers of the same key at the
/// same generation wait for it rather than render the same answer again (after a write,
/// every hot list would otherwise be rendered by every reader that asks in the meantime).
struct Rendering {
    generation: i64,
    id: u64,
    /// Becomes `true` when the answer is kept; closes, still `false`, if it was not.
    kept: watch::Receiver<bool>,
}

/// What a reader should do for a key, per [`ResponseCache::lookup`].
pub enum Lookup {
    /// Serve this.
    Hit(Arc<Entry>),
    /// Another reader is rendering it: wait with [`Lookup::wait`], then look again.
    Wait(watch::Receiver<bool>),
    /// Render it, and keep it with [`Claim::keep`]; readers who come meanwhile wait.
    Render(Claim),
}

impl Lookup {
    /// Waits for the other reader's rendering: `true` if it was kept, so that looking again
    /// finds it; `false` if it was not (not a `200`, say), so render without waiting again.
    pub async fn wait(mut kept: watch::Receiver<bool>) -> bool {
        // The sender closes when the rendering is over, kept or not.
        while kept.changed().await.is_ok() {}
        *kept.borrow()
    }
}

/// The right, and duty, to render a key for the cache. Dropping it (the answer was not
/// kept, or the request went away) lets the waiting readers render for themselves.
pub struct Claim {
    cache: Arc<ResponseCache>,
    key: String,
    stamp: Stamp,
    id: u64,
    kept: watch::Sender<bool>,
}

impl Claim {
    /// Keeps the rendered answer and hands it to the waiting readers.
    pub fn keep(self, headers: HeaderMap, body: Bytes) {
        let kept = self.cache.put(self.key.clone(), &self.stamp, headers, body);
        self.kept.send_replace(kept);
    }
}

impl Drop for Claim {
    fn drop(&mut self) {
        let mut entries = self.cache.entries();
        if entries
            .rendering
            .get(&self.key)
            .is_some_and(|r| r.id == self.id)
        {
            entries.rendering.remove(&self.key);
        }
    }
}

pub struct ResponseCache {
    /// Most bytes kept; 0 turns the cache off.
    budget: usize,
    stamp: StampQuery,
    entries: Mutex<Entries>,
    reads: Mutex<StampReads>,
    /// The last stamp read, and the last ticket it covers.
    published: watch::Sender<Reading>,
}

/// Tickets handed to requests waiting for a stamp, and whether a query is running.
struct StampReads {
    issued: u64,
    running: bool,
}

/// Why there is no stamp for a read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoStamp {
    /// The database did not answer in time: neither would it for the read itself.
    Unavailable,
    /// The query failed otherwise; the read goes on uncached.
    Failed,
}

/// A stamp query's result, good for every ticket up to `covers`: those requests had all
/// arrived before it started.
#[derive(Clone, Copy)]
struct Reading {
    covers: u64,
    stamp: Result<Stamp, NoStamp>,
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
                rendering: HashMap::new(),
                renderings_begun: 0,
            }),
            reads: Mutex::new(StampReads {
                issued: 0,
                running: false,
            }),
            published: watch::Sender::new(Reading {
                covers: 0,
                stamp: Err(NoStamp::Failed),
            }),
        }
    }

    pub fn enabled(&self) -> bool {
        self.budget > 0
    }

    /// A stamp read after this call began, or why there is none.
    ///
    /// Concurrent callers share queries, as a group commit shares a flush: each takes a
    /// ticket, and one query answers every ticket issued before it started. While a query
    /// runs, new callers wait for the next one, which the first of them starts. So no caller
    /// is answered with a stamp read before it arrived, and at most one query per instance
    /// is in flight. A query that finds the database unavailable answers its waiters too:
    /// asking again would only make each of them wait a second time.
    pub async fn stamp(&self, db: &Db) -> Result<Stamp, NoStamp> {
        let query = self.stamp;
        self.shared(|| async move {
            db.run(move |conn| query(conn, now()))
                .await
                .map_err(|err| match err {
                    ApiError::Unavailable(_) => NoStamp::Unavailable,
                    _ => NoStamp::Failed,
                })
        })
        .await
    }

    /// [`ResponseCache::stamp`] with the query given: `read` runs once per group of callers.
    async fn shared<F, R>(&self, read: F) -> Result<Stamp, NoStamp>
    where
        F: FnOnce() -> R,
        R: Future<Output = Result<Stamp, NoStamp>>,
    {
        let ticket = {
            let mut reads = lock(&self.reads);
            reads.issued += 1;
            reads.issued
        };
        let mut published = self.published.subscribe();
        loop {
            let reading = *published.borrow_and_update();
            if reading.covers >= ticket {
                return reading.stamp;
            }
            let covers = {
                let mut reads = lock(&self.reads);
                if reads.running {
                    None
                } else {
                    reads.running = true;
                    Some(reads.issued)
                }
            };
            match covers {
                Some(covers) => {
                    let mut query = Query {
                        cache: self,
                        done: false,
                    };
                    let stamp = read().await;
                    query.finish(Reading { covers, stamp });
                    return stamp;
                }
                // Published since this caller looked, or to come: either wakes it.
                None => {
                    if published.changed().await.is_err() {
                        return Err(NoStamp::Failed);
                    }
                    let reading = *published.borrow();
                    if reading.stamp == Err(NoStamp::Unavailable) {
                        return reading.stamp;
                    }
                }
            }
        }
    }

    fn entries(&self) -> std::sync::MutexGuard<'_, Entries> {
        lock(&self.entries)
    }

    /// The response kept for `key`, if it is still good at `stamp`.
    fn kept(entries: &mut Entries, key: &str, stamp: &Stamp) -> Option<Arc<Entry>> {
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

    /// The response kept for `key` at `stamp`; else whether to wait for another reader's
    /// rendering of it or to render it. A rendering is only waited for at the same
    /// generation: that reader saw every write this one's stamp saw, and read the content
    /// after, so its answer is as fresh as this reader may ask.
    pub fn lookup(self: &Arc<Self>, key: &str, stamp: &Stamp) -> Lookup {
        let mut entries = self.entries();
        if let Some(hit) = Self::kept(&mut entries, key, stamp) {
            return Lookup::Hit(hit);
        }
        if let Some(rendering) = entries.rendering.get(key)
            && rendering.generation == stamp.generation
        {
            return Lookup::Wait(rendering.kept.clone());
        }
        entries.renderings_begun += 1;
        let id = entries.renderings_begun;
        let (kept, receiver) = watch::channel(false);
        entries.rendering.insert(
            key.to_owned(),
            Rendering {
                generation: stamp.generation,
                id,
                kept: receiver,
            },
        );
        Lookup::Render(Claim {
            cache: self.clone(),
            key: key.to_owned(),
            stamp: *stamp,
            id,
            kept,
        })
    }

    /// Keeps a response rendered after `stamp` was read; `false` if it is not kept (too big,
    /// or older than what the cache has seen).
    fn put(&self, key: String, stamp: &Stamp, headers: HeaderMap, body: Bytes) -> bool {
        // Room for the key, the headers and the bookkeeping besides the body.
        let size = key.len() + body.len() + 1024;
        if size > self.budget / 4 {
            return false;
        }
        let mut entries = self.entries();
        if stamp.generation < entries.generation {
            return false;
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
        true
    }
}

/// A panic while holding either lock cannot leave its state half-changed in a harmful way:
/// at worst an entry is missing or a stamp is read once more.
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

/// The stamp query one caller runs for everyone waiting.
struct Query<'a> {
    cache: &'a ResponseCache,
    done: bool,
}

impl Query<'_> {
    fn finish(&mut self, reading: Reading) {
        self.done = true;
        lock(&self.cache.reads).running = false;
        self.cache.published.send_replace(reading);
    }
}

impl Drop for Query<'_> {
    /// A caller dropped mid-query (its client went away) must not leave the others waiting
    /// for it: they are woken, covered by nothing new, and one of them starts a query.
    fn drop(&mut self) {
        if !self.done {
            let last = *self.cache.published.borrow();
            self.finish(last);
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

    fn get(cache: &ResponseCache, key: &str, stamp: &Stamp) -> Option<Arc<Entry>> {
        ResponseCache::kept(&mut cache.entries(), key, stamp)
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
        assert!(get(&cache, "/a", &stamp(1, 150, Some(200))).is_some());
        assert!(get(&cache, "/b", &stamp(1, 150, Some(200))).is_none());
        assert!(
            get(&cache, "/a", &stamp(1, 200, None)).is_none(),
            "a scheduled post has gone live"
        );
        assert!(get(&cache, "/a", &stamp(0, 150, None)).is_none());
        assert!(get(&cache, "/a", &stamp(2, 150, None)).is_none(), "changed");
        assert!(
            get(&cache, "/a", &stamp(1, 150, None)).is_none(),
            "gone for good once a newer generation was seen"
        );
        // A response rendered from an older read is not kept once a newer one was seen.
        cache.put(
            "/a".into(),
            &stamp(1, 150, None),
            HeaderMap::new(),
            Bytes::new(),
        );
        assert!(get(&cache, "/a", &stamp(2, 150, None)).is_none());
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
            get(&cache, "/big", &s).is_none(),
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
        assert!(get(&cache, "/9", &s).is_some());
    }

    /// Where a stamp query's answer is sent.
    type Answer = tokio::sync::oneshot::Sender<Result<Stamp, NoStamp>>;

    /// Callers whose stamp queries are answered by hand, one sender per query started.
    struct Callers {
        cache: std::rc::Rc<ResponseCache>,
        queries: std::rc::Rc<std::cell::RefCell<Vec<Answer>>>,
    }

    impl Callers {
        fn new() -> Callers {
            Callers {
                cache: std::rc::Rc::new(ResponseCache::new(1 << 20, never)),
                queries: Default::default(),
            }
        }

        fn call(&self) -> actix_web::rt::task::JoinHandle<Result<Stamp, NoStamp>> {
            let (cache, queries) = (self.cache.clone(), self.queries.clone());
            actix_web::rt::spawn(async move {
                cache
                    .shared(|| {
                        let (tx, rx) = tokio::sync::oneshot::channel();
                        queries.borrow_mut().push(tx);
                        async move { rx.await.unwrap_or(Err(NoStamp::Failed)) }
                    })
                    .await
            })
        }

        fn started(&self) -> usize {
            self.queries.borrow().len()
        }

        fn answer(&self, query: usize, generation: i64) {
            self.reply(query, Ok(stamp(generation, 0, None)));
        }

        fn reply(&self, query: usize, reading: Result<Stamp, NoStamp>) {
            let tx = std::mem::replace(
                &mut self.queries.borrow_mut()[query],
                tokio::sync::oneshot::channel().0,
            );
            tx.send(reading).unwrap();
        }
    }

    async fn settle() {
        for _ in 0..20 {
            actix_web::rt::task::yield_now().await;
        }
    }

    #[actix_web::test]
    async fn callers_share_a_stamp_query_that_began_after_they_arrived() {
        let callers = Callers::new();
        let first = callers.call();
        settle().await;
        assert_eq!(callers.started(), 1);

        // These arrive while the first query runs: its answer may predate them.
        let second = callers.call();
        let third = callers.call();
        settle().await;
        assert_eq!(callers.started(), 1, "they wait instead of querying");

        callers.answer(0, 1);
        settle().await;
        assert_eq!(first.await.unwrap().unwrap().generation, 1);
        assert_eq!(callers.started(), 2, "one query for both waiting callers");
        assert!(!second.is_finished() && !third.is_finished());

        callers.answer(1, 2);
        assert_eq!(second.await.unwrap().unwrap().generation, 2);
        assert_eq!(third.await.unwrap().unwrap().generation, 2);

        // Nobody waiting: the next caller queries afresh rather than reuse the last answer.
        let fourth = callers.call();
        settle().await;
        assert_eq!(callers.started(), 3);
        callers.answer(2, 3);
        assert_eq!(fourth.await.unwrap().unwrap().generation, 3);
    }

    #[actix_web::test]
    async fn a_caller_dropped_mid_query_leaves_nobody_waiting() {
        let callers = Callers::new();
        let first = callers.call();
        settle().await;
        let second = callers.call();
        settle().await;
        first.abort();
        settle().await;
        assert_eq!(callers.started(), 2, "the waiting caller queries itself");
        callers.answer(1, 7);
        assert_eq!(second.await.unwrap().unwrap().generation, 7);
    }

    #[actix_web::test]
    async fn a_failed_query_is_no_stamp_for_its_callers() {
        let callers = Callers::new();
        let first = callers.call();
        settle().await;
        // The query's sender is dropped: the read fails.
        callers.queries.borrow_mut().clear();
        assert_eq!(first.await.unwrap(), Err(NoStamp::Failed));
    }

    #[actix_web::test]
    async fn an_unavailable_database_answers_every_waiting_caller_at_once() {
        let callers = Callers::new();
        let first = callers.call();
        settle().await;
        let (second, third) = (callers.call(), callers.call());
        settle().await;
        callers.reply(0, Err(NoStamp::Unavailable));
        settle().await;
        assert_eq!(
            callers.started(),
            1,
            "nobody waits for the database a second time"
        );
        for caller in [first, second, third] {
            assert_eq!(caller.await.unwrap(), Err(NoStamp::Unavailable));
        }
        // An ordinary failure only leaves those callers uncached: the next ones query again.
        let fourth = callers.call();
        settle().await;
        let fifth = callers.call();
        settle().await;
        callers.reply(1, Err(NoStamp::Failed));
        settle().await;
        assert_eq!(fourth.await.unwrap(), Err(NoStamp::Failed));
        assert_eq!(
            callers.started(),
            3,
            "the waiting caller queries for itself"
        );
        callers.answer(2, 4);
        assert_eq!(fifth.await.unwrap().unwrap().generation, 4);
    }

    fn claim(lookup: Lookup) -> Claim {
        match lookup {
            Lookup::Render(claim) => claim,
            _ => panic!("expected to render"),
        }
    }

    fn waits(lookup: Lookup) -> watch::Receiver<bool> {
        match lookup {
            Lookup::Wait(kept) => kept,
            _ => panic!("expected to wait"),
        }
    }

    #[actix_web::test]
    async fn readers_of_one_key_wait_for_one_rendering() {
        let cache = Arc::new(ResponseCache::new(1 << 20, never));
        let at_1 = stamp(1, 0, None);
        let first = claim(cache.lookup("/a", &at_1));
        let second = waits(cache.lookup("/a", &at_1));
        drop(claim(cache.lookup("/b", &at_1)));

        let waiting = actix_web::rt::spawn(Lookup::wait(second));
        first.keep(HeaderMap::new(), Bytes::from_static(b"{}"));
        assert!(waiting.await.unwrap(), "told that it was kept");
        assert!(matches!(cache.lookup("/a", &at_1), Lookup::Hit(_)));

        // A reader who saw a newer generation does not wait for a rendering at an older one.
        let older = claim(cache.lookup("/c", &at_1));
        let newer = claim(cache.lookup("/c", &stamp(2, 0, None)));
        older.keep(HeaderMap::new(), Bytes::from_static(b"{}"));
        assert!(matches!(
            cache.lookup("/c", &stamp(2, 0, None)),
            Lookup::Wait(_)
        ));
        drop(newer);
    }

    #[actix_web::test]
    async fn readers_render_for_themselves_when_nothing_was_kept() {
        let cache = Arc::new(ResponseCache::new(8 * 1024, never));
        let at_1 = stamp(1, 0, None);

        // The first reader's answer was not a 200: its claim is dropped.
        let first = claim(cache.lookup("/a", &at_1));
        let waiting = actix_web::rt::spawn(Lookup::wait(waits(cache.lookup("/a", &at_1))));
        drop(first);
        assert!(!waiting.await.unwrap());

        // Too big to keep: the waiting reader is told so rather than wait in turn.
        let first = claim(cache.lookup("/a", &at_1));
        let waiting = actix_web::rt::spawn(Lookup::wait(waits(cache.lookup("/a", &at_1))));
        first.keep(HeaderMap::new(), Bytes::from(vec![0; 4096]));
        assert!(!waiting.await.unwrap());
        assert!(matches!(cache.lookup("/a", &at_1), Lookup::Render(_)));
    }
}
