//! The feed and sitemap endpoints, at the addresses feed readers and search engines look
//! for (Ghost's): `/rss/`, `/atom.xml`, the same under `/tag/{slug}/` and `/author/{slug}/`,
//! and `/sitemap.xml` with its parts. Anyone reads them, with or without a content key.

use actix_web::http::header::LastModified;
use actix_web::{HttpRequest, HttpResponse, get, web};
use chrono::NaiveDateTime;
use utoipa_actix_web::service_config::ServiceConfig;

use super::service::{self, Scope};
use super::view;
use crate::db::{Db, now, utc};
use crate::error::ApiResult;
use crate::http::caching::{CacheValidators, NotModified};
use crate::http::extract::PathSegment;
use crate::http::problem::Problem;
use crate::http::{self as h};

/// The feeds' and sitemaps' paths, which the route table serves to anyone from the shared
/// cache (see `crate::routes::table`).
pub const PATHS: [&str; 8] = [
    "/rss/",
    "/atom.xml",
    "/tag/{slug}/rss/",
    "/tag/{slug}/atom.xml",
    "/author/{slug}/rss/",
    "/author/{slug}/atom.xml",
    "/sitemap.xml",
    "/sitemap-{part}.xml",
];

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(site_rss)
        .service(site_atom)
        .service(tag_rss)
        .service(tag_atom)
        .service(author_rss)
        .service(author_atom)
        .service(sitemap_index)
        .service(sitemap);
}

const RSS: &str = "application/rss+xml; charset=utf-8";
const ATOM: &str = "application/atom+xml; charset=utf-8";
const XML: &str = "application/xml; charset=utf-8";

#[derive(Clone, Copy)]
enum Format {
    Rss,
    Atom,
}

async fn feed(req: HttpRequest, db: &Db, scope: Scope, format: Format) -> ApiResult<HttpResponse> {
    let now = now();
    let feed = db.run(move |conn| service::feed(conn, &scope, now)).await?;
    // On the site's address, as the settings give it, never as the request's headers claim:
    // the answer is cached for everyone, and a forged Host must not move anyone's feed.
    let self_url = format!("{}{}", feed.site_url, req.path());
    let updated = feed.updated;
    let (body, content_type) = match format {
        Format::Rss => (view::rss(feed, &self_url)?, RSS),
        Format::Atom => (view::atom(feed, &self_url)?, ATOM),
    };
    Ok(xml(content_type, body, Some(updated)))
}

/// An XML answer, last changed at `updated`.
fn xml(content_type: &str, body: String, updated: Option<NaiveDateTime>) -> HttpResponse {
    let mut response = HttpResponse::Ok();
    response.content_type(content_type);
    if let Some(updated) = updated {
        response.insert_header(LastModified(h::http_date(utc(updated))));
    }
    response.body(body)
}

/// One route per feed, each documented alike: `$path` with its `[$params]` (besides the
/// cache validators) and `[$args]` (besides the request and the database), following
/// `$scope` in `$format`, `404` when `$missing`.
macro_rules! feed_route {
    ($name:ident, $path:literal, $id:literal, $summary:literal, $media:ident, $format:expr,
     $missing:literal, [$($params:tt)*], [$($args:tt)*], $scope:expr) => {
        #[doc = $summary]
        ///
        /// The newest 20 live posts (pages and internal tags left out; posts for members with
        /// their excerpt only), with absolute addresses from the site's `url`. Public: feed
        /// readers send no key. Cached like every public read.
        #[utoipa::path(
            operation_id = $id,
            tag = "feeds",
            params(CacheValidators $($params)*),
            responses(
                NotModified,
                (status = 200, description = "The feed", body = String, content_type = $media),
                (status = 404, description = $missing, body = Problem, content_type = "application/problem+json"),
            ),
            security(())
        )]
        #[get($path)]
        async fn $name(
            req: HttpRequest,
            db: web::Data<Db>,
            $($args)*
        ) -> ApiResult<HttpResponse> {
            feed(req, &db, $scope, $format).await
        }
    };
}

