//! The author operations: adding one (with a login or not), changing one, handing over
//! ownership, deleting one. Password work is slow, so it happens outside the transactions,
//! and what it was checked against is checked again inside them.

use actix_web::web;
use chrono::NaiveDateTime;
use secrecy::SecretString;

use super::input::{AuthorPatch, NewAuthorInput};
use super::model::{AuthorInput, AuthorRow, Login, Profile};
use super::{policy, storage};
use crate::auth::{Role, Staff, accounts, password, sessions};
use crate::db::{Db, DbConn, Locked, lock_row, now, write_transaction};
use crate::error::{ApiError, ApiResult};
use crate::events::{self, Subject};
use crate::ids::AuthorId;
use crate::precondition::{Expected, stale};
use crate::site::Site;

async fn hash(password: SecretString) -> ApiResult<String> {
    web::block(move || password::hash(&password))
        .await
        .map_err(ApiError::internal)
}

async fn verify(password: SecretString, stored: Option<String>) -> ApiResult<bool> {
    web::block(move || password::verify(&password, stored.as_deref()))
        .await
        .map_err(ApiError::internal)
}

/// An author as readers get it (the representation events carry): made by the HTTP face.
pub type Render = fn(AuthorRow, &Site) -> serde_json::Value;

/// Writes the events of a change of an author; readers see it when what they are shown of
/// the author changed (sign-in details and roles are not shown).
fn announce(
    conn: &mut DbConn,
    render: Render,
    before: Option<&AuthorRow>,
    after: Option<&AuthorRow>,
) -> ApiResult<()> {
    let public = |conn: &mut DbConn| match (before, after) {
        (Some(was), Some(now)) => {
            let site = Site::load(conn)?;
            Ok(render(was.clone(), &site) != render(now.clone(), &site))
        }
        _ => Ok(true),
    };
    events::announce_named(conn, Subject::Author, before, after, public, render)
}

/// Adds an author as `staff` asks; a login's password is hashed here.
pub async fn create(
    db: &Db,
    staff: &Staff,
    input: NewAuthorInput,
    render: Render,
) -> ApiResult<AuthorRow> {
    policy::may_create(staff, input.login.as_ref().map(|(_, _, role)| *role))?;
    if input.login.is_some() {
        // A key that could make a login could sign in as it, and outlive its revocation.
        staff.in_person()?;
    }
    let login = match input.login {
        Some((email, password, role)) => Some(Login {
            email,
            password_hash: hash(password).await?,
            role,
        }),
        None => None,
    };
    let input = AuthorInput {
        slug: input.slug,
        name: input.name,
        bio: input.bio,
        avatar_url: input.avatar_url,
        website: input.website,
        location: input.location,
        profile: input.profile,
        login,
    };
    db.write(move |conn| {
        let row = storage::insert(conn, input)?;
        announce(conn, render, None, Some(&row))?;
        Ok(row)
    })
    .await
}

/// Adds a staff account from the command line or at first start (the server acting): there
/// is only ever one owner.
pub fn create_account(conn: &mut DbConn, name: &str, login: Login) -> ApiResult<AuthorRow> {
    write_transaction(conn, |conn| {
        if login.role == Role::Owner && accounts::owner_exists(conn)? {
            return Err(ApiError::Conflict("There is already an owner.".into()));
        }
        storage::insert(
            conn,
            AuthorInput {
                slug: None,
                name: name.to_owned(),
                bio: None,
                avatar_url: None,
                website: None,
                location: None,
                profile: Profile::default(),
                login: Some(login),
            },
        )
    })
}

/// What a change does besides its columns, once it is allowed.
struct Effects {
    /// The account is disabled or enabled, at this time.
    disabled_at: Option<Option<NaiveDateTime>>,
    /// Its sessions end: disabled, or its role lowered.
    signs_out: bool,
}

/// Whether `staff` may make `patch` to `target`, and what it does beyond its columns.
fn allow(staff: &Staff, target: &AuthorRow, patch: &AuthorPatch) -> ApiResult<Effects> {
    let target_role = target.role;
    policy::may_edit(staff, &target.id, target_role)?;
    let role_change = patch.changes.role.filter(|role| Some(*role) != target_role);
    let sign_in_change =
        patch.changes.email.is_some() || patch.password.is_some() || patch.disabled.is_some();
    if sign_in_change || role_change.is_some() {
        // Sign-in details, roles and access are managed by people: a key could otherwise
        // take over an account, or its maker's.
        staff.in_person()?;
    }
    if let Some(role) = role_change {
        policy::may_change_role(staff, target_role, role)?;
    }
    if target_role.is_none() && sign_in_change {
        return Err(ApiError::validation(
            "email",
            "no_login",
            "This author has no login; email, password and disabling belong to authors who \
             sign in.",
        ));
    }
    let mut effects = Effects {
        disabled_at: None,
        signs_out: false,
    };
    if let Some(disabled) = patch.disabled
        && disabled != target.disabled_at.is_some()
    {
        policy::may_disable(staff, &target.id, target_role)?;
        effects.disabled_at = Some(disabled.then(now));
        effects.signs_out |= disabled;
    }
    if let (Some(new), Some(old)) = (role_change, target_role) {
        effects.signs_out |= new.is_below(old);
    }
    Ok(effects)
}

