use chrono::{DateTime, Utc};
use secrecy::SecretString;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::model::AuthorRow;
use crate::auth::{Caller, Email, Role, password};
use crate::content::Slug;
use crate::db::utc;
use crate::http::error::ApiResult;
use crate::http::extract::double_option;
use crate::http::listing::PostCount;
use crate::http::validate::Fields;

const NAME_MAX: usize = 191;
const BIO_MAX: usize = 5000;
const LOCATION_MAX: usize = 191;

crate::list_schema!(AuthorList, Author, "A page of authors.");

#[derive(Debug, Serialize, ToSchema)]
pub struct Author {
    pub id: String,
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
    /// Adds the post count from `counts` (a missing entry is none) when it was asked for.
    pub fn with_count(mut self, counts: Option<&std::collections::HashMap<String, i64>>) -> Author {
        self.count = counts.map(|c| PostCount {
            posts: c.get(&self.id).copied().unwrap_or(0),
        });
        self
    }
}

impl Author {
    /// The author as `caller` may see them: email and role never reach anonymous readers.
    pub fn view(row: AuthorRow, caller: &Caller) -> ApiResult<Author> {
        let (email, role) = match caller {
            Caller::Staff(_) => (row.email.clone(), row.role()?),
            Caller::Anonymous | Caller::Reader => (None, None),
        };
        let disabled = role.map(|_| row.disabled_at.is_some());
        Ok(Author {
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
            count: None,
        })
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateAuthor {
    #[schema(min_length = 1, max_length = 191, example = "Mara Lindqvist")]
    pub name: String,
    /// Derived from the name when left out; a taken slug is `409`.
    #[schema(max_length = 191, pattern = "^[a-z0-9]+(-[a-z0-9]+)*$")]
    pub slug: Option<String>,
    #[schema(max_length = 5000)]
    pub bio: Option<String>,
    #[schema(format = "uri")]
    pub avatar_url: Option<String>,
    #[schema(format = "uri")]
    pub website: Option<String>,
    #[schema(max_length = 191)]
    pub location: Option<String>,
    /// Gives the author a login; needs `password` and `role` too.
    #[schema(format = Email)]
    pub email: Option<String>,
    #[schema(value_type = Option<String>, format = Password, min_length = 10, max_length = 256)]
    pub password: Option<SecretString>,
    pub role: Option<Role>,
}

/// A validated new author; the password is hashed later, off the async workers.
pub struct NewAuthorInput {
    pub slug: Option<Slug>,
    pub name: String,
    pub bio: Option<String>,
    pub avatar_url: Option<String>,
    pub website: Option<String>,
    pub location: Option<String>,
    pub login: Option<(Email, SecretString, Role)>,
}

fn check_password(f: &mut Fields, field: &str, value: &SecretString) {
    use secrecy::ExposeSecret;
    if let Err(message) = password::check_strength(value.expose_secret()) {
        f.error(field, "weak_password", message);
    }
}

fn check_email(f: &mut Fields, value: &str) -> Option<Email> {
    Email::parse(value)
        .map_err(|message| f.error("email", "invalid_format", message))
        .ok()
}

impl CreateAuthor {
    pub fn validate(self) -> ApiResult<NewAuthorInput> {
        let mut f = Fields::new();
        let login = match (self.email, self.password, self.role) {
            (None, None, None) => None,
            (Some(email), Some(password), Some(role)) => {
                check_password(&mut f, "password", &password);
                check_email(&mut f, &email).map(|email| (email, password, role))
            }
            (email, password, role) => {
                for (field, missing) in [
                    ("email", email.is_none()),
                    ("password", password.is_none()),
                    ("role", role.is_none()),
                ] {
                    if missing {
                        f.error(
                            field,
                            "required",
                            "an author with a login needs email, password and role",
                        );
                    }
                }
                None
            }
        };
        let input = NewAuthorInput {
            name: f.required("name", &self.name, NAME_MAX),
            slug: f.slug("slug", self.slug.as_deref()),
            bio: f.optional("bio", self.bio, BIO_MAX),
            avatar_url: f.url("avatar_url", self.avatar_url),
            website: f.url("website", self.website),
            location: f.optional("location", self.location, LOCATION_MAX),
            login,
        };
        f.finish(input)
    }
}

/// Fields left out stay as they are; `null` clears an optional field.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateAuthor {
    #[schema(min_length = 1, max_length = 191)]
    pub name: Option<String>,
    #[schema(max_length = 191, pattern = "^[a-z0-9]+(-[a-z0-9]+)*$")]
    pub slug: Option<String>,
    #[serde(default, with = "double_option")]
    #[schema(value_type = Option<String>, max_length = 5000)]
    pub bio: Option<Option<String>>,
    #[serde(default, with = "double_option")]
    #[schema(value_type = Option<String>, format = "uri")]
    pub avatar_url: Option<Option<String>>,
    #[serde(default, with = "double_option")]
    #[schema(value_type = Option<String>, format = "uri")]
    pub website: Option<Option<String>>,
    #[serde(default, with = "double_option")]
    #[schema(value_type = Option<String>, max_length = 191)]
    pub location: Option<Option<String>>,
    /// Only for authors who have a login. Changing your own needs `current_password`.
    #[schema(format = Email)]
    pub email: Option<String>,
    /// Admins and the owner only. Lowering a role signs the account out everywhere. To make
    /// someone the owner, the owner uses `POST /authors/{id}/ownership`.
    pub role: Option<Role>,
    /// `true` disables the account (it cannot sign in; its sessions and keys stop working;
    /// its posts stay), `false` enables it again. Not for your own account, nor the owner's.
    pub disabled: Option<bool>,
    /// A new password; it signs the account out everywhere. Changing your own needs `current_password`.
    #[schema(value_type = Option<String>, format = Password, min_length = 10, max_length = 256)]
    pub password: Option<SecretString>,
    /// Your password as it is now: needed to change your own `email` or `password`.
    #[schema(value_type = Option<String>, format = Password)]
    pub current_password: Option<SecretString>,
    /// The version you read, if you do not send `If-Match`.
    pub version: Option<i64>,
}

/// A validated author change; the password is checked and hashed later.
pub struct AuthorPatch {
    pub changes: super::model::AuthorChanges,
    pub role: Option<Role>,
    pub disabled: Option<bool>,
    pub password: Option<SecretString>,
    pub current_password: Option<SecretString>,
}

impl UpdateAuthor {
    pub fn validate(self) -> ApiResult<AuthorPatch> {
        let mut f = Fields::new();
        if let Some(password) = &self.password {
            check_password(&mut f, "password", password);
        }
        let changes = super::model::AuthorChanges {
            name: self.name.map(|n| f.required("name", &n, NAME_MAX)),
            slug: f.slug("slug", self.slug.as_deref()).map(Slug::into_inner),
            bio: f.patch("bio", self.bio, BIO_MAX),
            avatar_url: f.patch_url("avatar_url", self.avatar_url),
            website: f.patch_url("website", self.website),
            location: f.patch("location", self.location, LOCATION_MAX),
            email: self
                .email
                .and_then(|e| check_email(&mut f, &e))
                .map(|e| e.as_str().to_owned()),
            password_hash: None,
            role: self.role.map(|r| r.as_str().to_owned()),
            disabled_at: None,
        };
        f.finish(AuthorPatch {
            changes,
            role: self.role,
            disabled: self.disabled,
            password: self.password,
            current_password: self.current_password,
        })
    }
}

impl crate::http::Modified for Author {
    fn last_modified(&self) -> DateTime<Utc> {
        self.updated_at
    }
}
