//! `q` on the post list: what a reader types, made into a full-text query that neither
//! engine can misread.
//!
//! Words are runs of letters and digits; every other character only separates them, so
//! quotes aside, no operator of either query language can reach the database. Every word must
//! occur; `"quoted words"` must occur together and in order; the last bare word, when it has
//! [`MIN_PREFIX_CHARS`] or more, may be the start of a longer one (`datab` finds `database`),
//! as a reader who is still typing means.
//!
//! Where a post stands in SQLite's index ([`SearchKey`]) is decided here too: its entries are
//! kept in the order the lists show, so that a search reads its matches in that order and
//! stops at a page.

use std::ops::RangeInclusive;
use std::sync::LazyLock;

use chrono::NaiveDateTime;
use regex::Regex;

use super::model::PostKind;

/// The most characters of `q` the list accepts (the documented `maxLength`).
pub const MAX_CHARS: usize = 200;

/// The most words a search uses; any further ones are left out.
pub const MAX_WORDS: usize = 16;

/// The fewest characters a last word needs to be searched as the start of longer ones. Every
/// post has words starting with `p`: the index would gather the posts of each of them, all
/// posts, to find what no reader typing one letter is looking for yet.
pub const MIN_PREFIX_CHARS: usize = 3;

/// A character that can be part of a word: a letter or digit of any script. `q` must hold
/// one (the documented `pattern`); SQLite's tokenizer draws the same line.
pub const WORD_CHAR: &str = r"[\p{L}\p{N}]";

/// A quote, or a word.
static TOKEN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(r#""|{WORD_CHAR}+"#)).expect("the token pattern compiles")
});

/// A full-text search, safe to render for either engine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Search {
    terms: Vec<Term>,
}

/// A word or a quoted phrase. Words hold only letters and digits, so quoting them is all the
/// escaping either query language needs.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Term {
    /// A bare word; a `prefix` may be the start of a longer one.
    Word { word: String, prefix: bool },
    /// Quoted words, which must occur together and in this order.
    Phrase(Vec<String>),
}

impl Term {
    fn word(word: impl Into<String>) -> Term {
        Term::Word {
            word: word.into(),
            prefix: false,
        }
    }
}

impl Search {
    /// The search `input` asks for, or `None` when it holds no word at all. Only the first
    /// [`MAX_CHARS`] characters and [`MAX_WORDS`] words count.
    pub fn parse(input: &str) -> Option<Search> {
        let input = match input.char_indices().nth(MAX_CHARS) {
            Some((end, _)) => &input[..end],
            None => input,
        };
        let mut terms = tokenize(input);
        cap_words(&mut terms);
        let last_word = terms.iter_mut().rev().find_map(|term| match term {
            Term::Word { prefix, .. } => Some(prefix),
            Term::Phrase(_) => None,
        });
        if let Some(prefix) = last_word {
            *prefix = true;
        }
        for term in &mut terms {
            if let Term::Word { word, prefix } = term {
                *prefix &= word.chars().count() >= MIN_PREFIX_CHARS;
            }
        }
        (!terms.is_empty()).then_some(Search { terms })
    }

    /// The query for SQLite's FTS5 `MATCH`: every term a quoted string (`"word"`,
    /// `"start"*`, `"two words"`), all of them required.
    pub fn fts5(&self) -> String {
        self.render(" AND ", Search::fts5_term)
    }

    fn fts5_term(term: &Term) -> String {
        match term {
            Term::Word { word, prefix } => format!("\"{word}\"{}", if *prefix { "*" } else { "" }),
            Term::Phrase(words) => format!("\"{}\"", words.join(" ")),
        }
    }

    /// [`Search::fts5`], narrowed to the posts where one of its terms is in the title or the
    /// excerpt: the few that relevance ranks (see `posts::storage`), found without reading
    /// the position lists of every match's text.
    pub fn fts5_titled(&self) -> String {
        let any = self.render(" OR ", Search::fts5_term);
        format!("({}) AND {{title excerpt}} : ({any})", self.fts5())
    }

    /// The query for PostgreSQL's `to_tsquery('simple', …)`: every word a quoted lexeme
    /// (`'word'`, `'start':*`), phrases joined by `<->`, all of them required.
    pub fn tsquery(&self) -> String {
        self.render(" & ", Search::tsquery_term)
    }