/// Whether `patch` needs the current password: moving one's own account to another address
/// or password, which a stolen session alone must not be able to do.
fn needs_current_password(staff: &Staff, target: &AuthorRow, patch: &AuthorPatch) -> bool {
    let email_change = patch
        .changes
        .email
        .as_deref()
        .is_some_and(|email| Some(email) != target.email.as_deref());
    staff.id == target.id && (email_change || patch.password.is_some())
}

/// Changes author `id` as `staff` asks, from the version `expected` names.
///
/// Whether the change is allowed is decided before the slow password work (so a refused one
/// costs none) and again inside the transaction, against the author as locked there: the
/// rights of the moment decide, and a change based on `If-Match: *` is never refused for a
/// change made meanwhile. One thing may not change meanwhile: the password that
/// `current_password` was checked against.
pub async fn update(
    db: &Db,
    staff: &Staff,
    id: AuthorId,
    expected: Expected,
    mut patch: AuthorPatch,
    render: Render,
) -> ApiResult<AuthorRow> {
    let target = {
        let id = id.clone();
        db.run(move |conn| storage::find(conn, &id)?.ok_or_else(|| storage::not_found(&id)))
            .await?
    };
    allow(staff, &target, &patch)?;
    let checked_against = needs_current_password(staff, &target, &patch)
        .then(|| (patch.current_password.take(), target.password_hash.clone()));
    if let Some((current, stored)) = &checked_against {
        let current = current.clone().ok_or_else(|| {
            ApiError::validation(
                "current_password",
                "required",
                "needed to change your own email or password",
            )
        })?;
        if !verify(current, stored.clone()).await? {
            return Err(ApiError::validation(
                "current_password",
                "incorrect",
                "is not your current password",
            ));
        }
    }
    let new_password = patch.password.take();
    let renews_sign_in = new_password.is_some();
    if let Some(new_password) = new_password {
        patch.changes.password_hash = Some(hash(new_password).await?);
    }
    let staff = staff.clone();
    db.write(move |conn| {
        lock_row(conn, Locked::Authors, id.as_str())?;
        let current = storage::find(conn, &id)?.ok_or_else(|| storage::not_found(&id))?;
        let effects = allow(&staff, &current, &patch)?;
        expected.check(current.version)?;
        if let Some((_, stored)) = &checked_against
            && *stored != current.password_hash
        {
            return Err(stale());
        }
        let mut changes = patch.changes;
        changes.disabled_at = effects.disabled_at;
        if changes.is_empty() {
            return Ok(current);
        }
        if let Some(slug) = &changes.slug
            && slug != &current.slug
            && storage::slug_in_use(conn, slug, &id)?
        {
            return Err(storage::slug_taken(slug));
        }
        if let Some(email) = &changes.email
            && storage::email_in_use(conn, email, Some(&id))?
        {
            return Err(storage::email_taken());
        }
        let row = storage::update(conn, &id, current.version, changes)?;
        if effects.signs_out || renews_sign_in {
            sessions::revoke_all(conn, &id)?;
        }
        announce(conn, render, Some(&current), Some(&row))?;
        Ok(row)
    })
    .await
}

/// Makes author `to` the owner, and `staff` (the owner) an admin, signed out everywhere as
/// anyone whose role is lowered.
pub fn transfer_ownership(conn: &mut DbConn, staff: &Staff, to: &AuthorId) -> ApiResult<AuthorRow> {
    policy::may_transfer_ownership(staff)?;
    write_transaction(conn, |conn| {
        let row = storage::transfer_ownership(conn, &staff.id, to)?;
        sessions::revoke_all(conn, &staff.id)?;
        Ok(row)
    })
}

/// Deletes author `id` as `staff` asks: authorised against the author as read, and refused
/// with `412` if it changed before the deletion.
pub async fn delete(db: &Db, staff: &Staff, id: AuthorId, render: Render) -> ApiResult<()> {
    let target = {
        let id = id.clone();
        db.run(move |conn| storage::find(conn, &id)?.ok_or_else(|| storage::not_found(&id)))
            .await?
    };
    policy::may_delete(staff, &target.id, target.role)?;
    if target.role.is_some() {
        staff.in_person()?;
    }
    db.write(move |conn| {
        storage::delete(conn, &target.id, target.version)?;
        announce(conn, render, Some(&target), None)
    })
    .await
}
