//! The Ghost Content API's routes under `/ghost/api/content/`, GET only, trailing slash and
//! all: posts, pages, authors and tags (browse, by id, by slug), the settings, and truthful
//! empty answers for what Folio has none of (tiers, newsletters, recommendations, offers).
//! The key, the legacy prefixes, CORS and Ghost's headers and errors are [`super::edge`]'s.

use actix_web::{HttpRequest, HttpResponse, guard, web};
use serde::Serialize;

use super::query::{Browse, Params, Shape};
use super::service;
use super::storage::Key;
use super::view::{self, ReadBy};
use crate::db::{Db, now};
use crate::error::{ApiError, ApiResult, FieldError};
use crate::posts::model::PostKind;
use crate::site::Site;

/// Where the API is, without its legacy version prefixes.
pub const PREFIX: &str = "/ghost/api/content";

/// The paths of every read, which the route table serves from the shared cache (the key is
/// checked before, by the edge).
pub const PATHS: [&str; 19] = [
    "/ghost/api/content/posts/",
    "/ghost/api/content/posts/{id}/",
    "/ghost/api/content/posts/slug/{slug}/",
    "/ghost/api/content/pages/",
    "/ghost/api/content/pages/{id}/",
    "/ghost/api/content/pages/slug/{slug}/",
    "/ghost/api/content/authors/",
    "/ghost/api/content/authors/{id}/",
    "/ghost/api/content/authors/slug/{slug}/",
    "/ghost/api/content/tags/",
    "/ghost/api/content/tags/{id}/",
    "/ghost/api/content/tags/slug/{slug}/",
    "/ghost/api/content/settings/",
    "/ghost/api/content/tiers/",
    "/ghost/api/content/newsletters/",
    "/ghost/api/content/recommendations/",
    "/ghost/api/content/search-index/posts/",
    "/ghost/api/content/search-index/authors/",
    "/ghost/api/content/search-index/tags/",
];

pub fn routes(cfg: &mut web::ServiceConfig) {
    let mut scope = web::scope(PREFIX);
    for collection in [
        Collection::Posts(PostKind::Post),
        Collection::Posts(PostKind::Page),
        Collection::Named(Named::Authors),
        Collection::Named(Named::Tags),
    ] {
        let path = collection.path();
        scope = scope
            .route(
                &format!("/{path}/"),
                read().to(move |req: HttpRequest, db: web::Data<Db>| browse(req, db, collection)),
            )
            .route(
                &format!("/{path}/slug/{{slug}}/"),
                read().to(
                    move |req: HttpRequest, db: web::Data<Db>, slug: web::Path<String>| async move {
                        one(req, db, collection, Key::Slug(slug.into_inner())).await
                    },
                ),
            )
            .route(
                &format!("/{path}/{{id}}/"),
                read().to(
                    move |req: HttpRequest, db: web::Data<Db>, id: web::Path<String>| async move {
                        one(req, db, collection, id_of(id.into_inner())?).await
                    },
                ),
            );
    }
    cfg.service(
        scope
            .route("/settings/", read().to(settings))
            .route("/tiers/", read().to(tiers))
            .route("/newsletters/", read().to(newsletters))
            .route("/recommendations/", read().to(recommendations))
            .route("/search-index/posts/", read().to(search_posts))
            .route("/search-index/authors/", read().to(search_authors))
            .route("/search-index/tags/", read().to(search_tags)),
    );
}

/// What a browse or read is of.
#[derive(Clone, Copy)]
enum Collection {
    Posts(PostKind),
    Named(Named),
}

impl Collection {
    fn path(self) -> &'static str {
        match self {
            Collection::Posts(kind) => kind_names(kind).0,
            Collection::Named(named) => named.names().0,
        }
    }
}

async fn browse(
    req: HttpRequest,
    db: web::Data<Db>,
    collection: Collection,
) -> ApiResult<HttpResponse> {
    match collection {
        Collection::Posts(kind) => browse_of(req, db, kind).await,
        Collection::Named(named) => browse_named(req, db, named).await,
    }
}

async fn one(
    req: HttpRequest,
    db: web::Data<Db>,
    collection: Collection,
    key: Key,
) -> ApiResult<HttpResponse> {
    match collection {
        Collection::Posts(kind) => read_of(req, db, kind, key).await,
        Collection::Named(named) => read_named(req, db, named, key).await,
    }
}

/// A route for `GET` and `HEAD` (whose body actix leaves out).
fn read() -> actix_web::Route {
    web::route().guard(guard::Any(guard::Get()).or(guard::Head()))
}

/// Ghost's JSON.
fn json(body: &impl Serialize) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok()
        .content_type("application/json; charset=utf-8")
        .body(serde_json::to_vec(body).map_err(ApiError::internal)?))
}

/// An id as a read takes it: Folio's (a UUID) or Ghost's (24 hex digits, for ids kept from
/// a Ghost site); anything else is Ghost's `422`.
fn id_of(id: String) -> ApiResult<Key> {
    let ghost = id.len() == 24 && id.bytes().all(|b| b.is_ascii_hexdigit());
    if ghost || uuid::Uuid::try_parse(&id).is_ok() {
        Ok(Key::Id(id))
    } else {
        Err(ApiError::Validation(vec![FieldError::new(
            "id",
            "invalid",
            "Validation (matches) failed for id",
        )]))
    }
}

fn kind_names(kind: PostKind) -> (&'static str, &'static str) {
    match kind {
        PostKind::Post => ("posts", "Post not found."),
        PostKind::Page => ("pages", "Page not found."),
    }
}

