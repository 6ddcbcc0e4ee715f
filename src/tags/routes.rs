use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use utoipa_actix_web::service_config::ServiceConfig;

use super::model::TagRow;
use super::storage;
use super::view::{CreateTag, Tag, TagList, UpdateTag};
use crate::auth::{Caller, Staff};
use crate::db::{Db, DbConn};
use crate::http::caching::{CacheValidators, NotModified};
use crate::http::conditional::{Expected, IfMatch};
use crate::http::cursor::Cursors;
use crate::http::error::responses::{BodyRejected, SignInRequired, TokenRejected, VersionRejected};
use crate::http::error::{ApiError, ApiResult, Problem};
use crate::http::extract::{JsonBody, Key, Query};
use crate::http::listing::{
    NamedItemParams, NamedListParams, NamedListQuery, NamedShape, named_page, post_counts_if,
};
use crate::http::pagination::ListResponse;
use crate::http::{self as h};

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(list)
        .service(get_by_slug)
        .service(get)
        .service(create)
        .service(update)
        .service(delete);
}

fn may_create(staff: &Staff) -> ApiResult<()> {
    if staff.role == crate::auth::Role::Contributor {
        return Err(ApiError::Forbidden(
            "Contributors cannot create tags.".into(),
        ));
    }
    Ok(())
}

fn may_manage(staff: &Staff) -> ApiResult<()> {
    if !staff.role.is_editorial() {
        return Err(ApiError::Forbidden(
            "Only editors, admins and the owner can change or delete tags.".into(),
        ));
    }
    Ok(())
}

/// List tags, newest first.
#[utoipa::path(
    operation_id = "listTags",
    tag = "tags",
    params(CacheValidators, NamedListParams),
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
    _caller: Caller,
    cursors: Cursors,
    Query(params): Query<NamedListParams>,
) -> ApiResult<HttpResponse> {
    let list = NamedListQuery::parse(params, &cursors)?;
    let page = list.page.clone();
    let (rows, meta, counts) = named_page(
        &db,
        list,
        storage::list,
        |row: &TagRow| row.id.clone(),
        storage::post_counts,
    )
    .await?;
    let data = rows
        .into_iter()
        .map(|row| Tag::from(row).with_count(counts.as_ref()))
        .collect();
    Ok(h::list(
        &req,
        &ListResponse::new(data, &page, meta, &cursors),
    ))
}

/// One tag, shaped as asked.
async fn one(
    db: &Db,
    shape: NamedShape,
    find: impl FnOnce(&mut DbConn) -> ApiResult<TagRow> + Send + 'static,
) -> ApiResult<HttpResponse> {
    let (row, counts) = db
        .run(move |conn| {
            let row = find(conn)?;
            let counts = post_counts_if(conn, shape, [row.id.clone()], storage::post_counts)?;
            Ok((row, counts))
        })
        .await?;
    let version = row.version;
    let tag = Tag::from(row).with_count(counts.as_ref());
    Ok(h::one(&tag, version))
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
#[get("/tags/{id}")]
async fn get(
    db: web::Data<Db>,
    _caller: Caller,
    id: web::Path<Key>,
    Query(params): Query<NamedItemParams>,
) -> ApiResult<HttpResponse> {
    let shape = NamedShape::of_item(params)?;
    let id = id.into_inner().0;
    one(&db, shape, move |conn| {
        storage::find(conn, &id)?.ok_or_else(|| storage::not_found(&id))
    })
    .await
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
    _caller: Caller,
    slug: web::Path<Key>,
    Query(params): Query<NamedItemParams>,
) -> ApiResult<HttpResponse> {
    let shape = NamedShape::of_item(params)?;
    let slug = slug.into_inner().0;
    one(&db, shape, move |conn| {
        storage::find_by_slug(conn, &slug)?
            .ok_or_else(|| ApiError::NotFound(format!("No tag with slug `{slug}`.")))
    })
    .await
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
        (status = 403, description = "Contributors cannot create tags", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The slug is taken", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is invalid", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[post("/tags")]
async fn create(
    db: web::Data<Db>,
    staff: Staff,
    JsonBody(body): JsonBody<CreateTag>,
) -> ApiResult<HttpResponse> {
    may_create(&staff)?;
    let input = body.validate()?;
    let row = db.write(move |conn| storage::insert(conn, input)).await?;
    let location = format!("/api/v1/tags/{}", row.id);
    Ok(h::created(&Tag::from(row.clone()), row.version, &location))
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
    id: web::Path<Key>,
    JsonBody(body): JsonBody<UpdateTag>,
) -> ApiResult<HttpResponse> {
    may_manage(&staff)?;
    let version = body.version;
    let changes = body.validate()?;
    let expected = Expected::from_request(&req, version);
    let id = id.into_inner().0;
    let row = db
        .write(move |conn| storage::update(conn, &id, expected, changes))
        .await?;
    Ok(h::one(&Tag::from(row.clone()), row.version))
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
async fn delete(db: web::Data<Db>, staff: Staff, id: web::Path<Key>) -> ApiResult<HttpResponse> {
    may_manage(&staff)?;
    let id = id.into_inner().0;
    db.write(move |conn| storage::delete(conn, &id)).await?;
    Ok(HttpResponse::NoContent().finish())
}
