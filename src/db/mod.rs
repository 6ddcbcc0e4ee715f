//! The database: one connection type over SQLite and PostgreSQL, its pool, migrations, and
//! the bridge that keeps every diesel call off the async workers.

pub mod fragment;
pub mod keyset;
pub mod live;
pub mod page;
pub mod schema;
pub mod text;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use diesel::connection::SimpleConnection;
use diesel::connection::{AnsiTransactionManager, TransactionManager};
use diesel::prelude::*;
use diesel::r2d2::{CustomizeConnection, Pool, PooledConnection};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use crate::error::ApiError;

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// The migrations of `backend`, as the binary embeds them.
pub fn migrations(backend: Backend) -> EmbeddedMigrations {
    match backend {
        Backend::Sqlite => SQLITE_MIGRATIONS,
        Backend::Postgres => POSTGRES_MIGRATIONS,
    }
}

/// One connection, to whichever backend the URL names. Queries are written once against it;
/// only the few statements that really differ match on the variant.
#[derive(diesel::MultiConnection)]
pub enum DbConn {
    Postgres(diesel::PgConnection),
    Sqlite(diesel::SqliteConnection),
}

impl DbConn {
    pub fn backend(&self) -> Backend {
        match self {
            DbConn::Postgres(_) => Backend::Postgres,
            DbConn::Sqlite(_) => Backend::Sqlite,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn of_url(url: &str) -> Backend {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            Backend::Sqlite
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("cannot open the database: {0}")]
    Connect(#[from] diesel::r2d2::PoolError),
    #[error("cannot migrate the database: {0}")]
    Migrate(String),
    #[error(transparent)]
    Query(#[from] diesel::result::Error),
}

pub type ConnPool = Pool<Manager>;

/// Whether the database answers, as the pool last found, and what requests met meanwhile.
#[derive(Debug, Default)]
struct Reachability {
    /// The last attempt to open a connection failed. The pool keeps trying in the background
    /// (with backoff) until one succeeds, which clears this.
    connect_failing: AtomicBool,
    /// Requests that waited for a connection and got none in time.
    waited_in_vain: AtomicU64,
    /// Requests answered at once, without waiting, while the database was down.
    refused_at_once: AtomicU64,
}

/// What the pool has met: how requests fared while the database did not answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolStats {
    /// Requests that waited the whole checkout timeout for a connection, in vain.
    pub waited_in_vain: u64,
    /// Requests refused without waiting, because the database was known to be down.
    pub refused_at_once: u64,
}

/// Opens connections of the backend the URL names. (diesel's generic manager tries each
/// backend in turn and reports a PostgreSQL failure as "invalid connection url".)
#[derive(Debug)]
pub struct Manager {
    url: String,
    backend: Backend,
    reachable: Arc<Reachability>,
}

impl diesel::r2d2::ManageConnection for Manager {
    type Connection = DbConn;
    type Error = diesel::r2d2::Error;

    fn connect(&self) -> Result<DbConn, Self::Error> {
        let conn = match self.backend {
            Backend::Postgres => diesel::PgConnection::establish(&self.url).map(DbConn::Postgres),
            Backend::Sqlite => diesel::SqliteConnection::establish(&self.url).map(DbConn::Sqlite),
        };
        // Logged when it changes, not for every request that meets it.
        let failing = conn.is_err();
        if self
            .reachable
            .connect_failing
            .swap(failing, Ordering::Relaxed)
            != failing
        {
            match &conn {
                Err(cause) => tracing::error!(%cause, "the database stopped answering"),
                Ok(_) => tracing::info!("the database answers again"),
            }
        }
        conn.map_err(diesel::r2d2::Error::ConnectionError)
    }

    fn is_valid(&self, conn: &mut DbConn) -> Result<(), Self::Error> {
        use diesel::r2d2::R2D2Connection;
        conn.ping().map_err(diesel::r2d2::Error::QueryError)
    }

    fn has_broken(&self, conn: &mut DbConn) -> bool {
        use diesel::r2d2::R2D2Connection;
        std::thread::panicking() || conn.is_broken()
    }
}

/// The shared handle to the database that handlers use.
#[derive(Clone)]
pub struct Db {
    pool: ConnPool,
    url: String,
    backend: Backend,
    statements: StatementCounter,
    /// The longest a request waits for a connection, counted from when it asks (time spent
    /// queueing for a blocking thread included).
    checkout_timeout: Duration,
    reachable: Arc<Reachability>,
    writers: Arc<Writers>,
}

/// The writers of one SQLite database in this process, let in one at a time in the order
/// they came. SQLite's own wait for the file lock polls with growing sleeps, so a writer that
/// came first could sleep through every chance while later ones took the lock: medians of
/// 25 ms with tails of seconds. Queued here, a writer waits for those ahead of it and no
/// longer; the file lock (and its busy timeout) still orders this process against others.
#[derive(Debug, Default)]
struct Writers(parking_lot::FairMutex<()>);

thread_local! {
    /// The writers' queue of the database whose connection this thread holds, and until when
    /// the request may wait in it: set by [`Db::run`] for the work it runs.
    static QUEUE: std::cell::RefCell<Option<(Arc<Writers>, Instant)>> =
        const { std::cell::RefCell::new(None) };
}

/// Sets the thread's [`QUEUE`] while it lives.
struct InQueue;

impl InQueue {
    fn enter(writers: Arc<Writers>, deadline: Instant) -> InQueue {
        QUEUE.set(Some((writers, deadline)));
        InQueue
    }
}

impl Drop for InQueue {
    fn drop(&mut self) {
        QUEUE.set(None);
    }
}

/// What a writer that waited its whole time in the queue is told: what SQLite says when its
/// busy timeout runs out, which answers `503` (see `error`).
fn still_locked() -> diesel::result::Error {
    diesel::result::Error::DatabaseError(
        diesel::result::DatabaseErrorKind::Unknown,
        Box::new("database is locked".to_owned()),
    )
}

/// Counts the SQL statements a pool's connections run, so that tests can hold the number
/// behind a request constant.
#[derive(Debug, Clone, Default)]
pub struct StatementCounter(Arc<AtomicU64>);

impl diesel::connection::Instrumentation for StatementCounter {
    fn on_connection_event(&mut self, event: diesel::connection::InstrumentationEvent<'_>) {
        if let diesel::connection::InstrumentationEvent::StartQuery { .. } = event {
            self.0.fetch_add(1, Ordering::Relaxed);
        }
    }
}

/// Prepares each new connection: SQLite settings and the functions bodies are read with
/// (`text`), and the statement counter.
#[derive(Debug)]
struct Prepare {
    statements: StatementCounter,
    /// How long SQLite waits for another writer's lock, in milliseconds.
    busy_timeout_ms: u128,
}

/// How much of a SQLite database file each connection maps into memory: all of any database
/// Folio makes (the bundled SQLite is built to allow it: see `.cargo/config.toml`). Mapped
/// pages are the operating system's cache of the file, shared, and count only once however
/// many connections read them.
const MMAP_SIZE: u64 = 1 << 38;

impl CustomizeConnection<DbConn, diesel::r2d2::Error> for Prepare {
    fn on_acquire(&self, conn: &mut DbConn) -> Result<(), diesel::r2d2::Error> {
        if let DbConn::Sqlite(conn) = conn {
            text::register(conn).map_err(diesel::r2d2::Error::QueryError)?;
            // WAL lets readers run beside the one writer; the busy timeout makes writers queue
            // instead of failing, for as long as a request may wait for a connection (one
            // bounded wait, whichever it is); foreign keys are off by default in SQLite. Each
            // connection keeps a page cache of its own (2 MB by default, 32 MB for a pool of
            // 16, most of the server's memory): 256 KB holds the hot index pages, and the rest
            // is read from the operating system's cache of the file, which all connections
            // share, through a memory map of the whole file ([`MMAP_SIZE`]) rather than a copy
            // of each page read (a search reads hundreds: it took half the time again without
            // the map). Once a checkpoint has emptied the write-ahead log, it is cut back to
            // 64 MB, so a burst of writes does not leave it large for good. `search_scores`
            // holds the matches a search's page considers, ranked, by their key in the index
            // (`posts::storage`); being temporary, it is the connection's own, and writing it
            // takes no lock on the file.
            conn.batch_execute(&format!(
                "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
                 PRAGMA foreign_keys = ON; PRAGMA busy_timeout = {}; PRAGMA cache_size = -256; \
                 PRAGMA temp_store = MEMORY; PRAGMA journal_size_limit = 67108864; \
                 PRAGMA mmap_size = {MMAP_SIZE}; \
                 CREATE TEMP TABLE IF NOT EXISTS search_scores \
                 (rowid INTEGER PRIMARY KEY, score REAL NOT NULL);",
                self.busy_timeout_ms
            ))
            .map_err(diesel::r2d2::Error::QueryError)?;
        }
        conn.set_instrumentation(self.statements.clone());
        Ok(())
    }
}

/// The answer to a request that could not get the database in time.
fn unavailable(cause: impl std::fmt::Display) -> ApiError {
    ApiError::unavailable(cause.to_string())
}

impl Db {
    /// Opens a pool on `url` (a `postgres://` URL, or a SQLite file path); requests wait at
    /// most `checkout_timeout` for a connection.
    pub fn connect(
        url: &str,
        max_connections: u32,
        checkout_timeout: Duration,
    ) -> Result<Db, DbError> {
        let backend = Backend::of_url(url);
        let reachable = Arc::new(Reachability::default());
        let manager = Manager {
            url: url.to_owned(),
            backend,
            reachable: reachable.clone(),
        };
        let statements = StatementCounter::default();
        let pool = Pool::builder()
            .max_size(max_connections)
            .min_idle(Some(1))
            .connection_timeout(checkout_timeout)
            .connection_customizer(Box::new(Prepare {
                statements: statements.clone(),
                busy_timeout_ms: checkout_timeout.as_millis(),
            }))
            .build(manager)?;
        Ok(Db {
            pool,
            url: url.to_owned(),
            backend,
            statements,
            checkout_timeout,
            reachable,
            writers: Arc::default(),
        })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The URL (or SQLite path) the pool connects to.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The most connections the pool holds open.
    pub fn max_connections(&self) -> u32 {
        self.pool.max_size()
    }

    /// How many SQL statements this pool's connections have run so far.
    pub fn statements_run(&self) -> u64 {
        self.statements.0.load(Ordering::Relaxed)
    }

    pub fn stats(&self) -> PoolStats {
        PoolStats {
            waited_in_vain: self.reachable.waited_in_vain.load(Ordering::Relaxed),
            refused_at_once: self.reachable.refused_at_once.load(Ordering::Relaxed),
        }
    }

    /// The database is down: opening a connection fails, and none is left in the pool. A
    /// request then cannot be served however long it waits, so it is answered at once; the
    /// pool goes on trying to connect in the background, and the first success ends this.
    fn is_down(&self) -> bool {
        self.reachable.connect_failing.load(Ordering::Relaxed)
            && self.pool.state().idle_connections == 0
    }

    pub fn migrate(&self) -> Result<(), DbError> {
        let mut conn = self.pool.get()?;
        let applied = match &mut *conn {
            DbConn::Sqlite(c) => c.run_pending_migrations(SQLITE_MIGRATIONS).map(|v| v.len()),
            DbConn::Postgres(c) => c
                .run_pending_migrations(POSTGRES_MIGRATIONS)
                .map(|v| v.len()),
        }
        .map_err(|e| DbError::Migrate(e.to_string()))?;
        if applied > 0 {
            tracing::info!(applied, "database migrated");
        }
        Ok(())
    }

    /// A connection for blocking code outside the HTTP path (start-up, CLI commands).
    pub fn conn(&self) -> Result<PooledConnection<Manager>, DbError> {
        Ok(self.pool.get()?)
    }

    /// Runs `f` with a pooled connection on the blocking thread pool, never on an async worker.
    ///
    /// A request waits for the database once, and for at most the checkout timeout counted
    /// from this call: time spent queueing for a blocking thread is part of it, so a backlog
    /// built up while the database was away cannot make each request wait again in turn.
    /// While the database is known to be down, requests are answered `503` without waiting.
    pub async fn run<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut DbConn) -> Result<T, ApiError> + Send + 'static,
        T: Send + 'static,
    {
        if self.is_down() {
            self.reachable
                .refused_at_once
                .fetch_add(1, Ordering::Relaxed);
            return Err(unavailable("the database is down"));
        }
        let deadline = Instant::now() + self.checkout_timeout;
        let (pool, reachable) = (self.pool.clone(), self.reachable.clone());
        let writers = (self.backend == Backend::Sqlite).then(|| self.writers.clone());
        actix_web::web::block(move || {
            let _queue = writers.map(|w| InQueue::enter(w, deadline));
            let wait = deadline.saturating_duration_since(Instant::now());
            let conn = if wait.is_zero() {
                pool.try_get()
            } else {
                pool.get_timeout(wait).ok()
            };
            let Some(mut conn) = conn else {
                reachable.waited_in_vain.fetch_add(1, Ordering::Relaxed);
                return Err(unavailable(
                    "no database connection within the checkout timeout",
                ));
            };
            f(&mut conn)
        })
        .await
        .map_err(ApiError::internal)?
    }

    /// Like [`Db::run`], inside one write transaction: either all of `f` lands or nothing.
    pub async fn write<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut DbConn) -> Result<T, ApiError> + Send + 'static,
        T: Send + 'static,
    {
        self.run(move |conn| write_transaction(conn, f)).await
    }

    pub async fn ping(&self) -> Result<(), ApiError> {
        self.run(|conn| {
            diesel::sql_query("SELECT 1").execute(conn)?;
            Ok(())
        })
        .await
    }
}

thread_local! {
    /// Work was queued by the transaction running on this thread: say so once it commits.
    static WORK_QUEUED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Wakes this process's workers when a transaction that queued work has committed.
static WORK_COMMITTED: std::sync::LazyLock<tokio::sync::Notify> =
    std::sync::LazyLock::new(tokio::sync::Notify::new);

/// Notes that the transaction under way queued work: when it commits, this process's
/// workers are woken (before, they would look and find nothing; after a rollback there is
/// nothing to find). Outside a transaction, they are woken at once.
pub fn work_queued(conn: &mut DbConn) {
    if conn_in_transaction(conn) {
        WORK_QUEUED.set(true);
    } else {
        WORK_COMMITTED.notify_waiters();
    }
}

/// Wakes this process's workers now.
pub fn wake_workers() {
    WORK_COMMITTED.notify_waiters();
}

/// Resolves at the next wake after it was made (register it before looking for work).
pub fn work_committed() -> tokio::sync::futures::Notified<'static> {
    WORK_COMMITTED.notified()
}

fn conn_in_transaction(conn: &mut DbConn) -> bool {
    use diesel::connection::TransactionManagerStatus;
    let status = match conn {
        DbConn::Sqlite(c) => AnsiTransactionManager::transaction_manager_status_mut(c),
        DbConn::Postgres(c) => AnsiTransactionManager::transaction_manager_status_mut(c),
    };
    matches!(status, TransactionManagerStatus::Valid(v) if v.transaction_depth().is_some())
}

/// Runs `f` in a transaction that takes the write lock up front on SQLite (`BEGIN IMMEDIATE`):
/// a deferred transaction that reads and then writes fails at once with `SQLITE_BUSY` when
/// another writer got in between, where an immediate one simply waits its turn.
pub fn write_transaction<T, E, F>(conn: &mut DbConn, f: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConn) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    // Inside a transaction already (a service called from another one's transaction), `f`
    // runs in a savepoint of it: the outer one holds the writers' turn and the write lock,
    // and only its own commit makes the work visible, so only it may wake the workers.
    let outermost = !conn_in_transaction(conn);
    // Held until the transaction ends, when this thread's database has a writers' queue.
    let queue = QUEUE.with_borrow(Clone::clone);
    let _turn = match (&*conn, &queue) {
        (DbConn::Sqlite(_), Some((writers, deadline))) if outermost => Some(
            writers
                .0
                .try_lock_until(*deadline)
                .ok_or_else(still_locked)?,
        ),
        _ => None,
    };
    match conn {
        DbConn::Sqlite(c) if outermost => {
            AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE")?
        }
        _ => <DbConn as Connection>::TransactionManager::begin_transaction(conn)?,
    }
    match f(conn) {
        Ok(value) => {
            let committed = <DbConn as Connection>::TransactionManager::commit_transaction(conn);
            if outermost && WORK_QUEUED.replace(false) && committed.is_ok() {
                WORK_COMMITTED.notify_waiters();
            }
            committed?;
            Ok(value)
        }
        Err(err) => {
            if outermost {
                WORK_QUEUED.set(false);
            }
            // What went wrong is the error to answer with. A rollback that fails too (the
            // connection died) leaves the connection marked broken, so the pool drops it.
            if let Err(rollback) =
                <DbConn as Connection>::TransactionManager::rollback_transaction(conn)
            {
                tracing::warn!(%rollback, "a failed transaction could not be rolled back");
            }
            Err(err)
        }
    }
}

/// A unique constraint as the migrations declare it: a table and its columns, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unique {
    pub table: &'static str,
    pub columns: &'static [&'static str],
}

