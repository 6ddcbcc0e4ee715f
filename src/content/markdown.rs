//! Markdown to what readers get: CommonMark (with tables, footnotes, strikethrough and task
//! lists) rendered and sanitised in one linear pass, the plain text, and the reading time.

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

use super::sanitize::{Cleaner, TooDeep};

/// What a post's Markdown becomes, computed once when the post is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// The Markdown as sanitised HTML: safe to insert into a page as it is.
    pub html: String,
    /// The readable text (see [`plaintext`]): for the search index, never stored.
    pub plaintext: String,
    pub reading_time: i32,
    /// What Ghost's reading time is made of: the words of the text, and the images.
    pub word_count: i32,
    pub image_count: i32,
    /// What Ghost's excerpt is cut from: the text's first [`TEXT_START_CHARS`] characters.
    pub text_start: String,
}

/// Characters of the text a post keeps at hand for Ghost's excerpt.
pub const TEXT_START_CHARS: usize = 500;

/// Average adult silent reading speed for non-fiction, in words per minute.
const WORDS_PER_MINUTE: usize = 265;

fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
}

/// Renders `markdown`, in time linear in its length whatever it holds; refused when it nests
/// deeper than [`super::sanitize::MAX_DEPTH`].
pub fn render(markdown: &str) -> Result<Rendered, TooDeep> {
    render_counting(markdown).map(|(rendered, _)| rendered)
}

/// [`render`], and the sanitiser's steps (for the tests that hold them linear).
fn render_counting(markdown: &str) -> Result<(Rendered, u64), TooDeep> {
    // Markdown may carry raw HTML: the HTML is sanitised as it is written, and only the
    // sanitised result is ever stored or served.
    let mut cleaner = Cleaner::new(markdown.len() * 3 / 2);
    // Writing fails only when the document nests too deep, which `finish` reports.
    let _ =
        pulldown_cmark::html::write_html_fmt(&mut cleaner, Parser::new_ext(markdown, options()));
    let cleaned = cleaner.finish()?;
    let plaintext = plaintext(markdown);
    let words = plaintext.split_whitespace().count();
    let image_count = i32::try_from(cleaned.html.matches("<img").count()).unwrap_or(i32::MAX);
    Ok((
        Rendered {
            reading_time: i32::try_from(words.div_ceil(WORDS_PER_MINUTE)).unwrap_or(i32::MAX),
            word_count: crate::db::text::words(&plaintext),
            image_count,
            text_start: plaintext.chars().take(TEXT_START_CHARS).collect(),
            html: cleaned.html,
            plaintext,
        },
        cleaned.steps,
    ))
}

