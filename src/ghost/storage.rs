//! What Ghost's Content API reads: live posts and pages, and the authors and tags that have
//! one, filtered by NQL and ordered by Ghost's `order`, turned into SQL whose text comes from
//! the allow-lists below and whose values are all bound (see [`crate::db::fragment`]).

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, NaiveDateTime};
use diesel::dsl::exists;
use diesel::prelude::*;
use diesel::sql_types::Text;

use super::nql::{Expr, Op, Test, Value};
use super::query::{Browse, Order, Shape};
use crate::authors::model::Profile;
use crate::db::fragment::{Fragment, Predicate};
use crate::db::live::live;
use crate::db::page::Direction;
use crate::db::schema::{authors, posts, posts_authors, posts_meta, posts_tags, tags};
use crate::db::{DbConn, like_literal};
use crate::error::{ApiError, ApiResult};
use crate::ids::{AuthorId, PostId, TagId};
use crate::posts::model::{PostKind, PostMeta, PostRow};
use crate::posts::query::PostShape;
use crate::posts::storage::{ShapedColumns, columns_for};
use crate::tags::model::TagRow;

/// What a table's filters and orders may name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Table {
    /// Posts and pages alike.
    Posts,
    Tags,
    Authors,
}

/// How a field reads in SQL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Text(&'static str),
    Bool(&'static str),
    Time(&'static str),
    /// A column of a related record: `exists` is the subquery up to its `WHERE …`, which the
    /// condition on `column` completes.
    Related {
        exists: &'static str,
        column: &'static str,
    },
    /// Ghost drops filters on it without a word: a field readers may not filter by (the
    /// bodies, an author's email), or `status`, which is always `published` here.
    Ignored,
}

const TAGS_OF_POST: &str = "SELECT 1 FROM posts_tags l JOIN tags r ON r.id = l.tag_id \
     WHERE l.post_id = posts.id AND ";
/// Ghost's primary tag: the first, and only if it is public.
const PRIMARY_TAG: &str = "SELECT 1 FROM posts_tags l JOIN tags r ON r.id = l.tag_id \
     WHERE l.post_id = posts.id AND r.visibility = 'public' AND l.position = \
     (SELECT MIN(f.position) FROM posts_tags f WHERE f.post_id = posts.id) AND ";
const AUTHORS_OF_POST: &str = "SELECT 1 FROM posts_authors l JOIN authors r ON r.id = l.author_id \
     WHERE l.post_id = posts.id AND ";
const PRIMARY_AUTHOR: &str = "SELECT 1 FROM posts_authors l JOIN authors r ON r.id = l.author_id \
     WHERE l.post_id = posts.id AND l.position = \
     (SELECT MIN(f.position) FROM posts_authors f WHERE f.post_id = posts.id) AND ";

/// A field of `posts_meta`, which a post without image or social fields has no row in.
macro_rules! meta {
    ($column:literal) => {
        Field::Text(concat!(
            "(SELECT m.",
            $column,
            " FROM posts_meta m WHERE m.post_id = posts.id)"
        ))
    };
}

fn post_field(name: &str) -> Option<Field> {
    use Field::*;
    Some(match name {
        "id" => Text("posts.id"),
        "uuid" => Text("posts.uuid"),
        "title" => Text("posts.title"),
        "slug" => Text("posts.slug"),
        "custom_excerpt" => Text("posts.custom_excerpt"),
        "feature_image" => Text("posts.feature_image"),
        "visibility" => Text("posts.visibility"),
        "meta_title" => Text("posts.meta_title"),
        "meta_description" => Text("posts.meta_description"),
        "canonical_url" => Text("posts.canonical_url"),
        "codeinjection_head" => Text("posts.codeinjection_head"),
        "codeinjection_foot" => Text("posts.codeinjection_foot"),
        "custom_template" => Text("posts.custom_template"),
        "featured" => Bool("posts.featured"),
        "published_at" => Time("posts.published_at"),
        "created_at" => Time("posts.created_at"),
        "updated_at" => Time("posts.updated_at"),
        "og_image" => meta!("og_image"),
        "og_title" => meta!("og_title"),
        "og_description" => meta!("og_description"),
        "twitter_image" => meta!("twitter_image"),
        "twitter_title" => meta!("twitter_title"),
        "twitter_description" => meta!("twitter_description"),
        "feature_image_alt" => meta!("feature_image_alt"),
        "feature_image_caption" => meta!("feature_image_caption"),
        "tag" | "tags" | "tags.slug" => related(TAGS_OF_POST, "r.slug"),
        "tags.id" => related(TAGS_OF_POST, "r.id"),
        "tags.name" => related(TAGS_OF_POST, "r.name"),
        "tags.visibility" => related(TAGS_OF_POST, "r.visibility"),
        "primary_tag" | "primary_tag.slug" => related(PRIMARY_TAG, "r.slug"),
        "primary_tag.id" => related(PRIMARY_TAG, "r.id"),
        "author" | "authors" | "authors.slug" => related(AUTHORS_OF_POST, "r.slug"),
        "authors.id" => related(AUTHORS_OF_POST, "r.id"),
        "authors.name" => related(AUTHORS_OF_POST, "r.name"),
        "primary_author" | "primary_author.slug" => related(PRIMARY_AUTHOR, "r.slug"),
        "primary_author.id" => related(PRIMARY_AUTHOR, "r.id"),
        "status" | "type" | "html" | "plaintext" | "markdown" | "mobiledoc" | "lexical"
        | "authors.email" | "authors.password" | "email" | "password" => Ignored,
        _ => return None,
    })
}

fn related(exists: &'static str, column: &'static str) -> Field {
    Field::Related { exists, column }
}

fn tag_field(name: &str) -> Option<Field> {
    use Field::*;
    Some(match name {
        "id" => Text("tags.id"),
        "name" => Text("tags.name"),
        "slug" => Text("tags.slug"),
        "description" => Text("tags.description"),
        "feature_image" => Text("tags.feature_image"),
        "visibility" => Text("tags.visibility"),
        "accent_color" => Text("tags.accent_color"),
        "meta_title" => Text("tags.meta_title"),
        "meta_description" => Text("tags.meta_description"),
        "og_image" => Text("tags.og_image"),
        "og_title" => Text("tags.og_title"),
        "og_description" => Text("tags.og_description"),
        "twitter_image" => Text("tags.twitter_image"),
        "twitter_title" => Text("tags.twitter_title"),
        "twitter_description" => Text("tags.twitter_description"),
        "canonical_url" => Text("tags.canonical_url"),
        "codeinjection_head" => Text("tags.codeinjection_head"),
        "codeinjection_foot" => Text("tags.codeinjection_foot"),
        "created_at" => Time("tags.created_at"),
        "updated_at" => Time("tags.updated_at"),
        _ => return None,
    })
}

fn author_field(name: &str) -> Option<Field> {
    use Field::*;
    Some(match name {
        "id" => Text("authors.id"),
        "name" => Text("authors.name"),
        "slug" => Text("authors.slug"),
        "bio" => Text("authors.bio"),
        "website" => Text("authors.website"),
        "location" => Text("authors.location"),
        "profile_image" => Text("authors.avatar_url"),
        "cover_image" => Text("authors.cover_image"),
        "facebook" => Text("authors.facebook"),
        "twitter" => Text("authors.twitter"),
        "threads" => Text("authors.threads"),
        "bluesky" => Text("authors.bluesky"),
        "mastodon" => Text("authors.mastodon"),
        "tiktok" => Text("authors.tiktok"),
        "youtube" => Text("authors.youtube"),
        "instagram" => Text("authors.instagram"),
        "linkedin" => Text("authors.linkedin"),
        "meta_title" => Text("authors.meta_title"),
        "meta_description" => Text("authors.meta_description"),
        "created_at" => Time("authors.created_at"),
        "updated_at" => Time("authors.updated_at"),
        "email" | "password" | "status" | "role" => Ignored,
        _ => return None,
    })
}

impl Table {
    fn field(self, name: &str) -> Option<Field> {
        match self {
            Table::Posts => post_field(name),
            Table::Tags => tag_field(name),
            Table::Authors => author_field(name),
        }
    }

    fn slug(self) -> &'static str {
        match self {
            Table::Posts => "posts.slug",
            Table::Tags => "tags.slug",
            Table::Authors => "authors.slug",
        }
    }

    /// Live posts of this tag or author, for ordering by `count.posts` (posts only, not
    /// pages: Ghost's count); the time they are live at is bound after it.
    fn post_count(self) -> Option<&'static str> {
        match self {
            Table::Posts => None,
            Table::Tags => Some(
                "(SELECT COUNT(*) FROM posts_tags l JOIN posts p ON p.id = l.post_id \
                 WHERE l.tag_id = tags.id AND p.kind = 'post' \
                 AND p.status IN ('published', 'scheduled') AND p.published_at <= ",
            ),
            Table::Authors => Some(
                "(SELECT COUNT(*) FROM posts_authors l JOIN posts p ON p.id = l.post_id \
                 WHERE l.author_id = authors.id AND p.kind = 'post' \
                 AND p.status IN ('published', 'scheduled') AND p.published_at <= ",
            ),
        }
    }
}

