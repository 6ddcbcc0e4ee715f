//! Sessions and their refresh tokens. A sign-in starts a session; each refresh uses up the
//! token presented and hands out the next one (rotation). Presenting a used token again means
//! it was copied, so the whole session is revoked: the thief and the victim both sign in again.

use std::time::Duration;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::secret;
use crate::db::schema::{authors, refresh_tokens, sessions};
use crate::db::{DbConn, now};
use crate::error::ApiResult;
use crate::ids::{AuthorId, SessionId};

const TOKEN_PREFIX: &str = "folio_rt_";

/// A session's refresh token, handed to its holder once.
pub struct Grant {
    pub author_id: AuthorId,
    pub session_id: SessionId,
    pub refresh_token: String,
}

/// Why a refresh token was not honoured.
#[derive(Debug, PartialEq, Eq)]
pub enum Refusal {
    /// Unknown, expired, revoked, or its account may no longer sign in.
    Invalid,
    /// Already used: its session has just been revoked.
    Reused,
}

fn expiry_span(ttl: Duration) -> chrono::Duration {
    chrono::Duration::from_std(ttl).unwrap_or(chrono::Duration::days(3650))
}

fn expiry(ttl: Duration) -> NaiveDateTime {
    now() + expiry_span(ttl)
}

fn grant(
    conn: &mut DbConn,
    author_id: AuthorId,
    session_id: SessionId,
    ttl: Duration,
) -> ApiResult<Grant> {
    let (refresh_token, digest) = secret::generate(TOKEN_PREFIX)?;
    diesel::insert_into(refresh_tokens::table)
        .values((
            refresh_tokens::token_hash.eq(digest),
            refresh_tokens::session_id.eq(&session_id),
            refresh_tokens::created_at.eq(now()),
            refresh_tokens::expires_at.eq(expiry(ttl)),
        ))
        .execute(conn)?;
    Ok(Grant {
        author_id,
        session_id,
        refresh_token,
    })
}

/// Starts a session for `author_id` and gives its first refresh token. Expired tokens of
/// every session are cleared on the way, so the table stays the size of its live sessions.
pub fn start(conn: &mut DbConn, author_id: &AuthorId, ttl: Duration) -> ApiResult<Grant> {
    diesel::delete(refresh_tokens::table.filter(refresh_tokens::expires_at.lt(now())))
        .execute(conn)?;
    diesel::delete(sessions::table.filter(diesel::dsl::not(diesel::dsl::exists(
        refresh_tokens::table.filter(refresh_tokens::session_id.eq(sessions::id)),
    ))))
    .execute(conn)?;
    let session_id = SessionId::generate();
    diesel::insert_into(sessions::table)
        .values((
            sessions::id.eq(&session_id),
            sessions::author_id.eq(author_id),
            sessions::created_at.eq(now()),
        ))
        .execute(conn)?;
    grant(conn, author_id.clone(), session_id, ttl)
}

type Presented = (
    SessionId,
    NaiveDateTime,
    Option<NaiveDateTime>,
    NaiveDateTime,
    Option<NaiveDateTime>,
    AuthorId,
    Option<super::Role>,
    Option<NaiveDateTime>,
);

/// Uses up `token` and gives the next one of its session.
/// Must run in a write transaction; a `Reused` refusal revokes the session and must commit.
pub fn rotate(
    conn: &mut DbConn,
    token: &str,
    ttl: Duration,
    max_age: Duration,
) -> ApiResult<Result<Grant, Refusal>> {
    let digest = secret::digest(token);
    let found: Option<Presented> = refresh_tokens::table
        .inner_join(sessions::table.inner_join(authors::table))
        .filter(refresh_tokens::token_hash.eq(&digest))
        .select((
            sessions::id,
            sessions::created_at,
            sessions::revoked_at,
            refresh_tokens::expires_at,
            refresh_tokens::used_at,
            authors::id,
            authors::role,
            authors::disabled_at,
        ))
        .first(conn)
        .optional()?;
    let Some((session_id, started, revoked_at, expires_at, used_at, author_id, role, disabled_at)) =
        found
    else {
        return Ok(Err(Refusal::Invalid));
    };
    let signs_in = role.is_some() && disabled_at.is_none();
    // Refreshing keeps a session going, but not for ever: past its age, sign in again.
    let too_old = started + expiry_span(max_age) <= now();
    if revoked_at.is_some() || expires_at <= now() || too_old || !signs_in {
        return Ok(Err(Refusal::Invalid));
    }
    // Taking the token is conditional, so of two racing refreshes exactly one wins and the
    // other is the reuse it looks like.
    let taken = used_at.is_none()
        && diesel::update(
            refresh_tokens::table
                .filter(refresh_tokens::token_hash.eq(&digest))
                .filter(refresh_tokens::used_at.is_null()),
        )
        .set(refresh_tokens::used_at.eq(now()))
        .execute(conn)?
            == 1;
    if !taken {
        revoke_session(conn, &session_id)?;
        return Ok(Err(Refusal::Reused));
    }
    Ok(Ok(grant(conn, author_id, session_id, ttl)?))
}

fn revoke_session(conn: &mut DbConn, session_id: &SessionId) -> ApiResult<()> {
    diesel::update(
        sessions::table
            .filter(sessions::id.eq(session_id))
            .filter(sessions::revoked_at.is_null()),
    )
    .set(sessions::revoked_at.eq(now()))
    .execute(conn)?;
    Ok(())
}

/// Ends the session `token` belongs to, used or not; an unknown token is no error (RFC 7009).
pub fn revoke_by_token(conn: &mut DbConn, token: &str) -> ApiResult<()> {
    let session_id: Option<SessionId> = refresh_tokens::table
        .filter(refresh_tokens::token_hash.eq(secret::digest(token)))
        .select(refresh_tokens::session_id)
        .first(conn)
        .optional()?;
    match session_id {
        Some(id) => revoke_session(conn, &id),
        None => Ok(()),
    }
}

/// Ends every session of `author_id`, and with them its access and refresh tokens.
pub fn revoke_all(conn: &mut DbConn, author_id: &AuthorId) -> ApiResult<()> {
    diesel::update(
        sessions::table
            .filter(sessions::author_id.eq(author_id))
            .filter(sessions::revoked_at.is_null()),
    )
    .set(sessions::revoked_at.eq(now()))
    .execute(conn)?;
    Ok(())
}
