//! Settings: command-line flags, then `FOLIO_*` environment variables, then defaults.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};
use ipnet::IpNet;
use secrecy::SecretString;

use crate::auth::Role;
use crate::auth::throttle::Limits;
use crate::http::caching::CachePolicy;
use crate::media::picture::ImageLimits;
use crate::media::settings::MediaConfig;
use crate::media::store::{S3Access, StoreLocation};
use crate::posts::service::Editorial;
use crate::telemetry::LogFormat;
use crate::webhooks::delivery::WebhookSettings;
use crate::webhooks::target::TargetPolicy;

#[derive(Debug, Parser)]
#[command(
    name = "folio",
    version,
    about = "Folio: a headless CMS serving posts, pages, authors, tags and site settings over a JSON API."
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Option<Command>,
    /// `folio` with no subcommand serves.
    #[command(flatten)]
    pub serve: ServeArgs,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the HTTP server (the default): migrates the database and creates the owner first.
    Serve(Box<ServeArgs>),
    /// Apply pending database migrations, then exit.
    Migrate,
    /// Manage staff accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// Print the OpenAPI document (JSON) to standard output.
    Openapi,
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a staff account. The password comes from FOLIO_PASSWORD, or is asked for.
    Create {
        /// Sign-in email address (case-insensitive, unique).
        #[arg(long)]
        email: String,
        /// Display name.
        #[arg(long)]
        name: String,
        /// One of owner (only while there is none), admin, editor, author, contributor.
        #[arg(long, value_parser = parse_role)]
        role: Role,
        /// The password; prefer the environment over the command line.
        #[arg(long, env = "FOLIO_PASSWORD", hide_env_values = true)]
        password: Option<SecretString>,
    },
}

fn parse_role(s: &str) -> Result<Role, String> {
    s.parse()
}

#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Folder for the SQLite database and the generated signing key.
    #[arg(long, env = "FOLIO_DATA_DIR", default_value = "./data", global = true)]
    pub data_dir: PathBuf,
    /// `postgres://user@host/db` for PostgreSQL; a file path (or `sqlite://path`) for SQLite.
    /// Default: `folio.db` in the data folder.
    #[arg(long, env = "DATABASE_URL", global = true)]
    pub database_url: Option<String>,
    /// Most database connections to hold open.
    #[arg(long, env = "FOLIO_DB_POOL_SIZE", default_value_t = 16, global = true)]
    pub db_pool_size: u32,
    /// Seconds a request may wait for a database connection before it is answered `503`
    /// (SQLite: also how long a write waits for another's lock).
    #[arg(long, env = "FOLIO_DB_TIMEOUT", default_value_t = 5, global = true)]
    pub db_timeout: u64,
    /// Log filter, e.g. `info` or `folio=debug,actix_web=warn`.
    #[arg(long = "log", env = "FOLIO_LOG", default_value = "info", global = true)]
    pub log_filter: String,
    /// Log line format.
    #[arg(long, env = "FOLIO_LOG_FORMAT", value_enum, default_value_t = LogFormat::Pretty, global = true)]
    pub log_format: LogFormat,
}

