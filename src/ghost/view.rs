//! Ghost's representations, key for key and in Ghost's order: posts and pages (with Ghost's
//! excerpt, reading time, `access`, primary author and tag), authors, tags, the settings, the
//! browse envelope with its pagination, and Ghost's error body. `fields` narrows an item as
//! Ghost does: the columns asked for in the order asked, then the relations included, then
//! what is computed.

use chrono::NaiveDateTime;
use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::{Value, json};

use super::query::{Relation, Shape};
use super::service::{Counted, Post};
use super::storage::{Author, Indexed, Key};
use crate::content::TagVisibility;
use crate::content::anchors::ghost_html;
use crate::content::markdown::plaintext;
use crate::posts::model::{PostKind, Visibility};
use crate::site::settings::SiteSettings;
use crate::site::{Addressed, Site};
use crate::tags::model::TagRow;

/// A JSON object that keeps its keys in the order they were put in.
#[derive(Debug, Default)]
pub struct Object(Vec<(&'static str, Node)>);

#[derive(Debug)]
pub enum Node {
    Value(Value),
    Object(Object),
    List(Vec<Object>),
}

impl Object {
    fn put(&mut self, key: &'static str, node: Node) {
        self.0.push((key, node));
    }

    fn value(&mut self, key: &'static str, value: impl Into<Value>) {
        self.put(key, Node::Value(value.into()));
    }

    /// Moves the entry `key`, if there is one, to the end of `out`.
    fn move_to(&mut self, key: &str, out: &mut Object) {
        if let Some(at) = self.0.iter().position(|(k, _)| *k == key) {
            out.0.push(self.0.remove(at));
        }
    }

    /// Only the keys `fields` names, in that order, with `computed` keys (in their own
    /// order) after the rest; `first` leads, asked for or not (Ghost adds the key a read is
    /// made by).
    fn narrowed(
        mut self,
        fields: &[String],
        computed: &[&'static str],
        first: Option<&str>,
    ) -> Object {
        let mut out = Object::default();
        if let Some(key) = first {
            self.move_to(key, &mut out);
        }
        for field in fields {
            if !computed.contains(&field.as_str()) {
                self.move_to(field, &mut out);
            }
        }
        for key in computed {
            if fields.iter().any(|f| f == key) {
                self.move_to(key, &mut out);
            }
        }
        out
    }

    /// `key` moved to the front.
    fn leading(mut self, key: &str) -> Object {
        if let Some(at) = self.0.iter().position(|(k, _)| *k == key) {
            let entry = self.0.remove(at);
            self.0.insert(0, entry);
        }
        self
    }
}

impl Serialize for Object {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (key, node) in &self.0 {
            map.serialize_entry(key, node)?;
        }
        map.end()
    }
}

impl Serialize for Node {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Node::Value(value) => value.serialize(serializer),
            Node::Object(object) => object.serialize(serializer),
            Node::List(list) => list.serialize(serializer),
        }
    }
}

/// How a read names its item, which then leads the answer (as in Ghost).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadBy {
    Browse,
    Id,
    Slug,
}

impl From<&Key> for ReadBy {
    fn from(key: &Key) -> ReadBy {
        match key {
            Key::Id(_) => ReadBy::Id,
            Key::Slug(_) => ReadBy::Slug,
        }
    }
}

impl ReadBy {
    fn first(self) -> Option<&'static str> {
        match self {
            ReadBy::Browse => None,
            ReadBy::Id => Some("id"),
            ReadBy::Slug => Some("slug"),
        }
    }
}

/// An optional string, an empty one as `null` (Ghost's rule for SEO fields, fine for all).
fn text(value: &Option<String>) -> Value {
    match value.as_deref() {
        None | Some("") => Value::Null,
        Some(text) => Value::from(text),
    }
}

