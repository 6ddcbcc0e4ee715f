//! Failed sign-ins and refreshes, counted per account and per client address in fixed
//! windows. Once a bucket holds its limit of failures, attempts are refused with `429` until
//! its window ends, before any password is checked.

use std::net::IpAddr;
use std::time::Duration;

use diesel::prelude::*;
use diesel::sql_types::{Text, Timestamp};

use crate::db::schema::auth_failures;
use crate::db::{DbConn, now};
use crate::http::error::{ApiError, ApiResult};

/// One more failure in `bucket`, in one statement, so that concurrent failures on any number
/// of instances all count (an update-then-insert would lose one to the other's insert).
fn count_one(conn: &mut DbConn, bucket: &str, now: chrono::NaiveDateTime) -> ApiResult<()> {
    const UPSERT: &str = "INSERT INTO auth_failures (bucket, window_start, failures) \
                          VALUES ({bucket}, {now}, 1) ON CONFLICT (bucket) \
                          DO UPDATE SET failures = auth_failures.failures + 1";
    let sql = |bucket: &str, now: &str| UPSERT.replace("{bucket}", bucket).replace("{now}", now);
    match conn {
        DbConn::Sqlite(c) => diesel::sql_query(sql("?", "?"))
            .bind::<Text, _>(bucket)
            .bind::<Timestamp, _>(now)
            .execute(c)?,
        DbConn::Postgres(c) => diesel::sql_query(sql("$1", "$2"))
            .bind::<Text, _>(bucket)
            .bind::<Timestamp, _>(now)
            .execute(c)?,
    };
    Ok(())
}

/// How many failures each kind of bucket takes per window; 0 turns that kind off.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub per_account: u32,
    pub per_address: u32,
    pub window: Duration,
}

impl Limits {
    /// The buckets an attempt for `account` (a normalised email) from `address` counts in.
    pub fn buckets(&self, account: Option<&str>, address: Option<IpAddr>) -> Buckets {
        let mut buckets = Vec::new();
        if let Some(account) = account.filter(|_| self.per_account > 0) {
            buckets.push((format!("account:{account}"), self.per_account));
        }
        if let Some(address) = address.filter(|_| self.per_address > 0) {
            buckets.push((format!("address:{address}"), self.per_address));
        }
        Buckets {
            buckets,
            window: self.window,
        }
    }
}

/// Where one attempt counts, with the limit of each.
#[derive(Debug, Clone)]
pub struct Buckets {
    buckets: Vec<(String, u32)>,
    window: Duration,
}

impl Buckets {
    fn window(&self) -> chrono::Duration {
        chrono::Duration::from_std(self.window).unwrap_or(chrono::Duration::hours(1))
    }

    fn names(&self) -> Vec<&str> {
        self.buckets.iter().map(|(name, _)| name.as_str()).collect()
    }

    /// `429` while any bucket is full, saying how long until it empties.
    pub fn check(&self, conn: &mut DbConn) -> ApiResult<()> {
        if self.buckets.is_empty() {
            return Ok(());
        }
        let since = now() - self.window();
        let rows: Vec<(String, chrono::NaiveDateTime, i32)> = auth_failures::table
            .filter(auth_failures::bucket.eq_any(self.names()))
            .filter(auth_failures::window_start.gt(since))
            .select((
                auth_failures::bucket,
                auth_failures::window_start,
                auth_failures::failures,
            ))
            .load(conn)?;
        let retry_after = rows
            .iter()
            .filter(|(name, _, failures)| {
                self.buckets
                    .iter()
                    .any(|(b, limit)| b == name && i64::from(*failures) >= i64::from(*limit))
            })
            .map(|(_, start, _)| (*start + self.window() - now()).num_seconds().max(1))
            .max();
        match retry_after {
            Some(seconds) => Err(ApiError::TooManyRequests {
                detail: "Too many failed attempts; wait before trying again.".into(),
                retry_after: seconds.unsigned_abs(),
            }),
            None => Ok(()),
        }
    }

    /// Counts one failure in every bucket, starting a new window where the last one ended.
    pub fn fail(&self, conn: &mut DbConn) -> ApiResult<()> {
        let now = now();
        let since = now - self.window();
        diesel::delete(auth_failures::table.filter(auth_failures::window_start.le(since)))
            .execute(conn)?;
        for (name, _) in &self.buckets {
            count_one(conn, name, now)?;
        }
        Ok(())
    }

    /// Forgets the failures of the account bucket after a success; an address keeps its
    /// count, or one good password would reset a spray across many accounts.
    pub fn succeed(&self, conn: &mut DbConn) -> ApiResult<()> {
        let accounts: Vec<&str> = self
            .names()
            .into_iter()
            .filter(|n| n.starts_with("account:"))
            .collect();
        if !accounts.is_empty() {
            diesel::delete(auth_failures::table.filter(auth_failures::bucket.eq_any(accounts)))
                .execute(conn)?;
        }
        Ok(())
    }
}
