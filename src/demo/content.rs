//! The sample blog loaded by `folio serve --demo`.

pub struct DemoAuthor {
    /// Stable key used by posts to refer to this author.
    pub key: &'static str,
    pub name: &'static str,
    pub bio: &'static str,
    pub location: &'static str,
    pub website: Option<&'static str>,
}

pub struct DemoTag {
    pub key: &'static str,
    pub name: &'static str,
    pub description: &'static str,
}

pub enum DemoStatus {
    /// Published this many days before the demo is loaded.
    Published {
        days_ago: i64,
    },
    /// Scheduled this many days after the demo is loaded.
    Scheduled {
        days_ahead: i64,
    },
    Draft,
}

pub struct DemoPost {
    pub title: &'static str,
    /// Keys of `AUTHORS`, in byline order (first = primary).
    pub authors: &'static [&'static str],
    /// Keys of `TAGS`, first = primary tag.
    pub tags: &'static [&'static str],
    pub featured: bool,
    pub status: DemoStatus,
    pub custom_excerpt: Option<&'static str>,
    pub markdown: &'static str,
}

pub const AUTHORS: &[DemoAuthor] = &[
    DemoAuthor {
        key: "mara",
        name: "Mara Lindqvist",
        bio: "Editor of this blog. Spent ten years on a regional newspaper desk before moving to small web publications, and still reads every headline out loud before it goes live.",
        location: "Gothenburg, Sweden",
        website: Some("https://example.com/mara"),
    },
    DemoAuthor {
        key: "tomas",
        name: "Tomás Okafor",
        bio: "Frontend developer who likes fast pages, boring HTTP and static sites that rebuild in seconds. Writes most of the code samples here.",
        location: "Lisbon, Portugal",
        website: Some("https://example.org/tomas"),
    },
    DemoAuthor {
        key: "priya",
        name: "Priya Raman",
        bio: "Keeps the servers running. Interested in small databases, tested backups and the kind of operations work nobody notices when it is done well.",
        location: "Pune, India",
        website: None,
    },
];

pub const TAGS: &[DemoTag] = &[
    DemoTag {
        key: "getting-started",
        name: "Getting Started",
        description: "First steps with Folio, from starting the server to making your first API requests.",
    },
    DemoTag {
        key: "frontend",
        name: "Frontend",
        description: "Building sites and apps that read their content from the Folio API.",
    },
    DemoTag {
        key: "editorial",
        name: "Editorial",
        description: "Writing, editing and publishing: Markdown, drafts, schedules and good habits.",
    },
    DemoTag {
        key: "operations",
        name: "Operations",
        description: "Running Folio in production, including databases, backups and upgrades.",
    },
    DemoTag {
        key: "performance",
        name: "Performance",
        description: "Caching, ETags and other ways to keep pages fast and servers relaxed.",
    },
    DemoTag {
        key: "newsletter",
        name: "#newsletter",
        description: "Internal: posts to pick from for the monthly newsletter. Readers never see this tag.",
    },
];

/// The demo's standalone pages, published.
pub struct DemoPage {
    pub title: &'static str,
    pub authors: &'static [&'static str],
    pub markdown: &'static str,
}

pub const PAGES: &[DemoPage] = &[
    DemoPage {
        title: "About",
        authors: &["mara"],
        markdown: r#"This is the sample blog that comes with Folio: a handful of posts, three authors and a few tags, so that a new installation has something real to show.

It is written by **Mara**, who edits, **Tomás**, who builds the frontends, and **Priya**, who keeps the servers running. Everything here can be changed or deleted through the API.
"#,
    },
    DemoPage {
        title: "Imprint",
        authors: &["mara"],
        markdown: r#"Folio Sample Blog is a demonstration and publishes nothing real.

- Contact: editor@example.com
- Responsible for the content: Mara Lindqvist
"#,
    },
];

/// The demo site's name, description and navigation.
pub const SITE_TITLE: &str = "Folio Sample Blog";
pub const SITE_DESCRIPTION: &str =
    "Notes on writing, building and running a small publication with Folio.";
pub const NAVIGATION: &[(&str, &str)] = &[("Home", "/"), ("About", "/about/")];
pub const SECONDARY_NAVIGATION: &[(&str, &str)] = &[("Imprint", "/imprint/")];