/// Whether `err` is the database refusing a second row with the same values in `unique`.
pub fn violates_unique(err: &diesel::result::Error, unique: Unique) -> bool {
    use diesel::result::{DatabaseErrorKind, Error};
    match err {
        Error::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => {
            // PostgreSQL names the constraint `<table>_<columns>_key`, as the migrations
            // declare or PostgreSQL derives it; SQLite lists the columns in its message.
            let name = format!("{}_{}_key", unique.table, unique.columns.join("_"));
            let columns: Vec<String> = unique
                .columns
                .iter()
                .map(|column| format!("{}.{column}", unique.table))
                .collect();
            info.constraint_name() == Some(name.as_str())
                || info.message() == format!("UNIQUE constraint failed: {}", columns.join(", "))
        }
        _ => false,
    }
}

/// Tables whose rows a write transaction may lock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Locked {
    Posts,
    Authors,
    Tags,
    Webhooks,
    Media,
}

impl Locked {
    fn table(self) -> &'static str {
        match self {
            Locked::Posts => "posts",
            Locked::Authors => "authors",
            Locked::Tags => "tags",
            Locked::Webhooks => "webhooks",
            Locked::Media => "media",
        }
    }
}

/// Locks row `id` of `table` until the transaction ends, so that what a write read of it
/// stays true until it commits: two writes of one row are applied one after the other, the
/// second seeing the first, instead of the second failing a version check it never saw
/// coming (`If-Match: *` must not answer `412`). SQLite needs nothing: a write transaction
/// holds the whole database (see [`write_transaction`]).
pub fn lock_row(conn: &mut DbConn, table: Locked, id: &str) -> diesel::QueryResult<()> {
    if let DbConn::Postgres(pg) = conn {
        diesel::sql_query(format!(
            "SELECT 1 FROM {} WHERE id = $1 FOR UPDATE",
            table.table()
        ))
        .bind::<diesel::sql_types::Text, _>(id)
        .execute(pg)?;
    }
    Ok(())
}

