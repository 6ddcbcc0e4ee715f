//! The posts table (posts and pages alike, each query within one kind) and its links: lists
//! with every filter, search and order, finding one by id, slug or former slug, the authors
//! and tags a write names, inserts, versioned changes and deletion.

use std::collections::{HashMap, HashSet};
use std::fmt::Display;
use std::hash::Hash;
use std::ops::RangeInclusive;

use chrono::NaiveDateTime;
use diesel::dsl::{exists, sql};
use diesel::expression::BoxableExpression;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Binary, Bool, Double, Nullable, Text};

use super::model::{
    BylineRow, PostChanges, PostKind, PostMeta, PostRecord, PostRow, PostStatus, PostTagRow,
    PostText,
};
use super::policy::ReadScope;
use super::query::{PostListQuery, PostShape, PostSort};
use super::search::{Search, SearchKey};
use crate::db::keyset::{self, KeyBound};
use crate::db::live::live;
use crate::db::page::{self, Direction, KeyValue, PageMeta, Position, Window, fetch};
use crate::db::schema::{
    authors, media_references, post_bodies, post_slugs, posts, posts_authors, posts_meta,
    posts_tags, tags,
};
use crate::db::text::folio_text;
use crate::db::{self, Backend, DbConn, MultiBackend, Unique};
use crate::error::{ApiError, ApiResult, FieldError};
use crate::ids::{AuthorId, PostId, TagId};
use crate::key_bound;
use crate::precondition::stale;

type BoxedPosts = posts::BoxedQuery<'static, MultiBackend>;

/// Every column of [`PostRow`], every body included.
fn columns() -> ShapedColumns {
    columns_for(&PostShape {
        html: true,
        markdown: true,
        plaintext: true,
        authors: true,
        tags: true,
    })
}

type Condition = keyset::Condition<posts::table>;

type Body = Box<dyn BoxableExpression<posts::table, MultiBackend, SqlType = Text>>;

/// A body of the post, read from post_bodies by its key (through `folio_text`, which unpacks
/// it on SQLite), or an empty text in its place when the answer leaves it out.
macro_rules! body {
    ($column:expr, $sent:expr) => {{
        let body: Body = if $sent {
            Box::new(
                post_bodies::table
                    .filter(post_bodies::post_id.eq(posts::id))
                    .select(folio_text($column))
                    .single_value()
                    .assume_not_null(),
            )
        } else {
            Box::new(sql::<Text>("''"))
        };
        body
    }};
}

/// The columns of [`PostRow`] in its order, each body as `body!` reads it.
pub type ShapedColumns = (
    posts::id,
    posts::kind,
    posts::uuid,
    posts::slug,
    posts::title,
    Body,
    Body,
    posts::custom_excerpt,
    posts::excerpt,
    posts::reading_time,
    posts::feature_image,
    posts::featured,
    posts::status,
    posts::visibility,
    posts::published_at,
    posts::meta_title,
    posts::meta_description,
    posts::canonical_url,
    posts::codeinjection_head,
    posts::codeinjection_foot,
    posts::custom_template,
    posts::created_at,
    posts::updated_at,
    posts::version,
    posts::word_count,
    posts::image_count,
    posts::text_start,
);

/// The columns of [`PostRow`], with only the bodies `shape` sends: a list never reads a body
/// it does not send (both databases would otherwise fetch and decompress each for every
/// row, and copy it out). A body left out reads as empty in the row. The plain text is the
/// Markdown's, made again by the view: it needs the Markdown read.
/// Each body sent is its own lookup by key; they are one row apart from the post's, which
/// is what keeps the post's row small for the lists and searches that filter on it.
pub fn columns_for(shape: &PostShape) -> ShapedColumns {
    (
        posts::id,
        posts::kind,
        posts::uuid,
        posts::slug,
        posts::title,
        body!(post_bodies::markdown, shape.markdown || shape.plaintext),
        body!(post_bodies::html, shape.html),
        posts::custom_excerpt,
        posts::excerpt,
        posts::reading_time,
        posts::feature_image,
        posts::featured,
        posts::status,
        posts::visibility,
        posts::published_at,
        posts::meta_title,
        posts::meta_description,
        posts::canonical_url,
        posts::codeinjection_head,
        posts::codeinjection_foot,
        posts::custom_template,
        posts::created_at,
        posts::updated_at,
        posts::version,
        posts::word_count,
        posts::image_count,
        posts::text_start,
    )
}

/// Narrows `query` to the posts `scope` allows at `now`.
fn visible(query: BoxedPosts, scope: &ReadScope, now: NaiveDateTime) -> BoxedPosts {
    match scope {
        ReadScope::All => query,
        ReadScope::Live => query.filter(live(now)),
        ReadScope::LiveAndOwn(author_id) => query.filter(
            live(now).or(posts::id.eq_any(
                posts_authors::table
                    .filter(posts_authors::author_id.eq(author_id.clone()))
                    .select(posts_authors::post_id),
            )),
        ),
    }
}

/// The posts `search` finds, in the backend's full-text index (see the post_search
/// migrations): those of them that `considered` says (see [`Considered`]). The search travels
/// as a bound parameter, never as SQL.
fn found(search: &Search, considered: &Considered) -> Condition {
    const KEPT: &str = "posts.search_key IN (SELECT rowid FROM temp.search_scores)";
    match considered {
        Considered::Kept { .. } => Box::new(sql::<Nullable<Bool>>(KEPT)),
        Considered::Keys(keys) => Box::new(
            sql::<Nullable<Bool>>(&format!(
                "({KEPT} OR posts.search_key IN (SELECT rowid FROM posts_fts \
                 WHERE posts_fts MATCH "
            ))
            .bind::<Text, _>(search.fts5())
            .sql(" AND rowid BETWEEN ")
            .bind::<BigInt, _>(*keys.start())
            .sql(" AND ")
            .bind::<BigInt, _>(*keys.end())
            .sql("))"),
        ),
        Considered::Gathered => Box::new(
            sql::<Nullable<Bool>>("posts.id IN (SELECT posts_matching(to_tsquery('simple', ")
                .bind::<Text, _>(search.tsquery())
                .sql(")))"),
        ),
        // One term found in the title or excerpt is the search found; with more, the posts
        // with one of them there meet the matches, each set read once.
        Considered::Titled => {
            let titled = sql::<Nullable<Bool>>(
                "posts.id IN (SELECT post_id FROM post_search_ranks \
                 WHERE rank @@ to_tsquery('simple', ",
            )
            .bind::<Text, _>(search.tsquery_any());
            match search.found_by_any_term() {
                true => Box::new(titled.sql("))")),
                false => Box::new(
                    titled
                        .sql(") INTERSECT SELECT posts_matching(to_tsquery('simple', ")
                        .bind::<Text, _>(search.tsquery())
                        .sql(")))"),
                ),
            }
        }
        // Each post the walk comes to is asked whether its text matches, then whether it is
        // ranked: alike in cost, the two are asked in the order written, so the second only
        // of matches.
        Considered::Walked => Box::new(
            sql::<Nullable<Bool>>("(SELECT b.search @@ to_tsquery('simple', ")
                .bind::<Text, _>(search.tsquery())
                .sql(
                    ") FROM post_bodies b WHERE b.post_id = posts.id) \
                     AND NOT coalesce((SELECT r.rank @@ to_tsquery('simple', ",
                )
                .bind::<Text, _>(search.tsquery_any())
                .sql(") FROM post_search_ranks r WHERE r.post_id = posts.id), false)"),
        ),
    }
}

