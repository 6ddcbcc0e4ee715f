//! What named resources add to their representation: how many published posts each has.

use serde::Serialize;
use utoipa::ToSchema;

/// How many published posts an author or tag has (with `include=count.posts`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
pub struct PostCount {
    pub posts: i64,
}
