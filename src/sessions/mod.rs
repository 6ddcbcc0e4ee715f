//! Sessions, as a resource: signing in with email and password starts one, a refresh token
//! keeps it going (one use each), signing out ends it. The credentials themselves (hashes,
//! tokens, the session store) are `auth`'s.

pub mod input;
pub mod routes;
pub mod service;
pub mod view;