/// Which of a search's matches a query of its list considers.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Considered {
    /// SQLite: every match with a key in the range (the ranked ones are among them).
    Keys(RangeInclusive<i64>),
    /// SQLite: those kept in `search_scores`: the ranked ones, and the ones a page read from
    /// the index in its order (see [`read_window`]). The read stopped in the second at
    /// `edge`, which may hold more: the page is exact only if it ends before that second.
    Kept { edge: Option<i64> },
    /// PostgreSQL: every match, gathered through the text's index.
    Gathered,
    /// PostgreSQL: the matches relevance ranks, with a term in the title or excerpt,
    /// gathered through the rank vectors' index. They are few, and come first.
    Titled,
    /// PostgreSQL: the other matches, which score 0 and follow by date, found by walking the
    /// list's index and asking each post whether it is one. For a search that matches often
    /// (see the search_walk migration) the walk reaches a page long before the index could
    /// gather every match.
    Walked,
}

/// SQLite: ranks the matches of `search` in `keys` that have one of its terms in the title or
/// the excerpt, the newest [`RANKED`] of them, into the connection's `search_scores` (a
/// temporary table; see `db::Prepare`), for [`found`] and [`score`] to look up by key. They
/// are few (a word is in far fewer titles than texts), and only they are ranked: every other
/// match scores 0, and follows them newest first, in the index's own order. Ranking every
/// match read every match's position lists and sorted them all: 16 ms and 31 ms for a word
/// in 8 % of 100k posts, ten times that at a million.
fn rank_titled(conn: &mut DbConn, search: &Search, keys: &RangeInclusive<i64>) -> ApiResult<()> {
    diesel::sql_query("DELETE FROM temp.search_scores").execute(conn)?;
    diesel::sql_query(
        "INSERT INTO temp.search_scores (rowid, score) \
         SELECT rowid, -bm25(posts_fts, 5.0, 2.0, 0.0) FROM posts_fts \
         WHERE posts_fts MATCH ? AND rowid BETWEEN ? AND ? ORDER BY rowid DESC LIMIT ?",
    )
    .bind::<Text, _>(search.fts5_titled())
    .bind::<BigInt, _>(*keys.start())
    .bind::<BigInt, _>(*keys.end())
    .bind::<BigInt, _>(RANKED)
    .execute(conn)?;
    Ok(())
}

/// The most matches SQLite ranks (see [`rank_titled`]): a word in the titles or excerpts of
/// more posts than this is hardly telling them apart, and every ranked match is read for
/// every page.
const RANKED: i64 = 500;

type Score = Box<dyn BoxableExpression<posts::table, MultiBackend, SqlType = Double>>;

/// How well a post matches `search`, higher is better. Both engines judge it alike, by the
/// title and the excerpt, a word in the title over one in the excerpt (`ts_rank`'s default
/// weights for A and B are 1.0 and 0.4; bm25 is given 5 and 2); the text decides whether a
/// post matches, not its place, so the posts found only in their text tie, and follow by
/// date. Weighing the text too made PostgreSQL read every match's whole vector, as large as
/// its text, for one page (see the search_cost migration).
fn score(search: &Search, considered: &Considered) -> Score {
    match considered {
        // Kept by `rank_titled`, negated there: bm25 is lower for better matches.
        Considered::Keys(_) | Considered::Kept { .. } => Box::new(sql::<Double>(
            "coalesce((SELECT score FROM temp.search_scores WHERE rowid = posts.search_key), 0.0)",
        )),
        // Above 0 whenever a term is in the title or excerpt, as `Titled` and `Walked` split
        // them (`ts_rank` can answer 1e-20, not 0, for an `&` of which one term is there).
        Considered::Gathered | Considered::Titled => Box::new(
            sql::<Double>("coalesce((SELECT greatest(ts_rank(r.rank, to_tsquery('simple', ")
                .bind::<Text, _>(search.tsquery())
                .sql(
                    ")), 1e-20) FROM post_search_ranks r WHERE r.post_id = posts.id \
                      AND r.rank @@ to_tsquery('simple', ",
                )
                .bind::<Text, _>(search.tsquery_any())
                .sql(")), 0)::float8"),
        ),
        // A constant, so that the walk follows the list's index.
        Considered::Walked => Box::new(sql::<Double>("CAST(0 AS float8)")),
    }
}

/// SQLite: the keys of the search index a search's list may find its matches in (see
/// [`SearchKey`]); both engines: whether a page can read its matches in the list's order.
#[derive(Debug, Clone)]
struct SearchKeys {
    /// Every key the list's posts can have: its kind's, and only the dated ones up to now
    /// when the list is of live posts.
    all: RangeInclusive<i64>,
    /// Whether the list is in the index's order (the default one: best match, then newest)
    /// and filters nothing a post's key does not tell (scope aside, which the keys narrow),
    /// so that a page can be read from the index and stop. So too on PostgreSQL, whose walk
    /// for its unranked matches (see [`Considered::Walked`]) needs a list that an index
    /// orders: without one, every post there is would be asked whether it matches.
    streams: bool,
}

impl SearchKeys {
    fn of(kind: PostKind, scope: &ReadScope, list: &PostListQuery, now: NaiveDateTime) -> Self {
        let live = *scope == ReadScope::Live || list.status == Some(PostStatus::Published);
        let all = if live {
            SearchKey::dated_until(kind, now)
        } else {
            SearchKey::all(kind)
        };
        let streams = list.in_relevance_order()
            && !matches!(scope, ReadScope::LiveAndOwn(_))
            && list.tags.is_empty()
            && list.authors.is_empty()
            && list.featured.is_none()
            && list.visibility.is_none()
            && matches!(list.status, None | Some(PostStatus::Published))
            && list.published_after.is_none()
            && list.published_before.is_none();
        SearchKeys { all, streams }
    }
}

/// A few rows over what a page needs, read from the index, so that the posts a list leaves
/// out (a draft that keeps its date, the rows up to the page's position in its second) seldom
/// leave the page short.
const SLACK: i64 = 16;

