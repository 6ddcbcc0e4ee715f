// The demo blog as src/demo/content.rs declares it, read from that file so that what check.mjs
// expects follows the demo whenever it changes, instead of repeating answers a server gave.

import {readFileSync} from 'node:fs';

const source = new URL('../../../src/demo/content.rs', import.meta.url);

/** A slug as Folio derives one from a title or name (the `slug` crate: ASCII-folded, runs of
 * anything else become one hyphen), with Ghost's `hash-` for internal `#` tags. */
export function slugOf(text) {
    const named = text.startsWith('#') ? `hash-${text.slice(1)}` : text;
    return named
        .normalize('NFKD')
        .replace(/[\u0300-\u036f]/g, '')
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, '-')
        .replace(/^-+|-+$/g, '');
}

function unescape(rust) {
    return rust
        .replace(/\\\n\s*/g, '')
        .replace(/\\(["\\'nt])/g, (_, c) => ({n: '\n', t: '\t'}[c] ?? c));
}

const STRING = String.raw`"((?:[^"\\]|\\[\s\S])*)"`;

function parse(text) {
    // Raw strings (the Markdown bodies) may hold anything, brackets and `title:` included, so
    // they are set aside before the Rust around them is read.
    const raws = [];
    const code = text.replace(/r#"([\s\S]*?)"#/g, (_, body) => `__RAW${raws.push(body) - 1}__`);

    const constant = (name) => {
        const start = code.indexOf(`pub const ${name}:`);
        if (start < 0) throw new Error(`${source.pathname}: no \`pub const ${name}\``);
        const end = code.indexOf(';\n', start);
        return code.slice(start, end < 0 ? undefined : end);
    };
    const items = (name, struct) => constant(name).split(`${struct} {`).slice(1);
    const field = (item, name, pattern, required = true) => {
        const m = new RegExp(`\\b${name}:\\s*${pattern}`).exec(item);
        if (!m && required) throw new Error(`${source.pathname}: a ${name} is not in\n${item}`);
        return m;
    };
    const str = (item, name) => unescape(field(item, name, STRING)[1]);
    const list = (item, name) =>
        [...field(item, name, String.raw`&\[([^\]]*)\]`)[1].matchAll(new RegExp(STRING, 'g'))]
            .map((m) => unescape(m[1]));
    const optional = (item, name) => {
        const m = field(item, name, `(None|Some\\(\\s*${STRING}\\s*,?\\s*\\))`);
        return m[1] === 'None' ? null : unescape(m[2]);
    };
    const markdown = (item) => raws[Number(field(item, 'markdown', String.raw`__RAW(\d+)__`)[1])];
    const pairs = (name) =>
        [...constant(name).matchAll(new RegExp(String.raw`\(\s*${STRING}\s*,\s*${STRING}\s*\)`, 'g'))]
            .map((m) => ({label: unescape(m[1]), url: unescape(m[2])}));
    const text_ = (name) => unescape(new RegExp(`=\\s*${STRING}`).exec(constant(name))[1]);

    const authors = items('AUTHORS', 'DemoAuthor').map((a) => ({
        key: str(a, 'key'),
        name: str(a, 'name'),
        bio: str(a, 'bio'),
        location: str(a, 'location'),
        website: optional(a, 'website'),
    }));
    const tags = items('TAGS', 'DemoTag').map((t) => ({
        key: str(t, 'key'),
        name: str(t, 'name'),
        description: str(t, 'description'),
    }));
    const posts = items('POSTS', 'DemoPost').map((p) => {
        const s = field(p, 'status', String.raw`DemoStatus::(Published\s*\{\s*days_ago:\s*(\d+)\s*\}|Scheduled\s*\{\s*days_ahead:\s*(\d+)\s*\}|Draft)`);
        return {
            title: str(p, 'title'),
            authors: list(p, 'authors'),
            tags: list(p, 'tags'),
            featured: field(p, 'featured', '(true|false)')[1] === 'true',
            status: s[2] !== undefined ? 'published' : s[3] !== undefined ? 'scheduled' : 'draft',
            daysAgo: s[2] !== undefined ? Number(s[2]) : null,
            customExcerpt: optional(p, 'custom_excerpt'),
            markdown: markdown(p),
        };
    });
    const pages = items('PAGES', 'DemoPage').map((p) => ({
        title: str(p, 'title'),
        authors: list(p, 'authors'),
        markdown: markdown(p),
    }));
    return {
        authors,
        tags,
        posts,
        pages,
        title: text_('SITE_TITLE'),
        description: text_('SITE_DESCRIPTION'),
        navigation: pairs('NAVIGATION'),
        secondaryNavigation: pairs('SECONDARY_NAVIGATION'),
    };
}

/** The demo, with what follows from it: slugs, which posts are live and in which order, and
 * which authors and tags a reader can see. */
export function loadDemo() {
    const d = parse(readFileSync(source, 'utf8'));
    if (d.posts.length < 10 || d.authors.length < 2 || d.tags.length < 2 || d.pages.length < 1) {
        throw new Error(`${source.pathname}: read ${d.posts.length} posts, ${d.authors.length} authors, ${d.tags.length} tags, ${d.pages.length} pages; the demo's layout must have changed`);
    }
    const authors = new Map(d.authors.map((a) => [a.key, {...a, slug: slugOf(a.name)}]));
    const tags = new Map(d.tags.map((t) => [t.key, {...t, slug: slugOf(t.name), internal: t.name.startsWith('#')}]));
    const posts = d.posts.map((p) => ({...p, slug: slugOf(p.title)}));
    const pages = d.pages.map((p) => ({...p, slug: slugOf(p.title)}));
    // Newest first, as Ghost's default order `published_at desc`; the demo's days are distinct.
    const live = posts.filter((p) => p.status === 'published').sort((a, b) => a.daysAgo - b.daysAgo);
    const author = (key) => {
        const a = authors.get(key);
        if (!a) throw new Error(`the demo has no author \`${key}\``);
        return a;
    };
    const tag = (key) => {
        const t = tags.get(key);
        if (!t) throw new Error(`the demo has no tag \`${key}\``);
        return t;
    };
    // Ghost lists an author or tag only while it has a published post or page.
    const visibleAuthors = [...authors.values()].filter((a) =>
        live.some((p) => p.authors.includes(a.key)) || pages.some((p) => p.authors.includes(a.key)));
    const visibleTags = [...tags.values()].filter((t) => live.some((p) => p.tags.includes(t.key)));
    // `count.posts` counts live posts only, never pages.
    const postsOfAuthor = (key) => live.filter((p) => p.authors.includes(key)).length;
    const postsOfTag = (key) => live.filter((p) => p.tags.includes(key)).length;
    return {
        ...d,
        authors,
        tags,
        posts,
        pages,
        live,
        author,
        tag,
        visibleAuthors,
        visibleTags,
        postsOfAuthor,
        postsOfTag,
        unpublished: posts.filter((p) => p.status !== 'published'),
    };
}
