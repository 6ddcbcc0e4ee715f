//! Excerpts: the start of a post's plain text, cut on a word boundary.

/// Longest derived excerpt, in characters.
pub const EXCERPT_CHARS: usize = 300;

/// The first [`EXCERPT_CHARS`] characters of `plaintext`, cut at a word boundary, with an
/// ellipsis when something was cut.
pub fn excerpt(plaintext: &str) -> String {
    let flat = plaintext.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= EXCERPT_CHARS {
        return flat;
    }
    let cut = flat
        .char_indices()
        .nth(EXCERPT_CHARS)
        .map_or(flat.len(), |(i, _)| i);
    let head = &flat[..cut];
    // Back up to the last space unless the whole excerpt is a single enormous word.
    let head = match head.rfind(' ') {
        Some(space) if space > 0 => &head[..space],
        _ => head,
    };
    format!(
        "{}…",
        head.trim_end_matches(|c: char| c.is_ascii_punctuation())
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_text_is_kept_whole() {
        assert_eq!(excerpt("Hello\n\nthere"), "Hello there");
    }

    #[test]
    fn long_text_is_cut_on_a_word_boundary() {
        let text = "alpha beta, ".repeat(60);
        let e = excerpt(&text);
        assert!(e.ends_with("beta…") || e.ends_with("alpha…"), "{e}");
        assert!(e.chars().count() <= EXCERPT_CHARS + 1);
        assert!(text.starts_with(e.trim_end_matches('…')));
    }

    #[test]
    fn one_huge_word_is_cut_anyway() {
        let e = excerpt(&"é".repeat(1000));
        assert_eq!(e.chars().count(), EXCERPT_CHARS + 1);
    }
}
