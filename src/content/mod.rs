//! Turning what editors write into what readers get: Markdown rendered and sanitised once on
//! write, the plain text, excerpt and reading time derived from it, URL slugs, and which
//! tags are internal, and which uploaded files it shows.

pub mod anchors;
pub mod markdown;
pub mod media;
pub mod sanitize;
pub mod slug;
pub mod tag;
pub mod text;

pub use markdown::Rendered;
pub use slug::Slug;
pub use tag::TagVisibility;