/// The SQL condition `expr` sets on `table`'s rows at `now`; `None` when every test in it was
/// one Ghost drops. An unknown field, or a value its field cannot hold, is a `400`.
pub fn condition(table: Table, expr: &Expr, now: NaiveDateTime) -> ApiResult<Option<Predicate>> {
    match expr {
        Expr::Test(test) => test_condition(table, test, now),
        Expr::And(items) | Expr::Or(items) => {
            let mut parts = Vec::with_capacity(items.len());
            for item in items {
                if let Some(part) = condition(table, item, now)? {
                    parts.push(part);
                }
            }
            let separator = if matches!(expr, Expr::And(_)) {
                " AND "
            } else {
                " OR "
            };
            Ok(match parts.len() {
                0 => None,
                1 => parts.pop(),
                _ => Some(Fragment::new("(").join(parts, separator).sql(")")),
            })
        }
    }
}

fn test_condition(table: Table, test: &Test, now: NaiveDateTime) -> ApiResult<Option<Predicate>> {
    // PostgreSQL cannot even compare text holding NUL; no stored text holds one.
    if holds_nul(&test.op) {
        return Err(ApiError::BadRequest(format!(
            "Could not understand request: a value for `{}` holds a NUL character.",
            test.field
        )));
    }
    let field = table.field(&test.field).ok_or_else(|| {
        ApiError::BadRequest(format!(
            "Could not understand request: `{}` is no field a filter can name.",
            test.field
        ))
    })?;
    let (kind, column) = match field {
        Field::Ignored => return Ok(None),
        Field::Text(column) => (Kind::Text, column),
        Field::Bool(column) => (Kind::Bool, column),
        Field::Time(column) => (Kind::Time, column),
        Field::Related { exists, column } => {
            return related_condition(exists, column, test, now).map(Some);
        }
    };
    let positive = compare(kind, column, &test.field, &test.op, now)?;
    Ok(Some(if !test.negated {
        positive
    } else if let Op::Eq(value) = &test.op {
        // `-null` is "is not null", and `-x` a plain `<>` (which, as in Ghost, leaves out
        // rows where the field is null).
        match bound(kind, &test.field, value, now)? {
            Bound::Null => Fragment::new(column).sql(" IS NOT NULL"),
            value => value.push(Fragment::new(column).sql(" <> ")),
        }
    } else {
        Fragment::new("NOT (").append(positive).sql(")")
    }))
}

