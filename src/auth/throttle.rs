//! Failed sign-ins and refreshes, counted per account and per client address in fixed
//! windows. Every attempt counts as a failure until it succeeds; past a bucket's limit,
//! attempts are refused with `429` until its window ends, before any password is checked.

use std::net::IpAddr;
use std::time::Duration;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::{Integer, Text, Timestamp};

use crate::db::schema::auth_failures;
use crate::db::{DbConn, now};
use crate::error::{ApiError, ApiResult};

/// Where a bucket stands after counting one more attempt in it.
#[derive(QueryableByName)]
struct Counted {
    #[diesel(sql_type = Integer)]
    failures: i32,
    #[diesel(sql_type = Timestamp)]
    window_start: NaiveDateTime,
}

/// Counts one more attempt in `bucket` and answers the new count, in one statement, so that
/// concurrent attempts on any number of instances each get a count of their own.
fn count_one(conn: &mut DbConn, bucket: &str, now: NaiveDateTime) -> ApiResult<Counted> {
    const UPSERT: &str = "INSERT INTO auth_failures (bucket, window_start, failures) \
                          VALUES ({bucket}, {now}, 1) ON CONFLICT (bucket) \
                          DO UPDATE SET failures = auth_failures.failures + 1 \
                          RETURNING failures, window_start";
    let sql = |bucket: &str, now: &str| UPSERT.replace("{bucket}", bucket).replace("{now}", now);
    Ok(match conn {
        DbConn::Sqlite(c) => diesel::sql_query(sql("?", "?"))
            .bind::<Text, _>(bucket)
            .bind::<Timestamp, _>(now)
            .get_result(c)?,
        DbConn::Postgres(c) => diesel::sql_query(sql("$1", "$2"))
            .bind::<Text, _>(bucket)
            .bind::<Timestamp, _>(now)
            .get_result(c)?,
    })
}

/// The address limits are kept for: the client's own for IPv4, its /64 for IPv6, which one
/// subscriber usually holds whole and could otherwise hop across to start afresh.
pub fn network(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V4(_) => address,
        IpAddr::V6(v6) => {
            let prefix = u128::from(v6) & !((1u128 << 64) - 1);
            IpAddr::V6(prefix.into())
        }
    }
}

/// Which attempts are counted: sign-ins, or refreshes. They count apart, so that clients
/// retrying stale refresh tokens behind one address cannot lock its people out of signing in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    SignIn,
    Refresh,
}

/// How many failures each kind of bucket takes per window; 0 turns that kind off.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub per_account: u32,
    pub per_address: u32,
    pub window: Duration,
}

impl Limits {
    /// The buckets an attempt at `flow` for `account` (a normalised email) from `address`
    /// counts in.
    pub fn buckets(&self, flow: Flow, account: Option<&str>, address: Option<IpAddr>) -> Buckets {
        let mut buckets = Vec::new();
        if let Some(account) = account.filter(|_| self.per_account > 0) {
            buckets.push((format!("account:{account}"), self.per_account));
        }
        if let Some(address) = address.filter(|_| self.per_address > 0) {
            let flow = match flow {
                Flow::SignIn => "sign-in",
                Flow::Refresh => "refresh",
            };
            buckets.push((format!("{flow}:{}", network(address)), self.per_address));
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

    /// Counts the attempt as a failure before it is made, so that a burst of parallel
    /// attempts cannot all pass a check none of them has yet counted in; once a bucket is
    /// past its limit, `429` saying how long until its window ends. Must run in a write
    /// transaction, before the password is looked at.
    pub fn reserve(&self, conn: &mut DbConn) -> ApiResult<()> {
        if self.buckets.is_empty() {
            return Ok(());
        }
        let now = now();
        diesel::delete(
            auth_failures::table.filter(auth_failures::window_start.le(now - self.window())),
        )
        .execute(conn)?;
        let mut retry_after = None;
        for (name, limit) in &self.buckets {
            let counted = count_one(conn, name, now)?;
            if i64::from(counted.failures) > i64::from(*limit) {
                let wait = (counted.window_start + self.window() - now)
                    .num_seconds()
                    .max(1);
                retry_after = retry_after.max(Some(wait.unsigned_abs()));
            }
        }
        match retry_after {
            Some(retry_after) => Err(ApiError::TooManyRequests {
                detail: "Too many failed attempts; wait before trying again.".into(),
                retry_after,
            }),
            None => Ok(()),
        }
    }

    /// The attempt succeeded, so it was no failure: the account's count is forgotten; the
    /// address's just loses this attempt, or one good password would reset a spray across
    /// many accounts.
    pub fn succeed(&self, conn: &mut DbConn) -> ApiResult<()> {
        for (name, _) in &self.buckets {
            if name.starts_with("account:") {
                diesel::delete(auth_failures::table.find(name)).execute(conn)?;
            } else {
                diesel::update(
                    auth_failures::table
                        .find(name)
                        .filter(auth_failures::failures.gt(0)),
                )
                .set(auth_failures::failures.eq(auth_failures::failures - 1))
                .execute(conn)?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn limits_hold_for_a_whole_ipv6_subnet() {
        assert_eq!(network(ip("192.0.2.7")), ip("192.0.2.7"));
        assert_eq!(network(ip("2001:db8:1:2:aaaa::1")), ip("2001:db8:1:2::"));
        assert_eq!(
            network(ip("2001:db8:1:2:ffff::9")),
            network(ip("2001:db8:1:2::1"))
        );
        assert_ne!(
            network(ip("2001:db8:1:3::1")),
            network(ip("2001:db8:1:2::1"))
        );
    }
}
