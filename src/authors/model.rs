use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::auth::Role;
use crate::db::schema::authors;
use crate::http::error::ApiError;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = authors)]
pub struct AuthorRow {
    pub id: String,
    pub slug: String,
    pub name: String,
    pub bio: Option<String>,
    pub avatar_url: Option<String>,
    pub website: Option<String>,
    pub location: Option<String>,
    pub email: Option<String>,
    pub password_hash: Option<String>,
    pub role: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i64,
    pub disabled_at: Option<NaiveDateTime>,
}

impl AuthorRow {
    pub fn role(&self) -> Result<Option<Role>, ApiError> {
        self.role
            .as_deref()
            .map(str::parse)
            .transpose()
            .map_err(ApiError::internal)
    }
}

#[derive(Debug, Insertable)]
#[diesel(table_name = authors)]
pub struct NewAuthor {
    pub id: String,
    pub slug: String,
    pub name: String,
    pub bio: Option<String>,
    pub avatar_url: Option<String>,
    pub website: Option<String>,
    pub location: Option<String>,
    pub email: Option<String>,
    pub password_hash: Option<String>,
    pub role: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i64,
}

/// The columns a `PATCH` may touch; `None` leaves a column as it is.
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = authors)]
pub struct AuthorChanges {
    pub slug: Option<String>,
    pub name: Option<String>,
    pub bio: Option<Option<String>>,
    pub avatar_url: Option<Option<String>>,
    pub website: Option<Option<String>>,
    pub location: Option<Option<String>>,
    pub email: Option<String>,
    pub password_hash: Option<String>,
    pub role: Option<String>,
    pub disabled_at: Option<Option<NaiveDateTime>>,
}

impl AuthorChanges {
    pub fn is_empty(&self) -> bool {
        self.slug.is_none()
            && self.name.is_none()
            && self.bio.is_none()
            && self.avatar_url.is_none()
            && self.website.is_none()
            && self.location.is_none()
            && self.email.is_none()
            && self.password_hash.is_none()
            && self.role.is_none()
            && self.disabled_at.is_none()
    }
}
