//! Sanitising the HTML that Markdown renders to, raw HTML included, in one pass over its
//! tokens: only an allow-list of elements and attributes is written back, URLs only with safe
//! schemes, every text escaped, and every element that is opened is closed, in order.
//!
//! Why not a tree-building sanitiser: an HTML tree builder looks up the stack of open
//! elements for every tag (and rebuilds unclosed formatting elements for every paragraph),
//! so its cost grows with the square of the nesting, and a few hundred kilobytes of `1. `
//! or `<b id=n><p>` kept a core busy for minutes. Here each token costs a bounded amount of
//! work: elements are counted by name, so an end tag that closes nothing is dropped at once,
//! and one that does pops what it closes, which was pushed once. Nesting itself is bounded by
//! [`MAX_DEPTH`], which no real document reaches; deeper input is refused, not truncated.
//!
//! The allow-lists are those of `ammonia`'s defaults, which Folio used before: what a post
//! may contain did not change.

use std::cell::RefCell;
use std::fmt;

use html5ever::tendril::StrTendril;
use html5ever::tokenizer::states::RawKind;
use html5ever::tokenizer::{
    BufferQueue, Tag, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
};

/// The most elements one may open inside another (lists, quotes, emphasis, links and HTML
/// alike). Browsers stop nesting long before a document is this deep (Chromium at 512).
pub const MAX_DEPTH: usize = 128;

/// The document nests elements deeper than [`MAX_DEPTH`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("nests lists, quotes, emphasis, links or HTML elements more than {MAX_DEPTH} deep")]
pub struct TooDeep;

/// What an allowed element may carry.
struct Rule {
    name: &'static str,
    attributes: &'static [&'static str],
    /// Has no content and no end tag (`<br>`).
    void: bool,
}