/// Ghost's dates: to the second (as Ghost keeps them), with milliseconds written, in the
/// site time zone's offset.
fn date(site: &Site, t: NaiveDateTime) -> Value {
    Value::from(
        t.and_utc()
            .with_timezone(&site.timezone())
            .format("%Y-%m-%dT%H:%M:%S.000%:z")
            .to_string(),
    )
}

/// Ghost's excerpt: the custom one, else the start of the plain text (the post's row keeps
/// as many characters as Ghost takes).
fn excerpt(custom: &Option<String>, text_start: &str) -> String {
    match custom.as_deref() {
        Some(custom) if !custom.is_empty() => custom.to_owned(),
        _ => text_start.trim().to_owned(),
    }
}

/// Ghost's reading time in minutes: words at 275 a minute, plus 12 seconds for the first
/// image, 11 for the next and so on down to 3 (a feature image counts as one).
pub fn reading_time(words: i32, images: i32, feature_image: bool) -> i64 {
    let images = usize::try_from(images).unwrap_or(0) + usize::from(feature_image);
    let image_seconds: usize = (0..images).map(|i| 12usize.saturating_sub(i).max(3)).sum();
    ((f64::from(words) / (275.0 / 60.0) + image_seconds as f64) / 60.0).round() as i64
}

/// Keys Ghost computes rather than reads from a column: after the columns when `fields`
/// narrows a post.
const POST_COMPUTED: &[&str] = &[
    "primary_author",
    "primary_tag",
    "url",
    "excerpt",
    "reading_time",
    "access",
    "comments",
];

