//! The posts and pages endpoints: the same operations under `/posts` and `/pages`, stamped
//! out by one macro ([`post_routes!`]) over handlers written once for any [`Kind`], so the
//! two cannot drift apart; and the read of a preview link, which shows either.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, web};
use serde::Serialize;
use utoipa_actix_web::service_config::ServiceConfig;

use super::input::{NewPostInput, PostPatch};
use super::model::{PostKind, PostRecord};
use super::policy::{self, ReadScope};
use super::query::{PostItemParams, PostListParams, PostListQuery, PostShape, RevisionListParams};
use super::service::{self, Editorial};
use super::storage;
use super::view::{
    Page, Post, Preview, PreviewLink, RestoredPage, RestoredPost, Revision, RevisionSummary, Seen,
};
use crate::auth::{Caller, Staff};
use crate::db::{Db, DbConn, now};
use crate::error::{ApiError, ApiResult, FieldError};
use crate::http::caching::{CacheValidators, NotModified};
use crate::http::conditional::{IfMatch, expected};
use crate::http::cursor::Cursors;
use crate::http::extract::{JsonBody, PathSegment, Query};
use crate::http::pagination::ListResponse;
use crate::http::problem::Problem;
use crate::http::problem::responses::{
    BodyRejected, SignInRequired, TokenRejected, VersionRejected,
};
use crate::http::{self as h, Modified};
use crate::ids::PostId;
use crate::site::Site;

/// One kind of post as its endpoints serve it.
pub trait Kind: 'static {
    const KIND: PostKind;
    /// The name of the route that reads one by id, for `Location`.
    const GET_ROUTE: &'static str;
    /// The name of the route that reads one by slug, for redirects from a former slug.
    const BY_SLUG_ROUTE: &'static str;
    type View: Serialize + Modified;
    type Restored: Serialize;

    fn view(record: PostRecord, seen: &Seen, shape: &PostShape) -> Self::View;
    fn restored(view: Self::View, warnings: Vec<FieldError>) -> Self::Restored;
}

pub struct Posts;
pub struct Pages;

impl Kind for Posts {
    const KIND: PostKind = PostKind::Post;
    const GET_ROUTE: &'static str = "getPost";
    const BY_SLUG_ROUTE: &'static str = "getPostBySlug";
    type View = Post;
    type Restored = RestoredPost;

    fn view(record: PostRecord, seen: &Seen, shape: &PostShape) -> Post {
        Post::view(record, seen, shape)
    }

    fn restored(data: Post, warnings: Vec<FieldError>) -> RestoredPost {
        RestoredPost { data, warnings }
    }
}

impl Kind for Pages {
    const KIND: PostKind = PostKind::Page;
    const GET_ROUTE: &'static str = "getPage";
    const BY_SLUG_ROUTE: &'static str = "getPageBySlug";
    type View = Page;
    type Restored = RestoredPage;

    fn view(record: PostRecord, seen: &Seen, shape: &PostShape) -> Page {
        Page::view(record, seen, shape)
    }

    fn restored(data: Page, warnings: Vec<FieldError>) -> RestoredPage {
        RestoredPage { data, warnings }
    }
}

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.configure(posts::routes)
        .configure(pages::routes)
        .service(read_preview);
}

/// What `load` finds, with the site's addresses: one trip to the pool.
async fn with_site<T: Send + 'static>(
    db: &Db,
    load: impl FnOnce(&mut DbConn) -> ApiResult<T> + Send + 'static,
) -> ApiResult<(T, Site)> {
    db.run(move |conn| Ok((load(conn)?, Site::load(conn)?)))
        .await
}

fn seen<'a>(caller: &Caller, site: &'a Site) -> Seen<'a> {
    Seen {
        now: now(),
        site,
        staff: matches!(caller, Caller::Staff(_)),
    }
}

/// The post, if `caller` may see it; else the same `404` as for a post that does not exist.
fn visible_to<K: Kind>(
    caller: &Caller,
    record: Option<PostRecord>,
    site: &Site,
    missing: ApiError,
    shape: &PostShape,
) -> ApiResult<HttpResponse> {
    let seen = seen(caller, site);
    let record = record
        .filter(|r| policy::may_read_record(caller, r, seen.now))
        .ok_or(missing)?;
    let version = record.row.version;
    Ok(h::one(&K::view(record, &seen, shape), version))
}