const fn rule(name: &'static str, attributes: &'static [&'static str]) -> Rule {
    Rule {
        name,
        attributes,
        void: false,
    }
}

const fn void(name: &'static str, attributes: &'static [&'static str]) -> Rule {
    Rule {
        name,
        attributes,
        void: true,
    }
}

const ALIGN: &[&str] = &["align", "char", "charoff"];

/// Allowed elements, sorted by name for lookup.
const RULES: &[Rule] = &[
    rule("a", &["href", "hreflang"]),
    rule("abbr", &[]),
    rule("acronym", &[]),
    void("area", &[]),
    rule("article", &[]),
    rule("aside", &[]),
    rule("b", &[]),
    rule("bdi", &[]),
    rule("bdo", &["dir"]),
    rule("blockquote", &["cite"]),
    void("br", &[]),
    rule("caption", &[]),
    rule("center", &[]),
    rule("cite", &[]),
    rule("code", &[]),
    void("col", &["align", "char", "charoff", "span"]),
    rule("colgroup", &["align", "char", "charoff", "span"]),
    rule("data", &[]),
    rule("dd", &[]),
    rule("del", &["cite", "datetime"]),
    rule("details", &[]),
    rule("dfn", &[]),
    rule("div", &[]),
    rule("dl", &[]),
    rule("dt", &[]),
    rule("em", &[]),
    rule("figcaption", &[]),
    rule("figure", &[]),
    rule("footer", &[]),
    rule("h1", &[]),
    rule("h2", &[]),
    rule("h3", &[]),
    rule("h4", &[]),
    rule("h5", &[]),
    rule("h6", &[]),
    rule("header", &[]),
    rule("hgroup", &[]),
    void("hr", &["align", "size", "width"]),
    rule("i", &[]),
    void("img", &["align", "alt", "height", "src", "width"]),
    rule("ins", &["cite", "datetime"]),
    rule("kbd", &[]),
    rule("li", &[]),
    rule("map", &[]),
    rule("mark", &[]),
    rule("nav", &[]),
    rule("ol", &["start"]),
    rule("p", &[]),
    rule("pre", &[]),
    rule("q", &["cite"]),
    rule("rp", &[]),
    rule("rt", &[]),
    rule("rtc", &[]),
    rule("ruby", &[]),
    rule("s", &[]),
    rule("samp", &[]),
    rule("small", &[]),
    rule("span", &[]),
    rule("strike", &[]),
    rule("strong", &[]),
    rule("sub", &[]),
    rule("summary", &[]),
    rule("sup", &[]),
    rule("table", &["align", "char", "charoff", "summary"]),
    rule("tbody", ALIGN),
    rule(
        "td",
        &["align", "char", "charoff", "colspan", "headers", "rowspan"],
    ),
    rule(
        "th",
        &[
            "align", "char", "charoff", "colspan", "headers", "rowspan", "scope",
        ],
    ),
    rule("thead", ALIGN),
    rule("time", &[]),
    rule("tr", ALIGN),
    rule("tt", &[]),
    rule("u", &[]),
    rule("ul", &[]),
    rule("var", &[]),
    void("wbr", &[]),
];

/// Attributes any allowed element may carry.
const GENERIC_ATTRIBUTES: &[&str] = &["lang", "title"];

/// Attributes holding a URL, which must be relative or use one of [`URL_SCHEMES`].
const URL_ATTRIBUTES: &[&str] = &["cite", "href", "src"];

const URL_SCHEMES: &[&str] = &[
    "bitcoin",
    "ftp",
    "ftps",
    "geo",
    "http",
    "https",
    "im",
    "irc",
    "ircs",
    "magnet",
    "mailto",
    "mms",
    "mx",
    "news",
    "nntp",
    "openpgp4fpr",
    "sip",
    "sms",
    "smsto",
    "ssh",
    "tel",
    "url",
    "webcal",
    "wtai",
    "xmpp",
];

/// Every link leaves without giving the target page a handle on the reader's one.
const LINK_REL: &str = "noopener noreferrer";

/// Elements the HTML parsing algorithm treats as "special" (among those allowed): the ones a
/// new list item or term does not look past for an open one to end.
const SPECIAL: &[&str] = &[
    "area",
    "article",
    "aside",
    "blockquote",
    "br",
    "caption",
    "center",
    "col",
    "colgroup",
    "dd",
    "details",
    "dl",
    "dt",
    "figcaption",
    "figure",
    "footer",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hgroup",
    "hr",
    "img",
    "li",
    "nav",
    "ol",
    "pre",
    "summary",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "tr",
    "ul",
    "wbr",
];

/// Start tags that end an open paragraph, as HTML parsers imply its end tag.
const ENDS_PARAGRAPH: &[&str] = &[
    "article",
    "aside",
    "blockquote",
    "center",
    "dd",
    "details",
    "div",
    "dl",
    "dt",
    "figcaption",
    "figure",
    "footer",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hgroup",
    "hr",
    "li",
    "nav",
    "ol",
    "p",
    "pre",
    "summary",
    "table",
    "ul",
];

fn rule_of(name: &str) -> Option<usize> {
    RULES.binary_search_by(|r| r.name.cmp(name)).ok()
}

/// What an element that is not allowed does to the text after its start tag, as an HTML
/// parser reads it: scripts and styles are dropped with their content; the content of the
/// other raw-text elements is kept, as text.
fn raw_content(name: &str) -> Option<(RawKind, bool)> {
    match name {
        "script" => Some((RawKind::ScriptData, true)),
        "style" => Some((RawKind::Rawtext, true)),
        "textarea" | "title" => Some((RawKind::Rcdata, false)),
        "xmp" | "iframe" | "noembed" | "noframes" | "noscript" => Some((RawKind::Rawtext, false)),
        _ => None,
    }
}

/// A URL an attribute may hold: relative, or with a safe scheme. Parsed as browsers do, so
/// `java\tscript:` and ` javascript:` are recognised for what they are.
fn safe_url(value: &str) -> bool {
    match url::Url::parse(value) {
        Ok(url) => URL_SCHEMES.contains(&url.scheme()),
        Err(url::ParseError::RelativeUrlWithoutBase) => true,
        Err(_) => false,
    }
}

/// `text` as HTML that shows it, where plain text must be given as HTML (an RSS
/// `description`).
pub fn text_as_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    escape(&mut out, text, false);
    out
}

fn escape(out: &mut String, text: &str, attribute: bool) {
    let mut rest = text;
    while let Some(i) = rest.find(['&', '<', '>', '"', '\u{a0}']) {
        out.push_str(&rest[..i]);
        let c = rest[i..].chars().next().unwrap_or_default();
        match c {
            '&' => out.push_str("&amp;"),
            '\u{a0}' => out.push_str("&nbsp;"),
            '"' if attribute => out.push_str("&quot;"),
            '<' if !attribute => out.push_str("&lt;"),
            '>' if !attribute => out.push_str("&gt;"),
            other => out.push(other),
        }
        rest = &rest[i + c.len_utf8()..];
    }
    out.push_str(rest);
}

/// The sanitiser's state, fed token by token.
struct State {
    out: String,
    /// The allowed elements open now, innermost last, as indices into [`RULES`].
    stack: Vec<usize>,
    /// How many of each allowed element are open, so that an end tag closing nothing costs
    /// nothing.
    open: [u32; RULES.len()],
    /// Inside a script or style, whose content is dropped until its end tag.
    dropping: bool,
    too_deep: bool,
    /// Tokens handled plus elements closed: the work done, which tests hold linear.
    steps: u64,
}

impl State {
    fn start(&mut self, tag: &Tag) -> TokenSinkResult<()> {
        let Some(index) = rule_of(&tag.name) else {
            return match raw_content(&tag.name) {
                Some((kind, drop)) => {
                    self.dropping = drop;
                    TokenSinkResult::RawData(kind)
                }
                None if &*tag.name == "plaintext" => TokenSinkResult::Plaintext,
                None => TokenSinkResult::Continue,
            };
        };
        self.implied_ends(&tag.name);
        let rule = &RULES[index];
        if !rule.void && self.stack.len() >= MAX_DEPTH {
            self.too_deep = true;
            return TokenSinkResult::Continue;
        }
        self.out.push('<');
        self.out.push_str(rule.name);
        for attribute in &tag.attrs {
            let name = &*attribute.name.local;
            let allowed = (GENERIC_ATTRIBUTES.contains(&name) || rule.attributes.contains(&name))
                && (!URL_ATTRIBUTES.contains(&name) || safe_url(&attribute.value));
            if allowed {
                self.out.push(' ');
                self.out.push_str(name);
                self.out.push_str("=\"");
                escape(&mut self.out, &attribute.value, true);
                self.out.push('"');
            }
        }
        if rule.name == "a" {
            self.out.push_str(" rel=\"");
            self.out.push_str(LINK_REL);
            self.out.push('"');
        }
        self.out.push('>');
        // `<div/>` opens a div, as in any HTML parser: only void elements have no content.
        if !rule.void {
            self.stack.push(index);
            self.open[index] += 1;
        }
        TokenSinkResult::Continue
    }

    /// Ends what a start tag `name` implies the end of, as HTML parsers do: a list item the
    /// one before it, a table cell or row the one before it, a block an open paragraph.
    /// Unclosed `<li>` and `<p>` in pasted HTML then nest no deeper than a browser shows
    /// them. Each look is bounded by the depth limit.
    fn implied_ends(&mut self, name: &str) {
        match name {
            "li" => self.end_open(&["li"], |n| SPECIAL.contains(&n) && n != "li"),
            "dt" | "dd" => self.end_open(&["dt", "dd"], |n| {
                SPECIAL.contains(&n) && !matches!(n, "dt" | "dd")
            }),
            "td" | "th" => self.end_open(&["td", "th"], |n| matches!(n, "tr" | "table")),
            "tr" => self.end_open(&["tr"], |n| matches!(n, "table" | "tbody" | "thead")),
            _ => {}
        }
        if ENDS_PARAGRAPH.contains(&name) {
            self.end_open(&["p"], |n| matches!(n, "caption" | "table" | "td" | "th"));
        }
    }

    /// Closes the innermost open element named in `ends` and what was opened inside it,
    /// unless an element for which `stops` holds is open inside it.
    fn end_open(&mut self, ends: &[&str], stops: impl Fn(&str) -> bool) {
        if !ends
            .iter()
            .any(|n| rule_of(n).is_some_and(|i| self.open[i] > 0))
        {
            return;
        }
        for depth in (0..self.stack.len()).rev() {
            self.steps += 1;
            let name = RULES[self.stack[depth]].name;
            if ends.contains(&name) {
                while self.stack.len() > depth {
                    if let Some(top) = self.stack.pop() {
                        self.close(top);
                    }
                }
                return;
            }
            if stops(name) {
                return;
            }
        }
    }

    /// An end tag closes the innermost open element of its name and everything opened
    /// inside it; one that matches no open element is dropped.
    fn end(&mut self, tag: &Tag) {
        if raw_content(&tag.name).is_some_and(|(_, drop)| drop) {
            self.dropping = false;
            return;
        }
        let Some(index) = rule_of(&tag.name) else {
            return;
        };
        if RULES[index].void || self.open[index] == 0 {
            return;
        }
        while let Some(top) = self.stack.pop() {
            self.close(top);
            if top == index {
                break;
            }
        }
    }

    fn close(&mut self, index: usize) {
        self.steps += 1;
        self.open[index] -= 1;
        self.out.push_str("</");
        self.out.push_str(RULES[index].name);
        self.out.push('>');
    }

    fn finish(&mut self) {
        while let Some(top) = self.stack.pop() {
            self.close(top);
        }
    }
}

struct Sink(RefCell<State>);

impl TokenSink for Sink {
    type Handle = ();

    fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
        let mut state = self.0.borrow_mut();
        state.steps += 1;
        if state.too_deep {
            return TokenSinkResult::Continue;
        }
        match token {
            Token::TagToken(tag) if state.dropping => {
                if tag.kind == TagKind::EndTag {
                    state.end(&tag);
                }
                TokenSinkResult::Continue
            }
            Token::TagToken(tag) => match tag.kind {
                TagKind::StartTag => state.start(&tag),
                TagKind::EndTag => {
                    state.end(&tag);
                    TokenSinkResult::Continue
                }
            },
            Token::CharacterTokens(text) if !state.dropping => {
                escape(&mut state.out, &text, false);
                TokenSinkResult::Continue
            }
            Token::EOFToken => {
                state.finish();
                TokenSinkResult::Continue
            }
            // Comments, doctypes, NUL characters, parse errors, and the content of scripts.
            _ => TokenSinkResult::Continue,
        }
    }
}

