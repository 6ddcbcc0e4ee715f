// Ghost's own Content API client (@tryghost/content-api, pinned) against a live Folio serving
// the demo blog: what a Ghost theme or frontend built on that client would get from Folio.
//
// Usage: node check.mjs <url> <key> [--keep-going]
//   url  the site's public address, no trailing slash (as the client demands)
//   key  a content key in Ghost's format
// One line per check; the first failure ends the run (with --keep-going, every check runs and
// the failures are counted, which is what one wants when reading a list of defects).
import assert from 'node:assert/strict';
import GhostContentAPI from '@tryghost/content-api';
import {loadDemo} from './demo.mjs';

const [url, key] = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const keepGoing = process.argv.includes('--keep-going');
if (!url || !key) {
    console.error('usage: node check.mjs <url> <key> [--keep-going]');
    process.exit(2);
}

const demo = loadDemo();
const api = new GhostContentAPI({url, key, version: 'v6.0'});

// The key lists of the contract (shared/ghost-compat/README.md, "Fields"), in Ghost's order.
const POST_HEAD = ['id', 'uuid', 'title', 'slug', 'html', 'comment_id', 'feature_image', 'featured',
    'visibility', 'created_at', 'updated_at', 'published_at', 'custom_excerpt', 'codeinjection_head',
    'codeinjection_foot', 'custom_template', 'canonical_url'];
const POST_TAIL = ['url', 'excerpt', 'reading_time', 'access', 'comments', 'og_image', 'og_title',
    'og_description', 'twitter_image', 'twitter_title', 'twitter_description', 'meta_title',
    'meta_description', 'email_subject', 'frontmatter', 'feature_image_alt', 'feature_image_caption'];
const POST_KEYS = [...POST_HEAD, ...POST_TAIL];
const POST_KEYS_INCLUDED = [...POST_HEAD, 'authors', 'tags', 'primary_author', 'primary_tag', ...POST_TAIL];
const PAGE_KEYS = [...POST_HEAD, 'show_title_and_feature_image', ...POST_TAIL.filter((k) => k !== 'email_subject')];
const AUTHOR_KEYS = ['id', 'name', 'slug', 'profile_image', 'cover_image', 'bio', 'website', 'location',
    'facebook', 'twitter', 'threads', 'bluesky', 'mastodon', 'tiktok', 'youtube', 'instagram', 'linkedin',
    'meta_title', 'meta_description', 'url'];
const TAG_KEYS = ['id', 'name', 'slug', 'description', 'feature_image', 'visibility', 'og_image', 'og_title',
    'og_description', 'twitter_image', 'twitter_title', 'twitter_description', 'meta_title',
    'meta_description', 'codeinjection_head', 'codeinjection_foot', 'canonical_url', 'accent_color', 'url'];
const withCount = (keys) => [...keys.slice(0, -1), 'count', 'url'];
// A read by slug puts the slug first, as Ghost does (golden/*-read-slug.json).
const slugFirst = (keys) => ['slug', ...keys.filter((k) => k !== 'slug')];

// Folio's ids are UUIDs (Ghost's are 24 hex digits): a frontend passes back what it was given,
// and reads by id take both forms.
const FOLIO_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const GHOST_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.000[+-]\d{2}:\d{2}$/;
const DAY = 86_400_000;

let passed = 0;
let failed = 0;

function describe(err) {
    if (!(err instanceof Error)) return String(err);
    const status = err.response?.status;
    const body = err.response?.data;
    const lines = [`${err.name}: ${err.message}`];
    // An assertion given its own message no longer shows the values it compared.
    if (err instanceof assert.AssertionError && !err.generatedMessage) {
        const show = (v) => (typeof v === 'string' ? JSON.stringify(v) : JSON.stringify(v) ?? String(v)).slice(0, 400);
        lines.push(`got:      ${show(err.actual)}`, `expected: ${err.operator === 'match' || err.operator === 'doesNotMatch' ? String(err.expected) : show(err.expected)}`);
    }
    if (status) lines.push(`HTTP ${status} from ${err.config?.url ?? '?'}`);
    if (body !== undefined && !(err instanceof assert.AssertionError)) {
        const text = typeof body === 'string' ? body : JSON.stringify(body);
        lines.push(`body: ${text.slice(0, 600)}`);
    }
    return lines.join('\n');
}

async function check(name, fn) {
    try {
        await fn();
    } catch (err) {
        failed++;
        console.log(`FAIL ${name}`);
        console.log(describe(err).replace(/^/gm, '     '));
        if (!keepGoing) finish();
        return;
    }
    passed++;
    console.log(`ok   ${name}`);
}

function finish() {
    console.log(`ghost: ${passed} passed, ${failed} failed`);
    process.exit(failed ? 1 : 0);
}

