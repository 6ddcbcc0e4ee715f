//! The durable job queue, in the database Folio already has: typed jobs written in the
//! transaction that makes them necessary, claimed by leasing them, so that each runs once
//! however many instances share the database, and again elsewhere when the instance that
//! held it died.

pub mod listen;

use std::time::Duration;

use chrono::{NaiveDateTime, TimeDelta};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Text, Timestamp};
use serde::{Deserialize, Serialize};

use crate::db::schema::jobs;
use crate::db::{DbConn, now};
use crate::error::ApiResult;
use crate::ids::{DeliveryId, JobId, MediaId, PostId};

/// The channel a PostgreSQL transaction that queues a job notifies on commit.
pub const CHANNEL: &str = "folio_jobs";

/// Work the queue knows how to do. Stored as its kind and a JSON payload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Job {
    /// Publish a scheduled post or page whose time has come, and announce it.
    Publish { post: PostId },
    /// Send one event to one webhook (one attempt; a failure queues the next).
    Deliver { delivery: DeliveryId },
    /// Forget deliveries past their retention, then come back in a while.
    Prune,
    /// Make the responsive variants of an uploaded image.
    Variants { media: MediaId },
    /// Delete the stored objects that no media record has any more.
    Sweep,
}

impl Job {
    fn kind(&self) -> &'static str {
        match self {
            Job::Publish { .. } => "publish",
            Job::Deliver { .. } => "deliver",
            Job::Prune => "prune",
            Job::Variants { .. } => "variants",
            Job::Sweep => "sweep",
        }
    }

    fn payload(&self) -> String {
        let mut value = serde_json::to_value(self).expect("a job serialises");
        if let Some(object) = value.as_object_mut() {
            object.remove("kind");
        }
        value.to_string()
    }

    fn parse(kind: &str, payload: &str) -> Result<Job, String> {
        let mut value: serde_json::Value =
            serde_json::from_str(payload).map_err(|e| format!("payload: {e}"))?;
        let object = value
            .as_object_mut()
            .ok_or_else(|| "payload: not an object".to_owned())?;
        object.insert("kind".into(), kind.into());
        serde_json::from_value(value).map_err(|e| format!("job `{kind}`: {e}"))
    }
}

/// Wakes the workers of this process.
pub fn wake() {
    crate::db::wake_workers();
}

/// Resolves at the next [`wake`], or commit of queued work, after it was made (register it
/// before looking for work).
pub fn woken() -> tokio::sync::futures::Notified<'static> {
    crate::db::work_committed()
}

/// Queues `job` to run at `run_at` (now, or later), as part of the caller's transaction:
/// rolled back with it, and announced to every instance when it commits.
pub fn enqueue(conn: &mut DbConn, job: &Job, run_at: NaiveDateTime) -> ApiResult<JobId> {
    let id = insert(conn, job, run_at)?;
    notify(conn)?;
    Ok(id)
}

/// Queues `job` without telling the workers: for callers that queue many, then
/// [`notify`] once.
pub fn insert(conn: &mut DbConn, job: &Job, run_at: NaiveDateTime) -> ApiResult<JobId> {
    let id = JobId::generate();
    diesel::insert_into(jobs::table)
        .values((
            jobs::id.eq(&id),
            jobs::kind.eq(job.kind()),
            jobs::payload.eq(job.payload()),
            jobs::run_at.eq(run_at),
            jobs::attempts.eq(0),
            jobs::created_at.eq(now()),
        ))
        .execute(conn)?;
    Ok(id)
}

/// Tells every worker there is work once the transaction commits: this process's, and on
/// PostgreSQL every instance's (the notifications of one transaction are sent once).
pub fn notify(conn: &mut DbConn) -> ApiResult<()> {
    if let DbConn::Postgres(pg) = conn {
        diesel::sql_query(format!("NOTIFY {CHANNEL}")).execute(pg)?;
    }
    crate::db::work_queued(conn);
    Ok(())
}