async fn browse_of(req: HttpRequest, db: web::Data<Db>, kind: PostKind) -> ApiResult<HttpResponse> {
    let params = Params::parse(req.query_string());
    let browse = Browse::parse(&params)?;
    let shape = Shape::parse(&params);
    let now = now();
    let (found, site) = {
        let (browse, shape) = (browse.clone(), shape.clone());
        db.run(move |conn| service::browse_posts(conn, kind, &browse, &shape, now))
            .await?
    };
    let site = site.rooted();
    let items = found
        .rows
        .into_iter()
        .map(|post| view::post(post, kind, &shape, &site, ReadBy::Browse))
        .collect();
    json(&view::browse(
        kind_names(kind).0,
        items,
        browse.page,
        browse.limit,
        found.total,
    ))
}

async fn read_of(
    req: HttpRequest,
    db: web::Data<Db>,
    kind: PostKind,
    key: Key,
) -> ApiResult<HttpResponse> {
    let shape = Shape::parse(&Params::parse(req.query_string()));
    let now = now();
    let by = ReadBy::from(&key);
    let (post, site) = {
        let shape = shape.clone();
        db.run(move |conn| service::read_post(conn, kind, key, &shape, now))
            .await?
    };
    let (resource, missing) = kind_names(kind);
    let post = post.ok_or_else(|| ApiError::NotFound(missing.to_owned()))?;
    json(&view::read(
        resource,
        view::post(post, kind, &shape, &site.rooted(), by),
    ))
}

/// Authors or tags: which, and how each is shown.
#[derive(Clone, Copy)]
enum Named {
    Authors,
    Tags,
}

impl Named {
    fn names(self) -> (&'static str, &'static str) {
        match self {
            Named::Authors => ("authors", "Author not found."),
            Named::Tags => ("tags", "Tag not found."),
        }
    }
}

async fn browse_named(
    req: HttpRequest,
    db: web::Data<Db>,
    named: Named,
) -> ApiResult<HttpResponse> {
    let params = Params::parse(req.query_string());
    let browse = Browse::parse(&params)?;
    let shape = Shape::parse(&params);
    let now = now();
    let b = browse.clone();
    let counts = shape.counts_posts;
    let (items, total): (Vec<_>, i64) = match named {
        Named::Tags => {
            let (found, site) = db
                .run(move |conn| service::browse_tags(conn, &b, counts, now))
                .await?;
            let site = site.rooted();
            let items = found
                .rows
                .into_iter()
                .map(|t| view::counted_tag(t, &shape, &site, ReadBy::Browse))
                .collect();
            (items, found.total)
        }
        Named::Authors => {
            let (found, site) = db
                .run(move |conn| service::browse_authors(conn, &b, counts, now))
                .await?;
            let site = site.rooted();
            let items = found
                .rows
                .into_iter()
                .map(|a| view::counted_author(a, &shape, &site, ReadBy::Browse))
                .collect();
            (items, found.total)
        }
    };
    json(&view::browse(
        named.names().0,
        items,
        browse.page,
        browse.limit,
        total,
    ))
}

async fn read_named(
    req: HttpRequest,
    db: web::Data<Db>,
    named: Named,
    key: Key,
) -> ApiResult<HttpResponse> {
    let shape = Shape::parse(&Params::parse(req.query_string()));
    let now = now();
    let by = ReadBy::from(&key);
    let counts = shape.counts_posts;
    let (resource, missing) = named.names();
    let item = match named {
        Named::Tags => {
            let (tag, site) = db
                .run(move |conn| service::read_tag(conn, key, counts, now))
                .await?;
            tag.map(|t| view::counted_tag(t, &shape, &site.rooted(), by))
        }
        Named::Authors => {
            let (author, site) = db
                .run(move |conn| service::read_author(conn, key, counts, now))
                .await?;
            author.map(|a| view::counted_author(a, &shape, &site.rooted(), by))
        }
    };
    let item = item.ok_or_else(|| ApiError::NotFound(missing.to_owned()))?;
    json(&view::read(resource, item))
}

async fn settings(db: web::Data<Db>) -> ApiResult<HttpResponse> {
    let (settings, site) = db
        .run(|conn| {
            let (settings, _, changed_at) = crate::site::load_settings(conn)?;
            let site = Site::of(&settings, changed_at);
            Ok((settings, site))
        })
        .await?;
    json(&view::settings(&settings, &site))
}

/// Folio has no paid tiers: every reader reads for free, and no tier is offered.
async fn tiers() -> ApiResult<HttpResponse> {
    json(&view::nothing("tiers", 15))
}

/// Folio sends no newsletters.
async fn newsletters() -> ApiResult<HttpResponse> {
    json(&view::nothing("newsletters", 15))
}

/// Folio recommends no other sites.
async fn recommendations() -> ApiResult<HttpResponse> {
    json(&view::nothing("recommendations", 5))
}

async fn search_posts(db: web::Data<Db>) -> ApiResult<HttpResponse> {
    let now = now();
    let (entries, site) = db
        .run(move |conn| service::search_index_posts(conn, now))
        .await?;
    json(&view::search_posts(entries, &site.rooted()))
}

async fn search_authors(db: web::Data<Db>) -> ApiResult<HttpResponse> {
    let now = now();
    let (authors, site) = db
        .run(move |conn| service::search_index_authors(conn, now))
        .await?;
    json(&view::search_authors(authors, &site.rooted()))
}

async fn search_tags(db: web::Data<Db>) -> ApiResult<HttpResponse> {
    let (tags, site) = db.run(service::search_index_tags).await?;
    json(&view::search_tags(tags, &site.rooted()))
}
