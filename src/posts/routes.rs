//! The posts endpoints.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use utoipa_actix_web::service_config::ServiceConfig;

use super::input::{CreatePost, UpdatePost};
use super::model::PostRecord;
use super::policy::{self, Visibility};
use super::query::{PostItemParams, PostListParams, PostListQuery, PostShape};
use super::view::{Post, PostList};
use super::{service, storage};
use crate::auth::{Caller, Staff};
use crate::db::{Db, now};
use crate::error::{ApiError, ApiResult};
use crate::http::caching::{CacheValidators, NotModified};
use crate::http::conditional::{IfMatch, expected};
use crate::http::cursor::Cursors;
use crate::http::extract::{JsonBody, PathSegment, Query};
use crate::http::pagination::ListResponse;
use crate::http::problem::Problem;
use crate::http::problem::responses::{
    BodyRejected, SignInRequired, TokenRejected, VersionRejected,
};
use crate::http::{self as h};
use crate::ids::PostId;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list)
        .service(get_by_slug)
        .service(get)
        .service(create)
        .service(update)
        .service(delete);
}

/// The post, if `caller` may see it; else the same `404` as for a post that does not exist.
fn visible_to(
    caller: &Caller,
    record: Option<PostRecord>,
    missing: ApiError,
    shape: &PostShape,
) -> ApiResult<HttpResponse> {
    let now = now();
    let record = record
        .filter(|r| policy::may_read_record(caller, r, now))
        .ok_or(missing)?;
    let version = record.row.version;
    Ok(h::one(&Post::view(record, now, shape), version))
}

/// List posts, newest first.
///
/// Anonymous readers see published posts whose time has come; signed-in staff also see the
/// drafts and scheduled posts their role allows.
#[utoipa::path(
    operation_id = "listPosts",
    tag = "posts",
    params(CacheValidators, PostListParams),
    responses(
        NotModified,
        (status = 200, description = "A page of posts, with their authors and tags", body = PostList,
            headers(("Link" = String, description = "RFC 8288 links to the next and previous pages"))),
        (status = 400, description = "A query parameter is unknown or malformed", body = Problem, content_type = "application/problem+json"),
        TokenRejected,
    ),
    security((), ("bearer" = []), ("api_key" = []), ("api_key_query" = []))
)]
#[get("/posts")]
async fn list(
    req: HttpRequest,
    db: web::Data<Db>,
    caller: Caller,
    cursors: Cursors,
    Query(params): Query<PostListParams>,
) -> ApiResult<HttpResponse> {
    let list = PostListQuery::parse(params, &cursors)?;
    let (page, shape) = (list.page.clone(), list.shape);
    let visibility = Visibility::of(&caller);
    let now = now();
    let (records, meta) = db
        .run(move |conn| storage::list(conn, &visibility, &list, now))
        .await?;
    let data = records
        .into_iter()
        .map(|r| Post::view(r, now, &shape))
        .collect();
    Ok(h::list(
        &req,
        &ListResponse::new(data, &page, meta, &cursors),
    ))
}

/// Get a post by id.
#[utoipa::path(
    operation_id = "getPost",
    tag = "posts",
    params(CacheValidators, ("id" = String, Path, description = "The post's id"), PostItemParams),
    responses(
        NotModified,
        (status = 400, description = "A query parameter is unknown or malformed", body = Problem, content_type = "application/problem+json"),
        (status = 200, description = "The post", body = Post,
            headers(("ETag" = String, description = "The post's version, for `If-Match`"))),
        TokenRejected,
        (status = 404, description = "No post has this id, or you may not see it", body = Problem, content_type = "application/problem+json"),
    ),
    security((), ("bearer" = []), ("api_key" = []), ("api_key_query" = []))
)]
#[get("/posts/{id}", name = "getPost")]
async fn get(
    db: web::Data<Db>,
    caller: Caller,
    id: web::Path<PathSegment>,
    Query(params): Query<PostItemParams>,
) -> ApiResult<HttpResponse> {
    let shape = PostShape::try_from(params)?;
    let id = PostId::from(id.into_inner().0);
    let missing = policy::not_found(&id);
    let record = db.run(move |conn| storage::find(conn, &id)).await?;
    visible_to(&caller, record, missing, &shape)
}