/// A post or page as Ghost shows it.
pub fn post(post: Post, kind: PostKind, shape: &Shape, site: &Site, by: ReadBy) -> Object {
    let Post {
        row,
        meta,
        authors,
        tags,
    } = post;
    // Readers are never members here: what is for members or paying ones keeps its body.
    let access = row.visibility == Visibility::Public;
    let narrowed = shape.fields.is_some();
    let html = if access && (shape.formats.html || narrowed) {
        ghost_html(&row.html, site.url().unwrap_or_default())
    } else {
        String::new()
    };
    let plaintext = if access && shape.sends_plaintext() {
        plaintext(&row.markdown)
    } else {
        String::new()
    };
    let mut o = Object::default();
    o.value("id", row.id.as_str());
    o.value("uuid", row.uuid.as_str());
    o.value("title", row.title.as_str());
    o.value("slug", row.slug.as_str());
    // Under `fields`, Ghost computes the reading time only where the html is asked for.
    let reading = match &shape.fields {
        Some(fields) => fields.iter().any(|f| f == "html") || shape.formats.html_given(),
        None => true,
    };
    if shape.formats.html || narrowed {
        o.value("html", html);
    }
    o.value("comment_id", row.id.as_str());
    if shape.formats.plaintext || narrowed {
        o.value("plaintext", plaintext);
    }
    o.value("feature_image", text(&row.feature_image));
    o.value("featured", row.featured);
    o.value("visibility", row.visibility.as_str());
    o.value("created_at", date(site, row.created_at));
    o.value("updated_at", date(site, row.updated_at));
    o.value(
        "published_at",
        row.published_at.map_or(Value::Null, |t| date(site, t)),
    );
    o.value("custom_excerpt", text(&row.custom_excerpt));
    o.value("codeinjection_head", text(&row.codeinjection_head));
    o.value("codeinjection_foot", text(&row.codeinjection_foot));
    o.value("custom_template", text(&row.custom_template));
    o.value("canonical_url", text(&row.canonical_url));
    if kind == PostKind::Page {
        o.value("show_title_and_feature_image", true);
    }
    // Nested under `fields`, Ghost leaves their addresses out.
    let urls = !narrowed;
    // Ghost's primary tag is the first, unless that one is internal.
    let primary_tag = tags
        .first()
        .filter(|t| t.visibility == TagVisibility::Public);
    let mut relations = Vec::new();
    for relation in &shape.relations {
        match relation {
            Relation::Authors => relations.push((
                "authors",
                Node::List(
                    authors
                        .iter()
                        .map(|a| author(a, None, site, urls))
                        .collect(),
                ),
            )),
            Relation::Tags => relations.push((
                "tags",
                Node::List(tags.iter().map(|t| tag(t, None, site, urls)).collect()),
            )),
        }
    }
    if !narrowed {
        // Ghost's order, whatever the order of `include`.
        relations.sort_by_key(|(key, _)| *key != "authors");
    }
    for (key, node) in relations {
        o.put(key, node);
    }
    if shape.includes(Relation::Authors) {
        o.put(
            "primary_author",
            authors.first().map_or(Node::Value(Value::Null), |a| {
                Node::Object(author(a, None, site, urls))
            }),
        );
    }
    if shape.includes(Relation::Tags) {
        o.put(
            "primary_tag",
            primary_tag.map_or(Node::Value(Value::Null), |t| {
                Node::Object(tag(t, None, site, urls))
            }),
        );
    }
    let live_since = row.published_at;
    o.value(
        "url",
        site.post_url(Addressed {
            page: kind == PostKind::Page,
            slug: &row.slug,
            id: row.id.as_str(),
            uuid: &row.uuid,
            live_since,
        })
        .unwrap_or_default(),
    );
    o.value(
        "excerpt",
        if access {
            excerpt(&row.custom_excerpt, &row.text_start)
        } else {
            String::new()
        },
    );
    if reading {
        o.value(
            "reading_time",
            reading_time(row.word_count, row.image_count, row.feature_image.is_some()),
        );
    }
    o.value("access", access);
    // Folio has no comments: no frontend should offer them.
    o.value("comments", false);
    o.value("og_image", text(&meta.og_image));
    o.value("og_title", text(&meta.og_title));
    o.value("og_description", text(&meta.og_description));
    o.value("twitter_image", text(&meta.twitter_image));
    o.value("twitter_title", text(&meta.twitter_title));
    o.value("twitter_description", text(&meta.twitter_description));
    o.value("meta_title", text(&row.meta_title));
    o.value("meta_description", text(&row.meta_description));
    if kind == PostKind::Post {
        o.value("email_subject", Value::Null);
    }
    o.value("frontmatter", Value::Null);
    o.value("feature_image_alt", text(&meta.feature_image_alt));
    o.value("feature_image_caption", text(&meta.feature_image_caption));
    finish(o, shape, POST_COMPUTED, by)
}

