//! Who may manage API keys: the owner and admins, in person (a key may not mint keys), and
//! never a key that may do more than they may.

use crate::auth::{Role, Staff};
use crate::error::{ApiError, ApiResult};

pub fn may_manage(staff: &Staff) -> ApiResult<()> {
    if !staff.role.is_administrator() {
        return Err(ApiError::Forbidden(
            "Only admins and the owner manage API keys.".into(),
        ));
    }
    staff.in_person()
}

/// Giving a new key `role` (integration keys have one).
pub fn may_grant(staff: &Staff, role: Option<Role>) -> ApiResult<()> {
    match role {
        Some(role) if staff.role.is_below(role) => Err(ApiError::Forbidden(format!(
            "A key may do no more than you: `{role}` is above your role."
        ))),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::Via;

    fn staff(role: Role, via: Via) -> Staff {
        Staff {
            id: "me".to_owned().into(),
            role,
            via,
        }
    }

    #[test]
    fn keys_are_the_administrators_to_make_in_person() {
        let session = || Via::Session("s".to_owned().into());
        for role in Role::ALL {
            let ok = may_manage(&staff(role, session())).is_ok();
            assert_eq!(ok, role.is_administrator(), "{role}");
        }
        assert!(may_manage(&staff(Role::Owner, Via::IntegrationKey)).is_err());
        let admin = staff(Role::Admin, session());
        assert!(may_grant(&admin, Some(Role::Editor)).is_ok());
        assert!(may_grant(&admin, Some(Role::Owner)).is_err());
        assert!(may_grant(&admin, None).is_ok());
    }
}
