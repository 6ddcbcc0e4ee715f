//! Tags: the publication's topics. Anyone reads them; editors manage them; authors may add.

pub mod input;
pub mod model;
pub mod policy;
pub mod routes;
pub mod service;
pub mod storage;
pub mod view;
