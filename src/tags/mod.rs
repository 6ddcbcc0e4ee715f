//! Tags: the publication's topics. Anyone reads them; editors manage them; authors may add.

pub mod model;
pub mod routes;
pub mod storage;
pub mod view;
