//! Tags as stored: the row, the insert form, and the columns a change may touch.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::tags;
use crate::ids::TagId;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = tags)]
pub struct TagRow {
    pub id: TagId,
    pub slug: String,
    pub name: String,
    pub description: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i64,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = tags)]
pub struct NewTag {
    pub id: TagId,
    pub slug: String,
    pub name: String,
    pub description: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i64,
}

/// The columns a `PATCH` may touch; `None` leaves a column as it is.
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = tags)]
pub struct TagChanges {
    pub slug: Option<String>,
    pub name: Option<String>,
    pub description: Option<Option<String>>,
}

impl TagChanges {
    pub fn is_empty(&self) -> bool {
        let TagChanges {
            slug,
            name,
            description,
        } = self;
        slug.is_none() && name.is_none() && description.is_none()
    }
}
