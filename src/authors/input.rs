//! What creating and changing an author are sent, and its checking: names, URLs, and for
//! authors who sign in an email, a password strong enough, and a role.

use secrecy::SecretString;
use serde::Deserialize;
use utoipa::ToSchema;

use super::model::AuthorChanges;
use crate::auth::{Email, Role, password};
use crate::content::Slug;
use crate::error::ApiResult;
use crate::validate::{Fields, double_option};

const NAME_MAX: usize = 191;
const BIO_MAX: usize = 5000;
const LOCATION_MAX: usize = 191;

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
    pub changes: AuthorChanges,
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
        let changes = AuthorChanges {
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
            role: self.role,
            disabled_at: None,
        };
        f.finish(AuthorPatch {
            changes,
            disabled: self.disabled,
            password: self.password,
            current_password: self.current_password,
        })
    }
}