fn holds_nul(op: &Op) -> bool {
    let value = |v: &Value| matches!(v, Value::Text(t) if t.contains('\0'));
    match op {
        Op::Eq(v) | Op::Gt(v) | Op::Gte(v) | Op::Lt(v) | Op::Lte(v) => value(v),
        Op::Contains(t) | Op::StartsWith(t) | Op::EndsWith(t) => t.contains('\0'),
        Op::In(vs) | Op::All(vs) => vs.iter().any(value),
    }
}

/// A test of a related record: whether the post has a tag or author that passes it, or,
/// negated, has none (`author:-jane`: the posts jane did not write).
fn related_condition(
    exists: &'static str,
    column: &'static str,
    test: &Test,
    now: NaiveDateTime,
) -> ApiResult<Predicate> {
    let probe = |inner: Predicate| -> Predicate {
        Fragment::new("EXISTS (").sql(exists).append(inner).sql(")")
    };
    let positive = match &test.op {
        // `tag:null`: no tag at all.
        Op::Eq(Value::Null) => Fragment::new("NOT ").append(probe(Fragment::new("1 = 1"))),
        // Every one of them, each its own probe.
        Op::All(values) => {
            let mut probes = Vec::with_capacity(values.len());
            for value in values {
                let one = Op::Eq(value.clone());
                probes.push(probe(compare(Kind::Text, column, &test.field, &one, now)?));
            }
            Fragment::new("(").join(probes, " AND ").sql(")")
        }
        op => probe(compare(Kind::Text, column, &test.field, op, now)?),
    };
    Ok(if test.negated {
        Fragment::new("NOT (").append(positive).sql(")")
    } else {
        positive
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Text,
    Bool,
    Time,
}

/// A value as the field's column holds it.
enum Bound {
    Null,
    Text(String),
    Bool(bool),
    Time(NaiveDateTime),
}

impl Bound {
    fn push<ST>(self, fragment: Fragment<ST>) -> Fragment<ST> {
        match self {
            Bound::Null => fragment.sql("NULL"),
            Bound::Text(value) => fragment.text(value),
            Bound::Bool(value) => fragment.bool(value),
            Bound::Time(value) => fragment.time(value),
        }
    }
}

fn bound(kind: Kind, field: &str, value: &Value, now: NaiveDateTime) -> ApiResult<Bound> {
    let refused = |what: &str| {
        ApiError::BadRequest(format!(
            "Could not understand request: `{field}` takes {what}."
        ))
    };
    Ok(match (kind, value) {
        (_, Value::Null) => Bound::Null,
        (Kind::Text, Value::Text(text)) => Bound::Text(text.clone()),
        (Kind::Text, Value::Int(n)) => Bound::Text(n.to_string()),
        (Kind::Text, Value::Bool(b)) => Bound::Text(b.to_string()),
        (Kind::Bool, Value::Bool(b)) => Bound::Bool(*b),
        (Kind::Bool, Value::Int(n @ (0 | 1))) => Bound::Bool(*n == 1),
        (Kind::Bool, Value::Text(text)) => match text.as_str() {
            "true" | "1" => Bound::Bool(true),
            "false" | "0" => Bound::Bool(false),
            _ => return Err(refused("true or false")),
        },
        (Kind::Time, Value::Text(text)) => Bound::Time(
            parse_time(text)
                .ok_or_else(|| refused("a date like '2024-01-31' or '2024-01-31T12:00:00Z'"))?,
        ),
        (Kind::Time, Value::Relative(relative)) => Bound::Time(
            relative
                .from(now)
                .ok_or_else(|| refused("a relative date within the calendar"))?,
        ),
        (Kind::Time, _) => {
            return Err(refused(
                "a date like '2024-01-31', '2024-01-31T12:00:00Z' or now-30d",
            ));
        }
        (Kind::Text, Value::Relative(_)) => return Err(refused("text, not a relative date")),
        (Kind::Bool, _) => return Err(refused("true or false")),
    })
}

/// A date as a filter writes it, in UTC: a day (its midnight), a date and time, or RFC 3339
/// with an offset. Compared as a time, not as text (unlike Ghost on SQLite).
fn parse_time(text: &str) -> Option<NaiveDateTime> {
    let text = text.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Some(t.naive_utc());
    }
    for format in [
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M",
    ] {
        if let Ok(t) = NaiveDateTime::parse_from_str(text, format) {
            return Some(t);
        }
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
}

/// `column` passes `op` (not negated).
fn compare(
    kind: Kind,
    column: &'static str,
    field: &str,
    op: &Op,
    now: NaiveDateTime,
) -> ApiResult<Predicate> {
    let binary = |operator: &'static str, value: &Value| -> ApiResult<Predicate> {
        Ok(match bound(kind, field, value, now)? {
            Bound::Null if operator == " = " => Fragment::new(column).sql(" IS NULL"),
            value => value.push(Fragment::new(column).sql(operator)),
        })
    };
    let like = |pattern: String| -> ApiResult<Predicate> {
        if kind != Kind::Text {
            return Err(ApiError::BadRequest(format!(
                "Could not understand request: `{field}` cannot be matched as text."
            )));
        }
        Ok(Fragment::new("lower(")
            .sql(column)
            .sql(") LIKE ")
            .text(pattern)
            .sql(" ESCAPE '\\'"))
    };
    let literal = |text: &str| like_literal(&text.to_lowercase());
    match op {
        Op::Eq(value) => binary(" = ", value),
        Op::Gt(value) => binary(" > ", value),
        Op::Gte(value) => binary(" >= ", value),
        Op::Lt(value) => binary(" < ", value),
        Op::Lte(value) => binary(" <= ", value),
        Op::Contains(text) => like(format!("%{}%", literal(text))),
        Op::StartsWith(text) => like(format!("{}%", literal(text))),
        Op::EndsWith(text) => like(format!("%{}", literal(text))),
        Op::In(values) => {
            let mut listed = Vec::with_capacity(values.len());
            let mut null = false;
            for value in values {
                match bound(kind, field, value, now)? {
                    Bound::Null => null = true,
                    value => listed.push(value.push(Fragment::<Text>::default())),
                }
            }
            let mut parts: Vec<Predicate> = Vec::new();
            if !listed.is_empty() {
                parts.push(
                    Fragment::new(column)
                        .sql(" IN (")
                        .join(listed, ", ")
                        .sql(")"),
                );
            }
            if null {
                parts.push(Fragment::new(column).sql(" IS NULL"));
            }
            Ok(Fragment::new("(").join(parts, " OR ").sql(")"))
        }
        Op::All(values) => {
            let mut parts = Vec::with_capacity(values.len());
            for value in values {
                parts.push(binary(" = ", value)?);
            }
            Ok(Fragment::new("(").join(parts, " AND ").sql(")"))
        }
    }
}

/// An `ORDER BY` term.
pub type OrderTerm = Fragment<Text>;

/// The order a browse asks of `table`: Ghost's terms where the table has them (a field that
/// is not a plain column, or not there at all, is dropped), the default without `order`, and
/// with a filter naming slugs and no order, the order they are named in. `None`: no order at
/// all, Ghost's answer when `order` names nothing it can use.
pub fn order(
    table: Table,
    browse: &Browse,
    default: &[(&'static str, Direction)],
    now: NaiveDateTime,
) -> Vec<OrderTerm> {
    let direction = |d: Direction| match d {
        Direction::Asc => " ASC",
        Direction::Desc => " DESC",
    };
    match &browse.order {
        Order::Default => {
            if let Some(slugs) = browse.filter.as_ref().and_then(listed_slugs) {
                let mut case = Fragment::new("CASE ").sql(table.slug());
                for (i, slug) in slugs.iter().enumerate() {
                    case = case
                        .sql(" WHEN ")
                        .text(slug.clone())
                        .sql(" THEN ")
                        .int(i as i64);
                }
                return vec![case.sql(" END")];
            }
            default
                .iter()
                .map(|&(column, d)| Fragment::new(column).sql(direction(d)))
                .collect()
        }
        Order::Terms(terms) => terms
            .iter()
            .filter_map(|(name, d)| {
                if name == "count.posts" {
                    let count = table.post_count()?;
                    return Some(Fragment::new(count).time(now).sql(")").sql(direction(*d)));
                }
                match table.field(name)? {
                    Field::Text(column) | Field::Bool(column) | Field::Time(column) => {
                        Some(Fragment::new(column).sql(direction(*d)))
                    }
                    Field::Related { .. } | Field::Ignored => None,
                }
            })
            .collect(),
    }
}

/// The slugs of a filter that is exactly `slug:[a,b,c]`, in the order written.
fn listed_slugs(expr: &Expr) -> Option<Vec<String>> {
    match expr {
        Expr::Test(Test {
            field,
            negated: false,
            op: Op::In(values),
        }) if field == "slug" => values
            .iter()
            .map(|v| match v {
                Value::Text(s) => Some(s.clone()),
                Value::Int(n) => Some(n.to_string()),
                _ => None,
            })
            .collect(),
        _ => None,
    }
}

/// A page of rows and how many there are in all.
pub struct Found<T> {
    pub rows: Vec<T>,
    pub total: i64,
}

/// Where a read finds its one item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Key {
    Id(String),
    Slug(String),
}

type BoxedPosts<'a> = posts::BoxedQuery<'a, crate::db::MultiBackend>;

fn live_posts<'a>(
    kind: PostKind,
    filter: Option<&Predicate>,
    now: NaiveDateTime,
) -> BoxedPosts<'a> {
    let query = posts::table
        .filter(posts::kind.eq(kind))
        .filter(live(now))
        .into_boxed();
    match filter {
        Some(filter) => query.filter(filter.clone()),
        None => query,
    }
}

