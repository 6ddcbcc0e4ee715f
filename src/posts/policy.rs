//! Who may see and change which posts and pages (the post columns of the role table; pages
//! follow the same rules).
//!
//! Someone who may not see a post is told it does not exist (`404`), so ids and slugs of
//! drafts do not leak; someone who sees it but may not change it gets `403`.

use chrono::NaiveDateTime;

use super::model::{PostKind, PostRecord, PostStatus};
use crate::auth::{Caller, Role, Staff};
use crate::error::{ApiError, ApiResult};
use crate::ids::{AuthorId, PostId};

/// Which posts a caller's lists and reads include.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadScope {
    /// Published posts whose time has come.
    Live,
    /// Live posts, and every post the author with this id is an author of.
    LiveAndOwn(AuthorId),
    All,
}

impl ReadScope {
    pub fn of(caller: &Caller) -> ReadScope {
        match caller {
            Caller::Anonymous | Caller::Reader => ReadScope::Live,
            Caller::Staff(staff) if staff.role.is_editorial() => ReadScope::All,
            Caller::Staff(staff) => ReadScope::LiveAndOwn(staff.id.clone()),
        }
    }
}

/// What the policy needs to know about one post.
pub struct PostFacts<'a> {
    pub live: bool,
    pub status: PostStatus,
    pub author_ids: &'a [AuthorId],
}

impl<'a> PostFacts<'a> {
    pub fn of(
        record: &PostRecord,
        author_ids: &'a [AuthorId],
        now: NaiveDateTime,
    ) -> PostFacts<'a> {
        PostFacts {
            live: record.row.is_live_at(now),
            status: record.row.status_at(now),
            author_ids,
        }
    }
}

pub fn may_read(caller: &Caller, post: &PostFacts) -> bool {
    post.live
        || match caller {
            Caller::Anonymous | Caller::Reader => false,
            Caller::Staff(staff) => {
                staff.role.is_editorial() || post.author_ids.contains(&staff.id)
            }
        }
}

/// [`may_read`] for a post as loaded, at `now`.
pub fn may_read_record(caller: &Caller, record: &PostRecord, now: NaiveDateTime) -> bool {
    may_read(caller, &PostFacts::of(record, &record.author_ids(), now))
}

pub fn not_found(kind: PostKind, id: &PostId) -> ApiError {
    ApiError::NotFound(format!("No {} with id `{id}`.", kind.noun()))
}

/// Changing or deleting an existing post.
pub fn may_write(staff: &Staff, kind: PostKind, id: &PostId, post: &PostFacts) -> ApiResult<()> {
    let own = post.author_ids.contains(&staff.id);
    if !may_read(&Caller::Staff(staff.clone()), post) {
        return Err(not_found(kind, id));
    }
    match staff.role {
        r if r.is_editorial() => Ok(()),
        Role::Author if own => Ok(()),
        Role::Contributor if own && post.status == PostStatus::Draft => Ok(()),
        Role::Contributor if own => Err(ApiError::Forbidden(
            "Contributors change their posts only while they are drafts.".into(),
        )),
        _ => Err(ApiError::Forbidden(
            "Authors and contributors change their own posts only.".into(),
        )),
    }
}

/// Reading a post's revisions: editors and above, and the post's own authors. To anyone else
/// the history does not exist, whether or not the post is live.
pub fn may_see_history(
    staff: &Staff,
    kind: PostKind,
    id: &PostId,
    post: &PostFacts,
) -> ApiResult<()> {
    if staff.role.is_editorial() || post.author_ids.contains(&staff.id) {
        Ok(())
    } else {
        Err(not_found(kind, id))
    }
}

/// Setting the markup a frontend puts into the page's head and foot: it runs in every
/// reader's browser, so editors and above only.
pub fn may_set_code(staff: &Staff) -> ApiResult<()> {
    if staff.role.is_editorial() {
        Ok(())
    } else {
        Err(ApiError::Forbidden(
            "Only editors, admins and the owner may set code injection.".into(),
        ))
    }
}

