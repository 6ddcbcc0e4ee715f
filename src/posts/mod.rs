//! Posts: Markdown in, sanitised HTML out, with ordered authors and tags, drafts, scheduling
//! and publishing.

pub mod input;
pub mod model;
pub mod policy;
pub mod query;
pub mod routes;
pub mod search;
pub mod service;
pub mod storage;
pub mod view;
