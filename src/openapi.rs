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
