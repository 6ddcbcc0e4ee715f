//! The OpenAPI document: collected from the handlers' annotations as the route table
//! registers them (see [`crate::routes`]), on top of this base, in [`document`].

use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{
    Content, Object, Ref, RefOr, Response, ResponseBuilder, Type, path::Operation,
};
use utoipa::{Modify, OpenApi};

use crate::error::FieldError;
use crate::http::problem::Problem;
use crate::routes::{self, API_PREFIX};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Folio",
        description = "A headless CMS: posts, pages, authors, tags and the site's settings over an authenticated JSON API.\n\n\
            Errors are `application/problem+json` (RFC 9457). Writes that change a resource need \
            the version you read, as `If-Match` or `version`, so edits are never lost.",
        license(name = "MIT", identifier = "MIT"),
    ),
    components(schemas(Problem, FieldError)),
    modifiers(&BearerAuth),
    tags(
        (name = "posts", description = "Posts: drafts, scheduled and published, their revisions and preview links"),
        (name = "pages", description = "Standalone pages (About, Imprint), with the same operations as posts"),
        (name = "previews", description = "Reading a draft by its preview link"),
        (name = "settings", description = "The site's name, address, navigation and defaults"),
        (name = "authors", description = "Authors and staff accounts"),
        (name = "tags", description = "Tags"),
        (name = "auth", description = "Signing in, refreshing and signing out"),
        (name = "keys", description = "API keys for frontends and integrations"),
        (name = "webhooks", description = "Where events are delivered, signed (Standard Webhooks), with retries and a delivery log"),
        (name = "media", description = "Uploaded images and files, stored by their digest, with responsive variants"),
        (name = "feeds", description = "RSS and Atom feeds and the sitemaps, for feed readers and search engines"),
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
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "api_key",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "X-Folio-Key",
                "An API key from `POST /api/v1/keys`: a content key reads published content, \
                 an integration key acts with its role.",
            ))),
        );
        components.add_security_scheme(
            "api_key_query",
            SecurityScheme::ApiKey(ApiKey::Query(ApiKeyValue::with_description(
                "key",
                "A content key, for clients that cannot set headers. Integration keys are \
                 refused here: URLs end up in logs.",
            ))),
        );
    }
}

/// Answers any operation may give, whatever it does: the size limits of the guard in front
/// of every handler (see [`crate::http::guard`]).
const LIMIT_RESPONSES: [(&str, &str); 2] = [
    ("414", "The query string is longer than the server accepts"),
    (
        "431",
        "The request headers are larger than the server accepts",
    ),
];

/// Adds what every operation shares to a document whose paths are collected: the guard's
/// size limits everywhere; under the API its rate limit, `503` when the database does not
/// answer, and `408` where a body is read. Written out in each operation rather than as
/// `$ref`s, which some SDK generators do not follow for responses.
fn finish(doc: &mut utoipa::openapi::OpenApi) {
    let problem = |description: &str| {
        ResponseBuilder::new().description(description).content(
            "application/problem+json",
            Content::new(Some(RefOr::Ref(Ref::from_schema_name("Problem")))),
        )
    };
    let retry_after = || {
        HeaderBuilder::new()
            .schema(Some(Object::with_type(Type::Integer)))
            .description(Some("Seconds to wait before trying again"))
            .build()
    };
    let everywhere: Vec<(&str, RefOr<Response>)> = LIMIT_RESPONSES
        .into_iter()
        .map(|(status, description)| (status, RefOr::T(problem(description).build())))
        .collect();
    let api: Vec<(&str, RefOr<Response>)> = vec![
        (
            "429",
            RefOr::T(
                problem(
                    "Too many requests from this client, or failed attempts: wait the seconds \
                     `Retry-After` says",
                )
                .header("Retry-After", retry_after())
                .build(),
            ),
        ),
        (
            "503",
            RefOr::T(
                problem("The database did not answer in time: retry after `Retry-After`")
                    .header("Retry-After", retry_after())
                    .build(),
            ),
        ),
    ];
    let timeout = RefOr::T(problem("The request body did not arrive in time").build());
    for (path, item) in doc.paths.paths.iter_mut() {
        let in_api = path.starts_with(API_PREFIX);
        let operations: [&mut Option<Operation>; 4] = [
            &mut item.get,
            &mut item.post,
            &mut item.patch,
            &mut item.delete,
        ];
        for operation in operations.into_iter().flatten() {
            let responses = &mut operation.responses.responses;
            let shared = everywhere.iter().chain(api.iter().filter(|_| in_api));
            for (status, response) in shared {
                responses
                    .entry((*status).to_owned())
                    .or_insert_with(|| response.clone());
            }
            if operation.request_body.is_some() {
                responses
                    .entry("408".to_owned())
                    .or_insert_with(|| timeout.clone());
            }
        }
    }
}

/// The whole document, as the server serves it.
pub fn document() -> utoipa::openapi::OpenApi {
    use utoipa_actix_web::AppExt;
    let (_, mut doc) = actix_web::App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .configure(routes::register)
        .split_for_parts();
    finish(&mut doc);
    doc
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
    fn every_reference_resolves() {
        fn refs<'a>(value: &'a serde_json::Value, found: &mut Vec<&'a str>) {
            match value {
                serde_json::Value::Object(map) => {
                    if let Some(serde_json::Value::String(target)) = map.get("$ref") {
                        found.push(target);
                    }
                    map.values().for_each(|v| refs(v, found));
                }
                serde_json::Value::Array(list) => list.iter().for_each(|v| refs(v, found)),
                _ => {}
            }
        }
        let doc = serde_json::to_value(document()).unwrap();
        let mut found = Vec::new();
        refs(&doc, &mut found);
        assert!(!found.is_empty());
        for target in found {
            let name = target
                .strip_prefix("#/components/schemas/")
                .unwrap_or_else(|| panic!("{target} is not a schema"));
            assert!(
                doc["components"]["schemas"].get(name).is_some(),
                "{target} is not in the document"
            );
        }
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
