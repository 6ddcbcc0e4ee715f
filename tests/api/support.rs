//! The harness: a fresh Folio (its own database) per test, driven in-process over HTTP.

use std::net::ToSocketAddrs;
use std::time::Duration;

use actix_web::body::MessageBody;
use actix_web::dev::{Service, ServiceResponse};
use actix_web::http::header::HeaderMap;
use actix_web::test as actix_test;
use folio::config::Config;
use folio::setup;
use secrecy::SecretString;
use serde_json::{Value, json};

use folio::authors::model::Login;

pub use crate::databases::admin_url;
use crate::databases::{self, PgDatabase};
use crate::paths::{AUTHORS, KEYS, LOGIN, ME, POSTS, REFRESH, TAGS, resource};
use crate::proxy::Proxy;

pub const OWNER_EMAIL: &str = "owner@example.com";
pub const OWNER_PASSWORD: &str = "owner-password-123";
pub const PASSWORD: &str = "staff-password-123";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Runs each named `async fn(Backend)` as two tests: `name::sqlite` and `name::postgres`.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[actix_web::test]
            async fn sqlite() {
                super::$name($crate::support::Backend::Sqlite).await
            }
            #[actix_web::test]
            async fn postgres() {
                super::$name($crate::support::Backend::Postgres).await
            }
        }
    )*};
}

pub struct Response {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Value,
    pub text: String,
    /// The body as it came (files are no text).
    pub bytes: Vec<u8>,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Asserts the status, printing the body when it differs.
    #[track_caller]
    pub fn expect(self, status: u16) -> Response {
        assert_eq!(
            self.status, status,
            "unexpected status; body: {}",
            self.text
        );
        self
    }

    /// Asserts a problem+json error with this status, and returns its body.
    #[track_caller]
    pub fn problem(self, status: u16) -> Value {
        assert_eq!(
            self.status, status,
            "unexpected status; body: {}",
            self.text
        );
        assert_eq!(
            self.header("content-type"),
            Some("application/problem+json"),
            "errors are problem+json"
        );
        for field in ["type", "title", "status", "detail"] {
            assert!(
                self.body.get(field).is_some(),
                "problem without `{field}`: {}",
                self.text
            );
        }
        assert_eq!(self.body["status"], status);
        self.body
    }

    pub fn etag(&self) -> String {
        self.header("etag").expect("an ETag").to_owned()
    }

    /// The resource version an `ETag` names (`"3-<hash>"` is version 3).
    #[track_caller]
    pub fn etag_version(&self) -> i64 {
        let etag = self.etag();
        etag.trim_matches('"')
            .split('-')
            .next()
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("an ETag naming a version: {etag}"))
    }
}

/// The in-process service a [`TestApp`] drives, for helpers generic over it.
pub trait Served<B>:
    Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>
{
}

impl<T, B> Served<B> for T where
    T: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>
{
}

pub struct TestApp<S> {
    service: S,
    state: folio::AppState,
    config: Config,
    pub owner_token: String,
    pub owner_id: String,
    // Dropped last, after everything holding connections.
    _sqlite_dir: Option<tempfile::TempDir>,
    _pg: Option<PgDatabase>,
}

pub fn config(data_dir: &std::path::Path, database_url: Option<String>) -> Config {
    Config {
        data_dir: data_dir.to_owned(),
        database_url,
        db_pool_size: 4,
        db_checkout_timeout: Duration::from_secs(5),
        jwt_secret: Some(SecretString::from(
            "test-secret-that-is-at-least-32-bytes-long",
        )),
        access_token_ttl: Duration::from_secs(900),
        body_limit: 64 * 1024,
        protection: folio::config::Protection::default(),
        cache: folio::http::caching::CachePolicy {
            max_age: 60,
            stale_while_revalidate: 300,
        },
        response_cache_bytes: 4 * 1024 * 1024,
        editorial: folio::posts::service::Editorial::new(folio::posts::view::public),
        webhooks: folio::webhooks::delivery::WebhookSettings {
            targets: folio::webhooks::target::TargetPolicy {
                allow_private: true,
            },
            ..Default::default()
        },
        media: folio::media::settings::MediaConfig::default(),
        job_concurrency: 8,
        admin_email: OWNER_EMAIL.to_owned(),
        admin_password: Some(SecretString::from(OWNER_PASSWORD)),
        demo: false,
    }
}