#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Address and port to listen on.
    #[arg(long, env = "FOLIO_BIND", default_value = "127.0.0.1:8080")]
    pub bind: String,
    /// HTTP worker threads (default: one per CPU core).
    #[arg(long, env = "FOLIO_WORKERS")]
    pub workers: Option<usize>,
    /// Secret for signing access tokens (at least 32 bytes). Default: generated once and kept
    /// in the data folder. Set it when several instances share one database.
    #[arg(long, env = "FOLIO_JWT_SECRET", hide_env_values = true)]
    pub jwt_secret: Option<SecretString>,
    /// The secret tokens were signed with before `--jwt-secret` replaced it: tokens it signed
    /// stay valid for `--jwt-previous-secret-ttl` seconds after start, so rotating the secret
    /// signs nobody out.
    #[arg(long, env = "FOLIO_JWT_PREVIOUS_SECRET", hide_env_values = true)]
    pub jwt_previous_secret: Option<SecretString>,
    /// Seconds after start that tokens signed with the previous secret are still accepted.
    #[arg(long, env = "FOLIO_JWT_PREVIOUS_SECRET_TTL", default_value_t = 3600)]
    pub jwt_previous_secret_ttl: u64,
    /// Lifetime of access tokens, in seconds.
    #[arg(long, env = "FOLIO_ACCESS_TOKEN_TTL", default_value_t = 900)]
    pub access_token_ttl: u64,
    /// Lifetime of refresh tokens, in seconds; each refresh gives a new one.
    #[arg(long, env = "FOLIO_REFRESH_TOKEN_TTL", default_value_t = 30 * 24 * 3600)]
    pub refresh_token_ttl: u64,
    /// Longest a session may be kept going by refreshing, in seconds from its sign-in.
    #[arg(long, env = "FOLIO_SESSION_MAX_AGE", default_value_t = 90 * 24 * 3600)]
    pub session_max_age: u64,
    /// Serve published content only to holders of a content key (`X-Folio-Key` or `?key=`).
    #[arg(long, env = "FOLIO_REQUIRE_CONTENT_KEY")]
    pub require_content_key: bool,
    /// Failed sign-ins per account in a window before `429`; 0 turns the limit off.
    #[arg(long, env = "FOLIO_LOGIN_FAILURES_PER_ACCOUNT", default_value_t = 5)]
    pub login_failures_per_account: u32,
    /// Failed sign-ins and refreshes per client address in a window before `429`; 0 turns
    /// the limit off.
    #[arg(long, env = "FOLIO_LOGIN_FAILURES_PER_ADDRESS", default_value_t = 20)]
    pub login_failures_per_address: u32,
    /// The window failed sign-ins are counted in, in seconds.
    #[arg(long, env = "FOLIO_LOGIN_FAILURE_WINDOW", default_value_t = 900)]
    pub login_failure_window: u64,
    /// Requests per minute each client address may make to this instance (bursts up to the
    /// same number); 0 turns the limit off.
    #[arg(long, env = "FOLIO_RATE_LIMIT", default_value_t = 1200)]
    pub rate_limit: u32,
    /// Reverse proxies (addresses or CIDR ranges, comma-separated) whose client-address
    /// header is believed. Without any, the connection's address is the client's.
    #[arg(long, env = "FOLIO_TRUSTED_PROXIES", value_delimiter = ',', value_parser = crate::http::client::parse_proxy)]
    pub trusted_proxies: Vec<IpNet>,
    /// The header trusted proxies put the client address in.
    #[arg(
        long,
        env = "FOLIO_CLIENT_IP_HEADER",
        default_value = "X-Forwarded-For"
    )]
    pub client_ip_header: String,
    /// Origins (comma-separated, e.g. `https://blog.example.com`) whose browser apps may
    /// call the API; `*` allows any. Default: none (same origin only).
    #[arg(long, env = "FOLIO_CORS_ORIGINS", value_delimiter = ',')]
    pub cors_origins: Vec<String>,
    /// Longest query string accepted, in bytes: room for every list parameter at its longest.
    #[arg(long, env = "FOLIO_QUERY_LIMIT", default_value_t = 16 * 1024)]
    pub query_limit: usize,
    /// Most bytes of request headers accepted, names and values together.
    #[arg(long, env = "FOLIO_HEADER_LIMIT", default_value_t = 16 * 1024)]
    pub header_limit: usize,
    /// Seconds a client has to send a request's headers, and again its body.
    #[arg(long, env = "FOLIO_CLIENT_TIMEOUT", default_value_t = 10)]
    pub client_timeout: u64,
    /// Largest request body accepted, in bytes.
    #[arg(long, env = "FOLIO_BODY_LIMIT", default_value_t = 1024 * 1024)]
    pub body_limit: usize,
    /// Seconds anonymous reads stay fresh in browsers and shared caches.
    #[arg(long, env = "FOLIO_CACHE_MAX_AGE", default_value_t = 60)]
    pub cache_max_age: u32,
    /// Seconds a cache may keep serving a stale anonymous read while it revalidates.
    #[arg(
        long,
        env = "FOLIO_CACHE_STALE_WHILE_REVALIDATE",
        default_value_t = 300
    )]
    pub cache_stale_while_revalidate: u32,
    /// Memory for anonymous reads kept rendered until the content changes, in MiB; 0 turns
    /// the cache off.
    #[arg(long, env = "FOLIO_RESPONSE_CACHE_MB", default_value_t = 16)]
    pub response_cache_mb: usize,
    /// Email of the owner account created on an empty database.
    #[arg(long, env = "FOLIO_ADMIN_EMAIL", default_value = "owner@example.com")]
    pub admin_email: String,
    /// Password of the owner created on an empty database; generated and printed once if unset.
    #[arg(long, env = "FOLIO_ADMIN_PASSWORD", hide_env_values = true)]
    pub admin_password: Option<SecretString>,
    /// Revisions kept for each post and page; older ones are pruned as new ones come.
    #[arg(long, env = "FOLIO_REVISIONS_PER_POST", default_value_t = 50, value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub revisions_per_post: u32,
    /// Seconds a preview link works after it is made.
    #[arg(long, env = "FOLIO_PREVIEW_TTL", default_value_t = 24 * 3600, value_parser = clap::value_parser!(u64).range(60..=365 * 24 * 3600))]
    pub preview_ttl: u64,
    /// Seconds one webhook delivery attempt may take, connecting included.
    #[arg(long, env = "FOLIO_WEBHOOK_TIMEOUT", default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=300))]
    pub webhook_timeout: u64,
    /// The waits before each retry of a failed webhook delivery, comma-separated, each a
    /// number and a unit (`ms`, `s`, `m`, `h`); when they run out the delivery has failed.
    #[arg(long, env = "FOLIO_WEBHOOK_RETRY_SCHEDULE", default_value = "5s,5m,30m,2h,5h,10h,10h", value_parser = parse_schedule)]
    pub webhook_retry_schedule: Schedule,
    /// Let webhooks reach loopback, private and link-local addresses (one machine, tests).
    #[arg(long, env = "FOLIO_WEBHOOK_ALLOW_PRIVATE")]
    pub webhook_allow_private: bool,
    /// Seconds a webhook's old secret keeps signing beside the new one after a rotation.
    #[arg(long, env = "FOLIO_WEBHOOK_SECRET_OVERLAP", default_value_t = 24 * 3600, value_parser = clap::value_parser!(u64).range(0..=30 * 24 * 3600))]
    pub webhook_secret_overlap: u64,
    /// Days finished webhook deliveries stay in the delivery log.
    #[arg(long, env = "FOLIO_WEBHOOK_RETENTION_DAYS", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=3650))]
    pub webhook_retention_days: u64,
    /// Jobs (webhook deliveries, scheduled publishing) this instance runs at once; 0 runs
    /// none (an instance that only serves, beside others that run the jobs).
    #[arg(long, env = "FOLIO_JOB_CONCURRENCY", default_value_t = 8, value_parser = clap::value_parser!(u32).range(0..=256))]
    pub job_concurrency: u32,
    /// Where media is stored: a folder (default `<data-dir>/media`), or S3-compatible object
    /// storage as `s3://bucket/prefix`.
    #[arg(long, env = "FOLIO_MEDIA_STORE", value_parser = StoreLocation::parse)]
    pub media_store: Option<StoreLocation>,
    /// The S3 endpoint (`https://s3.example.com`); default from `AWS_ENDPOINT_URL`, else AWS.
    #[arg(long, env = "FOLIO_MEDIA_S3_ENDPOINT")]
    pub media_s3_endpoint: Option<String>,
    /// The S3 region; default from `AWS_REGION` or `AWS_DEFAULT_REGION`.
    #[arg(long, env = "FOLIO_MEDIA_S3_REGION")]
    pub media_s3_region: Option<String>,
    /// The S3 access key id; default from `AWS_ACCESS_KEY_ID`.
    #[arg(long, env = "FOLIO_MEDIA_S3_ACCESS_KEY_ID")]
    pub media_s3_access_key_id: Option<String>,
    /// The S3 secret access key; default from `AWS_SECRET_ACCESS_KEY`.
    #[arg(long, env = "FOLIO_MEDIA_S3_SECRET_ACCESS_KEY", hide_env_values = true)]
    pub media_s3_secret_access_key: Option<String>,
    /// Address buckets by path (`endpoint/bucket/key`), as most S3-compatible servers want.
    #[arg(long, env = "FOLIO_MEDIA_S3_PATH_STYLE")]
    pub media_s3_path_style: bool,
    /// Where the public reaches the stored objects (a CDN, or the bucket): files' addresses
    /// start with it, and Folio's own media addresses redirect there.
    #[arg(long, env = "FOLIO_MEDIA_PUBLIC_URL")]
    pub media_public_url: Option<url::Url>,
    /// Pass files from object storage through Folio rather than redirecting to the public
    /// address.
    #[arg(long, env = "FOLIO_MEDIA_PROXY")]
    pub media_proxy: bool,
    /// Take SVG uploads (served with a sandboxing Content-Security-Policy).
    #[arg(long, env = "FOLIO_MEDIA_ALLOW_SVG")]
    pub media_allow_svg: bool,
    /// Keep the EXIF, XMP and other metadata of images (location, camera) as uploaded.
    #[arg(long, env = "FOLIO_MEDIA_KEEP_METADATA")]
    pub media_keep_metadata: bool,
    /// Largest upload, in MiB.
    #[arg(long, env = "FOLIO_MEDIA_MAX_MB", default_value_t = 25, value_parser = clap::value_parser!(u64).range(1..=10_240))]
    pub media_max_mb: u64,
    /// Most pixels an image may have, in millions; larger ones are refused before decoding.
    #[arg(long, env = "FOLIO_MEDIA_MAX_MEGAPIXELS", default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..=1_000))]
    pub media_max_megapixels: u64,
    /// Memory one image decoding may take, in MiB.
    #[arg(long, env = "FOLIO_MEDIA_DECODER_MB", default_value_t = 512, value_parser = clap::value_parser!(u64).range(16..=16_384))]
    pub media_decoder_mb: u64,
    /// The widths images get variants at (comma-separated pixels); no other size exists.
    #[arg(long, env = "FOLIO_MEDIA_WIDTHS", value_delimiter = ',', default_value = "320,640,1024,1600,2400", value_parser = clap::value_parser!(u32).range(16..=8192))]
    pub media_widths: Vec<u32>,
    /// Load a small sample blog into an empty database.
    #[arg(long, env = "FOLIO_DEMO")]
    pub demo: bool,
}