/// SQLite: reads from the index the matches `window` of a search's list can need, into
/// `search_scores` beside the ranked ones, and answers which matches its query is to
/// consider. The page takes the matches in the index's order from where it starts (the top,
/// or the second of the position it follows), as many as it shows and `SLACK` more, each a
/// step in the index, not a row. A page that comes up short or reaches the last second read
/// (which may hold more) is read again over every key: see [`Considered::exact`].
fn read_window(
    conn: &mut DbConn,
    search: &Search,
    keys: &SearchKeys,
    kind: PostKind,
    window: &Window<'_>,
) -> ApiResult<Considered> {
    let all = keys.all.clone();
    if !keys.streams {
        return Ok(Considered::Keys(all));
    }
    // Where the window starts, in the order it reads: a position among the ranked matches
    // is followed by every other match, and preceded by none.
    let from = match window.after {
        None => None,
        Some(position) => {
            let [_, published, created, ..] = position.as_slice() else {
                return Err(page::misfit());
            };
            if after_ranked(position)? {
                if window.reversed {
                    return Ok(Considered::Kept { edge: None });
                }
                None
            } else {
                let created = created.as_time().ok_or_else(page::misfit)?;
                let published = match published {
                    KeyValue::Null => None,
                    value => Some(value.as_time().ok_or_else(page::misfit)?),
                };
                Some(SearchKey::second(kind, published, created))
            }
        }
    };
    let need = window.offset + window.limit + SLACK;
    let (start, end) = match (window.reversed, from) {
        (false, from) => (
            *all.start(),
            from.map_or(*all.end(), SearchKey::last_of_second),
        ),
        (true, from) => (from.unwrap_or(*all.start()), *all.end()),
    };
    let (start, end) = (start.max(*all.start()), end.min(*all.end()));
    let order = if window.reversed { "ASC" } else { "DESC" };
    let read: Vec<i64> = diesel::sql_query(format!(
        "INSERT INTO temp.search_scores (rowid, score) \
         SELECT rowid, 0.0 FROM posts_fts WHERE posts_fts MATCH ? AND rowid BETWEEN ? AND ? \
         AND rowid NOT IN (SELECT rowid FROM temp.search_scores) \
         ORDER BY rowid {order} LIMIT ? RETURNING rowid AS key"
    ))
    .bind::<Text, _>(search.fts5())
    .bind::<BigInt, _>(start)
    .bind::<BigInt, _>(end)
    .bind::<BigInt, _>(need)
    .load::<Key>(conn)?
    .into_iter()
    .map(|k| k.key)
    .collect();
    let last = match window.reversed {
        false => read.iter().min(),
        true => read.iter().max(),
    };
    let edge = last
        .filter(|_| read.len() as i64 == need)
        .map(|&key| SearchKey::first_of_second(key));
    Ok(Considered::Kept { edge })
}

impl Considered {
    /// Whether `rows`, the page read with these matches for `window`, is the page: it is
    /// full, or no match was left unread, and it ends before the second the read stopped in.
    fn exact(&self, rows: &[(PostRow, Option<f64>)], window: &Window<'_>) -> bool {
        let Considered::Kept { edge: Some(edge) } = self else {
            return true;
        };
        let full = rows.len() as i64 >= window.limit;
        let reached = rows.last().is_some_and(|(row, score)| {
            let second = SearchKey::second(row.kind, row.published_at, row.created_at);
            score.unwrap_or_default() <= 0.0
                && match window.reversed {
                    false => second <= *edge,
                    true => second >= *edge,
                }
        });
        full && !reached
    }
}

/// Whether `position`, in a list in relevance order, is that of a ranked match.
fn after_ranked(position: &Position) -> ApiResult<bool> {
    let score = position.first().and_then(KeyValue::as_float);
    Ok(score.ok_or_else(page::misfit)? > 0.0)
}

/// PostgreSQL: whether `search` matches so many posts that a page walks for those it does
/// not rank (see [`Considered::Walked`]).
fn matches_often(conn: &mut DbConn, search: &Search) -> ApiResult<bool> {
    #[derive(QueryableByName)]
    struct Often {
        #[diesel(sql_type = Bool)]
        often: bool,
    }
    let often = diesel::sql_query("SELECT posts_match_often(to_tsquery('simple', $1)) AS often")
        .bind::<Text, _>(search.tsquery())
        .get_result::<Often>(conn)?;
    Ok(often.often)
}

#[derive(QueryableByName)]
struct Key {
    #[diesel(sql_type = BigInt)]
    key: i64,
}

/// The posts of `kind` that `scope` allows and that match the filters of `list`.
fn matching(
    kind: PostKind,
    scope: &ReadScope,
    list: &PostListQuery,
    filters: &FilterIds,
    now: NaiveDateTime,
    backend: Backend,
    considered: &Considered,
) -> BoxedPosts {
    let of_kind: Condition = match (&list.search, backend) {
        // SQLite: a search starts from its matches, each a lookup by key, and not from the
        // index of live posts, which it would walk whole, asking of every entry whether it
        // matched (the planner cannot know how few the matches are): the `+` keeps the index
        // out of the plan. 7 ms against 21 for a word in 8 % of 100k posts.
        (Some(_), Backend::Sqlite) => {
            Box::new(sql::<Nullable<Bool>>("+posts.kind = ").bind::<Text, _>(kind.as_str()))
        }
        _ => Box::new(posts::kind.eq(kind).nullable()),
    };
    let mut query = visible(posts::table.filter(of_kind).into_boxed(), scope, now);
    if let Some(search) = &list.search {
        query = query.filter(found(search, considered));
    }
    // As `EXISTS` probes on ids known up front: the database then knows how many posts the
    // tag has, and either walks the list's index and stops at a page (a common tag) or
    // gathers the tag's few posts (a rare one), instead of always gathering them all.
    if let Some(ids) = &filters.tags {
        query = query.filter(exists(
            posts_tags::table
                .filter(posts_tags::post_id.eq(posts::id))
                .filter(posts_tags::tag_id.eq_any(ids.clone())),
        ));
    }
    if let Some(ids) = &filters.authors {
        query = query.filter(exists(
            posts_authors::table
                .filter(posts_authors::post_id.eq(posts::id))
                .filter(posts_authors::author_id.eq_any(ids.clone())),
        ));
    }
    if let Some(featured) = list.featured {
        query = query.filter(posts::featured.eq(featured));
    }
    if let Some(visibility) = list.visibility {
        query = query.filter(posts::visibility.eq(visibility));
    }
    query = match list.status {
        None => query,
        Some(PostStatus::Published) => query.filter(live(now)),
        Some(PostStatus::Scheduled) => query.filter(
            posts::status
                .eq(PostStatus::Scheduled)
                .and(posts::published_at.gt(now)),
        ),
        Some(PostStatus::Draft) => query.filter(posts::status.eq(PostStatus::Draft)),
    };
    if let Some(after) = list.published_after {
        query = query.filter(posts::published_at.gt(after));
    }
    if let Some(before) = list.published_before {
        query = query.filter(posts::published_at.lt(before));
    }
    query
}

/// The ids of the tags and authors a list is filtered by, when it is.
struct FilterIds {
    tags: Option<Vec<TagId>>,
    authors: Option<Vec<AuthorId>>,
}