fn finish(o: Object, shape: &Shape, computed: &[&'static str], by: ReadBy) -> Object {
    match &shape.fields {
        Some(fields) => {
            let mut fields = fields.clone();
            // In a browse, the relations included come after the columns, in the order
            // included; a read keeps only the fields named.
            let relations: &[Relation] = match by {
                ReadBy::Browse => &shape.relations,
                ReadBy::Id | ReadBy::Slug => &[],
            };
            for relation in relations {
                let key = match relation {
                    Relation::Authors => "authors",
                    Relation::Tags => "tags",
                };
                fields.retain(|f| f != key);
                fields.push(key.to_owned());
            }
            o.narrowed(&fields, computed, by.first())
        }
        None => match by.first() {
            Some(key) => o.leading(key),
            None => o,
        },
    }
}

const NAMED_COMPUTED: &[&str] = &["count", "url"];

/// An author as Ghost shows one; `count` when counted, `url` unless nested under `fields`.
pub fn author(a: &Author, count: Option<i64>, site: &Site, url: bool) -> Object {
    let mut o = Object::default();
    o.value("id", a.id.as_str());
    o.value("name", a.name.as_str());
    o.value("slug", a.slug.as_str());
    o.value("profile_image", text(&a.avatar_url));
    o.value("cover_image", text(&a.profile.cover_image));
    o.value("bio", text(&a.bio));
    o.value("website", text(&a.website));
    o.value("location", text(&a.location));
    o.value("facebook", text(&a.profile.facebook));
    o.value("twitter", text(&a.profile.twitter));
    o.value("threads", text(&a.profile.threads));
    o.value("bluesky", text(&a.profile.bluesky));
    o.value("mastodon", text(&a.profile.mastodon));
    o.value("tiktok", text(&a.profile.tiktok));
    o.value("youtube", text(&a.profile.youtube));
    o.value("instagram", text(&a.profile.instagram));
    o.value("linkedin", text(&a.profile.linkedin));
    o.value("meta_title", text(&a.profile.meta_title));
    o.value("meta_description", text(&a.profile.meta_description));
    if let Some(count) = count {
        o.put("count", count_of(count));
    }
    if url {
        o.value("url", site.author_url(&a.slug).unwrap_or_default());
    }
    o
}

/// A tag as Ghost shows one; an internal tag's page is Ghost's `/404/`.
pub fn tag(t: &TagRow, count: Option<i64>, site: &Site, url: bool) -> Object {
    let mut o = Object::default();
    o.value("id", t.id.as_str());
    o.value("name", t.name.as_str());
    o.value("slug", t.slug.as_str());
    o.value("description", text(&t.description));
    o.value("feature_image", text(&t.feature_image));
    o.value("visibility", t.visibility.as_str());
    o.value("og_image", text(&t.og_image));
    o.value("og_title", text(&t.og_title));
    o.value("og_description", text(&t.og_description));
    o.value("twitter_image", text(&t.twitter_image));
    o.value("twitter_title", text(&t.twitter_title));
    o.value("twitter_description", text(&t.twitter_description));
    o.value("meta_title", text(&t.meta_title));
    o.value("meta_description", text(&t.meta_description));
    o.value("codeinjection_head", text(&t.codeinjection_head));
    o.value("codeinjection_foot", text(&t.codeinjection_foot));
    o.value("canonical_url", text(&t.canonical_url));
    o.value("accent_color", text(&t.accent_color));
    if let Some(count) = count {
        o.put("count", count_of(count));
    }
    if url {
        let url = match t.visibility {
            TagVisibility::Internal => site.page_url("/404/"),
            TagVisibility::Public => site.tag_url(&t.slug, false),
        };
        o.value("url", url.unwrap_or_default());
    }
    o
}

fn count_of(posts: i64) -> Node {
    let mut count = Object::default();
    count.value("posts", posts);
    Node::Object(count)
}

/// A counted tag as a browse or read shows it.
pub fn counted_tag(t: Counted<TagRow>, shape: &Shape, site: &Site, by: ReadBy) -> Object {
    let o = tag(&t.item, t.posts, site, true);
    finish(o, shape, NAMED_COMPUTED, by)
}

/// A counted author as a browse or read shows one.
pub fn counted_author(a: Counted<Author>, shape: &Shape, site: &Site, by: ReadBy) -> Object {
    let o = author(&a.item, a.posts, site, true);
    finish(o, shape, NAMED_COMPUTED, by)
}

/// `{"<resource>": [items], "meta": {"pagination": …}}`: Ghost's browse, `meta` always there
/// (its client tells a browse from a read by it).
pub fn browse(
    resource: &'static str,
    items: Vec<Object>,
    page: i64,
    limit: i64,
    total: i64,
) -> Object {
    let pages = ((total + limit - 1) / limit).max(1);
    // Past the last page Ghost still counts on from the page asked for.
    let next = (page != pages).then_some(page + 1);
    let prev = (page > 1).then_some(page - 1);
    listed(
        resource,
        items,
        [page, limit, pages, total],
        next,
        prev,
        PAGINATION,
    )
}

/// The keys of `meta.pagination`, in the order a browse gives them: most of Ghost's
/// endpoints share one; tiers and recommendations each have their own.
const PAGINATION: [&str; 6] = ["page", "limit", "pages", "total", "next", "prev"];
const TIERS_PAGINATION: [&str; 6] = ["page", "pages", "limit", "total", "prev", "next"];
const RECOMMENDATIONS_PAGINATION: [&str; 6] = ["page", "limit", "total", "pages", "prev", "next"];

/// The envelope of a browse: items, then Ghost's `meta.pagination` in `order`.
fn listed(
    resource: &'static str,
    items: Vec<Object>,
    [page, limit, pages, total]: [i64; 4],
    next: Option<i64>,
    prev: Option<i64>,
    order: [&'static str; 6],
) -> Object {
    let mut pagination = Object::default();
    for key in order {
        match key {
            "page" => pagination.value(key, page),
            "limit" => pagination.value(key, limit),
            "pages" => pagination.value(key, pages),
            "total" => pagination.value(key, total),
            "next" => pagination.value(key, next),
            _ => pagination.value(key, prev),
        }
    }
    let mut meta = Object::default();
    meta.put("pagination", Node::Object(pagination));
    let mut envelope = Object::default();
    envelope.put(resource, Node::List(items));
    envelope.put("meta", Node::Object(meta));
    envelope
}

/// `{"<resource>": [item]}`: Ghost's read, never with `meta`.
pub fn read(resource: &'static str, item: Object) -> Object {
    let mut envelope = Object::default();
    envelope.put(resource, Node::List(vec![item]));
    envelope
}

/// `{"posts": [{id, slug, title, excerpt, url, updated_at, visibility}]}`: the index Ghost's
/// search widget loads.
pub fn search_posts(entries: Vec<Indexed>, site: &Site) -> Object {
    let items = entries
        .into_iter()
        .map(|e| {
            let access = e.visibility == Visibility::Public;
            let mut o = Object::default();
            o.value("id", e.id.as_str());
            o.value("slug", e.slug.as_str());
            o.value("title", e.title.as_str());
            o.value(
                "excerpt",
                if access {
                    excerpt(&e.custom_excerpt, &e.opening)
                } else {
                    String::new()
                },
            );
            o.value(
                "url",
                site.post_url(Addressed {
                    page: false,
                    slug: &e.slug,
                    id: e.id.as_str(),
                    uuid: &e.uuid,
                    live_since: e.published_at,
                })
                .unwrap_or_default(),
            );
            o.value("updated_at", date(site, e.updated_at));
            o.value("visibility", e.visibility.as_str());
            o
        })
        .collect();
    let mut envelope = Object::default();
    envelope.put("posts", Node::List(items));
    envelope
}

/// `{"authors": [{id, slug, name, url, profile_image}]}`.
pub fn search_authors(authors: Vec<Author>, site: &Site) -> Object {
    let items = authors
        .into_iter()
        .map(|a| {
            let mut o = Object::default();
            o.value("id", a.id.as_str());
            o.value("slug", a.slug.as_str());
            o.value("name", a.name.as_str());
            o.value("url", site.author_url(&a.slug).unwrap_or_default());
            o.value("profile_image", text(&a.avatar_url));
            o
        })
        .collect();
    let mut envelope = Object::default();
    envelope.put("authors", Node::List(items));
    envelope
}

/// `{"tags": [{id, slug, name, url}]}`: public tags only.
pub fn search_tags(tags: Vec<TagRow>, site: &Site) -> Object {
    let items = tags
        .into_iter()
        .map(|t| {
            let mut o = Object::default();
            o.value("id", t.id.as_str());
            o.value("slug", t.slug.as_str());
            o.value("name", t.name.as_str());
            o.value("url", site.tag_url(&t.slug, false).unwrap_or_default());
            o
        })
        .collect();
    let mut envelope = Object::default();
    envelope.put("tags", Node::List(items));
    envelope
}

/// The settings as Ghost's frontends read them: Folio's own, and truthful answers for what
/// Folio has no part of yet (members, newsletters, comments, recommendations: all off).
pub fn settings(s: &SiteSettings, site: &Site) -> Object {
    let opt = text;
    let navigation = |items: &[crate::site::settings::NavItem]| -> Value {
        items
            .iter()
            .map(|i| json!({ "label": i.label, "url": i.url }))
            .collect()
    };
    let mut o = Object::default();
    o.value("title", s.title.as_str());
    o.value("description", opt(&s.description));
    o.value("logo", opt(&s.logo));
    o.value("icon", opt(&s.icon));
    o.value("accent_color", opt(&s.accent_color));
    o.value("cover_image", opt(&s.cover_image));
    o.value("facebook", opt(&s.facebook));
    o.value("twitter", opt(&s.twitter));
    o.value("threads", opt(&s.threads));
    o.value("bluesky", opt(&s.bluesky));
    o.value("mastodon", opt(&s.mastodon));
    o.value("tiktok", opt(&s.tiktok));
    o.value("youtube", opt(&s.youtube));
    o.value("instagram", opt(&s.instagram));
    o.value("linkedin", opt(&s.linkedin));
    o.value("locale", s.locale.as_str());
    o.value("timezone", s.timezone.as_str());
    o.value("codeinjection_head", Value::Null);
    o.value("codeinjection_foot", Value::Null);
    o.value("navigation", navigation(&s.navigation));
    o.value("secondary_navigation", navigation(&s.secondary_navigation));
    o.value("meta_title", opt(&s.meta_title));
    o.value("meta_description", opt(&s.meta_description));
    o.value("og_image", opt(&s.og_image));
    o.value("og_title", opt(&s.og_title));
    o.value("og_description", opt(&s.og_description));
    o.value("twitter_image", opt(&s.twitter_image));
    o.value("twitter_title", opt(&s.twitter_title));
    o.value("twitter_description", opt(&s.twitter_description));
    o.value("members_support_address", Value::Null);
    o.value("members_enabled", false);
    o.value("donations_enabled", false);
    o.value("allow_self_signup", false);
    o.value("members_invite_only", false);
    o.value("members_signup_access", "none");
    o.value("paid_members_enabled", false);
    o.value("firstpromoter_account", Value::Null);
    o.value("portal_button_style", "icon-and-text");
    o.value("portal_button_signup_text", "Subscribe");
    o.value("portal_button_icon", Value::Null);
    o.value("portal_signup_terms_html", Value::Null);
    o.value("portal_signup_checkbox_required", false);
    o.value("portal_signup_gift_promotion", false);
    o.value("portal_account_gift_promotion", false);
    o.value("portal_plans", json!([]));
    o.value("portal_default_plan", "yearly");
    o.value("portal_name", false);
    o.value("portal_button", false);
    o.value("comments_enabled", "off");
    o.value("recommendations_enabled", false);
    o.value("outbound_link_tagging", false);
    o.value("default_email_address", Value::Null);
    o.value("support_email_address", Value::Null);
    o.value("editor_default_email_recipients", "disabled");
    // Ghost's feature flags that frontends read; Folio has none of these features.
    let mut labs = Object::default();
    for flag in ["automationAnalytics", "tagDetailsReact", "members"] {
        labs.value(flag, false);
    }
    o.put("labs", Node::Object(labs));
    o.value("transistor_portal_enabled", false);
    o.value("transistor_portal_heading", Value::Null);
    o.value("transistor_portal_description", Value::Null);
    o.value("transistor_portal_button_text", Value::Null);
    o.value("transistor_portal_url_template", Value::Null);
    o.value("site_uuid", Value::Null);
    o.value("lang", s.locale.as_str());
    o.value("url", format!("{}/", site.url().unwrap_or_default()));
    o.value("version", GHOST_VERSION);
    let mut envelope = Object::default();
    envelope.put("settings", Node::Object(o));
    envelope.put("meta", Node::Object(Object::default()));
    envelope
}

/// The Ghost version whose Content API this is.
pub const GHOST_VERSION: &str = "6.65";

/// An empty browse of what Folio has none of (tiers, newsletters, recommendations), in the
/// envelope each has in Ghost (an empty list of recommendations has no pages at all).
pub fn nothing(resource: &'static str, limit: i64) -> Object {
    let (pages, order) = match resource {
        "tiers" => (1, TIERS_PAGINATION),
        "recommendations" => (0, RECOMMENDATIONS_PAGINATION),
        _ => (1, PAGINATION),
    };
    listed(
        resource,
        Vec::new(),
        [1, limit, pages, 0],
        None,
        None,
        order,
    )
}

/// Ghost's error body: `{"errors": [{message, context, type, details, property, help,
/// code, id, ghostErrorCode}]}`.
pub fn error(kind: &str, message: &str, context: Option<&str>, code: Option<&str>) -> String {
    let mut error = Object::default();
    error.value("message", message);
    error.value("context", context);
    error.value("type", kind);
    error.value("details", Value::Null);
    error.value("property", Value::Null);
    error.value("help", Value::Null);
    error.value("code", code);
    error.value("id", uuid::Uuid::new_v4().to_string());
    error.value("ghostErrorCode", Value::Null);
    let mut body = Object::default();
    body.put("errors", Node::List(vec![error]));
    serde_json::to_string(&body).unwrap_or_default()
}

/// Ghost's name for the error of `status`.
pub fn error_type(status: u16) -> &'static str {
    match status {
        400 => "BadRequestError",
        401 => "UnauthorizedError",
        403 => "NoPermissionError",
        404 => "NotFoundError",
        413 => "RequestEntityTooLargeError",
        422 => "ValidationError",
        429 => "TooManyRequestsError",
        503 => "ServiceUnavailableError",
        _ => "InternalServerError",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reading_time_is_ghosts() {
        assert_eq!(reading_time(0, 0, false), 0);
        // 275 words a minute.
        assert_eq!(reading_time(550, 0, false), 2);
        // 12 + 11 + 10 seconds of images and 137 words (30 s): one minute.
        assert_eq!(reading_time(137, 2, true), 1);
    }

    #[test]
    fn excerpts_are_the_custom_one_or_the_start_of_the_text() {
        assert_eq!(excerpt(&Some("Mine".into()), "text"), "Mine");
        assert_eq!(excerpt(&Some(String::new()), " text "), "text");
        assert_eq!(excerpt(&None, " start "), "start");
    }

    #[test]
    fn objects_keep_their_order_and_narrow_as_ghost_does() {
        let mut o = Object::default();
        for key in ["id", "title", "slug", "url", "excerpt"] {
            o.value(key, key);
        }
        let fields = vec![
            "excerpt".to_owned(),
            "slug".to_owned(),
            "title".to_owned(),
            "nope".to_owned(),
        ];
        let narrowed = o.narrowed(&fields, &["url", "excerpt"], Some("id"));
        assert_eq!(
            serde_json::to_string(&narrowed).unwrap(),
            r#"{"id":"id","slug":"slug","title":"title","excerpt":"excerpt"}"#
        );
    }

    #[test]
    fn pagination_is_ghosts() {
        let meta = |page, total| {
            serde_json::to_value(browse("posts", vec![], page, 15, total)).unwrap()["meta"]["pagination"].clone()
        };
        assert_eq!(
            meta(1, 0),
            json!({"page":1,"limit":15,"pages":1,"total":0,"next":null,"prev":null})
        );
        assert_eq!(meta(2, 40)["next"], 3);
        assert_eq!(meta(3, 40)["next"], Value::Null);
        // Past the end, Ghost still counts on.
        assert_eq!(meta(9, 40)["next"], 10);
        assert_eq!(meta(9, 40)["prev"], 8);
    }
}
