//! What feeds and sitemaps read: the newest live posts of the site, a tag or an author, and
//! the addresses of everything live, a sitemap's worth at a time.

use chrono::NaiveDateTime;
use diesel::dsl::{count_star, exists, max};
use diesel::prelude::*;

use crate::db::live::live;
use crate::db::page::{Direction, Mode, PageRequest};
use crate::db::schema::{authors, posts, posts_authors, posts_tags, tags};
use crate::db::{DbConn, MultiBackend, like_literal};
use crate::error::ApiResult;
use crate::posts::model::{PostKind, PostRecord};
use crate::posts::policy::ReadScope;
use crate::posts::query::{PostListQuery, PostShape, PostSort};
use crate::posts::storage as post_storage;

/// Live posts (not pages: Ghost's count) through a link table, as the ids it links them to.
macro_rules! linked_to_live_posts {
    ($links:ident, $column:ident, $now:expr) => {
        $links::table
            .inner_join(posts::table)
            .filter(posts::kind.eq("post"))
            .filter(live($now))
            .select($links::$column)
    };
}

/// The newest `limit` live posts, of the tag or author `narrow` names if any: the very query
/// the posts list makes for `?tag=` and `?author=`.
pub fn latest(
    conn: &mut DbConn,
    tag: Option<&str>,
    author: Option<&str>,
    limit: i64,
    now: NaiveDateTime,
) -> ApiResult<Vec<PostRecord>> {
    let query = PostListQuery {
        page: PageRequest {
            limit,
            mode: Mode::Keyset {
                from: None,
                count: false,
            },
        },
        tags: tag.map(str::to_owned).into_iter().collect(),
        authors: author.map(str::to_owned).into_iter().collect(),
        featured: None,
        visibility: None,
        status: None,
        published_after: None,
        published_before: None,
        search: None,
        sort: vec![
            (PostSort::PublishedAt, Direction::Desc),
            (PostSort::Id, Direction::Desc),
        ],
        shape: PostShape {
            html: true,
            markdown: false,
            plaintext: false,
            authors: true,
            tags: true,
        },
    };
    let (records, _) = post_storage::list(conn, PostKind::Post, &ReadScope::Live, &query, now)?;
    Ok(records)
}

/// A public tag's or author's name, if it has a live post (readers see no other). Asked of
/// one tag or author by its id, so a feed does not gather the links of every live post.
pub fn live_name(
    conn: &mut DbConn,
    what: Listed,
    slug: &str,
    now: NaiveDateTime,
) -> ApiResult<Option<String>> {
    let found: Option<(String, String)> = match what {
        Listed::Tags => tags::table
            .filter(tags::slug.eq(slug))
            .filter(tags::visibility.eq("public"))
            .select((tags::id, tags::name))
            .first(conn)
            .optional()?,
        Listed::Authors => authors::table
            .filter(authors::slug.eq(slug))
            .select((authors::id, authors::name))
            .first(conn)
            .optional()?,
        Listed::Posts | Listed::Pages => None,
    };
    let Some((id, name)) = found else {
        return Ok(None);
    };
    let live: bool = match what {
        Listed::Tags => diesel::select(exists(
            linked_to_live_posts!(posts_tags, tag_id, now).filter(posts_tags::tag_id.eq(&id)),
        ))
        .get_result(conn)?,
        _ => diesel::select(exists(
            linked_to_live_posts!(posts_authors, author_id, now)
                .filter(posts_authors::author_id.eq(&id)),
        ))
        .get_result(conn)?,
    };
    Ok(live.then_some(name))
}

/// What a sitemap lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Listed {
    Posts,
    Pages,
    Tags,
    Authors,
}

/// One address of a sitemap, before the site makes it a URL.
#[derive(Debug, Clone)]
pub struct Entry {
    pub slug: String,
    pub updated_at: NaiveDateTime,
    /// What a post's or page's permalink may name, and its canonical address.
    pub post: Option<PostKeys>,
}

