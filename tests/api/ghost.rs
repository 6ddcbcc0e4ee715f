//! Folio's Ghost Content API (`/ghost/api/content/`) against what a real Ghost 6.65 answered:
//! the captures in tests/ghost/golden/ (INDEX.txt lists them) are replayed on a site seeded
//! through Folio's own API with the same kinds of data, and compared by structure, since the
//! two datasets differ: the status; the headers clients and caches act on; the envelope; each
//! item's keys, in order, with their JSON types; the error's fields; and the rule each capture
//! is about, checked on the seeded data.

use std::cmp::Reverse;
use std::collections::{BTreeMap, HashMap};
use std::fmt::{self, Write as _};
use std::io::Read as _;
use std::sync::LazyLock;

use actix_web::body::MessageBody;
use actix_web::test::TestRequest;
use chrono::{DateTime, Duration, SubsecRound, TimeZone, Utc};
use regex::Regex;
use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Value, json};

use crate::on_both_backends;
use crate::paths::{AUTHORS, KEYS, PAGES, POSTS, SETTINGS, TAGS};
use crate::support::{Backend, Response, Served, TestApp, id, spawn};

on_both_backends!(
    folio_answers_as_ghost_did,
    hostile_filters_get_an_answer_and_change_nothing,
    nothing_unpublished_reaches_a_ghost_reader,
    a_revoked_key_stops_reading_within_a_second,
    bodies_come_as_fields_and_formats_ask,
);

/// How many captures there are: a capture lost in a copy fails the test.
const CAPTURES: usize = 132;

/// Captures Folio answers differently, each with the reason, which is Folio's. The replay
/// fails when one of them starts to pass, so the list cannot outlive its reasons.
const KNOWN_DIFFERENCES: &[(&str, &str)] = &[
    (
        "tiers",
        "Folio has no paid memberships, so no tiers: it lists none where Ghost lists its Free \
         and paid tiers",
    ),
    (
        "tiers-include-prices",
        "Folio has no paid memberships, so no tiers or prices to list",
    ),
    (
        "newsletters",
        "Folio sends no newsletters: it lists none where Ghost lists its default newsletter",
    ),
    (
        "posts-filter-unknown-field",
        "Ghost names its database driver's error (`SQLITE_ERROR`) as the code; Folio refuses \
         the unknown field before any SQL runs, so there is no database error to name, and says \
         which field in `context`",
    ),
];

/// The seeded site's address, and the one Ghost's answers were made with.
const SITE: &str = "https://blog.example.com";
const GHOST_SITE: &str = "http://127.0.0.1:2399";

/// The Content API's root: every capture is under it (or under a legacy twin of it).
const GHOST_API: &str = "/ghost/api/content";

async fn folio_answers_as_ghost_did(backend: Backend) {
    let captures = captures();
    let app = spawn(backend).await;
    let site = seed(&app).await;
    let mut failures = Vec::new();
    for capture in &captures {
        if let Err(difference) = replay(&app, &site, capture, backend).await {
            failures.push((capture, difference));
        }
    }

    let mut report = format!(
        "golden: {} of {} pass on {backend:?}\n",
        captures.len() - failures.len(),
        captures.len()
    );
    let known: HashMap<&str, &str> = KNOWN_DIFFERENCES.iter().copied().collect();
    for (capture, difference) in &failures {
        let _ = write!(
            report,
            "  {} ({} {}): {difference}",
            capture.name, capture.method, capture.url
        );
        let _ = match known.get(capture.name.as_str()) {
            Some(reason) => writeln!(report, " [known: {reason}]"),
            None => writeln!(report),
        };
    }
    println!("{report}");
    let unexpected: Vec<&str> = failures
        .iter()
        .map(|(capture, _)| capture.name.as_str())
        .filter(|name| !known.contains_key(name))
        .collect();
    let stale: Vec<&str> = KNOWN_DIFFERENCES
        .iter()
        .map(|(name, _)| *name)
        .filter(|name| !failures.iter().any(|(capture, _)| capture.name == *name))
        .collect();
    assert!(
        unexpected.is_empty() && stale.is_empty(),
        "{report}\nanswered differently from Ghost: {unexpected:?}\nlisted in KNOWN_DIFFERENCES \
         but answered as Ghost did (take them off the list): {stale:?}"
    );
}