async fn list<K: Kind>(
    req: &HttpRequest,
    db: &Db,
    caller: &Caller,
    cursors: &Cursors,
    params: PostListParams,
) -> ApiResult<HttpResponse> {
    let list = PostListQuery::parse(params, cursors)?;
    let (page, shape) = (list.page.clone(), list.shape);
    let scope = ReadScope::of(caller);
    let now = now();
    let ((records, meta), site) = with_site(db, move |conn| {
        storage::list(conn, K::KIND, &scope, &list, now)
    })
    .await?;
    let seen = seen(caller, &site);
    let data = records
        .into_iter()
        .map(|r| K::view(r, &seen, &shape))
        .collect();
    Ok(h::list(req, &ListResponse::new(data, &page, meta, cursors)))
}

async fn by_id<K: Kind>(
    db: &Db,
    caller: &Caller,
    id: PathSegment,
    params: PostItemParams,
) -> ApiResult<HttpResponse> {
    let shape = PostShape::try_from(params)?;
    let id = PostId::from(id.0);
    let missing = policy::not_found(K::KIND, &id);
    let (record, site) = with_site(db, move |conn| storage::find(conn, K::KIND, &id)).await?;
    visible_to::<K>(caller, record, &site, missing, &shape)
}

async fn by_slug<K: Kind>(
    req: &HttpRequest,
    db: &Db,
    caller: &Caller,
    slug: PathSegment,
    params: PostItemParams,
) -> ApiResult<HttpResponse> {
    let shape = PostShape::try_from(params)?;
    let slug = slug.0;
    let missing = ApiError::NotFound(format!("No {} with slug `{slug}`.", K::KIND.noun()));
    let ((record, renamed), site) = with_site(db, move |conn| {
        match storage::find_by_slug(conn, K::KIND, &slug)? {
            Some(record) => Ok((Some(record), false)),
            None => Ok((storage::find_by_old_slug(conn, K::KIND, &slug)?, true)),
        }
    })
    .await?;
    match record {
        // An old link: send the reader on, but only to a post they may see.
        Some(record) if renamed => {
            if !policy::may_read_record(caller, &record, now()) {
                return Err(missing);
            }
            // The query goes along: `formats`, `include`, and a content key where one is
            // needed (the redirect is as private as the URL that asked for it).
            let query = match req.query_string() {
                "" => String::new(),
                query => format!("?{query}"),
            };
            let current = h::location(req, K::BY_SLUG_ROUTE, &record.row.slug)?;
            Ok(HttpResponse::MovedPermanently()
                .insert_header((header::LOCATION, format!("{current}{query}")))
                .finish())
        }
        record => visible_to::<K>(caller, record, &site, missing, &shape),
    }
}

/// A post just written, as its writer sees it, with its version as the `ETag`.
fn written<K: Kind>(record: PostRecord, site: &Site) -> (K::View, i64) {
    let seen = Seen {
        now: now(),
        site,
        staff: true,
    };
    let version = record.row.version;
    (K::view(record, &seen, &PostShape::default()), version)
}

async fn create<K: Kind>(
    req: &HttpRequest,
    db: &Db,
    staff: Staff,
    editorial: Editorial,
    input: NewPostInput,
) -> ApiResult<HttpResponse> {
    let (record, site) = with_site(db, move |conn| {
        service::create(conn, &staff, K::KIND, input, editorial)
    })
    .await?;
    let location = h::location(req, K::GET_ROUTE, record.row.id.as_str())?;
    let (view, version) = written::<K>(record, &site);
    Ok(h::created(&view, version, &location))
}

