//! Where things are in the API: the prefix and each collection, written once for every test.

pub const API: &str = "/api/v1";
pub const POSTS: &str = "/api/v1/posts";
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

/// The resource with `slug` in `collection`.
pub fn by_slug(collection: &str, slug: &str) -> String {
    format!("{collection}/slug/{slug}")
}