/// What protects a server on the public internet: sessions, key rotation, limits, CORS.
#[derive(Debug, Clone)]
pub struct Protection {
    pub jwt_previous_secret: Option<SecretString>,
    pub jwt_previous_secret_ttl: Duration,
    pub refresh_token_ttl: Duration,
    pub session_max_age: Duration,
    pub content_key_required: bool,
    pub throttle: Limits,
    /// Requests per minute per client address; 0 is no limit.
    pub rate_limit_per_minute: u32,
    pub trusted_proxies: Vec<IpNet>,
    pub client_ip_header: String,
    pub cors_origins: Vec<String>,
    pub query_limit: usize,
    pub header_limit: usize,
    pub client_timeout: Duration,
}

impl Default for Protection {
    /// The defaults `folio serve` documents.
    fn default() -> Protection {
        let cli = Cli::parse_from(["folio"]);
        Config::new(&cli.global, &cli.serve).protection
    }
}

/// Everything the library needs to open a Folio instance.
#[derive(Debug, Clone)]
pub struct Config {
    pub data_dir: PathBuf,
    pub database_url: Option<String>,
    pub db_pool_size: u32,
    /// The longest a request waits for a database connection.
    pub db_checkout_timeout: Duration,
    pub jwt_secret: Option<SecretString>,
    pub access_token_ttl: Duration,
    pub body_limit: usize,
    pub protection: Protection,
    pub cache: CachePolicy,
    /// Bytes for the in-memory cache of anonymous reads; 0 turns it off.
    pub response_cache_bytes: usize,
    pub editorial: Editorial,
    pub webhooks: WebhookSettings,
    pub media: MediaConfig,
    /// Jobs this instance runs at once.
    pub job_concurrency: usize,
    pub admin_email: String,
    pub admin_password: Option<SecretString>,
    pub demo: bool,
}

