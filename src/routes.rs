//! The route table: every route Folio serves, registered in one place, so that the
//! application and the OpenAPI document are built from the same list; and the table of
//! methods and public reads that middleware consults, derived from that document.

use actix_web::http::Method;
use utoipa::openapi::OpenApi;
use utoipa_actix_web::scope;
use utoipa_actix_web::service_config::ServiceConfig;

use crate::http::route_table::RouteTable;
use crate::{
    authors, feeds, ghost, health, keys, media, posts, sessions, settings, tags, webhooks,
};

pub const API_PREFIX: &str = "/api/v1";

/// Where the document itself is served (it does not describe itself).
pub const OPENAPI_PATH: &str = "/api/v1/openapi.json";

/// Where preview links are read: by anyone with the link, and by no one else.
pub const PREVIEW_PATH: &str = "/api/v1/preview/{token}";

/// Registers every documented route: as the application is built, and as the document is
/// collected.
pub fn register(cfg: &mut ServiceConfig) {
    cfg.service(health::healthz)
        .service(health::readyz)
        .configure(media::routes::files)
        .configure(feeds::routes::routes)
        .service(
            scope(API_PREFIX)
                .configure(sessions::routes::routes)
                .configure(authors::routes::routes)
                .configure(keys::routes::routes)
                .configure(media::routes::routes)
                .configure(posts::routes::routes)
                .configure(settings::routes::routes)
                .configure(tags::routes::routes)
                .configure(webhooks::routes::routes),
        );
}

/// What middleware needs to know of the routes `doc` describes.
pub fn table(doc: &OpenApi) -> RouteTable {
    // Ghost's reads are open here because their key is checked before the cache, by
    // `ghost::edge`, with Ghost's errors.
    feeds::routes::PATHS
        .iter()
        .chain(ghost::routes::PATHS.iter())
        .fold(
            RouteTable::from_document(doc, API_PREFIX)
                .with(OPENAPI_PATH, &[Method::GET])
                .not_public(PREVIEW_PATH),
            |table, path| table.open(path),
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_public_reads_are_the_anonymous_reads_of_content() {
        let table = table(&crate::openapi::document());
        let mut reads = table.public_reads();
        reads.sort();
        assert_eq!(
            reads,
            [
                "/api/v1/authors",
                "/api/v1/authors/slug/{slug}",
                "/api/v1/authors/{id}",
                "/api/v1/pages",
                "/api/v1/pages/slug/{slug}",
                "/api/v1/pages/{id}",
                "/api/v1/posts",
                "/api/v1/posts/slug/{slug}",
                "/api/v1/posts/{id}",
                "/api/v1/settings",
                "/api/v1/tags",
                "/api/v1/tags/slug/{slug}",
                "/api/v1/tags/{id}",
            ]
        );
        assert!(table.is_public_read("/api/v1/posts/slug/hello"));
        assert!(!table.is_public_read("/api/v1/keys"));
        assert!(!table.is_public_read("/api/v1/preview/folio_pv_x"));
        assert!(!table.is_public_read("/api/v1/posts/x/revisions"));
        assert!(!table.is_public_read("/api/v1/auth/me"));
        assert!(!table.is_public_read("/healthz"));
        // Feeds and sitemaps are open to anyone, and every one is a documented read.
        for path in feeds::routes::PATHS {
            assert_eq!(table.allowed(path).as_deref(), Some("GET"), "{path}");
        }
        assert!(table.is_open_read("/rss/"));
        assert!(table.is_open_read("/tag/news/atom.xml"));
        assert!(table.is_open_read("/sitemap-posts-2.xml"));
        assert!(!table.is_open_read("/rss"));
        assert!(!table.is_open_read("/api/v1/posts"));
        assert!(!table.is_open_read("/media/abc/photo.jpg"));
        assert_eq!(table.allowed("/api/v1/posts").as_deref(), Some("GET, POST"));
        assert_eq!(table.allowed(OPENAPI_PATH).as_deref(), Some("GET"));
        assert_eq!(table.allowed("/nothing"), None);
    }
}