/** Awaits `promise`, which must reject with a Ghost error of `type` (the client names the
 * error it throws after the `type` of the server's first error). */
async function rejectsWith(promise, type, what) {
    let value;
    try {
        value = await promise;
    } catch (err) {
        assert.equal(err.name, type, `${what}: expected ${type}, got ${describe(err)}`);
        assert.equal(err.type, type, `${what}: the error's type`);
        assert.equal(typeof err.message, 'string');
        return err;
    }
    assert.fail(`${what}: expected ${type}, got an answer: ${JSON.stringify(value).slice(0, 300)}`);
}

/** `result` is what the client makes of a browse: an array with the envelope's `meta`. */
function assertBrowse(result, what) {
    assert.ok(Array.isArray(result), `${what}: a browse answers an array, got ${JSON.stringify(result).slice(0, 300)}`);
    assert.ok(result.meta && result.meta.pagination, `${what}: the array carries meta.pagination`);
    return result.meta.pagination;
}

/** `result` is what the client makes of a read: one object, not an array (the server sent one
 * item and no `meta`). */
function assertRead(result, what) {
    assert.ok(result && typeof result === 'object', `${what}: a read answers an object`);
    assert.ok(!Array.isArray(result), `${what}: a read answers one object, not an array (did the server send meta, or more than one item?)`);
    return result;
}

function pagination({page, limit, total}) {
    const pages = Math.max(1, Math.ceil(total / limit));
    return {
        page,
        limit,
        pages,
        total,
        next: page < pages ? page + 1 : null,
        prev: page > 1 ? page - 1 : null,
    };
}

function assertPagination(actual, expected, what) {
    const picked = Object.fromEntries(Object.keys(expected).map((k) => [k, actual[k]]));
    assert.deepEqual(picked, expected, `${what}: meta.pagination`);
}

const slugs = (items) => items.map((i) => i.slug);
const siteUrl = (path) => `${url}${path}`;
const liveSlugs = slugs(demo.live);
const ALL = 'all';

// ---------------------------------------------------------------------------------------------
// The client's own checks, before any request.

await check('client: the issued key is 26 lower-case hex characters, as Ghost issues them', () => {
    assert.match(key, /^[0-9a-f]{26}$/);
});

await check('client: a key with upper-case hex is refused by the constructor', () => {
    assert.throws(() => new GhostContentAPI({url, key: key.toUpperCase().replace(/^[0-9]/, 'A'), version: 'v6.0'}),
        /must have 26 hex characters/);
});

await check('client: a key too short is refused by the constructor', () => {
    assert.throws(() => new GhostContentAPI({url, key: key.slice(0, 25), version: 'v6.0'}),
        /must have 26 hex characters/);
});

// ---------------------------------------------------------------------------------------------
// Posts.

let defaultBrowse;
await check(`posts.browse(): the ${demo.live.length} live posts, newest first, and no draft or scheduled post`, async () => {
    defaultBrowse = await api.posts.browse();
    const page = assertBrowse(defaultBrowse, 'posts.browse()');
    assert.deepEqual(slugs(defaultBrowse), liveSlugs.slice(0, 15));
    assertPagination(page, pagination({page: 1, limit: 15, total: demo.live.length}), 'posts.browse()');
    for (const hidden of demo.unpublished) {
        assert.ok(!slugs(defaultBrowse).includes(hidden.slug), `${hidden.status} ${hidden.slug} is listed`);
    }
});

await check("posts.browse(): each post has Ghost's keys in Ghost's order, without authors or tags unasked", () => {
    for (const post of defaultBrowse) assert.deepEqual(Object.keys(post), POST_KEYS, post.slug);
});

await check("posts.browse(): ids are Folio's (UUIDv7), each post's own", () => {
    for (const post of defaultBrowse) assert.match(post.id, FOLIO_ID, `${post.slug}: id`);
    assert.equal(new Set(defaultBrowse.map((p) => p.id)).size, defaultBrowse.length);
});

await check('posts.browse(): uuids, urls, titles, featured, excerpts and visibility follow the demo', () => {
    for (const post of defaultBrowse) {
        const p = demo.live.find((d) => d.slug === post.slug);
        assert.match(post.uuid, UUID, `${post.slug}: uuid`);
        assert.equal(post.comment_id, post.id, `${post.slug}: comment_id is the id`);
        assert.equal(post.title, p.title);
        assert.equal(post.url, siteUrl(`/${p.slug}/`), `${post.slug}: url`);
        assert.equal(post.featured, p.featured, `${post.slug}: featured`);
        assert.equal(post.visibility, 'public', `${post.slug}: visibility`);
        assert.equal(post.access, true, `${post.slug}: access`);
        assert.equal(post.custom_excerpt, p.customExcerpt, `${post.slug}: custom_excerpt`);
        if (p.customExcerpt) assert.equal(post.excerpt, p.customExcerpt, `${post.slug}: excerpt`);
        assert.equal(typeof post.html, 'string', `${post.slug}: html by default`);
        assert.ok(post.html.length > 0, `${post.slug}: html is not empty`);
        assert.ok(!('plaintext' in post), `${post.slug}: plaintext only when asked`);
        assert.ok(Number.isInteger(post.reading_time) && post.reading_time > 0, `${post.slug}: reading_time ${post.reading_time}`);
    }
});