impl Config {
    pub fn new(global: &GlobalArgs, serve: &ServeArgs) -> Config {
        Config {
            data_dir: global.data_dir.clone(),
            database_url: global.database_url.clone(),
            db_pool_size: global.db_pool_size.max(1),
            db_checkout_timeout: Duration::from_secs(global.db_timeout.max(1)),
            jwt_secret: serve.jwt_secret.clone(),
            access_token_ttl: Duration::from_secs(serve.access_token_ttl),
            body_limit: serve.body_limit,
            protection: Protection {
                jwt_previous_secret: serve.jwt_previous_secret.clone(),
                jwt_previous_secret_ttl: Duration::from_secs(serve.jwt_previous_secret_ttl),
                refresh_token_ttl: Duration::from_secs(serve.refresh_token_ttl.max(1)),
                session_max_age: Duration::from_secs(serve.session_max_age.max(1)),
                content_key_required: serve.require_content_key,
                throttle: Limits {
                    per_account: serve.login_failures_per_account,
                    per_address: serve.login_failures_per_address,
                    window: Duration::from_secs(serve.login_failure_window.max(1)),
                },
                rate_limit_per_minute: serve.rate_limit,
                trusted_proxies: serve.trusted_proxies.clone(),
                client_ip_header: serve.client_ip_header.clone(),
                cors_origins: serve.cors_origins.clone(),
                query_limit: serve.query_limit,
                header_limit: serve.header_limit,
                client_timeout: Duration::from_secs(serve.client_timeout.max(1)),
            },
            cache: CachePolicy {
                max_age: serve.cache_max_age,
                stale_while_revalidate: serve.cache_stale_while_revalidate,
            },
            response_cache_bytes: serve.response_cache_mb.saturating_mul(1024 * 1024),
            editorial: Editorial {
                revisions_per_post: serve.revisions_per_post,
                preview_ttl: Duration::from_secs(serve.preview_ttl),
                render: crate::posts::view::public,
            },
            webhooks: WebhookSettings {
                timeout: Duration::from_secs(serve.webhook_timeout),
                retry_schedule: serve.webhook_retry_schedule.0.clone(),
                targets: TargetPolicy {
                    allow_private: serve.webhook_allow_private,
                },
                secret_overlap: Duration::from_secs(serve.webhook_secret_overlap),
                retention: Duration::from_secs(serve.webhook_retention_days * 24 * 3600),
            },
            media: MediaConfig {
                location: serve
                    .media_store
                    .clone()
                    .unwrap_or(StoreLocation::Folder(None)),
                s3: S3Access {
                    endpoint: serve.media_s3_endpoint.clone(),
                    region: serve.media_s3_region.clone(),
                    access_key_id: serve.media_s3_access_key_id.clone(),
                    secret_access_key: serve.media_s3_secret_access_key.clone(),
                    path_style: serve.media_s3_path_style,
                },
                public_url: serve.media_public_url.as_ref().map(url::Url::to_string),
                proxy: serve.media_proxy,
                allow_svg: serve.media_allow_svg,
                max_bytes: serve.media_max_mb * 1024 * 1024,
                limits: ImageLimits {
                    max_pixels: serve.media_max_megapixels * 1_000_000,
                    max_decoder_bytes: serve.media_decoder_mb * 1024 * 1024,
                    keep_metadata: serve.media_keep_metadata,
                },
                widths: serve.media_widths.clone(),
            },
            job_concurrency: serve.job_concurrency as usize,
            admin_email: serve.admin_email.clone(),
            admin_password: serve.admin_password.clone(),
            demo: serve.demo,
        }
    }

