//! Opening an instance: data folder, database and migrations, signing key, owner account,
//! demo content. Runs before the server takes requests (blocking is fine here).

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use actix_web::http::header::HeaderName;
use actix_web::web;
use secrecy::{ExposeSecret, SecretString};

use crate::app::{ApiDocument, AppState};
use crate::auth::token::{KeyError, PreviousSecret};
use crate::auth::{AuthSettings, Email, Role, TokenKeys, accounts, password};
use crate::authors::model::Login;
use crate::authors::service as authors;
use crate::config::Config;
use crate::db::{Backend, Db, DbError};
use crate::error::ApiError;
use crate::http::client::ClientAddress;
use crate::http::cursor::CursorKey;
use crate::http::guard::Guard;
use crate::http::response_cache::ResponseCache;
use crate::ids::AuthorId;
use crate::media::settings::MediaSettings;
use crate::{openapi, routes};

#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error("cannot use the data folder {path}: {source}")]
    DataDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Db(#[from] DbError),
    #[error(transparent)]
    Key(#[from] KeyError),
    #[error("{0}")]
    Invalid(String),
    #[error("cannot set up the database: {0}")]
    Content(#[from] ApiError),
}

/// What opening found or did that the operator must hear about once.
#[derive(Debug, Default)]
pub struct Notices {
    /// The owner account was created with this generated password.
    pub generated_owner: Option<(String, SecretString)>,
    pub demo_loaded: bool,
}

fn data_dir_error(path: &Path) -> impl FnOnce(std::io::Error) -> SetupError + '_ {
    move |source| SetupError::DataDir {
        path: path.to_owned(),
        source,
    }
}

/// Posts keyed in the search index per transaction when a migration left them without a key:
/// a few seconds of writing each, so a stopped start goes on from the last batch.
const INDEX_BATCH: i64 = 1000;

/// Opens the database named by `config` and brings its schema and search index up to date.
pub fn open_database(config: &Config) -> Result<Db, SetupError> {
    let url = config.database_url();
    if Backend::of_url(&url) == Backend::Sqlite
        && let Some(parent) = Path::new(&url)
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
    {
        fs::create_dir_all(parent).map_err(data_dir_error(parent))?;
    }
    let db = Db::connect(&url, config.db_pool_size, config.db_checkout_timeout)?;
    db.migrate()?;
    // What the migrations could not do in SQL: keying posts in the search index.
    crate::posts::storage::index_unkeyed(&mut *db.conn()?, INDEX_BATCH)?;
    Ok(db)
}

/// The configured signing secret, or the one kept in the data folder (made on first use).
fn jwt_secret(config: &Config) -> Result<SecretString, SetupError> {
    if let Some(secret) = &config.jwt_secret {
        return Ok(secret.clone());
    }
    let path = config.data_dir.join("jwt-secret");
    match fs::read_to_string(&path) {
        Ok(secret) => return Ok(SecretString::from(secret.trim().to_owned())),
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(data_dir_error(&path)(e)),
        Err(_) => {}
    }
    fs::create_dir_all(&config.data_dir).map_err(data_dir_error(&config.data_dir))?;
    let mut bytes = [0u8; 48];
    getrandom::fill(&mut bytes).map_err(|e| SetupError::Invalid(e.to_string()))?;
    let secret = {
        use base64::Engine;
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    };
    let mut file = {
        let mut options = fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        options.open(&path).map_err(data_dir_error(&path))?
    };
    file.write_all(secret.as_bytes())
        .map_err(data_dir_error(&path))?;
    tracing::info!(path = %path.display(), "generated a token signing key");
    Ok(SecretString::from(secret))
}

/// Creates a staff account from the command line or at first start.
pub fn create_account(
    db: &Db,
    email: &str,
    name: &str,
    role: Role,
    password: &SecretString,
) -> Result<AuthorId, SetupError> {
    let email = Email::parse(email).map_err(|m| SetupError::Invalid(format!("email {m}")))?;
    password::check_strength(password.expose_secret())
        .map_err(|m| SetupError::Invalid(format!("password {m}")))?;
    let login = Login {
        email,
        password_hash: password::hash(password),
        role,
    };
    let mut conn = db.conn()?;
    Ok(authors::create_account(&mut conn, name, login)?.id)
}

/// Opens everything a server needs, creating the owner (and the demo) on an empty database.
pub fn open(config: &Config) -> Result<(AppState, Notices), SetupError> {
    let db = open_database(config)?;
    password::prepare();
    let secret = jwt_secret(config)?;
    let protection = &config.protection;
    let previous = protection
        .jwt_previous_secret
        .as_ref()
        .map(|secret| PreviousSecret {
            secret: secret.clone(),
            until: chrono::Utc::now()
                + chrono::Duration::from_std(protection.jwt_previous_secret_ttl)
                    .unwrap_or(chrono::Duration::hours(1)),
        });
    let tokens = TokenKeys::new(&secret, previous.as_ref(), config.access_token_ttl)?;
    let header = HeaderName::try_from(protection.client_ip_header.as_str()).map_err(|_| {
        SetupError::Invalid(format!(
            "`{}` is not a header name",
            protection.client_ip_header
        ))
    })?;
    let cursors = CursorKey::derive(secret.expose_secret().as_bytes());
    let document = openapi::document();
    let mut notices = Notices::default();

    let owner_exists = accounts::owner_exists(&mut *db.conn()?)?;
    if !owner_exists {
        let (password, generated) = match &config.admin_password {
            Some(p) => (p.clone(), false),
            None => (password::generate(), true),
        };
        create_account(&db, &config.admin_email, "Owner", Role::Owner, &password)?;
        tracing::info!(email = %config.admin_email, "created the owner account");
        if generated {
            notices.generated_owner = Some((config.admin_email.clone(), password));
        }
    }
    let media =
        MediaSettings::open(&config.media, &config.data_dir).map_err(SetupError::Invalid)?;
    if config.demo {
        notices.demo_loaded = crate::demo::load(&db, config.editorial)?;
    }
    Ok((
        AppState {
            db: web::Data::new(db),
            auth: web::Data::new(AuthSettings {
                tokens,
                refresh_ttl: protection.refresh_token_ttl,
                session_max_age: protection.session_max_age,
                throttle: protection.throttle,
                content_key_required: protection.content_key_required,
            }),
            client: web::Data::new(ClientAddress::new(
                protection.trusted_proxies.clone(),
                header,
            )),
            guard: web::Data::new(Guard::new(
                protection.rate_limit_per_minute,
                protection.query_limit,
                protection.header_limit,
            )),
            cors_origins: protection.cors_origins.clone(),
            body_timeout: protection.client_timeout,
            cursors: web::Data::new(cursors),
            body_limit: config.body_limit,
            cache: config.cache,
            editorial: web::Data::new(config.editorial),
            webhooks: web::Data::new(config.webhooks.clone()),
            media: web::Data::new(media),
            job_concurrency: config.job_concurrency,
            responses: web::Data::new(ResponseCache::new(
                config.response_cache_bytes,
                crate::db::live::stamp,
            )),
            routes: web::Data::new(routes::table(&document)),
            document: web::Data::new(ApiDocument::of(&document)),
        },
        notices,
    ))
}
