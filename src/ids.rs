//! Typed ids: one type for each kind of resource, so that an author's id can never be passed
//! where a post's is wanted. Opaque to clients (UUIDv7 text), stored as `TEXT` on both
//! backends, read and written by diesel as themselves.

use diesel::backend::Backend;
use diesel::deserialize::{self, FromSql, FromSqlRow};
use diesel::expression::AsExpression;
use diesel::serialize::{self, Output, ToSql};
use diesel::sql_types::Text;
use serde::{Deserialize, Serialize};

macro_rules! ids {
    ($($(#[$doc:meta])* $name:ident;)*) => {$(
        $(#[$doc])*
        #[derive(
            Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, AsExpression,
            FromSqlRow,
        )]
        #[diesel(sql_type = Text)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// A new id, ordered by time (UUIDv7): friendly to indexes, opaque to clients.
            pub fn generate() -> $name {
                $name(uuid::Uuid::now_v7().to_string())
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        /// Any text names a resource of this kind: one that does not exist is simply not found.
        impl From<String> for $name {
            fn from(id: String) -> $name {
                $name(id)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl<DB: Backend> ToSql<Text, DB> for $name
        where
            str: ToSql<Text, DB>,
        {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, DB>) -> serialize::Result {
                self.0.as_str().to_sql(out)
            }
        }

        impl<DB: Backend> FromSql<Text, DB> for $name
        where
            String: FromSql<Text, DB>,
        {
            fn from_sql(bytes: DB::RawValue<'_>) -> deserialize::Result<$name> {
                String::from_sql(bytes).map($name)
            }
        }
    )*};
}

ids! {
    /// A post's id.
    PostId;
    /// An author's id (staff accounts are authors with a login).
    AuthorId;
    /// A tag's id.
    TagId;
    /// An API key's id (not its secret).
    KeyId;
    /// A sign-in session's id.
    SessionId;
    /// A revision's id (revisions are addressed by their number within a post).
    RevisionId;
    /// A queued job's id.
    JobId;
    /// An event's id: one change, however many webhooks it goes to.
    EventId;
    /// A webhook's id.
    WebhookId;
    /// One event's delivery to one webhook, retries included.
    DeliveryId;
    /// An uploaded file's record.
    MediaId;
}

/// The SHA-256 of stored bytes, in lower-case hex: what names a media object, so the same
/// bytes are stored once and a name never changes meaning. Only 64 hex digits make one.
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, AsExpression, FromSqlRow,
)]
#[diesel(sql_type = Text)]
#[serde(transparent)]
pub struct Sha256(String);

impl Sha256 {
    /// The digest of `bytes`.
    pub fn of(bytes: &[u8]) -> Sha256 {
        use sha2::Digest;
        Sha256::from_digest(&sha2::Sha256::digest(bytes))
    }

    pub fn from_digest(digest: &[u8]) -> Sha256 {
        use std::fmt::Write;
        let mut hex = String::with_capacity(64);
        for byte in digest {
            let _ = write!(hex, "{byte:02x}");
        }
        Sha256(hex)
    }

    /// `text` as a digest, if it is one.
    pub fn parse(text: &str) -> Option<Sha256> {
        (text.len() == 64 && text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')))
            .then(|| Sha256(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Sha256 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl<DB: Backend> ToSql<Text, DB> for Sha256
where
    str: ToSql<Text, DB>,
{
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, DB>) -> serialize::Result {
        self.0.as_str().to_sql(out)
    }
}

impl<DB: Backend> FromSql<Text, DB> for Sha256
where
    String: FromSql<Text, DB>,
{
    fn from_sql(bytes: DB::RawValue<'_>) -> deserialize::Result<Sha256> {
        let text = String::from_sql(bytes)?;
        Sha256::parse(&text).ok_or_else(|| format!("`{text}` is not a SHA-256 digest").into())
    }
}