/// Opens an instance on the blocking pool, as the server does before it serves.
async fn open(cfg: &Config) -> folio::AppState {
    let cfg = cfg.clone();
    let (state, _) = actix_web::web::block(move || setup::open(&cfg))
        .await
        .unwrap()
        .expect("Folio opens");
    state
}

pub async fn spawn(
    backend: Backend,
) -> TestApp<
    impl Service<
        actix_http::Request,
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
    >,
> {
    spawn_with(backend, |_| {}).await
}

/// A fresh Folio on PostgreSQL that reaches its database through a proxy the test can cut,
/// with its configuration changed by `configure` first.
pub async fn spawn_behind_proxy(
    configure: impl FnOnce(&mut Config),
) -> (
    TestApp<
        impl Service<
            actix_http::Request,
            Response = ServiceResponse<impl MessageBody>,
            Error = actix_web::Error,
        >,
    >,
    Proxy,
) {
    let admin = url::Url::parse(&admin_url()).expect("a valid admin URL");
    let target = (admin.host_str().unwrap(), admin.port().unwrap_or(5432))
        .to_socket_addrs()
        .expect("the database's address")
        .next()
        .unwrap();
    let proxy = Proxy::start(target);
    let port = proxy.address().port();
    let app = spawn_with(Backend::Postgres, move |cfg| {
        let mut url = url::Url::parse(cfg.database_url.as_deref().expect("a PostgreSQL URL"))
            .expect("a valid URL");
        url.set_host(Some("127.0.0.1")).unwrap();
        url.set_port(Some(port)).unwrap();
        cfg.database_url = Some(url.to_string());
        configure(cfg);
    })
    .await;
    (app, proxy)
}

/// A fresh Folio whose configuration `configure` changes first.
pub async fn spawn_with(
    backend: Backend,
    configure: impl FnOnce(&mut Config),
) -> TestApp<
    impl Service<
        actix_http::Request,
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
    >,
> {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let (pg, url) = match backend {
        Backend::Sqlite => (None, None),
        Backend::Postgres => {
            let (db, url) = PgDatabase::create();
            (Some(db), Some(url))
        }
    };
    let mut cfg = config(dir.path(), url);
    configure(&mut cfg);
    if backend == Backend::Sqlite {
        databases::sqlite_copy(std::path::Path::new(&cfg.database_url()));
    }
    let app = serve(cfg, dir, pg).await;
    let owner = app.session_of(OWNER_EMAIL).await;
    TestApp {
        owner_id: owner.0,
        owner_token: owner.1,
        ..app
    }
}

/// A Folio on a database with nothing in it, opened as on a first start: it migrates and
/// creates the owner. Other tests start from a copy of a prepared database.
pub async fn spawn_fresh(
    backend: Backend,
) -> TestApp<
    impl Service<
        actix_http::Request,
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
    >,
> {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let (pg, url) = match backend {
        Backend::Sqlite => (None, None),
        Backend::Postgres => {
            let (db, url) = PgDatabase::create_empty();
            (Some(db), Some(url))
        }
    };
    let app = serve(config(dir.path(), url), dir, pg).await;
    let token = app.login(OWNER_EMAIL, OWNER_PASSWORD).await;
    let id = app.get(ME, Some(&token)).await.expect(200).body["id"]
        .as_str()
        .unwrap()
        .to_owned();
    TestApp {
        owner_id: id,
        owner_token: token,
        ..app
    }
}

/// An instance opened on `cfg` behind the in-process service, owning its database.
async fn serve(
    cfg: Config,
    dir: tempfile::TempDir,
    pg: Option<PgDatabase>,
) -> TestApp<
    impl Service<
        actix_http::Request,
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
    >,
> {
    let state = open(&cfg).await;
    TestApp {
        service: actix_test::init_service(folio::app(state.clone())).await,
        state,
        config: cfg,
        owner_token: String::new(),
        owner_id: String::new(),
        _sqlite_dir: Some(dir),
        _pg: pg,
    }
}

