//! `fields=`: sparse fieldsets, so a client can ask for just the keys it shows.

use serde_json::Value;
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::Schema;

use super::error::FieldError;

/// The keys to keep in each item of an answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldSet(Vec<String>);

/// The property names of `T`'s documented schema: what `fields` may name.
pub fn property_names<T: utoipa::ToSchema>() -> Vec<String> {
    match T::schema() {
        RefOr::T(Schema::Object(object)) => object.properties.keys().cloned().collect(),
        _ => Vec::new(),
    }
}

impl FieldSet {
    /// Parses a comma-separated list of `T`'s properties; an unknown name is added to `errors`.
    pub fn parse<T: utoipa::ToSchema>(
        raw: Option<&str>,
        errors: &mut Vec<FieldError>,
    ) -> Option<FieldSet> {
        let raw = raw?;
        let allowed = property_names::<T>();
        let fields: Vec<String> = raw.split(',').map(str::to_owned).collect();
        if let Some(unknown) = fields.iter().find(|f| !allowed.contains(f)) {
            errors.push(FieldError::new(
                "fields",
                "unknown_field",
                format!("there is no field `{unknown}`; use {}", allowed.join(", ")),
            ));
        }
        Some(FieldSet(fields))
    }

    pub fn contains(&self, field: &str) -> bool {
        self.0.iter().any(|f| f == field)
    }

    /// Keeps only the chosen keys of `item`.
    pub fn apply(&self, mut item: Value) -> Value {
        if let Value::Object(map) = &mut item {
            map.retain(|key, _| self.contains(key));
        }
        item
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[derive(utoipa::ToSchema)]
    #[allow(dead_code)]
    struct Thing {
        id: String,
        title: String,
    }

    #[test]
    fn keeps_only_known_chosen_fields() {
        let mut errors = Vec::new();
        let set = FieldSet::parse::<Thing>(Some("title"), &mut errors).unwrap();
        assert!(errors.is_empty());
        assert_eq!(
            set.apply(json!({"id": "1", "title": "t"})),
            json!({"title": "t"})
        );
        FieldSet::parse::<Thing>(Some("title,colour"), &mut errors);
        assert_eq!(errors[0].field, "fields");
    }
}