/// The columns of a post as Ghost sends one in `shape`: its HTML and its Markdown (for the
/// plain text) only when they are sent. The excerpt and reading time are made of what the
/// row counted of the text when it was written.
fn columns(shape: &Shape) -> ShapedColumns {
    columns_for(&PostShape {
        html: shape.sends_html(),
        markdown: false,
        plaintext: shape.sends_plaintext(),
        authors: false,
        tags: false,
    })
}

/// A page of the live posts of `kind` passing `filter`, in `order`, with the bodies `shape`
/// sends.
#[allow(clippy::too_many_arguments)]
pub fn posts(
    conn: &mut DbConn,
    kind: PostKind,
    filter: Option<&Predicate>,
    order: &[OrderTerm],
    limit: i64,
    offset: i64,
    shape: &Shape,
    now: NaiveDateTime,
) -> ApiResult<Found<PostRow>> {
    let total = live_posts(kind, filter, now).count().get_result(conn)?;
    let mut query = live_posts(kind, filter, now);
    for term in order {
        query = query.then_order_by(term.clone());
    }
    let rows = query
        .select(columns(shape))
        .limit(limit)
        .offset(offset)
        .load(conn)?;
    Ok(Found { rows, total })
}

/// The live post of `kind` that `key` names, with the bodies `shape` sends.
pub fn post(
    conn: &mut DbConn,
    kind: PostKind,
    key: Key,
    shape: &Shape,
    now: NaiveDateTime,
) -> ApiResult<Option<PostRow>> {
    let query = live_posts(kind, None, now);
    let query = match key {
        Key::Id(id) => query.filter(posts::id.eq(id)),
        Key::Slug(slug) => query.filter(posts::slug.eq(slug)),
    };
    Ok(query.select(columns(shape)).first(conn).optional()?)
}

