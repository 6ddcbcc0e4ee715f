//! The authors endpoints (and `GET /auth/me`, the signed-in author).

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use utoipa_actix_web::service_config::ServiceConfig;

use super::input::{CreateAuthor, UpdateAuthor};
use super::model::AuthorRow;
use super::service;
use super::storage;
use super::view::{Author, AuthorList};
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
use crate::ids::AuthorId;
use crate::named::query::{NamedItemParams, NamedListParams};
use crate::named::routes as named;
use crate::site::Site;

pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(me)
        .service(list)
        .service(get_by_slug)
        .service(get)
        .service(create)
        .service(update)
        .service(transfer_ownership)
        .service(delete);
}

crate::named_resource!(Authors, AuthorRow, AuthorId, (), Author, Author::view);

/// An author as staff see it, with its address on the site.
async fn staff_view(db: &Db, row: AuthorRow, staff: Staff) -> ApiResult<Author> {
    let site = db.run(Site::load).await?;
    Ok(Author::view(row, &Caller::Staff(staff), None, &site))
}

/// An author as staff see it, with its version as the `ETag`.
async fn one(db: &Db, row: AuthorRow, staff: Staff) -> ApiResult<HttpResponse> {
    let version = row.version;
    Ok(h::one(&staff_view(db, row, staff).await?, version))
}

/// The signed-in author (for an integration key, the account it acts for).
#[utoipa::path(
    operation_id = "getMe",
    tag = "auth",
    params(CacheValidators),
    responses(
        NotModified,
        (status = 200, description = "The signed-in author, with email and role", body = Author,
            headers(("ETag" = String, description = "The author's version, for `If-Match`"))),
        SignInRequired,
        (status = 403, description = "A content key has no account", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[get("/auth/me")]
async fn me(db: web::Data<Db>, staff: Staff) -> ApiResult<HttpResponse> {
    let id = staff.id.clone();
    let row = db
        .run(move |conn| storage::find(conn, &id)?.ok_or_else(|| storage::not_found(&id)))
        .await?;
    one(&db, row, staff).await
}

/// List authors, newest first. Email and role are shown to signed-in staff only.
#[utoipa::path(
    operation_id = "listAuthors",
    tag = "authors",
    params(CacheValidators, NamedListParams),
    responses(
        NotModified,
        (status = 200, description = "A page of authors", body = AuthorList,
            headers(("Link" = String, description = "RFC 8288 links to the next and previous pages"))),
        (status = 400, description = "A query parameter is unknown or malformed", body = Problem, content_type = "application/problem+json"),
        TokenRejected,
    ),
    security((), ("bearer" = []), ("api_key" = []), ("api_key_query" = []))
)]
#[get("/authors")]
async fn list(
    req: HttpRequest,
    db: web::Data<Db>,
    caller: Caller,
    cursors: Cursors,
    Query(params): Query<NamedListParams>,
) -> ApiResult<HttpResponse> {
    named::list::<Authors>(&req, &db, &caller, &cursors, &params, ()).await
}

/// Get an author by id.
#[utoipa::path(
    operation_id = "getAuthor",
    tag = "authors",
    params(CacheValidators, ("id" = String, Path, description = "The author's id"), NamedItemParams),
    responses(
        NotModified,
        (status = 400, description = "A query parameter is unknown or malformed", body = Problem, content_type = "application/problem+json"),
        (status = 200, description = "The author", body = Author,
            headers(("ETag" = String, description = "The author's version, for `If-Match`"))),
        TokenRejected,
        (status = 404, description = "No author has this id", body = Problem, content_type = "application/problem+json"),
    ),
    security((), ("bearer" = []), ("api_key" = []), ("api_key_query" = []))
)]
#[get("/authors/{id}", name = "getAuthor")]
async fn get(
    db: web::Data<Db>,
    caller: Caller,
    id: web::Path<PathSegment>,
    Query(params): Query<NamedItemParams>,
) -> ApiResult<HttpResponse> {
    let id = AuthorId::from(id.into_inner().0);
    named::by_id::<Authors>(&db, &caller, id, params).await
}

/// Get an author by slug.
#[utoipa::path(
    operation_id = "getAuthorBySlug",
    tag = "authors",
    params(CacheValidators, ("slug" = String, Path, description = "The author's slug"), NamedItemParams),
    responses(
        NotModified,
        (status = 400, description = "A query parameter is unknown or malformed", body = Problem, content_type = "application/problem+json"),
        (status = 200, description = "The author", body = Author,
            headers(("ETag" = String, description = "The author's version, for `If-Match`"))),
        TokenRejected,
        (status = 404, description = "No author has this slug", body = Problem, content_type = "application/problem+json"),
    ),
    security((), ("bearer" = []), ("api_key" = []), ("api_key_query" = []))
)]
#[get("/authors/slug/{slug}")]
async fn get_by_slug(
    db: web::Data<Db>,
    caller: Caller,
    slug: web::Path<PathSegment>,
    Query(params): Query<NamedItemParams>,
) -> ApiResult<HttpResponse> {
    named::by_slug::<Authors>(&db, &caller, slug.into_inner().0, params).await
}