pub const POSTS: &[DemoPost] = &[
    // ------------------------------------------------------------------
    DemoPost {
        title: "Welcome to the Folio Sample Blog",
        authors: &["mara"],
        tags: &["getting-started", "editorial", "newsletter"],
        featured: true,
        status: DemoStatus::Published { days_ago: 1 },
        custom_excerpt: Some(
            "A quick tour of the sample blog that ships with Folio, and where to look first.",
        ),
        markdown: r#"You are looking at a small blog that ships inside Folio. It exists so that the first time you run `folio serve --demo`, the API has something to say: three authors, five tags and a dozen posts in various stages of readiness. Click around, query it, break it. Nothing here is precious, and all of it can be deleted.

## What Folio is

Folio is a *headless* CMS. It stores posts, authors and tags, and it serves them as JSON over an authenticated API. What it does not do is decide what your site looks like. There is no theme engine and no template language to learn. Your frontend — a static site generator, a single-page app, a mobile client, even a shell script — asks for content and renders it however it likes.

That split is the whole point. Writers get a calm place to write in Markdown, with drafts and scheduling. Developers get predictable URLs, plain JSON and ordinary HTTP behaviour. Nobody has to wrestle a page builder.

## What is in this demo

The posts were written to be useful on their own, so together they double as a short field guide:

- **Getting Started** walks through your first requests against the content API.
- **Frontend** covers reading Folio from a static site or a browser.
- **Editorial** is about the writing side: Markdown, drafts, schedules and alt text.
- **Operations** deals with databases, backups and keeping the lights on.
- **Performance** explains caching, and why ETags deserve more attention than they get.

One post is still a draft, and another is scheduled a few days into the future. Neither shows up in the public list until an editor publishes it or its time comes. That is exactly the behaviour you want to see for yourself before trusting Folio with real work.

## Where to go next

If you only have five minutes, start with [Your First Five Minutes with the Content API](https://example.com/blog/your-first-five-minutes-with-the-content-api). If you are building a site, [Building a Static Site That Reads from Folio](https://example.com/blog/building-a-static-site-that-reads-from-folio) is the longer tour. And if you are the person who gets the phone call when something breaks, the piece on SQLite and PostgreSQL was written for you.

> A CMS should be boring in the best sense of the word: it keeps your words safe and hands them over when asked.

When you are ready for your own content, remove the sample posts and start writing. Welcome aboard — we hope this little blog gets out of your way quickly.
"#,
    },
    // ------------------------------------------------------------------
    DemoPost {
        title: "Your First Five Minutes with the Content API",
        authors: &["tomas"],
        tags: &["getting-started", "frontend"],
        featured: false,
        status: DemoStatus::Published { days_ago: 4 },
        custom_excerpt: None,
        markdown: r#"Folio speaks HTTP and JSON, and not much else. That makes the first five minutes pleasantly short: if you have `curl` and a terminal, you have everything you need.

## Start the server

With the sample content loaded, the API listens on port 8080:

```sh
folio serve --demo
```

Leave it running and open a second terminal.

## List the latest posts

The public list returns published posts, newest first. Ask for five of them:

```sh
curl -s 'http://127.0.0.1:8080/api/v1/posts?limit=5'
```

Each post carries its title, slug, excerpt, publication date and reading time, the rendered HTML of its body, and its authors and tags. Drafts never appear in this list, and neither do scheduled posts whose moment has not arrived yet.

### Fetch one post by slug

Slugs are derived from titles, so they make friendly URLs on your site and friendly keys in your code:

```sh
curl -s http://127.0.0.1:8080/api/v1/posts/slug/welcome-to-the-folio-sample-blog
```

Add `-i` to see the response headers as well. Notice the `ETag` header; we will come back to it in a later post, because it quietly solves two different problems.

## Sign in

Reading published content needs no credentials. Changing anything does. Exchange an email address and password for a token:

```sh
curl -s -X POST http://127.0.0.1:8080/api/v1/auth/login \
  -H 'Content-Type: application/json' \
  -d '{"email": "you@example.com", "password": "your-password-here"}'
```

The response is a small JSON object with an `access_token`. Keep it in a shell variable and send it with every request that writes:

```sh
TOKEN='paste-the-access-token-here'
```

Then add `-H "Authorization: Bearer $TOKEN"` to your calls. Tokens expire, so if a request that used to work starts answering 401, sign in again.

## When something goes wrong

Errors are not HTML pages. They come back as `application/problem+json`, a small standard format with a `type`, a `title`, the HTTP `status` and a human-readable `detail`. Ask for a slug that does not exist and you get a 404 with a body your code can read and your users can understand:

```sh
curl -si http://127.0.0.1:8080/api/v1/posts/slug/no-such-post
```

Because every error has the same shape, one small function in your frontend can handle all of them.

## Next steps

1. Skim [the API reference](https://example.com/docs/api) for the full list of endpoints and fields.
2. Try the JavaScript version of these calls in [Building a Static Site That Reads from Folio](https://example.com/blog/building-a-static-site-that-reads-from-folio).
3. Read about the `ETag` header before you write your first editing tool.

That is the whole tour. Five minutes, give or take a typo.
"#,
    },
    // ------------------------------------------------------------------
    DemoPost {
        title: "Building a Static Site That Reads from Folio",
        authors: &["tomas"],
        tags: &["frontend", "performance"],
        featured: true,
        status: DemoStatus::Published { days_ago: 9 },
        custom_excerpt: Some(
            "Fetch posts at build time, render them with whatever generator you like, and rebuild only when the content changes.",
        ),
        markdown: r#"A headless CMS and a static site are a natural pair. The CMS keeps the content and the editorial workflow; the static site turns that content into plain files that any web server or CDN can hand out in milliseconds. Here is how we wire the two together.

## The shape of the build

A build does three things:

1. Ask Folio for the list of published posts.
2. Fetch each post by its slug.
3. Write one HTML file per post, plus an index page and a feed.

It does not matter which generator you use. The examples below are plain JavaScript that runs in any recent Node.js, but the same ideas carry over to every tool that can make an HTTP request.

## Fetching a post

Folio renders Markdown to HTML when a post is saved and stores both, so your frontend never needs a Markdown parser of its own. A small helper is enough:

```js
const API = process.env.FOLIO_API ?? "http://127.0.0.1:8080/api/v1";

export async function getPost(slug) {
  const res = await fetch(`${API}/posts/slug/${encodeURIComponent(slug)}`, {
    headers: { Accept: "application/json" },
  });
  if (res.status === 404) return null;
  if (!res.ok) {
    const problem = await res.json();
    throw new Error(`${problem.title}: ${problem.detail ?? res.status}`);
  }
  return res.json();
}
```

Two details are worth copying. First, a missing post returns `null` instead of crashing the build, so you can decide what a missing page means for your site. Second, errors are read as problem details, which means the build log tells you *why* a request failed rather than just that it did.

### Paging through the list

Use `?limit=` to keep responses small. Five is plenty for a homepage; a full rebuild can page through in larger batches. Either way, the list only ever contains posts that are meant to be public.

## Rendering

Each post gives you what a template needs: `title`, `html`, `excerpt`, `published_at`, `reading_time`, plus the authors and tags in byline order. Use the custom excerpt where an editor wrote one; Folio falls back to an automatic excerpt otherwise, so the field is never empty.

> Treat the API response as data, not as a page. Your template owns the layout, the typography and the markup around the body.

## When to rebuild

The obvious trigger is "someone hit publish". The less obvious one is *time*. A scheduled post goes live when its publication time passes, and nobody edits anything at that moment. If your site only rebuilds on edits, the post will sit invisible until the next unrelated change.

We use both triggers:

- a rebuild when an editor publishes or updates a post, and
- a small scheduled rebuild every fifteen minutes that exits early if nothing changed.

The "exits early" part is where ETags earn their keep. Store the `ETag` of every post you rendered; on the next build, if the header you receive matches the stored one, skip rendering that page entirely. On a blog with a few hundred posts this turns a full rebuild into a handful of file writes.

## What you end up with

A folder of HTML that loads instantly, survives traffic spikes and keeps working even while the CMS is down for maintenance. Folio does the remembering; the static site does the serving. For more on the caching side, see [Caching Content with ETags](https://example.com/blog/caching-content-with-etags).
"#,
    },
    // ------------------------------------------------------------------
    DemoPost {
        title: "Writing in Markdown Without Fighting It",
        authors: &["mara"],
        tags: &["editorial", "getting-started"],
        featured: false,
        status: DemoStatus::Published { days_ago: 13 },
        custom_excerpt: None,
        markdown: r#"Every post in Folio is written in Markdown. For some writers that is a relief; for others it looks suspiciously like programming. It is neither. Markdown is a handful of conventions that people already used in plain-text email, tidied up so a computer can read them too.

Here is how we use it on this blog, and the few habits that keep it pleasant.

## The five things you need

You can write almost anything with these:

- **Paragraphs** — separated by a blank line. A single line break does nothing, which is a feature: you can wrap your lines however you like.
- **Headings** — a line starting with `##` for a section and `###` for a subsection. We leave the single `#` to the post title.
- **Emphasis** — `*italics*` for a word you would stress out loud, `**bold**` for the one thing a skimming reader must not miss.
- **Lists** — lines starting with `-` or with `1.`.
- **Links** — `[the words people click](https://example.com/where-they-go)`.

A short post using all of them looks like this:

```markdown
## Why we moved the newsletter

Starting in *March*, the newsletter goes out on **Thursdays**.

- Fewer emails compete for attention on Thursday mornings.
- Our writers finish their week's pieces by Wednesday.

Read the [full schedule](https://example.com/newsletter).
```

## Habits that help

### Write headings as an outline

Before drafting, write only the `##` headings. If they read like a sensible table of contents, the post will probably read well too. If they do not, no amount of polishing the paragraphs will save it.

### Make links describe their destination

"Click here" tells a reader nothing, and it tells a screen reader user even less when links are read out as a list. Link the words that say where the link goes: "read the [backup checklist](https://example.com/ops/backups)".

### Use code formatting for things people type

Anything a reader might copy — a command, a file name, a setting — goes in backticks. Longer snippets go in a fenced block with three backticks and the language name, so the frontend can highlight it.

### Leave HTML out

Markdown allows raw HTML, but Folio cleans the rendered output before it is stored, and most of what you might paste in will simply be removed. More importantly, HTML in a post ties your words to one particular design. Plain Markdown survives redesigns.

## Block quotes are for other people's words

Use `>` at the start of a line to quote someone:

> Write the way you talk, then cut half of it.

Pull quotes are a design decision. Leave those to your frontend.

## When you get stuck

Preview often. Folio stores the rendered HTML next to your Markdown, so what you see in the preview is what readers will get. And if something looks wrong, it is nearly always a missing blank line. It is always the blank line.
"#,
    },
    // ------------------------------------------------------------------
    DemoPost {
        title: "ETags and the Art of Not Overwriting Your Colleague",
        authors: &["tomas", "priya"],
        tags: &["editorial", "frontend"],
        featured: false,
        status: DemoStatus::Published { days_ago: 18 },
        custom_excerpt: Some(
            "How an ETag and an If-Match header stop two editors from silently undoing each other's work.",
        ),
        markdown: r#"It happens on every team sooner or later. Two people open the same post. One fixes a typo in the headline and saves. The other, ten minutes later, adds a paragraph and saves too — and the headline typo is back, because their editor still held the old version of the whole post. Nobody did anything wrong, and an edit is gone anyway.

This is the *lost update* problem, and HTTP solved it a long time ago. Folio uses that solution.

## Every post has a version

Each time a post changes, its version moves forward, and the API reports it in an `ETag` response header. Read a post with `-i` to see it:

```sh
curl -si http://127.0.0.1:8080/api/v1/posts/slug/writing-in-markdown-without-fighting-it
```

```text
HTTP/1.1 200 OK
Content-Type: application/json
ETag: "3"
```

Treat the value as opaque. Do not parse it, do not increment it yourself; just keep it next to the copy of the post you are editing, together with the post's `id` from the response body. Below, those live in the shell variables `$POST_ID` and `$TOKEN`.

## Send it back when you write

When you save, pass the ETag you were given in an `If-Match` header. You are telling the server: *apply this change only if the post is still the version I saw.*

```sh
curl -si -X PATCH "http://127.0.0.1:8080/api/v1/posts/$POST_ID" \
  -H "Authorization: Bearer $TOKEN" \
  -H 'Content-Type: application/json' \
  -H 'If-Match: "3"' \
  -d '{"title": "Writing in Markdown Without a Fight"}'
```

If nobody else has saved in the meantime, the update goes through and the response carries a fresh `ETag`. Keep that one for the next save.

## When someone got there first

If a colleague saved while you were typing, the versions no longer match and Folio refuses the change with `412 Precondition Failed`. Like every error, it arrives as `application/problem+json`:

```json
{
  "type": "urn:folio:problem:version-mismatch",
  "title": "Precondition Failed",
  "status": 412,
  "detail": "The resource has changed since you read it: fetch it again, reapply your change, and send the new ETag."
}
```

Nothing was written. Your colleague's edit is safe, and your own text is still in your editor.

## What a good editing tool does next

A 412 is not a crash; it is a question. How you answer it is a product decision, but these options work well, roughly in order of effort:

1. **Tell the writer plainly.** "Someone else saved this post a moment ago" beats any status code.
2. **Reload and reapply.** Fetch the latest version with its new ETag, then reapply the writer's change if it touches different fields.
3. **Show both versions** side by side and let a human choose.

What a good tool never does is retry the PATCH without `If-Match` to make the error go away. That brings back exactly the bug you were protected from.

> Optimistic locking is optimistic for a reason: conflicts are rare, so it costs nothing until the one day it saves an afternoon of work.

The same header also helps with caching, which is a story for [another post](https://example.com/blog/caching-content-with-etags).
"#,
    },
    // ------------------------------------------------------------------
    DemoPost {
        title: "Caching Content with ETags",
        authors: &["priya"],
        tags: &["performance", "operations"],
        featured: false,
        status: DemoStatus::Published { days_ago: 22 },
        custom_excerpt: None,
        markdown: r#"The fastest request is the one you never make, and the second fastest is the one that ends with "nothing changed". ETags are how you get the second kind cheaply and correctly.

## What an ETag is

An ETag is a short label for one version of a resource. Folio sends one with every post it returns. When the post changes, the label changes; when it does not, the label stays exactly the same. That is the whole contract, and it is enough to build several kinds of caching on top of.

## Three places to use it

### In your build

A static site build that re-renders every page on every run wastes most of its time. Keep a small file that maps each slug to the ETag you last rendered:

```json
{
  "welcome-to-the-folio-sample-blog": "\"4\"",
  "writing-in-markdown-without-fighting-it": "\"3\""
}
```

On the next build, fetch each post, compare the header with the stored value, and skip the page when they match. Rendering templates, optimising images and writing files are usually far slower than the request itself, so the savings add up quickly.

### In HTTP caches

Conditional requests are part of HTTP itself. A cache that already holds a copy can revalidate it by sending the stored tag in an `If-None-Match` header; a server that supports revalidation answers `304 Not Modified` with an empty body when nothing has changed. Browsers and CDNs do this for you, which is one more reason to let them sit in front of your API rather than reinventing a cache in application code.

### In editing tools

The same tag protects writes. Sending it back in `If-Match` makes the server refuse an update based on a stale copy. We covered that in [ETags and the Art of Not Overwriting Your Colleague](https://example.com/blog/etags-and-the-art-of-not-overwriting-your-colleague).

## Pick a sensible freshness window

Validation tells a cache *whether* something changed; it does not tell it *how often* to ask. For a small publication we like:

- **Post pages**: cache briefly, a minute or five, then revalidate. Corrections to a live post should appear soon.
- **Lists and the homepage**: the same or shorter, since new posts should show up promptly.
- **Images and other assets**: cache for a long time and change the URL when the file changes.

Remember scheduled posts. A post that goes live at nine o'clock will only appear on a cached homepage once that cache expires, so keep list lifetimes shorter than the precision your editors expect.

## Compression is free speed

Folio compresses responses with gzip or Brotli when the client says it can handle them. JSON compresses extremely well; a typical list of posts shrinks to a fraction of its size. Check that whatever sits in front of Folio passes the `Accept-Encoding` header through rather than stripping it.

## Measure before and after

Before you tune anything, note how long a full build takes and how many requests reach the API in an hour. Change one thing, measure again. Caching bugs are mostly cases of being clever without checking, and an ETag comparison is the least clever, most reliable trick we know.
"#,
    },
    // ------------------------------------------------------------------
    DemoPost {
        title: "Drafts, Schedules and a Calm Publishing Calendar",
        authors: &["mara"],
        tags: &["editorial"],
        featured: false,
        status: DemoStatus::Published { days_ago: 27 },
        custom_excerpt: None,
        markdown: r#"Most publishing stress is timing stress. The piece is finished at eleven at night, but readers are asleep. The announcement has to go out at nine sharp, and the person who wrote it is on a train. Folio's answer is simple: every post is in one of three states, and you can move between them whenever you like.

## The three states

- **Draft** — work in progress. Visible to your team, invisible to the public API. A draft can sit for an hour or a year.
- **Scheduled** — finished, with a publication time in the future. It stays out of the public list until that time passes, then appears without anyone touching it.
- **Published** — live. Its publication date is what readers see and what the lists are sorted by.

A scheduled post is not a special kind of post. It is an ordinary post with a date that has not arrived yet, which is why nothing needs to "fire" at the right moment.

## Our weekly rhythm

Here is what works for a small team publishing two or three pieces a week:

1. **Monday**: everyone opens a draft for whatever they are working on, even if it is only a title and three bullet points. Drafts are cheap, and an empty draft is a visible promise.
2. **Wednesday**: first read. An editor leaves notes; the writer revises.
3. **Thursday**: final read, then schedule. Pieces go out Tuesday and Thursday mornings, so nobody publishes on a Friday afternoon.
4. **Friday**: look at the calendar for next week and notice the gaps early.

### A checklist before you schedule

- Is the headline something a person would actually search for?
- Does every image have alt text that describes it?
- Do the links go where their text says they go?
- Is the excerpt one clear sentence, or should Folio write one from the opening paragraph?
- Is the time right in the *reader's* time zone?

## Time zones, briefly

Folio stores every timestamp in UTC and your frontend shows it in whatever zone makes sense. When you schedule a post for nine in the morning, double-check which nine you mean. For a readership spread across continents, pick one zone for the whole team and write it on the wall.

> The calendar is not a promise to readers. It is a promise to each other about when the work needs to be done.

## Unpublishing is allowed

Sometimes a post goes out too early, or with a mistake that deserves more than a quiet correction. Moving it back to draft takes it out of the public list at once. Fix it, add a short note explaining the change, and publish again. Readers forgive mistakes far more easily than they forgive silence.

A calm calendar is mostly a habit, not a tool. But a tool that makes the habit easy helps more than you would expect.
"#,
    },
    // ------------------------------------------------------------------
    DemoPost {
        title: "SQLite or PostgreSQL for a Small Publication?",
        authors: &["priya", "mara"],
        tags: &["operations", "performance"],
        featured: false,
        status: DemoStatus::Published { days_ago: 33 },
        custom_excerpt: None,
        markdown: r#"Folio runs on either SQLite or PostgreSQL, with the same schema on both. We get asked which one to pick more than any other question, so here is our honest answer: for most small publications it does not matter much, and that is good news.

## Start with the size of the thing

A busy blog publishes a few posts a day. Even a prolific one accumulates a few thousand posts over a decade. Reads vastly outnumber writes, and the writes come from a handful of editors, not from the public. That workload is tiny by database standards. Both engines will handle it without noticing.

So the real question is not speed. It is *what you want to operate*.

## When SQLite is the right call

SQLite keeps the whole database in a single file next to the application. There is no server to install, no network connection to secure, no password to rotate.

Choose it when:

- Folio runs on one machine, which is true of most small sites.
- You want backups to be "copy a file, carefully".
- Nobody on the team wants to look after a database server.

### The caveats

SQLite allows one writer at a time. With a few editors that is invisible; with hundreds of people writing constantly it would not be. And because the file lives on the machine's disk, running several copies of Folio behind a load balancer is not an option.

## When PostgreSQL is the right call

PostgreSQL is a server of its own. It is more work to run, and it gives more in return.

Choose it when:

- You already run PostgreSQL and know how to back it up and upgrade it.
- You want more than one Folio instance for redundancy.
- Your hosting provider offers a managed database and you would rather let them deal with it.
- Other tools, such as reporting or analytics, need to read the same data over the network.

## The same questions, on either engine

Because the schema is identical, the queries you write for reports work on both. Here is one we run every month to see which topics we have actually been writing about:

```sql
SELECT t.name, COUNT(*) AS posts
FROM tags AS t
JOIN posts_tags AS pt ON pt.tag_id = t.id
JOIN posts AS p ON p.id = pt.post_id
WHERE p.status = 'published'
GROUP BY t.name
ORDER BY posts DESC;
```

Run reports like this against a copy of the database, not the live one, and never write to Folio's tables directly. The API keeps versions, rendered HTML and excerpts consistent; a hand-written `UPDATE` does not.

## Our recommendation

Start with SQLite. It is one less moving part while you figure out what your publication needs. If you outgrow it, moving to PostgreSQL is a planned afternoon of work, not an emergency, and by then you will know exactly why you are doing it.

> The best database for a small site is the one you can restore from a backup at two in the morning without looking anything up.

Speaking of which: read [Backups You Have Actually Restored](https://example.com/blog/backups-you-have-actually-restored) before you go live.
"#,
    },
    // ------------------------------------------------------------------
    DemoPost {
        title: "Alt Text Is Writing, Too",
        authors: &["mara", "tomas"],
        tags: &["editorial", "frontend"],
        featured: false,
        status: DemoStatus::Published { days_ago: 38 },
        custom_excerpt: None,
        markdown: r#"Every image in a post needs a text alternative. Screen reader users hear it in place of the picture; everyone else sees it when an image fails to load on a slow connection; search engines use it to understand the page. Alt text is not a technical chore to finish before publishing. It is part of the writing, and it deserves the same care.

## How it looks in Markdown

The alt text lives in the square brackets of an image:

```markdown
![A volunteer sorting donated books into crates at the library entrance](https://example.com/images/book-drive.jpg)
```

Folio keeps it in the rendered HTML, and any decent frontend passes it straight through.

## What to write

Describe what the image *contributes to the post*, not every pixel in it. Ask yourself: if I read this post aloud over the phone, what would I say when I reached the picture?

Compare these for the same photograph:

- `IMG_2041.jpg` — a file name tells the reader nothing.
- `Photo` — true, and useless.
- `A crowded room` — better, but vague.
- `About forty people at folding tables, most of them writing on paper name badges` — now the reader knows what the event felt like.

### Keep it short, but not at any cost

One or two sentences is usually right. If an image carries a lot of information, like a chart, summarise the point in the alt text and put the details in the body of the post, where everyone can read them.

### Do not start with "Image of"

Screen readers already announce that an image follows. Go straight to the description.

## Decorative images

Some pictures are pure decoration: a texture, a divider, a stock photo that repeats the headline. For those, an empty alt text is correct, because it tells assistive technology to skip the image instead of reading out a file name:

```markdown
![](https://example.com/images/divider-wave.svg)
```

Be honest with yourself here. If the image adds nothing, consider whether the post needs it at all.

## For the people building the frontend

Writers can only do half of this job. The other half belongs in the templates:

1. Never fill a missing alt attribute with the file name or the post title. An empty value is better than a misleading one.
2. Give the feature image of a post real alt text, not a copy of the headline, and let editors change it.
3. Check your pages with a screen reader at least once. Ten minutes of listening teaches more than an hour of reading guidelines.

> Accessibility is not a feature you add at the end. It is what happens when you remember that readers are different from you.

For a longer checklist, see our [accessibility notes](https://example.com/guides/accessibility).
"#,
    },
    // ------------------------------------------------------------------
    DemoPost {
        title: "Backups You Have Actually Restored",
        authors: &["priya"],
        tags: &["operations"],
        featured: false,
        status: DemoStatus::Published { days_ago: 45 },
        custom_excerpt: None,
        markdown: r#"Everyone has backups. Far fewer people have *restores*. The difference shows up on the worst possible day, usually with an editor standing behind you asking whether last week's posts are gone.

This post covers the minimum we think every Folio installation should have, for either database.

## The rule of three

- **Three copies** of your data: the live database and two backups.
- **Two different places**: a backup on the same disk as the database does not survive the disk.
- **One restore test** every month, written down, with the date and how long it took.

The third point is the one that matters. A backup you have never restored is a hope, not a plan.

## SQLite

Do not copy the database file with `cp` while Folio is running; you may catch it halfway through a write. Use SQLite's own backup command, which produces a consistent snapshot even while the application keeps working:

```sh
sqlite3 /var/lib/folio/folio.db ".backup '/var/backups/folio/folio-$(date +%F).db'"
```

Then check the copy before trusting it:

```sh
sqlite3 /var/backups/folio/folio-2024-05-01.db "PRAGMA integrity_check;"
```

The answer should be a single line that says `ok`.

## PostgreSQL

Use `pg_dump` in its custom format, which compresses well and lets you restore selectively:

```sh
pg_dump --format=custom --file="/var/backups/folio/folio-$(date +%F).dump" folio
```

To restore into a fresh, empty database:

```sh
createdb folio_restore
pg_restore --dbname=folio_restore /var/backups/folio/folio-2024-05-01.dump
```

## The monthly restore drill

Once a month, pick a recent backup at random and do this:

1. Restore it into a scratch database or a scratch directory — never over the live one.
2. Point a throwaway copy of Folio at it and start it on a different port.
3. Fetch a recent post through the API, for example `GET /api/v1/posts?limit=5`, and check that the newest one is there.
4. Write down the date, the backup you used and how long the whole thing took.

The time matters. If a restore takes forty minutes, that is your real recovery time, and your editors deserve to know it in advance.

### Things that are easy to forget

- Images and other files your posts link to live outside the database. Back them up too.
- Keep the configuration you need to start Folio, minus the secrets, somewhere you can find it without the server.
- Expire old backups on a schedule, or the disk that holds them will fill up quietly one weekend.

> The goal of a backup is not to have a file. It is to be able to say "give me twenty minutes" and mean it.

If you are still choosing a database, our notes on [SQLite or PostgreSQL](https://example.com/blog/sqlite-or-postgresql-for-a-small-publication) cover how each choice affects this routine.
"#,
    },
    // ------------------------------------------------------------------
    DemoPost {
        title: "Friendlier Errors with Problem Details",
        authors: &["tomas"],
        tags: &["frontend", "getting-started"],
        featured: false,
        status: DemoStatus::Scheduled { days_ahead: 3 },
        custom_excerpt: Some(
            "Every Folio error is a small, predictable JSON document, which makes good error messages in your frontend almost free.",
        ),
        markdown: r#"Nobody enjoys writing error handling, and it shows. Half the web still answers a failed request with an HTML page that a JavaScript client cannot read, or with a JSON body whose shape changes from one endpoint to the next. Folio takes the boring, standard route instead: every error is a *problem details* document.

## One shape for every failure

When a request fails, the response has the content type `application/problem+json` and a body like this:

```json
{
  "type": "urn:folio:problem:unauthorized",
  "title": "Unauthorized",
  "status": 401,
  "detail": "Sign in: this endpoint needs a bearer access token."
}
```

The fields mean the same thing everywhere:

- `status` repeats the HTTP status code, which is handy once the response has been passed around your code.
- `title` is a short, stable summary of the kind of problem.
- `detail` explains this particular occurrence in words a person can read.
- `type` identifies the kind of problem with a stable URN such as `urn:folio:problem:not-found`, so code can switch on it.

## The errors you will meet first

### 401 Unauthorized

You tried to change something without a token, or your token has expired. Sign in again with `POST /api/v1/auth/login` and retry with the new `access_token`.

### 404 Not Found

The slug or id does not exist, or the post is not public yet. Remember that drafts and scheduled posts are invisible to anonymous readers; this very post returned 404 until the day it went live.

### 412 Precondition Failed

You sent a `PATCH` with an `If-Match` header, and someone else saved the post after you read it. Nothing was overwritten. Fetch the latest version and decide what to do with your change.

## Handling them in one place

Because the shape never changes, a single helper covers every call your frontend makes:

```js
export async function folio(path, options = {}) {
  const res = await fetch(`http://127.0.0.1:8080/api/v1${path}`, options);
  if (res.ok) return res.json();

  const type = res.headers.get("Content-Type") ?? "";
  const problem = type.includes("application/problem+json")
    ? await res.json()
    : { status: res.status, title: res.statusText };

  const error = new Error(problem.detail ?? problem.title);
  error.problem = problem;
  throw error;
}
```

Components can then switch on `error.problem.status` and show a message that fits: a sign-in prompt for 401, a friendly "not found" page for 404, a "someone else just saved this" banner for 412.

## Show the detail, log the rest

The `detail` is written for humans, so it is usually safe to show directly to editors. For public readers, prefer your own wording and keep the full problem document in your logs, where it will save you a guessing game later.

> A good error message answers two questions: what happened, and what can I do now?

Problem details answer the first for you. The second is still your job, but it just got a lot easier.
"#,
    },
    // ------------------------------------------------------------------
    DemoPost {
        title: "Notes Toward a House Style Guide",
        authors: &["mara"],
        tags: &["editorial"],
        featured: false,
        status: DemoStatus::Draft,
        custom_excerpt: None,
        markdown: r#"*Draft — comments welcome. Not for publication until we have agreed on the open questions at the end.*

Every publication ends up with a style guide, whether it writes one down or not. The unwritten kind lives in the editor's head and comes out as the same three comments on every draft. This is an attempt to write ours down so those comments can go somewhere more useful.

## Voice

We write the way a knowledgeable friend explains something over coffee: plainly, with a bit of warmth, and without showing off. If a sentence would sound strange said out loud, rewrite it.

- Prefer short words to long ones, and active verbs to passive ones.
- Say "we" for the team and "you" for the reader.
- Skip the throat-clearing. The first paragraph should already be about the subject.

## Headlines

- Sentence case or title case? *Open question.* Current posts use title case; I lean towards keeping it.
- No puns that only make sense after reading the post.
- A headline should still make sense in a list of search results, with no image next to it.

## Numbers, dates and times

- Spell out one to nine; use digits from 10 upwards, and always for versions, ports and measurements.
- Dates as "3 May 2024" in prose. The frontend decides how to format publication dates.
- Times always with a time zone when it matters, as in "09:00 UTC".

## Technical writing

Commands and file names go in code formatting. Every code sample must run as written against a fresh demo install, for example:

```sh
curl -s 'http://127.0.0.1:8080/api/v1/posts?limit=5'
```

If a sample needs a token or an id, show it as a shell variable like `$TOKEN` and say where it comes from.

## Links and images

- Link text describes the destination. Never "here".
- Every image has alt text, or an empty alt if it is purely decorative. See [Alt Text Is Writing, Too](https://example.com/blog/alt-text-is-writing-too).

## Open questions

1. Title case or sentence case for headlines?
2. Do we credit editors on posts, or only writers?
3. How do we mark corrections: a note at the top, or at the bottom?
4. Oxford comma. (Please, not again.)

> Style is what lets readers stop noticing the writing and start noticing the ideas.

*To do before publishing: ask the rest of the team for examples of phrases they are tired of seeing, and add a section on words we avoid.*
"#,
    },
];
