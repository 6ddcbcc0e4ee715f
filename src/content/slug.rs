use std::fmt;

use serde::Serialize;

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

    /// `self` if it is not taken, else the first of `self-2`, `self-3`, … that is free.
    pub fn first_free(&self, taken: &[String]) -> Slug {
        if !taken.iter().any(|t| t == &self.0) {
            return self.clone();
        }
        (2..)
            .map(|n| format!("{}-{n}", self.0))
            .find(|candidate| !taken.iter().any(|t| t == candidate))
            .map(Slug)
            .expect("an unbounded range always yields a free suffix")
    }

    /// Picks the slug for a new resource: `explicit` if it is free (else `Err` with it), or one
    /// derived from `source` with the first free suffix. `like` lists the existing slugs equal
    /// to a base or starting with `base-`.
    pub fn choose<E>(
        explicit: Option<Slug>,
        source: &str,
        fallback: &str,
        like: impl FnOnce(&Slug) -> Result<Vec<String>, E>,
    ) -> Result<Result<Slug, Slug>, E> {
        match explicit {
            Some(slug) => {
                let taken = like(&slug)?.iter().any(|s| s == slug.as_str());
                Ok(if taken { Err(slug) } else { Ok(slug) })
            }
            None => {
                let base = Slug::derive(source, fallback);
                let taken = like(&base)?;
                Ok(Ok(base.first_free(&taken)))
            }
        }
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
        let base = Slug::parse("hello").unwrap();
        assert_eq!(base.first_free(&[]).as_str(), "hello");
        let taken = vec![
            "hello".to_owned(),
            "hello-2".to_owned(),
            "hello-4".to_owned(),
        ];
        assert_eq!(base.first_free(&taken).as_str(), "hello-3");
    }
}
