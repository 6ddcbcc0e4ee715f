//! Feeds and sitemaps, for feed readers and search engines whatever the frontend: RSS and
//! Atom of the site, a tag or an author, and the sitemap index over every public address.
//! Not a resource: it reads posts, tags and authors as readers see them.

pub mod routes;
pub mod service;
pub mod storage;
pub mod view;
