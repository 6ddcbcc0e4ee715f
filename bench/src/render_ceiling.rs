//! The render ceiling: the cheapest correct answer to the list request that is rendered from
//! the database rather than replayed — one prepared statement on a pooled connection, run on
//! a blocking thread, its rows serialised with serde into the same JSON Folio answers — on the
//! same HTTP stack and worker count as Folio. Folio's requests per second are reported as a
//! share of this server's too, measured in the same run: the gap to it is what Folio spends
//! beyond the work any implementation has to do.

use std::time::Duration;

use actix_web::{App, HttpResponse, HttpServer, web};
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::backend::Backend;
use diesel::connection::SimpleConnection;
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::r2d2::{ConnectionManager, CustomizeConnection, Pool};
use diesel::serialize::ToSql;
use diesel::sql_types::{BigInt, Bool, HasSqlType, Integer, Nullable, Text, Timestamp, Untyped};
use diesel::sqlite::Sqlite;
use folio::db::page::{KeyValue, Toward};
use folio::http::cursor::{CursorKey, Cursors};
use serde::{Deserialize, Serialize};

/// The page the benchmark asks for (`?limit=15`), written into the statement (which reads
/// one post more, to learn whether the list goes on) rather than bound: this server answers
/// that one page.
const LIMIT: i64 = 15;
const PATH: &str = "/api/v1/posts";

#[derive(Debug, clap::Args)]
pub struct RenderCeilingArgs {
    #[arg(long, default_value = "127.0.0.1:8092")]
    bind: String,
    /// The database Folio serves: a `postgres://` URL or a SQLite file path.
    #[arg(long)]
    database_url: String,
    /// HTTP worker threads (as the Folio server under test has).
    #[arg(long)]
    workers: Option<usize>,
    /// Connections in the pool: Folio's default `FOLIO_DB_POOL_SIZE`.
    #[arg(long, default_value_t = 16)]
    pool_size: u32,
    /// How long a request waits for a connection, and SQLite for a lock: Folio's default
    /// `FOLIO_DB_TIMEOUT`, in seconds.
    #[arg(long, default_value_t = 5)]
    db_timeout: u64,
    /// The site's address as Folio's settings hold it. Without it every `url` is `null`, as
    /// Folio's are until the settings name an address. Posts are addressed by the default
    /// permalinks, `/{slug}/`.
    #[arg(long)]
    site_url: Option<String>,
    /// The secret Folio was started with (`FOLIO_JWT_SECRET`): its cursors are signed with a
    /// key derived from it, and `next_cursor` must be the same string.
    #[arg(long)]
    jwt_secret: String,
    /// Read the list as it stood at this time (RFC 3339), not at each request's: the posts
    /// a benchmark's writes add later are newer, and it keeps serving the ones Folio's list
    /// was measured on.
    #[arg(long)]
    as_of: Option<DateTime<Utc>>,
}

/// The pragmas and functions Folio sets on each SQLite connection (`db::Prepare`), so that
/// both read the file the same way: the bodies it stores packed are unpacked by the same
/// function.
#[derive(Debug)]
struct SqlitePragmas {
    busy_timeout_ms: u128,
}

impl CustomizeConnection<SqliteConnection, diesel::r2d2::Error> for SqlitePragmas {
    fn on_acquire(&self, conn: &mut SqliteConnection) -> Result<(), diesel::r2d2::Error> {
        folio::db::text::register(conn).map_err(diesel::r2d2::Error::QueryError)?;
        conn.batch_execute(&format!(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
             PRAGMA foreign_keys = ON; PRAGMA busy_timeout = {}; PRAGMA cache_size = -256; \
             PRAGMA temp_store = MEMORY;",
            self.busy_timeout_ms
        ))
        .map_err(diesel::r2d2::Error::QueryError)
    }
}

#[derive(Clone)]
enum DbPool {
    Sqlite(Pool<ConnectionManager<SqliteConnection>>),
    Postgres(Pool<ConnectionManager<PgConnection>>),
}

