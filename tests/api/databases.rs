//! Databases for the tests: one template per backend, migrated and holding the owner account,
//! and for each test a copy of it, dropped afterwards. Copying takes a fraction of running
//! every migration and hashing the owner's password for every test. The PostgreSQL template
//! is kept on the server under a name that changes with the migrations; the SQLite one is a
//! file made once per run.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;

use diesel::{Connection, PgConnection, RunQueryDsl};
use folio::auth::Role;
use folio::db::Db;
use secrecy::SecretString;
use sha2::{Digest, Sha256};

use crate::support::{OWNER_EMAIL, OWNER_PASSWORD};

/// Migrates the database at `url` and adds the owner, as a first start would.
fn prepare(url: &str) {
    let db = Db::connect(url, 1, Duration::from_secs(30)).expect("connect to the template");
    db.migrate().expect("migrate the template");
    folio::setup::create_account(
        &db,
        OWNER_EMAIL,
        "Owner",
        Role::Owner,
        &SecretString::from(OWNER_PASSWORD),
    )
    .expect("the owner account");
    // Everything written is in the database file itself, not only its write-ahead log, so
    // that a copy of the file is whole.
    let mut conn = db.conn().expect("a connection");
    if let folio::db::DbConn::Sqlite(sqlite) = &mut *conn {
        diesel::connection::SimpleConnection::batch_execute(
            sqlite,
            "PRAGMA wal_checkpoint(TRUNCATE)",
        )
        .expect("a checkpoint");
    }
}

/// A migrated SQLite database with the owner, copied to `path` for one test.
pub fn sqlite_copy(path: &Path) {
    static TEMPLATE: OnceLock<(tempfile::TempDir, PathBuf)> = OnceLock::new();
    let (_, template) = TEMPLATE.get_or_init(|| {
        let dir = tempfile::tempdir().expect("a folder for the template");
        let file = dir.path().join("template.db");
        prepare(file.to_str().expect("a UTF-8 path"));
        // The pool is closed, so the write-ahead log is folded into the file: it is whole.
        (dir, file)
    });
    std::fs::copy(template, path).expect("copy the SQLite template");
}

pub fn admin_url() -> String {
    std::env::var("FOLIO_TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

fn admin() -> PgConnection {
    let url = admin_url();
    PgConnection::establish(&url).unwrap_or_else(|e| {
        panic!(
            "PostgreSQL is needed for the tests ({url}): {e}. Start it, or set \
             FOLIO_TEST_DATABASE_URL."
        )
    })
}

/// The URL of database `name` on the test server.
fn url_of(name: &str) -> String {
    let admin = admin_url();
    let base = admin.rsplit_once('/').map_or(admin.as_str(), |(b, _)| b);
    format!("{base}/{name}")
}

/// A digest of every PostgreSQL migration and of the owner: either changed makes a new
/// template.
fn migrations_digest() -> String {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/postgres");
    let mut files: Vec<_> = walk(std::path::Path::new(dir));
    files.sort();
    let mut digest = Sha256::new();
    digest.update(format!("{OWNER_EMAIL} {OWNER_PASSWORD}"));
    for file in files {
        // Relative: every checkout of the same migrations shares one template.
        let name = file.strip_prefix(dir).unwrap_or(&file);
        digest.update(name.to_string_lossy().as_bytes());
        digest.update(std::fs::read(&file).expect("a migration file"));
    }
    digest.finalize()[..6]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).expect("the migrations folder") {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

#[derive(diesel::QueryableByName)]
struct Name {
    #[diesel(sql_type = diesel::sql_types::Text)]
    datname: String,
}

/// Templates of other migrations left for test runs of other checkouts, newest first.
const KEPT_TEMPLATES: usize = 3;

/// The template, made once per test run (and kept between runs while the migrations are the
/// same). Test processes running at once take turns making it.
fn template() -> &'static str {
    static TEMPLATE: OnceLock<String> = OnceLock::new();
    TEMPLATE.get_or_init(|| {
        let name = format!("folio_template_{}", migrations_digest());
        let mut conn = admin();
        diesel::sql_query("SELECT pg_advisory_lock(20261201)")
            .execute(&mut conn)
            .expect("the template lock");
        let templates: Vec<Name> = diesel::sql_query(
            "SELECT datname FROM pg_database WHERE datname LIKE 'folio_template_%' \
             ORDER BY oid DESC",
        )
        .load(&mut conn)
        .expect("the list of databases");
        if !templates.iter().any(|t| t.datname == name) {
            // Made under another name and renamed when done, so a template is never seen
            // half-migrated, even by a run that was stopped meanwhile.
            let building = format!("{name}_building");
            for sql in [
                format!("DROP DATABASE IF EXISTS {building} WITH (FORCE)"),
                format!("CREATE DATABASE {building}"),
            ] {
                diesel::sql_query(sql)
                    .execute(&mut conn)
                    .expect("make the template");
            }
            let db =
                folio::db::Db::connect(&url_of(&building), 1, std::time::Duration::from_secs(30))
                    .expect("connect to the template");
            db.migrate().expect("migrate the template");
            drop(db);
            diesel::sql_query(format!("ALTER DATABASE {building} RENAME TO {name}"))
                .execute(&mut conn)
                .expect("name the template");
            // Templates of older migrations are of no more use, but the newest few may be
            // another checkout's (another branch tested at the same time): they stay.
            for old in templates
                .iter()
                .filter(|t| !t.datname.ends_with("_building"))
                .skip(KEPT_TEMPLATES)
            {
                let _ = diesel::sql_query(format!(
                    "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                    old.datname
                ))
                .execute(&mut conn);
            }
        }
        diesel::sql_query("SELECT pg_advisory_unlock(20261201)")
            .execute(&mut conn)
            .expect("release the template lock");
        name
    })
}

/// A PostgreSQL database made for one test and dropped after it, whatever the outcome.
pub struct PgDatabase {
    pub name: String,
}

impl PgDatabase {
    /// A new database, already migrated, and its URL.
    pub fn create() -> (PgDatabase, String) {
        Self::create_from(Some(template()))
    }

    /// A new database with nothing in it.
    pub fn create_empty() -> (PgDatabase, String) {
        Self::create_from(None)
    }

    fn create_from(template: Option<&str>) -> (PgDatabase, String) {
        let name = format!("folio_test_{}", uuid::Uuid::now_v7().simple());
        let from = template.map_or(String::new(), |t| format!(" TEMPLATE {t}"));
        diesel::sql_query(format!("CREATE DATABASE {name}{from}"))
            .execute(&mut admin())
            .expect("create the test database");
        let url = url_of(&name);
        (PgDatabase { name }, url)
    }
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        if let Ok(mut conn) = PgConnection::establish(&admin_url()) {
            let _ = diesel::sql_query(format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ))
            .execute(&mut conn);
        }
    }
}
