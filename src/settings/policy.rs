//! Who may change the settings: admins and the owner (the site's name and address are theirs).

use crate::auth::Staff;
use crate::error::{ApiError, ApiResult};

pub fn may_change(staff: &Staff) -> ApiResult<()> {
    if staff.role.is_administrator() {
        Ok(())
    } else {
        Err(ApiError::Forbidden(
            "Only admins and the owner change the site's settings.".into(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::Role;

    #[test]
    fn the_role_table_for_settings() {
        for role in Role::ALL {
            let staff = Staff {
                id: "me".to_owned().into(),
                role,
                via: crate::auth::Via::IntegrationKey,
            };
            assert_eq!(
                may_change(&staff).is_ok(),
                matches!(role, Role::Owner | Role::Admin),
                "{role}"
            );
        }
    }
}