await check("posts.browse(): dates in Ghost's format (whole seconds, the site's offset)", () => {
    for (const post of defaultBrowse) {
        for (const field of ['created_at', 'updated_at', 'published_at']) {
            assert.match(post[field], GHOST_DATE, `${post.slug}: ${field}`);
        }
    }
});

await check("posts.browse(): published the demo's number of days ago, and apart", () => {
    const newest = defaultBrowse[0];
    const newestDays = demo.live[0].daysAgo;
    const at = Date.parse(newest.published_at);
    assert.ok(Math.abs(Date.now() - newestDays * DAY - at) < 3_600_000,
        `${newest.slug} published ${newest.published_at}, ${newestDays} days before the demo was loaded`);
    for (const post of defaultBrowse) {
        const p = demo.live.find((d) => d.slug === post.slug);
        assert.equal(at - Date.parse(post.published_at), (p.daysAgo - newestDays) * DAY,
            `${post.slug}: published ${p.daysAgo} days ago`);
    }
});

await check('posts.read({id}): one object, the same post', async () => {
    const first = defaultBrowse[0];
    const post = assertRead(await api.posts.read({id: first.id}), 'posts.read({id})');
    assert.equal(post.id, first.id);
    assert.equal(post.slug, first.slug);
    assert.deepEqual(Object.keys(post), POST_KEYS);
});

await check('posts.read({slug}): one object, the same post', async () => {
    const p = demo.live[demo.live.length - 1];
    const post = assertRead(await api.posts.read({slug: p.slug}), 'posts.read({slug})');
    assert.equal(post.slug, p.slug);
    assert.equal(post.title, p.title);
    const listed = defaultBrowse.find((b) => b.slug === p.slug);
    if (listed) assert.equal(post.id, listed.id);
});

function assertIncluded(post, p, what, keys = POST_KEYS_INCLUDED) {
    assert.deepEqual(Object.keys(post), keys, `${what}: keys`);
    assert.deepEqual(slugs(post.authors), p.authors.map((k) => demo.author(k).slug), `${what}: authors, in byline order`);
    assert.deepEqual(slugs(post.tags), p.tags.map((k) => demo.tag(k).slug), `${what}: tags, in order, internal ones too`);
    assert.equal(post.primary_author?.slug, demo.author(p.authors[0]).slug, `${what}: primary_author`);
    const first = demo.tag(p.tags[0]);
    assert.equal(post.primary_tag?.slug ?? null, first.internal ? null : first.slug, `${what}: primary_tag (the first tag if public)`);
    for (const a of post.authors) {
        const d = demo.visibleAuthors.find((v) => v.slug === a.slug);
        assert.equal(a.name, d.name, `${what}: author ${a.slug}`);
        assert.equal(a.url, siteUrl(`/author/${a.slug}/`), `${what}: author ${a.slug} url`);
    }
    for (const t of post.tags) {
        const d = [...demo.tags.values()].find((v) => v.slug === t.slug);
        assert.equal(t.name, d.name, `${what}: tag ${t.slug}`);
        assert.equal(t.visibility, d.internal ? 'internal' : 'public', `${what}: tag ${t.slug} visibility`);
        assert.equal(t.url, siteUrl(d.internal ? '/404/' : `/tag/${t.slug}/`), `${what}: tag ${t.slug} url`);
    }
}

await check("posts.browse({include: 'authors,tags'}): every live post's authors, tags, primary_author and primary_tag", async () => {
    const posts = await api.posts.browse({include: 'authors,tags', limit: ALL});
    assertBrowse(posts, 'include');
    assert.deepEqual(slugs(posts), liveSlugs);
    posts.forEach((post, i) => assertIncluded(post, demo.live[i], post.slug));
});

await check("posts.read({slug}, {include: ['authors', 'tags']}): a post with an internal tag keeps it in tags", async () => {
    const p = demo.live.find((d) => d.tags.some((k) => demo.tag(k).internal));
    assert.ok(p, 'the demo has a live post with an internal tag');
    const post = assertRead(await api.posts.read({slug: p.slug}, {include: ['authors', 'tags']}), 'read');
    assertIncluded(post, p, p.slug, slugFirst(POST_KEYS_INCLUDED));
});

