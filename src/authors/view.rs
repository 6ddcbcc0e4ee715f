//! Authors as the API shows them: email, role and access to signed-in staff only.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::model::AuthorRow;
use crate::auth::{Caller, Role};
use crate::db::utc;
use crate::ids::AuthorId;
use crate::named::view::PostCount;

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
}

impl Author {
    /// The author as `caller` may see them, with `count` when it was asked for: email and
    /// role never reach anonymous readers.
    pub fn view(row: AuthorRow, caller: &Caller, count: Option<PostCount>) -> Author {
        let (email, role) = match caller {
            Caller::Staff(_) => (row.email, row.role),
            Caller::Anonymous | Caller::Reader => (None, None),
        };
        let disabled = role.map(|_| row.disabled_at.is_some());
        Author {
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
        }
    }
}

impl crate::http::Modified for Author {
    fn last_modified(&self) -> DateTime<Utc> {
        self.updated_at
    }
}