/// Get a post by slug.
#[utoipa::path(
    operation_id = "getPostBySlug",
    tag = "posts",
    params(CacheValidators, ("slug" = String, Path, description = "The post's slug"), PostItemParams),
    responses(
        NotModified,
        (status = 400, description = "A query parameter is unknown or malformed", body = Problem, content_type = "application/problem+json"),
        (status = 200, description = "The post", body = Post,
            headers(("ETag" = String, description = "The post's version, for `If-Match`"))),
        (status = 301, description = "The post had this slug once; `Location` has its current address",
            headers(("Location" = String, description = "The post's current address"))),
        TokenRejected,
        (status = 404, description = "No post has this slug, or you may not see it", body = Problem, content_type = "application/problem+json"),
    ),
    security((), ("bearer" = []), ("api_key" = []), ("api_key_query" = []))
)]
#[get("/posts/slug/{slug}", name = "getPostBySlug")]
async fn get_by_slug(
    req: HttpRequest,
    db: web::Data<Db>,
    caller: Caller,
    slug: web::Path<PathSegment>,
    Query(params): Query<PostItemParams>,
) -> ApiResult<HttpResponse> {
    let shape = PostShape::try_from(params)?;
    let slug = slug.into_inner().0;
    let missing = ApiError::NotFound(format!("No post with slug `{slug}`."));
    let (record, renamed) = db
        .run(move |conn| match storage::find_by_slug(conn, &slug)? {
            Some(record) => Ok((Some(record), false)),
            None => Ok((storage::find_by_old_slug(conn, &slug)?, true)),
        })
        .await?;
    match record {
        // An old link: send the reader on, but only to a post they may see.
        Some(record) if renamed => {
            if !policy::may_read_record(&caller, &record, now()) {
                return Err(missing);
            }
            // The query goes along: `formats`, `include`, and a content key where one is
            // needed (the redirect is as private as the URL that asked for it).
            let query = match req.query_string() {
                "" => String::new(),
                query => format!("?{query}"),
            };
            let current = h::location(&req, "getPostBySlug", &record.row.slug)?;
            Ok(HttpResponse::MovedPermanently()
                .insert_header((header::LOCATION, format!("{current}{query}")))
                .finish())
        }
        record => visible_to(&caller, record, missing, &shape),
    }
}

/// Write a post.
///
/// Contributors write drafts; authors may publish their own posts; editors, admins and the
/// owner any post. Without `authors`, the signed-in author is the author.
#[utoipa::path(
    operation_id = "createPost",
    tag = "posts",
    request_body = CreatePost,
    responses(
        (status = 201, description = "The new post", body = Post, headers(
            ("Location" = String, description = "The post's URL"),
            ("ETag" = String, description = "The post's version"))),
        BodyRejected,
        SignInRequired,
        (status = 403, description = "Your role may not publish, or must be among the authors", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The slug is taken", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is invalid, or names an author or tag that does not exist", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[post("/posts")]
async fn create(
    req: HttpRequest,
    db: web::Data<Db>,
    staff: Staff,
    JsonBody(body): JsonBody<CreatePost>,
) -> ApiResult<HttpResponse> {
    let input = body.validate()?;
    let record = db
        .run(move |conn| service::create(conn, &staff, input))
        .await?;
    let location = h::location(&req, "getPost", record.row.id.as_str())?;
    let version = record.row.version;
    let post = Post::view(record, now(), &PostShape::default());
    Ok(h::created(&post, version, &location))
}

/// Change a post. Needs the version you read (`If-Match` or `version`).
#[utoipa::path(
    operation_id = "updatePost",
    tag = "posts",
    params(
        ("id" = String, Path, description = "The post's id"),
        IfMatch,
    ),
    request_body = UpdatePost,
    responses(
        (status = 200, description = "The changed post", body = Post,
            headers(("ETag" = String, description = "The post's new version"))),
        BodyRejected,
        SignInRequired,
        (status = 403, description = "Your role may not make this change", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No post has this id, or you may not see it", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The slug is taken", body = Problem, content_type = "application/problem+json"),
        VersionRejected,
        (status = 422, description = "A field is invalid, or names an author or tag that does not exist", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[patch("/posts/{id}")]
async fn update(
    req: HttpRequest,
    db: web::Data<Db>,
    staff: Staff,
    id: web::Path<PathSegment>,
    JsonBody(body): JsonBody<UpdatePost>,
) -> ApiResult<HttpResponse> {
    let expected = expected(&req, body.version);
    let patch = body.validate()?;
    let id = PostId::from(id.into_inner().0);
    let record = db
        .run(move |conn| service::update(conn, &staff, &id, expected, patch))
        .await?;
    let version = record.row.version;
    Ok(h::one(
        &Post::view(record, now(), &PostShape::default()),
        version,
    ))
}

/// Delete a post.
#[utoipa::path(
    operation_id = "deletePost",
    tag = "posts",
    params(("id" = String, Path, description = "The post's id")),
    responses(
        (status = 204, description = "The post is gone"),
        SignInRequired,
        (status = 403, description = "Your role may not delete this post", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No post has this id, or you may not see it", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[delete("/posts/{id}")]
async fn delete(
    db: web::Data<Db>,
    staff: Staff,
    id: web::Path<PathSegment>,
) -> ApiResult<HttpResponse> {
    let id = PostId::from(id.into_inner().0);
    db.run(move |conn| service::delete(conn, &staff, &id))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
