//! Synthetic but realistic writing: a vocabulary of tens of thousands of words used with a
//! Zipf distribution (so search has common, medium and rare words to look for), and Markdown
//! bodies with headings, paragraphs, emphasis, links, lists, code, quotes and tables.

use std::collections::HashSet;
use std::fmt::Write;

use crate::rng::{Rng, Zipf};

/// Words that make up about a third of real English prose.
const COMMON: &[&str] = &[
    "the", "of", "and", "to", "a", "in", "is", "that", "for", "it", "as", "was", "with", "be",
    "by", "on", "not", "this", "are", "at", "from", "or", "have", "an", "they", "which", "one",
    "you", "were", "all", "we", "can", "but", "there", "when", "more", "will", "if", "no", "out",
    "so", "what", "up", "about", "into", "than", "them", "only", "other", "new", "some", "could",
    "time", "these", "two", "may", "then", "first", "any", "like", "now", "such", "our", "over",
    "also", "after", "most", "how", "where", "just", "those", "because", "each",
];
const COMMON_SHARE: f64 = 0.33;

const ONSETS: &[&str] = &[
    "b", "c", "d", "f", "g", "h", "j", "k", "l", "m", "n", "p", "r", "s", "t", "v", "w", "z", "br",
    "cr", "dr", "fl", "gr", "pl", "pr", "sh", "st", "th", "tr", "ch", "sl", "qu",
];
const VOWELS: &[&str] = &["a", "e", "i", "o", "u", "ai", "ea", "io", "ou", "y"];
const CODAS: &[&str] = &[
    "", "", "", "", "n", "r", "s", "l", "m", "t", "x", "nd", "st", "ck",
];

/// The words of the generated language, most frequent first.
pub struct Vocabulary {
    pub words: Vec<String>,
    zipf: Zipf,
}

impl Vocabulary {
    /// Always the same vocabulary (it does not depend on the dataset's seed), so a search
    /// term means the same thing in every dataset.
    pub fn new(size: usize) -> Vocabulary {
        let mut rng = Rng::new(0x0F01_10B0_0C5E_ED00);
        let mut seen: HashSet<String> = COMMON.iter().map(|w| (*w).to_owned()).collect();
        let mut words = Vec::with_capacity(size);
        while words.len() < size {
            let syllables = 1 + rng.below(3).min(rng.below(3));
            let mut word = String::new();
            for _ in 0..syllables {
                word.push_str(rng.pick(ONSETS));
                word.push_str(rng.pick(VOWELS));
                word.push_str(rng.pick(CODAS));
            }
            if word.len() >= 4 && seen.insert(word.clone()) {
                words.push(word);
            }
        }
        Vocabulary {
            zipf: Zipf::new(size, 1.0),
            words,
        }
    }

    /// A word as prose uses them: a common one or one of the vocabulary by popularity.
    pub fn word(&self, rng: &mut Rng) -> &str {
        if rng.chance(COMMON_SHARE) {
            rng.pick(COMMON)
        } else {
            &self.words[self.zipf.sample(rng)]
        }
    }

    /// A content word (never a common one).
    pub fn content_word(&self, rng: &mut Rng) -> &str {
        &self.words[self.zipf.sample(rng)]
    }

    /// The chance that a text of `words` words contains vocabulary word `rank`.
    pub fn presence(&self, rank: usize, words: usize) -> f64 {
        let p = self.zipf.share(rank) * (1.0 - COMMON_SHARE);
        1.0 - (1.0 - p).powi(words as i32)
    }
}

