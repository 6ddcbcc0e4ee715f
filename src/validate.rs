//! Checking request bodies field by field, collecting every problem before answering `422`;
//! and telling a field left out of a `PATCH` from one set to `null`.

use crate::content::Slug;
use crate::error::{ApiError, FieldError};

/// The limits every resource with SEO and social fields shares, in characters: a page
/// title for search engines and cards, and the description under it (Ghost's limits).
pub const META_TITLE_MAX: usize = 300;
pub const META_DESCRIPTION_MAX: usize = 500;
/// Markup for a page's head or foot.
pub const CODE_MAX: usize = 65_535;
/// A handle or profile address on a social network.
pub const HANDLE_MAX: usize = 191;

#[derive(Debug, Default)]
pub struct Fields {
    errors: Vec<FieldError>,
}

fn check_text(value: &str, max: usize) -> Result<(), (&'static str, String)> {
    if value.contains('\0') {
        Err((
            "invalid_characters",
            "must not contain NUL characters".into(),
        ))
    } else if value.chars().count() > max {
        Err(("too_long", format!("must be at most {max} characters")))
    } else {
        Ok(())
    }
}

impl Fields {
    pub fn new() -> Fields {
        Fields::default()
    }

    pub fn error(&mut self, field: impl Into<String>, code: &str, message: impl Into<String>) {
        self.errors.push(FieldError::new(field, code, message));
    }

    /// A required, trimmed, non-empty text.
    pub fn required(&mut self, field: &str, value: &str, max: usize) -> String {
        let value = value.trim();
        if value.is_empty() {
            self.error(field, "required", "must not be empty");
        } else if let Err((code, message)) = check_text(value, max) {
            self.error(field, code, message);
        }
        value.to_owned()
    }

    /// An optional text; an empty one counts as absent.
    pub fn optional(&mut self, field: &str, value: Option<String>, max: usize) -> Option<String> {
        let value = value.filter(|v| !v.trim().is_empty())?;
        if let Err((code, message)) = check_text(&value, max) {
            self.error(field, code, message);
        }
        Some(value)
    }

    /// A text that a `PATCH` may set, clear (`null` or empty) or leave out.
    pub fn patch(
        &mut self,
        field: &str,
        value: Option<Option<String>>,
        max: usize,
    ) -> Option<Option<String>> {
        value.map(|v| self.optional(field, v, max))
    }

    /// Markdown: may be empty, may be long, must not hold NUL.
    pub fn body(&mut self, field: &str, value: String, max: usize) -> String {
        if let Err((code, message)) = check_text(&value, max) {
            self.error(field, code, message);
        }
        value
    }

    pub fn slug(&mut self, field: &str, value: Option<&str>) -> Option<Slug> {
        match Slug::parse(value?) {
            Ok(slug) => Some(slug),
            Err(message) => {
                self.error(field, "invalid_format", message);
                None
            }
        }
    }

    /// An absolute `http` or `https` URL (an empty string is not one: clear with `null`).
    pub fn url(&mut self, field: &str, value: Option<String>) -> Option<String> {
        let value = value?;
        if let Err((code, message)) = check_text(&value, 2048) {
            self.error(field, code, message);
            return None;
        }
        match url::Url::parse(value.trim()) {
            Ok(url) if matches!(url.scheme(), "http" | "https") => Some(url.to_string()),
            _ => {
                self.error(
                    field,
                    "invalid_url",
                    "must be an absolute http or https URL",
                );
                None
            }
        }
    }

    pub fn patch_url(
        &mut self,
        field: &str,
        value: Option<Option<String>>,
    ) -> Option<Option<String>> {
        value.map(|v| self.url(field, v))
    }

    /// A change a `PATCH` may make to an optional field: `check`ed when set, `Some(None)`
    /// when cleared, `None` when left out.
    pub fn patch_with<T, U>(
        &mut self,
        value: Option<Option<T>>,
        check: impl FnOnce(&mut Fields, Option<T>) -> Option<U>,
    ) -> Option<Option<U>> {
        value.map(|v| check(self, v))
    }

    /// A name made of ASCII letters, digits, `-` and `_` (a template's, say).
    pub fn token(&mut self, field: &str, value: Option<String>, max: usize) -> Option<String> {
        let value = self.optional(field, value, max)?;
        if !value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            self.error(
                field,
                "invalid_format",
                "may contain only ASCII letters, digits, `-` and `_`",
            );
        }
        Some(value)
    }

    /// A colour as `#rrggbb`, stored in lower case.
    pub fn color(&mut self, field: &str, value: Option<String>) -> Option<String> {
        let value = value.filter(|v| !v.trim().is_empty())?;
        let hex = value.strip_prefix('#').unwrap_or("");
        if hex.len() != 6 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            self.error(field, "invalid_format", "must be a colour as `#rrggbb`");
            return None;
        }
        Some(value.to_ascii_lowercase())
    }

    /// A handle on a social network (`@name`, `name@instance`, `in/name`), or a profile
    /// address: printable, with no spaces.
    pub fn handle(&mut self, field: &str, value: Option<String>, max: usize) -> Option<String> {
        let value = self.optional(field, value, max)?;
        if value.chars().any(|c| c.is_whitespace() || c.is_control()) {
            self.error(field, "invalid_format", "must not contain spaces");
        }
        Some(value)
    }

    pub fn finish<T>(self, value: T) -> Result<T, ApiError> {
        if self.errors.is_empty() {
            Ok(value)
        } else {
            Err(ApiError::Validation(self.errors))
        }
    }
}

/// For `PATCH` bodies: tells a field that was left out (`None`) from one set to `null`
/// (`Some(None)`), which clears it.
pub mod double_option {
    use serde::{Deserialize, Deserializer};

    pub fn deserialize<'de, D, T>(de: D) -> Result<Option<Option<T>>, D::Error>
    where
        D: Deserializer<'de>,
        T: Deserialize<'de>,
    {
        Option::<T>::deserialize(de).map(Some)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    struct Body {
        #[serde(default, with = "double_option")]
        bio: Option<Option<String>>,
    }

    fn parse(json: &str) -> Body {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn double_option_tells_absent_from_null() {
        let absent = parse(r#"{}"#);
        let null = parse(r#"{"bio": null}"#);
        assert_eq!(absent.bio, None);
        assert_eq!(null.bio, Some(None));
    }

    #[test]
    fn collects_every_error() {
        let mut f = Fields::new();
        assert_eq!(f.required("title", "  Hi  ", 10), "Hi");
        f.required("name", " ", 10);
        f.required("bio", "a\0b", 10);
        f.url("website", Some("javascript:alert(1)".into()));
        f.slug("slug", Some("Not A Slug"));
        assert_eq!(f.optional("x", Some("".into()), 5), None);
        match f.finish(()) {
            Err(ApiError::Validation(errors)) => {
                let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
                assert_eq!(fields, ["name", "bio", "website", "slug"]);
            }
            other => panic!("{other:?}"),
        }
    }
}