/// An author as readers see one (no email, no login).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = authors)]
pub struct Author {
    pub id: AuthorId,
    pub slug: String,
    pub name: String,
    pub bio: Option<String>,
    pub avatar_url: Option<String>,
    pub website: Option<String>,
    pub location: Option<String>,
    #[diesel(embed)]
    pub profile: Profile,
}

/// The image and social fields of `ids` that set any.
pub fn metas(conn: &mut DbConn, ids: &[&PostId]) -> ApiResult<HashMap<PostId, PostMeta>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<(PostId, PostMeta)> = posts_meta::table
        .filter(posts_meta::post_id.eq_any(ids))
        .select((posts_meta::post_id, PostMeta::as_select()))
        .load(conn)?;
    Ok(rows.into_iter().collect())
}

/// The authors of each of `ids`, in byline order.
pub fn bylines(conn: &mut DbConn, ids: &[&PostId]) -> ApiResult<HashMap<PostId, Vec<Author>>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<(PostId, Author)> = posts_authors::table
        .inner_join(authors::table)
        .filter(posts_authors::post_id.eq_any(ids))
        .order((posts_authors::post_id, posts_authors::position))
        .select((posts_authors::post_id, Author::as_select()))
        .load(conn)?;
    Ok(grouped(rows))
}