// ---------------------------------------------------------------------------------------------
// Filters. Each expectation is computed from the demo; each must select some posts but not all,
// or it would prove nothing.

async function checkFilter(filter, predicate, options = {}) {
    const expected = options.expected ?? demo.live.filter(predicate).map((p) => p.slug);
    await check(`posts.browse({filter: '${filter}'}): ${expected.length} of ${demo.live.length} posts`, async () => {
        assert.ok(expected.length > 0 && expected.length < demo.live.length, `the filter ${filter} must select some posts, not all`);
        const posts = await api.posts.browse({filter, limit: ALL, fields: 'slug'});
        const page = assertBrowse(posts, filter);
        assert.deepEqual(slugs(posts), expected);
        assert.equal(page.total, expected.length, 'meta.pagination.total');
    });
}

const frontend = demo.tag('frontend');
const newsletter = demo.tag('newsletter');
const performance = demo.tag('performance');
const tomas = demo.author('tomas');
const priya = demo.author('priya');
const mara = demo.author('mara');

await checkFilter(`tag:${frontend.slug}`, (p) => p.tags.includes('frontend'));
await checkFilter(`tag:${newsletter.slug}`, (p) => p.tags.includes('newsletter'));
await checkFilter('featured:true', (p) => p.featured);
await checkFilter(`author:${tomas.slug}`, (p) => p.authors.includes('tomas'));
await checkFilter(`featured:true,author:${priya.slug}`, (p) => p.featured || p.authors.includes('priya'));
await checkFilter(`featured:false+(tag:${performance.slug},author:${mara.slug})`,
    (p) => !p.featured && (p.tags.includes('performance') || p.authors.includes('mara')));
// Oldest first, against the default order: a slug list with no order keeps the list's order.
const listed = [demo.live[demo.live.length - 1].slug, demo.live[0].slug];
await checkFilter(`slug:[${listed.join(',')}]`, null, {expected: listed});

await check('posts.browse({filter}) on a draft and a scheduled post: nothing, still an array with meta', async () => {
    const hidden = demo.unpublished.map((p) => p.slug);
    assert.ok(hidden.length > 0, 'the demo has unpublished posts');
    const posts = await api.posts.browse({filter: `slug:[${hidden.join(',')}]`});
    assertPagination(assertBrowse(posts, 'filter'), pagination({page: 1, limit: 15, total: 0}), 'filter');
    assert.equal(posts.length, 0);
});

// ---------------------------------------------------------------------------------------------
// fields and formats.

await check("posts.browse({fields: 'title,slug'}): exactly those keys", async () => {
    const posts = await api.posts.browse({fields: 'title,slug', limit: 3});
    assertBrowse(posts, 'fields');
    assert.deepEqual(slugs(posts), liveSlugs.slice(0, 3));
    posts.forEach((post, i) => {
        assert.deepEqual(Object.keys(post).sort(), ['slug', 'title'], post.slug);
        assert.equal(post.title, demo.live[i].title);
    });
});

await check("posts.read({slug}, {fields: 'title,url'}): those keys and the slug", async () => {
    const p = demo.live[1];
    const post = assertRead(await api.posts.read({slug: p.slug}, {fields: 'title,url'}), 'read');
    assert.deepEqual(Object.keys(post).sort(), ['slug', 'title', 'url']);
    assert.deepEqual(post, {slug: p.slug, title: p.title, url: siteUrl(`/${p.slug}/`)});
});

await check("posts.read({id}, {fields: 'title'}): that key and the id", async () => {
    const first = defaultBrowse[0];
    const post = assertRead(await api.posts.read({id: first.id}, {fields: 'title'}), 'read');
    assert.deepEqual(post, {id: first.id, title: first.title});
});

/** The `## ` headings of some Markdown, outside fenced code. */
function headings(markdown) {
    let fenced = false;
    const found = [];
    for (const line of markdown.split('\n')) {
        if (line.startsWith('```')) fenced = !fenced;
        else if (!fenced && line.startsWith('## ')) found.push(line.slice(3).trim());
    }
    return found;
}

await check("posts.read({slug}, {formats: ['html', 'plaintext']}): both bodies; headings carry ids", async () => {
    const p = demo.live[0];
    const post = assertRead(await api.posts.read({slug: p.slug}, {formats: ['html', 'plaintext']}), 'read');
    assert.equal(typeof post.html, 'string');
    assert.equal(typeof post.plaintext, 'string');
    assert.deepEqual(Object.keys(post), slugFirst([...POST_KEYS.slice(0, 6), 'plaintext', ...POST_KEYS.slice(6)]));
    const plain = headings(p.markdown).filter((h) => /^[A-Za-z0-9 ]+$/.test(h));
    assert.ok(plain.length > 0, `${p.slug} has plain headings in the demo`);
    for (const h of plain) {
        const id = h.toLowerCase().replace(/ +/g, '-');
        assert.match(post.html, new RegExp(`<h2 id="${id}">${h}</h2>`), `html heading ${h}`);
        assert.ok(post.plaintext.includes(h), `plaintext holds ${h}`);
    }
    assert.doesNotMatch(post.plaintext, /<\/?(p|h2|a|ul|li|strong|em|code|pre|blockquote)\b/, 'plaintext has no tags');
});

