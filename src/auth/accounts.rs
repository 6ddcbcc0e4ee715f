//! The login side of authors: the queries authentication needs, and nothing more.

use diesel::prelude::*;

use super::Role;
use crate::db::DbConn;
use crate::db::schema::{authors, sessions};
use crate::http::error::ApiError;

pub struct Account {
    pub id: String,
    pub role: Role,
    pub password_hash: Option<String>,
    pub disabled: bool,
}

type AccountRow = (
    String,
    Option<String>,
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

fn account(row: AccountRow) -> Result<Option<Account>, ApiError> {
    let (id, role, password_hash, disabled_at) = row;
    let Some(role) = role else {
        return Ok(None);
    };
    Ok(Some(Account {
        id,
        role: parse_role(&role)?,
        password_hash,
        disabled: disabled_at.is_some(),
    }))
}

pub fn parse_role(role: &str) -> Result<Role, ApiError> {
    role.parse().map_err(ApiError::internal)
}

/// `email` must already be normalised (see [`super::Email`]).
pub fn find_by_email(conn: &mut DbConn, email: &str) -> Result<Option<Account>, ApiError> {
    let row = authors::table
        .filter(authors::email.eq(email))
        .select(ACCOUNT)
        .first::<AccountRow>(conn)
        .optional()?;
    Ok(row.map(account).transpose()?.flatten())
}

/// Whether `author_id` still signs in, with the password hash `verified` was checked against.
pub fn signs_in_with(
    conn: &mut DbConn,
    author_id: &str,
    verified: Option<&str>,
) -> Result<bool, ApiError> {
    let row = authors::table
        .find(author_id)
        .select(ACCOUNT)
        .first::<AccountRow>(conn)
        .optional()?;
    let account = row.map(account).transpose()?.flatten();
    Ok(account.is_some_and(|a| !a.disabled && a.password_hash.as_deref() == verified))
}

/// The role of `author_id` while it may act through the unrevoked session `session_id`: the
/// account signs in and is not disabled. One query, on every signed-in request.
pub fn role_in_session(
    conn: &mut DbConn,
    author_id: &str,
    session_id: &str,
) -> Result<Option<Role>, ApiError> {
    let role = sessions::table
        .inner_join(authors::table)
        .filter(sessions::id.eq(session_id))
        .filter(sessions::author_id.eq(author_id))
        .filter(sessions::revoked_at.is_null())
        .filter(authors::disabled_at.is_null())
        .select(authors::role)
        .first::<Option<String>>(conn)
        .optional()?
        .flatten();
    role.as_deref().map(parse_role).transpose()
}

pub fn owner_exists(conn: &mut DbConn) -> Result<bool, ApiError> {
    Ok(diesel::select(diesel::dsl::exists(
        authors::table.filter(authors::role.eq(Role::Owner.as_str())),
    ))
    .get_result(conn)?)
}
