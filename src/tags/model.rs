//! Tags as stored: the row, the insert form, and the columns a change may touch.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::content::TagVisibility;
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
    pub visibility: TagVisibility,
    pub feature_image: Option<String>,
    pub accent_color: Option<String>,
    pub meta_title: Option<String>,
    pub meta_description: Option<String>,
    pub og_image: Option<String>,
    pub og_title: Option<String>,
    pub og_description: Option<String>,
    pub twitter_image: Option<String>,
    pub twitter_title: Option<String>,
    pub twitter_description: Option<String>,
    pub canonical_url: Option<String>,
    pub codeinjection_head: Option<String>,
    pub codeinjection_foot: Option<String>,
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
    pub visibility: TagVisibility,
    pub feature_image: Option<String>,
    pub accent_color: Option<String>,
    pub meta_title: Option<String>,
    pub meta_description: Option<String>,
    pub og_image: Option<String>,
    pub og_title: Option<String>,
    pub og_description: Option<String>,
    pub twitter_image: Option<String>,
    pub twitter_title: Option<String>,
    pub twitter_description: Option<String>,
    pub canonical_url: Option<String>,
    pub codeinjection_head: Option<String>,
    pub codeinjection_foot: Option<String>,
}

/// The columns a `PATCH` may touch; `None` leaves a column as it is.
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = tags)]
pub struct TagChanges {
    pub slug: Option<String>,
    pub name: Option<String>,
    /// Follows the name: set whenever the name is.
    pub visibility: Option<TagVisibility>,
    pub description: Option<Option<String>>,
    pub feature_image: Option<Option<String>>,
    pub accent_color: Option<Option<String>>,
    pub meta_title: Option<Option<String>>,
    pub meta_description: Option<Option<String>>,
    pub og_image: Option<Option<String>>,
    pub og_title: Option<Option<String>>,
    pub og_description: Option<Option<String>>,
    pub twitter_image: Option<Option<String>>,
    pub twitter_title: Option<Option<String>>,
    pub twitter_description: Option<Option<String>>,
    pub canonical_url: Option<Option<String>>,
    pub codeinjection_head: Option<Option<String>>,
    pub codeinjection_foot: Option<Option<String>>,
}

impl TagChanges {
    pub fn sets_code(&self) -> bool {
        self.codeinjection_head.is_some() || self.codeinjection_foot.is_some()
    }

    pub fn is_empty(&self) -> bool {
        let TagChanges {
            slug,
            name,
            visibility,
            description,
            feature_image,
            accent_color,
            meta_title,
            meta_description,
            og_image,
            og_title,
            og_description,
            twitter_image,
            twitter_title,
            twitter_description,
            canonical_url,
            codeinjection_head,
            codeinjection_foot,
        } = self;
        slug.is_none()
            && name.is_none()
            && visibility.is_none()
            && description.is_none()
            && feature_image.is_none()
            && accent_color.is_none()
            && meta_title.is_none()
            && meta_description.is_none()
            && og_image.is_none()
            && og_title.is_none()
            && og_description.is_none()
            && twitter_image.is_none()
            && twitter_title.is_none()
            && twitter_description.is_none()
            && canonical_url.is_none()
            && codeinjection_head.is_none()
            && codeinjection_foot.is_none()
    }
}
