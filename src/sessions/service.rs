//! Signing in, refreshing and signing out: the counted attempt, the password check (slow, so
//! outside any transaction) and the session, in that order.

use std::net::IpAddr;

use actix_web::web;
use secrecy::{ExposeSecret, SecretString};

use crate::auth::sessions::{self, Grant, Refusal};
use crate::auth::throttle::Flow;
use crate::auth::{AuthSettings, Email, accounts, password};
use crate::db::Db;
use crate::error::{ApiError, ApiResult};

/// Starts a session for the account with `email` and `password`, from `address`.
///
/// Attempts are counted per account and per address before the password is looked at, so a
/// burst cannot pass a check none of its attempts has counted in; a wrong password and an
/// unknown email are answered alike, in the same time.
pub async fn sign_in(
    db: &Db,
    settings: &AuthSettings,
    email: &str,
    password: SecretString,
    address: Option<IpAddr>,
) -> ApiResult<Grant> {
    // Text that is no email address names no account, so it counts against the address only.
    let email = Email::parse(email).ok();
    let buckets =
        settings
            .throttle
            .buckets(Flow::SignIn, email.as_ref().map(Email::as_str), address);
    let account = {
        let buckets = buckets.clone();
        db.write(move |conn| {
            buckets.reserve(conn)?;
            match email {
                Some(email) => accounts::find_by_email(conn, email.as_str()),
                None => Ok(None),
            }
        })
        .await?
    };
    let stored = account.as_ref().and_then(|a| a.password_hash.clone());
    let verified = {
        let stored = stored.clone();
        web::block(move || password::verify(&password, stored.as_deref()))
            .await
            .map_err(ApiError::internal)?
    };
    let Some(account) = account.filter(|_| verified) else {
        return Err(ApiError::Unauthorized(
            "The email or password is wrong.".into(),
        ));
    };
    if account.disabled {
        // Said only to someone who knows the password.
        return Err(ApiError::Unauthorized(
            "This account is disabled; ask an administrator.".into(),
        ));
    }
    let ttl = settings.refresh_ttl;
    db.write(move |conn| {
        // The password was checked outside this transaction: a change of password, a
        // disabling or a lost login committed meanwhile must not be outlived by a session.
        if !accounts::signs_in_with(conn, &account.id, stored.as_deref())? {
            return Err(ApiError::Unauthorized(
                "The account changed while signing in; sign in again.".into(),
            ));
        }
        buckets.succeed(conn)?;
        sessions::start(conn, &account.id, ttl)
    })
    .await
}

/// Trades `token` for the next of its session, from `address`.
pub async fn refresh(
    db: &Db,
    settings: &AuthSettings,
    token: SecretString,
    address: Option<IpAddr>,
) -> ApiResult<Grant> {
    let buckets = settings.throttle.buckets(Flow::Refresh, None, address);
    let (ttl, max_age) = (settings.refresh_ttl, settings.session_max_age);
    let outcome = db
        .write(move |conn| {
            buckets.reserve(conn)?;
            let outcome = sessions::rotate(conn, token.expose_secret(), ttl, max_age)?;
            if outcome.is_ok() {
                buckets.succeed(conn)?;
            }
            Ok(outcome)
        })
        .await?;
    outcome.map_err(|refusal| {
        ApiError::Unauthorized(
            match refusal {
                Refusal::Invalid => "The refresh token is invalid or has expired; sign in again.",
                Refusal::Reused => {
                    "This refresh token was already used, so it may have been copied: its \
                     session is now signed out everywhere. Sign in again."
                }
            }
            .into(),
        )
    })
}

/// Ends the session `token` belongs to; an unknown one is no error (RFC 7009).
pub async fn sign_out(db: &Db, token: SecretString) -> ApiResult<()> {
    db.write(move |conn| sessions::revoke_by_token(conn, token.expose_secret()))
        .await
}
