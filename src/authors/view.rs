//! Authors as the API shows them: email, role and access to signed-in staff only.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::model::AuthorRow;
use crate::auth::{Caller, Role};
use crate::db::utc;
use crate::ids::AuthorId;
use crate::named::view::PostCount;
use crate::site::Site;

crate::list_schema!(AuthorList, Author, "A page of authors.");

#[derive(Debug, Serialize, ToSchema)]
pub struct Author {
    #[schema(value_type = String)]
    pub id: AuthorId,
    pub slug: String,
    pub name: String,
    pub bio: Option<String>,
    pub avatar_url: Option<String>,
    pub website: Option<String>,
    pub location: Option<String>,
    /// The author's page on the site; `null` until the site's `url` is set.
    pub url: Option<String>,
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
    /// Signed-in staff only, and only for authors with a login.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub email: Option<String>,
    /// Signed-in staff only, and only for authors with a login.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub role: Option<Role>,
    /// Signed-in staff only, and only for authors with a login: a disabled account cannot
    /// sign in, and its sessions and keys do not work. Its posts stay.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub disabled: Option<bool>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Grows by one on every change; send it back (or the `ETag`) when you change the author.
    pub version: i64,
    /// With `include=count.posts`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub count: Option<PostCount>,
    /// When what this shows last changed: it, or the site's address.
    #[serde(skip)]
    pub changed_at: DateTime<Utc>,
}

impl Author {
    /// The author as `caller` may see them, with `count` when it was asked for and their
    /// address on `site`: email and role never reach anonymous readers.
    /// The author as readers get it, without counts (what its events carry).
    pub fn public(row: AuthorRow, site: &Site) -> serde_json::Value {
        serde_json::to_value(Author::view(row, &Caller::Anonymous, None, site)).unwrap_or_default()
    }

    pub fn view(row: AuthorRow, caller: &Caller, count: Option<PostCount>, site: &Site) -> Author {
        let (email, role) = match caller {
            Caller::Staff(_) => (row.email, row.role),
            Caller::Anonymous | Caller::Reader => (None, None),
        };
        let disabled = role.map(|_| row.disabled_at.is_some());
        let profile = row.profile;
        Author {
            url: site.author_url(&row.slug),
            cover_image: profile.cover_image,
            meta_title: profile.meta_title,
            meta_description: profile.meta_description,
            twitter: profile.twitter,
            facebook: profile.facebook,
            mastodon: profile.mastodon,
            bluesky: profile.bluesky,
            threads: profile.threads,
            linkedin: profile.linkedin,
            instagram: profile.instagram,
            youtube: profile.youtube,
            tiktok: profile.tiktok,

            id: row.id,
            slug: row.slug,
            name: row.name,
            bio: row.bio,
            avatar_url: row.avatar_url,
            website: row.website,
            location: row.location,
            email,
            role,
            disabled,
            created_at: utc(row.created_at),
            updated_at: utc(row.updated_at),
            version: row.version,
            count,
            changed_at: utc(row.updated_at.max(site.changed_at)),
        }
    }
}

impl crate::http::Modified for Author {
    fn last_modified(&self) -> DateTime<Utc> {
        self.changed_at
    }
}