feed_route!(
    site_rss,
    "/rss/",
    "getRssFeed",
    "The site's RSS 2.0 feed.",
    RSS,
    Format::Rss,
    "The settings name no site `url`",
    [],
    [],
    Scope::Site
);
feed_route!(
    site_atom,
    "/atom.xml",
    "getAtomFeed",
    "The site's Atom feed.",
    ATOM,
    Format::Atom,
    "The settings name no site `url`",
    [],
    [],
    Scope::Site
);
feed_route!(tag_rss, "/tag/{slug}/rss/", "getTagRssFeed", "A tag's RSS 2.0 feed.", RSS,
    Format::Rss, "No such tag has a post, or the settings name no site `url`", [, ("slug" = String, Path, description = "The tag's slug")],
    [slug: web::Path<PathSegment>], Scope::Tag(slug.into_inner().0));
feed_route!(tag_atom, "/tag/{slug}/atom.xml", "getTagAtomFeed", "A tag's Atom feed.", ATOM,
    Format::Atom, "No such tag has a post, or the settings name no site `url`", [, ("slug" = String, Path, description = "The tag's slug")],
    [slug: web::Path<PathSegment>], Scope::Tag(slug.into_inner().0));
feed_route!(author_rss, "/author/{slug}/rss/", "getAuthorRssFeed", "An author's RSS 2.0 feed.",
    RSS, Format::Rss, "No such author has a post, or the settings name no site `url`", [, ("slug" = String, Path, description = "The author's slug")],
    [slug: web::Path<PathSegment>], Scope::Author(slug.into_inner().0));
feed_route!(author_atom, "/author/{slug}/atom.xml", "getAuthorAtomFeed",
    "An author's Atom feed.", ATOM, Format::Atom, "No such author has a post, or the settings name no site `url`",
    [, ("slug" = String, Path, description = "The author's slug")],
    [slug: web::Path<PathSegment>], Scope::Author(slug.into_inner().0));

/// The sitemap index.
///
/// The sitemaps of the site's pages (the home page first), posts, tags and authors, as
/// readers see them, each split into parts of at most 50,000 addresses
/// (`sitemap-posts.xml`, `sitemap-posts-2.xml`, …). Public, and cached like every public read.
#[utoipa::path(
    operation_id = "getSitemapIndex",
    tag = "feeds",
    params(CacheValidators),
    responses(
        NotModified,
        (status = 200, description = "The sitemap index", body = String, content_type = "application/xml"),
        (status = 404, description = "The settings name no site `url`", body = Problem, content_type = "application/problem+json"),
    ),
    security(())
)]
#[get("/sitemap.xml")]
async fn sitemap_index(db: web::Data<Db>) -> ApiResult<HttpResponse> {
    let now = now();
    let sitemaps = db.run(move |conn| service::index(conn, now)).await?;
    let updated = sitemaps.iter().filter_map(|s| s.updated).max();
    Ok(xml(XML, view::sitemap_index(&sitemaps)?, updated))
}

/// One sitemap the index names.
///
/// `pages`, `posts`, `tags` or `authors`, and from the second part on a number
/// (`posts-2`). Posts whose canonical address is on another site are left out. Public, and
/// cached like every public read.
#[utoipa::path(
    operation_id = "getSitemap",
    tag = "feeds",
    params(CacheValidators,
        ("part" = String, Path, description = "`pages`, `posts`, `tags` or `authors`, then `-2`, `-3`… past 50,000 addresses", example = "posts")),
    responses(
        NotModified,
        (status = 200, description = "The sitemap", body = String, content_type = "application/xml"),
        (status = 404, description = "The index names no such sitemap, or the settings name no site `url`", body = Problem, content_type = "application/problem+json"),
    ),
    security(())
)]
#[get("/sitemap-{part}.xml")]
async fn sitemap(db: web::Data<Db>, part: web::Path<PathSegment>) -> ApiResult<HttpResponse> {
    let (now, part) = (now(), part.into_inner().0);
    let located = db
        .run(move |conn| service::sitemap(conn, &part, now))
        .await?;
    let updated = located.iter().map(|l| l.updated).max();
    Ok(xml(XML, view::url_set(&located)?, updated))
}
