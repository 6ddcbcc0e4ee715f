//! Authentication (Argon2id passwords, JWT access tokens) and the roles that authorise.

pub mod accounts;
pub mod email;
pub mod extract;
pub mod password;
pub mod role;
pub mod routes;
pub mod token;

pub use email::Email;
pub use extract::{Caller, Staff};
pub use role::Role;
pub use token::TokenKeys;