/// The tags of each of `ids`, in order.
pub fn post_tags(conn: &mut DbConn, ids: &[&PostId]) -> ApiResult<HashMap<PostId, Vec<TagRow>>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<(PostId, TagRow)> = posts_tags::table
        .inner_join(tags::table)
        .filter(posts_tags::post_id.eq_any(ids))
        .order((posts_tags::post_id, posts_tags::position))
        .select((posts_tags::post_id, TagRow::as_select()))
        .load(conn)?;
    Ok(grouped(rows))
}

fn grouped<T>(rows: Vec<(PostId, T)>) -> HashMap<PostId, Vec<T>> {
    let mut by_post: HashMap<PostId, Vec<T>> = HashMap::new();
    for (post, row) in rows {
        by_post.entry(post).or_default().push(row);
    }
    by_post
}

/// Tags and authors readers see: those on a live post or page (Ghost's rule; its counts
/// then hold posts only).
macro_rules! named_reads {
    ($list:ident, $one:ident, $table:ident, $links:ident, $link:ident, $row:ty) => {
        fn $list<'a>(
            filter: Option<&Predicate>,
            now: NaiveDateTime,
        ) -> $table::BoxedQuery<'a, crate::db::MultiBackend> {
            let query = $table::table
                .filter(exists(
                    $links::table
                        .inner_join(posts::table)
                        .filter($links::$link.eq($table::id))
                        .filter(live(now)),
                ))
                .into_boxed();
            match filter {
                Some(filter) => query.filter(filter.clone()),
                None => query,
            }
        }

        /// A page of them passing `filter`, in `order`.
        pub fn $table(
            conn: &mut DbConn,
            filter: Option<&Predicate>,
            order: &[OrderTerm],
            limit: i64,
            offset: i64,
            now: NaiveDateTime,
        ) -> ApiResult<Found<$row>> {
            let total = $list(filter, now).count().get_result(conn)?;
            let mut query = $list(filter, now);
            for term in order {
                query = query.then_order_by(term.clone());
            }
            let rows = query
                .select(<$row>::as_select())
                .limit(limit)
                .offset(offset)
                .load(conn)?;
            Ok(Found { rows, total })
        }

        /// The one `key` names, if readers see it.
        pub fn $one(conn: &mut DbConn, key: Key, now: NaiveDateTime) -> ApiResult<Option<$row>> {
            let query = $list(None, now);
            let query = match key {
                Key::Id(id) => query.filter($table::id.eq(id)),
                Key::Slug(slug) => query.filter($table::slug.eq(slug)),
            };
            Ok(query.select(<$row>::as_select()).first(conn).optional()?)
        }
    };
}

