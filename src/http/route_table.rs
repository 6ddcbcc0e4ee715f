//! The routes an application serves, as its middleware and default service need to know them:
//! which methods a path takes (for `405` with `Allow`), and which reads are public, which the
//! shared cache may keep. Filled from the OpenAPI document by `crate::routes` and handed to
//! middleware as app data, so that nothing below the app needs to know the app.

use actix_web::dev::ResourceDef;
use actix_web::http::Method;
use utoipa::openapi::OpenApi;
use utoipa::openapi::security::SecurityRequirement;

struct Route {
    def: ResourceDef,
    methods: Vec<Method>,
    /// A `GET` of content anyone may make.
    public_read: bool,
}

/// A route template split at its slashes, `None` for a `{parameter}` segment: matched
/// segment by segment, without the regular expressions of a full router, since every
/// request is checked against it.
struct Template(Vec<Option<String>>);

impl Template {
    fn of(path: &str) -> Template {
        Template(
            path.split('/')
                .map(|segment| (!segment.starts_with('{')).then(|| segment.to_owned()))
                .collect(),
        )
    }

    fn matches(&self, path: &str) -> bool {
        let mut segments = path.split('/');
        self.0.iter().all(|want| match (want, segments.next()) {
            (Some(want), Some(segment)) => want == segment,
            (None, Some(segment)) => !segment.is_empty(),
            (_, None) => false,
        }) && segments.next().is_none()
    }
}

pub struct RouteTable {
    routes: Vec<Route>,
    /// The public reads' templates, apart, since every `GET` is checked against them.
    public_reads: Vec<(String, Template)>,
    /// Reads open to anyone whatever the server asks of its API (feeds, sitemaps).
    open_reads: Vec<ResourceDef>,
}

impl RouteTable {
    /// The routes of `doc`. A `GET` under `api_prefix` that needs no credential (its
    /// security allows none) is a public read: what it answers is the same for every reader,
    /// and changes only with the content.
    pub fn from_document(doc: &OpenApi, api_prefix: &str) -> RouteTable {
        let anyone = SecurityRequirement::default();
        let routes = doc
            .paths
            .paths
            .iter()
            .map(|(path, item)| {
                let ops = [
                    (&item.get, Method::GET),
                    (&item.post, Method::POST),
                    (&item.put, Method::PUT),
                    (&item.patch, Method::PATCH),
                    (&item.delete, Method::DELETE),
                ];
                let public_read = path.starts_with(api_prefix)
                    && item
                        .get
                        .as_ref()
                        .is_some_and(|get| get.security.iter().flatten().any(|s| *s == anyone));
                Route {
                    def: ResourceDef::new(path.as_str()),
                    methods: ops
                        .into_iter()
                        .filter(|(op, _)| op.is_some())
                        .map(|(_, method)| method)
                        .collect(),
                    public_read,
                }
            })
            .collect::<Vec<_>>();
        let public_reads = routes
            .iter()
            .filter(|route| route.public_read)
            .filter_map(|route| route.def.pattern())
            .map(|path| (path.to_owned(), Template::of(path)))
            .collect();
        RouteTable {
            routes,
            public_reads,
            open_reads: Vec::new(),
        }
    }

    /// Makes the route `path` an open read: a public read that needs no content key even
    /// where the API does, since what reads it (a feed reader, a search engine) has none.
    pub fn open(mut self, path: &str) -> RouteTable {
        self.open_reads.push(ResourceDef::new(path));
        self
    }

    /// Whether a `GET` of `path` is an open read.
    pub fn is_open_read(&self, path: &str) -> bool {
        self.open_reads.iter().any(|def| def.is_match(path))
    }

    /// Adds a route the document does not describe (the document's own).
    pub fn with(mut self, path: &str, methods: &[Method]) -> RouteTable {
        self.routes.push(Route {
            def: ResourceDef::new(path),
            methods: methods.to_vec(),
            public_read: false,
        });
        self
    }

    /// Takes the route `path` out of the public reads: anyone may read it, but what it answers
    /// is not the same for everyone who asks (a preview link, whose path is the credential).
    pub fn not_public(mut self, path: &str) -> RouteTable {
        for route in &mut self.routes {
            if route.def.pattern() == Some(path) {
                route.public_read = false;
            }
        }
        self.public_reads.retain(|(template, _)| template != path);
        self
    }

    fn route(&self, path: &str) -> Option<&Route> {
        self.routes.iter().find(|route| route.def.is_match(path))
    }

    /// The methods `path` takes, as an `Allow` header lists them; `None` for no route.
    pub fn allowed(&self, path: &str) -> Option<String> {
        self.route(path).map(|route| {
            let names: Vec<&str> = route.methods.iter().map(Method::as_str).collect();
            names.join(", ")
        })
    }

    /// Whether a `GET` of `path` is a public read of content.
    pub fn is_public_read(&self, path: &str) -> bool {
        self.public_reads
            .iter()
            .any(|(_, template)| template.matches(path))
    }

    /// The templates of the public reads, for tests and the documentation.
    pub fn public_reads(&self) -> Vec<&str> {
        self.public_reads
            .iter()
            .map(|(path, _)| path.as_str())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_match_whole_segments() {
        let template = Template::of("/api/v1/posts/slug/{slug}");
        assert!(template.matches("/api/v1/posts/slug/hello"));
        assert!(!template.matches("/api/v1/posts/slug/"));
        assert!(!template.matches("/api/v1/posts/slug"));
        assert!(!template.matches("/api/v1/posts/slug/hello/more"));
        assert!(!template.matches("/api/v1/pages/slug/hello"));
        assert!(Template::of("/api/v1/posts").matches("/api/v1/posts"));
        assert!(!Template::of("/api/v1/posts").matches("/api/v1/posts/"));
    }
}