/// Bytes of HTML handed to the tokenizer at a time.
const CHUNK: usize = 16 * 1024;

/// Sanitises HTML as it is written, so the unsanitised document never exists whole; writing
/// stops with an error as soon as it nests too deep.
pub struct Cleaner {
    tokenizer: Tokenizer<Sink>,
    queue: BufferQueue,
    pending: String,
}

/// What [`Cleaner::finish`] gives: the sanitised HTML, and the work it took.
pub struct Cleaned {
    pub html: String,
    pub steps: u64,
}

impl Cleaner {
    /// A cleaner expecting about `size` bytes of HTML.
    pub fn new(size: usize) -> Cleaner {
        let state = State {
            out: String::with_capacity(size),
            stack: Vec::new(),
            open: [0; RULES.len()],
            dropping: false,
            too_deep: false,
            steps: 0,
        };
        Cleaner {
            tokenizer: Tokenizer::new(Sink(RefCell::new(state)), TokenizerOpts::default()),
            queue: BufferQueue::default(),
            pending: String::with_capacity(CHUNK + 1024),
        }
    }

    fn too_deep(&self) -> bool {
        self.tokenizer.sink.0.borrow().too_deep
    }

    fn feed(&mut self) {
        if !self.pending.is_empty() {
            self.queue.push_back(StrTendril::from_slice(&self.pending));
            self.pending.clear();
            // The sink never asks the tokenizer to pause for a script, so this runs to the
            // end of what is queued.
            let _ = self.tokenizer.feed(&self.queue);
        }
    }

