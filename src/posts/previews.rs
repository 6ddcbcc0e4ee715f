//! Preview tokens: links that show a draft or scheduled post (or page) to someone who cannot
//! sign in, until they expire. The token is the credential, so only its digest is kept; it
//! dies with its post and with the account that made it.

use std::time::Duration;

use chrono::{NaiveDateTime, TimeDelta};
use diesel::prelude::*;

use crate::auth::secret;
use crate::db::DbConn;
use crate::db::schema::preview_tokens;
use crate::error::{ApiError, ApiResult};
use crate::ids::{AuthorId, PostId};

/// What a preview token starts with, so people and secret scanners can tell what it is.
const PREFIX: &str = "folio_pv_";

/// A new preview token, shown once.
#[derive(Debug)]
pub struct Issued {
    pub token: String,
    pub expires_at: NaiveDateTime,
}

/// Issues a token that shows `post_id` until `ttl` from `now`, made by `by`. Tokens that have
/// expired meanwhile, of any post, are removed on the way.
pub fn issue(
    conn: &mut DbConn,
    post_id: &PostId,
    by: &AuthorId,
    now: NaiveDateTime,
    ttl: Duration,
) -> ApiResult<Issued> {
    let ttl = TimeDelta::from_std(ttl).map_err(ApiError::internal)?;
    let expires_at = now + ttl;
    let (token, digest) = secret::generate(PREFIX)?;
    diesel::delete(preview_tokens::table.filter(preview_tokens::expires_at.le(now)))
        .execute(conn)?;
    diesel::insert_into(preview_tokens::table)
        .values((
            preview_tokens::token_hash.eq(digest),
            preview_tokens::post_id.eq(post_id),
            preview_tokens::created_by.eq(by),
            preview_tokens::created_at.eq(now),
            preview_tokens::expires_at.eq(expires_at),
        ))
        .execute(conn)?;
    Ok(Issued { token, expires_at })
}

/// The post `token` shows, while it has not expired.
pub fn post_of(conn: &mut DbConn, token: &str, now: NaiveDateTime) -> ApiResult<Option<PostId>> {
    if !token.starts_with(PREFIX) {
        return Ok(None);
    }
    Ok(preview_tokens::table
        .find(secret::digest(token))
        .filter(preview_tokens::expires_at.gt(now))
        .select(preview_tokens::post_id)
        .first(conn)
        .optional()?)
}

pub fn not_found() -> ApiError {
    ApiError::NotFound(
        "This preview link is unknown, has expired, or shows a post that is gone.".into(),
    )
}