/// Giving a post `status`, and its byline `after` (when one is sent) where it was `before`
/// (for a new post, the writer alone).
///
/// Bylines are the editors' to set: an author or contributor writes under their own name
/// and may not put anyone else's on a post, nor take a co-author's off, which would also
/// take the post from them.
pub fn may_publish_as(
    staff: &Staff,
    status: PostStatus,
    before: &[AuthorId],
    after: Option<&[AuthorId]>,
) -> ApiResult<()> {
    if staff.role == Role::Contributor && status != PostStatus::Draft {
        return Err(ApiError::Forbidden(
            "Contributors write drafts; an editor publishes or schedules them.".into(),
        ));
    }
    if !staff.role.is_editorial()
        && let Some(after) = after
        && after != before
    {
        return Err(ApiError::Forbidden(
            "Editors set bylines: authors and contributors write under their own name only.".into(),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn staff(role: Role) -> Staff {
        Staff {
            id: id("me"),
            role,
            via: crate::auth::Via::IntegrationKey,
        }
    }

    const POST: PostKind = PostKind::Post;
    const PAGE: PostKind = PostKind::Page;

    fn id(name: &str) -> AuthorId {
        AuthorId::from(name.to_owned())
    }

    #[test]
    fn the_role_table_for_posts() {
        let p = &PostId::from("p".to_owned());
        let mine = vec![id("me")];
        let theirs = vec![id("them")];
        let draft = |ids| PostFacts {
            live: false,
            status: PostStatus::Draft,
            author_ids: ids,
        };
        let live = |ids| PostFacts {
            live: true,
            status: PostStatus::Published,
            author_ids: ids,
        };

        for role in [Role::Owner, Role::Admin, Role::Editor] {
            assert!(
                may_write(&staff(role), PAGE, p, &draft(&theirs)).is_ok(),
                "{role}"
            );
            assert!(
                may_publish_as(&staff(role), PostStatus::Published, &mine, Some(&theirs)).is_ok()
            );
        }
        // author: own posts, any status; others' drafts are invisible, others' live posts read-only
        assert!(may_write(&staff(Role::Author), POST, p, &live(&mine)).is_ok());
        assert!(matches!(
            may_write(&staff(Role::Author), POST, p, &draft(&theirs)),
            Err(ApiError::NotFound(_))
        ));
        assert!(matches!(
            may_write(&staff(Role::Author), POST, p, &live(&theirs)),
            Err(ApiError::Forbidden(_))
        ));
        let author = staff(Role::Author);
        assert!(may_publish_as(&author, PostStatus::Published, &mine, None).is_ok());
        assert!(may_publish_as(&author, PostStatus::Published, &mine, Some(&mine)).is_ok());
        assert!(may_publish_as(&author, PostStatus::Draft, &mine, Some(&theirs)).is_err());
        let shared = vec![id("me"), id("them")];
        assert!(may_publish_as(&author, PostStatus::Draft, &shared, None).is_ok());
        assert!(may_publish_as(&author, PostStatus::Draft, &shared, Some(&mine)).is_err());
        assert!(may_publish_as(&author, PostStatus::Draft, &mine, Some(&shared)).is_err());
        // contributor: own drafts only, never publishes
        assert!(may_write(&staff(Role::Contributor), POST, p, &draft(&mine)).is_ok());
        assert!(matches!(
            may_write(&staff(Role::Contributor), POST, p, &live(&mine)),
            Err(ApiError::Forbidden(_))
        ));
        let contributor = staff(Role::Contributor);
        assert!(may_publish_as(&contributor, PostStatus::Draft, &mine, None).is_ok());
        assert!(may_publish_as(&contributor, PostStatus::Scheduled, &mine, None).is_err());
        // anonymous readers see live posts only
        assert!(may_read(&Caller::Anonymous, &live(&theirs)));
        assert!(!may_read(&Caller::Anonymous, &draft(&theirs)));
    }

    #[test]
    fn history_and_code_belong_to_editors_and_the_authors() {
        let p = &PostId::from("p".to_owned());
        let mine = vec![id("me")];
        let theirs = vec![id("them")];
        let facts = |ids| PostFacts {
            live: true,
            status: PostStatus::Published,
            author_ids: ids,
        };
        for role in Role::ALL {
            let staff = staff(role);
            assert!(may_see_history(&staff, POST, p, &facts(&mine)).is_ok());
            let theirs = may_see_history(&staff, POST, p, &facts(&theirs));
            match role.is_editorial() {
                true => assert!(theirs.is_ok(), "{role}"),
                false => assert!(matches!(theirs, Err(ApiError::NotFound(_))), "{role}"),
            }
            assert_eq!(may_set_code(&staff).is_ok(), role.is_editorial(), "{role}");
        }
    }
}
