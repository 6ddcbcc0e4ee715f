//! Who may manage webhooks: the owner and admins (signed in, or an integration key with
//! their role: integrations register the webhooks they consume).

use crate::auth::Staff;
use crate::error::{ApiError, ApiResult};

pub fn may_manage(staff: &Staff) -> ApiResult<()> {
    if staff.role.is_administrator() {
        Ok(())
    } else {
        Err(ApiError::Forbidden(
            "Only admins and the owner manage webhooks.".into(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::{Role, Via};

    #[test]
    fn webhooks_are_the_administrators() {
        for role in Role::ALL {
            for via in [Via::Session("s".to_owned().into()), Via::IntegrationKey] {
                let staff = Staff {
                    id: "me".to_owned().into(),
                    role,
                    via,
                };
                assert_eq!(
                    may_manage(&staff).is_ok(),
                    role.is_administrator(),
                    "{role}"
                );
            }
        }
    }
}
