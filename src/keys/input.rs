//! What making an API key is sent, and its checking: a content key has no role, an
//! integration key needs one, and none is the owner.

use serde::Deserialize;
use utoipa::ToSchema;

use crate::auth::Role;
use crate::auth::keys::{KeyFormat, KeyKind};
use crate::error::ApiResult;
use crate::validate::Fields;

const NAME_MAX: usize = 191;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateApiKey {
    #[schema(min_length = 1, max_length = 191, example = "Blog frontend")]
    pub name: String,
    pub kind: KeyKind,
    /// Integration keys only, and required for them: admin, editor, author or contributor,
    /// and no more than your own role.
    pub role: Option<Role>,
    /// How the secret is written: `folio` (the default, `folio_ck_…`) or, for content keys
    /// only, `ghost` (26 lower-case hex digits, the form Ghost's own clients accept, for
    /// frontends reading the Ghost Content API at `/ghost/api/content/`).
    #[serde(default)]
    pub format: KeyFormat,
}

pub struct KeyInput {
    pub name: String,
    pub kind: KeyKind,
    pub format: KeyFormat,
    pub role: Option<Role>,
}

impl CreateApiKey {
    pub fn validate(self) -> ApiResult<KeyInput> {
        let mut f = Fields::new();
        let name = f.required("name", &self.name, NAME_MAX);
        match (self.kind, self.role) {
            (KeyKind::Content, Some(_)) => f.error(
                "role",
                "not_allowed",
                "content keys read; they have no role",
            ),
            (KeyKind::Integration, None) => {
                f.error("role", "required", "an integration key acts with a role")
            }
            (KeyKind::Integration, Some(Role::Owner)) => f.error(
                "role",
                "not_allowed",
                "there is one owner; a key cannot be it",
            ),
            _ => {}
        }
        if self.format == KeyFormat::Ghost && self.kind != KeyKind::Content {
            f.error(
                "format",
                "not_allowed",
                "only content keys come in Ghost's format: Ghost's Content API is read-only",
            );
        }
        f.finish(KeyInput {
            name,
            kind: self.kind,
            format: self.format,
            role: self.role,
        })
    }
}
