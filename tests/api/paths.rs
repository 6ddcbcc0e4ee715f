//! Where things are in the API: the prefix and each collection, written once for every test.

pub const API: &str = "/api/v1";
pub const POSTS: &str = "/api/v1/posts";
pub const PAGES: &str = "/api/v1/pages";
pub const SETTINGS: &str = "/api/v1/settings";
pub const AUTHORS: &str = "/api/v1/authors";
pub const TAGS: &str = "/api/v1/tags";
pub const KEYS: &str = "/api/v1/keys";
pub const ME: &str = "/api/v1/auth/me";
pub const LOGIN: &str = "/api/v1/auth/login";
pub const REFRESH: &str = "/api/v1/auth/refresh";
pub const LOGOUT: &str = "/api/v1/auth/logout";
pub const OPENAPI: &str = "/api/v1/openapi.json";

/// The resource with `id` in `collection`.
pub fn resource(collection: &str, id: &str) -> String {
    format!("{collection}/{id}")
}

/// The history of the post or page at `item` (its path).
pub fn revisions(item: &str) -> String {
    format!("{item}/revisions")
}

/// Revision `number` of the post or page at `item`.
pub fn revision(item: &str, number: i64) -> String {
    format!("{item}/revisions/{number}")
}

/// Where revision `number` of the post or page at `item` is brought back.
pub fn restore(item: &str, number: i64) -> String {
    format!("{item}/revisions/{number}/restore")
}

/// Where preview links of the post or page at `item` are made.
pub fn preview(item: &str) -> String {
    format!("{item}/preview")
}

/// The resource with `slug` in `collection`.
pub fn by_slug(collection: &str, slug: &str) -> String {
    format!("{collection}/slug/{slug}")
}