#[derive(Debug, Clone)]
pub struct PostKeys {
    pub id: String,
    pub uuid: String,
    pub published_at: Option<NaiveDateTime>,
    pub canonical_url: Option<String>,
}

/// How many addresses `what` has, and when the newest of them changed.
pub fn extent(
    conn: &mut DbConn,
    what: Listed,
    site_url: &str,
    now: NaiveDateTime,
) -> ApiResult<(i64, Option<NaiveDateTime>)> {
    Ok(match what {
        Listed::Posts | Listed::Pages => live_of(what, site_url, now)
            .select((count_star(), max(posts::updated_at)))
            .first(conn)?,
        Listed::Tags => public_tags(now)
            .select((count_star(), max(tags::updated_at)))
            .first(conn)?,
        Listed::Authors => bylined(now)
            .select((count_star(), max(authors::updated_at)))
            .first(conn)?,
    })
}

/// `limit` addresses of `what` from `offset`: posts newest first, tags and authors by slug.
pub fn entries(
    conn: &mut DbConn,
    what: Listed,
    site_url: &str,
    now: NaiveDateTime,
    offset: i64,
    limit: i64,
) -> ApiResult<Vec<Entry>> {
    let named = |rows: Vec<(String, NaiveDateTime)>| {
        rows.into_iter()
            .map(|(slug, updated_at)| Entry {
                slug,
                updated_at,
                post: None,
            })
            .collect()
    };
    Ok(match what {
        Listed::Posts | Listed::Pages => {
            type Row = (
                String,
                String,
                String,
                Option<NaiveDateTime>,
                NaiveDateTime,
                Option<String>,
            );
            let rows: Vec<Row> = live_of(what, site_url, now)
                .order((posts::published_at.desc(), posts::id.desc()))
                .select((
                    posts::id,
                    posts::uuid,
                    posts::slug,
                    posts::published_at,
                    posts::updated_at,
                    posts::canonical_url,
                ))
                .offset(offset)
                .limit(limit)
                .load(conn)?;
            rows.into_iter()
                .map(
                    |(id, uuid, slug, published_at, updated_at, canonical_url)| Entry {
                        slug,
                        updated_at,
                        post: Some(PostKeys {
                            id,
                            uuid,
                            published_at,
                            canonical_url,
                        }),
                    },
                )
                .collect()
        }
        Listed::Tags => named(
            public_tags(now)
                .order(tags::slug.asc())
                .select((tags::slug, tags::updated_at))
                .offset(offset)
                .limit(limit)
                .load(conn)?,
        ),
        Listed::Authors => named(
            bylined(now)
                .order(authors::slug.asc())
                .select((authors::slug, authors::updated_at))
                .offset(offset)
                .limit(limit)
                .load(conn)?,
        ),
    })
}

/// Live posts or pages whose canonical address, if they name one, is on this site: one
/// published first elsewhere belongs in that site's sitemap, not this one's.
fn live_of(
    what: Listed,
    site_url: &str,
    now: NaiveDateTime,
) -> posts::BoxedQuery<'static, MultiBackend> {
    let kind = if what == Listed::Pages {
        "page"
    } else {
        "post"
    };
    let own = format!("{}/%", like_literal(site_url));
    posts::table
        .filter(posts::kind.eq(kind))
        .filter(live(now))
        .filter(
            posts::canonical_url
                .is_null()
                .or(posts::canonical_url.like(own).escape('\\')),
        )
        .into_boxed()
}

/// Public tags with a live post: the tags readers see.
fn public_tags(now: NaiveDateTime) -> tags::BoxedQuery<'static, MultiBackend> {
    tags::table
        .filter(tags::visibility.eq("public"))
        .filter(tags::id.eq_any(linked_to_live_posts!(posts_tags, tag_id, now)))
        .into_boxed()
}

/// Authors with a live post: the authors readers see.
fn bylined(now: NaiveDateTime) -> authors::BoxedQuery<'static, MultiBackend> {
    authors::table
        .filter(authors::id.eq_any(linked_to_live_posts!(posts_authors, author_id, now)))
        .into_boxed()
}
