//! What authors and tags share as named resources (a name, a slug, the posts they are on):
//! their list parameters, a page of either table, their post counts, and the handlers' common
//! part. Another named resource is a folder that uses these, not a copy of one that does.

pub mod query;
pub mod routes;
pub mod storage;
pub mod view;
