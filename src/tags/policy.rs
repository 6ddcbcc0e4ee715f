//! Who may do what with tags (the tags column of the role table): authors and above create
//! them; editors and above change and delete them, and alone set their code injection.

use crate::auth::{Role, Staff};
use crate::error::{ApiError, ApiResult};

/// Creating a tag, with code injection or not.
pub fn may_create(staff: &Staff, sets_code: bool) -> ApiResult<()> {
    if staff.role == Role::Contributor {
        return Err(ApiError::Forbidden(
            "Contributors cannot create tags.".into(),
        ));
    }
    if sets_code && !staff.role.is_editorial() {
        return Err(ApiError::Forbidden(
            "Only editors, admins and the owner may set code injection.".into(),
        ));
    }
    Ok(())
}

/// Changing or deleting a tag.
pub fn may_manage(staff: &Staff) -> ApiResult<()> {
    if !staff.role.is_editorial() {
        return Err(ApiError::Forbidden(
            "Only editors, admins and the owner can change or delete tags.".into(),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_role_table_for_tags() {
        for role in Role::ALL {
            let staff = Staff {
                id: "me".to_owned().into(),
                role,
                via: crate::auth::Via::IntegrationKey,
            };
            assert_eq!(
                may_create(&staff, false).is_ok(),
                role != Role::Contributor,
                "{role}"
            );
            assert_eq!(
                may_create(&staff, true).is_ok(),
                role.is_editorial(),
                "{role}"
            );
            assert_eq!(may_manage(&staff).is_ok(), role.is_editorial(), "{role}");
        }
    }
}
