//! The tags endpoints.

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use utoipa_actix_web::service_config::ServiceConfig;

use super::input::{CreateTag, UpdateTag};
use super::model::TagRow;
use super::query::TagListParams;
use super::view::{Tag, TagList};
use super::{policy, service, storage};
use crate::auth::{Caller, Staff};
use crate::db::Db;
use crate::error::ApiResult;
use crate::http::caching::{CacheValidators, NotModified};
use crate::http::conditional::{IfMatch, expected};
use crate::http::cursor::Cursors;
use crate::http::extract::{JsonBody, PathSegment, Query};
use crate::http::problem::Problem;
use crate::http::problem::responses::{
    BodyRejected, SignInRequired, TokenRejected, VersionRejected,
};
use crate::http::{self as h};
use crate::ids::TagId;
use crate::named::query::NamedItemParams;
use crate::named::routes as named;
use crate::site::Site;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list)
        .service(get_by_slug)
        .service(get)
        .service(create)
        .service(update)
        .service(delete);
}

crate::named_resource!(
    Tags,
    TagRow,
    TagId,
    super::query::TagScope,
    Tag,
    |row, _: &Caller, count, site: &Site| Tag::view(row, count, site)
);

/// List tags, newest first.
///
/// Internal tags (`#…`) only with `visibility=internal` or `all`.
#[utoipa::path(
    operation_id = "listTags",
    tag = "tags",
    params(CacheValidators, TagListParams),
    responses(
        NotModified,
        (status = 200, description = "A page of tags", body = TagList,
            headers(("Link" = String, description = "RFC 8288 links to the next and previous pages"))),
        (status = 400, description = "A query parameter is unknown or malformed", body = Problem, content_type = "application/problem+json"),
        TokenRejected,
    ),
    security((), ("bearer" = []), ("api_key" = []), ("api_key_query" = []))
)]
#[get("/tags")]
async fn list(
    req: HttpRequest,
    db: web::Data<Db>,
    caller: Caller,
    cursors: Cursors,
    Query(params): Query<TagListParams>,
) -> ApiResult<HttpResponse> {
    let scope = params.visibility.unwrap_or_default();
    named::list::<Tags>(&req, &db, &caller, &cursors, &params, scope).await
}

/// Get a tag by id.
#[utoipa::path(
    operation_id = "getTag",
    tag = "tags",
    params(CacheValidators, ("id" = String, Path, description = "The tag's id"), NamedItemParams),
    responses(
        NotModified,
        (status = 200, description = "The tag", body = Tag,
            headers(("ETag" = String, description = "The tag's version, for `If-Match`"))),
        (status = 400, description = "A query parameter is unknown or malformed", body = Problem, content_type = "application/problem+json"),
        TokenRejected,
        (status = 404, description = "No tag has this id", body = Problem, content_type = "application/problem+json"),
    ),
    security((), ("bearer" = []), ("api_key" = []), ("api_key_query" = []))
)]
#[get("/tags/{id}", name = "getTag")]
async fn get(
    db: web::Data<Db>,
    caller: Caller,
    id: web::Path<PathSegment>,
    Query(params): Query<NamedItemParams>,
) -> ApiResult<HttpResponse> {
    let id = TagId::from(id.into_inner().0);
    named::by_id::<Tags>(&db, &caller, id, params).await
}

/// Get a tag by slug.
#[utoipa::path(
    operation_id = "getTagBySlug",
    tag = "tags",
    params(CacheValidators, ("slug" = String, Path, description = "The tag's slug"), NamedItemParams),
    responses(
        NotModified,
        (status = 200, description = "The tag", body = Tag,
            headers(("ETag" = String, description = "The tag's version, for `If-Match`"))),
        (status = 400, description = "A query parameter is unknown or malformed", body = Problem, content_type = "application/problem+json"),
        TokenRejected,
        (status = 404, description = "No tag has this slug", body = Problem, content_type = "application/problem+json"),
    ),
    security((), ("bearer" = []), ("api_key" = []), ("api_key_query" = []))
)]
#[get("/tags/slug/{slug}")]
async fn get_by_slug(
    db: web::Data<Db>,
    caller: Caller,
    slug: web::Path<PathSegment>,
    Query(params): Query<NamedItemParams>,
) -> ApiResult<HttpResponse> {
    named::by_slug::<Tags>(&db, &caller, slug.into_inner().0, params).await
}

/// Create a tag. Authors, editors, admins and the owner may.
#[utoipa::path(
    operation_id = "createTag",
    tag = "tags",
    request_body = CreateTag,
    responses(
        (status = 201, description = "The new tag", body = Tag, headers(
            ("Location" = String, description = "The tag's URL"),
            ("ETag" = String, description = "The tag's version"))),
        BodyRejected,
        SignInRequired,
        (status = 403, description = "Contributors cannot create tags; only editors and above set code injection", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The slug is taken", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is invalid", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[post("/tags")]
async fn create(
    req: HttpRequest,
    db: web::Data<Db>,
    staff: Staff,
    JsonBody(body): JsonBody<CreateTag>,
) -> ApiResult<HttpResponse> {
    let input = body.validate()?;
    policy::may_create(&staff, input.sets_code())?;
    let (row, site) = db
        .write(move |conn| {
            Ok((
                service::create(conn, input, Tag::public)?,
                Site::load(conn)?,
            ))
        })
        .await?;
    let location = h::location(&req, "getTag", row.id.as_str())?;
    let version = row.version;
    Ok(h::created(&Tag::view(row, None, &site), version, &location))
}

/// Change a tag. Needs the version you read (`If-Match` or `version`).
#[utoipa::path(
    operation_id = "updateTag",
    tag = "tags",
    params(
        ("id" = String, Path, description = "The tag's id"),
        IfMatch,
    ),
    request_body = UpdateTag,
    responses(
        (status = 200, description = "The changed tag", body = Tag,
            headers(("ETag" = String, description = "The tag's new version"))),
        BodyRejected,
        SignInRequired,
        (status = 403, description = "Only editors, admins and the owner change tags", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No tag has this id", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The slug is taken", body = Problem, content_type = "application/problem+json"),
        VersionRejected,
        (status = 422, description = "A field is invalid", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[patch("/tags/{id}")]
async fn update(
    req: HttpRequest,
    db: web::Data<Db>,
    staff: Staff,
    id: web::Path<PathSegment>,
    JsonBody(body): JsonBody<UpdateTag>,
) -> ApiResult<HttpResponse> {
    policy::may_manage(&staff)?;
    let expected = expected(&req, body.version);
    let changes = body.validate()?;
    let id = TagId::from(id.into_inner().0);
    let (row, site) = db
        .write(move |conn| {
            Ok((
                service::update(conn, &id, expected, changes, Tag::public)?,
                Site::load(conn)?,
            ))
        })
        .await?;
    let version = row.version;
    Ok(h::one(&Tag::view(row, None, &site), version))
}

/// Delete a tag. Posts keep their other tags.
#[utoipa::path(
    operation_id = "deleteTag",
    tag = "tags",
    params(("id" = String, Path, description = "The tag's id")),
    responses(
        (status = 204, description = "The tag is gone"),
        SignInRequired,
        (status = 403, description = "Only editors, admins and the owner delete tags", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No tag has this id", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[delete("/tags/{id}")]
async fn delete(
    db: web::Data<Db>,
    staff: Staff,
    id: web::Path<PathSegment>,
) -> ApiResult<HttpResponse> {
    policy::may_manage(&staff)?;
    let id = TagId::from(id.into_inner().0);
    db.write(move |conn| service::delete(conn, &id, Tag::public))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
