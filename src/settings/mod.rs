//! The site's settings: its name, description, images, locale and time zone, public address
//! and permalinks, navigation, social accounts and default SEO fields. One resource, read by
//! anyone, changed by admins and the owner.

pub mod input;
pub mod model;
pub mod policy;
pub mod routes;
pub mod service;
pub mod storage;
pub mod view;