/// Queues `job` unless one of its kind is already queued (a recurring job: one per database).
pub fn ensure(conn: &mut DbConn, job: &Job, run_at: NaiveDateTime) -> ApiResult<()> {
    crate::db::write_transaction(conn, |conn| {
        let queued: i64 = jobs::table
            .filter(jobs::kind.eq(job.kind()))
            .count()
            .get_result(conn)?;
        if queued == 0 {
            enqueue(conn, job, run_at)?;
        }
        Ok(())
    })
}

/// A job this instance holds the lease of.
#[derive(Debug, Clone)]
pub struct Claimed {
    pub id: JobId,
    /// The job, or why its row could not be read as one.
    pub job: Result<Job, String>,
    /// Claims so far, this one included.
    pub attempts: i32,
    /// Who holds it: only the holder may finish it.
    holder: String,
}

#[derive(QueryableByName)]
struct ClaimedRow {
    #[diesel(sql_type = Text)]
    id: String,
    #[diesel(sql_type = Text)]
    kind: String,
    #[diesel(sql_type = Text)]
    payload: String,
    #[diesel(sql_type = Integer)]
    attempts: i32,
}

/// Leases up to `limit` due jobs to `holder` for `lease`, oldest first. On PostgreSQL the
/// rows are picked with `FOR UPDATE SKIP LOCKED`, so instances claiming at once each get
/// different jobs without waiting for one another; SQLite has one writer at a time anyway.
/// A job whose lease ran out (its instance died or hung) is due again.
pub fn claim(
    conn: &mut DbConn,
    holder: &str,
    lease: Duration,
    limit: i64,
) -> ApiResult<Vec<Claimed>> {
    let now = now();
    let until = now + TimeDelta::from_std(lease).unwrap_or(TimeDelta::MAX);
    // Placeholders in the order they are bound: SQLite numbers `$n` by first appearance.
    let (sql, pick_lock) = match conn {
        DbConn::Postgres(_) => (["$1", "$2", "$3", "$4", "$5"], " FOR UPDATE SKIP LOCKED"),
        DbConn::Sqlite(_) => (["?", "?", "?", "?", "?"], ""),
    };
    let [until_at, by, due_at, free_at, most] = sql;
    let sql = format!(
        "UPDATE jobs SET lease_until = {until_at}, leased_by = {by}, attempts = attempts + 1 \
         WHERE id IN (SELECT id FROM jobs WHERE run_at <= {due_at} \
         AND (lease_until IS NULL OR lease_until < {free_at}) ORDER BY run_at LIMIT {most}{pick_lock}) \
         RETURNING id, kind, payload, attempts"
    );
    let rows: Vec<ClaimedRow> = crate::db::write_transaction(conn, |conn| {
        macro_rules! run {
            ($c:expr) => {
                diesel::sql_query(&sql)
                    .bind::<Timestamp, _>(until)
                    .bind::<Text, _>(holder)
                    .bind::<Timestamp, _>(now)
                    .bind::<Timestamp, _>(now)
                    .bind::<BigInt, _>(limit)
                    .load($c)
            };
        }
        match conn {
            DbConn::Postgres(c) => run!(c),
            DbConn::Sqlite(c) => run!(c),
        }
    })?;
    let mut claimed: Vec<Claimed> = rows
        .into_iter()
        .map(|row| Claimed {
            job: Job::parse(&row.kind, &row.payload),
            id: JobId::from(row.id),
            attempts: row.attempts,
            holder: holder.to_owned(),
        })
        .collect();
    claimed.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(claimed)
}

/// The job's row, as long as `claimed` still holds its lease: the filter every ending uses,
/// so that a holder whose lease ran out (and whose job another instance took) changes nothing.
macro_rules! held {
    ($claimed:expr) => {
        jobs::table
            .filter(jobs::id.eq(&$claimed.id))
            .filter(jobs::leased_by.eq(&$claimed.holder))
            .filter(jobs::attempts.eq($claimed.attempts))
    };
}