async fn update<K: Kind>(
    req: &HttpRequest,
    db: &Db,
    staff: Staff,
    editorial: Editorial,
    id: PathSegment,
    version: Option<i64>,
    patch: PostPatch,
) -> ApiResult<HttpResponse> {
    let expected = expected(req, version);
    let id = PostId::from(id.0);
    let (record, site) = with_site(db, move |conn| {
        service::update(conn, &staff, K::KIND, &id, expected, patch, editorial)
    })
    .await?;
    let (view, version) = written::<K>(record, &site);
    Ok(h::one(&view, version))
}

async fn delete<K: Kind>(
    db: &Db,
    staff: Staff,
    editorial: Editorial,
    id: PathSegment,
) -> ApiResult<HttpResponse> {
    let id = PostId::from(id.0);
    db.run(move |conn| service::delete(conn, &staff, K::KIND, &id, editorial))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

async fn history<K: Kind>(
    req: &HttpRequest,
    db: &Db,
    staff: Staff,
    cursors: &Cursors,
    id: PathSegment,
    params: RevisionListParams,
) -> ApiResult<HttpResponse> {
    let page = params.parse(cursors)?;
    let id = PostId::from(id.0);
    let request = page.clone();
    let (infos, meta) = db
        .run(move |conn| service::history(conn, &staff, K::KIND, &id, &request))
        .await?;
    let data = infos.into_iter().map(RevisionSummary::of).collect();
    Ok(h::list(req, &ListResponse::new(data, &page, meta, cursors)))
}

async fn revision<K: Kind>(
    db: &Db,
    staff: Staff,
    (id, number): (PathSegment, i32),
) -> ApiResult<HttpResponse> {
    let id = PostId::from(id.0);
    let (info, snapshot) = db
        .run(move |conn| service::revision(conn, &staff, K::KIND, &id, number))
        .await?;
    let revision = Revision {
        summary: RevisionSummary::of(info),
        snapshot,
    };
    Ok(HttpResponse::Ok().json(revision))
}

async fn restore<K: Kind>(
    req: &HttpRequest,
    db: &Db,
    staff: Staff,
    editorial: Editorial,
    (id, number): (PathSegment, i32),
) -> ApiResult<HttpResponse> {
    let expected = expected(req, None);
    let id = PostId::from(id.0);
    let (restored, site) = with_site(db, move |conn| {
        service::restore(conn, &staff, K::KIND, &id, number, expected, editorial)
    })
    .await?;
    let (view, version) = written::<K>(restored.record, &site);
    Ok(HttpResponse::Ok()
        .insert_header(header::ETag(crate::http::conditional::etag(version)))
        .json(K::restored(view, restored.warnings)))
}

async fn preview<K: Kind>(
    req: &HttpRequest,
    db: &Db,
    staff: Staff,
    editorial: Editorial,
    id: PathSegment,
) -> ApiResult<HttpResponse> {
    let id = PostId::from(id.0);
    let issued = db
        .run(move |conn| service::preview(conn, &staff, K::KIND, &id, editorial))
        .await?;
    let path = h::location(req, "readPreview", &issued.token)?;
    let link = PreviewLink::of(issued, path.clone());
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, path))
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .json(link))
}

/// Read a preview link.
///
/// The post or page the link shows, whatever its status, as it will look published (its
/// `url` the one it will have), to anyone who holds the link, until it expires. Never kept
/// by shared caches.
#[utoipa::path(
    operation_id = "readPreview",
    tag = "previews",
    params(("token" = String, Path, description = "The token of a preview link")),
    responses(
        (status = 200, description = "The post or page, as it will look published", body = Preview,
            headers(("Cache-Control" = String, description = "`private, no-store`: the link is the credential"))),
        (status = 404, description = "The link is unknown or has expired, or its post is gone", body = Problem, content_type = "application/problem+json"),
    ),
    security(())
)]
#[get("/preview/{token}", name = "readPreview")]
async fn read_preview(db: web::Data<Db>, token: web::Path<PathSegment>) -> ApiResult<HttpResponse> {
    let token = token.into_inner().0;
    let (record, site) = with_site(&db, move |conn| service::previewed(conn, &token)).await?;
    let seen = seen(&Caller::Anonymous, &site);
    let shape = PostShape::default();
    let preview = match record.row.kind {
        PostKind::Post => Preview::Post(Post::preview(record, &seen, &shape)),
        PostKind::Page => Preview::Page(Page::preview(record, &seen, &shape)),
    };
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .json(preview))
}

