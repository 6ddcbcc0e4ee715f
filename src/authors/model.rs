//! Authors as stored: the row, the insert form (with its login, if any) and the columns a
//! change may touch.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::auth::{Email, Role};
use crate::content::Slug;
use crate::db::schema::authors;
use crate::ids::AuthorId;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = authors)]
pub struct AuthorRow {
    pub id: AuthorId,
    pub slug: String,
    pub name: String,
    pub bio: Option<String>,
    pub avatar_url: Option<String>,
    pub website: Option<String>,
    pub location: Option<String>,
    pub email: Option<String>,
    pub password_hash: Option<String>,
    /// Only authors who sign in have one.
    pub role: Option<Role>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i64,
    pub disabled_at: Option<NaiveDateTime>,
    #[diesel(embed)]
    pub profile: Profile,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = authors)]
pub struct NewAuthor {
    pub id: AuthorId,
    pub slug: String,
    pub name: String,
    pub bio: Option<String>,
    pub avatar_url: Option<String>,
    pub website: Option<String>,
    pub location: Option<String>,
    pub email: Option<String>,
    pub password_hash: Option<String>,
    pub role: Option<Role>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub version: i64,
    #[diesel(embed)]
    pub profile: Profile,
}

/// An author's page beyond the name and bio: a cover image, SEO fields and social handles.
#[derive(Debug, Clone, Default, PartialEq, Eq, Queryable, Selectable, Insertable)]
#[diesel(table_name = authors)]
pub struct Profile {
    pub cover_image: Option<String>,
    pub meta_title: Option<String>,
    pub meta_description: Option<String>,
    pub twitter: Option<String>,
    pub facebook: Option<String>,
    pub mastodon: Option<String>,
    pub bluesky: Option<String>,
    pub threads: Option<String>,
    pub linkedin: Option<String>,
    pub instagram: Option<String>,
    pub youtube: Option<String>,
    pub tiktok: Option<String>,
}

/// The sign-in part of a new author, its password already hashed.
pub struct Login {
    pub email: Email,
    pub password_hash: String,
    pub role: Role,
}

/// A new author, ready to store.
pub struct AuthorInput {
    pub slug: Option<Slug>,
    pub name: String,
    pub bio: Option<String>,
    pub avatar_url: Option<String>,
    pub website: Option<String>,
    pub location: Option<String>,
    pub profile: Profile,
    pub login: Option<Login>,
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
    pub role: Option<Role>,
    pub disabled_at: Option<Option<NaiveDateTime>>,
    pub cover_image: Option<Option<String>>,
    pub meta_title: Option<Option<String>>,
    pub meta_description: Option<Option<String>>,
    pub twitter: Option<Option<String>>,
    pub facebook: Option<Option<String>>,
    pub mastodon: Option<Option<String>>,
    pub bluesky: Option<Option<String>>,
    pub threads: Option<Option<String>>,
    pub linkedin: Option<Option<String>>,
    pub instagram: Option<Option<String>>,
    pub youtube: Option<Option<String>>,
    pub tiktok: Option<Option<String>>,
}

impl AuthorChanges {
    pub fn is_empty(&self) -> bool {
        let AuthorChanges {
            slug,
            name,
            bio,
            avatar_url,
            website,
            location,
            email,
            password_hash,
            role,
            disabled_at,
            cover_image,
            meta_title,
            meta_description,
            twitter,
            facebook,
            mastodon,
            bluesky,
            threads,
            linkedin,
            instagram,
            youtube,
            tiktok,
        } = self;
        slug.is_none()
            && name.is_none()
            && bio.is_none()
            && avatar_url.is_none()
            && website.is_none()
            && location.is_none()
            && email.is_none()
            && password_hash.is_none()
            && role.is_none()
            && disabled_at.is_none()
            && cover_image.is_none()
            && meta_title.is_none()
            && meta_description.is_none()
            && twitter.is_none()
            && facebook.is_none()
            && mastodon.is_none()
            && bluesky.is_none()
            && threads.is_none()
            && linkedin.is_none()
            && instagram.is_none()
            && youtube.is_none()
            && tiktok.is_none()
    }
}
