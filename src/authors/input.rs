//! What creating and changing an author are sent, and its checking: names, URLs, and for
//! authors who sign in an email, a password strong enough, and a role; social handles.

use secrecy::SecretString;
use serde::Deserialize;
use utoipa::ToSchema;

use super::model::{AuthorChanges, Profile};
use crate::auth::{Email, Role, password};
use crate::content::Slug;
use crate::error::ApiResult;
use crate::validate::{Fields, HANDLE_MAX, META_DESCRIPTION_MAX, META_TITLE_MAX, double_option};

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
    #[schema(format = "uri")]
    pub cover_image: Option<String>,
    #[schema(max_length = 300)]
    pub meta_title: Option<String>,
    #[schema(max_length = 500)]
    pub meta_description: Option<String>,
    /// A handle or profile address on X (Twitter).
    #[schema(max_length = 191)]
    pub twitter: Option<String>,
    /// A handle or profile address on Facebook.
    #[schema(max_length = 191)]
    pub facebook: Option<String>,
    /// A handle or profile address on Mastodon.
    #[schema(max_length = 191)]
    pub mastodon: Option<String>,
    /// A handle or profile address on Bluesky.
    #[schema(max_length = 191)]
    pub bluesky: Option<String>,
    /// A handle or profile address on Threads.
    #[schema(max_length = 191)]
    pub threads: Option<String>,
    /// A handle or profile address on LinkedIn.
    #[schema(max_length = 191)]
    pub linkedin: Option<String>,
    /// A handle or profile address on Instagram.
    #[schema(max_length = 191)]
    pub instagram: Option<String>,
    /// A handle or profile address on YouTube.
    #[schema(max_length = 191)]
    pub youtube: Option<String>,
    /// A handle or profile address on TikTok.
    #[schema(max_length = 191)]
    pub tiktok: Option<String>,
}

/// A validated new author; the password is hashed later, off the async workers.
pub struct NewAuthorInput {
    pub slug: Option<Slug>,
    pub name: String,
    pub bio: Option<String>,
    pub avatar_url: Option<String>,
    pub website: Option<String>,
    pub location: Option<String>,
    pub profile: Profile,
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
            profile: Profile {
                cover_image: f.url("cover_image", self.cover_image),
                meta_title: f.optional("meta_title", self.meta_title, META_TITLE_MAX),
                meta_description: f.optional(
                    "meta_description",
                    self.meta_description,
                    META_DESCRIPTION_MAX,
                ),
                twitter: f.handle("twitter", self.twitter, HANDLE_MAX),
                facebook: f.handle("facebook", self.facebook, HANDLE_MAX),
                mastodon: f.handle("mastodon", self.mastodon, HANDLE_MAX),
                bluesky: f.handle("bluesky", self.bluesky, HANDLE_MAX),
                threads: f.handle("threads", self.threads, HANDLE_MAX),
                linkedin: f.handle("linkedin", self.linkedin, HANDLE_MAX),
                instagram: f.handle("instagram", self.instagram, HANDLE_MAX),
                youtube: f.handle("youtube", self.youtube, HANDLE_MAX),
                tiktok: f.handle("tiktok", self.tiktok, HANDLE_MAX),
            },
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
    #[serde(default, with = "double_option")]
    #[schema(value_type = Option<String>, format = "uri")]
    pub cover_image: Option<Option<String>>,
    #[serde(default, with = "double_option")]
    #[schema(value_type = Option<String>, max_length = 300)]
    pub meta_title: Option<Option<String>>,
    #[serde(default, with = "double_option")]
    #[schema(value_type = Option<String>, max_length = 500)]
    pub meta_description: Option<Option<String>>,
    #[serde(default, with = "double_option")]
    #[schema(value_type = Option<String>, max_length = 191)]
    pub twitter: Option<Option<String>>,
    #[serde(default, with = "double_option")]
    #[schema(value_type = Option<String>, max_length = 191)]
    pub facebook: Option<Option<String>>,
    #[serde(default, with = "double_option")]
    #[schema(value_type = Option<String>, max_length = 191)]
    pub mastodon: Option<Option<String>>,
    #[serde(default, with = "double_option")]
    #[schema(value_type = Option<String>, max_length = 191)]
    pub bluesky: Option<Option<String>>,
    #[serde(default, with = "double_option")]
    #[schema(value_type = Option<String>, max_length = 191)]
    pub threads: Option<Option<String>>,
    #[serde(default, with = "double_option")]
    #[schema(value_type = Option<String>, max_length = 191)]
    pub linkedin: Option<Option<String>>,
    #[serde(default, with = "double_option")]
    #[schema(value_type = Option<String>, max_length = 191)]
    pub instagram: Option<Option<String>>,
    #[serde(default, with = "double_option")]
    #[schema(value_type = Option<String>, max_length = 191)]
    pub youtube: Option<Option<String>>,
    #[serde(default, with = "double_option")]
    #[schema(value_type = Option<String>, max_length = 191)]
    pub tiktok: Option<Option<String>>,
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
            cover_image: f.patch_url("cover_image", self.cover_image),
            meta_title: f.patch("meta_title", self.meta_title, META_TITLE_MAX),
            meta_description: f.patch(
                "meta_description",
                self.meta_description,
                META_DESCRIPTION_MAX,
            ),
            twitter: f.patch_with(self.twitter, |f, v| f.handle("twitter", v, HANDLE_MAX)),
            facebook: f.patch_with(self.facebook, |f, v| f.handle("facebook", v, HANDLE_MAX)),
            mastodon: f.patch_with(self.mastodon, |f, v| f.handle("mastodon", v, HANDLE_MAX)),
            bluesky: f.patch_with(self.bluesky, |f, v| f.handle("bluesky", v, HANDLE_MAX)),
            threads: f.patch_with(self.threads, |f, v| f.handle("threads", v, HANDLE_MAX)),
            linkedin: f.patch_with(self.linkedin, |f, v| f.handle("linkedin", v, HANDLE_MAX)),
            instagram: f.patch_with(self.instagram, |f, v| f.handle("instagram", v, HANDLE_MAX)),
            youtube: f.patch_with(self.youtube, |f, v| f.handle("youtube", v, HANDLE_MAX)),
            tiktok: f.patch_with(self.tiktok, |f, v| f.handle("tiktok", v, HANDLE_MAX)),
        };
        f.finish(AuthorPatch {
            changes,
            disabled: self.disabled,
            password: self.password,
            current_password: self.current_password,
        })
    }
}