    /// The database URL in effect: the configured one, or the SQLite file in the data folder.
    pub fn database_url(&self) -> String {
        match &self.database_url {
            Some(url) => url
                .strip_prefix("sqlite://")
                .or_else(|| url.strip_prefix("sqlite:"))
                .unwrap_or(url)
                .to_owned(),
            None => self
                .data_dir
                .join("folio.db")
                .to_string_lossy()
                .into_owned(),
        }
    }
}

/// Waits, in order (`--webhook-retry-schedule`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedule(pub Vec<Duration>);

pub fn parse_schedule(text: &str) -> Result<Schedule, String> {
    let waits = text
        .split(',')
        .map(str::trim)
        .filter(|part| !part.is_empty())
        .map(|part| {
            let split = part
                .find(|c: char| !c.is_ascii_digit())
                .ok_or_else(|| format!("`{part}` has no unit (ms, s, m or h)"))?;
            let (number, unit) = part.split_at(split);
            let number: u64 = number
                .parse()
                .map_err(|_| format!("`{part}` does not start with a number"))?;
            let millis = match unit {
                "ms" => 1,
                "s" => 1000,
                "m" => 60_000,
                "h" => 3_600_000,
                other => return Err(format!("`{other}` is not a unit (ms, s, m or h)")),
            };
            let wait = Duration::from_millis(number.saturating_mul(millis));
            if wait > Duration::from_secs(7 * 24 * 3600) {
                return Err(format!("`{part}` is longer than a week"));
            }
            Ok(wait)
        })
        .collect::<Result<Vec<_>, String>>()?;
    if waits.len() > 20 {
        return Err("at most 20 retries".into());
    }
    Ok(Schedule(waits))
}
