//! `q` on the post list: what a reader types, made into a full-text query that neither
//! engine can misread.
//!
//! Words are runs of letters and digits; every other character only separates them, so
//! quotes aside, no operator of either query language can reach the database. Every word must
//! occur; `"quoted words"` must occur together and in order; the last bare word may be the
//! start of a longer one (`datab` finds `database`), as a reader who is still typing means.

use std::sync::LazyLock;

use regex::Regex;

/// The most characters of `q` the list accepts (the documented `maxLength`).
pub const MAX_CHARS: usize = 200;

/// The most words a search uses; any further ones are left out.
pub const MAX_WORDS: usize = 16;

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
        (!terms.is_empty()).then_some(Search { terms })
    }

    /// The query for SQLite's FTS5 `MATCH`: every term a quoted string (`"word"`,
    /// `"start"*`, `"two words"`), all of them required.
    pub fn fts5(&self) -> String {
        self.render(" AND ", |term| match term {
            Term::Word { word, prefix } => format!("\"{word}\"{}", if *prefix { "*" } else { "" }),
            Term::Phrase(words) => format!("\"{}\"", words.join(" ")),
        })
    }

    /// The query for PostgreSQL's `to_tsquery('simple', …)`: every word a quoted lexeme
    /// (`'word'`, `'start':*`), phrases joined by `<->`, all of them required.
    pub fn tsquery(&self) -> String {
        self.render(" & ", |term| match term {
            Term::Word { word, prefix } => format!("'{word}'{}", if *prefix { ":*" } else { "" }),
            Term::Phrase(words) => {
                let lexemes: Vec<String> = words.iter().map(|w| format!("'{w}'")).collect();
                match lexemes.len() {
                    1 => lexemes.join(""),
                    _ => format!("({})", lexemes.join(" <-> ")),
                }
            }
        })
    }

    fn render(&self, and: &str, term: impl Fn(&Term) -> String) -> String {
        self.terms.iter().map(term).collect::<Vec<_>>().join(and)
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
        assert_eq!(both(r#"a "b" "c"#).unwrap().1, "'a' & 'b' & 'c':*");
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
        assert_eq!(both("x' OR '1'='1").unwrap().1, "'x' & 'OR' & '1' & '1':*");
        assert_eq!(both("a\0b").unwrap().0, r#""a" AND "b"*"#);
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
            "'Café' & '日本語' & 'Straße' & 'x²' & 'v1' & '2':*"
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
