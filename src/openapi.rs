//! The OpenAPI document: collected from the handlers' annotations as the routes are
//! registered (see [`crate::app`]), on top of this base.

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::http::error::{FieldError, Problem};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Folio",
        description = "A headless CMS: posts, authors and tags over an authenticated JSON API.\n\n\
            Errors are `application/problem+json` (RFC 9457). Writes that change a resource need \
            the version you read, as `If-Match` or `version`, so edits are never lost.",
        license(name = "MIT", identifier = "MIT"),
    ),
    components(schemas(Problem, FieldError)),
    modifiers(&BearerAuth),
    tags(
        (name = "posts", description = "Posts: drafts, scheduled and published"),
        (name = "authors", description = "Authors and staff accounts"),
        (name = "tags", description = "Tags"),
        (name = "auth", description = "Signing in"),
        (name = "health", description = "Liveness and readiness probes"),
    )
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        openapi
            .components
            .get_or_insert_with(Default::default)
            .add_security_scheme(
                "bearer",
                SecurityScheme::Http(
                    HttpBuilder::new()
                        .scheme(HttpAuthScheme::Bearer)
                        .bearer_format("JWT")
                        .description(Some("An access token from `POST /api/v1/auth/login`."))
                        .build(),
                ),
            );
    }
}

/// The whole document, as the server serves it.
pub fn document() -> utoipa::openapi::OpenApi {
    use utoipa_actix_web::AppExt;
    actix_web::App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .configure(crate::app::register)
        .split_for_parts()
        .1
}

/// The document as committed at `openapi/openapi.json`.
pub fn pretty_json() -> String {
    let mut json = document()
        .to_pretty_json()
        .expect("the OpenAPI document serialises");
    json.push('\n');
    json
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_committed_document_is_current() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/openapi.json");
        let committed = std::fs::read_to_string(path).unwrap_or_default();
        assert!(
            committed == pretty_json(),
            "openapi/openapi.json is stale; regenerate it with\n\n    \
             cargo run -- openapi > openapi/openapi.json\n"
        );
    }

    #[test]
    fn every_operation_is_named_and_every_response_described() {
        let doc = serde_json::to_value(document()).unwrap();
        for (path, item) in doc["paths"].as_object().unwrap() {
            for (method, op) in item.as_object().unwrap() {
                assert!(
                    op["operationId"].is_string(),
                    "{method} {path} has no operationId"
                );
                assert!(
                    op["security"].is_array(),
                    "{method} {path} declares no security"
                );
                for (status, response) in op["responses"].as_object().unwrap() {
                    assert!(
                        response["description"]
                            .as_str()
                            .is_some_and(|d| !d.is_empty()),
                        "{method} {path} {status} has no description"
                    );
                }
            }
        }
    }
}