/// Add an author, optionally with a login.
///
/// Admins and the owner may give any role but owner; editors may add authors and
/// contributors.
#[utoipa::path(
    operation_id = "createAuthor",
    tag = "authors",
    request_body = CreateAuthor,
    responses(
        (status = 201, description = "The new author", body = Author, headers(
            ("Location" = String, description = "The author's URL"),
            ("ETag" = String, description = "The author's version"))),
        BodyRejected,
        SignInRequired,
        (status = 403, description = "Your role may not add this author, or an API key tried to make a login", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The slug or email is taken", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A field is invalid", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[post("/authors")]
async fn create(
    req: HttpRequest,
    db: web::Data<Db>,
    staff: Staff,
    JsonBody(body): JsonBody<CreateAuthor>,
) -> ApiResult<HttpResponse> {
    let input = body.validate()?;
    let row = service::create(&db, &staff, input, Author::public).await?;
    let location = h::location(&req, "getAuthor", row.id.as_str())?;
    let version = row.version;
    let author = staff_view(&db, row, staff).await?;
    Ok(h::created(&author, version, &location))
}

/// Change an author. Needs the version you read (`If-Match` or `version`).
#[utoipa::path(
    operation_id = "updateAuthor",
    tag = "authors",
    params(
        ("id" = String, Path, description = "The author's id"),
        IfMatch,
    ),
    request_body = UpdateAuthor,
    responses(
        (status = 200, description = "The changed author", body = Author,
            headers(("ETag" = String, description = "The author's new version"))),
        BodyRejected,
        SignInRequired,
        (status = 403, description = "Your role may not make this change, or an API key tried to change a login, role or access", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No author has this id", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The slug or email is taken", body = Problem, content_type = "application/problem+json"),
        VersionRejected,
        (status = 422, description = "A field is invalid, or the current password is wrong", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[patch("/authors/{id}")]
async fn update(
    req: HttpRequest,
    db: web::Data<Db>,
    staff: Staff,
    id: web::Path<PathSegment>,
    JsonBody(body): JsonBody<UpdateAuthor>,
) -> ApiResult<HttpResponse> {
    let expected = expected(&req, body.version);
    let patch = body.validate()?;
    let id = AuthorId::from(id.into_inner().0);
    let row = service::update(&db, &staff, id, expected, patch, Author::public).await?;
    one(&db, row, staff).await
}

/// Make this author the owner. The owner alone may, signed in; they become an admin, and
/// so are signed out everywhere, as anyone whose role is lowered.
#[utoipa::path(
    operation_id = "transferOwnership",
    tag = "authors",
    params(("id" = String, Path, description = "The id of the author who becomes the owner")),
    responses(
        (status = 200, description = "The new owner", body = Author,
            headers(("ETag" = String, description = "The author's new version"))),
        SignInRequired,
        (status = 403, description = "Only the owner, signed in, hands over ownership", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No author has this id", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "This author cannot own the site: no login, disabled, or already the owner", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[post("/authors/{id}/ownership")]
async fn transfer_ownership(
    db: web::Data<Db>,
    staff: Staff,
    id: web::Path<PathSegment>,
) -> ApiResult<HttpResponse> {
    let to = AuthorId::from(id.into_inner().0);
    let row = {
        let staff = staff.clone();
        db.run(move |conn| service::transfer_ownership(conn, &staff, &to))
            .await?
    };
    one(&db, row, staff).await
}

/// Delete an author and their bylines. Refused while they are the only author of a post.
#[utoipa::path(
    operation_id = "deleteAuthor",
    tag = "authors",
    params(("id" = String, Path, description = "The author's id")),
    responses(
        (status = 204, description = "The author is gone"),
        SignInRequired,
        (status = 403, description = "Your role may not delete this author, or an API key tried to delete a login", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No author has this id", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The author is the only author of a post", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "The author changed (a new role, say) while the deletion was checked: nothing was deleted", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("api_key" = []))
)]
#[delete("/authors/{id}")]
async fn delete(
    db: web::Data<Db>,
    staff: Staff,
    id: web::Path<PathSegment>,
) -> ApiResult<HttpResponse> {
    service::delete(
        &db,
        &staff,
        AuthorId::from(id.into_inner().0),
        Author::public,
    )
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