    pub fn finish(mut self) -> Result<Cleaned, TooDeep> {
        self.feed();
        self.tokenizer.end();
        if self.too_deep() {
            return Err(TooDeep);
        }
        let state = self.tokenizer.sink.0.into_inner();
        Ok(Cleaned {
            html: state.out,
            steps: state.steps,
        })
    }
}

impl fmt::Write for Cleaner {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.pending.push_str(s);
        if self.pending.len() >= CHUNK {
            self.feed();
            if self.too_deep() {
                return Err(fmt::Error);
            }
        }
        Ok(())
    }
}

/// `html`, sanitised.
pub fn clean(html: &str) -> Result<String, TooDeep> {
    let mut cleaner = Cleaner::new(html.len());
    // Writing to a cleaner fails only when the input nests too deep, which finish reports.
    let _ = fmt::Write::write_str(&mut cleaner, html);
    cleaner.finish().map(|cleaned| cleaned.html)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rules_are_sorted_for_lookup() {
        assert!(RULES.windows(2).all(|w| w[0].name < w[1].name));
        assert_eq!(rule_of("a"), Some(0));
        assert_eq!(rule_of("wbr"), Some(RULES.len() - 1));
        assert_eq!(rule_of("script"), None);
    }

    #[test]
    fn keeps_allowed_markup_and_drops_the_rest() {
        assert_eq!(
            clean(r#"<p title="t" class="c" onclick="x()">Hi <b>there</b></p>"#).unwrap(),
            r#"<p title="t">Hi <b>there</b></p>"#
        );
        assert_eq!(
            clean("<script>alert(1)</script><style>p{}</style>ok").unwrap(),
            "ok"
        );
        assert_eq!(
            clean("<textarea><b>x</b></textarea>").unwrap(),
            "&lt;b&gt;x&lt;/b&gt;"
        );
        assert_eq!(clean("<!-- c --><!DOCTYPE html>a").unwrap(), "a");
        assert_eq!(clean("<form><input value=1>x</form>").unwrap(), "x");
    }

    #[test]
    fn links_are_safe_and_leave_no_opener() {
        assert_eq!(
            clean(r#"<a href="https://example.com/?a=1&amp;b=2">x</a>"#).unwrap(),
            r#"<a href="https://example.com/?a=1&amp;b=2" rel="noopener noreferrer">x</a>"#
        );
        for bad in [
            "javascript:alert(1)",
            "JaVaScRiPt:alert(1)",
            " javascript:alert(1)",
            "java\tscript:alert(1)",
            "java&#x09;script:alert(1)",
            "&#106;avascript:alert(1)",
            "data:text/html;base64,PHNjcmlwdD4=",
            "vbscript:msgbox(1)",
        ] {
            let html = clean(&format!(r#"<a href="{bad}">x</a><img src="{bad}">"#)).unwrap();
            assert_eq!(html, r#"<a rel="noopener noreferrer">x</a><img>"#, "{bad}");
        }
        assert_eq!(
            clean(r#"<img src="/a.png" alt="a &quot;b&quot;">"#).unwrap(),
            r#"<img src="/a.png" alt="a &quot;b&quot;">"#
        );
    }

    #[test]
    fn every_element_opened_is_closed_in_order() {
        assert_eq!(clean("<b><i>x</b>y</i>").unwrap(), "<b><i>x</i></b>y");
        assert_eq!(clean("<div><p>a").unwrap(), "<div><p>a</p></div>");
        assert_eq!(
            clean("</p></div>a<br/>b<div/>c").unwrap(),
            "a<br>b<div>c</div>"
        );
    }

    #[test]
    fn unclosed_items_and_paragraphs_end_where_browsers_end_them() {
        assert_eq!(
            clean("<ul><li>a<li>b<li>c</ul>").unwrap(),
            "<ul><li>a</li><li>b</li><li>c</li></ul>"
        );
        assert_eq!(
            clean("<p>a<p>b<div>c</div>").unwrap(),
            "<p>a</p><p>b</p><div>c</div>"
        );
        assert_eq!(
            clean("<li>a<blockquote><li>b").unwrap(),
            "<li>a<blockquote><li>b</li></blockquote></li>",
            "an item does not end one outside a quote"
        );
        assert_eq!(
            clean("<table><tr><td>a<td>b<tr><td>c</table>").unwrap(),
            "<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>"
        );
        assert!(clean(&"<p>x".repeat(10 * MAX_DEPTH)).is_ok());
        assert!(clean(&format!("<ul>{}</ul>", "<li>x".repeat(10 * MAX_DEPTH))).is_ok());
    }

    #[test]
    fn nesting_past_the_limit_is_refused() {
        assert!(clean(&"<div>".repeat(MAX_DEPTH)).is_ok());
        assert_eq!(clean(&"<div>".repeat(MAX_DEPTH + 1)), Err(TooDeep));
        // Void and unknown elements nest nothing.
        assert!(clean(&"<br><x>".repeat(10 * MAX_DEPTH)).is_ok());
        // Closed elements no longer count.
        assert!(clean(&"<div></div>".repeat(10 * MAX_DEPTH)).is_ok());
    }

    #[test]
    fn text_is_escaped() {
        assert_eq!(
            clean("a &lt;script&gt; &amp; \u{a0}").unwrap(),
            "a &lt;script&gt; &amp; &nbsp;"
        );
    }
}