/// Ends `claimed`, done, inside the transaction that did its work: `false` (and the caller
/// should roll back) when its lease was lost meanwhile.
pub fn finish(conn: &mut DbConn, claimed: &Claimed) -> ApiResult<bool> {
    let removed = diesel::delete(held!(claimed)).execute(conn)?;
    Ok(removed == 1)
}

/// Gives `claimed` back to run again at `at`, noting why it did not finish.
pub fn retry(
    conn: &mut DbConn,
    claimed: &Claimed,
    at: NaiveDateTime,
    error: &str,
) -> ApiResult<bool> {
    let changed = diesel::update(held!(claimed))
        .set((
            jobs::run_at.eq(at),
            jobs::lease_until.eq(None::<NaiveDateTime>),
            jobs::leased_by.eq(None::<String>),
            jobs::last_error.eq(Some(error)),
        ))
        .execute(conn)?;
    Ok(changed == 1)
}

/// What the queue holds, for the logs (and metrics).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Depth {
    /// Jobs due now and not leased.
    pub due: i64,
    /// Jobs leased to a worker.
    pub running: i64,
    /// Jobs waiting for their time.
    pub waiting: i64,
    /// When the oldest due job became due.
    pub oldest_due: Option<NaiveDateTime>,
    /// When the next waiting job falls due.
    pub next_at: Option<NaiveDateTime>,
}

pub fn depth(conn: &mut DbConn) -> ApiResult<Depth> {
    let now = now();
    let free = jobs::lease_until
        .is_null()
        .or(jobs::lease_until.lt(now).assume_not_null());
    let due = jobs::table
        .filter(jobs::run_at.le(now))
        .filter(free)
        .select((diesel::dsl::count_star(), diesel::dsl::min(jobs::run_at)))
        .first::<(i64, Option<NaiveDateTime>)>(conn)?;
    let running = jobs::table
        .filter(jobs::lease_until.ge(now))
        .count()
        .get_result::<i64>(conn)?;
    let waiting = jobs::table
        .filter(jobs::run_at.gt(now))
        .select((diesel::dsl::count_star(), diesel::dsl::min(jobs::run_at)))
        .first::<(i64, Option<NaiveDateTime>)>(conn)?;
    Ok(Depth {
        due: due.0,
        running,
        waiting: waiting.0,
        oldest_due: due.1,
        next_at: waiting.1,
    })
}

/// When the next job that is not leased falls due, if any does: how long a worker may sleep.
pub fn next_due(conn: &mut DbConn) -> ApiResult<Option<NaiveDateTime>> {
    let earliest = jobs::table
        .filter(jobs::lease_until.is_null())
        .select(diesel::dsl::min(jobs::run_at))
        .first::<Option<NaiveDateTime>>(conn)?;
    let lease_ends = jobs::table
        .select(diesel::dsl::min(jobs::lease_until))
        .first::<Option<NaiveDateTime>>(conn)?;
    Ok(match (earliest, lease_ends) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    })
}

#[cfg(test)]
mod tests {
    use super::Job;
    use crate::ids::{DeliveryId, PostId};

    #[test]
    fn jobs_are_stored_as_a_kind_and_a_payload_and_read_back() {
        for job in [
            Job::Publish {
                post: PostId::from("p1".to_owned()),
            },
            Job::Deliver {
                delivery: DeliveryId::from("d1".to_owned()),
            },
            Job::Prune,
        ] {
            let (kind, payload) = (job.kind(), job.payload());
            assert!(!payload.contains("kind"), "{payload}");
            assert_eq!(Job::parse(kind, &payload), Ok(job));
        }
        assert_eq!(
            Job::Publish {
                post: PostId::from("p1".to_owned())
            }
            .payload(),
            r#"{"post":"p1"}"#,
            "the migration writes this payload for posts scheduled before the queue"
        );
        assert!(Job::parse("unknown", "{}").is_err());
        assert!(Job::parse("publish", "[]").is_err());
    }
}