    /// Any of the terms of [`Search::tsquery`], for PostgreSQL's vectors of titles and
    /// excerpts: the posts where one is are the few that relevance ranks (see
    /// `posts::storage`).
    pub fn tsquery_any(&self) -> String {
        self.render(" | ", Search::tsquery_term)
    }

    /// Whether a post with a term in its title or excerpt is found whatever its text: when
    /// the search is that one term.
    pub fn found_by_any_term(&self) -> bool {
        self.terms.len() == 1
    }

    fn tsquery_term(term: &Term) -> String {
        match term {
            Term::Word { word, prefix } => format!("'{word}'{}", if *prefix { ":*" } else { "" }),
            Term::Phrase(words) => {
                let lexemes: Vec<String> = words.iter().map(|w| format!("'{w}'")).collect();
                match lexemes.len() {
                    1 => lexemes.join(""),
                    _ => format!("({})", lexemes.join(" <-> ")),
                }
            }
        }
    }

    fn render(&self, joiner: &str, term: impl Fn(&Term) -> String) -> String {
        self.terms.iter().map(term).collect::<Vec<_>>().join(joiner)
    }
}

/// A post's key in SQLite's search index (the entry's rowid): the posts of a kind in the order
/// the lists show by default, to the second. Those without a date come first, by when they
/// were made, then the dated ones, newest first; reading the index backwards is reading the
/// list. A key is `kind · 2⁵³ + undated · 2⁵² + second · 2²⁰ + n`, `n` telling apart the
/// posts of one second, in any order: a search reads a second's posts whole and orders them
/// exactly (see `posts::storage`).
pub struct SearchKey;

impl SearchKey {
    const SECOND_BITS: u32 = 20;
    /// The keys of one second: `n` is below this.
    pub const PER_SECOND: i64 = 1 << Self::SECOND_BITS;
    const UNDATED: i64 = 1 << 52;
    const KIND: i64 = 1 << 53;
    /// Seconds from 1970 to 2106: a time outside counts as the nearest end.
    const LAST_SECOND: i64 = (1 << 32) - 1;

    /// The first key of the second a post stands at.
    pub fn second(
        kind: PostKind,
        published_at: Option<NaiveDateTime>,
        created_at: NaiveDateTime,
    ) -> i64 {
        let at = published_at.unwrap_or(created_at).and_utc().timestamp();
        Self::of_kind(kind) | Self::undated(published_at.is_none()) | Self::at(at)
    }

    /// Every key of `kind`.
    pub fn of_kind(kind: PostKind) -> i64 {
        match kind {
            PostKind::Post => 0,
            PostKind::Page => Self::KIND,
        }
    }

    /// The keys of every post of `kind`.
    pub fn all(kind: PostKind) -> RangeInclusive<i64> {
        Self::of_kind(kind)..=Self::of_kind(kind) + Self::KIND - 1
    }

    /// The keys of the posts of `kind` dated no later than `now`'s second: the live posts are
    /// among them (and so are the drafts that keep an earlier date).
    pub fn dated_until(kind: PostKind, now: NaiveDateTime) -> RangeInclusive<i64> {
        let last = Self::of_kind(kind) | Self::at(now.and_utc().timestamp());
        Self::of_kind(kind)..=Self::last_of_second(last)
    }

    /// The first key of the second `key` is in.
    pub fn first_of_second(key: i64) -> i64 {
        key & !(Self::PER_SECOND - 1)
    }

    /// The last key of the second `key` is in.
    pub fn last_of_second(key: i64) -> i64 {
        key | (Self::PER_SECOND - 1)
    }

    fn undated(undated: bool) -> i64 {
        if undated { Self::UNDATED } else { 0 }
    }

    fn at(second: i64) -> i64 {
        second.clamp(0, Self::LAST_SECOND) << Self::SECOND_BITS
    }
}

