//! The authors table: pages of it, finding one, inserting under a free slug, versioned
//! changes, the hand-over of ownership, deletion, and post counts.

use diesel::prelude::*;

use super::model::{AuthorChanges, AuthorInput, AuthorRow, NewAuthor};
use crate::auth::Role;
use crate::db::schema::{authors, posts, posts_authors};
use crate::db::{DbConn, now};
use crate::error::{ApiError, ApiResult};
use crate::ids::AuthorId;
use crate::precondition::stale;

crate::named_storage! {
    table: authors,
    row: AuthorRow,
    new: NewAuthor,
    id: AuthorId,
    changes: AuthorChanges,
    filter: () => |query, _: &()| query,
    links: posts_authors.author_id,
    what: "author",
}

pub fn email_taken() -> ApiError {
    ApiError::Conflict("Another account already uses this email address.".into())
}

pub fn slug_in_use(conn: &mut DbConn, slug: &str, except: &AuthorId) -> ApiResult<bool> {
    Ok(find_by_slug(conn, slug)?.is_some_and(|author| author.id != *except))
}

pub fn email_in_use(conn: &mut DbConn, email: &str, except: Option<&AuthorId>) -> ApiResult<bool> {
    let mut query = authors::table
        .filter(authors::email.eq(email))
        .select(authors::id)
        .into_boxed();
    if let Some(id) = except {
        query = query.filter(authors::id.ne(id));
    }
    Ok(query.first::<AuthorId>(conn).optional()?.is_some())
}

/// Inserts a new author under a free slug. Run inside a write transaction.
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
            Some(l.role),
        ),
        None => (None, None, None),
    };
    let row = NewAuthor {
        id: AuthorId::generate(),
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
        profile: input.profile,
    };
    let name = row.name.clone();
    insert_named(conn, row, input.slug, &name)
}

/// Makes `to` the owner and `from` (the owner) an admin, in one transaction.
pub fn transfer_ownership(
    conn: &mut DbConn,
    from: &AuthorId,
    to: &AuthorId,
) -> ApiResult<AuthorRow> {
    let target = find(conn, to)?.ok_or_else(|| not_found(to))?;
    let refuse = |message: &str| Err(ApiError::validation("id", "not_eligible", message));
    match target.role {
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
            .filter(authors::role.eq(Role::Owner)),
    )
    .set((authors::role.eq(Role::Admin), bump))
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
    .set((authors::role.eq(Role::Owner), bump))
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
pub fn delete(conn: &mut DbConn, id: &AuthorId, checked: i64) -> ApiResult<()> {
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
    // The posts they were on show one author less from now on: they count as changed
    // (`updated_at`, which `Last-Modified` follows; not their version: nobody edited them).
    let bylined = posts_authors::table
        .filter(posts_authors::author_id.eq(id))
        .select(posts_authors::post_id);
    diesel::update(posts::table.filter(posts::id.eq_any(bylined)))
        .set(posts::updated_at.eq(now()))
        .execute(conn)?;
    match diesel::delete(authors::table.find(id)).execute(conn)? {
        0 => Err(not_found(id)),
        _ => Ok(()),
    }
}