pub fn capitalize(word: &str) -> String {
    let mut chars = word.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// `n` content words, each capitalised: a title, heading or name.
pub fn title_case(vocab: &Vocabulary, rng: &mut Rng, n: usize) -> String {
    let mut out = String::new();
    for i in 0..n {
        if i > 0 {
            out.push(' ');
        }
        // Titles read better with the odd small word in them.
        if i > 0 && i + 1 < n && rng.chance(0.2) {
            out.push_str(rng.pick(&["of", "and", "for", "in", "with", "the"]));
        } else {
            out.push_str(&capitalize(vocab.content_word(rng)));
        }
    }
    out
}

pub fn sentence(vocab: &Vocabulary, rng: &mut Rng, inline_markup: bool) -> String {
    let n = rng.range(6, 22);
    let mut out = String::with_capacity(n * 8);
    let mut i = 0;
    while i < n {
        if i > 0 {
            out.push(if rng.chance(0.05) { ',' } else { ' ' });
            if out.ends_with(',') {
                out.push(' ');
            }
        }
        let word = vocab.word(rng);
        let word = if i == 0 {
            capitalize(word)
        } else {
            word.to_owned()
        };
        if inline_markup && i > 0 && rng.chance(0.04) {
            match rng.below(4) {
                0 => {
                    let _ = write!(out, "**{word} {}**", vocab.word(rng));
                    i += 1;
                }
                1 => {
                    let _ = write!(out, "*{word}*");
                }
                2 => {
                    let _ = write!(out, "`{word}_{}()`", vocab.content_word(rng));
                }
                _ => {
                    let a = vocab.content_word(rng);
                    let _ = write!(
                        out,
                        "[{word} {a}](https://example.com/{a}/{})",
                        vocab.content_word(rng)
                    );
                    i += 1;
                }
            }
        } else {
            out.push_str(&word);
        }
        i += 1;
    }
    out.push(rng.pick(&['.', '.', '.', '.', '.', '?', '!']));
    out
}

fn paragraph(vocab: &Vocabulary, rng: &mut Rng, out: &mut String) {
    for i in 0..rng.range(3, 7) {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(&sentence(vocab, rng, true));
    }
    out.push_str("\n\n");
}

fn list(vocab: &Vocabulary, rng: &mut Rng, out: &mut String) {
    let ordered = rng.chance(0.35);
    let task = !ordered && rng.chance(0.1);
    for i in 1..=rng.range(3, 7) {
        if ordered {
            let _ = write!(out, "{i}. ");
        } else if task {
            out.push_str(if rng.chance(0.5) { "- [x] " } else { "- [ ] " });
        } else {
            out.push_str("- ");
        }
        out.push_str(&sentence(vocab, rng, true));
        out.push('\n');
    }
    out.push('\n');
}

fn code(vocab: &Vocabulary, rng: &mut Rng, out: &mut String) {
    let lang = rng.pick(&["rust", "sh", "python", "sql", "json", "js"]);
    let _ = writeln!(out, "```{lang}");
    for _ in 0..rng.range(3, 12) {
        let indent = "    ".repeat(rng.below(3));
        let (a, b, c) = (
            vocab.content_word(rng),
            vocab.content_word(rng),
            vocab.content_word(rng),
        );
        let _ = match rng.below(4) {
            0 => writeln!(out, "{indent}let {a} = {b}({c}, {});", rng.below(1000)),
            1 => writeln!(
                out,
                "{indent}if {a}.{b} > {} {{ return {c}; }}",
                rng.below(100)
            ),
            2 => writeln!(out, "{indent}{a}_{b} = \"{c}\""),
            _ => writeln!(out, "{indent}// {}", sentence(vocab, rng, false)),
        };
    }
    out.push_str("```\n\n");
}

fn quote(vocab: &Vocabulary, rng: &mut Rng, out: &mut String) {
    for _ in 0..rng.range(1, 3) {
        let _ = writeln!(out, "> {}", sentence(vocab, rng, false));
    }
    out.push('\n');
}

fn table(vocab: &Vocabulary, rng: &mut Rng, out: &mut String) {
    let cols = rng.range(2, 4);
    let header: Vec<String> = (0..cols)
        .map(|_| capitalize(vocab.content_word(rng)))
        .collect();
    let _ = writeln!(out, "| {} |", header.join(" | "));
    let _ = writeln!(out, "|{}", "---|".repeat(cols));
    for _ in 0..rng.range(2, 6) {
        let cells: Vec<String> = (0..cols)
            .map(|c| {
                if c == 0 {
                    vocab.content_word(rng).to_owned()
                } else {
                    rng.below(10_000).to_string()
                }
            })
            .collect();
        let _ = writeln!(out, "| {} |", cells.join(" | "));
    }
    out.push('\n');
}

/// A Markdown body of about `target` bytes (a little more: it ends at a block boundary).
pub fn markdown(vocab: &Vocabulary, rng: &mut Rng, target: usize) -> String {
    let mut out = String::with_capacity(target + 2048);
    paragraph(vocab, rng, &mut out);
    while out.len() < target {
        let level = if rng.chance(0.7) { "##" } else { "###" };
        let words = rng.range(2, 6);
        let _ = writeln!(out, "{level} {}\n", title_case(vocab, rng, words));
        for _ in 0..rng.range(1, 4) {
            paragraph(vocab, rng, &mut out);
        }
        match rng.below(10) {
            0..=2 => list(vocab, rng, &mut out),
            3..=4 => code(vocab, rng, &mut out),
            5 => quote(vocab, rng, &mut out),
            6 => table(vocab, rng, &mut out),
            _ => {}
        }
    }
    out.truncate(out.trim_end().len());
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vocabulary_is_stable_and_unique() {
        let a = Vocabulary::new(5_000);
        let b = Vocabulary::new(5_000);
        assert_eq!(a.words, b.words);
        let unique: HashSet<&String> = a.words.iter().collect();
        assert_eq!(unique.len(), 5_000);
        assert!(
            a.words
                .iter()
                .all(|w| w.chars().all(|c| c.is_ascii_lowercase()))
        );
    }

    #[test]
    fn bodies_reach_their_size_with_varied_blocks() {
        let vocab = Vocabulary::new(5_000);
        let mut rng = Rng::new(1);
        let body = markdown(&vocab, &mut rng, 12_000);
        assert!((12_000..16_000).contains(&body.len()), "{}", body.len());
        assert!(body.contains("\n## ") || body.contains("\n### "));
        let rendered = folio::content::markdown::render(&body).unwrap();
        assert!(rendered.html.contains("<h2>") || rendered.html.contains("<h3>"));
        assert!(rendered.reading_time > 1);
    }
}
