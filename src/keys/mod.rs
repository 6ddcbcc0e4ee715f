//! API keys: content keys for frontends, integration keys for servers. Owners and admins
//! make and revoke them; what a presented key may do is [`crate::auth::keys`].

pub mod routes;
pub mod storage;
pub mod view;
