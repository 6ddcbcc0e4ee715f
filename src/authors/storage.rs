use diesel::prelude::*;

use super::model::{AuthorChanges, AuthorRow, NewAuthor};
use crate::auth::{Email, Role};
use crate::content::Slug;
use crate::db::schema::{authors, posts, posts_authors};
use crate::db::{DbConn, MultiBackend, new_id, now};
use crate::http::conditional::{Expected, stale};
use crate::http::error::{ApiError, ApiResult};
use crate::http::listing::NamedListQuery;
use crate::http::pagination::PageMeta;

fn columns() -> <AuthorRow as Selectable<MultiBackend>>::SelectExpression {
    <AuthorRow as Selectable<MultiBackend>>::construct_selection()
}

pub fn not_found(id: &str) -> ApiError {
    ApiError::NotFound(format!("No author with id `{id}`."))
}

fn slug_taken(slug: &str) -> ApiError {
    ApiError::Conflict(format!(
        "The slug `{slug}` is already used by another author."
    ))
}

fn email_taken() -> ApiError {
    ApiError::Conflict("Another account already uses this email address.".into())
}

/// A page of the authors `list` asks for, and where it sits in the list.
pub fn list(conn: &mut DbConn, list: &NamedListQuery) -> ApiResult<(Vec<AuthorRow>, PageMeta)> {
    crate::named_list!(conn, list, authors, AuthorRow, columns())
}

pub fn find(conn: &mut DbConn, id: &str) -> ApiResult<Option<AuthorRow>> {
    Ok(authors::table
        .find(id)
        .select(columns())
        .first(conn)
        .optional()?)
}

pub fn find_by_slug(conn: &mut DbConn, slug: &str) -> ApiResult<Option<AuthorRow>> {
    Ok(authors::table
        .filter(authors::slug.eq(slug))
        .select(columns())
        .first(conn)
        .optional()?)
}

/// Which of `candidates` are slugs of authors already.
fn slugs_taken(conn: &mut DbConn, candidates: &[String]) -> ApiResult<Vec<String>> {
    Ok(authors::table
        .filter(authors::slug.eq_any(candidates))
        .select(authors::slug)
        .load(conn)?)
}

fn email_in_use(conn: &mut DbConn, email: &str, except_id: Option<&str>) -> ApiResult<bool> {
    let mut query = authors::table
        .filter(authors::email.eq(email))
        .select(authors::id)
        .into_boxed();
    if let Some(id) = except_id {
        query = query.filter(authors::id.ne(id));
    }
    Ok(query.first::<String>(conn).optional()?.is_some())
}

/// The sign-in part of a new author.
pub struct Login {
    pub email: Email,
    pub password_hash: String,
    pub role: Role,
}

pub struct AuthorInput {
    pub slug: Option<Slug>,
    pub name: String,
    pub bio: Option<String>,
    pub avatar_url: Option<String>,
    pub website: Option<String>,
    pub location: Option<String>,
    pub login: Option<Login>,
}

pub fn insert(conn: &mut DbConn, input: AuthorInput) -> ApiResult<AuthorRow> {
    if let Some(login) = &input.login
        && email_in_use(conn, login.email.as_str(), None)?
    {
        return Err(email_taken());
    }
    let now = now();
    let (email, password_hash, role) = match input.login {
        Some(l) => (
            Some(l.email.as_str().to_owned()),
            Some(l.password_hash),
            Some(l.role.as_str().to_owned()),
        ),
        None => (None, None, None),
    };
    let mut row = NewAuthor {
        id: new_id(),
        slug: String::new(),
        name: input.name,
        bio: input.bio,
        avatar_url: input.avatar_url,
        website: input.website,
        location: input.location,
        email,
        password_hash,
        role,
        created_at: now,
        updated_at: now,
        version: 1,
    };
    let name = row.name.clone();
    Slug::insert_free(
        conn,
        input.slug,
        &name,
        "author",
        "authors",
        slugs_taken,
        |conn, slug| {
            row.slug = slug.to_string();
            diesel::insert_into(authors::table)
                .values(&row)
                .returning(columns())
                .get_result(conn)
        },
    )?
    .map_err(|taken| slug_taken(taken.as_str()))
}