await check('posts: the excerpt of a post without a custom excerpt is the first 500 characters of its plaintext', async () => {
    const p = demo.live.find((d) => !d.customExcerpt);
    const post = assertRead(await api.posts.read({slug: p.slug}, {formats: 'html,plaintext'}), 'read');
    assert.ok(post.plaintext.length > 500, 'a body longer than an excerpt');
    assert.equal(post.excerpt, post.plaintext.slice(0, 500));
    // Ghost's reading time: 275 words a minute, rounded (the demo has no images).
    const words = post.plaintext.split(/\s+/).filter(Boolean).length;
    const estimate = Math.round(words / (275 / 60) / 60);
    assert.ok(Math.abs(post.reading_time - estimate) <= 1, `reading_time ${post.reading_time} for ${words} words, about ${estimate}`);
});

await check("posts.browse({formats: 'plaintext'}): plaintext and no html", async () => {
    const posts = await api.posts.browse({formats: 'plaintext', limit: 2});
    assertBrowse(posts, 'formats');
    for (const post of posts) {
        assert.equal(typeof post.plaintext, 'string', post.slug);
        assert.ok(!('html' in post), `${post.slug}: no html`);
    }
});

await check("posts.browse({formats: 'lexical'}): Ghost drops the formats it does not serve, so no body at all", async () => {
    const posts = await api.posts.browse({formats: 'lexical', limit: 1});
    assertBrowse(posts, 'formats');
    for (const k of ['html', 'plaintext', 'lexical', 'mobiledoc']) assert.ok(!(k in posts[0]), `no ${k}`);
});

await check("posts.browse({order: 'published_at asc'}): oldest first", async () => {
    const posts = await api.posts.browse({order: 'published_at asc', limit: ALL, fields: 'slug'});
    assertBrowse(posts, 'order');
    assert.deepEqual(slugs(posts), [...liveSlugs].reverse());
});

await check('posts.browse() with a filter on an unknown field or of bad syntax, or a negative limit: rejected', async () => {
    await rejectsWith(api.posts.browse({filter: 'nosuchfield:1'}), 'BadRequestError', 'unknown field');
    await rejectsWith(api.posts.browse({filter: `tag:[${frontend.slug}`}), 'BadRequestError', 'unclosed list');
    await rejectsWith(api.posts.browse({limit: -1}), 'ValidationError', 'limit -1');
});

// ---------------------------------------------------------------------------------------------
// Pagination.

await check('posts.browse({limit: 3, page: 2}): the second three, with meta.pagination', async () => {
    const posts = await api.posts.browse({limit: 3, page: 2});
    assertPagination(assertBrowse(posts, 'page 2'), pagination({page: 2, limit: 3, total: demo.live.length}), 'page 2');
    assert.deepEqual(slugs(posts), liveSlugs.slice(3, 6));
});

await check('posts.browse({limit: 3, page}): every page in turn gives every live post once, the last one with next null', async () => {
    const pages = Math.ceil(demo.live.length / 3);
    const seen = [];
    for (let page = 1; page <= pages; page++) {
        const posts = await api.posts.browse({limit: 3, page, fields: 'slug'});
        assertPagination(assertBrowse(posts, `page ${page}`), pagination({page, limit: 3, total: demo.live.length}), `page ${page}`);
        seen.push(...slugs(posts));
    }
    assert.deepEqual(seen, liveSlugs);
});

await check('posts.browse({page}) past the last page: an empty array; next and prev are still page ± 1', async () => {
    const page = Math.ceil(demo.live.length / 3) + 5;
    const posts = await api.posts.browse({limit: 3, page});
    assertPagination(assertBrowse(posts, 'past the end'), {page, limit: 3, pages: Math.ceil(demo.live.length / 3), total: demo.live.length, next: page + 1, prev: page - 1}, 'past the end');
    assert.equal(posts.length, 0);
});

await check('posts.browse({limit: 1}): one result is still an array with meta', async () => {
    const posts = await api.posts.browse({limit: 1});
    assertPagination(assertBrowse(posts, 'limit 1'), pagination({page: 1, limit: 1, total: demo.live.length}), 'limit 1');
    assert.deepEqual(slugs(posts), liveSlugs.slice(0, 1));
});