impl DbPool {
    fn open(args: &RenderCeilingArgs) -> Result<DbPool, String> {
        let timeout = Duration::from_secs(args.db_timeout.max(1));
        let url = args.database_url.as_str();
        // r2d2 pings every connection it hands out unless told not to (Folio's pool does):
        // a broken connection shows itself on the query anyway, and the ping is one more
        // statement, on PostgreSQL one more round trip, that no answer needs.
        let pool = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Pool::builder()
                .max_size(args.pool_size.max(1))
                .min_idle(Some(1))
                .connection_timeout(timeout)
                .test_on_check_out(false)
                .build(ConnectionManager::<PgConnection>::new(url))
                .map(DbPool::Postgres)
        } else {
            Pool::builder()
                .max_size(args.pool_size.max(1))
                .min_idle(Some(1))
                .connection_timeout(timeout)
                .test_on_check_out(false)
                .connection_customizer(Box::new(SqlitePragmas {
                    busy_timeout_ms: timeout.as_millis(),
                }))
                .build(ConnectionManager::<SqliteConnection>::new(url))
                .map(DbPool::Sqlite)
        };
        pool.map_err(|e| format!("cannot open {url}: {e}"))
    }

    fn max_size(&self) -> u32 {
        match self {
            DbPool::Sqlite(pool) => pool.max_size(),
            DbPool::Postgres(pool) => pool.max_size(),
        }
    }

    fn first_page(&self, now: NaiveDateTime) -> Result<Vec<Row>, String> {
        let query = FirstPage { now };
        match self {
            DbPool::Sqlite(pool) => {
                let mut conn = pool.get().map_err(|e| e.to_string())?;
                query.load(&mut conn).map_err(|e| e.to_string())
            }
            DbPool::Postgres(pool) => {
                let mut conn = pool.get().map_err(|e| e.to_string())?;
                query.load(&mut conn).map_err(|e| e.to_string())
            }
        }
    }
}

/// The first page of live posts, newest first, each with its image and social fields and
/// its ordered authors and public tags (as JSON text), and how many posts the list holds up
/// to one past the page (whether there is a next page).
///
/// Its own query type, not `sql_query`: diesel never keeps raw SQL prepared, while a type
/// with a static id is prepared once per connection and then only bound and stepped.
#[derive(Debug, Clone, Copy, QueryId)]
struct FirstPage {
    now: NaiveDateTime,
}

impl Query for FirstPage {
    type SqlType = Untyped;
}

impl<C> RunQueryDsl<C> for FirstPage {}

