//! Ghost's Content API, so that frontends built for Ghost (its `@tryghost/content-api`
//! client, and every theme and starter on it) read Folio unchanged: live posts, pages, authors
//! and tags with Ghost's parameters (NQL filters among them), representations, headers and
//! errors. Not a resource: it reads posts, tags, authors and settings as readers see them.

pub mod edge;
pub mod nql;
pub mod query;
pub mod routes;
pub mod service;
pub mod storage;
pub mod view;