await check('posts.browse({filter: slug}): a filter matching one post is still an array with meta', async () => {
    const p = demo.live[2];
    const posts = await api.posts.browse({filter: `slug:${p.slug}`});
    assertPagination(assertBrowse(posts, 'one match'), pagination({page: 1, limit: 15, total: 1}), 'one match');
    assert.deepEqual(slugs(posts), [p.slug]);
});

await check("posts.browse({limit: 'all'}): every post, with the limit shown capped at 100", async () => {
    const posts = await api.posts.browse({limit: ALL, fields: 'slug'});
    assertPagination(assertBrowse(posts, 'all'), pagination({page: 1, limit: 100, total: demo.live.length}), 'all');
    assert.deepEqual(slugs(posts), liveSlugs);
});

// ---------------------------------------------------------------------------------------------
// Pages.

const demoPages = [...demo.pages].sort((a, b) => (a.title < b.title ? -1 : a.title > b.title ? 1 : 0));
let pagesBrowse;
await check(`pages.browse(): the ${demo.pages.length} demo pages, by title, with a page's keys`, async () => {
    pagesBrowse = await api.pages.browse();
    assertPagination(assertBrowse(pagesBrowse, 'pages'), pagination({page: 1, limit: 15, total: demo.pages.length}), 'pages');
    assert.deepEqual(slugs(pagesBrowse), slugs(demoPages));
    for (const page of pagesBrowse) {
        assert.deepEqual(Object.keys(page), PAGE_KEYS, page.slug);
        assert.equal(page.url, siteUrl(`/${page.slug}/`));
        assert.equal(page.title, demoPages.find((d) => d.slug === page.slug).title);
    }
});

await check('pages.read({id}) and pages.read({slug}): one object each, the same page', async () => {
    const first = pagesBrowse[0];
    const byId = assertRead(await api.pages.read({id: first.id}), 'pages.read({id})');
    const bySlug = assertRead(await api.pages.read({slug: first.slug}), 'pages.read({slug})');
    assert.equal(byId.slug, first.slug);
    assert.equal(bySlug.id, first.id);
});

await check("pages.read({slug}, {include: 'authors,tags'}): the page's authors, no tags", async () => {
    const p = demoPages[0];
    const page = assertRead(await api.pages.read({slug: p.slug}, {include: 'authors,tags'}), 'read');
    assert.deepEqual(slugs(page.authors), p.authors.map((k) => demo.author(k).slug));
    assert.equal(page.primary_author?.slug, demo.author(p.authors[0]).slug);
    assert.deepEqual(page.tags, []);
    assert.equal(page.primary_tag, null);
});

// ---------------------------------------------------------------------------------------------
// Authors and tags.

