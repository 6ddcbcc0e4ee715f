//! Who may manage which author accounts (the "authors & roles" column of the role table).

use crate::auth::{Role, Staff};
use crate::error::{ApiError, ApiResult};
use crate::ids::AuthorId;

fn forbidden(message: &str) -> ApiError {
    ApiError::Forbidden(message.to_owned())
}

/// Creating an author, with `role` when the author gets a login.
pub fn may_create(staff: &Staff, role: Option<Role>) -> ApiResult<()> {
    match (staff.role, role) {
        (_, Some(Role::Owner)) => Err(forbidden("There is one owner; it cannot be assigned.")),
        (r, _) if r.is_administrator() => Ok(()),
        (Role::Editor, None | Some(Role::Author | Role::Contributor)) => Ok(()),
        (Role::Editor, Some(_)) => Err(forbidden("Editors may add authors and contributors only.")),
        _ => Err(forbidden("Only editors, admins and the owner add authors.")),
    }
}

/// Changing the profile of `target` (whose role is `target_role`).
pub fn may_edit(staff: &Staff, target_id: &AuthorId, target_role: Option<Role>) -> ApiResult<()> {
    if staff.id == *target_id {
        return Ok(());
    }
    match (staff.role, target_role) {
        (_, Some(Role::Owner)) => Err(forbidden("Only the owner changes the owner's profile.")),
        (r, _) if r.is_administrator() => Ok(()),
        (Role::Editor, None | Some(Role::Author | Role::Contributor)) => Ok(()),
        (Role::Editor, _) => Err(forbidden("Editors manage authors and contributors only.")),
        _ => Err(forbidden("You may change your own profile only.")),
    }
}

/// Giving `target` the role `new_role`.
pub fn may_change_role(staff: &Staff, target_role: Option<Role>, new_role: Role) -> ApiResult<()> {
    if !staff.role.is_administrator() {
        return Err(forbidden("Only admins and the owner change roles."));
    }
    match (target_role, new_role) {
        (Some(Role::Owner), r) if r != Role::Owner => {
            Err(forbidden("The owner's role cannot be changed."))
        }
        (Some(Role::Owner), _) => Ok(()),
        (_, Role::Owner) => Err(forbidden("There is one owner; it cannot be assigned.")),
        (None, _) => Err(ApiError::validation(
            "role",
            "no_login",
            "This author has no login, so no role.",
        )),
        _ => Ok(()),
    }
}

/// Disabling or enabling `target`: as for changing their profile, but never oneself (an
/// administrator could lock everyone out) nor the owner.
pub fn may_disable(
    staff: &Staff,
    target_id: &AuthorId,
    target_role: Option<Role>,
) -> ApiResult<()> {
    if staff.id == *target_id {
        return Err(forbidden("You cannot disable your own account."));
    }
    if target_role == Some(Role::Owner) {
        return Err(forbidden("The owner cannot be disabled."));
    }
    may_edit(staff, target_id, target_role)
}

/// Handing ownership to another account: the owner's alone, done in person.
pub fn may_transfer_ownership(staff: &Staff) -> ApiResult<()> {
    if staff.role != Role::Owner {
        return Err(forbidden("Only the owner hands over ownership."));
    }
    staff.in_person()
}

/// Deleting `target`.
pub fn may_delete(staff: &Staff, target_id: &AuthorId, target_role: Option<Role>) -> ApiResult<()> {
    if target_role == Some(Role::Owner) {
        return Err(forbidden("The owner cannot be deleted."));
    }
    if staff.id == *target_id && !staff.role.is_administrator() {
        return Err(forbidden("Ask an admin to delete your account."));
    }
    may_edit(staff, target_id, target_role)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn staff(role: Role) -> Staff {
        Staff {
            id: id(&format!("{role}-id")),
            role,
            via: crate::auth::Via::IntegrationKey,
        }
    }

    fn id(name: &str) -> AuthorId {
        AuthorId::from(name.to_owned())
    }

    #[test]
    fn who_may_add_whom() {
        use Role::*;
        for (actor, allowed) in [
            (Owner, vec![Admin, Editor, Author, Contributor]),
            (Admin, vec![Admin, Editor, Author, Contributor]),
            (Editor, vec![Author, Contributor]),
            (Author, vec![]),
            (Contributor, vec![]),
        ] {
            for role in Role::ALL {
                let ok = may_create(&staff(actor), Some(role)).is_ok();
                assert_eq!(ok, allowed.contains(&role), "{actor} adding {role}");
            }
        }
        assert!(may_create(&staff(Editor), None).is_ok());
        assert!(may_create(&staff(Author), None).is_err());
    }

    #[test]
    fn profiles_and_roles() {
        use Role::*;
        assert!(may_edit(&staff(Author), &id("author-id"), Some(Author)).is_ok());
        assert!(may_edit(&staff(Author), &id("someone"), Some(Contributor)).is_err());
        assert!(may_edit(&staff(Editor), &id("someone"), Some(Contributor)).is_ok());
        assert!(may_edit(&staff(Editor), &id("someone"), Some(Admin)).is_err());
        assert!(may_edit(&staff(Admin), &id("someone"), Some(Owner)).is_err());
        assert!(may_change_role(&staff(Editor), Some(Author), Contributor).is_err());
        assert!(may_change_role(&staff(Admin), Some(Author), Editor).is_ok());
        assert!(may_change_role(&staff(Admin), Some(Author), Owner).is_err());
        assert!(may_change_role(&staff(Owner), Some(Owner), Admin).is_err());
        assert!(may_delete(&staff(Owner), &id("x"), Some(Owner)).is_err());
        assert!(may_delete(&staff(Author), &id("author-id"), Some(Author)).is_err());
        assert!(may_delete(&staff(Editor), &id("someone"), Some(Author)).is_ok());
        assert!(may_disable(&staff(Admin), &id("admin-id"), Some(Admin)).is_err());
        assert!(may_disable(&staff(Admin), &id("x"), Some(Owner)).is_err());
        assert!(may_disable(&staff(Editor), &id("x"), Some(Admin)).is_err());
        assert!(may_disable(&staff(Editor), &id("x"), Some(Contributor)).is_ok());
        assert!(may_disable(&staff(Author), &id("x"), Some(Contributor)).is_err());
        assert!(may_transfer_ownership(&staff(Admin)).is_err());
    }
}