/// A piece of a statement: SQL, or the bind of the time the list is read at.
enum Piece {
    Sql(&'static str),
    Now,
}

use Piece::{Now, Sql};

// Live is written as Folio's `db::live` writes it (and as the partial index of live posts is
// defined), so that both databases answer from that index; the order is Folio's default
// (`published_at`, `created_at`, then `id`, all descending), which the cursor encodes.
const POST_COLUMNS: &str = "SELECT p.id, p.uuid, p.slug, p.title, folio_text(b.html) AS html, \
     p.excerpt, p.custom_excerpt, p.reading_time, p.feature_image, p.featured, p.visibility, \
     p.published_at, p.meta_title, p.meta_description, p.canonical_url, \
     p.codeinjection_head, p.codeinjection_foot, p.custom_template, p.created_at, \
     p.updated_at, p.version, m.feature_image_alt, m.feature_image_caption, m.og_image, \
     m.og_title, m.og_description, m.twitter_image, m.twitter_title, m.twitter_description, ";

/// Whether the list goes on past the page: counting at most one post more than it holds
/// walks that many entries of the index, once per statement (it is not correlated).
const LIVE_WINDOW: &str = "(SELECT count(*) FROM (SELECT 1 FROM posts q WHERE q.kind = 'post' \
     AND q.status IN ('published', 'scheduled') AND q.published_at <= ";

const FROM_LIVE: &str = " FROM posts p JOIN post_bodies b ON b.post_id = p.id \
     LEFT JOIN posts_meta m ON m.post_id = p.id \
     WHERE p.kind = 'post' AND p.status IN ('published', 'scheduled') AND p.published_at <= ";

const ORDER: &str = " ORDER BY p.published_at DESC, p.created_at DESC, p.id DESC LIMIT 15";

const SQLITE: &[Piece] = &[
    Sql(POST_COLUMNS),
    Sql(
        "(SELECT json_group_array(json_object('id', a.id, 'slug', a.slug, 'name', a.name, \
           'avatar_url', a.avatar_url) ORDER BY pa.position) \
         FROM posts_authors pa JOIN authors a ON a.id = pa.author_id \
         WHERE pa.post_id = p.id) AS authors, \
         (SELECT json_group_array(json_object('id', t.id, 'slug', t.slug, 'name', t.name, \
           'visibility', t.visibility) ORDER BY pt.position) \
         FROM posts_tags pt JOIN tags t ON t.id = pt.tag_id \
         WHERE pt.post_id = p.id AND t.visibility <> 'internal') AS tags, ",
    ),
    Sql(LIVE_WINDOW),
    Now,
    Sql(" LIMIT 16)) AS window_rows"),
    Sql(FROM_LIVE),
    Now,
    Sql(ORDER),
];

/// The same on PostgreSQL, whose `json_agg` of no rows is `NULL`.
const POSTGRES: &[Piece] = &[
    Sql(POST_COLUMNS),
    Sql(
        "(SELECT coalesce(json_agg(json_build_object('id', a.id, 'slug', a.slug, \
           'name', a.name, 'avatar_url', a.avatar_url) ORDER BY pa.position), '[]')::text \
         FROM posts_authors pa JOIN authors a ON a.id = pa.author_id \
         WHERE pa.post_id = p.id) AS authors, \
         (SELECT coalesce(json_agg(json_build_object('id', t.id, 'slug', t.slug, \
           'name', t.name, 'visibility', t.visibility) ORDER BY pt.position), '[]')::text \
         FROM posts_tags pt JOIN tags t ON t.id = pt.tag_id \
         WHERE pt.post_id = p.id AND t.visibility <> 'internal') AS tags, ",
    ),
    Sql(LIVE_WINDOW),
    Now,
    Sql(" LIMIT 16) w) AS window_rows"),
    Sql(FROM_LIVE),
    Now,
    Sql(ORDER),
];

fn walk<'b, DB>(
    pieces: &[Piece],
    now: &'b NaiveDateTime,
    mut out: AstPass<'_, 'b, DB>,
) -> QueryResult<()>
where
    DB: Backend + HasSqlType<Timestamp>,
    NaiveDateTime: ToSql<Timestamp, DB>,
{
    for piece in pieces {
        match piece {
            Sql(sql) => out.push_sql(sql),
            Now => out.push_bind_param::<Timestamp, _>(now)?,
        }
    }
    Ok(())
}

impl QueryFragment<Sqlite> for FirstPage {
    fn walk_ast<'b>(&'b self, out: AstPass<'_, 'b, Sqlite>) -> QueryResult<()> {
        walk(SQLITE, &self.now, out)
    }
}

impl QueryFragment<Pg> for FirstPage {
    fn walk_ast<'b>(&'b self, out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        walk(POSTGRES, &self.now, out)
    }
}

#[derive(Debug, QueryableByName)]
struct Row {
    #[diesel(sql_type = Text)]
    id: String,
    #[diesel(sql_type = Text)]
    uuid: String,
    #[diesel(sql_type = Text)]
    slug: String,
    #[diesel(sql_type = Text)]
    title: String,
    #[diesel(sql_type = Text)]
    html: String,
    #[diesel(sql_type = Text)]
    excerpt: String,
    #[diesel(sql_type = Nullable<Text>)]
    custom_excerpt: Option<String>,
    #[diesel(sql_type = Integer)]
    reading_time: i32,
    #[diesel(sql_type = Nullable<Text>)]
    feature_image: Option<String>,
    #[diesel(sql_type = Bool)]
    featured: bool,
    #[diesel(sql_type = Text)]
    visibility: String,
    #[diesel(sql_type = Nullable<Timestamp>)]
    published_at: Option<NaiveDateTime>,
    #[diesel(sql_type = Nullable<Text>)]
    meta_title: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    meta_description: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    canonical_url: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    codeinjection_head: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    codeinjection_foot: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    custom_template: Option<String>,
    #[diesel(sql_type = Timestamp)]
    created_at: NaiveDateTime,
    #[diesel(sql_type = Timestamp)]
    updated_at: NaiveDateTime,
    #[diesel(sql_type = BigInt)]
    version: i64,
    #[diesel(sql_type = Nullable<Text>)]
    feature_image_alt: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    feature_image_caption: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    og_image: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    og_title: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    og_description: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    twitter_image: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    twitter_title: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    twitter_description: Option<String>,
    #[diesel(sql_type = Text)]
    authors: String,
    #[diesel(sql_type = Text)]
    tags: String,
    #[diesel(sql_type = BigInt)]
    window_rows: i64,
}