impl FilterIds {
    /// One query for each filter that is given.
    fn of(conn: &mut DbConn, list: &PostListQuery) -> ApiResult<FilterIds> {
        let tags = if list.tags.is_empty() {
            None
        } else {
            Some(
                tags::table
                    .filter(tags::slug.eq_any(&list.tags))
                    .select(tags::id)
                    .load(conn)?,
            )
        };
        let authors = if list.authors.is_empty() {
            None
        } else {
            Some(
                authors::table
                    .filter(authors::slug.eq_any(&list.authors))
                    .select(authors::id)
                    .load(conn)?,
            )
        };
        Ok(FilterIds { tags, authors })
    }
}

/// How a post list is ordered.
struct Order<'a> {
    /// The keys, the tie-break by id last.
    keys: Vec<(PostSort, Direction)>,
    search: Option<&'a Search>,
    /// Whether the list is of live posts only: then drafts need no rank of their own, and the
    /// list can walk the live posts' index.
    all_dated: bool,
    /// Which matches of the search the list's query considers: they tell how it scores them.
    considered: &'a Considered,
}

impl<'a> Order<'a> {
    /// The order of `list`, or its reverse.
    fn of(
        list: &'a PostListQuery,
        reversed: bool,
        all_dated: bool,
        considered: &'a Considered,
    ) -> Order<'a> {
        Order {
            keys: page::oriented(&list.sort, reversed),
            search: list.search.as_ref(),
            all_dated,
            considered,
        }
    }

    /// Orders `query`. Undated posts (drafts) count as the newest.
    fn apply(&self, mut query: BoxedPosts) -> BoxedPosts {
        for &(key, direction) in &self.keys {
            query = match (key, direction) {
                (PostSort::Relevance, direction) => match self.search {
                    Some(search) => match direction {
                        Direction::Desc => {
                            query.then_order_by(score(search, self.considered).desc())
                        }
                        Direction::Asc => query.then_order_by(score(search, self.considered).asc()),
                    },
                    None => query,
                },
                (PostSort::PublishedAt, Direction::Desc) if self.all_dated => {
                    query.then_order_by(posts::published_at.desc())
                }
                (PostSort::PublishedAt, Direction::Desc) => query
                    .then_order_by(posts::published_at.is_null().desc())
                    .then_order_by(posts::published_at.desc()),
                (PostSort::PublishedAt, Direction::Asc) if self.all_dated => {
                    query.then_order_by(posts::published_at.asc())
                }
                (PostSort::PublishedAt, Direction::Asc) => query
                    .then_order_by(posts::published_at.is_null().asc())
                    .then_order_by(posts::published_at.asc()),
                (PostSort::CreatedAt, Direction::Asc) => {
                    query.then_order_by(posts::created_at.asc())
                }
                (PostSort::CreatedAt, Direction::Desc) => {
                    query.then_order_by(posts::created_at.desc())
                }
                (PostSort::UpdatedAt, Direction::Asc) => {
                    query.then_order_by(posts::updated_at.asc())
                }
                (PostSort::UpdatedAt, Direction::Desc) => {
                    query.then_order_by(posts::updated_at.desc())
                }
                (PostSort::Title, Direction::Asc) => query.then_order_by(posts::title.asc()),
                (PostSort::Title, Direction::Desc) => query.then_order_by(posts::title.desc()),
                (PostSort::Id, Direction::Asc) => query.then_order_by(posts::id.asc()),
                (PostSort::Id, Direction::Desc) => query.then_order_by(posts::id.desc()),
            };
        }
        query
    }

    /// Where a post, with its `score` for the search, sits in this order.
    fn position(&self, row: &PostRow, score: Option<f64>) -> Position {
        self.keys
            .iter()
            .map(|(key, _)| match key {
                PostSort::Relevance => KeyValue::Float(score.unwrap_or_default()),
                PostSort::PublishedAt => row.published_at.map_or(KeyValue::Null, KeyValue::time),
                PostSort::CreatedAt => KeyValue::time(row.created_at),
                PostSort::UpdatedAt => KeyValue::time(row.updated_at),
                PostSort::Title => KeyValue::Text(row.title.clone()),
                PostSort::Id => KeyValue::Text(row.id.to_string()),
            })
            .collect()
    }

    /// The posts after `position` in this order.
    fn after(&self, position: &Position) -> ApiResult<Condition> {
        keyset::after_position(&self.keys, position, |key, direction, value| {
            self.bound(key, direction, value)
        })
    }

    fn bound(
        &self,
        key: PostSort,
        direction: Direction,
        value: &KeyValue,
    ) -> Option<KeyBound<posts::table>> {
        Some(match key {
            PostSort::Relevance => {
                let search = self.search?;
                key_bound!(score(search, self.considered), direction, value.as_float()?)
            }
            PostSort::PublishedAt => self.published_bound(direction, value)?,
            PostSort::CreatedAt => key_bound!(posts::created_at, direction, value.as_time()?),
            PostSort::UpdatedAt => key_bound!(posts::updated_at, direction, value.as_time()?),
            PostSort::Title => key_bound!(posts::title, direction, value.as_text()?.to_owned()),
            PostSort::Id => key_bound!(
                posts::id,
                direction,
                PostId::from(value.as_text()?.to_owned())
            ),
        })
    }

    /// `published_at`, where undated posts come before every date going down and after every
    /// date going up.
    fn published_bound(
        &self,
        direction: Direction,
        value: &KeyValue,
    ) -> Option<KeyBound<posts::table>> {
        let undated = || -> Condition { Box::new(posts::published_at.is_null().nullable()) };
        if *value == KeyValue::Null {
            let after: Condition = match direction {
                Direction::Desc => Box::new(posts::published_at.is_not_null().nullable()),
                Direction::Asc => Box::new(sql::<Nullable<Bool>>("1 = 0")),
            };
            return Some(KeyBound {
                after,
                level: undated(),
                seek: None,
            });
        }
        let at = value.as_time()?;
        let mut bound = key_bound!(posts::published_at, direction, at);
        if direction == Direction::Asc && !self.all_dated {
            bound.after = Box::new(bound.after.or(undated()));
            bound.seek = None;
        }
        Some(bound)
    }
}

