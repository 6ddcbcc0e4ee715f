//! Who may do what with media: every member of staff uploads (contributors too) and reads the
//! library; contributors and authors change and delete what they uploaded, editors and above
//! anything; only editors and above delete media that posts still show.

use super::model::MediaRow;
use crate::auth::Staff;
use crate::error::{ApiError, ApiResult};

pub fn may_manage(staff: &Staff, media: &MediaRow) -> ApiResult<()> {
    if staff.role.is_editorial() || media.uploaded_by.as_ref() == Some(&staff.id) {
        Ok(())
    } else {
        Err(ApiError::Forbidden(
            "Contributors and authors change and delete only the media they uploaded.".into(),
        ))
    }
}

pub fn may_force(staff: &Staff) -> ApiResult<()> {
    if staff.role.is_editorial() {
        Ok(())
    } else {
        Err(ApiError::Forbidden(
            "Only editors, admins and the owner delete media that posts still show.".into(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::{Role, Via};
    use crate::ids::{AuthorId, MediaId, Sha256};

    fn media(uploaded_by: &str) -> MediaRow {
        let at = chrono::DateTime::from_timestamp(0, 0).unwrap().naive_utc();
        MediaRow {
            id: MediaId::generate(),
            sha256: Sha256::of(b"x"),
            kind: super::super::model::MediaKind::Image,
            mime_type: "image/png".into(),
            extension: "png".into(),
            file_name: "x.png".into(),
            size_bytes: 1,
            width: Some(1),
            height: Some(1),
            alt: None,
            caption: None,
            uploaded_by: Some(AuthorId::from(uploaded_by.to_owned())),
            created_at: at,
            updated_at: at,
            version: 1,
        }
    }

    #[test]
    fn own_uploads_for_everyone_all_uploads_for_editors_and_above() {
        for role in Role::ALL {
            let staff = Staff {
                id: "me".to_owned().into(),
                role,
                via: Via::IntegrationKey,
            };
            assert!(may_manage(&staff, &media("me")).is_ok(), "{role}");
            assert_eq!(
                may_manage(&staff, &media("someone")).is_ok(),
                role.is_editorial(),
                "{role}"
            );
            assert_eq!(may_force(&staff).is_ok(), role.is_editorial(), "{role}");
        }
    }
}
