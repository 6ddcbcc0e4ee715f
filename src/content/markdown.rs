use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

/// What a post's Markdown becomes, computed once when the post is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// CommonMark (with tables, footnotes, strikethrough and task lists) as sanitised HTML.
    pub html: String,
    pub plaintext: String,
    pub reading_time: i32,
}

/// Average adult silent reading speed for non-fiction, in words per minute.
const WORDS_PER_MINUTE: usize = 265;

fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
}

pub fn render(markdown: &str) -> Rendered {
    let mut unsafe_html = String::with_capacity(markdown.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut unsafe_html, Parser::new_ext(markdown, options()));
    // Markdown may carry raw HTML; only the sanitised result is ever stored or served.
    let html = ammonia::Builder::default()
        .link_rel(Some("noopener noreferrer"))
        .clean(&unsafe_html)
        .to_string();
    let plaintext = plaintext(markdown);
    let words = plaintext.split_whitespace().count();
    Rendered {
        html,
        reading_time: i32::try_from(words.div_ceil(WORDS_PER_MINUTE)).unwrap_or(i32::MAX),
        plaintext,
    }
}

/// The readable text of a Markdown document: no markup, no raw HTML, one line per block.
fn plaintext(markdown: &str) -> String {
    let mut out = String::with_capacity(markdown.len());
    for event in Parser::new_ext(markdown, options()) {
        match event {
            Event::Text(text) | Event::Code(text) => out.push_str(&text),
            Event::SoftBreak => out.push(' '),
            Event::HardBreak => out.push('\n'),
            Event::Start(Tag::Item) | Event::Start(Tag::TableCell)
                if !out.ends_with(['\n', ' ']) =>
            {
                out.push(' ')
            }
            Event::End(
                TagEnd::Paragraph
                | TagEnd::Heading(_)
                | TagEnd::CodeBlock
                | TagEnd::Item
                | TagEnd::TableRow
                | TagEnd::TableHead
                | TagEnd::BlockQuote(_),
            ) if !out.is_empty() && !out.ends_with('\n') => out.push('\n'),
            _ => {}
        }
    }
    out.trim().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_commonmark_and_tables() {
        let r = render("# Title\n\n| a | b |\n|---|---|\n| 1 | 2 |\n");
        assert!(r.html.contains("<h1>Title</h1>"));
        assert!(r.html.contains("<table>"));
    }

    #[test]
    fn strips_scripts_event_handlers_and_javascript_urls() {
        let r = render(
            "<script>alert(1)</script>\n\n<img src=x onerror=\"alert(2)\">\n\n\
             [click](javascript:alert(3)) <a href=\"javascript:alert(4)\">x</a>",
        );
        assert!(!r.html.contains("<script"), "{}", r.html);
        assert!(!r.html.contains("onerror"), "{}", r.html);
        assert!(!r.html.contains("javascript:"), "{}", r.html);
    }

    #[test]
    fn plaintext_drops_markup_and_counts_reading_time() {
        let r = render("## Hello *world*\n\nSome `code` and [a link](https://example.com).");
        assert_eq!(r.plaintext, "Hello world\nSome code and a link.");
        assert_eq!(r.reading_time, 1);
        let long = "word ".repeat(WORDS_PER_MINUTE * 3 + 1);
        assert_eq!(render(&long).reading_time, 4);
        assert_eq!(render("").reading_time, 0);
    }
}