/// `text` as a `LIKE … ESCAPE '\\'` pattern matches it: literally, wildcards and all.
pub fn like_literal(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}

/// The current time as stored: UTC, at the microsecond precision both backends keep, so a
/// value read back compares equal to the one written.
pub fn now() -> chrono::NaiveDateTime {
    stored(chrono::Utc::now())
}

/// A UTC time at the precision both backends store.
pub fn stored(t: chrono::DateTime<chrono::Utc>) -> chrono::NaiveDateTime {
    let t = t.naive_utc();
    chrono::DurationRound::duration_trunc(t, chrono::TimeDelta::microseconds(1)).unwrap_or(t)
}

/// Makes an enum a column type over `TEXT`: written as its `as_str()`, read back through its
/// `FromStr`, so that a value the enum does not know is an error, never a silent default.
/// The enum derives `AsExpression` and `FromSqlRow` with `#[diesel(sql_type = Text)]`.
#[macro_export]
macro_rules! text_column {
    ($ty:ty) => {
        impl<DB: diesel::backend::Backend> diesel::serialize::ToSql<diesel::sql_types::Text, DB>
            for $ty
        where
            str: diesel::serialize::ToSql<diesel::sql_types::Text, DB>,
        {
            fn to_sql<'b>(
                &'b self,
                out: &mut diesel::serialize::Output<'b, '_, DB>,
            ) -> diesel::serialize::Result {
                self.as_str().to_sql(out)
            }
        }

        impl<DB: diesel::backend::Backend> diesel::deserialize::FromSql<diesel::sql_types::Text, DB>
            for $ty
        where
            String: diesel::deserialize::FromSql<diesel::sql_types::Text, DB>,
        {
            fn from_sql(bytes: DB::RawValue<'_>) -> diesel::deserialize::Result<$ty> {
                let text = String::from_sql(bytes)?;
                text.parse().map_err(Into::into)
            }
        }
    };
}

/// Makes a fieldless enum a text column with these names: `as_str`, `Display`, `FromStr`
/// (refusing, by `what` it is, any other text) and the column type ([`text_column!`]). The
/// enum derives `AsExpression` and `FromSqlRow` with `#[diesel(sql_type = Text)]`.
#[macro_export]
macro_rules! text_enum {
    ($name:ident, $what:literal, { $($variant:ident => $text:literal),* $(,)? }) => {
        impl $name {
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)*
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = String;

            fn from_str(s: &str) -> Result<$name, String> {
                match s {
                    $($text => Ok($name::$variant),)*
                    other => Err(format!(concat!("unknown ", $what, " `{}`"), other)),
                }
            }
        }

        $crate::text_column!($name);
    };
}

/// Serialises stored (UTC) times in RFC 3339 with a `Z`.
pub fn utc(t: chrono::NaiveDateTime) -> chrono::DateTime<chrono::Utc> {
    t.and_utc()
}

diesel::define_sql_function! {
    /// SQL `lower()`, on both backends (diesel's own `lower` is PostgreSQL's range function).
    fn lower(text: diesel::sql_types::Text) -> diesel::sql_types::Text;
}
