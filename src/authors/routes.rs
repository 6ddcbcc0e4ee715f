use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use secrecy::SecretString;
use utoipa_actix_web::service_config::ServiceConfig;

use super::storage::{self, AuthorInput, Login};
use super::view::{Author, AuthorList, CreateAuthor, UpdateAuthor};
use super::{model::AuthorRow, policy};
use crate::auth::{Caller, Staff, password, sessions};
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
    cfg.service(me)
        .service(list)
        .service(get_by_slug)
        .service(get)
        .service(create)
        .service(update)
        .service(transfer_ownership)
        .service(delete);
}

async fn hash(password: SecretString) -> ApiResult<String> {
    web::block(move || password::hash(&password))
        .await
        .map_err(ApiError::internal)
}

async fn load(db: &Db, id: String) -> ApiResult<AuthorRow> {
    db.run(move |conn| storage::find(conn, &id)?.ok_or_else(|| storage::not_found(&id)))
        .await
}

fn one(row: AuthorRow, caller: &Caller) -> ApiResult<HttpResponse> {
    let version = row.version;
    Ok(h::one(&Author::view(row, caller)?, version))
}

/// One author, shaped as asked.
async fn shaped(
    db: &Db,
    caller: &Caller,
    shape: NamedShape,
    find: impl FnOnce(&mut DbConn) -> ApiResult<AuthorRow> + Send + 'static,
) -> ApiResult<HttpResponse> {
    let (row, counts) = db
        .run(move |conn| {
            let row = find(conn)?;
            let counts = post_counts_if(conn, shape, [row.id.clone()], storage::post_counts)?;
            Ok((row, counts))
        })
        .await?;
    let version = row.version;
    let author = Author::view(row, caller)?.with_count(counts.as_ref());
    Ok(h::one(&author, version))
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
    let row = load(&db, staff.id.clone()).await?;
    one(row, &Caller::Staff(staff))
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
    let list = NamedListQuery::parse(params, &cursors)?;
    let page = list.page.clone();
    let (rows, meta, counts) = named_page(
        &db,
        list,
        storage::list,
        |row: &AuthorRow| row.id.clone(),
        storage::post_counts,
    )
    .await?;
    let data = rows
        .into_iter()
        .map(|row| Ok(Author::view(row, &caller)?.with_count(counts.as_ref())))
        .collect::<ApiResult<_>>()?;
    Ok(h::list(
        &req,
        &ListResponse::new(data, &page, meta, &cursors),
    ))
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
#[get("/authors/{id}")]
async fn get(
    db: web::Data<Db>,
    caller: Caller,
    id: web::Path<Key>,
    Query(params): Query<NamedItemParams>,
) -> ApiResult<HttpResponse> {
    let shape = NamedShape::of_item(params)?;
    let id = id.into_inner().0;
    shaped(&db, &caller, shape, move |conn| {
        storage::find(conn, &id)?.ok_or_else(|| storage::not_found(&id))
    })
    .await
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
    slug: web::Path<Key>,
    Query(params): Query<NamedItemParams>,
) -> ApiResult<HttpResponse> {
    let shape = NamedShape::of_item(params)?;
    let slug = slug.into_inner().0;
    shaped(&db, &caller, shape, move |conn| {
        storage::find_by_slug(conn, &slug)?
            .ok_or_else(|| ApiError::NotFound(format!("No author with slug `{slug}`.")))
    })
    .await
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
    db: web::Data<Db>,
    staff: Staff,
    JsonBody(body): JsonBody<CreateAuthor>,
) -> ApiResult<HttpResponse> {
    let input = body.validate()?;
    policy::may_create(&staff, input.login.as_ref().map(|(_, _, role)| *role))?;
    if input.login.is_some() {
        // A key that could make a login could sign in as it, and outlive its revocation.
        staff.in_person()?;
    }
    let login = match input.login {
        Some((email, password, role)) => Some(Login {
            email,
            password_hash: hash(password).await?,
            role,
        }),
        None => None,
    };
    let input = AuthorInput {
        slug: input.slug,
        name: input.name,
        bio: input.bio,
        avatar_url: input.avatar_url,
        website: input.website,
        location: input.location,
        login,
    };
    let row = db.write(move |conn| storage::insert(conn, input)).await?;
    let location = format!("/api/v1/authors/{}", row.id);
    let version = row.version;
    Ok(h::created(
        &Author::view(row, &Caller::Staff(staff))?,
        version,
        &location,
    ))
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
    id: web::Path<Key>,
    JsonBody(body): JsonBody<UpdateAuthor>,
) -> ApiResult<HttpResponse> {
    let version = body.version;
    let mut patch = body.validate()?;
    let expected = Expected::from_request(&req, version);
    let target = load(&db, id.into_inner().0).await?;
    let target_role = target.role()?;
    policy::may_edit(&staff, &target.id, target_role)?;
    let role_change = patch.role.filter(|role| Some(*role) != target_role);
    let sign_in_change =
        patch.changes.email.is_some() || patch.password.is_some() || patch.disabled.is_some();
    if sign_in_change || role_change.is_some() {
        // Sign-in details, roles and access are managed by people: a key could otherwise
        // take over an account, or its maker's.
        staff.in_person()?;
    }
    if let Some(role) = role_change {
        policy::may_change_role(&staff, target_role, role)?;
    }
    if target_role.is_none() && sign_in_change {
        return Err(ApiError::validation(
            "email",
            "no_login",
            "This author has no login; email, password and disabling belong to authors who \
             sign in.",
        ));
    }
    let mut signs_out = false;
    if let Some(disabled) = patch.disabled
        && disabled != target.disabled_at.is_some()
    {
        policy::may_disable(&staff, &target.id, target_role)?;
        patch.changes.disabled_at = Some(disabled.then(crate::db::now));
        signs_out |= disabled;
    }
    if let (Some(new), Some(old)) = (role_change, target_role) {
        signs_out |= new.is_below(old);
    }
    // A stolen session must not be able to lock its victim out: moving one's own account to
    // another address, like choosing another password, needs the password it has now.
    let email_change = patch
        .changes
        .email
        .as_deref()
        .is_some_and(|email| Some(email) != target.email.as_deref());
    if staff.id == target.id && (email_change || patch.password.is_some()) {
        let current = patch.current_password.take().ok_or_else(|| {
            ApiError::validation(
                "current_password",
                "required",
                "needed to change your own email or password",
            )
        })?;
        let stored = target.password_hash.clone();
        let ok = web::block(move || password::verify(&current, stored.as_deref()))
            .await
            .map_err(ApiError::internal)?;
        if !ok {
            return Err(ApiError::validation(
                "current_password",
                "incorrect",
                "is not your current password",
            ));
        }
    }
    if let Some(new_password) = patch.password.take() {
        patch.changes.password_hash = Some(hash(new_password).await?);
        signs_out = true;
    }
    let (id, checked) = (target.id, target.version);
    let row = db
        .write(move |conn| {
            let row = storage::update(conn, &id, checked, expected, patch.changes)?;
            if signs_out {
                sessions::revoke_all(conn, &id)?;
            }
            Ok(row)
        })
        .await?;
    one(row, &Caller::Staff(staff))
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
    id: web::Path<Key>,
) -> ApiResult<HttpResponse> {
    policy::may_transfer_ownership(&staff)?;
    let to = id.into_inner().0;
    let from = staff.id.clone();
    let row = db
        .write(move |conn| {
            let row = storage::transfer_ownership(conn, &from, &to)?;
            sessions::revoke_all(conn, &from)?;
            Ok(row)
        })
        .await?;
    one(row, &Caller::Staff(staff))
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
async fn delete(db: web::Data<Db>, staff: Staff, id: web::Path<Key>) -> ApiResult<HttpResponse> {
    let target = load(&db, id.into_inner().0).await?;
    let target_role = target.role()?;
    policy::may_delete(&staff, &target.id, target_role)?;
    if target_role.is_some() {
        staff.in_person()?;
    }
    db.write(move |conn| storage::delete(conn, &target.id, target.version))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
