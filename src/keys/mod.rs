//! API keys: content keys for frontends, integration keys for servers. Owners and admins
//! make and revoke them; what a presented key may do is [`crate::auth::keys`].

pub mod input;
pub mod model;
pub mod policy;
pub mod routes;
pub mod service;
pub mod storage;
pub mod view;
