//! The login side of authors: the queries authentication needs, and nothing more.

use diesel::prelude::*;

use super::Role;
use crate::db::{DbConn, schema::authors};
use crate::http::error::ApiError;

pub struct Account {
    pub id: String,
    pub role: Role,
    pub password_hash: Option<String>,
}

type AccountRow = (String, Option<String>, Option<String>);

fn account(row: AccountRow) -> Result<Option<Account>, ApiError> {
    let (id, role, password_hash) = row;
    let Some(role) = role else {
        return Ok(None);
    };
    let role = role.parse().map_err(ApiError::internal)?;
    Ok(Some(Account {
        id,
        role,
        password_hash,
    }))
}

pub fn find_by_id(conn: &mut DbConn, id: &str) -> Result<Option<Account>, ApiError> {
    let row = authors::table
        .filter(authors::id.eq(id))
        .select((authors::id, authors::role, authors::password_hash))
        .first::<AccountRow>(conn)
        .optional()?;
    Ok(row.map(account).transpose()?.flatten())
}

/// `email` must already be normalised (see [`super::Email`]).
pub fn find_by_email(conn: &mut DbConn, email: &str) -> Result<Option<Account>, ApiError> {
    let row = authors::table
        .filter(authors::email.eq(email))
        .select((authors::id, authors::role, authors::password_hash))
        .first::<AccountRow>(conn)
        .optional()?;
    Ok(row.map(account).transpose()?.flatten())
}

pub fn owner_exists(conn: &mut DbConn) -> Result<bool, ApiError> {
    Ok(diesel::select(diesel::dsl::exists(
        authors::table.filter(authors::role.eq(Role::Owner.as_str())),
    ))
    .get_result(conn)?)
}
