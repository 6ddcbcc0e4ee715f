//! The login side of authors: the queries authentication needs, and nothing more.

use diesel::prelude::*;

use super::Role;
use crate::db::DbConn;
use crate::db::schema::{authors, sessions};
use crate::error::ApiError;
use crate::ids::{AuthorId, SessionId};

pub struct Account {
    pub id: AuthorId,
    pub role: Role,
    pub password_hash: Option<String>,
    pub disabled: bool,
}

type AccountRow = (
    AuthorId,
    Option<Role>,
    Option<String>,
    Option<chrono::NaiveDateTime>,
);

/// The columns of an [`AccountRow`].
const ACCOUNT: (
    authors::id,
    authors::role,
    authors::password_hash,
    authors::disabled_at,
) = (
    authors::id,
    authors::role,
    authors::password_hash,
    authors::disabled_at,
);

/// The account of an author row: none for an author without a login.
fn account(row: AccountRow) -> Option<Account> {
    let (id, role, password_hash, disabled_at) = row;
    Some(Account {
        id,
        role: role?,
        password_hash,
        disabled: disabled_at.is_some(),
    })
}

/// `email` must already be normalised (see [`super::Email`]).
pub fn find_by_email(conn: &mut DbConn, email: &str) -> Result<Option<Account>, ApiError> {
    let row = authors::table
        .filter(authors::email.eq(email))
        .select(ACCOUNT)
        .first::<AccountRow>(conn)
        .optional()?;
    Ok(row.and_then(account))
}

/// Whether `author_id` still signs in, with the password hash `verified` was checked against.
pub fn signs_in_with(
    conn: &mut DbConn,
    author_id: &AuthorId,
    verified: Option<&str>,
) -> Result<bool, ApiError> {
    let row = authors::table
        .find(author_id)
        .select(ACCOUNT)
        .first::<AccountRow>(conn)
        .optional()?;
    let account = row.and_then(account);
    Ok(account.is_some_and(|a| !a.disabled && a.password_hash.as_deref() == verified))
}

/// The role of `author_id` while it may act through the unrevoked session `session_id`: the
/// account signs in and is not disabled. One query, on every signed-in request.
pub fn role_in_session(
    conn: &mut DbConn,
    author_id: &AuthorId,
    session_id: &SessionId,
) -> Result<Option<Role>, ApiError> {
    Ok(sessions::table
        .inner_join(authors::table)
        .filter(sessions::id.eq(session_id))
        .filter(sessions::author_id.eq(author_id))
        .filter(sessions::revoked_at.is_null())
        .filter(authors::disabled_at.is_null())
        .select(authors::role)
        .first::<Option<Role>>(conn)
        .optional()?
        .flatten())
}

pub fn owner_exists(conn: &mut DbConn) -> Result<bool, ApiError> {
    Ok(diesel::select(diesel::dsl::exists(
        authors::table.filter(authors::role.eq(Role::Owner)),
    ))
    .get_result(conn)?)
}