/// Words and quoted phrases, in order. Quotes pair up from the left; the words after one
/// left open are searched as if it were not there. An empty phrase is dropped.
fn tokenize(input: &str) -> Vec<Term> {
    let mut terms = Vec::new();
    let mut phrase: Option<Vec<String>> = None;
    for token in TOKEN.find_iter(input).map(|m| m.as_str()) {
        match (token, phrase.as_mut()) {
            ("\"", None) => phrase = Some(Vec::new()),
            ("\"", Some(_)) => {
                let words = phrase.take().unwrap_or_default();
                if !words.is_empty() {
                    terms.push(Term::Phrase(words));
                }
            }
            (word, Some(words)) => words.push(word.to_owned()),
            (word, None) => terms.push(Term::word(word)),
        }
    }
    terms.extend(phrase.unwrap_or_default().into_iter().map(Term::word));
    terms
}

/// Keeps the first [`MAX_WORDS`] words, shortening the phrase that reaches the limit.
fn cap_words(terms: &mut Vec<Term>) {
    let mut left = MAX_WORDS;
    terms.retain_mut(|term| {
        let kept = match term {
            Term::Word { .. } => left.min(1),
            Term::Phrase(words) => {
                words.truncate(left);
                words.len()
            }
        };
        left -= kept;
        kept > 0
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn both(input: &str) -> Option<(String, String)> {
        Search::parse(input).map(|s| (s.fts5(), s.tsquery()))
    }

    #[test]
    fn words_are_required_and_the_last_is_a_prefix() {
        assert_eq!(
            both("quick brown fox"),
            Some((
                r#""quick" AND "brown" AND "fox"*"#.into(),
                "'quick' & 'brown' & 'fox':*".into()
            ))
        );
        assert_eq!(
            both("datab"),
            Some((r#""datab"*"#.into(), "'datab':*".into()))
        );
    }

    #[test]
    fn a_last_word_shorter_than_three_is_a_word() {
        assert_eq!(both("da"), Some((r#""da""#.into(), "'da'".into())));
        assert_eq!(both("dat"), Some((r#""dat"*"#.into(), "'dat':*".into())));
        assert_eq!(
            both("日本語").unwrap().1,
            "'日本語':*",
            "characters, not bytes"
        );
        assert_eq!(both("日本").unwrap().1, "'日本'");
    }

    fn at(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S%.f").unwrap()
    }

    #[test]
    fn keys_follow_the_lists_order_second_by_second() {
        let made = at("2026-01-01 00:00:00");
        let key = |kind, published| SearchKey::second(kind, published, made);
        let (older, newer) = (at("2025-06-01 10:00:00"), at("2025-06-01 10:00:01"));
        // Newer posts have greater keys; undated ones are above every date; pages apart.
        assert!(key(PostKind::Post, Some(newer)) > key(PostKind::Post, Some(older)));
        assert!(key(PostKind::Post, None) > key(PostKind::Post, Some(at("2100-01-01 00:00:00"))));
        assert!(key(PostKind::Page, Some(older)) > key(PostKind::Post, None));
        assert!(SearchKey::all(PostKind::Post).contains(&key(PostKind::Post, None)));
        assert!(!SearchKey::all(PostKind::Post).contains(&key(PostKind::Page, None)));
        // One second's posts share a second, whatever its fraction.
        let second = key(PostKind::Post, Some(older));
        assert_eq!(
            key(PostKind::Post, Some(at("2025-06-01 10:00:00.999"))),
            second
        );
        assert_eq!(SearchKey::first_of_second(second + 7), second);
        assert_eq!(
            SearchKey::last_of_second(second),
            second + SearchKey::PER_SECOND - 1
        );
        // Dated until a time: that second included, the next and every undated one not.
        let until = SearchKey::dated_until(PostKind::Post, older);
        assert!(until.contains(&(second + 5)));
        assert!(!until.contains(&key(PostKind::Post, Some(newer))));
        assert!(!until.contains(&key(PostKind::Post, None)));
        // Times outside 1970..2106 count as the nearest end, still in their kind and band.
        let ancient = key(PostKind::Post, Some(at("1900-01-01 00:00:00")));
        assert_eq!(ancient, 0);
        let far = key(PostKind::Post, Some(at("2200-01-01 00:00:00")));
        assert!(far < key(PostKind::Post, None));
        assert!(until.start() <= &ancient);
    }

    #[test]
    fn the_titled_query_asks_for_any_term_in_the_title_or_excerpt() {
        assert_eq!(
            Search::parse(r#""quick brown" fox"#).unwrap().fts5_titled(),
            r#"("quick brown" AND "fox"*) AND {title excerpt} : ("quick brown" OR "fox"*)"#
        );
    }

    #[test]
    fn postgresql_ranks_the_posts_with_any_term_in_their_title_or_excerpt() {
        let two = Search::parse(r#""quick brown" fox"#).unwrap();
        assert_eq!(two.tsquery_any(), "('quick' <-> 'brown') | 'fox':*");
        assert!(!two.found_by_any_term(), "the other term may be missing");
        let one = Search::parse("fox").unwrap();
        assert_eq!(one.tsquery_any(), one.tsquery());
        assert!(one.found_by_any_term());
    }

    #[test]
    fn quoted_words_are_a_phrase_and_exact() {
        assert_eq!(
            both(r#""quick brown" fox"#),
            Some((
                r#""quick brown" AND "fox"*"#.into(),
                "('quick' <-> 'brown') & 'fox':*".into()
            ))
        );
        // The last bare word is the prefix, wherever it stands; a quoted word never is one.
        assert_eq!(
            both(r#"fox "quick brown""#).unwrap().1,
            "'fox':* & ('quick' <-> 'brown')"
        );
        assert_eq!(both(r#""fox""#).unwrap().1, "'fox'");
    }

    #[test]
    fn an_open_quote_is_ignored_and_an_empty_phrase_dropped() {
        assert_eq!(both(r#""quick brown"#).unwrap().1, "'quick' & 'brown':*");
        assert_eq!(both(r#"fox "" "   ""#).unwrap().1, "'fox':*");
        assert_eq!(both(r#"a "b" "cat"#).unwrap().1, "'a' & 'b' & 'cat':*");
    }

    #[test]
    fn operators_and_punctuation_are_only_separators() {
        for hostile in [
            "\"", "*", "'", "\\", ":", "&|!()<>", "\0", "-", "^", "+", "{}", "[]", ":*", "--",
            "/*", ";", "''", "\"\"",
        ] {
            assert_eq!(both(hostile), None, "{hostile:?}");
        }
        assert_eq!(
            both(r"a:b c'd e\f g&h i|j !k (l) m<->n o*"),
            both("a b c d e f g h i j k l m n o")
        );
        assert_eq!(both("x' OR '1'='1").unwrap().1, "'x' & 'OR' & '1' & '1'");
        assert_eq!(both("a\0bee").unwrap().0, r#""a" AND "bee"*"#);
    }

    #[test]
    fn query_words_are_plain_words() {
        // Operators of FTS5 and tsquery are searched for like any word, always quoted.
        assert_eq!(
            both("NOT AND OR NEAR").unwrap().0,
            r#""NOT" AND "AND" AND "OR" AND "NEAR"*"#
        );
        assert_eq!(
            both("NOT AND OR NEAR").unwrap().1,
            "'NOT' & 'AND' & 'OR' & 'NEAR':*"
        );
    }

    #[test]
    fn letters_and_digits_of_any_script_make_words() {
        assert_eq!(
            both("Café 日本語 Straße x²—v1.2").unwrap().1,
            "'Café' & '日本語' & 'Straße' & 'x²' & 'v1' & '2'"
        );
        assert_eq!(both("— … ©").map(|b| b.1), None);
    }

    #[test]
    fn long_input_is_capped() {
        let words = vec!["word"; 100].join(" ");
        let search = Search::parse(&words).unwrap();
        assert_eq!(search.terms.len(), MAX_WORDS);
        assert_eq!(
            search.terms[MAX_WORDS - 1],
            Term::Word {
                word: "word".into(),
                prefix: true
            }
        );

        let long = format!(r#""{}""#, vec!["w"; 40].join(" "));
        let search = Search::parse(&long).unwrap();
        assert_eq!(search.terms, [Term::Phrase(vec!["w".into(); MAX_WORDS])]);

        let huge = "a".repeat(10_000);
        assert_eq!(
            Search::parse(&huge).unwrap().tsquery(),
            format!("'{}':*", "a".repeat(MAX_CHARS))
        );
        let huge = "é\"".repeat(10_000);
        assert!(Search::parse(&huge).unwrap().fts5().len() < 2 * 4 * MAX_CHARS);
        assert_eq!(Search::parse(&"*".repeat(10_000)), None);
    }
}
