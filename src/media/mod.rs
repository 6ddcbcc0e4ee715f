//! Media: images and files uploaded once, stored by the digest of their bytes in a folder or
//! S3-compatible storage, served with responsive variants of images. Every member of staff
//! uploads; the files themselves are public to whoever has their address.

pub mod detect;
pub mod input;
pub mod model;
pub mod picture;
pub mod policy;
pub mod query;
pub mod routes;
pub mod service;
pub mod settings;
pub mod storage;
pub mod store;
pub mod view;
