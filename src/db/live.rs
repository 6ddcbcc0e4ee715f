//! Which posts readers see: published ones whose time has come (a scheduled post goes live
//! by itself, with no job to run). Posts, and the post counts of authors and tags, read it
//! alike, written as the partial index of live posts is defined so that it applies.

use chrono::NaiveDateTime;
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::Bool;

use super::DbConn;
use super::schema::{content_generation, posts};
use crate::error::ApiResult;

/// Published, and its time has come (a scheduled post goes live by itself).
///
/// The statuses are written into the SQL, not bound: only then can either database see that
/// the partial index of live posts applies, and answer from it without reading a row (whose
/// bodies SQLite would have to step over to reach `status`).
pub fn live(now: NaiveDateTime) -> Live {
    sql::<Bool>(LIVE_STATUSES).and(posts::published_at.le(now))
}

pub type Live = diesel::dsl::And<
    diesel::expression::SqlLiteral<Bool>,
    diesel::dsl::LtEq<posts::published_at, NaiveDateTime>,
>;

/// The condition of `posts_live_idx`, word for word (see the migrations).
const LIVE_STATUSES: &str = "posts.status IN ('published', 'scheduled')";

/// The condition of `posts_scheduled_idx`, word for word: written into the SQL for the same
/// reason as [`LIVE_STATUSES`].
const SCHEDULED: &str = "posts.status = 'scheduled'";

/// How fresh the content is, as the database says: what a kept answer is checked against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    /// Grows with every committed change to content (triggers, in the migrations).
    pub generation: i64,
    /// When the next scheduled post goes live, if any is waiting.
    pub next_live: Option<NaiveDateTime>,
    /// When the stamp was read.
    pub at: NaiveDateTime,
}

/// How fresh the content is: its generation, and when the next scheduled post (or page) goes
/// live. One statement, answered from two small indexes.
pub fn stamp(conn: &mut DbConn, now: NaiveDateTime) -> ApiResult<Stamp> {
    let next_live = posts::table
        .filter(sql::<Bool>(SCHEDULED))
        .filter(posts::published_at.gt(now))
        .select(diesel::dsl::min(posts::published_at))
        .single_value();
    let (generation, next_live) = content_generation::table
        .select((content_generation::generation, next_live))
        .first::<(i64, Option<NaiveDateTime>)>(conn)?;
    Ok(Stamp {
        generation,
        next_live,
        at: now,
    })
}

#[cfg(test)]
mod tests {
    use super::{LIVE_STATUSES, SCHEDULED};

    /// The last definition of `index` in `migrations`, as the database has it now.
    fn index<'a>(migrations: &[&'a str], index: &str) -> &'a str {
        migrations
            .iter()
            .rev()
            .flat_map(|m| m.split(';').rev())
            .find(|statement| statement.contains(&format!("CREATE INDEX {index} ")))
            .unwrap_or_else(|| panic!("no index {index}"))
    }

    #[test]
    fn live_and_scheduled_posts_are_filtered_as_their_indexes_are_defined() {
        let sqlite = [
            include_str!("../../migrations/sqlite/2026-11-28-000000_create_content/up.sql"),
            include_str!("../../migrations/sqlite/2026-12-02-000000_blog_model/up.sql"),
        ];
        let postgres = [
            include_str!("../../migrations/postgres/2026-11-28-000000_create_content/up.sql"),
            include_str!("../../migrations/postgres/2026-12-02-000000_blog_model/up.sql"),
        ];
        for migrations in [&sqlite[..], &postgres[..]] {
            for (name, condition) in [
                ("posts_live_idx", LIVE_STATUSES),
                ("posts_scheduled_idx", SCHEDULED),
            ] {
                let definition = index(migrations, name);
                let condition = condition.trim_start_matches("posts.");
                assert!(
                    definition.contains(&format!("WHERE {condition}")),
                    "{definition}"
                );
            }
        }
    }
}