/// An author in a byline, as the database aggregates it and Folio shows it.
#[derive(Debug, Deserialize, Serialize)]
struct Author {
    id: String,
    slug: String,
    name: String,
    avatar_url: Option<String>,
    #[serde(default)]
    url: Option<String>,
}

/// A public tag on a post, likewise.
#[derive(Debug, Deserialize, Serialize)]
struct Tag {
    id: String,
    slug: String,
    name: String,
    visibility: String,
    #[serde(default)]
    url: Option<String>,
}

/// A post as Folio's list shows it to a reader (`posts::view::Post`, default formats and
/// relations), field for field and in the same order.
#[derive(Debug, Serialize)]
struct Post {
    id: String,
    uuid: String,
    slug: String,
    title: String,
    url: Option<String>,
    html: String,
    excerpt: String,
    custom_excerpt: Option<String>,
    reading_time: i32,
    feature_image: Option<String>,
    feature_image_alt: Option<String>,
    feature_image_caption: Option<String>,
    featured: bool,
    /// Every live post reads as published, a scheduled one whose time has come included.
    status: &'static str,
    visibility: String,
    published_at: Option<DateTime<Utc>>,
    authors: Vec<Author>,
    tags: Vec<Tag>,
    meta_title: Option<String>,
    meta_description: Option<String>,
    canonical_url: Option<String>,
    og_image: Option<String>,
    og_title: Option<String>,
    og_description: Option<String>,
    twitter_image: Option<String>,
    twitter_title: Option<String>,
    twitter_description: Option<String>,
    codeinjection_head: Option<String>,
    codeinjection_foot: Option<String>,
    custom_template: Option<String>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    version: i64,
}

#[derive(Debug, Serialize)]
struct Pagination {
    limit: i64,
    page: Option<i64>,
    pages: Option<i64>,
    total: Option<i64>,
    next_cursor: Option<String>,
    prev_cursor: Option<String>,
}

#[derive(Debug, Serialize)]
struct Meta {
    pagination: Pagination,
}

#[derive(Debug, Serialize)]
struct ListBody {
    data: Vec<Post>,
    meta: Meta,
}

/// What every request shares.
struct State {
    pool: DbPool,
    /// Without a trailing slash, as Folio keeps it.
    site_url: Option<String>,
    cursors: Cursors,
    as_of: Option<NaiveDateTime>,
}

impl State {
    fn at(&self, path: std::fmt::Arguments) -> Option<String> {
        self.site_url.as_ref().map(|url| format!("{url}{path}"))
    }

    fn body(&self, rows: Vec<Row>) -> Result<ListBody, String> {
        let more = rows.first().is_some_and(|r| r.window_rows > LIMIT);
        let next_cursor = rows.last().filter(|_| more).map(|last| {
            let position = vec![
                last.published_at.map_or(KeyValue::Null, KeyValue::time),
                KeyValue::time(last.created_at),
                KeyValue::Text(last.id.clone()),
            ];
            self.cursors.encode(Toward::After, position)
        });
        let mut data = Vec::with_capacity(rows.len());
        for row in rows {
            let mut authors: Vec<Author> =
                serde_json::from_str(&row.authors).map_err(|e| e.to_string())?;
            for a in &mut authors {
                a.url = self.at(format_args!("/author/{}/", a.slug));
            }
            let mut tags: Vec<Tag> = serde_json::from_str(&row.tags).map_err(|e| e.to_string())?;
            for t in &mut tags {
                t.url = self.at(format_args!("/tag/{}/", t.slug));
            }
            data.push(Post {
                url: self.at(format_args!("/{}/", row.slug)),
                id: row.id,
                uuid: row.uuid,
                slug: row.slug,
                title: row.title,
                html: row.html,
                excerpt: row.excerpt,
                custom_excerpt: row.custom_excerpt,
                reading_time: row.reading_time,
                feature_image: row.feature_image,
                feature_image_alt: row.feature_image_alt,
                feature_image_caption: row.feature_image_caption,
                featured: row.featured,
                status: "published",
                visibility: row.visibility,
                published_at: row.published_at.map(|t| t.and_utc()),
                authors,
                tags,
                meta_title: row.meta_title,
                meta_description: row.meta_description,
                canonical_url: row.canonical_url,
                og_image: row.og_image,
                og_title: row.og_title,
                og_description: row.og_description,
                twitter_image: row.twitter_image,
                twitter_title: row.twitter_title,
                twitter_description: row.twitter_description,
                codeinjection_head: row.codeinjection_head,
                codeinjection_foot: row.codeinjection_foot,
                custom_template: row.custom_template,
                created_at: row.created_at.and_utc(),
                updated_at: row.updated_at.and_utc(),
                version: row.version,
            });
        }
        Ok(ListBody {
            data,
            meta: Meta {
                pagination: Pagination {
                    limit: LIMIT,
                    page: None,
                    pages: None,
                    total: None,
                    next_cursor,
                    prev_cursor: None,
                },
            },
        })
    }
}

