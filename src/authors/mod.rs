//! Authors: the people behind the posts. Some have a login (email, password, role); their
//! email and role are shown to signed-in staff only.

pub mod input;
pub mod model;
pub mod policy;
pub mod routes;
pub mod service;
pub mod storage;
pub mod view;