/// A page of the posts of `kind` that `scope` allows and `list` asks for, and where it sits
/// in the list. The same queries whatever the page size: the page, its posts' meta, authors
/// and tags, a count for a numbered page, one for each of the tag and author filters, and a
/// search's own: on SQLite, its ranked matches kept and where its page ends in the index (and
/// the page read again when that page was not exact, see [`Considered::exact`]); on
/// PostgreSQL, whether it matches often, and then the page read in its two parts.
pub fn list(
    conn: &mut DbConn,
    kind: PostKind,
    scope: &ReadScope,
    list: &PostListQuery,
    now: NaiveDateTime,
) -> ApiResult<(Vec<PostRecord>, PageMeta)> {
    let backend = conn.backend();
    let search = list.search.as_ref();
    // Live posts are walked in the live posts' index, by date; every other list of the
    // staff's (scheduled posts too) in theirs, drafts first whether or not there are any.
    let all_dated = *scope == ReadScope::Live || list.status == Some(PostStatus::Published);
    let keys = SearchKeys::of(kind, scope, list, now);
    let every_match = match backend {
        Backend::Sqlite => Considered::Keys(keys.all.clone()),
        Backend::Postgres => Considered::Gathered,
    };
    let forward = Order::of(list, false, all_dated, &every_match);
    let walks = match (search, backend) {
        (Some(search), Backend::Sqlite) => {
            rank_titled(conn, search, &keys.all)?;
            false
        }
        (Some(search), Backend::Postgres) if keys.streams => matches_often(conn, search)?,
        _ => false,
    };
    let filters = FilterIds::of(conn, list)?;
    let filters = &filters;
    let (rows, meta) = fetch(
        conn,
        &list.page,
        |conn| {
            Ok(
                matching(kind, scope, list, filters, now, backend, &every_match)
                    .count()
                    .get_result(conn)?,
            )
        },
        |conn, window| {
            let load = |conn: &mut DbConn, considered: &Considered, limit, offset| {
                let order = Order::of(list, window.reversed, all_dated, considered);
                let mut query = matching(kind, scope, list, filters, now, backend, considered);
                if let Some(position) = window.after {
                    query = query.filter(order.after(position)?);
                }
                let score: Box<
                    dyn BoxableExpression<posts::table, MultiBackend, SqlType = Nullable<Double>>,
                > = match search {
                    Some(search) => Box::new(score(search, considered).nullable()),
                    None => Box::new(sql::<Nullable<Double>>("NULL")),
                };
                Ok(order
                    .apply(query)
                    .select((columns_for(&list.shape), score))
                    .limit(limit)
                    .offset(offset)
                    .load::<(PostRow, Option<f64>)>(conn)?)
            };
            let load_window = |conn: &mut DbConn, considered: &Considered| {
                load(conn, considered, window.limit, window.offset)
            };
            match (search, backend) {
                (Some(search), Backend::Sqlite) => {
                    let considered = read_window(conn, search, &keys, kind, &window)?;
                    let rows = load_window(conn, &considered)?;
                    if considered.exact(&rows, &window) {
                        return Ok(rows);
                    }
                    load_window(conn, &every_match)
                }
                (Some(_), Backend::Postgres) if walks => {
                    // The ranked matches and then the others, or the other way round when
                    // the window reads backwards; a window after a position in the second
                    // part has nothing in the first.
                    let ranked = window.after.map(after_ranked).transpose()?;
                    let parts = match (window.reversed, ranked) {
                        (false, Some(false)) => vec![Considered::Walked],
                        (false, _) => vec![Considered::Titled, Considered::Walked],
                        (true, Some(true)) => vec![Considered::Titled],
                        (true, _) => vec![Considered::Walked, Considered::Titled],
                    };
                    let wanted = window.offset + window.limit;
                    let mut rows: Vec<(PostRow, Option<f64>)> = Vec::new();
                    for part in &parts {
                        let more = wanted - rows.len() as i64;
                        if more > 0 {
                            // Each part is its own statement: a post retitled between the two
                            // could be in both, and is shown once.
                            let read: HashSet<PostId> =
                                rows.iter().map(|(row, _)| row.id.clone()).collect();
                            let part = load(conn, part, more, 0)?;
                            rows.extend(
                                part.into_iter().filter(|(row, _)| !read.contains(&row.id)),
                            );
                        }
                    }
                    Ok(rows.into_iter().skip(window.offset as usize).collect())
                }
                _ => load_window(conn, &every_match),
            }
        },
        |(row, score)| forward.position(row, *score),
    )?;
    let rows = rows.into_iter().map(|(row, _)| row).collect();
    let embed = Embed {
        authors: list.shape.authors,
        tags: list.shape.tags,
    };
    Ok((with_relations(conn, rows, embed)?, meta))
}

/// Which relations to load with posts.
#[derive(Debug, Clone, Copy)]
struct Embed {
    authors: bool,
    tags: bool,
}

const EVERYTHING: Embed = Embed {
    authors: true,
    tags: true,
};

/// Whether a tag is internal, as the tags table says: a column of every embedded tag.
fn internal() -> diesel::dsl::Eq<tags::visibility, &'static str> {
    tags::visibility.eq("internal")
}

/// Attaches the image and social fields and the ordered authors and tags of `rows`, as
/// `embed` asks: at most three queries for any number of posts.
fn with_relations(
    conn: &mut DbConn,
    rows: Vec<PostRow>,
    embed: Embed,
) -> ApiResult<Vec<PostRecord>> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<&PostId> = rows.iter().map(|r| &r.id).collect();
    let metas: Vec<(PostId, PostMeta)> = posts_meta::table
        .filter(posts_meta::post_id.eq_any(&ids))
        .select((posts_meta::post_id, PostMeta::as_select()))
        .load(conn)?;
    let bylines: Vec<BylineRow> = if !embed.authors {
        Vec::new()
    } else {
        posts_authors::table
            .inner_join(authors::table)
            .filter(posts_authors::post_id.eq_any(&ids))
            .order((posts_authors::post_id, posts_authors::position))
            .select((
                posts_authors::post_id,
                authors::id,
                authors::slug,
                authors::name,
                authors::avatar_url,
                authors::updated_at,
            ))
            .load(conn)?
    };
    let tag_rows: Vec<PostTagRow> = if !embed.tags {
        Vec::new()
    } else {
        posts_tags::table
            .inner_join(tags::table)
            .filter(posts_tags::post_id.eq_any(&ids))
            .order((posts_tags::post_id, posts_tags::position))
            .select((
                posts_tags::post_id,
                tags::id,
                tags::slug,
                tags::name,
                internal(),
                tags::updated_at,
            ))
            .load(conn)?
    };
    let mut meta_of: HashMap<PostId, PostMeta> = metas.into_iter().collect();
    let mut authors_of: HashMap<PostId, Vec<BylineRow>> = HashMap::new();
    for b in bylines {
        authors_of.entry(b.post_id.clone()).or_default().push(b);
    }
    let mut tags_of: HashMap<PostId, Vec<PostTagRow>> = HashMap::new();
    for t in tag_rows {
        tags_of.entry(t.post_id.clone()).or_default().push(t);
    }
    Ok(rows
        .into_iter()
        .map(|row| PostRecord {
            meta: meta_of.remove(&row.id).unwrap_or_default(),
            authors: authors_of.remove(&row.id).unwrap_or_default(),
            tags: tags_of.remove(&row.id).unwrap_or_default(),
            row,
        })
        .collect())
}

fn one(conn: &mut DbConn, row: Option<PostRow>) -> ApiResult<Option<PostRecord>> {
    match row {
        Some(row) => Ok(with_relations(conn, vec![row], EVERYTHING)?.pop()),
        None => Ok(None),
    }
}