async fn list(state: web::Data<State>) -> HttpResponse {
    let pool = state.pool.clone();
    let now = state.as_of.unwrap_or_else(folio::db::now);
    let rows = web::block(move || pool.first_page(now)).await;
    let body = match rows {
        Ok(Ok(rows)) => state.body(rows),
        Ok(Err(e)) => Err(e),
        Err(e) => Err(e.to_string()),
    };
    match body.and_then(|b| serde_json::to_vec(&b).map_err(|e| e.to_string())) {
        Ok(bytes) => HttpResponse::Ok()
            .content_type("application/json")
            .body(bytes),
        Err(e) => HttpResponse::ServiceUnavailable().body(e),
    }
}

pub fn run(args: RenderCeilingArgs) -> Result<(), String> {
    let pool = DbPool::open(&args)?;
    let key = web::Data::new(CursorKey::derive(args.jwt_secret.as_bytes()));
    let state = web::Data::new(State {
        site_url: args
            .site_url
            .as_deref()
            .map(|url| url.trim_end_matches('/').to_owned()),
        cursors: Cursors::new(key, PATH, &format!("limit={LIMIT}")),
        as_of: args.as_of.map(folio::db::stored),
        pool,
    });
    let workers = args.workers.map_or_else(
        || std::thread::available_parallelism().map_or(1, |n| n.get()),
        |n| n.max(1),
    );
    // As Folio sizes them: one blocking thread per connection, spread over the workers.
    let blocking = (state.pool.max_size() as usize).div_ceil(workers).max(2);
    let server = HttpServer::new(move || {
        App::new()
            .app_data(state.clone())
            .route(PATH, web::get().to(list))
    })
    .workers(workers)
    .worker_max_blocking_threads(blocking)
    .bind(&args.bind)
    .map_err(|e| format!("cannot listen on {}: {e}", args.bind))?;
    eprintln!("render ceiling listening on {}", args.bind);
    actix_web::rt::System::new()
        .block_on(server.run())
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(pieces: &[Piece]) -> String {
        pieces
            .iter()
            .map(|piece| match piece {
                Sql(sql) => *sql,
                Now => "?",
            })
            .collect()
    }

    #[test]
    fn each_statement_reads_the_page_and_counts_one_post_past_it() {
        for pieces in [SQLITE, POSTGRES] {
            let sql = text(pieces);
            assert!(sql.ends_with(&format!(" LIMIT {LIMIT}")), "{sql}");
            assert!(sql.contains(&format!(" LIMIT {})", LIMIT + 1)), "{sql}");
        }
    }

    /// The statement runs on the schema Folio's migrations make (with the SQLite Folio
    /// bundles), so that a change there shows here, not as a failed benchmark.
    #[test]
    fn the_sqlite_statement_runs_on_a_migrated_database() {
        let path =
            std::env::temp_dir().join(format!("folio-render-ceiling-{}.db", std::process::id()));
        let url = path.to_string_lossy().into_owned();
        let db = folio::db::Db::connect(&url, 1, Duration::from_secs(5)).unwrap();
        db.migrate().unwrap();
        drop(db);
        let mut conn = SqliteConnection::establish(&url).unwrap();
        let rows: Vec<Row> = FirstPage {
            now: folio::db::now(),
        }
        .load(&mut conn)
        .unwrap();
        drop(conn);
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{url}{suffix}"));
        }
        assert!(rows.is_empty());
    }
}
