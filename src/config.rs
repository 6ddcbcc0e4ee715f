//! Settings: command-line flags, then `FOLIO_*` environment variables, then defaults.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};
use secrecy::SecretString;

use crate::auth::Role;
use crate::http::caching::CachePolicy;

#[derive(Debug, Parser)]
#[command(
    name = "folio",
    version,
    about = "Folio: a headless CMS serving posts, authors and tags over a JSON API."
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
    Serve(ServeArgs),
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

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Pretty,
    Json,
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
    /// Lifetime of access tokens, in seconds.
    #[arg(long, env = "FOLIO_ACCESS_TOKEN_TTL", default_value_t = 900)]
    pub access_token_ttl: u64,
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
    /// Load a small sample blog into an empty database.
    #[arg(long, env = "FOLIO_DEMO")]
    pub demo: bool,
}

/// Everything the library needs to open a Folio instance.
#[derive(Debug, Clone)]
pub struct Config {
    pub data_dir: PathBuf,
    pub database_url: Option<String>,
    pub db_pool_size: u32,
    pub jwt_secret: Option<SecretString>,
    pub access_token_ttl: Duration,
    pub body_limit: usize,
    pub cache: CachePolicy,
    /// Bytes for the in-memory cache of anonymous reads; 0 turns it off.
    pub response_cache_bytes: usize,
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
            jwt_secret: serve.jwt_secret.clone(),
            access_token_ttl: Duration::from_secs(serve.access_token_ttl),
            body_limit: serve.body_limit,
            cache: CachePolicy {
                max_age: serve.cache_max_age,
                stale_while_revalidate: serve.cache_stale_while_revalidate,
            },
            response_cache_bytes: serve.response_cache_mb.saturating_mul(1024 * 1024),
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