/// One post of `kind`, whoever may see it: the caller applies the policy.
pub fn find(conn: &mut DbConn, kind: PostKind, id: &PostId) -> ApiResult<Option<PostRecord>> {
    let row = posts::table
        .find(id)
        .filter(posts::kind.eq(kind))
        .select(columns())
        .first(conn)
        .optional()?;
    one(conn, row)
}

/// One post of either kind: for what names a post by id alone (a preview token).
pub fn find_any(conn: &mut DbConn, id: &PostId) -> ApiResult<Option<PostRecord>> {
    let row = posts::table
        .find(id)
        .select(columns())
        .first(conn)
        .optional()?;
    one(conn, row)
}

pub fn find_by_slug(
    conn: &mut DbConn,
    kind: PostKind,
    slug: &str,
) -> ApiResult<Option<PostRecord>> {
    let row = posts::table
        .filter(posts::kind.eq(kind))
        .filter(posts::slug.eq(slug))
        .select(columns())
        .first(conn)
        .optional()?;
    one(conn, row)
}

/// The post of `kind` that used to have `slug`, for a redirect to its current one.
pub fn find_by_old_slug(
    conn: &mut DbConn,
    kind: PostKind,
    slug: &str,
) -> ApiResult<Option<PostRecord>> {
    let row = posts::table
        .filter(
            posts::id.eq_any(
                post_slugs::table
                    .filter(post_slugs::kind.eq(kind))
                    .filter(post_slugs::slug.eq(slug))
                    .select(post_slugs::post_id),
            ),
        )
        .select(columns())
        .first(conn)
        .optional()?;
    one(conn, row)
}

