//! Webhooks: where events are delivered, signed by the Standard Webhooks specification, with
//! retries and a log of every delivery. The owner and admins manage them.

pub mod delivery;
pub mod input;
pub mod model;
pub mod policy;
pub mod routes;
pub mod service;
pub mod signing;
pub mod storage;
pub mod target;
pub mod view;