#[test]
fn the_captures_are_all_here_and_whole() {
    let captures = captures();
    assert_eq!(captures.len(), CAPTURES, "INDEX.txt lists every capture");
    let files = std::fs::read_dir(golden_dir())
        .expect("the captures' folder")
        .filter(|entry| {
            entry
                .as_ref()
                .is_ok_and(|e| e.path().extension().is_some_and(|x| x == "json"))
        })
        .count();
    assert_eq!(
        files, CAPTURES,
        "each capture listed has its file, and no more"
    );
    let roles: Vec<String> = ghost_ids().into_iter().map(|(role, _)| role).collect();
    for role in ["post", "uuid", "author", "tag", "page"] {
        assert!(
            roles.iter().any(|r| r == role),
            "INDEX.txt names Ghost's {role} id"
        );
    }
    // The rule the replay holds Folio's pagination to is Ghost's own.
    for capture in &captures {
        if let Err(difference) = pagination_adds_up(capture, &capture.body) {
            panic!("{}: Ghost's own answer: {difference}", capture.name);
        }
    }
    for (name, _) in KNOWN_DIFFERENCES {
        assert!(
            captures.iter().any(|c| c.name == *name),
            "KNOWN_DIFFERENCES names `{name}`, which is no capture"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// JSON whose objects keep their keys in order: key order is part of what Ghost's clients see,
// and serde_json's own `Value` sorts them.

#[derive(Debug, Clone, PartialEq)]
enum Json {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Arr(Vec<Json>),
    Obj(Vec<(String, Json)>),
}

impl<'de> Deserialize<'de> for Json {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Json, D::Error> {
        deserializer.deserialize_any(JsonVisitor)
    }
}

struct JsonVisitor;

impl<'de> Visitor<'de> for JsonVisitor {
    type Value = Json;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_unit<E>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }
    fn visit_none<E>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }
    fn visit_bool<E>(self, v: bool) -> Result<Json, E> {
        Ok(Json::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Json, E> {
        Ok(Json::Int(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Json, E> {
        Ok(i64::try_from(v).map_or(Json::Float(v as f64), Json::Int))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Json, E> {
        Ok(Json::Float(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Json, E> {
        Ok(Json::Str(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Json, E> {
        Ok(Json::Str(v))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Json, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Json::Arr(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Json, A::Error> {
        let mut entries = Vec::new();
        while let Some(entry) = map.next_entry::<String, Json>()? {
            entries.push(entry);
        }
        Ok(Json::Obj(entries))
    }
}

impl Json {
    fn parse(bytes: &[u8]) -> Option<Json> {
        serde_json::from_slice(bytes).ok()
    }

    fn get(&self, key: &str) -> Option<&Json> {
        match self {
            Json::Obj(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    fn at(&self, path: &[&str]) -> Option<&Json> {
        path.iter().try_fold(self, |json, key| json.get(key))
    }

    fn entries(&self) -> &[(String, Json)] {
        match self {
            Json::Obj(entries) => entries,
            _ => &[],
        }
    }

    fn keys(&self) -> Vec<&str> {
        self.entries().iter().map(|(k, _)| k.as_str()).collect()
    }

    fn items(&self) -> &[Json] {
        match self {
            Json::Arr(items) => items,
            _ => &[],
        }
    }

    fn str(&self) -> Option<&str> {
        match self {
            Json::Str(s) => Some(s),
            _ => None,
        }
    }

    fn int(&self) -> Option<i64> {
        match self {
            Json::Int(i) => Some(*i),
            _ => None,
        }
    }

    fn kind(&self) -> &'static str {
        match self {
            Json::Null => "null",
            Json::Bool(_) => "a boolean",
            Json::Int(_) => "an integer",
            Json::Float(_) => "a fraction",
            Json::Str(_) => "a string",
            Json::Arr(_) => "an array",
            Json::Obj(_) => "an object",
        }
    }

    /// The capture script kept the first and last items of long lists, with "…" between.
    fn is_elision(&self) -> bool {
        matches!(self, Json::Str(s) if s == "…")
    }
}

impl fmt::Display for Json {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self {
            Json::Null => f.write_str("null"),
            Json::Bool(b) => write!(f, "{b}"),
            Json::Int(i) => write!(f, "{i}"),
            Json::Float(x) => write!(f, "{x}"),
            Json::Str(s) => write!(f, "{}", Value::String(s.clone())),
            Json::Arr(items) => {
                f.write_str("[")?;
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(",")?;
                    }
                    write!(f, "{item}")?;
                }
                f.write_str("]")
            }
            Json::Obj(entries) => {
                f.write_str("{")?;
                for (i, (k, v)) in entries.iter().enumerate() {
                    if i > 0 {
                        f.write_str(",")?;
                    }
                    write!(f, "{}:{v}", Value::String(k.clone()))?;
                }
                f.write_str("}")
            }
        }
    }
}

/// `text` cut short enough for a line of the report.
fn short(text: impl fmt::Display) -> String {
    let text = text.to_string();
    match text.char_indices().nth(160) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text,
    }
}

// ---------------------------------------------------------------------------------------------
// The captures.

struct Capture {
    name: String,
    method: String,
    /// As captured, with `{key}` and Ghost's ids in it.
    url: String,
    headers: Vec<(String, String)>,
    status: u16,
    response_headers: Vec<(String, String)>,
    /// `""` when Ghost sent no body.
    body: Json,
}

impl Capture {
    fn header(&self, name: &str) -> Option<&str> {
        self.response_headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

fn golden_dir() -> String {
    format!("{}/tests/ghost/golden", env!("CARGO_MANIFEST_DIR"))
}

fn golden(file: &str) -> String {
    let path = format!("{}/{file}", golden_dir());
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn pairs(json: Option<&Json>) -> Vec<(String, String)> {
    json.map(Json::entries)
        .unwrap_or_default()
        .iter()
        .map(|(k, v)| {
            (
                k.to_ascii_lowercase(),
                v.str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

/// Every capture INDEX.txt lists, in its order: status, method, name and URL, one a line.
fn captures() -> Vec<Capture> {
    golden("INDEX.txt")
        .lines()
        .filter_map(|line| {
            let mut fields = line.split_whitespace();
            let status: u16 = fields.next()?.parse().ok()?;
            let (method, name, url) = (fields.next()?, fields.next()?, fields.next()?);
            Some((status, method.to_owned(), name.to_owned(), url.to_owned()))
        })
        .map(|(status, method, name, url)| {
            let file: Json = serde_json::from_str(&golden(&format!("{name}.json")))
                .unwrap_or_else(|e| panic!("{name}.json: {e}"));
            let request = file.get("request").expect("a request");
            let capture = Capture {
                method: request
                    .get("method")
                    .and_then(Json::str)
                    .unwrap()
                    .to_owned(),
                url: request.get("url").and_then(Json::str).unwrap().to_owned(),
                headers: pairs(request.get("headers")),
                status: file.get("status").and_then(Json::int).unwrap() as u16,
                response_headers: pairs(file.get("headers")),
                body: file.get("body").cloned().unwrap_or(Json::Null),
                name,
            };
            assert_eq!(
                (
                    capture.status,
                    capture.method.as_str(),
                    capture.url.as_str()
                ),
                (status, method.as_str(), url.as_str()),
                "{}: INDEX.txt and the file agree",
                capture.name
            );
            capture
        })
        .collect()
}

/// The ids of Ghost's dataset the captures' URLs name, by role: `post`, `uuid`, `author`…
fn ghost_ids() -> Vec<(String, String)> {
    let index = golden("INDEX.txt");
    let line = index
        .lines()
        .find(|line| line.contains("ids: "))
        .expect("INDEX.txt names Ghost's ids");
    let ids: BTreeMap<String, String> =
        serde_json::from_str(&line[line.find("ids: ").unwrap() + 5..]).expect("ids as JSON");
    ids.into_iter().collect()
}

// ---------------------------------------------------------------------------------------------
// The seeded site: the kinds of data Ghost's had (a bench database plus seeded cases), each
// case once, through Folio's own API.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Post,
    Page,
}

struct SeedPost {
    kind: Kind,
    slug: String,
    title: String,
    published: bool,
    published_at: DateTime<Utc>,
    featured: bool,
    visibility: &'static str,
    tags: Vec<&'static str>,
    authors: Vec<&'static str>,
    custom_excerpt: Option<&'static str>,
    markdown: String,
    /// Sent as they are: images, SEO and social fields, code injection.
    extra: Value,
}

impl SeedPost {
    fn has_tag(&self, slug: &str) -> bool {
        self.tags.contains(&slug)
    }

    fn by(&self, author: &str) -> bool {
        self.authors.contains(&author)
    }
}

struct SeedTag {
    slug: &'static str,
    name: &'static str,
    extra: Value,
}

impl SeedTag {
    /// Folio makes a tag internal by its name, as Ghost does.
    fn internal(&self) -> bool {
        self.name.starts_with('#')
    }
}

struct SeedAuthor {
    slug: &'static str,
    name: &'static str,
    extra: Value,
}

struct Site {
    posts: Vec<SeedPost>,
    tags: Vec<SeedTag>,
    authors: Vec<SeedAuthor>,
    /// The content key (26 hex, Ghost's format) and an integration key's secret, which stands
    /// for Ghost's Admin API key.
    key: String,
    admin_secret: String,
    /// Folio's id for each role Ghost's ids play in the captures (`post`, `uuid`…).
    roles: HashMap<String, String>,
    /// Ghost's id → Folio's, for the URLs.
    ids: Vec<(String, String)>,
}

impl Site {
    fn live(&self, kind: Kind) -> impl Iterator<Item = &SeedPost> {
        self.posts
            .iter()
            .filter(move |p| p.published && p.kind == kind)
    }

    fn post(&self, slug: &str) -> Option<&SeedPost> {
        self.posts.iter().find(|p| p.slug == slug)
    }

    fn tag(&self, slug: &str) -> Option<&SeedTag> {
        self.tags.iter().find(|t| t.slug == slug)
    }

    fn author(&self, slug: &str) -> Option<&SeedAuthor> {
        self.authors.iter().find(|a| a.slug == slug)
    }

    /// What `count.posts` says: published posts, not pages.
    fn tag_count(&self, slug: &str) -> i64 {
        self.live(Kind::Post).filter(|p| p.has_tag(slug)).count() as i64
    }

    fn author_count(&self, slug: &str) -> i64 {
        self.live(Kind::Post).filter(|p| p.by(slug)).count() as i64
    }

    /// Tags and authors readers see: those of a published post or page.
    fn shown_tags(&self) -> Vec<&SeedTag> {
        let live = |t: &&SeedTag| self.posts.iter().any(|p| p.published && p.has_tag(t.slug));
        self.tags.iter().filter(live).collect()
    }

    fn shown_authors(&self) -> Vec<&SeedAuthor> {
        let live = |a: &&SeedAuthor| self.posts.iter().any(|p| p.published && p.by(a.slug));
        self.authors.iter().filter(live).collect()
    }

    fn role(&self, role: &str) -> &str {
        self.roles.get(role).map_or("", String::as_str)
    }

    /// `text` (a URL or a header) with the keys and ids of this site in place of Ghost's.
    fn fill(&self, text: &str) -> String {
        let mut text = text
            .replace("{key}", &self.key)
            .replace("{admin_api_key_secret}", &self.admin_secret);
        for (ghost, ours) in &self.ids {
            text = text.replace(ghost, ours);
        }
        text
    }
}

fn at(year: i32, month: u32, day: u32, hour: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(year, month, day, hour, 0, 0).unwrap()
}

const LOREM: &str = "lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor \
    incididunt ut labore et dolore magna aliqua enim ad minim veniam quis nostrud exercitation \
    ullamco laboris nisi aliquip ex ea commodo consequat";

fn words(seed: usize, count: usize) -> String {
    let lorem: Vec<&str> = LOREM.split(' ').collect();
    (0..count)
        .map(|i| lorem[(seed * 7 + i * 13) % lorem.len()])
        .collect::<Vec<_>>()
        .join(" ")
}

/// Two paragraphs, longer than an excerpt (500 characters), as the bench posts are.
fn body_text(seed: usize) -> String {
    format!("{}.\n\n{}.", words(seed, 70), words(seed + 1, 70))
}

fn post(slug: &str, title: &str, published_at: DateTime<Utc>) -> SeedPost {
    SeedPost {
        kind: Kind::Post,
        slug: slug.to_owned(),
        title: title.to_owned(),
        published: true,
        published_at,
        featured: false,
        visibility: "public",
        tags: Vec::new(),
        authors: vec!["bench"],
        custom_excerpt: None,
        markdown: body_text(slug.len() + title.len()),
        extra: json!({}),
    }
}

fn numbered(n: usize, published_at: DateTime<Utc>) -> SeedPost {
    let title = format!("Post number {n}: {}.", words(n, 6));
    SeedPost {
        markdown: body_text(n),
        ..post(&format!("post-{n}"), &title, published_at)
    }
}

fn dataset(now: DateTime<Utc>) -> (Vec<SeedAuthor>, Vec<SeedTag>, Vec<SeedPost>) {
    let authors = vec![
        // The owner, renamed: Ghost's site belongs to `bench`.
        SeedAuthor {
            slug: "bench",
            name: "Bench Admin",
            extra: json!({
                "bio": "Runs the Bench site.",
                "avatar_url": "https://images.example.com/bench.png",
                "website": "https://bench.example.com",
                "location": "Berlin",
                "facebook": "benchpage",
                "twitter": "@bench",
                "meta_title": "Bench Admin – author",
                "meta_description": "Posts by Bench Admin",
            }),
        },
        SeedAuthor {
            slug: "jane",
            name: "Jane Writer",
            extra: json!({
                "bio": "Guest writer.",
                "avatar_url": "https://images.example.com/jane.png",
            }),
        },
        SeedAuthor {
            slug: "no-posts",
            name: "No Posts",
            extra: json!({}),
        },
    ];
    let tag = |slug, name| SeedTag {
        slug,
        name,
        extra: json!({}),
    };
    let tags = vec![
        tag("news", "News"),
        SeedTag {
            extra: json!({
                "description": "The first tag.",
                "feature_image": "https://images.example.com/tag1.jpg",
                "og_title": "Tag one OG",
                "twitter_title": "Tag one TW",
                "meta_title": "Tag one",
                "meta_description": "All about tag one",
                "canonical_url": "https://example.com/t1",
                "accent_color": "#112233",
            }),
            ..tag("tag-1", "Tag 1")
        },
        tag("tag-2", "Tag 2"),
        tag("tag-47", "Tag 47"),
        tag("tag-50", "Tag 50"),
        // The slug is Folio's to derive from the name (`#` becomes `hash-`).
        tag("hash-internal", "#internal"),
        tag("page-only", "Page only"),
        tag("draft-only", "Draft only"),
        tag("lonely", "Lonely"),
    ];

    let mut posts = vec![SeedPost {
        tags: vec!["news"],
        extra: json!({"feature_image": "https://images.example.com/welcome.jpg"}),
        // Published lately, for `published_at:>now-30d`.
        ..post("coming-soon", "Coming soon", now - Duration::hours(1))
    }];
    for n in 1..=19 {
        // The first six hours of 2024 one an hour (the date filters cut there), then every
        // twenty days through the year.
        let published_at = if n <= 6 {
            at(2024, 1, 1, 0) + Duration::hours(n as i64 - 1)
        } else {
            at(2024, 1, 1, 0) + Duration::days((n as i64 - 6) * 20)
        };
        let mut p = numbered(n, published_at);
        p.tags = if n == 10 {
            vec!["tag-50"]
        } else {
            [(n % 2 == 1, "tag-1"), (n % 3 == 0, "tag-2")]
                .into_iter()
                .filter_map(|(on, tag)| on.then_some(tag))
                .collect()
        };
        posts.push(p);
    }
    // The seeded cases, the newest of 2024, under the slugs the captures ask for.
    let december = |hour| at(2024, 12, 1, hour);
    posts.extend([
        SeedPost {
            visibility: "paid",
            ..numbered(995, december(10))
        },
        SeedPost {
            visibility: "members",
            tags: vec!["tag-2"],
            ..numbered(996, december(11))
        },
        SeedPost {
            // An internal tag first: the post has no primary tag.
            tags: vec!["hash-internal", "tag-47", "tag-1"],
            authors: vec!["jane"],
            ..numbered(997, december(12))
        },
        SeedPost {
            tags: vec!["tag-2", "tag-1"],
            authors: vec!["jane", "bench"],
            ..numbered(998, december(13))
        },
        SeedPost {
            featured: true,
            tags: vec!["tag-1", "tag-2"],
            ..numbered(999, december(14))
        },
        SeedPost {
            featured: true,
            tags: vec!["tag-50", "tag-47", "tag-1"],
            custom_excerpt: Some("A hand-written excerpt for post 1000."),
            extra: json!({
                "feature_image": "https://images.example.com/p1000.jpg",
                "feature_image_alt": "The cover of post 1000",
                "feature_image_caption": "A cover.",
                "canonical_url": "https://canonical.example.com/p1000",
                "codeinjection_head": "<meta name=\"x\" content=\"y\">",
                "meta_title": "Post 1000 for search engines",
                "meta_description": "What post 1000 is about.",
                "og_title": "Post 1000 on social media",
                "og_description": "Shared post 1000.",
                "og_image": "https://images.example.com/p1000-og.jpg",
                "twitter_title": "Post 1000 on X",
                "twitter_description": "Posted post 1000.",
                "twitter_image": "https://images.example.com/p1000-x.jpg",
            }),
            ..numbered(1000, december(15))
        },
        SeedPost {
            tags: vec!["news"],
            authors: vec!["jane"],
            // A relative link (made absolute) and a heading (given an id).
            markdown: "From 2023. [About](/about/)\n\n## Heading\n\nSecond paragraph.".to_owned(),
            ..post("old-post", "An old post", at(2023, 6, 1, 12))
        },
        SeedPost {
            published: false,
            tags: vec!["draft-only"],
            ..post("draft-idea", "Draft idea", now)
        },
        SeedPost {
            kind: Kind::Page,
            ..post("about", "About this site", now - Duration::hours(2))
        },
        SeedPost {
            kind: Kind::Page,
            featured: true,
            tags: vec!["news", "page-only"],
            markdown: "Write to us.".to_owned(),
            ..post("contact", "Contact", now - Duration::hours(2))
        },
    ]);
    (authors, tags, posts)
}

fn merged(mut body: Value, extra: &Value) -> Value {
    for (key, value) in extra.as_object().into_iter().flatten() {
        body[key] = value.clone();
    }
    body
}

async fn seed<S: Served<B>, B: MessageBody>(app: &TestApp<S>) -> Site {
    let owner = Some(app.owner_token.as_str());
    app.patch(SETTINGS, owner, "*", json!({"url": SITE, "title": "Bench"}))
        .await
        .expect(200);
    // Whole seconds: the API writes dates to the millisecond.
    let (authors, tags, posts) = dataset(Utc::now().trunc_subsecs(0));

    let mut author_ids: HashMap<&str, String> = HashMap::new();
    for author in &authors {
        let body = merged(
            json!({"name": author.name, "slug": author.slug}),
            &author.extra,
        );
        let made = if author.slug == "bench" {
            app.change_author(&app.owner_id, body)
                .await
                .expect(200)
                .body
        } else {
            app.post(AUTHORS, owner, body).await.expect(201).body
        };
        assert_eq!(made["slug"], author.slug);
        author_ids.insert(author.slug, id(&made).to_owned());
    }
    let mut tag_ids: HashMap<&str, String> = HashMap::new();
    for tag in &tags {
        let mut body = merged(json!({"name": tag.name}), &tag.extra);
        if !tag.internal() {
            body["slug"] = json!(tag.slug);
        }
        let made = app.post(TAGS, owner, body).await.expect(201).body;
        assert_eq!(made["slug"], tag.slug, "the tag named {}", tag.name);
        tag_ids.insert(tag.slug, id(&made).to_owned());
    }
    let mut native: HashMap<String, Value> = HashMap::new();
    for p in &posts {
        let mut body = json!({
            "title": p.title,
            "slug": p.slug,
            "markdown": p.markdown,
            "status": if p.published { "published" } else { "draft" },
            "featured": p.featured,
            "visibility": p.visibility,
            "tags": p.tags.iter().map(|t| tag_ids[t].clone()).collect::<Vec<_>>(),
            "authors": p.authors.iter().map(|a| author_ids[a].clone()).collect::<Vec<_>>(),
        });
        if p.published {
            body["published_at"] = json!(p.published_at.to_rfc3339());
        }
        if let Some(excerpt) = p.custom_excerpt {
            body["custom_excerpt"] = json!(excerpt);
        }
        let collection = if p.kind == Kind::Page { PAGES } else { POSTS };
        let made = app
            .post(collection, owner, merged(body, &p.extra))
            .await
            .expect(201)
            .body;
        native.insert(p.slug.clone(), made);
    }

    let content = app
        .post(
            KEYS,
            owner,
            json!({"name": "Ghost frontend", "kind": "content", "format": "ghost"}),
        )
        .await;
    assert_eq!(
        content.status, 201,
        "a content key in Ghost's format: {}",
        content.text
    );
    let key = content.body["secret"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(
        key.len() == 26 && key.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')),
        "a Ghost content key is 26 lower-case hex digits, not `{key}`"
    );
    let (_, admin_secret) = app
        .key(json!({"name": "Ghost admin", "kind": "integration", "role": "editor"}))
        .await;

    // The ids the captures name, each for the seeded item of the same role, as Folio's Ghost
    // API shows them (read by slug); Folio's own id if that read fails, which the replay of
    // the reads by id then shows.
    let mut roles = HashMap::new();
    for (role, path, native_value) in [
        ("post", "posts/slug/post-1000/", &native["post-1000"]["id"]),
        (
            "uuid",
            "posts/slug/post-1000/",
            &native["post-1000"]["uuid"],
        ),
        ("author", "authors/slug/jane/", &json!(author_ids["jane"])),
        ("tag", "tags/slug/tag-1/", &json!(tag_ids["tag-1"])),
        ("page", "pages/slug/contact/", &native["contact"]["id"]),
    ] {
        let field = if role == "uuid" { "uuid" } else { "id" };
        let read = send(app, "GET", &format!("{GHOST_API}/{path}?key={key}"), &[]).await;
        let shown = Json::parse(&read.bytes).and_then(|body| {
            let (_, items) = resource(&body)?;
            items.first()?.get(field)?.str().map(str::to_owned)
        });
        let id = shown.unwrap_or_else(|| {
            println!(
                "note: no {role} id from {path} (status {}); using Folio's own",
                read.status
            );
            native_value.as_str().unwrap_or_default().to_owned()
        });
        roles.insert(role.to_owned(), id);
    }
    let ids = ghost_ids()
        .into_iter()
        .filter_map(|(role, ghost)| Some((ghost, roles.get(&role)?.clone())))
        .collect();

    Site {
        posts,
        tags,
        authors,
        key,
        admin_secret,
        roles,
        ids,
    }
}

// ---------------------------------------------------------------------------------------------
// The replay.

async fn send<S: Served<B>, B: MessageBody>(
    app: &TestApp<S>,
    method: &str,
    url: &str,
    headers: &[(String, String)],
) -> Response {
    let mut req = TestRequest::default()
        .method(method.parse().expect("a method"))
        .uri(url);
    for (name, value) in headers {
        req = req.insert_header((name.as_str(), value.as_str()));
    }
    app.send(req).await
}

/// The body as sent before any content coding: gzip is undone here; another coding (brotli)
/// is asked again without one.
async fn decoded<S: Served<B>, B: MessageBody>(
    app: &TestApp<S>,
    method: &str,
    url: &str,
    headers: &[(String, String)],
    res: &Response,
) -> Result<Vec<u8>, String> {
    match res.header("content-encoding") {
        None | Some("identity") => Ok(res.bytes.clone()),
        Some("gzip") => {
            let mut plain = Vec::new();
            flate2::read::GzDecoder::new(&res.bytes[..])
                .read_to_end(&mut plain)
                .map_err(|e| format!("content-encoding: gzip, but not gzip: {e}"))?;
            Ok(plain)
        }
        Some(_) => {
            let mut plain: Vec<(String, String)> = headers
                .iter()
                .filter(|(name, _)| name != "accept-encoding")
                .cloned()
                .collect();
            plain.push(("accept-encoding".to_owned(), "identity".to_owned()));
            Ok(send(app, method, url, &plain).await.bytes)
        }
    }
}

async fn replay<S: Served<B>, B: MessageBody>(
    app: &TestApp<S>,
    site: &Site,
    capture: &Capture,
    backend: Backend,
) -> Result<(), String> {
    let url = site.fill(&capture.url);
    let mut headers: Vec<(String, String)> = capture
        .headers
        .iter()
        .map(|(name, value)| (name.clone(), site.fill(value)))
        .collect();
    if capture.name == "misc-if-none-match" {
        // Ghost's ETag names Ghost's bytes: revalidate with the one Folio gave for this URL.
        let accept = [("accept".to_owned(), "application/json".to_owned())];
        let first = send(app, "GET", &url, &accept).await;
        let etag = first
            .header("etag")
            .ok_or_else(|| format!("no ETag on a first GET (status {})", first.status))?
            .to_owned();
        for (name, value) in &mut headers {
            if name == "if-none-match" {
                *value = etag.clone();
            }
        }
    }
    let res = send(app, &capture.method, &url, &headers).await;
    let bytes = decoded(app, &capture.method, &url, &headers, &res).await?;
    if res.status != capture.status {
        return Err(format!(
            "status: expected {}, got {} ({})",
            capture.status,
            res.status,
            short(String::from_utf8_lossy(&bytes))
        ));
    }
    check_headers(capture, &res, site)?;
    let body = Json::parse(&bytes);
    check_body(capture, &bytes, body.as_ref(), backend)?;
    match body {
        Some(body) if matches!(capture.body, Json::Obj(_)) => rules(capture, &body, site),
        _ => Ok(()),
    }
}

// ---------------------------------------------------------------------------------------------
// Headers.

/// Every value of header `name`, joined as one.
fn header(res: &Response, name: &str) -> Option<String> {
    let values: Vec<&str> = res
        .headers
        .get_all(name)
        .filter_map(|v| v.to_str().ok())
        .collect();
    (!values.is_empty()).then(|| values.join(", "))
}

fn tokens(list: &str) -> Vec<String> {
    let mut tokens: Vec<String> = list
        .split(',')
        .map(|t| t.trim().to_ascii_lowercase())
        .filter(|t| !t.is_empty())
        .collect();
    tokens.sort();
    tokens
}

/// The path and query of `url`, absolute or not.
fn path_and_query(url: &str) -> &str {
    match url.find("://") {
        Some(scheme) => url[scheme + 3..]
            .find('/')
            .map_or("/", |path| &url[scheme + 3 + path..]),
        None => url,
    }
}

/// The address a `Link` header gives for `rel="latest-version"`.
fn latest_version(link: &str) -> Option<&str> {
    link.split(',')
        .find(|part| part.contains("rel=\"latest-version\""))
        .and_then(|part| Some(&part[part.find('<')? + 1..part.find('>')?]))
}

fn check_headers(capture: &Capture, res: &Response, site: &Site) -> Result<(), String> {
    let ghost = |name| capture.header(name);
    let folio = |name| header(res, name);
    let differ = |name: &str, expected: &str, got: Option<String>| {
        Err(format!(
            "{name}: expected `{expected}`, got {}",
            got.map_or("none".to_owned(), |v| format!("`{v}`"))
        ))
    };

    if let Some(expected) = ghost("content-type") {
        let essence = |v: &str| {
            v.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        };
        let got = folio("content-type");
        if got.as_deref().map(essence) != Some(essence(expected)) {
            return differ("content-type", expected, got);
        }
    }
    // Directives in any order: their order means nothing to a cache.
    if let Some(expected) = ghost("cache-control") {
        let got = folio("cache-control");
        if got.as_deref().map(tokens) != Some(tokens(expected)) {
            return differ("cache-control", expected, got);
        }
    }
    if let Some(expected) = ghost("vary") {
        let got = folio("vary");
        let has = |v: &str| tokens(v).iter().any(|t| t == "accept-version");
        if has(expected) && !got.as_deref().is_some_and(has) {
            return differ("vary (with Accept-Version)", expected, got);
        }
    }
    if let Some(expected) = ghost("access-control-allow-origin") {
        let got = folio("access-control-allow-origin");
        if got.as_deref() != Some(expected) {
            return differ("access-control-allow-origin", expected, got);
        }
    }
    // Validators are a contract of what is served (Ghost's errors carry Express's, by accident).
    if ghost("etag").is_some() && matches!(capture.status, 200 | 304) {
        let got = folio("etag");
        if !got.as_deref().is_some_and(|e| e.starts_with("W/\"")) {
            return differ("etag", "a weak validator, W/\"…\"", got);
        }
    }
    if ghost("content-version").is_some() && folio("content-version").is_none() {
        return differ(
            "content-version",
            capture.header("content-version").unwrap(),
            None,
        );
    }
    match (ghost("deprecation"), folio("deprecation")) {
        (Some(expected), got) if got.as_deref() != Some(expected) => {
            return differ("deprecation", expected, got);
        }
        (None, Some(got)) => return Err(format!("deprecation: expected none, got `{got}`")),
        _ => {}
    }
    // The unversioned address, whichever origin names it.
    if let Some(expected) = ghost("link") {
        let want = latest_version(expected).map(|url| site.fill(path_and_query(url)));
        let got = folio("link");
        let found = got.as_deref().and_then(latest_version).map(path_and_query);
        if found != want.as_deref() {
            return differ("link (rel=\"latest-version\")", &site.fill(expected), got);
        }
    }
    if let Some(expected) = ghost("location") {
        let got = folio("location");
        if got.as_deref().map(path_and_query) != Some(site.fill(expected).as_str()) {
            return differ("location", &site.fill(expected), got);
        }
    }
    for name in [
        "access-control-allow-methods",
        "access-control-allow-headers",
        "access-control-max-age",
    ] {
        if let Some(expected) = ghost(name) {
            let got = folio(name);
            if got.as_deref().map(tokens) != Some(tokens(expected)) {
                return differ(name, expected, got);
            }
        }
    }
    // Ghost compressed this one for being large: any coding both sides know will do.
    if ghost("content-encoding").is_some() {
        let got = folio("content-encoding");
        if !matches!(got.as_deref(), Some("br" | "gzip")) {
            return differ("content-encoding", "br or gzip", got);
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Bodies, by structure.

/// The resource an answer carries, and its items: `posts`, `tags`…, whatever is not `meta`.
fn resource(body: &Json) -> Option<(&str, &[Json])> {
    body.entries()
        .iter()
        .find(|(key, _)| key != "meta" && key != "errors")
        .map(|(key, value)| (key.as_str(), value.items()))
}

fn check_body(
    capture: &Capture,
    bytes: &[u8],
    body: Option<&Json>,
    backend: Backend,
) -> Result<(), String> {
    if !matches!(capture.body, Json::Obj(_)) {
        // In process, nothing strips a HEAD's body as the wire does: only its headers count.
        if capture.method == "HEAD" || bytes.is_empty() {
            return Ok(());
        }
        return Err(format!(
            "body: expected none, got {}",
            short(String::from_utf8_lossy(bytes))
        ));
    }
    let got = body.ok_or_else(|| {
        format!(
            "body: expected JSON, got {}",
            short(String::from_utf8_lossy(bytes))
        )
    })?;
    same_keys(&capture.body, got, "body")?;
    if let Some(errors) = capture.body.get("errors") {
        return check_error(errors, got.get("errors").unwrap(), backend);
    }
    // The envelope first, then what it carries.
    if let Some(meta) = capture.body.get("meta") {
        same_shape(meta, got.get("meta").unwrap(), "meta")?;
    }
    for (key, expected) in capture.body.entries() {
        let found = got.get(key).unwrap();
        match expected {
            _ if key == "meta" => {}
            Json::Arr(items) => same_items(items, found, key)?,
            _ => same_shape(expected, found, key)?,
        }
    }
    Ok(())
}

/// A resource's list: each item has the keys, in order, and the types of one of Ghost's.
fn same_items(ghost: &[Json], got: &Json, path: &str) -> Result<(), String> {
    let Json::Arr(items) = got else {
        return Err(format!("{path}: expected an array, got {}", short(got)));
    };
    let expected: Vec<&Json> = ghost.iter().filter(|i| !i.is_elision()).collect();
    match (expected.is_empty(), items.is_empty()) {
        (true, true) => Ok(()),
        (true, false) => Err(format!(
            "{path}: expected no items, got {}: {}",
            items.len(),
            short(got)
        )),
        (false, true) => Err(format!(
            "{path}: expected items like {}, got none, so nothing was compared",
            short(expected[0])
        )),
        (false, false) => items
            .iter()
            .enumerate()
            .try_for_each(|(i, item)| like_one_of(&expected, item, &format!("{path}[{i}]"))),
    }
}

/// `got` has the shape of one of `candidates`; when none, the difference from the closest.
fn like_one_of(candidates: &[&Json], got: &Json, path: &str) -> Result<(), String> {
    let mut closest: Option<(usize, String)> = None;
    for candidate in candidates {
        let keys = candidate.keys();
        match same_shape(candidate, got, path) {
            Ok(()) => return Ok(()),
            Err(difference) => {
                let common = keys
                    .iter()
                    .zip(got.keys())
                    .take_while(|(a, b)| *a == b)
                    .count();
                if closest.as_ref().is_none_or(|(best, _)| common > *best) {
                    closest = Some((common, difference));
                }
            }
        }
    }
    Err(closest.map(|(_, d)| d).unwrap_or_default())
}

fn same_keys(expected: &Json, got: &Json, path: &str) -> Result<(), String> {
    let (want, have) = (expected.keys(), got.keys());
    if want == have {
        return Ok(());
    }
    let missing: Vec<&str> = want.iter().filter(|k| !have.contains(k)).copied().collect();
    let extra: Vec<&str> = have.iter().filter(|k| !want.contains(k)).copied().collect();
    let what = if missing.is_empty() && extra.is_empty() {
        let i = want.iter().zip(&have).take_while(|(a, b)| a == b).count();
        format!("`{}` where Ghost has `{}` (order)", have[i], want[i])
    } else {
        format!("missing {missing:?}, unexpected {extra:?}")
    };
    Err(format!(
        "{path}: keys differ: {what}; expected [{}], got [{}]",
        want.join(", "),
        have.join(", ")
    ))
}

static DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$").unwrap()
});

/// How a date is written: with how many fraction digits, and `Z` or an offset.
fn date_form(text: &str) -> Option<(usize, bool)> {
    let parts = DATE.captures(text)?;
    Some((parts.get(1).map_or(0, |m| m.len()), &parts[2] == "Z"))
}

/// Same JSON types, keys in the same order; `null` goes with any type (the data differ), and
/// no text is compared but the way dates and the site's addresses are written.
fn same_shape(expected: &Json, got: &Json, path: &str) -> Result<(), String> {
    match (expected, got) {
        (Json::Null, _) | (_, Json::Null) => Ok(()),
        (Json::Obj(entries), Json::Obj(_)) => {
            same_keys(expected, got, path)?;
            entries.iter().try_for_each(|(key, value)| {
                same_shape(value, got.get(key).unwrap(), &format!("{path}.{key}"))
            })
        }
        (Json::Arr(ghost), Json::Arr(items)) => {
            let candidates: Vec<&Json> = ghost.iter().filter(|i| !i.is_elision()).collect();
            if candidates.is_empty() {
                return Ok(());
            }
            items
                .iter()
                .enumerate()
                .try_for_each(|(i, item)| like_one_of(&candidates, item, &format!("{path}[{i}]")))
        }
        (Json::Str(want), Json::Str(have)) => {
            if let Some(form) = date_form(want)
                && date_form(have) != Some(form)
            {
                return Err(format!(
                    "{path}: expected a date written as Ghost's `{want}`, got `{have}`"
                ));
            }
            if want.starts_with(GHOST_SITE) && !have.starts_with(SITE) {
                return Err(format!(
                    "{path}: expected an address on the site ({SITE}…, as Ghost's `{want}`), \
                     got `{have}`"
                ));
            }
            Ok(())
        }
        _ if expected.kind() == got.kind() => Ok(()),
        _ => Err(format!(
            "{path}: expected {} ({}), got {} ({})",
            expected.kind(),
            short(expected),
            got.kind(),
            short(got)
        )),
    }
}

fn check_error(expected: &Json, got: &Json, backend: Backend) -> Result<(), String> {
    let (Some(want), [have]) = (expected.items().first(), got.items()) else {
        return Err(format!("errors: expected one error, got {}", short(got)));
    };
    same_keys(want, have, "errors[0]")?;
    for field in ["type", "message"] {
        if want.get(field) != have.get(field) {
            return Err(format!(
                "errors[0].{field}: expected {}, got {}",
                want.get(field).unwrap_or(&Json::Null),
                have.get(field).unwrap_or(&Json::Null)
            ));
        }
    }
    let is_code = |c: &&str| c.bytes().all(|b| b.is_ascii_uppercase() || b == b'_');
    if let Some(code) = want.get("code").and_then(Json::str).filter(is_code) {
        let found = have.get("code").and_then(Json::str);
        // An unknown column is the database's error, named by the database: SQLite's name
        // on SQLite, PostgreSQL's own on PostgreSQL.
        let fine = match (code, backend) {
            ("SQLITE_ERROR", Backend::Postgres) => found.is_some_and(|c| !c.is_empty()),
            _ => found == Some(code),
        };
        if !fine {
            return Err(format!(
                "errors[0].code: expected {code:?}, got {}",
                have.get("code").unwrap_or(&Json::Null)
            ));
        }
    }
    same_shape(want, have, "errors[0]")
}

// ---------------------------------------------------------------------------------------------
// What each capture is about, checked on the seeded data.

fn rules(capture: &Capture, body: &Json, site: &Site) -> Result<(), String> {
    if capture.body.get("errors").is_some() {
        return Ok(());
    }
    let name = capture.name.as_str();
    if !name.starts_with("search-index") {
        items_agree_with_the_seed(body, site)?;
    }
    pagination_adds_up(capture, body)?;
    if let Some((filter, order)) = post_listing(capture) {
        return listing(body, site, Kind::Post, filter, order);
    }
    let one = |slug: &str| read_of(body, slug);
    match name {
        "pages-browse" => listing(body, site, Kind::Page, |_| true, Order::Title),
        "pages-browse-include" => listing(body, site, Kind::Page, |p| p.featured, Order::Title),
        "posts-read-id" | "posts-read-id-include" => {
            has_id(one("post-1000")?, "id", site.role("post"))
        }
        "posts-read-slug" | "posts-read-slug-fields" => one("post-998").map(|_| ()),
        "posts-read-internal-tag-post" => one("post-997").map(|_| ()),
        "posts-read-members-only" => one("post-996").map(|_| ()),
        "posts-read-paid" => one("post-995").map(|_| ()),
        "posts-read-old-post-plaintext" => {
            let html = one("old-post")?
                .get("html")
                .and_then(Json::str)
                .unwrap_or("");
            for (made, sign) in [
                ("relative links absolute", format!("href=\"{SITE}/about/\"")),
                ("headings with ids", "<h2 id=\"heading\">".to_owned()),
            ] {
                if !html.contains(&sign) {
                    return Err(format!(
                        "html: expected {made} ({sign}), got {}",
                        short(html)
                    ));
                }
            }
            Ok(())
        }
        "posts-filter-id" => has_id(&one_item(body)?, "id", site.role("post")),
        "posts-filter-uuid" => has_id(&one_item(body)?, "uuid", site.role("uuid")),
        "pages-read-id" => has_id(one("contact")?, "id", site.role("page")),
        "pages-read-slug" => one("contact").map(|_| ()),
        "authors-read-id" => has_id(one("jane")?, "id", site.role("author")),
        "authors-read-slug" => one("bench").map(|_| ()),
        "tags-read-id" => has_id(one("tag-1")?, "id", site.role("tag")),
        "tags-read-slug" => one("tag-1").map(|_| ()),
        "tags-read-internal-slug" => one("hash-internal").map(|_| ()),
        "tags-read-page-only-slug" => one("page-only").map(|_| ()),
        "tags-browse" | "tags-browse-count-posts" | "tags-browse-limit-all-summary" => {
            tag_listing(body, site, |_| true, Order::Title)
        }
        "tags-browse-filter-visibility-public" => {
            tag_listing(body, site, |t| !t.internal(), Order::Title)
        }
        "tags-browse-filter-visibility-internal" => {
            tag_listing(body, site, SeedTag::internal, Order::Title)
        }
        "tags-browse-filter-visibility-all" => tag_listing(body, site, |_| false, Order::Title),
        "tags-browse-order-count" => tag_listing(body, site, |_| true, Order::Count),
        "authors-browse" | "authors-browse-count-posts" => {
            author_listing(body, site, |_| true, Order::Title)
        }
        "authors-browse-filter" => author_listing(body, site, |a| a.slug == "jane", Order::Title),
        "authors-browse-order-count" => author_listing(body, site, |_| true, Order::Count),
        "settings" => {
            let settings = body.get("settings").unwrap_or(&Json::Null);
            for (field, want) in [("url", format!("{SITE}/")), ("title", "Bench".to_owned())] {
                let got = settings.get(field).and_then(Json::str);
                if got != Some(want.as_str()) {
                    return Err(format!(
                        "settings.{field}: expected {want:?}, got {}",
                        settings.get(field).unwrap_or(&Json::Null)
                    ));
                }
            }
            Ok(())
        }
        "search-index-posts" => {
            let want = site.live(Kind::Post).map(|p| p.slug.clone()).collect();
            same_set("posts", slugs(body), want)?;
            body.get("posts").map_or(Ok(()), |posts| {
                posts.items().iter().try_for_each(|p| {
                    let slug = p.get("slug").and_then(Json::str).unwrap_or_default();
                    expect_str(p, "url", &format!("{SITE}/{slug}/"), "posts[]")
                })
            })
        }
        "search-index-authors" => {
            let want = site
                .shown_authors()
                .iter()
                .map(|a| a.slug.to_owned())
                .collect();
            same_set("authors", slugs(body), want)
        }
        "search-index-tags" => {
            // Ghost lists tags no post uses here, but never an internal one.
            let got = slugs(body);
            for slug in &got {
                if site.tag(slug).is_none_or(SeedTag::internal) {
                    return Err(format!("tags: expected public tags only, got `{slug}`"));
                }
            }
            match ["lonely", "draft-only"]
                .iter()
                .find(|s| !got.iter().any(|g| g == *s))
            {
                Some(unused) => Err(format!(
                    "tags: expected every public tag, used or not, but `{unused}` is missing"
                )),
                None => Ok(()),
            }
        }
        _ => Ok(()),
    }
}

fn one_item(body: &Json) -> Result<Json, String> {
    match resource(body) {
        Some((_, [item])) => Ok(item.clone()),
        _ => Err(format!("expected one item, got {}", short(body))),
    }
}

/// The one item a read answers, which must be the seeded `slug`.
fn read_of<'a>(body: &'a Json, slug: &str) -> Result<&'a Json, String> {
    let Some((res, [item])) = resource(body) else {
        return Err(format!("expected one item, got {}", short(body)));
    };
    expect_str(item, "slug", slug, &format!("{res}[0]"))?;
    Ok(item)
}

fn has_id(item: &Json, field: &str, want: &str) -> Result<(), String> {
    expect_str(item, field, want, "item")
}

fn expect_str(item: &Json, field: &str, want: &str, path: &str) -> Result<(), String> {
    match item.get(field) {
        Some(Json::Str(got)) if got == want => Ok(()),
        got => Err(format!(
            "{path}.{field}: expected {want:?}, got {}",
            got.unwrap_or(&Json::Null)
        )),
    }
}

fn slugs(body: &Json) -> Vec<String> {
    resource(body)
        .map(|(_, items)| items)
        .unwrap_or_default()
        .iter()
        .filter_map(|i| i.get("slug").and_then(Json::str).map(str::to_owned))
        .collect()
}

fn same_set(what: &str, mut got: Vec<String>, mut want: Vec<String>) -> Result<(), String> {
    got.sort();
    want.sort();
    if got == want {
        Ok(())
    } else {
        Err(format!("{what}: expected {want:?}, got {got:?}"))
    }
}

/// Page and limit are the request's, which both datasets answer alike (but for tiers, whose
/// limit is how many there are); the rest must add up for the total Folio gives.
fn pagination_adds_up(capture: &Capture, body: &Json) -> Result<(), String> {
    let Some(pagination) = body.at(&["meta", "pagination"]) else {
        return Ok(());
    };
    let int = |field: &str| {
        pagination.get(field).and_then(Json::int).ok_or_else(|| {
            format!(
                "meta.pagination.{field}: expected an integer, got {}",
                pagination.get(field).unwrap_or(&Json::Null)
            )
        })
    };
    let (page, limit, pages, total) = (int("page")?, int("limit")?, int("pages")?, int("total")?);
    let ghost = capture.body.at(&["meta", "pagination"]).unwrap();
    let fixed: &[&str] = if capture.name.starts_with("tiers") {
        &["page"]
    } else {
        &["page", "limit"]
    };
    for field in fixed {
        if pagination.get(field) != ghost.get(field) {
            return Err(format!(
                "meta.pagination.{field}: expected {}, got {}",
                ghost.get(field).unwrap_or(&Json::Null),
                pagination.get(field).unwrap_or(&Json::Null)
            ));
        }
    }
    if limit <= 0 {
        return Err(format!("meta.pagination.limit: got {limit}"));
    }
    let counted = (total.max(0) as u64).div_ceil(limit as u64) as i64;
    // Ghost says at least one page, but for recommendations.
    let want_pages = if capture.name == "recommendations" {
        counted
    } else {
        counted.max(1)
    };
    let want_next = (page != pages && total > 0).then_some(page + 1);
    let want_prev = (page > 1).then_some(page - 1);
    let next = pagination.get("next").and_then(Json::int);
    let prev = pagination.get("prev").and_then(Json::int);
    let listed = resource(body).map_or(&[][..], |(_, items)| items);
    let want_items = (total - (page - 1) * limit).clamp(0, limit);
    // Only Ghost's long answers were cut short (with "…") by the capture.
    let items = if listed.iter().any(Json::is_elision) {
        want_items
    } else {
        listed.len() as i64
    };
    if (pages, next, prev, items) != (want_pages, want_next, want_prev, want_items) {
        return Err(format!(
            "meta.pagination: for page {page} of {limit} with a total of {total}, expected \
             pages {want_pages}, next {want_next:?}, prev {want_prev:?} and {want_items} items; \
             got pages {pages}, next {next:?}, prev {prev:?} and {items} items"
        ));
    }
    Ok(())
}

type PostFilter = fn(&SeedPost) -> bool;

#[derive(Debug, Clone, Copy, PartialEq)]
enum Order {
    /// `published_at desc`, the posts' default.
    Newest,
    Oldest,
    FeaturedThenOldest,
    Slug,
    /// As a `slug:[…]` filter lists them.
    Listed(&'static [&'static str]),
    /// `title asc` (pages) or `name asc` (tags, authors).
    Title,
    /// `count.posts desc`.
    Count,
    /// No ORDER BY at all: any order.
    Any,
}

/// What a browse of posts must list, as a filter over the seeded posts and an order.
fn post_listing(capture: &Capture) -> Option<(PostFilter, Order)> {
    let newest = Order::Newest;
    Some(match capture.name.as_str() {
        "posts-filter-tag" | "posts-filter-tags-slug-alias" | "posts-filter-tags-alias-plural" => {
            (|p| p.has_tag("tag-1"), newest)
        }
        "posts-filter-featured-true" => (|p| p.featured, newest),
        // Dates are parsed: midnight is not after `'2024-01-01'`, and `T03:00Z` is 3 o'clock.
        "posts-filter-published-after" => (|p| p.published_at > at(2024, 1, 1, 0), Order::Oldest),
        "posts-filter-published-range" => (
            |p| p.published_at >= at(2024, 1, 1, 0) && p.published_at < at(2024, 1, 1, 3),
            newest,
        ),
        "posts-filter-published-before" => (|p| p.published_at < at(2024, 1, 1, 0), newest),
        "posts-filter-relative-date" => {
            (|p| p.published_at > Utc::now() - Duration::days(30), newest)
        }
        "posts-filter-tag-in" => (|p| p.has_tag("tag-1") || p.has_tag("tag-2"), newest),
        "posts-filter-tag-not-in" => (
            |p| !p.has_tag("tag-1") && !p.has_tag("tag-2") && p.published_at < at(2024, 1, 1, 6),
            newest,
        ),
        "posts-filter-tag-all" => (|p| p.has_tag("tag-50") && p.has_tag("tag-47"), newest),
        "posts-filter-author" | "posts-filter-authors-slug-alias" => (|p| p.by("jane"), newest),
        "posts-filter-author-negated" => (|p| !p.by("bench"), newest),
        "posts-filter-primary-author" => (|p| p.authors.first() == Some(&"jane"), newest),
        "posts-filter-primary-tag" => (|p| p.tags.first() == Some(&"tag-50"), newest),
        "posts-filter-and" => (|p| p.featured && p.has_tag("tag-50"), newest),
        "posts-filter-or" => (|p| p.featured || p.by("jane"), newest),
        "posts-filter-group" => (
            |p| !p.featured && (p.has_tag("news") || p.by("jane")),
            newest,
        ),
        "posts-filter-slug-in" => (
            |p| ["post-1", "post-2", "old-post"].contains(&p.slug.as_str()),
            Order::Listed(&["post-1", "post-2", "old-post"]),
        ),
        "posts-filter-id" | "posts-filter-uuid" => (|p| p.slug == "post-1000", newest),
        "posts-filter-title-contains" => (|p| p.title.to_lowercase().contains("number 10"), newest),
        "posts-filter-title-startswith" => (|p| p.title.to_lowercase().starts_with("an "), newest),
        "posts-filter-ne-null" => (|p| p.custom_excerpt.is_some(), newest),
        "posts-filter-visibility" => (|p| p.visibility != "public", newest),
        "posts-filter-ends-with" => (|p| p.slug.ends_with("-999"), newest),
        "posts-filter-count-gt" => (|p| p.slug.as_str() > "post-998", Order::Slug),
        "posts-order-published-asc" => (|_| true, Order::Oldest),
        "posts-order-multi" => (|_| true, Order::FeaturedThenOldest),
        // An order with no valid term is no order at all.
        "posts-order-title-no-direction" | "posts-order-invalid-field" => (|_| true, Order::Any),
        // `status:draft` changes nothing: readers get published posts.
        "posts-filter-status-draft" => (|_| true, newest),
        name if name.starts_with("posts-filter-") && capture.status == 200 => {
            panic!("{name}: a filter with no rule here")
        }
        _ if capture.status == 200
            && path_and_query(&capture.url)
                .split('?')
                .next()
                .is_some_and(|path| path.ends_with("/content/posts/"))
            && capture.body.get("meta").is_some() =>
        {
            (|_| true, newest)
        }
        _ => return None,
    })
}

/// The seeded post an item shows, known by its slug, else by its title.
fn seeded<'a>(item: &Json, site: &'a Site) -> Option<&'a SeedPost> {
    if let Some(slug) = item.get("slug").and_then(Json::str) {
        return site.post(slug);
    }
    let title = item.get("title").and_then(Json::str)?;
    site.posts.iter().find(|p| p.title == title)
}

fn listing(
    body: &Json,
    site: &Site,
    kind: Kind,
    filter: PostFilter,
    order: Order,
) -> Result<(), String> {
    let mut want: Vec<&SeedPost> = site.live(kind).filter(|p| filter(p)).collect();
    match order {
        Order::Newest => want.sort_by_key(|p| Reverse(p.published_at)),
        Order::Oldest => want.sort_by_key(|p| p.published_at),
        Order::FeaturedThenOldest => want.sort_by_key(|p| (!p.featured, p.published_at)),
        Order::Slug => want.sort_by(|a, b| a.slug.cmp(&b.slug)),
        Order::Listed(slugs) => want.sort_by_key(|p| slugs.iter().position(|s| *s == p.slug)),
        Order::Title => want.sort_by(|a, b| a.title.cmp(&b.title)),
        Order::Count | Order::Any => {}
    }
    let want: Vec<String> = want.iter().map(|p| p.slug.clone()).collect();
    let got: Vec<String> = resource(body)
        .map(|(_, items)| items)
        .unwrap_or_default()
        .iter()
        .map(|item| seeded(item, site).map_or_else(|| short(item), |p| p.slug.clone()))
        .collect();
    ranked(body, &want, got, order == Order::Any)
}

/// `got` is the page of `want` (in its order, unless `any_order`) that the pagination names,
/// and `total` counts `want`.
fn ranked(body: &Json, want: &[String], got: Vec<String>, any_order: bool) -> Result<(), String> {
    let pagination = body.at(&["meta", "pagination"]).unwrap_or(&Json::Null);
    let field = |f| pagination.get(f).and_then(Json::int).unwrap_or(0);
    let (page, limit, total) = (field("page"), field("limit"), field("total"));
    if total != want.len() as i64 {
        return Err(format!(
            "meta.pagination.total: expected {} (the seeded {want:?}), got {total}",
            want.len()
        ));
    }
    let start = ((page - 1) * limit).clamp(0, total) as usize;
    let end = (start + limit.max(0) as usize).min(want.len());
    if any_order {
        let stray: Vec<&String> = got.iter().filter(|s| !want.contains(s)).collect();
        return if stray.is_empty() && got.len() == end - start {
            Ok(())
        } else {
            Err(format!("expected {} of {want:?}, got {got:?}", end - start))
        };
    }
    if got != want[start..end] {
        return Err(format!(
            "expected {:?} (page {page} of {limit}), got {got:?}",
            &want[start..end]
        ));
    }
    Ok(())
}

fn tag_listing(
    body: &Json,
    site: &Site,
    filter: fn(&SeedTag) -> bool,
    order: Order,
) -> Result<(), String> {
    let entries = site
        .shown_tags()
        .into_iter()
        .filter(|t| filter(t))
        .map(|t| (t.slug, t.name, site.tag_count(t.slug)))
        .collect();
    named_listing(body, entries, order)
}

fn author_listing(
    body: &Json,
    site: &Site,
    filter: fn(&SeedAuthor) -> bool,
    order: Order,
) -> Result<(), String> {
    let entries = site
        .shown_authors()
        .into_iter()
        .filter(|a| filter(a))
        .map(|a| (a.slug, a.name, site.author_count(a.slug)))
        .collect();
    named_listing(body, entries, order)
}

/// Tags or authors, as (slug, name, posts): by name, or by their posts, most first, in any
/// order where they have as many.
fn named_listing(
    body: &Json,
    mut entries: Vec<(&str, &str, i64)>,
    order: Order,
) -> Result<(), String> {
    let got = slugs(body);
    if order == Order::Count {
        entries.sort_by_key(|(_, _, count)| -count);
        let count_of = |slug: &str| entries.iter().find(|e| e.0 == slug).map(|e| e.2);
        let want: Vec<Option<i64>> = entries.iter().take(got.len()).map(|e| Some(e.2)).collect();
        let have: Vec<Option<i64>> = got.iter().map(|s| count_of(s)).collect();
        if have != want {
            return Err(format!(
                "expected the most used first, posts {want:?}, got {got:?} with posts {have:?}"
            ));
        }
        let all: Vec<String> = entries.iter().map(|e| e.0.to_owned()).collect();
        return ranked(body, &all, got, true);
    }
    entries.sort_by(|a, b| a.1.cmp(b.1));
    let want: Vec<String> = entries.iter().map(|e| e.0.to_owned()).collect();
    ranked(body, &want, got, false)
}

/// Each post, page, tag and author shown is a seeded one, as it was seeded.
fn items_agree_with_the_seed(body: &Json, site: &Site) -> Result<(), String> {
    let Some((res, items)) = resource(body) else {
        return Ok(());
    };
    items.iter().enumerate().try_for_each(|(i, item)| {
        let path = format!("{res}[{i}]");
        match res {
            "posts" => agrees_post(item, site, Kind::Post, &path),
            "pages" => agrees_post(item, site, Kind::Page, &path),
            "tags" => agrees_tag(item, site, &path),
            "authors" => agrees_author(item, site, &path),
            _ => Ok(()),
        }
    })
}

fn agrees_post(item: &Json, site: &Site, kind: Kind, path: &str) -> Result<(), String> {
    if item.get("slug").is_none() && item.get("title").is_none() {
        return Ok(());
    }
    let Some(seed) = seeded(item, site) else {
        return Err(format!(
            "{path}: not a seeded post or page: {}",
            short(item)
        ));
    };
    if !seed.published || seed.kind != kind {
        return Err(format!(
            "{path}: `{}` is a {}, which readers do not get here",
            seed.slug,
            if !seed.published {
                "draft"
            } else if seed.kind == Kind::Page {
                "page"
            } else {
                "post"
            }
        ));
    }
    let field = |name| item.get(name).filter(|v| **v != Json::Null);
    let differ = |name: &str, want: String| {
        Err(format!(
            "{path}.{name}: expected {want} (as seeded for `{}`), got {}",
            seed.slug,
            item.get(name).unwrap_or(&Json::Null)
        ))
    };
    if let Some(title) = field("title")
        && title.str() != Some(&seed.title)
    {
        return differ("title", format!("{:?}", seed.title));
    }
    if let Some(featured) = item.get("featured")
        && *featured != Json::Bool(seed.featured)
    {
        return differ("featured", seed.featured.to_string());
    }
    if let Some(visibility) = item.get("visibility")
        && visibility.str() != Some(seed.visibility)
    {
        return differ("visibility", format!("{:?}", seed.visibility));
    }
    if let Some(excerpt) = item.get("custom_excerpt")
        && excerpt.str() != seed.custom_excerpt
    {
        return differ("custom_excerpt", format!("{:?}", seed.custom_excerpt));
    }
    if let Some(published_at) = item.get("published_at") {
        let parsed = published_at
            .str()
            .and_then(|s| DateTime::parse_from_rfc3339(s).ok());
        if parsed.map(|t| t.with_timezone(&Utc)) != Some(seed.published_at) {
            return differ("published_at", seed.published_at.to_rfc3339());
        }
    }
    if let Some(url) = item.get("url")
        && url.str() != Some(&format!("{SITE}/{}/", seed.slug))
    {
        return differ("url", format!("\"{SITE}/{}/\"", seed.slug));
    }
    let nested_slugs = |list: &Json| -> Vec<String> {
        list.items()
            .iter()
            .map(|i| i.get("slug").and_then(Json::str).unwrap_or("?").to_owned())
            .collect()
    };
    if let Some(tags) = item.get("tags") {
        if nested_slugs(tags) != seed.tags {
            return differ("tags", format!("{:?}", seed.tags));
        }
        for (i, tag) in tags.items().iter().enumerate() {
            agrees_tag(tag, site, &format!("{path}.tags[{i}]"))?;
        }
    }
    if let Some(primary) = item.get("primary_tag") {
        // The first tag, if readers may see it: an internal tag first leaves none.
        let want = seed
            .tags
            .first()
            .filter(|t| site.tag(t).is_some_and(|t| !t.internal()));
        if primary.get("slug").and_then(Json::str) != want.copied() {
            return differ("primary_tag", format!("{want:?}"));
        }
    }
    if let Some(authors) = item.get("authors") {
        if nested_slugs(authors) != seed.authors {
            return differ("authors", format!("{:?}", seed.authors));
        }
        for (i, author) in authors.items().iter().enumerate() {
            agrees_author(author, site, &format!("{path}.authors[{i}]"))?;
        }
    }
    if let Some(primary) = item.get("primary_author")
        && primary.get("slug").and_then(Json::str) != seed.authors.first().copied()
    {
        return differ("primary_author", format!("{:?}", seed.authors.first()));
    }
    let gated = seed.visibility != "public";
    for name in ["html", "plaintext", "excerpt"] {
        if gated && item.get(name).is_some_and(|v| v.str() != Some("")) {
            return differ(
                name,
                "\"\" (members and paid posts, read without a member)".into(),
            );
        }
    }
    if let Some(access) = item.get("access")
        && *access != Json::Bool(!gated)
    {
        return differ("access", (!gated).to_string());
    }
    if let Some(excerpt) = field("excerpt").and_then(Json::str)
        && !gated
    {
        match seed.custom_excerpt {
            Some(custom) if excerpt != custom => {
                return differ("excerpt", format!("the custom excerpt {custom:?}"));
            }
            None if excerpt.chars().count() > 500 => {
                return differ("excerpt", "at most 500 characters of the text".into());
            }
            _ => {}
        }
    }
    Ok(())
}

fn agrees_tag(item: &Json, site: &Site, path: &str) -> Result<(), String> {
    let Some(slug) = item.get("slug").and_then(Json::str) else {
        return Ok(());
    };
    let Some(tag) = site.tag(slug) else {
        return Err(format!("{path}: `{slug}` is not a seeded tag"));
    };
    if let Some(name) = item.get("name")
        && name.str() != Some(tag.name)
    {
        return Err(format!("{path}.name: expected {:?}, got {name}", tag.name));
    }
    let visibility = if tag.internal() { "internal" } else { "public" };
    if let Some(got) = item.get("visibility")
        && got.str() != Some(visibility)
    {
        return Err(format!(
            "{path}.visibility: expected {visibility:?}, got {got}"
        ));
    }
    let url = if tag.internal() {
        format!("{SITE}/404/")
    } else {
        format!("{SITE}/tag/{slug}/")
    };
    if let Some(got) = item.get("url")
        && got.str() != Some(&url)
    {
        return Err(format!("{path}.url: expected {url:?}, got {got}"));
    }
    counts(item, site.tag_count(slug), path)
}

fn agrees_author(item: &Json, site: &Site, path: &str) -> Result<(), String> {
    let Some(slug) = item.get("slug").and_then(Json::str) else {
        return Ok(());
    };
    let Some(author) = site.author(slug) else {
        return Err(format!("{path}: `{slug}` is not a seeded author"));
    };
    if let Some(name) = item.get("name")
        && name.str() != Some(author.name)
    {
        return Err(format!(
            "{path}.name: expected {:?}, got {name}",
            author.name
        ));
    }
    let url = format!("{SITE}/author/{slug}/");
    if let Some(got) = item.get("url")
        && got.str() != Some(&url)
    {
        return Err(format!("{path}.url: expected {url:?}, got {got}"));
    }
    counts(item, site.author_count(slug), path)
}

/// `count.posts`, when shown, counts published posts, not pages.
fn counts(item: &Json, want: i64, path: &str) -> Result<(), String> {
    match item.at(&["count", "posts"]) {
        None => Ok(()),
        Some(got) if got.int() == Some(want) => Ok(()),
        Some(got) => Err(format!(
            "{path}.count.posts: expected {want} (published posts, pages not counted), got {got}"
        )),
    }
}

/// A content key in Ghost's format, made by the owner: (its id, its secret).
async fn ghost_key<S: Served<B>, B: MessageBody>(app: &TestApp<S>) -> (String, String) {
    let (id, secret) = app
        .key(json!({"name": "frontend", "kind": "content", "format": "ghost"}))
        .await;
    assert_eq!(secret.len(), 26, "{secret}");
    (id, secret)
}

async fn browse<S: Served<B>, B: MessageBody>(
    app: &TestApp<S>,
    key: &str,
    query: &[(&str, &str)],
) -> Response {
    let mut url = format!("{GHOST_API}/posts/?key={key}");
    for (name, value) in query {
        url.push_str(&format!("&{name}={}", urlencoding(value)));
    }
    app.get(&url, None).await
}

fn urlencoding(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

/// Filters an outsider would try: nesting, length, many tests, quotes that try to end the
/// SQL, NUL bytes, numbers past any integer, dates past the calendar, values of the wrong
/// type. Each gets a 200 or Ghost's 400, never a failure, and the posts stay as they were.
async fn hostile_filters_get_an_answer_and_change_nothing(backend: Backend) {
    let app = spawn(backend).await;
    app.post_as(None, json!({"title": "Kept", "status": "published"}))
        .await;
    let (_, key) = ghost_key(&app).await;
    let deep = format!("{}slug:kept{}", "(".repeat(33), ")".repeat(33));
    let nested_ok = format!("{}slug:kept{}", "(".repeat(32), ")".repeat(32));
    let many = vec!["featured:true"; 101].join("+");
    let wide = format!(
        "slug:[{}]",
        (0..800)
            .map(|i| format!("s{i}"))
            .collect::<Vec<_>>()
            .join(",")
    );
    let long = format!("title:~'{}'", "x".repeat(5000));
    let hostile = [
        deep.as_str(),
        many.as_str(),
        long.as_str(),
        "slug:'x\\' OR 1=1 --'",
        "slug:'kept'') OR (1=1'",
        "title:~'%'",
        "title:~'_'",
        "title:~'\\'",
        "slug:'\u{0}'",
        "featured:99999999999999999999999",
        "published_at:>'9999-99-99'",
        "published_at:>now-9999999999y",
        "published_at:~'2024'",
        "featured:'maybe'",
        "featured:[true,false,null]",
        "tag:[kept+other]",
        "tags.id:-null",
        "primary_tag:null,primary_author:null",
        "id:>0+id:<z",
        "nosuchfield:1",
        "posts.markdown:~'x'",
        "slug:\"kept\"",
        "(slug:kept",
        "slug:kept)",
        ",",
        "+",
        "slug:",
        ":kept",
        "slug:[",
    ];
    for filter in hostile
        .iter()
        .copied()
        .chain([nested_ok.as_str(), wide.as_str()])
    {
        let res = browse(&app, &key, &[("filter", filter)]).await;
        assert!(
            matches!(res.status, 200 | 400),
            "{filter:.80}: {} {}",
            res.status,
            res.body
        );
        let errors = &res.body["errors"];
        if res.status == 400 {
            assert_eq!(errors[0]["type"], "BadRequestError", "{filter:.80}");
            let context = errors[0]["context"].as_str().unwrap_or_default();
            assert!(!context.is_empty(), "{filter:.80}: a 400 says why");
            for leak in ["SELECT", "sqlite", "postgres", "panicked"] {
                assert!(!context.contains(leak), "{filter:.80}: {context}");
            }
        } else {
            assert!(res.body["posts"].is_array(), "{filter:.80}");
        }
    }
    // The injection attempts matched nothing and broke nothing.
    let all = browse(&app, &key, &[("fields", "slug")]).await.expect(200);
    assert_eq!(all.body["posts"], json!([{"slug": "kept"}]));
    let injected = browse(&app, &key, &[("filter", "slug:'x\\' OR 1=1 --'")]).await;
    assert_eq!(injected.body["posts"], json!([]));
    // The deepest nesting allowed is a filter like any other.
    let nested = browse(
        &app,
        &key,
        &[("filter", nested_ok.as_str()), ("fields", "slug")],
    )
    .await;
    assert_eq!(nested.expect(200).body["posts"], json!([{"slug": "kept"}]));
}

/// Drafts, scheduled posts and pages are not posts a Ghost reader sees, however the filter
/// asks: `status` is always `published` there, as in Ghost.
async fn nothing_unpublished_reaches_a_ghost_reader(backend: Backend) {
    let app = spawn(backend).await;
    app.post_as(None, json!({"title": "Live", "status": "published"}))
        .await;
    app.post_as(None, json!({"title": "Draft"})).await;
    let soon = (Utc::now() + Duration::days(2)).to_rfc3339();
    app.post_as(
        None,
        json!({"title": "Soon", "status": "scheduled", "published_at": soon}),
    )
    .await;
    let (_, key) = ghost_key(&app).await;
    for filter in [
        "status:draft",
        "status:scheduled",
        "status:-published",
        "published_at:>now-1d",
        "published_at:null",
        "slug:[draft,soon]",
        "slug:draft,slug:soon,status:draft",
    ] {
        let res = browse(&app, &key, &[("filter", filter), ("fields", "slug")]).await;
        let body = res.expect(200).body;
        let slugs: Vec<&str> = body["posts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["slug"].as_str().unwrap())
            .collect();
        assert!(slugs.iter().all(|s| *s == "live"), "{filter}: {slugs:?}");
    }
    for slug in ["draft", "soon"] {
        let path = format!("{GHOST_API}/posts/slug/{slug}/?key={key}");
        let res = app.get(&path, None).await;
        assert_eq!(res.status, 404, "{slug}");
        assert_eq!(res.body["errors"][0]["type"], "NotFoundError");
    }
}

/// The plain text, no longer stored, is made from the Markdown wherever `formats` or `fields`
/// asks for it, and the HTML is sent only where asked; the excerpt and reading time come from
/// what was counted when the post was written.
async fn bodies_come_as_fields_and_formats_ask(backend: Backend) {
    let app = spawn(backend).await;
    let markdown = format!(
        "# Hi\n\nSome *text* with ![x](/a.png) image. {}",
        "word ".repeat(600)
    );
    app.post_as(
        None,
        json!({"title": "Bodies", "status": "published", "markdown": markdown}),
    )
    .await;
    let (_, key) = ghost_key(&app).await;
    let plaintext = format!("Hi\nSome text with x image. {}", "word ".repeat(600));
    let plaintext = plaintext.trim_end();
    let post = first_post(&app, &key, &[("fields", "title,plaintext")]).await;
    let mut keys: Vec<_> = post.keys().collect();
    keys.sort();
    assert_eq!(keys, ["plaintext", "title"]);
    assert_eq!(post["plaintext"], plaintext);

    let post = first_post(&app, &key, &[("fields", "html")]).await;
    assert!(
        post["html"].as_str().unwrap().contains("<em>text</em>"),
        "{post:?}"
    );

    let post = first_post(&app, &key, &[("formats", "plaintext")]).await;
    assert_eq!(post["plaintext"], plaintext);
    assert!(!post.contains_key("html"), "{post:?}");
    // 606 words at 275 a minute and one image (12 s): 2.4 minutes.
    assert_eq!(post["reading_time"], 2);
    let excerpt: String = plaintext.chars().take(500).collect();
    assert_eq!(post["excerpt"], excerpt.trim());

    let post = first_post(&app, &key, &[]).await;
    assert!(!post.contains_key("plaintext"), "{post:?}");
    assert!(post["html"].as_str().unwrap().contains("<h1"), "{post:?}");
}

/// The first post of a browse with `query`, as an object.
async fn first_post<S: Served<B>, B: MessageBody>(
    app: &TestApp<S>,
    key: &str,
    query: &[(&str, &str)],
) -> serde_json::Map<String, Value> {
    let body = browse(app, key, query).await.expect(200).body;
    body["posts"][0].as_object().expect("a post").clone()
}

/// A revoked key is refused with Ghost's error once the second a good key is remembered
/// for has passed, and an integration key never reads.
async fn a_revoked_key_stops_reading_within_a_second(backend: Backend) {
    let app = spawn(backend).await;
    let (id, key) = ghost_key(&app).await;
    let path = format!("{GHOST_API}/posts/?key={key}");
    app.get(&path, None).await.expect(200);
    app.delete(&format!("{KEYS}/{id}"), Some(&app.owner_token))
        .await
        .expect(204);
    actix_web::rt::time::sleep(std::time::Duration::from_millis(1100)).await;
    let refused = app.get(&path, None).await;
    assert_eq!(refused.status, 401);
    assert_eq!(refused.body["errors"][0]["code"], "UNKNOWN_CONTENT_API_KEY");
    let (_, integration) = app
        .key(json!({"name": "sync", "kind": "integration", "role": "editor"}))
        .await;
    let wrong_kind = app
        .get(&format!("{GHOST_API}/posts/?key={integration}"), None)
        .await;
    assert_eq!(wrong_kind.status, 401);
    assert_eq!(wrong_kind.body["errors"][0]["code"], "INVALID_API_KEY_TYPE");
    // Ghost's format is for content keys only: Ghost's Content API is read-only.
    let refused = app
        .post(
            KEYS,
            Some(&app.owner_token),
            json!({"name": "x", "kind": "integration", "role": "editor", "format": "ghost"}),
        )
        .await;
    assert_eq!(refused.status, 422);
}