/// Keeps `old` as a former slug of `post_id`, and frees `new` from any post's history: the
/// slug a post has now always wins.
pub fn record_slug_change(
    conn: &mut DbConn,
    kind: PostKind,
    post_id: &PostId,
    old: &str,
    new: &str,
    now: NaiveDateTime,
) -> ApiResult<()> {
    diesel::delete(
        post_slugs::table
            .filter(post_slugs::kind.eq(kind))
            .filter(post_slugs::slug.eq_any([old, new])),
    )
    .execute(conn)?;
    diesel::insert_into(post_slugs::table)
        .values((
            post_slugs::kind.eq(kind),
            post_slugs::slug.eq(old),
            post_slugs::post_id.eq(post_id),
            post_slugs::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

/// The constraint that keeps slugs unique within a kind.
pub const SLUG_UNIQUE: Unique = Unique {
    table: "posts",
    columns: &["kind", "slug"],
};

/// Which of `candidates` are slugs of posts of `kind` already.
pub fn slugs_taken(
    conn: &mut DbConn,
    kind: PostKind,
    candidates: &[String],
) -> ApiResult<Vec<String>> {
    Ok(posts::table
        .filter(posts::kind.eq(kind))
        .filter(posts::slug.eq_any(candidates))
        .select(posts::slug)
        .load(conn)?)
}

pub fn slug_taken(kind: PostKind, slug: &str) -> ApiError {
    ApiError::Conflict(format!(
        "The slug `{slug}` is already used by another {}.",
        kind.noun()
    ))
}

pub fn slug_in_use(
    conn: &mut DbConn,
    kind: PostKind,
    slug: &str,
    except_id: &PostId,
) -> ApiResult<bool> {
    Ok(posts::table
        .filter(posts::kind.eq(kind))
        .filter(posts::slug.eq(slug))
        .filter(posts::id.ne(except_id))
        .select(posts::id)
        .first::<PostId>(conn)
        .optional()?
        .is_some())
}

/// The authors and tags a write names, as the post will embed them (in the order named), for
/// the post `post_id`; `None` where the write names none. Ids that do not exist are a `422`
/// naming each.
pub fn find_relations(
    conn: &mut DbConn,
    post_id: &PostId,
    author_ids: Option<&[AuthorId]>,
    tag_ids: Option<&[TagId]>,
) -> ApiResult<Relations> {
    let mut errors = Vec::new();
    let authors = match author_ids {
        None => None,
        Some(ids) => {
            let found: Vec<(AuthorId, String, String, Option<String>, NaiveDateTime)> =
                authors::table
                    .filter(authors::id.eq_any(ids))
                    .select((
                        authors::id,
                        authors::slug,
                        authors::name,
                        authors::avatar_url,
                        authors::updated_at,
                    ))
                    .load(conn)?;
            missing(
                "authors",
                "author",
                ids,
                found.iter().map(|a| &a.0),
                &mut errors,
            );
            Some(in_order(
                ids,
                found,
                |a| &a.0,
                |(id, slug, name, avatar_url, updated_at)| BylineRow {
                    post_id: post_id.clone(),
                    id,
                    slug,
                    name,
                    avatar_url,
                    updated_at,
                },
            ))
        }
    };
    let tags = match tag_ids {
        None => None,
        Some(ids) => {
            let found: Vec<(TagId, String, String, bool, NaiveDateTime)> = tags::table
                .filter(tags::id.eq_any(ids))
                .select((
                    tags::id,
                    tags::slug,
                    tags::name,
                    internal(),
                    tags::updated_at,
                ))
                .load(conn)?;
            missing("tags", "tag", ids, found.iter().map(|t| &t.0), &mut errors);
            Some(in_order(
                ids,
                found,
                |t| &t.0,
                |(id, slug, name, internal, updated_at)| PostTagRow {
                    post_id: post_id.clone(),
                    id,
                    slug,
                    name,
                    internal,
                    updated_at,
                },
            ))
        }
    };
    if errors.is_empty() {
        Ok(Relations { authors, tags })
    } else {
        Err(ApiError::Validation(errors))
    }
}

/// Which of `ids` are authors that exist.
pub fn existing_authors(conn: &mut DbConn, ids: &[AuthorId]) -> ApiResult<Vec<AuthorId>> {
    Ok(authors::table
        .filter(authors::id.eq_any(ids))
        .select(authors::id)
        .load(conn)?)
}

/// Which of `ids` are tags that exist.
pub fn existing_tags(conn: &mut DbConn, ids: &[TagId]) -> ApiResult<Vec<TagId>> {
    Ok(tags::table
        .filter(tags::id.eq_any(ids))
        .select(tags::id)
        .load(conn)?)
}

/// The authors and tags a write names, as [`find_relations`] found them.
#[derive(Default)]
pub struct Relations {
    pub authors: Option<Vec<BylineRow>>,
    pub tags: Option<Vec<PostTagRow>>,
}

/// `found` in the order of `ids` (all of which were found).
fn in_order<Id: Clone + Eq + Hash, F, T>(
    ids: &[Id],
    found: Vec<F>,
    id_of: impl Fn(&F) -> &Id,
    make: impl Fn(F) -> T,
) -> Vec<T> {
    let mut by_id: HashMap<Id, F> = found.into_iter().map(|f| (id_of(&f).clone(), f)).collect();
    ids.iter()
        .filter_map(|id| by_id.remove(id))
        .map(make)
        .collect()
}

fn missing<'a, Id: PartialEq + Display + 'a>(
    field: &str,
    what: &str,
    ids: &[Id],
    found: impl Iterator<Item = &'a Id>,
    errors: &mut Vec<FieldError>,
) {
    let found: Vec<&Id> = found.collect();
    for (i, id) in ids.iter().enumerate() {
        if !found.contains(&id) {
            errors.push(FieldError::new(
                format!("{field}[{i}]"),
                "not_found",
                format!("no {what} has id `{id}`"),
            ));
        }
    }
}

fn link_authors(conn: &mut DbConn, post_id: &PostId, authors: &[BylineRow]) -> QueryResult<()> {
    for (position, author) in (0..).zip(authors) {
        diesel::insert_into(posts_authors::table)
            .values((
                posts_authors::post_id.eq(post_id),
                posts_authors::author_id.eq(&author.id),
                posts_authors::position.eq(position),
            ))
            .execute(conn)?;
    }
    Ok(())
}

fn link_tags(conn: &mut DbConn, post_id: &PostId, tags: &[PostTagRow]) -> QueryResult<()> {
    for (position, tag) in (0..).zip(tags) {
        diesel::insert_into(posts_tags::table)
            .values((
                posts_tags::post_id.eq(post_id),
                posts_tags::tag_id.eq(&tag.id),
                posts_tags::position.eq(position),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Inserts the post, its image and social fields, and its links. Run inside a write
/// transaction, with what [`find_relations`] found. A new post takes its slug from any post of
/// its kind that had it before: no old link may lead elsewhere any more. `plaintext` is the
/// text's, for the search index.
pub fn insert(conn: &mut DbConn, record: &PostRecord, plaintext: &str) -> QueryResult<()> {
    let row = &record.row;
    diesel::delete(
        post_slugs::table
            .filter(post_slugs::kind.eq(row.kind))
            .filter(post_slugs::slug.eq(&row.slug)),
    )
    .execute(conn)?;
    diesel::insert_into(posts::table)
        .values(row)
        .execute(conn)?;
    write_text(conn, row.into(), TextWrite::Insert(plaintext), false)?;
    if !record.meta.is_empty() {
        write_meta(conn, &row.id, &record.meta)?;
    }
    link_authors(conn, &row.id, &record.authors)?;
    link_tags(conn, &row.id, &record.tags)?;
    track_media(conn, record)
}

/// Notes which uploaded files `record` shows (its Markdown and image fields), in place of
/// what it showed before.
pub fn track_media(conn: &mut DbConn, record: &PostRecord) -> QueryResult<()> {
    let (row, meta) = (&record.row, &record.meta);
    let shown = crate::content::media::referenced(
        &row.markdown,
        [
            row.feature_image.as_deref(),
            meta.og_image.as_deref(),
            meta.twitter_image.as_deref(),
        ],
    );
    diesel::delete(media_references::table.filter(media_references::post_id.eq(&row.id)))
        .execute(conn)?;
    for sha256 in &shown {
        diesel::insert_into(media_references::table)
            .values((
                media_references::sha256.eq(sha256),
                media_references::post_id.eq(&row.id),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Sets the image and social fields of `post_id` to `meta`: the row is changed, or made
/// when there is none. (Writes of one post are one after the other: see `db::lock_row`.)
fn write_meta(conn: &mut DbConn, post_id: &PostId, meta: &PostMeta) -> QueryResult<()> {
    let values = (
        posts_meta::feature_image_alt.eq(&meta.feature_image_alt),
        posts_meta::feature_image_caption.eq(&meta.feature_image_caption),
        posts_meta::og_image.eq(&meta.og_image),
        posts_meta::og_title.eq(&meta.og_title),
        posts_meta::og_description.eq(&meta.og_description),
        posts_meta::twitter_image.eq(&meta.twitter_image),
        posts_meta::twitter_title.eq(&meta.twitter_title),
        posts_meta::twitter_description.eq(&meta.twitter_description),
    );
    let changed = diesel::update(posts_meta::table.find(post_id))
        .set(values)
        .execute(conn)?;
    if changed == 0 {
        diesel::insert_into(posts_meta::table)
            .values((posts_meta::post_id.eq(post_id), values))
            .execute(conn)?;
    }
    Ok(())
}

/// Applies `changes` (and new image and social fields, and new links, when given) to
/// `current`, unless its version moved meanwhile, and counts a new version; answers the row
/// as it now is. `plaintext` is the new text's, given exactly when the text changes. Run
/// inside a write transaction.
pub fn update(
    conn: &mut DbConn,
    current: &PostRow,
    changes: PostChanges,
    plaintext: Option<&str>,
    meta: Option<&PostMeta>,
    relations: &Relations,
    now: NaiveDateTime,
) -> ApiResult<PostRow> {
    let (id, version) = (&current.id, current.version);
    let updated = diesel::update(posts::table.find(id).filter(posts::version.eq(version)))
        .set((
            &changes,
            posts::version.eq(version + 1),
            posts::updated_at.eq(now),
        ))
        .execute(conn)?;
    if updated == 0 {
        return Err(stale());
    }
    debug_assert_eq!(changes.changes_text(), plaintext.is_some());
    let text = if let Some(plaintext) = plaintext {
        TextWrite::Update(plaintext)
    } else if changes.changes_words() {
        TextWrite::Words
    } else {
        TextWrite::Unchanged
    };
    let moved = changes.changes_date(current);
    let row = changes.applied_to(current.clone(), version + 1, now);
    write_text(conn, (&row).into(), text, moved)?;
    if let Some(meta) = meta {
        write_meta(conn, id, meta)?;
    }
    if let Some(authors) = &relations.authors {
        diesel::delete(posts_authors::table.filter(posts_authors::post_id.eq(id))).execute(conn)?;
        link_authors(conn, id, authors)?;
    }
    if let Some(tags) = &relations.tags {
        diesel::delete(posts_tags::table.filter(posts_tags::post_id.eq(id))).execute(conn)?;
        link_tags(conn, id, tags)?;
    }
    Ok(row)
}

/// Deletes the post; its bodies, bylines and tag links go with it, and so does its entry in
/// the search index.
pub fn delete(conn: &mut DbConn, id: &PostId) -> ApiResult<()> {
    if conn.backend() == Backend::Sqlite {
        forget_entry(conn, id.as_str())?;
    }
    diesel::delete(posts::table.find(id)).execute(conn)?;
    Ok(())
}

/// SQLite: removes the search entry of the post `id`.
fn forget_entry(conn: &mut DbConn, id: &str) -> QueryResult<usize> {
    diesel::sql_query(
        "DELETE FROM posts_fts WHERE rowid = (SELECT search_key FROM posts WHERE id = ?)",
    )
    .bind::<Text, _>(id)
    .execute(conn)
}

/// What a write does to a post's bodies and search entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextWrite<'a> {
    /// A new post, with its plain text: its bodies and entry are made.
    Insert(&'a str),
    /// The text changed to this plain text: the bodies are written and the entry made again.
    Update(&'a str),
    /// Only the title or excerpt changed: the bodies stay, and on PostgreSQL so do the text's
    /// words in the vector (see the post_bodies migration); SQLite's index can only take a
    /// row whole, so it takes this one again, its plain text made from the Markdown.
    Words,
    /// None of it changed.
    Unchanged,
}

/// Writes a post's bodies and search entry, as `write` says, after the post's row: the search
/// index is Folio's to keep (see the post_bodies migrations), in the same transaction as the
/// row it indexes. One statement on PostgreSQL, where the vector sits beside the bodies. On
/// SQLite, whose index is a table of its own, one for the entry, and one more for the bodies
/// when they are written, packed (`db::text`); a new post, or one that `moved` in the lists'
/// order (its date changed), first takes its key there (see [`SearchKey`]), its old entry
/// forgotten: one or two more.
pub fn write_text(
    conn: &mut DbConn,
    text: PostText<'_>,
    write: TextWrite<'_>,
    moved: bool,
) -> QueryResult<()> {
    match conn.backend() {
        Backend::Postgres => {
            let (statement, plaintext) = match write {
                TextWrite::Insert(plaintext) => (
                    "INSERT INTO post_bodies (post_id, markdown, html, search) \
                     VALUES ($1, $2, $3, posts_search_vector($5, $6, $4))",
                    plaintext,
                ),
                TextWrite::Update(plaintext) => (
                    "UPDATE post_bodies SET markdown = $2, html = $3, \
                     search = posts_search_vector($5, $6, $4) WHERE post_id = $1",
                    plaintext,
                ),
                TextWrite::Words => {
                    diesel::sql_query(
                        "UPDATE post_bodies SET search = posts_search_retitled(search, $2, $3) \
                         WHERE post_id = $1",
                    )
                    .bind::<Text, _>(text.id)
                    .bind::<Text, _>(text.title)
                    .bind::<Text, _>(text.excerpt)
                    .execute(conn)?;
                    return Ok(());
                }
                TextWrite::Unchanged => return Ok(()),
            };
            diesel::sql_query(statement)
                .bind::<Text, _>(text.id)
                .bind::<Text, _>(text.markdown)
                .bind::<Text, _>(text.html)
                .bind::<Text, _>(plaintext)
                .bind::<Text, _>(text.title)
                .bind::<Text, _>(text.excerpt)
                .execute(conn)?;
        }
        Backend::Sqlite => {
            let bodies = match write {
                TextWrite::Insert(_) => {
                    Some("INSERT INTO post_bodies (post_id, markdown, html) VALUES (?, ?, ?)")
                }
                TextWrite::Update(_) => {
                    Some("UPDATE post_bodies SET markdown = ?2, html = ?3 WHERE post_id = ?1")
                }
                TextWrite::Words | TextWrite::Unchanged => None,
            };
            if let Some(statement) = bodies {
                diesel::sql_query(statement)
                    .bind::<Text, _>(text.id)
                    .bind::<Binary, _>(db::text::pack(text.markdown))
                    .bind::<Binary, _>(db::text::pack(text.html))
                    .execute(conn)?;
            }
            let new = matches!(write, TextWrite::Insert(_));
            if write == TextWrite::Unchanged && !moved {
                return Ok(());
            }
            let derived;
            let plaintext = match write {
                TextWrite::Insert(plaintext) | TextWrite::Update(plaintext) => plaintext,
                TextWrite::Words | TextWrite::Unchanged => {
                    derived = crate::content::markdown::plaintext(text.markdown);
                    derived.as_str()
                }
            };
            if moved && !new {
                forget_entry(conn, text.id)?;
            }
            if new || moved {
                take_key(conn, &text)?;
            }
            // Every entry is written in place of whatever has its key: an entry left by a
            // post removed behind Folio's back (the index is contentless, so only Folio can
            // remove one) gives way to the post that now has the key. No key, no entry: the
            // row is missing, or its second had no key left to take.
            let written = diesel::sql_query(
                "INSERT OR REPLACE INTO posts_fts (rowid, title, excerpt, plaintext) \
                 SELECT search_key, ?, ?, ? FROM posts \
                 WHERE id = ? AND search_key IS NOT NULL",
            )
            .bind::<Text, _>(text.title)
            .bind::<Text, _>(text.excerpt)
            .bind::<Text, _>(plaintext)
            .bind::<Text, _>(text.id)
            .execute(conn)?;
            if written == 0 {
                return Err(unindexed(text.id));
            }
        }
    }
    Ok(())
}

/// SQLite: gives the post of `text` the next free key of its second in the lists' order, or
/// none when the second has no key left (then [`write_text`] finds no key and fails). Writers
/// are one at a time, so no other can take the same key meanwhile.
fn take_key(conn: &mut DbConn, text: &PostText<'_>) -> QueryResult<()> {
    let first = SearchKey::second(text.kind, text.published_at, text.created_at);
    diesel::sql_query(
        "UPDATE posts SET search_key = (\
             SELECT CASE WHEN max(search_key) IS NULL THEN ?1 \
                         WHEN max(search_key) < ?2 THEN max(search_key) + 1 END \
             FROM posts WHERE search_key BETWEEN ?1 AND ?2) \
         WHERE id = ?3",
    )
    .bind::<BigInt, _>(first)
    .bind::<BigInt, _>(SearchKey::last_of_second(first))
    .bind::<Text, _>(text.id)
    .execute(conn)?;
    Ok(())
}

/// A post the search index cannot take: its row is missing, or the second it stands at has
/// no key left (a million posts of one kind dated the same second, or times outside
/// 1970–2106, which count as their nearest end).
fn unindexed(id: &str) -> diesel::result::Error {
    diesel::result::Error::QueryBuilderError(
        format!("post {id} has no place left in the search index's order").into(),
    )
}

/// SQLite: gives every post without a key its key and search entry, as after the migration
/// that keyed the index by the lists' order, in batches of `batch` posts, each its own
/// transaction, so that a stopped run goes on where it was; answers how many it indexed.
/// PostgreSQL has nothing to do.
pub fn index_unkeyed(conn: &mut DbConn, batch: i64) -> ApiResult<u64> {
    if conn.backend() != Backend::Sqlite {
        return Ok(0);
    }
    let mut indexed = 0;
    loop {
        let rows: Vec<PostRow> = posts::table
            .filter(sql::<Bool>("posts.search_key IS NULL"))
            .select(columns_for(&PostShape {
                html: false,
                markdown: true,
                plaintext: false,
                authors: false,
                tags: false,
            }))
            .limit(batch)
            .load(conn)?;
        if rows.is_empty() {
            return Ok(indexed);
        }
        db::write_transaction(conn, |conn| -> ApiResult<()> {
            for row in &rows {
                write_text(conn, row.into(), TextWrite::Unchanged, true)?;
            }
            Ok(())
        })?;
        indexed += rows.len() as u64;
        tracing::info!(indexed, "search index: posts keyed");
    }
}