impl<S, B> TestApp<S>
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    /// The app's database, for a test that must look at it or tell it something directly.
    pub fn db(&self) -> &folio::db::Db {
        &self.state.db
    }

    /// Sends a request; `body` is sent as JSON unless it is a string, which is sent raw.
    pub async fn call(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
        headers: &[(&str, &str)],
    ) -> Response {
        let mut req = actix_test::TestRequest::default()
            .method(method.parse().unwrap())
            .uri(path);
        if let Some(token) = token {
            req = req.insert_header(("authorization", format!("Bearer {token}")));
        }
        match body {
            Some(Value::String(raw)) => req = req.set_payload(raw),
            Some(json) => {
                req = req
                    .insert_header(("content-type", "application/json"))
                    .set_payload(json.to_string())
            }
            None => {}
        }
        for (name, value) in headers {
            req = req.insert_header((*name, *value));
        }
        self.send(req).await
    }

    /// Sends a request built by the caller (to set its peer address, say).
    pub async fn send(&self, req: actix_test::TestRequest) -> Response {
        self.send_request(req.to_request()).await
    }

    /// Sends a request whose body arrives as `body` yields it, which may be never.
    pub async fn send_streaming(
        &self,
        req: actix_test::TestRequest,
        body: impl futures_util::Stream<
            Item = Result<actix_web::web::Bytes, actix_http::error::PayloadError>,
        > + 'static,
    ) -> Response {
        let payload = actix_http::Payload::Stream {
            payload: Box::pin(body) as actix_http::BoxedPayloadStream,
        };
        let (req, _) = req.to_request().replace_payload(payload);
        self.send_request(req).await
    }

    async fn send_request(&self, req: actix_http::Request) -> Response {
        let res = actix_test::call_service(&self.service, req).await;
        let status = res.status().as_u16();
        let headers = res.headers().clone();
        let bytes = actix_test::read_body(res).await;
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Response {
            status,
            headers,
            body,
            text,
            bytes: bytes.to_vec(),
        }
    }

    /// Another instance on the same database (its own pool and caches), as when several
    /// serve one PostgreSQL. It must not outlive `self`, which owns the database.
    pub async fn sibling(
        &self,
    ) -> TestApp<
        impl Service<
            actix_http::Request,
            Response = ServiceResponse<impl MessageBody>,
            Error = actix_web::Error,
        >,
    > {
        let state = open(&self.config).await;
        TestApp {
            service: actix_test::init_service(folio::app(state.clone())).await,
            state,
            config: self.config.clone(),
            owner_token: self.owner_token.clone(),
            owner_id: self.owner_id.clone(),
            _sqlite_dir: None,
            _pg: None,
        }
    }

    /// The instance behind the app, e.g. to count SQL statements.
    pub fn state(&self) -> &folio::AppState {
        &self.state
    }

    /// The configuration the instance was opened with.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The name of this test's PostgreSQL database, on PostgreSQL.
    pub fn pg_database(&self) -> Option<&str> {
        self._pg.as_ref().map(|db| db.name.as_str())
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Response {
        self.call("GET", path, token, None, &[]).await
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: Value) -> Response {
        self.call("POST", path, token, Some(body), &[]).await
    }

    /// A `PATCH` carrying `If-Match: <etag>`.
    pub async fn patch(
        &self,
        path: &str,
        token: Option<&str>,
        etag: &str,
        body: Value,
    ) -> Response {
        self.call("PATCH", path, token, Some(body), &[("if-match", etag)])
            .await
    }

    /// A `PATCH` whose body says (or does not say) which version it changes.
    pub async fn patch_body(&self, path: &str, token: Option<&str>, body: Value) -> Response {
        self.call("PATCH", path, token, Some(body), &[]).await
    }

    pub async fn delete(&self, path: &str, token: Option<&str>) -> Response {
        self.call("DELETE", path, token, None, &[]).await
    }

    /// Signs in: the whole answer, refresh token included.
    pub async fn sign_in(&self, email: &str, password: &str) -> Value {
        self.post(LOGIN, None, json!({"email": email, "password": password}))
            .await
            .expect(200)
            .body
    }

    /// Signs in: the access token.
    pub async fn login(&self, email: &str, password: &str) -> String {
        self.sign_in(email, password).await["access_token"]
            .as_str()
            .expect("a token")
            .to_owned()
    }

    /// A sign-in attempt from the client at `address`.
    pub async fn login_from(&self, address: &str, email: &str, password: &str) -> Response {
        self.send(
            actix_test::TestRequest::post()
                .uri(LOGIN)
                .peer_addr(format!("{address}:40000").parse().unwrap())
                .insert_header(("content-type", "application/json"))
                .set_payload(json!({"email": email, "password": password}).to_string()),
        )
        .await
    }

    pub async fn refresh(&self, refresh_token: &Value) -> Response {
        self.post(REFRESH, None, json!({"refresh_token": refresh_token}))
            .await
    }

    /// A request carrying the API key `secret` in `X-Folio-Key`.
    pub async fn with_key(
        &self,
        method: &str,
        path: &str,
        secret: &str,
        body: Option<Value>,
    ) -> Response {
        self.call(method, path, None, body, &[("x-folio-key", secret)])
            .await
    }

    /// A new API key made by the owner: (its id, its secret).
    pub async fn key(&self, body: Value) -> (String, String) {
        let res = self
            .post(KEYS, Some(&self.owner_token), body)
            .await
            .expect(201);
        assert_eq!(
            res.header("location"),
            Some(resource(KEYS, id(&res.body)).as_str())
        );
        let key = res.body;
        (
            id(&key).to_owned(),
            key["secret"].as_str().expect("a secret").to_owned(),
        )
    }

    /// The sign-in email of author `author_id`, as the owner reads it.
    pub async fn email_of(&self, author_id: &str) -> String {
        self.get(&resource(AUTHORS, author_id), Some(&self.owner_token))
            .await
            .expect(200)
            .body["email"]
            .as_str()
            .expect("an email")
            .to_owned()
    }

    /// Changes author `author_id` as the owner, from the version it has now.
    pub async fn change_author(&self, author_id: &str, body: Value) -> Response {
        let path = resource(AUTHORS, author_id);
        let etag = self
            .get(&path, Some(&self.owner_token))
            .await
            .expect(200)
            .etag();
        self.patch(&path, Some(&self.owner_token), &etag, body)
            .await
    }

    /// A new staff account with `role` and the password [`PASSWORD`], signed in: (author
    /// id, token). Made in the database, not through the API, where making accounts and
    /// signing in have tests of their own: this way no password is hashed for it.
    pub async fn staff(&self, role: &str) -> (String, String) {
        let email = format!("{role}-{}@example.com", uuid::Uuid::now_v7().simple());
        let login = Login {
            email: folio::auth::Email::parse(&email).unwrap(),
            password_hash: password_hash().to_owned(),
            role: role.parse().expect("a role"),
        };
        let (db, name) = (self.state.db.clone(), format!("A {role}"));
        actix_web::web::block(move || {
            let mut conn = db.conn().expect("a connection");
            folio::authors::service::create_account(&mut conn, &name, login)
        })
        .await
        .unwrap()
        .expect("the account");
        self.session_of(&email).await
    }

    /// A new session for the account with `email`, started in the database: (author id,
    /// access token).
    pub async fn session_of(&self, email: &str) -> (String, String) {
        let (db, auth) = (self.state.db.clone(), self.state.auth.clone());
        let email = email.to_owned();
        let grant = actix_web::web::block(move || {
            let mut conn = db.conn().expect("a connection");
            let account = folio::auth::accounts::find_by_email(&mut conn, &email)
                .unwrap()
                .expect("the account");
            folio::auth::sessions::start(&mut conn, &account.id, auth.refresh_ttl)
        })
        .await
        .unwrap()
        .expect("a session");
        let token = self
            .state
            .auth
            .tokens
            .issue(&grant.author_id, &grant.session_id);
        (grant.author_id.to_string(), token)
    }

    pub async fn tag(&self, name: &str) -> Value {
        self.post(TAGS, Some(&self.owner_token), json!({"name": name}))
            .await
            .expect(201)
            .body
    }

    pub async fn author(&self, name: &str) -> Value {
        self.post(AUTHORS, Some(&self.owner_token), json!({"name": name}))
            .await
            .expect(201)
            .body
    }

    /// Creates a post as `token` (the owner when `None`) from `body`.
    pub async fn post_as(&self, token: Option<&str>, body: Value) -> Value {
        self.post(POSTS, Some(token.unwrap_or(&self.owner_token)), body)
            .await
            .expect(201)
            .body
    }
}

/// [`PASSWORD`], hashed once for every account the tests make.
fn password_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| folio::auth::password::hash(&SecretString::from(PASSWORD)))
}

pub fn id(v: &Value) -> &str {
    v["id"].as_str().expect("an id")
}

pub fn slugs(list: &Value) -> Vec<String> {
    list["data"]
        .as_array()
        .expect("a list")
        .iter()
        .map(|p| p["slug"].as_str().unwrap().to_owned())
        .collect()
}