/// Applies `changes`, which were authorised against version `checked` of the author: if it
/// has changed since (a new role, say), nothing is written.
pub fn update(
    conn: &mut DbConn,
    id: &str,
    checked: i64,
    expected: Expected,
    changes: AuthorChanges,
) -> ApiResult<AuthorRow> {
    let current = find(conn, id)?.ok_or_else(|| not_found(id))?;
    expected.check(current.version)?;
    if current.version != checked {
        return Err(stale());
    }
    if changes.is_empty() {
        return Ok(current);
    }
    if let Some(slug) = &changes.slug
        && slug != &current.slug
        && find_by_slug(conn, slug)?.is_some()
    {
        return Err(slug_taken(slug));
    }
    if let Some(email) = &changes.email
        && email_in_use(conn, email, Some(id))?
    {
        return Err(email_taken());
    }
    diesel::update(
        authors::table
            .find(id)
            .filter(authors::version.eq(current.version)),
    )
    .set((
        changes,
        authors::version.eq(current.version + 1),
        authors::updated_at.eq(now()),
    ))
    .returning(columns())
    .get_result(conn)
    .optional()?
    .ok_or_else(stale)
}

/// Makes `to` the owner and `from` (the owner) an admin, in one transaction.
pub fn transfer_ownership(conn: &mut DbConn, from: &str, to: &str) -> ApiResult<AuthorRow> {
    let target = find(conn, to)?.ok_or_else(|| not_found(to))?;
    let refuse = |message: &str| Err(ApiError::validation("id", "not_eligible", message));
    match target.role()? {
        None => return refuse("This author has no login, so cannot own the site."),
        Some(Role::Owner) => return refuse("This author is the owner already."),
        Some(_) if target.disabled_at.is_some() => {
            return refuse("This account is disabled; enable it first.");
        }
        Some(_) => {}
    }
    let now = now();
    let bump = (
        authors::version.eq(authors::version + 1),
        authors::updated_at.eq(now),
    );
    // Conditional, so that of two hand-overs racing, or a hand-over racing a disabling, only
    // what still holds when it commits is done.
    let demoted = diesel::update(
        authors::table
            .find(from)
            .filter(authors::role.eq(Role::Owner.as_str())),
    )
    .set((authors::role.eq(Role::Admin.as_str()), bump))
    .execute(conn)?;
    if demoted == 0 {
        return Err(ApiError::Forbidden("You are no longer the owner.".into()));
    }
    diesel::update(
        authors::table
            .find(to)
            .filter(authors::role.is_not_null())
            .filter(authors::disabled_at.is_null()),
    )
    .set((authors::role.eq(Role::Owner.as_str()), bump))
    .returning(columns())
    .get_result(conn)
    .optional()?
    .map_or_else(
        || refuse("This account changed meanwhile; read it again."),
        Ok,
    )
}

/// Deletes the author and their bylines, unless that would leave a post with no author.
/// The deletion was authorised against version `checked`: if the author changed since,
/// nothing is deleted.
pub fn delete(conn: &mut DbConn, id: &str, checked: i64) -> ApiResult<()> {
    let current = find(conn, id)?.ok_or_else(|| not_found(id))?;
    if current.version != checked {
        return Err(stale());
    }
    diesel::alias!(posts_authors as others: OtherBylines);
    let sole: i64 = posts_authors::table
        .filter(posts_authors::author_id.eq(id))
        .filter(diesel::dsl::not(diesel::dsl::exists(
            others
                .filter(
                    others
                        .field(posts_authors::post_id)
                        .eq(posts_authors::post_id),
                )
                .filter(others.field(posts_authors::author_id).ne(id)),
        )))
        .count()
        .get_result(conn)?;
    if sole > 0 {
        return Err(ApiError::Conflict(format!(
            "This author is the only author of {sole} post(s); give those posts another \
             author, or delete them, first."
        )));
    }
    match diesel::delete(authors::table.find(id)).execute(conn)? {
        0 => Err(not_found(id)),
        _ => Ok(()),
    }
}

/// How many live posts each of `ids` has (authors with none are left out).
pub fn post_counts(
    conn: &mut DbConn,
    ids: &[String],
    now: chrono::NaiveDateTime,
) -> ApiResult<std::collections::HashMap<String, i64>> {
    let rows: Vec<(String, i64)> = posts_authors::table
        .inner_join(posts::table)
        .filter(posts_authors::author_id.eq_any(ids))
        .filter(crate::posts::storage::live(now))
        .group_by(posts_authors::author_id)
        .select((posts_authors::author_id, diesel::dsl::count_star()))
        .load(conn)?;
    Ok(rows.into_iter().collect())
}