const byName = (a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
let authorsBrowse;
await check("authors.browse({include: 'count.posts'}): the authors with published content, by name, each with its posts counted", async () => {
    authorsBrowse = await api.authors.browse({include: 'count.posts'});
    const expected = [...demo.visibleAuthors].sort(byName);
    assertPagination(assertBrowse(authorsBrowse, 'authors'), pagination({page: 1, limit: 15, total: expected.length}), 'authors');
    assert.deepEqual(slugs(authorsBrowse), slugs(expected));
    for (const author of authorsBrowse) {
        const d = expected.find((a) => a.slug === author.slug);
        assert.deepEqual(Object.keys(author), withCount(AUTHOR_KEYS), author.slug);
        assert.deepEqual({name: author.name, bio: author.bio, location: author.location, website: author.website},
            {name: d.name, bio: d.bio, location: d.location, website: d.website}, author.slug);
        assert.deepEqual(author.count, {posts: demo.postsOfAuthor(d.key)}, `${author.slug}: count`);
        assert.equal(author.url, siteUrl(`/author/${author.slug}/`));
    }
});

await check('authors.browse(): no count unless asked', async () => {
    const authors = await api.authors.browse();
    assertBrowse(authors, 'authors');
    for (const author of authors) assert.deepEqual(Object.keys(author), AUTHOR_KEYS, author.slug);
});

await check('authors.read({id}) and authors.read({slug}, {include: count.posts}): one object each', async () => {
    const first = authorsBrowse[0];
    const byId = assertRead(await api.authors.read({id: first.id}), 'authors.read({id})');
    assert.equal(byId.slug, first.slug);
    const bySlug = assertRead(await api.authors.read({slug: first.slug}, {include: 'count.posts'}), 'authors.read({slug})');
    assert.equal(bySlug.id, first.id);
    assert.deepEqual(bySlug.count, first.count);
});

let tagsBrowse;
await check("tags.browse({include: 'count.posts'}): the tags on live posts, internal ones too, by name, counted", async () => {
    tagsBrowse = await api.tags.browse({include: 'count.posts', limit: ALL});
    const expected = [...demo.visibleTags].sort(byName);
    assertPagination(assertBrowse(tagsBrowse, 'tags'), pagination({page: 1, limit: 100, total: expected.length}), 'tags');
    assert.deepEqual(slugs(tagsBrowse), slugs(expected));
    for (const tag of tagsBrowse) {
        const d = expected.find((t) => t.slug === tag.slug);
        assert.deepEqual(Object.keys(tag), withCount(TAG_KEYS), tag.slug);
        assert.equal(tag.name, d.name);
        assert.equal(tag.description, d.description);
        assert.equal(tag.visibility, d.internal ? 'internal' : 'public');
        assert.deepEqual(tag.count, {posts: demo.postsOfTag(d.key)}, `${tag.slug}: count`);
        assert.equal(tag.url, siteUrl(d.internal ? '/404/' : `/tag/${tag.slug}/`));
    }
});

await check("tags.browse({filter: 'visibility:public'}): no internal tag", async () => {
    const tags = await api.tags.browse({filter: 'visibility:public', limit: ALL});
    assertBrowse(tags, 'tags');
    const expected = demo.visibleTags.filter((t) => !t.internal).sort(byName);
    assert.ok(expected.length < demo.visibleTags.length, 'the demo has an internal tag on a live post');
    assert.deepEqual(slugs(tags), slugs(expected));
});

await check("tags.browse({include: 'count.posts', order: 'count.posts desc'}): most used first", async () => {
    const tags = await api.tags.browse({include: 'count.posts', order: 'count.posts desc', limit: ALL});
    assertBrowse(tags, 'tags');
    const counts = tags.map((t) => t.count.posts);
    assert.deepEqual(counts, [...counts].sort((a, b) => b - a));
    assert.equal(counts[0], Math.max(...demo.visibleTags.map((t) => demo.postsOfTag(t.key))));
});

await check('tags.read({id}) and tags.read({slug}, {include: count.posts}): one object each, an internal tag too', async () => {
    const first = tagsBrowse.find((t) => t.visibility === 'public');
    const byId = assertRead(await api.tags.read({id: first.id}), 'tags.read({id})');
    assert.equal(byId.slug, first.slug);
    assert.ok(!('count' in byId), 'no count unless asked');
    const bySlug = assertRead(await api.tags.read({slug: first.slug}, {include: 'count.posts'}), 'tags.read({slug})');
    assert.equal(bySlug.id, first.id);
    assert.deepEqual(bySlug.count, first.count);
    const internal = assertRead(await api.tags.read({slug: newsletter.slug}), 'internal tag');
    assert.equal(internal.visibility, 'internal');
    assert.equal(internal.name, newsletter.name);
});

// ---------------------------------------------------------------------------------------------
// Settings, tiers, newsletters, offers.

await check('settings.browse(): an object with the demo site title, description, navigation and address', async () => {
    const settings = await api.settings.browse();
    assert.ok(settings && typeof settings === 'object' && !Array.isArray(settings), 'settings is an object');
    assert.equal(settings.title, demo.title);
    assert.equal(settings.description, demo.description);
    assert.deepEqual(settings.navigation, demo.navigation);
    assert.deepEqual(settings.secondary_navigation, demo.secondaryNavigation);
    // Ghost's settings carry the site's address with its trailing slash (golden/settings.json).
    assert.equal(settings.url, `${url}/`);
});

await check("pages, authors and tags, and those nested in posts: ids are Folio's", async () => {
    const included = await api.posts.browse({include: 'authors,tags', limit: 1});
    const all = [['page', pagesBrowse], ['author', authorsBrowse], ['tag', tagsBrowse],
        ['nested author', included[0].authors], ['nested tag', included[0].tags]];
    for (const [what, items] of all) {
        for (const item of items) assert.match(item.id, FOLIO_ID, `${what} ${item.slug}: id`);
    }
});

await check('tiers.browse(): an array with meta.pagination, each tier named and typed', async () => {
    const tiers = await api.tiers.browse();
    const page = assertBrowse(tiers, 'tiers');
    assert.equal(page.total, tiers.length);
    assert.equal(page.page, 1);
    assert.ok(page.pages >= 1);
    for (const tier of tiers) {
        assert.equal(typeof tier.id, 'string');
        assert.equal(typeof tier.name, 'string');
        assert.equal(typeof tier.slug, 'string');
        assert.ok(['free', 'paid'].includes(tier.type), `tier ${tier.slug} type ${tier.type}`);
        assert.equal(typeof tier.active, 'boolean');
    }
});

await check('newsletters.browse(): an array with meta.pagination, each newsletter named', async () => {
    const newsletters = await api.newsletters.browse();
    const page = assertBrowse(newsletters, 'newsletters');
    assert.equal(page.total, newsletters.length);
    assert.equal(page.page, 1);
    assert.ok(page.pages >= 1);
    for (const n of newsletters) {
        assert.equal(typeof n.id, 'string');
        assert.equal(typeof n.name, 'string');
        assert.equal(typeof n.slug, 'string');
    }
});

await check('offers.read({id}) of an unknown offer: NotFoundError', async () => {
    await rejectsWith(api.offers.read({id: '0'.repeat(24)}), 'NotFoundError', 'offers.read');
});

// ---------------------------------------------------------------------------------------------
// Errors.

await check('posts.read({slug}) of an unknown slug: NotFoundError', async () => {
    await rejectsWith(api.posts.read({slug: 'no-such-post-in-the-demo'}), 'NotFoundError', 'posts.read');
});

await check('posts.read({slug}) of the draft and the scheduled post: NotFoundError', async () => {
    for (const p of demo.unpublished) {
        await rejectsWith(api.posts.read({slug: p.slug}), 'NotFoundError', `${p.status} ${p.slug}`);
    }
});

await check('posts.read({slug}) of a page and pages.read({slug}) of a post: NotFoundError', async () => {
    await rejectsWith(api.posts.read({slug: demo.pages[0].slug}), 'NotFoundError', 'a page under posts');
    await rejectsWith(api.pages.read({slug: demo.live[0].slug}), 'NotFoundError', 'a post under pages');
});

await check('posts.read({id}) of an unknown id (Ghost\'s form or Folio\'s): NotFoundError; of a malformed id: ValidationError', async () => {
    await rejectsWith(api.posts.read({id: '0'.repeat(24)}), 'NotFoundError', 'unknown Ghost-form id');
    await rejectsWith(api.posts.read({id: '01a23801-8143-764b-afea-2ff333f24289'}), 'NotFoundError', 'unknown id');
    await rejectsWith(api.posts.read({id: 'not-an-id'}), 'ValidationError', 'malformed id');
});

await check('authors.read and tags.read of unknown slugs: NotFoundError', async () => {
    await rejectsWith(api.authors.read({slug: 'nobody-in-the-demo'}), 'NotFoundError', 'authors.read');
    await rejectsWith(api.tags.read({slug: 'no-such-tag-in-the-demo'}), 'NotFoundError', 'tags.read');
});

function otherKey(length) {
    let k = '';
    for (let i = 0; k.length < length; i++) k += ((parseInt(key[i % key.length], 16) + 1) % 16).toString(16);
    return k;
}

await check('a client with a wrong key (26 lower-case hex): UnauthorizedError, UNKNOWN_CONTENT_API_KEY', async () => {
    const wrong = new GhostContentAPI({url, key: otherKey(26), version: 'v6.0'});
    const err = await rejectsWith(wrong.posts.browse(), 'UnauthorizedError', 'wrong key');
    assert.equal(err.code, 'UNKNOWN_CONTENT_API_KEY');
    assert.equal(err.response?.status, 401);
    await rejectsWith(wrong.settings.browse(), 'UnauthorizedError', 'wrong key on settings');
});

await check('a client with a 64-hex key (the client lets it through): UnauthorizedError', async () => {
    const long = new GhostContentAPI({url, key: otherKey(64), version: 'v6.0'});
    await rejectsWith(long.posts.browse(), 'UnauthorizedError', '64-hex key');
});

// ---------------------------------------------------------------------------------------------
// Versions: the client's older path form, and no Accept-Version header at all.

/** A client whose deprecation warning (printed by the client for `v4`) stays out of the log. */
function quietClient(options) {
    const warn = console.warn;
    console.warn = () => {};
    try {
        return new GhostContentAPI({url, key, ...options});
    } finally {
        console.warn = warn;
    }
}

for (const version of ['v4', false]) {
    await check(`version: ${JSON.stringify(version)}: browse, read and settings answer as with v6.0`, async () => {
        const client = quietClient({version});
        const posts = await client.posts.browse({limit: 2, include: 'tags'});
        assertPagination(assertBrowse(posts, 'browse'), pagination({page: 1, limit: 2, total: demo.live.length}), 'browse');
        assert.deepEqual(slugs(posts), liveSlugs.slice(0, 2));
        assert.deepEqual(slugs(posts[0].tags), demo.live[0].tags.map((k) => demo.tag(k).slug));
        const post = assertRead(await client.posts.read({slug: demo.live[0].slug}), 'read');
        assert.equal(post.id, defaultBrowse[0].id);
        const settings = await client.settings.browse();
        assert.equal(settings.title, demo.title);
        await rejectsWith(client.tags.read({slug: 'no-such-tag-in-the-demo'}), 'NotFoundError', 'read');
    });
}

finish();
