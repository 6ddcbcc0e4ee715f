//! Posts and pages (a page is a post of kind `page`): Markdown in, sanitised HTML out, with
//! ordered authors and tags, drafts, scheduling and publishing, revisions and preview links.
//! The two kinds share one table and every part here; each has its own endpoints.

pub mod input;
pub mod model;
pub mod policy;
pub mod previews;
pub mod query;
pub mod revisions;
pub mod routes;
pub mod search;
pub mod service;
pub mod storage;
pub mod view;
