//! `folio serve --demo`: a small sample blog (posts, pages, authors, tags, the site's name and
//! navigation), so a new instance shows something real at once.

pub(crate) mod content;

use std::collections::HashMap;

use chrono::{NaiveDateTime, TimeDelta};
use diesel::prelude::*;

use crate::auth::{Role, Staff};
use crate::authors::model::{AuthorInput, Profile};
use crate::authors::storage as authors;
use crate::db::schema::{authors as authors_table, posts};
use crate::db::{Db, DbConn, now, write_transaction};
use crate::error::ApiError;
use crate::ids::{AuthorId, TagId};
use crate::posts::input::NewPostInput;
use crate::posts::model::{PostKind, PostStatus};
use crate::posts::service::{self, Editorial};
use crate::settings::storage as settings;
use crate::site::SiteSettings;
use crate::site::settings::NavItem;
use crate::tags::input::TagInput;
use crate::tags::service as tags;
use content::{AUTHORS, DemoStatus, PAGES, POSTS, TAGS};

/// The demo's authors and tags, by their keys in [`content`].
type DemoIds = (
    HashMap<&'static str, AuthorId>,
    HashMap<&'static str, TagId>,
);

fn load_authors_and_tags(conn: &mut DbConn) -> Result<DemoIds, ApiError> {
    let mut author_ids = HashMap::new();
    for a in AUTHORS {
        let row = authors::insert(
            conn,
            AuthorInput {
                slug: None,
                name: a.name.to_owned(),
                bio: Some(a.bio.to_owned()),
                avatar_url: None,
                website: a.website.map(str::to_owned),
                location: Some(a.location.to_owned()),
                profile: Profile::default(),
                login: None,
            },
        )?;
        author_ids.insert(a.key, row.id);
    }
    let mut tag_ids = HashMap::new();
    for t in TAGS {
        let row = tags::create(
            conn,
            TagInput::named(t.name, Some(t.description)),
            crate::tags::view::Tag::public,
        )?;
        tag_ids.insert(t.key, row.id);
    }
    Ok((author_ids, tag_ids))
}

/// Loads the sample blog unless there are posts already. Returns whether it did.
pub fn load(db: &Db, editorial: Editorial) -> Result<bool, ApiError> {
    let mut conn = db.conn().map_err(ApiError::unavailable)?;
    let conn = &mut *conn;
    let has_posts: i64 = posts::table.count().get_result(conn)?;
    if has_posts > 0 {
        return Ok(false);
    }
    let owner_id: AuthorId = authors_table::table
        .filter(authors_table::role.eq(Role::Owner))
        .select(authors_table::id)
        .first(conn)?;
    let owner = Staff {
        id: owner_id,
        role: Role::Owner,
        via: crate::auth::Via::Server,
    };

    let (author_ids, tag_ids) = write_transaction(conn, load_authors_and_tags)?;

    // Oldest first, so creation order matches publication order.
    let mut posts: Vec<_> = POSTS.iter().collect();
    posts.sort_by_key(|p| match p.status {
        DemoStatus::Published { days_ago } => -days_ago,
        DemoStatus::Scheduled { days_ahead } => days_ahead,
        DemoStatus::Draft => i64::MAX,
    });
    let now = now();
    for p in posts {
        let (status, published_at) = match p.status {
            DemoStatus::Published { days_ago } => {
                (PostStatus::Published, Some(now - TimeDelta::days(days_ago)))
            }
            DemoStatus::Scheduled { days_ahead } => (
                PostStatus::Scheduled,
                Some(now + TimeDelta::days(days_ahead)),
            ),
            DemoStatus::Draft => (PostStatus::Draft, None),
        };
        let input = NewPostInput {
            custom_excerpt: p.custom_excerpt.map(str::to_owned),
            featured: p.featured,
            status,
            published_at,
            authors: Some(ids(p.authors, &author_ids)),
            tags: ids(p.tags, &tag_ids),
            ..NewPostInput::draft(p.title, p.markdown)
        };
        service::create(conn, &owner, PostKind::Post, input, editorial)?;
    }
    for p in PAGES {
        let input = page(p.title, p.markdown, ids(p.authors, &author_ids), now);
        service::create(conn, &owner, PostKind::Page, input, editorial)?;
    }
    write_transaction(conn, describe_site)?;
    tracing::info!(
        posts = POSTS.len(),
        pages = PAGES.len(),
        "loaded the demo blog"
    );
    Ok(true)
}

fn ids<Id: Clone>(keys: &[&str], map: &HashMap<&str, Id>) -> Vec<Id> {
    keys.iter().filter_map(|k| map.get(k).cloned()).collect()
}

/// A published page by `authors`.
fn page(title: &str, markdown: &str, authors: Vec<AuthorId>, now: NaiveDateTime) -> NewPostInput {
    NewPostInput {
        status: PostStatus::Published,
        published_at: Some(now),
        authors: Some(authors),
        ..NewPostInput::draft(title, markdown)
    }
}

/// The demo site's name, description and navigation.
fn describe_site(conn: &mut DbConn) -> Result<(), ApiError> {
    let nav = |items: &[(&str, &str)]| {
        items
            .iter()
            .map(|(label, url)| NavItem {
                label: (*label).to_owned(),
                url: (*url).to_owned(),
            })
            .collect()
    };
    let current = settings::find_for_update(conn)?;
    let document = SiteSettings {
        title: content::SITE_TITLE.to_owned(),
        description: Some(content::SITE_DESCRIPTION.to_owned()),
        navigation: nav(content::NAVIGATION),
        secondary_navigation: nav(content::SECONDARY_NAVIGATION),
        ..current.settings
    };
    settings::save(conn, document, current.version)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::content::*;

    #[test]
    fn demo_posts_name_only_demo_authors_and_tags() {
        assert!(POSTS.len() >= 12);
        for p in POSTS {
            assert!(!p.authors.is_empty() && !p.tags.is_empty(), "{}", p.title);
            assert!(
                p.authors
                    .iter()
                    .all(|k| AUTHORS.iter().any(|a| a.key == *k)),
                "{}",
                p.title
            );
            assert!(
                p.tags.iter().all(|k| TAGS.iter().any(|t| t.key == *k)),
                "{}",
                p.title
            );
        }
        for p in PAGES {
            assert!(
                p.authors
                    .iter()
                    .all(|k| AUTHORS.iter().any(|a| a.key == *k)),
                "{}",
                p.title
            );
        }
    }
}