/// The endpoints of one kind of post, annotated for the document: `$kind` (a [`Kind`]) under
/// the paths and with the operation ids, tag and types given, `$one` being what one is called.
macro_rules! post_routes {
    (
        mod $module:ident for $kind:ident ($one:literal, $many:literal),
        tag: $tag:literal,
        types: ($view:ident, $list:ident, $create:ident, $update:ident, $restored:ident),
        list: ($list_path:literal, $list_id:literal),
        get: ($get_path:literal, $get_id:literal),
        by_slug: ($slug_path:literal, $slug_id:literal),
        create: $create_id:literal,
        update: $update_id:literal,
        delete: $delete_id:literal,
        history: ($history_path:literal, $history_id:literal),
        revision: ($revision_path:literal, $revision_id:literal),
        restore: ($restore_path:literal, $restore_id:literal),
        preview: ($preview_path:literal, $preview_id:literal) $(,)?
    ) => {
        pub mod $module {
            use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
            use utoipa_actix_web::service_config::ServiceConfig;

            use super::*;
            use crate::posts::input::{$create, $update};
            use crate::posts::view::{RevisionList, $list, $restored};

            pub fn routes(cfg: &mut ServiceConfig) {
                cfg.service(list)
                    .service(get_by_slug)
                    .service(get)
                    .service(create)
                    .service(update)
                    .service(delete)
                    .service(history)
                    .service(revision)
                    .service(restore)
                    .service(preview);
            }

            #[utoipa::path(
                operation_id = $list_id,
                tag = $tag,
                summary = concat!("List ", $many, ", newest first."),
                description = concat!("Anonymous readers see published ", $many, " whose time has come; signed-in staff also see the drafts and scheduled ", $many, " their role allows."),
                params(CacheValidators, PostListParams),
                responses(
                    NotModified,
                    (status = 200, description = concat!("A page of ", $many, ", with their authors and tags"), body = $list,
                        headers(("Link" = String, description = "RFC 8288 links to the next and previous pages"))),
                    (status = 400, description = "A query parameter is unknown or malformed", body = Problem, content_type = "application/problem+json"),
                    TokenRejected,
                ),
                security((), ("bearer" = []), ("api_key" = []), ("api_key_query" = []))
            )]
            #[get($list_path)]
            async fn list(
                req: HttpRequest,
                db: web::Data<Db>,
                caller: Caller,
                cursors: Cursors,
                Query(params): Query<PostListParams>,
            ) -> ApiResult<HttpResponse> {
                super::list::<$kind>(&req, &db, &caller, &cursors, params).await
            }

            #[utoipa::path(
                operation_id = $get_id,
                tag = $tag,
                summary = concat!("Get a ", $one, " by id."),
                params(CacheValidators, ("id" = String, Path, description = concat!("The ", $one, "'s id")), PostItemParams),
                responses(
                    NotModified,
                    (status = 400, description = "A query parameter is unknown or malformed", body = Problem, content_type = "application/problem+json"),
                    (status = 200, description = concat!("The ", $one), body = $view,
                        headers(("ETag" = String, description = "Its version, for `If-Match`"))),
                    TokenRejected,
                    (status = 404, description = concat!("No ", $one, " has this id, or you may not see it"), body = Problem, content_type = "application/problem+json"),
                ),
                security((), ("bearer" = []), ("api_key" = []), ("api_key_query" = []))
            )]
            #[get($get_path, name = $get_id)]
            async fn get(
                db: web::Data<Db>,
                caller: Caller,
                id: web::Path<PathSegment>,
                Query(params): Query<PostItemParams>,
            ) -> ApiResult<HttpResponse> {
                super::by_id::<$kind>(&db, &caller, id.into_inner(), params).await
            }

            #[utoipa::path(
                operation_id = $slug_id,
                tag = $tag,
                summary = concat!("Get a ", $one, " by slug."),
                params(CacheValidators, ("slug" = String, Path, description = concat!("The ", $one, "'s slug")), PostItemParams),
                responses(
                    NotModified,
                    (status = 400, description = "A query parameter is unknown or malformed", body = Problem, content_type = "application/problem+json"),
                    (status = 200, description = concat!("The ", $one), body = $view,
                        headers(("ETag" = String, description = "Its version, for `If-Match`"))),
                    (status = 301, description = concat!("The ", $one, " had this slug once; `Location` has its current address"),
                        headers(("Location" = String, description = "Its current address"))),
                    TokenRejected,
                    (status = 404, description = concat!("No ", $one, " has this slug, or you may not see it"), body = Problem, content_type = "application/problem+json"),
                ),
                security((), ("bearer" = []), ("api_key" = []), ("api_key_query" = []))
            )]
            #[get($slug_path, name = $slug_id)]
            async fn get_by_slug(
                req: HttpRequest,
                db: web::Data<Db>,
                caller: Caller,
                slug: web::Path<PathSegment>,
                Query(params): Query<PostItemParams>,
            ) -> ApiResult<HttpResponse> {
                super::by_slug::<$kind>(&req, &db, &caller, slug.into_inner(), params).await
            }

            #[utoipa::path(
                operation_id = $create_id,
                tag = $tag,
                summary = concat!("Write a ", $one, "."),
                description = concat!("Contributors write drafts; authors may publish their own ", $many, "; editors, admins and the owner any ", $one, ". Without `authors`, the signed-in author is the author. Code injection is for editors and above."),
                request_body = $create,
                responses(
                    (status = 201, description = concat!("The new ", $one), body = $view, headers(
                        ("Location" = String, description = "Its URL"),
                        ("ETag" = String, description = "Its version"))),
                    BodyRejected,
                    SignInRequired,
                    (status = 403, description = "Your role may not publish, set code injection, or must be among the authors", body = Problem, content_type = "application/problem+json"),
                    (status = 409, description = "The slug is taken", body = Problem, content_type = "application/problem+json"),
                    (status = 422, description = "A field is invalid, or names an author or tag that does not exist", body = Problem, content_type = "application/problem+json"),
                ),
                security(("bearer" = []), ("api_key" = []))
            )]
            #[post($list_path)]
            async fn create(
                req: HttpRequest,
                db: web::Data<Db>,
                staff: Staff,
                editorial: web::Data<Editorial>,
                JsonBody(body): JsonBody<$create>,
            ) -> ApiResult<HttpResponse> {
                let input = body.validate()?;
                super::create::<$kind>(&req, &db, staff, **editorial, input).await
            }

            #[utoipa::path(
                operation_id = $update_id,
                tag = $tag,
                summary = concat!("Change a ", $one, ". Needs the version you read (`If-Match` or `version`)."),
                description = "Every change that changes something keeps a revision.",
                params(
                    ("id" = String, Path, description = concat!("The ", $one, "'s id")),
                    IfMatch,
                ),
                request_body = $update,
                responses(
                    (status = 200, description = concat!("The changed ", $one), body = $view,
                        headers(("ETag" = String, description = "Its new version"))),
                    BodyRejected,
                    SignInRequired,
                    (status = 403, description = "Your role may not make this change", body = Problem, content_type = "application/problem+json"),
                    (status = 404, description = concat!("No ", $one, " has this id, or you may not see it"), body = Problem, content_type = "application/problem+json"),
                    (status = 409, description = "The slug is taken", body = Problem, content_type = "application/problem+json"),
                    VersionRejected,
                    (status = 422, description = "A field is invalid, or names an author or tag that does not exist", body = Problem, content_type = "application/problem+json"),
                ),
                security(("bearer" = []), ("api_key" = []))
            )]
            #[patch($get_path)]
            async fn update(
                req: HttpRequest,
                db: web::Data<Db>,
                staff: Staff,
                editorial: web::Data<Editorial>,
                id: web::Path<PathSegment>,
                JsonBody(body): JsonBody<$update>,
            ) -> ApiResult<HttpResponse> {
                let version = body.version;
                let patch = body.validate()?;
                super::update::<$kind>(&req, &db, staff, **editorial, id.into_inner(), version, patch)
                    .await
            }

            #[utoipa::path(
                operation_id = $delete_id,
                tag = $tag,
                summary = concat!("Delete a ", $one, "."),
                description = "Its revisions and preview links go with it.",
                params(("id" = String, Path, description = concat!("The ", $one, "'s id"))),
                responses(
                    (status = 204, description = concat!("The ", $one, " is gone")),
                    SignInRequired,
                    (status = 403, description = concat!("Your role may not delete this ", $one), body = Problem, content_type = "application/problem+json"),
                    (status = 404, description = concat!("No ", $one, " has this id, or you may not see it"), body = Problem, content_type = "application/problem+json"),
                ),
                security(("bearer" = []), ("api_key" = []))
            )]
            #[delete($get_path)]
            async fn delete(
                db: web::Data<Db>,
                staff: Staff,
                editorial: web::Data<Editorial>,
                id: web::Path<PathSegment>,
            ) -> ApiResult<HttpResponse> {
                super::delete::<$kind>(&db, staff, **editorial, id.into_inner()).await
            }

            #[utoipa::path(
                operation_id = $history_id,
                tag = $tag,
                summary = concat!("List a ", $one, "'s revisions, newest first."),
                description = concat!("For editors and above, and the ", $one, "'s own authors. Each change keeps one, up to the server's `--revisions-per-post` (older ones are pruned)."),
                params(CacheValidators, ("id" = String, Path, description = concat!("The ", $one, "'s id")), RevisionListParams),
                responses(
                    NotModified,
                    (status = 200, description = "A page of revisions", body = RevisionList,
                        headers(("Link" = String, description = "RFC 8288 links to the next and previous pages"))),
                    (status = 400, description = "A query parameter is unknown or malformed", body = Problem, content_type = "application/problem+json"),
                    SignInRequired,
                    (status = 403, description = "A content key has no account", body = Problem, content_type = "application/problem+json"),
                    (status = 404, description = concat!("No ", $one, " has this id, or you may not see its history"), body = Problem, content_type = "application/problem+json"),
                ),
                security(("bearer" = []), ("api_key" = []))
            )]
            #[get($history_path)]
            async fn history(
                req: HttpRequest,
                db: web::Data<Db>,
                staff: Staff,
                cursors: Cursors,
                id: web::Path<PathSegment>,
                Query(params): Query<RevisionListParams>,
            ) -> ApiResult<HttpResponse> {
                super::history::<$kind>(&req, &db, staff, &cursors, id.into_inner(), params).await
            }

            #[utoipa::path(
                operation_id = $revision_id,
                tag = $tag,
                summary = concat!("Get one revision of a ", $one, ", with everything it held."),
                params(
                    CacheValidators,
                    ("id" = String, Path, description = concat!("The ", $one, "'s id")),
                    ("number" = i32, Path, description = "The revision's number"),
                ),
                responses(
                    NotModified,
                    (status = 200, description = "The revision and its snapshot", body = Revision),
                    SignInRequired,
                    (status = 403, description = "A content key has no account", body = Problem, content_type = "application/problem+json"),
                    (status = 404, description = concat!("No ", $one, " has this id, you may not see its history, or no such revision is kept"), body = Problem, content_type = "application/problem+json"),
                ),
                security(("bearer" = []), ("api_key" = []))
            )]
            #[get($revision_path)]
            async fn revision(
                db: web::Data<Db>,
                staff: Staff,
                path: web::Path<(PathSegment, i32)>,
            ) -> ApiResult<HttpResponse> {
                super::revision::<$kind>(&db, staff, path.into_inner()).await
            }

            #[utoipa::path(
                operation_id = $restore_id,
                tag = $tag,
                summary = concat!("Bring a ", $one, " back to a revision."),
                description = concat!("Its content (title, text, excerpt, images, SEO and social fields, template, code injection, authors and tags) comes back as a new revision, `restored`; its slug, status, publication time, visibility and featured flag stay. Authors and tags that no longer exist are left out and named in `warnings`; code injection and the byline come back for editors and above only (for others they stay as they are, with a warning). Whoever may change the ", $one, " may restore it. Needs `If-Match` with the version you read."),
                params(
                    ("id" = String, Path, description = concat!("The ", $one, "'s id")),
                    ("number" = i32, Path, description = "The revision's number"),
                    IfMatch,
                ),
                responses(
                    (status = 200, description = concat!("The ", $one, " as restored, and warnings"), body = $restored,
                        headers(("ETag" = String, description = "Its new version"))),
                    SignInRequired,
                    (status = 403, description = "Your role may not make this change", body = Problem, content_type = "application/problem+json"),
                    (status = 404, description = concat!("No ", $one, " has this id, you may not see it, or no such revision is kept"), body = Problem, content_type = "application/problem+json"),
                    VersionRejected,
                    (status = 422, description = "The revision's text no longer renders", body = Problem, content_type = "application/problem+json"),
                ),
                security(("bearer" = []), ("api_key" = []))
            )]
            #[post($restore_path)]
            async fn restore(
                req: HttpRequest,
                db: web::Data<Db>,
                staff: Staff,
                editorial: web::Data<Editorial>,
                path: web::Path<(PathSegment, i32)>,
            ) -> ApiResult<HttpResponse> {
                super::restore::<$kind>(&req, &db, staff, **editorial, path.into_inner()).await
            }

            #[utoipa::path(
                operation_id = $preview_id,
                tag = $tag,
                summary = concat!("Make a preview link for a ", $one, "."),
                description = concat!("A link that shows the ", $one, " (draft, scheduled or published) as it will look published to anyone who has it, without signing in, until it expires (the server's `--preview-ttl`). For whoever may change the ", $one, "."),
                params(("id" = String, Path, description = concat!("The ", $one, "'s id"))),
                responses(
                    (status = 201, description = "The link; its token is shown only now", body = PreviewLink,
                        headers(("Location" = String, description = "Where the preview is read"))),
                    SignInRequired,
                    (status = 403, description = concat!("Your role may not change this ", $one), body = Problem, content_type = "application/problem+json"),
                    (status = 404, description = concat!("No ", $one, " has this id, or you may not see it"), body = Problem, content_type = "application/problem+json"),
                ),
                security(("bearer" = []), ("api_key" = []))
            )]
            #[post($preview_path)]
            async fn preview(
                req: HttpRequest,
                db: web::Data<Db>,
                staff: Staff,
                editorial: web::Data<Editorial>,
                id: web::Path<PathSegment>,
            ) -> ApiResult<HttpResponse> {
                super::preview::<$kind>(&req, &db, staff, **editorial, id.into_inner()).await
            }
        }
    };
}