/// The readable text of a Markdown document: no markup, no raw HTML, one line per block. Made
/// again from the Markdown when a reader asks for it (a parse, without the rendering): a
/// stored copy took a third of the space of a post's bodies.
pub fn plaintext(markdown: &str) -> String {
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
    use html5ever::tendril::TendrilSink;
    use markup5ever_rcdom::{Handle, NodeData, RcDom};
    use proptest::prelude::*;

    use super::*;
    use crate::content::sanitize::{self, MAX_DEPTH};

    #[test]
    fn renders_commonmark_and_tables() {
        let r = render("# Title\n\n| a | b |\n|---|---|\n| 1 | 2 |\n").unwrap();
        assert!(r.html.contains("<h1>Title</h1>"));
        assert!(r.html.contains("<table>"));
    }

    #[test]
    fn strips_scripts_event_handlers_and_javascript_urls() {
        let r = render(
            "<script>alert(1)</script>\n\n<img src=x onerror=\"alert(2)\">\n\n\
             [click](javascript:alert(3)) <a href=\"javascript:alert(4)\">x</a>",
        )
        .unwrap();
        assert!(!r.html.contains("<script"), "{}", r.html);
        assert!(!r.html.contains("onerror"), "{}", r.html);
        assert!(!r.html.contains("javascript:"), "{}", r.html);
    }

    #[test]
    fn plaintext_drops_markup_and_counts_reading_time() {
        let r =
            render("## Hello *world*\n\nSome `code` and [a link](https://example.com).").unwrap();
        assert_eq!(r.plaintext, "Hello world\nSome code and a link.");
        assert_eq!(r.reading_time, 1);
        let long = "word ".repeat(WORDS_PER_MINUTE * 3 + 1);
        assert_eq!(render(&long).unwrap().reading_time, 4);
        assert_eq!(render("").unwrap().reading_time, 0);
    }

    #[test]
    fn what_ghost_counts_is_counted_once() {
        let r = render("One ![a](/a.png) two\n\n<img src=\"/b.png\"> three").unwrap();
        assert_eq!((r.word_count, r.image_count), (4, 2));
        let long = render(&"é".repeat(600)).unwrap();
        assert_eq!(long.text_start, "é".repeat(TEXT_START_CHARS));
    }

    /// What `ammonia`, the tree-building sanitiser Folio used before, makes of the same HTML.
    fn as_before(markdown: &str) -> String {
        let mut html = String::new();
        pulldown_cmark::html::push_html(&mut html, Parser::new_ext(markdown, options()));
        ammonia::Builder::default()
            .link_rel(Some("noopener noreferrer"))
            .clean(&html)
            .to_string()
    }

    /// Markdown as posts are written: what it may contain did not change.
    const EVERYDAY: &[&str] = &[
        "# Title\n\nA paragraph with *emphasis*, **strong**, `code` and ~~strikes~~.",
        "- one\n- two\n  - nested\n\n1. first\n2. second",
        "> A quote\n>\n> > nested, with [a link](https://example.com \"title\")",
        "| a | b |\n|:--|--:|\n| 1 | 2 |",
        "```rust\nfn main() {}\n```\n\n    indented code",
        "Text with a footnote.[^1]\n\n[^1]: The note.",
        "- [ ] todo\n- [x] done",
        "![An image](/media/a.png \"caption\")\n\n<https://example.com> and a&amp;b < c",
        "<div class=\"note\">\n\nMarkdown *inside* HTML.\n\n</div>",
        "<details><summary>More</summary>\n\nHidden text.\n\n</details>",
        "Line one  \nline two\\\nline three\n\n---\n\n<kbd>Ctrl</kbd>+<kbd>C</kbd>",
        "<p align=\"center\"><img src=\"https://example.com/a.png\" width=\"100\"></p>",
    ];

    /// Where the two differ: a tree builder writes out the elements HTML implies, where the
    /// markup is kept as written (browsers imply the same elements when they read it).
    #[test]
    fn implied_elements_are_left_to_the_browser() {
        let table = "<table><tr><td colspan=\"2\">cell</td></tr></table>";
        assert_eq!(render(table).unwrap().html, table);
        assert_eq!(
            as_before(table),
            "<table><tbody><tr><td colspan=\"2\">cell</td></tr></tbody></table>"
        );
    }

    #[test]
    fn everyday_markdown_renders_as_it_did_with_the_tree_sanitiser() {
        let demo = crate::demo::content::POSTS.iter().map(|p| p.markdown);
        for markdown in EVERYDAY.iter().copied().chain(demo) {
            assert_eq!(
                render(markdown).unwrap().html,
                as_before(markdown),
                "for {markdown:?}"
            );
        }
    }

    /// Elements a browser could run script from, or that could hold such elements.
    const DANGEROUS: &[&str] = &[
        "script",
        "style",
        "iframe",
        "object",
        "embed",
        "form",
        "input",
        "button",
        "textarea",
        "select",
        "svg",
        "math",
        "template",
        "link",
        "meta",
        "base",
        "frame",
        "frameset",
        "applet",
        "video",
        "audio",
        "source",
        "noscript",
        "xmp",
        "plaintext",
    ];

    /// Checks `html` as a browser parses it (html5ever's tree builder, with its own fixing up
    /// of misnested markup): no element or attribute that can run script, no URL with a
    /// scheme that can, and nothing the sanitiser would remove a second time.
    fn assert_safe(html: &str) {
        let dom = html5ever::parse_document(RcDom::default(), Default::default()).one(html);
        let mut stack: Vec<Handle> = vec![dom.document.clone()];
        while let Some(node) = stack.pop() {
            if let NodeData::Element { name, attrs, .. } = &node.data {
                let element = &*name.local;
                assert!(!DANGEROUS.contains(&element), "<{element}> in {html}");
                for attr in attrs.borrow().iter() {
                    let attribute = &*attr.name.local;
                    assert!(!attribute.starts_with("on"), "{attribute} in {html}");
                    assert!(
                        !matches!(attribute, "style" | "srcdoc" | "formaction"),
                        "{html}"
                    );
                    let value: String = attr
                        .value
                        .chars()
                        .filter(|c| !c.is_ascii_whitespace() && !c.is_ascii_control())
                        .collect::<String>()
                        .to_ascii_lowercase();
                    for scheme in ["javascript:", "vbscript:", "data:"] {
                        assert!(!value.starts_with(scheme), "{attribute}={value} in {html}");
                    }
                }
            }
            if let NodeData::Comment { .. } = &node.data {
                panic!("a comment survived in {html}");
            }
            stack.extend(node.children.borrow().iter().cloned());
        }
        assert_eq!(
            sanitize::clean(html).unwrap(),
            html,
            "cleaning again changes it"
        );
    }

    /// Known ways of getting script past sanitisers, in raw HTML and in Markdown.
    const ATTACKS: &[&str] = &[
        "<script>alert(1)</script>",
        "<SCRIPT SRC=//xss.example/x.js></SCRIPT>",
        "<scr<script>ipt>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "<img src=\"x\"onerror=\"alert(1)\">",
        "<IMG SRC=JaVaScRiPt:alert(1)>",
        "<img src=\"jav&#x09;ascript:alert(1);\">",
        "<img src=\"&#14;  javascript:alert(1);\">",
        "<a href=\"&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)\">x</a>",
        "<a href=\"  javascript:alert(1)\">x</a>",
        "<a href=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\">x</a>",
        "<svg onload=alert(1)><script>alert(2)</script></svg>",
        "<math><mi xlink:href=\"javascript:alert(1)\">x</mi></math>",
        "<iframe src=\"javascript:alert(1)\"></iframe>",
        "<iframe srcdoc=\"<script>alert(1)</script>\"></iframe>",
        "<object data=\"javascript:alert(1)\"></object>",
        "<embed src=\"javascript:alert(1)\">",
        "<form action=\"javascript:alert(1)\"><button formaction=javascript:alert(1)>x</button></form>",
        "<body onload=alert(1)>",
        "<div style=\"background:url(javascript:alert(1))\">x</div>",
        "<style>@import 'http://xss.example/x.css';</style>",
        "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(1)\">",
        "<base href=\"javascript:alert(1)//\">",
        "<link rel=stylesheet href=\"javascript:alert(1)\">",
        "<table background=\"javascript:alert(1)\"><td>x</td></table>",
        "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\"></noscript>",
        "<textarea></textarea><script>alert(1)</script>",
        "<title><script>alert(1)</script></title>",
        "<xmp><script>alert(1)</script></xmp>",
        "<!--<img src=x onerror=alert(1)>-->",
        "<![CDATA[<script>alert(1)</script>]]>",
        "<template><script>alert(1)</script></template>",
        "<a href=\"javascript&colon;alert(1)\">x</a>",
        "<details open ontoggle=alert(1)>",
        "<video><source onerror=\"alert(1)\"></video>",
        "<isindex type=image src=1 onerror=alert(1)>",
        "<img src=x onerror=alert(1)//",
        "<a href=javascript:alert(1) title=x>x",
        "[x](javascript:alert(1))",
        "[x](JAVASCRIPT:alert(1))",
        "[x](<javascript:alert(1)>)",
        "![x](javascript:alert(1))",
        "[x]: javascript:alert(1)\n\n[x]",
        "<javascript:alert(1)>",
        "[x](data:text/html,<script>alert(1)</script>)",
        "`<script>` and <code><script>alert(1)</script></code>",
        "```html\n<script>alert(1)</script>\n```",
        "*<img src=x onerror=alert(1)>*",
        "> <iframe src=x>\n> quoted",
        "- <img src=x\n  onerror=alert(1)>",
        "<div\nonclick=alert(1)>x</div>",
        "<p>unclosed <b>bold <i>italic <a href=https://ok.example>link",
    ];

    #[test]
    fn no_known_attack_survives() {
        for attack in ATTACKS {
            let html = render(attack).unwrap().html;
            assert_safe(&html);
            assert!(
                !html.to_ascii_lowercase().contains("alert(1)</script"),
                "{html}"
            );
        }
    }

    #[test]
    fn nesting_is_refused_past_the_limit_and_kept_below_it() {
        let quotes = |n: usize| "> ".repeat(n);
        assert!(render(&quotes(MAX_DEPTH - 1)).is_ok());
        assert!(render(&quotes(MAX_DEPTH + 1)).is_err());
        let lists = |n: usize| "1. ".repeat(n);
        assert!(render(&lists(MAX_DEPTH / 2 - 1)).is_ok());
        assert!(render(&lists(MAX_DEPTH)).is_err());
        assert!(render(&"<div>".repeat(MAX_DEPTH + 1)).is_err());
        let error = render(&quotes(1000)).unwrap_err().to_string();
        assert!(error.contains(&MAX_DEPTH.to_string()), "{error}");
    }

    /// The sanitiser's steps for `markdown`, refused or not.
    fn steps(markdown: &str) -> u64 {
        match render_counting(markdown) {
            Ok((_, steps)) => steps,
            Err(_) => 0,
        }
    }

    /// Pieces of Markdown and HTML that nest, open, close and misnest.
    fn piece() -> impl Strategy<Value = &'static str> {
        prop::sample::select(vec![
            "> ",
            "1. ",
            "- ",
            "* ",
            "+ ",
            "  ",
            "\n",
            "\n\n",
            "*",
            "**",
            "_",
            "~~",
            "`",
            "[",
            "]",
            "](u)",
            "![",
            "(",
            ")",
            "|",
            "|-|",
            "<div>",
            "</div>",
            "<b>",
            "</b>",
            "<i>",
            "</i>",
            "<p>",
            "</p>",
            "<span>",
            "</span>",
            "<a href=x>",
            "</a>",
            "<script>",
            "</script>",
            "<table>",
            "<td>",
            "<!--",
            "-->",
            "&amp;",
            "&#",
            "x",
            "word ",
            "[^1]",
            "[^1]: ",
            "# ",
            "<img src=x onerror=y>",
            "<b id=1><p>",
        ])
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// Whatever the input, rendering neither panics nor lets script through, and what it
        /// writes is bounded by what it reads.
        #[test]
        fn any_mix_of_pieces_renders_safely(pieces in prop::collection::vec(piece(), 0..400)) {
            let markdown = pieces.concat();
            if let Ok(rendered) = render(&markdown) {
                assert_safe(&rendered.html);
                prop_assert!(rendered.html.len() <= 64 * markdown.len() + 64);
            }
        }

        /// Any text at all, not only Markdown's own pieces.
        #[test]
        fn any_text_renders_safely(text in "\\PC{0,600}") {
            if let Ok(rendered) = render(&text) {
                assert_safe(&rendered.html);
            }
        }

        /// The sanitiser's work grows with the input, not with its square: a pathological
        /// piece repeated twice as often costs at most about twice the work.
        #[test]
        fn work_grows_linearly_with_repetition(
            unit in prop::collection::vec(piece(), 1..8),
            times in 200usize..800,
        ) {
            let unit = unit.concat();
            let once = steps(&unit.repeat(times));
            let twice = steps(&unit.repeat(2 * times));
            prop_assert!(twice <= 2 * once + 64 * unit.len() as u64 + 256, "{once} then {twice}");
            let per_byte = twice as f64 / (2 * times * unit.len()) as f64;
            prop_assert!(per_byte <= 48.0, "{per_byte} steps per byte");
        }

        /// Nesting below the limit is never refused, however it is built.
        #[test]
        fn shallow_nesting_is_kept(
            openers in prop::collection::vec(prop::sample::select(vec!["> ", "- ", "<div>\n\n", "*"]), 0..40),
        ) {
            let markdown = format!("{}text", openers.concat());
            prop_assert!(render(&markdown).is_ok(), "{markdown:?}");
        }
    }
}
