//! URL slugs: what one may be, how one is derived from a title, and how a new resource gets
//! a free one even while others are written beside it.

use std::fmt;

use serde::Serialize;

use crate::db::{DbConn, Unique, violates_unique};
use crate::error::{ApiError, ApiResult};

/// How often a derived slug is chosen again when concurrent writers keep taking it first.
/// Each loss follows another writer's commit of that slug, and writers at once are as many
/// as the database connections of every instance, so only a flood of one title gets this
/// far (it is then told to retry rather than hold a connection for ever).
const ATTEMPTS: usize = 64;

/// A URL slug: lower-case ASCII letters and digits in hyphen-separated runs, at most
/// [`Slug::MAX_LEN`] characters. The only way to get one is to parse or derive it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct Slug(String);

impl Slug {
    pub const MAX_LEN: usize = 191;
    pub const PATTERN: &'static str = "^[a-z0-9]+(-[a-z0-9]+)*$";

    /// Whether `value` has a slug's shape, whatever its length.
    pub fn well_formed(value: &str) -> bool {
        value.split('-').all(|run| {
            !run.is_empty()
                && run
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
    }

    pub fn parse(value: &str) -> Result<Slug, &'static str> {
        if value.is_empty() {
            Err("must not be empty")
        } else if value.len() > Self::MAX_LEN {
            Err("must be at most 191 characters")
        } else if !Slug::well_formed(value) {
            Err("may contain only lower-case letters, digits and single hyphens between them")
        } else {
            Ok(Slug(value.to_owned()))
        }
    }

    /// Derives a slug from a title or name (transliterating non-ASCII letters), or `fallback`
    /// when nothing sluggable is left.
    pub fn derive(text: &str, fallback: &str) -> Slug {
        // Leave room for a `-NNN` suffix on conflict.
        let mut slug = slug::slugify(text);
        if slug.len() > Self::MAX_LEN - 8 {
            slug.truncate(Self::MAX_LEN - 8);
            slug.truncate(slug.trim_end_matches('-').len());
        }
        Slug::parse(&slug).unwrap_or_else(|_| Slug(fallback.to_owned()))
    }

    /// Picks the slug for a new resource: `explicit` if it is free (else `Err` with it), or one
    /// derived from `source` with the first free suffix (`-2`, `-3`, …). `taken` says which of
    /// some candidate slugs exist: an exact lookup, which the unique index answers however
    /// many resources there are, asked for a window of candidates at a time.
    pub fn choose<E>(
        explicit: Option<Slug>,
        source: &str,
        fallback: &str,
        mut taken: impl FnMut(&[String]) -> Result<Vec<String>, E>,
    ) -> Result<Result<Slug, Slug>, E> {
        if let Some(slug) = explicit {
            let used = !taken(std::slice::from_ref(&slug.0))?.is_empty();
            return Ok(if used { Err(slug) } else { Ok(slug) });
        }
        let base = Slug::derive(source, fallback);
        const WINDOW: u32 = 32;
        for first in (1u32..).step_by(WINDOW as usize) {
            let candidates: Vec<String> = (first..first + WINDOW)
                .map(|n| match n {
                    1 => base.0.clone(),
                    n => format!("{}-{n}", base.0),
                })
                .collect();
            let used = taken(&candidates)?;
            if let Some(free) = candidates.into_iter().find(|c| !used.contains(c)) {
                return Ok(Ok(Slug(free)));
            }
        }
        unreachable!("an unbounded range of suffixes always has a free one")
    }

    /// Inserts a new resource under a slug free in `unique`, as [`Slug::choose`] picks it,
    /// in a savepoint of the caller's write transaction. When a concurrent writer commits the
    /// same derived slug first (on PostgreSQL two transactions can both see it free), the
    /// database refuses the second insert; it then takes the next free suffix instead of
    /// failing. An explicit slug that is taken is `Ok(Err(slug))`, however it was taken.
    #[allow(clippy::too_many_arguments)]
    pub fn insert_free<T>(
        conn: &mut DbConn,
        explicit: Option<Slug>,
        source: &str,
        fallback: &str,
        unique: Unique,
        taken: impl Fn(&mut DbConn, &[String]) -> ApiResult<Vec<String>>,
        mut insert: impl FnMut(&mut DbConn, &Slug) -> diesel::QueryResult<T>,
    ) -> ApiResult<Result<T, Slug>> {
        use diesel::Connection;
        let mut lost: Vec<String> = Vec::new();
        for _ in 0..ATTEMPTS {
            let chosen = Slug::choose(explicit.clone(), source, fallback, |candidates| {
                let mut used = taken(conn, candidates)?;
                used.extend(candidates.iter().filter(|c| lost.contains(c)).cloned());
                Ok::<_, ApiError>(used)
            })?;
            let slug = match chosen {
                Ok(slug) => slug,
                Err(taken) => return Ok(Err(taken)),
            };
            match conn.transaction(|conn| insert(conn, &slug)) {
                Ok(value) => return Ok(Ok(value)),
                Err(err) if violates_unique(&err, unique) => {
                    if explicit.is_some() {
                        return Ok(Err(slug));
                    }
                    lost.push(slug.into_inner());
                }
                Err(err) => return Err(err.into()),
            }
        }
        Err(ApiError::Conflict(format!(
            "Many others are being written with the slug `{}` right now; retry.",
            Slug::derive(source, fallback)
        )))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

impl fmt::Display for Slug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_only_canonical_slugs() {
        assert!(Slug::parse("hello-world-2").is_ok());
        for bad in [
            "",
            "Hello",
            "a--b",
            "-a",
            "a-",
            "a b",
            "ü",
            &"a".repeat(192),
        ] {
            assert!(Slug::parse(bad).is_err(), "{bad:?} should be rejected");
        }
    }

    #[test]
    fn derives_from_titles() {
        assert_eq!(
            Slug::derive("Hello, Wörld! Ça va?", "post").as_str(),
            "hello-world-ca-va"
        );
        assert_eq!(Slug::derive("!!!", "post").as_str(), "post");
        assert!(
            Slug::derive(&"long title ".repeat(50), "post")
                .as_str()
                .len()
                <= Slug::MAX_LEN - 8
        );
    }

    #[test]
    fn suffixes_on_conflict() {
        let existing =
            |names: &[&str]| -> Vec<String> { names.iter().map(|s| (*s).to_owned()).collect() };
        let lookup = |existing: Vec<String>| {
            move |candidates: &[String]| -> Result<Vec<String>, ()> {
                Ok(candidates
                    .iter()
                    .filter(|c| existing.contains(c))
                    .cloned()
                    .collect())
            }
        };
        let choose = |names: &[&str]| {
            Slug::choose(None, "Hello", "post", lookup(existing(names)))
                .unwrap()
                .unwrap()
                .into_inner()
        };
        assert_eq!(choose(&[]), "hello");
        assert_eq!(choose(&["hello", "hello-2", "hello-4"]), "hello-3");
        // Past the first window of candidates.
        let many: Vec<String> = std::iter::once("hello".to_owned())
            .chain((2..=40).map(|n| format!("hello-{n}")))
            .collect();
        let many: Vec<&str> = many.iter().map(String::as_str).collect();
        assert_eq!(choose(&many), "hello-41");
        let explicit = Slug::parse("hello").ok();
        assert_eq!(
            Slug::choose(explicit, "x", "post", lookup(existing(&["hello"]))).unwrap(),
            Err(Slug::parse("hello").unwrap())
        );
    }
}