post_routes! {
    mod posts for Posts ("post", "posts"),
    tag: "posts",
    types: (Post, PostList, CreatePost, UpdatePost, RestoredPost),
    list: ("/posts", "listPosts"),
    get: ("/posts/{id}", "getPost"),
    by_slug: ("/posts/slug/{slug}", "getPostBySlug"),
    create: "createPost",
    update: "updatePost",
    delete: "deletePost",
    history: ("/posts/{id}/revisions", "listPostRevisions"),
    revision: ("/posts/{id}/revisions/{number}", "getPostRevision"),
    restore: ("/posts/{id}/revisions/{number}/restore", "restorePostRevision"),
    preview: ("/posts/{id}/preview", "createPostPreview"),
}

post_routes! {
    mod pages for Pages ("page", "pages"),
    tag: "pages",
    types: (Page, PageList, CreatePage, UpdatePage, RestoredPage),
    list: ("/pages", "listPages"),
    get: ("/pages/{id}", "getPage"),
    by_slug: ("/pages/slug/{slug}", "getPageBySlug"),
    create: "createPage",
    update: "updatePage",
    delete: "deletePage",
    history: ("/pages/{id}/revisions", "listPageRevisions"),
    revision: ("/pages/{id}/revisions/{number}", "getPageRevision"),
    restore: ("/pages/{id}/revisions/{number}/restore", "restorePageRevision"),
    preview: ("/pages/{id}/preview", "createPagePreview"),
}