named_reads!(visible_tags, tag, tags, posts_tags, tag_id, TagRow);
named_reads!(
    visible_authors,
    author,
    authors,
    posts_authors,
    author_id,
    Author
);

/// What Ghost's search index holds of a post.
#[derive(Debug, Queryable)]
pub struct Indexed {
    pub id: PostId,
    pub uuid: String,
    pub slug: String,
    pub title: String,
    pub custom_excerpt: Option<String>,
    /// The start of the plain text, for the excerpt.
    pub opening: String,
    pub visibility: crate::posts::model::Visibility,
    pub published_at: Option<NaiveDateTime>,
    pub updated_at: NaiveDateTime,
}

/// Posts a search index holds at most: the most recently changed (Ghost's index has no bound;
/// a browser loading a million would not cope).
pub const INDEX_MAX: i64 = 10_000;

/// The live posts of the search index, the most recently changed first.
pub fn indexed_posts(conn: &mut DbConn, now: NaiveDateTime) -> ApiResult<Vec<Indexed>> {
    Ok(live_posts(PostKind::Post, None, now)
        .order((posts::updated_at.desc(), posts::id.desc()))
        .select((
            posts::id,
            posts::uuid,
            posts::slug,
            posts::title,
            posts::custom_excerpt,
            posts::text_start,
            posts::visibility,
            posts::published_at,
            posts::updated_at,
        ))
        .limit(INDEX_MAX)
        .load(conn)?)
}

/// Every author readers see, by name.
pub fn indexed_authors(conn: &mut DbConn, now: NaiveDateTime) -> ApiResult<Vec<Author>> {
    Ok(visible_authors(None, now)
        .order((authors::name.asc(), authors::id.asc()))
        .select(Author::as_select())
        .limit(INDEX_MAX)
        .load(conn)?)
}

/// Every public tag, by name: Ghost's search index lists those on no post too.
pub fn indexed_tags(conn: &mut DbConn) -> ApiResult<Vec<TagRow>> {
    Ok(tags::table
        .filter(tags::visibility.eq("public"))
        .order((tags::name.asc(), tags::id.asc()))
        .select(TagRow::as_select())
        .limit(INDEX_MAX)
        .load(conn)?)
}

/// How many live posts each of `ids` has (posts only, as Ghost counts them).
pub fn tag_counts(
    conn: &mut DbConn,
    ids: &[TagId],
    now: NaiveDateTime,
) -> ApiResult<HashMap<TagId, i64>> {
    crate::tags::storage::post_counts(conn, ids, now)
}

