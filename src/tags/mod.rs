//! Tags: the publication's topics, and internal tags (`#…`) that organise content for staff.
//! Anyone reads the public ones; editors manage them; authors may add.

pub mod input;
pub mod model;
pub mod policy;
pub mod query;
pub mod routes;
pub mod service;
pub mod storage;
pub mod view;
