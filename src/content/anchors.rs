//! Sanitised HTML as Ghost serves it: headings carry ids (themes build their tables of
//! contents from them) and links and images on the site's own paths are absolute (Ghost's
//! renderer does both). One pass over the HTML Folio's own renderer wrote.

use std::collections::HashMap;

use super::Slug;

/// `html` with ids on its bare headings and `href="/…"` and `src="/…"` made absolute on
/// `site` (no trailing slash; empty leaves them as they are). Only what changes is copied
/// piecewise: the rest goes across in runs.
pub fn ghost_html(html: &str, site: &str) -> String {
    let mut out = String::with_capacity(html.len() + html.len() / 16);
    let mut used: HashMap<String, usize> = HashMap::new();
    // `html[..copied]` is in `out`; the next tag is looked for from `at`.
    let (mut copied, mut at) = (0, 0);
    while let Some(found) = html[at..].find('<') {
        let start = at + found;
        let rest = &html[start..];
        if let Some((level, inner)) = bare_heading(rest) {
            let id = unique(
                &mut used,
                Slug::derive(&text_of(inner), "section").into_inner(),
            );
            out.push_str(&html[copied..start]);
            out.push_str(&format!("<h{level} id=\"{id}\">"));
            (copied, at) = (start + 4, start + 4);
            continue;
        }
        let linking = rest.starts_with("<a ") || rest.starts_with("<img ");
        if !linking || site.is_empty() {
            at = start + 1;
            continue;
        }
        let end = start + rest.find('>').map_or(rest.len(), |i| i + 1);
        let tag = &html[start..end];
        if tag.contains("=\"/") {
            out.push_str(&html[copied..start]);
            push_absolute(&mut out, tag, site);
            copied = end;
        }
        at = end;
    }
    out.push_str(&html[copied..]);
    out
}

/// At `<hN>` (no attributes): its level and its content up to `</hN>`. Only the opening tag
/// is rewritten, so the content is left to the loop.
fn bare_heading(html: &str) -> Option<(char, &str)> {
    let bytes = html.as_bytes();
    if bytes.len() < 4 || bytes[1] != b'h' || !(b'1'..=b'6').contains(&bytes[2]) || bytes[3] != b'>'
    {
        return None;
    }
    let level = bytes[2] as char;
    let after = &html[4..];
    let close = format!("</h{level}>");
    let inner = after.find(&close).map_or(after, |end| &after[..end]);
    Some((level, inner))
}

/// The text of an HTML fragment: tags dropped, the entities the renderer writes read back.
fn text_of(html: &str) -> String {
    let mut text = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    text.replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
}

/// `id`, or `id-2`, `id-3`… when an earlier heading has it.
fn unique(used: &mut HashMap<String, usize>, id: String) -> String {
    let seen = used.entry(id.clone()).or_insert(0);
    *seen += 1;
    match *seen {
        1 => id,
        n => format!("{id}-{n}"),
    }
}

/// `tag` with the values of `href` and `src` that start at the site's root (`/x`, not
/// `//host`) prefixed with `site`.
fn push_absolute(out: &mut String, tag: &str, site: &str) {
    let mut rest = tag;
    while let Some(at) = [" href=\"/", " src=\"/"]
        .iter()
        .filter_map(|a| rest.find(a).map(|i| (i, a.len())))
        .min()
    {
        let (i, len) = at;
        let value_at = i + len - 1;
        out.push_str(&rest[..value_at]);
        if !rest[value_at..].starts_with("//") {
            out.push_str(site);
        }
        rest = &rest[value_at..];
        out.push('/');
        rest = &rest[1..];
    }
    out.push_str(rest);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_get_ids_once_each() {
        let html =
            "<h2>What Folio is</h2><p>x</p><h2>What <em>Folio</em> is</h2><h3 id=\"k\">Kept</h3>";
        assert_eq!(
            ghost_html(html, ""),
            "<h2 id=\"what-folio-is\">What Folio is</h2><p>x</p>\
             <h2 id=\"what-folio-is-2\">What <em>Folio</em> is</h2><h3 id=\"k\">Kept</h3>"
        );
        assert_eq!(ghost_html("<h1></h1>", ""), "<h1 id=\"section\"></h1>");
        assert_eq!(ghost_html("<h1>A &amp; B", ""), "<h1 id=\"a-b\">A &amp; B");
    }

    #[test]
    fn links_on_the_site_become_absolute() {
        let html = r#"<p><a href="/about/">a</a> <a href="//cdn.example/x">b</a> <img src="/m.png" alt="/x"> <a href="https://o.example/">c</a></p>"#;
        assert_eq!(
            ghost_html(html, "https://blog.example"),
            r#"<p><a href="https://blog.example/about/">a</a> <a href="//cdn.example/x">b</a> <img src="https://blog.example/m.png" alt="/x"> <a href="https://o.example/">c</a></p>"#
        );
        assert_eq!(ghost_html(html, ""), html);
    }

    #[test]
    fn anything_else_passes_unchanged() {
        for html in [
            "",
            "plain",
            "<",
            "<h",
            "<h7>x</h7>",
            "a < b",
            "<p>é</p>",
            "<h2 class=\"x\">y</h2>",
        ] {
            assert_eq!(ghost_html(html, "https://b.example"), html);
        }
    }
}
