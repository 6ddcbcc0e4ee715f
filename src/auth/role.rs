//! The five roles and how they rank, down to the column that stores them.

use std::fmt;
use std::str::FromStr;

use diesel::deserialize::FromSqlRow;
use diesel::expression::AsExpression;
use diesel::sql_types::Text;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// What a staff account may do; see the role table in the README.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    ToSchema,
    AsExpression,
    FromSqlRow,
)]
#[diesel(sql_type = Text)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Owner,
    Admin,
    Editor,
    Author,
    Contributor,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::Owner,
        Role::Admin,
        Role::Editor,
        Role::Author,
        Role::Contributor,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Admin => "admin",
            Role::Editor => "editor",
            Role::Author => "author",
            Role::Contributor => "contributor",
        }
    }

    /// Owners, admins and editors run the publication: every post, draft or not, is theirs
    /// to read, write and publish, and they manage tags.
    pub fn is_editorial(self) -> bool {
        matches!(self, Role::Owner | Role::Admin | Role::Editor)
    }

    /// How much the role may do; each role may do all that the ones below it may.
    fn rank(self) -> u8 {
        match self {
            Role::Owner => 4,
            Role::Admin => 3,
            Role::Editor => 2,
            Role::Author => 1,
            Role::Contributor => 0,
        }
    }

    /// Whether `self` may do less than `other`.
    pub fn is_below(self, other: Role) -> bool {
        self.rank() < other.rank()
    }

    /// The lesser of two roles.
    pub fn lesser(self, other: Role) -> Role {
        if self.is_below(other) { self } else { other }
    }

    /// Owners and admins manage every account and assign roles.
    pub fn is_administrator(self) -> bool {
        matches!(self, Role::Owner | Role::Admin)
    }
}

crate::text_column!(Role);

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = String;

    fn from_str(s: &str) -> Result<Role, String> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| format!("unknown role `{s}`"))
    }
}