/// How many live posts each of `ids` has (posts only, as Ghost counts them).
pub fn author_counts(
    conn: &mut DbConn,
    ids: &[AuthorId],
    now: NaiveDateTime,
) -> ApiResult<HashMap<AuthorId, i64>> {
    crate::authors::storage::post_counts(conn, ids, now)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ghost::nql::parse;

    fn now() -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 1, 31)
            .unwrap()
            .and_hms_opt(12, 0, 0)
            .unwrap()
    }

    fn sql(table: Table, filter: &str) -> ApiResult<Option<Predicate>> {
        condition(table, &parse(filter).unwrap(), now())
    }

    #[test]
    fn every_value_is_bound_and_every_name_allow_listed() {
        let c = sql(Table::Posts, "title:~'x\\' OR 1=1'").unwrap().unwrap();
        let text = format!("{c:?}");
        assert!(text.contains("Text(\"%x' or 1=1%\")"), "{text}");
        assert!(matches!(
            sql(Table::Posts, "nosuchfield:1"),
            Err(ApiError::BadRequest(d)) if d.contains("nosuchfield")
        ));
        assert!(matches!(
            sql(Table::Tags, "posts.title:1"),
            Err(ApiError::BadRequest(_))
        ));
    }

    #[test]
    fn dropped_fields_leave_the_rest() {
        assert!(sql(Table::Posts, "status:draft").unwrap().is_none());
        assert!(
            sql(Table::Posts, "html:~'x'+plaintext:y")
                .unwrap()
                .is_none()
        );
        let kept = sql(Table::Posts, "status:draft+featured:true")
            .unwrap()
            .unwrap();
        assert_eq!(kept, Fragment::new("posts.featured").sql(" = ").bool(true));
        assert!(sql(Table::Authors, "email:a@b.c").unwrap().is_none());
    }

    #[test]
    fn values_must_fit_their_fields() {
        assert!(sql(Table::Posts, "featured:maybe").is_err());
        assert!(sql(Table::Posts, "published_at:>'yesterday'").is_err());
        assert!(
            sql(Table::Posts, "published_at:>now-30d")
                .unwrap()
                .is_some()
        );
        assert!(sql(Table::Posts, "featured:~'t'").is_err());
    }

    #[test]
    fn dates_are_read_as_times() {
        let day = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
        assert_eq!(parse_time("2024-01-01"), day.and_hms_opt(0, 0, 0));
        assert_eq!(parse_time("2024-01-01 03:00:00"), day.and_hms_opt(3, 0, 0));
        assert_eq!(
            parse_time("2024-01-01T03:00:00.000Z"),
            day.and_hms_opt(3, 0, 0)
        );
        assert_eq!(
            parse_time("2024-01-01T05:00:00+02:00"),
            day.and_hms_opt(3, 0, 0)
        );
        assert_eq!(parse_time("January"), None);
    }

    #[test]
    fn orders_keep_the_columns_they_can_use() {
        let browse = |q: &str| Browse::parse(&super::super::query::Params::parse(q)).unwrap();
        let default = [("posts.published_at", Direction::Desc)];
        assert_eq!(
            order(Table::Posts, &browse("order=title"), &default, now()),
            vec![]
        );
        assert_eq!(
            order(
                Table::Posts,
                &browse("order=tags%20asc,title%20desc"),
                &default,
                now()
            ),
            vec![Fragment::new("posts.title").sql(" DESC")]
        );
        assert_eq!(
            order(Table::Posts, &browse(""), &default, now()),
            vec![Fragment::new("posts.published_at").sql(" DESC")]
        );
        assert_eq!(
            order(
                Table::Posts,
                &browse("filter=slug%3A%5Bbb%2Caa%5D"),
                &default,
                now()
            )
            .len(),
            1
        );
        assert!(
            order(
                Table::Posts,
                &browse("order=count.posts%20desc"),
                &default,
                now()
            )
            .is_empty()
        );
        assert_eq!(
            order(
                Table::Tags,
                &browse("order=count.posts%20desc"),
                &default,
                now()
            )
            .len(),
            1
        );
    }
}
