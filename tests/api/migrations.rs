//! Upgrading a database that already holds a blog: the migration to pages, settings and
//! revisions keeps every post, link, former slug and search entry, and the old content reads
//! as posts afterwards; moving the bodies to a table of their own, and packing them, keeps
//! every body and search entry of a few thousand posts.

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel_migrations::MigrationHarness;
use folio::db::{Db, DbConn};
use folio::posts::model::PostKind;
use folio::posts::policy::ReadScope;
use folio::posts::query::{PostListParams, PostListQuery};
use folio::posts::storage;

use crate::databases::PgDatabase;
use crate::on_both_backends;
use crate::support::Backend;

on_both_backends!(
    content_written_before_pages_survives_the_upgrade,
    bodies_move_out_of_the_posts_table_with_their_search_entries
);

/// The last migration before pages: a database at it is what an older Folio left.
const BEFORE_PAGES: &str = "20261201000000";

/// What an older Folio wrote: an author with a post (with a former slug) and a draft, tags
/// (one named like an internal tag), and their links.
const OLD_CONTENT: &str = "
    INSERT INTO authors (id, slug, name, created_at, updated_at, version)
    VALUES ('a1', 'mara', 'Mara', '2026-01-01 10:00:00', '2026-01-01 10:00:00', 1);
    INSERT INTO tags (id, slug, name, created_at, updated_at, version)
    VALUES ('t1', 'news', 'News', '2026-01-01 10:00:00', '2026-01-01 10:00:00', 1),
           ('t2', 'legacy', '#legacy', '2026-01-01 10:00:00', '2026-01-01 10:00:00', 1);
    INSERT INTO posts (id, slug, title, markdown, html, plaintext, excerpt, reading_time,
                       featured, status, published_at, created_at, updated_at, version)
    VALUES ('p1', 'winter-garden', 'Winter garden', 'Frost on the kale.',
            '<p>Frost on the kale.</p>', 'Frost on the kale.', 'Frost on the kale.', 1,
            FALSE, 'published', '2026-01-02 10:00:00', '2026-01-01 10:00:00',
            '2026-01-02 10:00:00', 3),
           ('p2', 'unfinished', 'Unfinished', 'Later.', '<p>Later.</p>', 'Later.', 'Later.',
            1, FALSE, 'draft', NULL, '2026-01-03 10:00:00', '2026-01-03 10:00:00', 1);
    INSERT INTO posts_authors (post_id, author_id, position) VALUES ('p1', 'a1', 0), ('p2', 'a1', 0);
    INSERT INTO posts_tags (post_id, tag_id, position) VALUES ('p1', 't1', 0), ('p1', 't2', 1);
    INSERT INTO post_slugs (slug, post_id, created_at)
    VALUES ('frost', 'p1', '2026-01-02 09:00:00');
";

/// An empty database of `backend`, for an older Folio's content; gone when dropped.
struct OldDatabase {
    db: Db,
    _dir: tempfile::TempDir,
    _pg: Option<PgDatabase>,
}

impl OldDatabase {
    fn new(backend: Backend) -> OldDatabase {
        let dir = tempfile::tempdir().unwrap();
        let (pg, url) = match backend {
            Backend::Sqlite => (None, dir.path().join("old.db").to_str().unwrap().to_owned()),
            Backend::Postgres => {
                let (db, url) = PgDatabase::create_empty();
                (Some(db), url)
            }
        };
        let db = Db::connect(&url, 1, std::time::Duration::from_secs(30)).unwrap();
        OldDatabase {
            db,
            _dir: dir,
            _pg: pg,
        }
    }
}

/// Runs the migrations on `conn` up to and including version `until`, or all with `None`,
/// and then, as Folio's start does, keys the posts the migrations left without a search key
/// (in batches smaller than the posts, so more than one).
fn migrate(conn: &mut DbConn, until: Option<&str>) {
    let backend = conn.backend();
    let migrations = move || folio::db::migrations(backend);
    match conn {
        DbConn::Sqlite(c) => run(c, migrations, until),
        DbConn::Postgres(c) => run(c, migrations, until),
    }
    if until.is_none() {
        storage::index_unkeyed(conn, 700).expect("the posts keyed");
    }
}

fn run<DB: diesel::backend::Backend>(
    conn: &mut impl MigrationHarness<DB>,
    migrations: impl Fn() -> diesel_migrations::EmbeddedMigrations,
    until: Option<&str>,
) {
    let Some(until) = until else {
        conn.run_pending_migrations(migrations())
            .expect("the migrations run");
        return;
    };
    while !conn
        .applied_migrations()
        .expect("the applied migrations")
        .iter()
        .any(|version| version.to_string() == until)
    {
        conn.run_next_migration(migrations())
            .expect("the next migration runs");
    }
}

/// The last migration before the bodies had a table of their own.
const BEFORE_BODIES: &str = "20261207000000";

/// Posts the bodies migration moves: each with a word of its own, in a body long enough to
/// spill out of its row's page on SQLite.
const MANY: usize = 3000;

fn many_posts(backend: Backend) -> String {
    let (numbers, filler) = match backend {
        Backend::Sqlite => (
            format!(
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {MANY})"
            ),
            "replace(hex(zeroblob(1000)), '00', 'kale ')",
        ),
        Backend::Postgres => (String::new(), "repeat('kale ', 1000)"),
    };
    let from = match backend {
        Backend::Sqlite => "FROM n".to_owned(),
        Backend::Postgres => format!("FROM generate_series(1, {MANY}) AS n(i)"),
    };
    format!(
        "{numbers}
        INSERT INTO posts (id, kind, uuid, slug, title, markdown, html, plaintext, excerpt,
                           reading_time, featured, status, visibility, published_at,
                           created_at, updated_at, version)
        SELECT 'p' || i, 'post', 'u' || i, 'post-' || i, 'Title ' || i,
               'Body unique' || i || ' ' || {filler},
               '<p>Body unique' || i || '</p><img src=\"/a.png\"><img src=\"/b.png\">',
               'Body unique' || i || ' ' || {filler}, 'Body', 1, FALSE, 'published',
               'public', '2026-01-02 10:00:00', '2026-01-01 10:00:00',
               '2026-01-01 10:00:00', 1
        {from}"
    )
}

/// The slugs of the published posts a search for `q` finds.
fn search(conn: &mut DbConn, q: &str) -> Vec<String> {
    let params: PostListParams =
        serde_urlencoded::from_str(&format!("q={q}")).expect("list parameters");
    let cursors = folio::http::cursor::CursorKey::derive(b"test");
    let cursors =
        folio::http::cursor::Cursors::new(actix_web::web::Data::new(cursors), "/api/v1/posts", "");
    let list = PostListQuery::parse(params, &cursors).expect("a valid list");
    let (records, _) = storage::list(
        conn,
        PostKind::Post,
        &ReadScope::Live,
        &list,
        folio::db::now(),
    )
    .expect("a search");
    records.into_iter().map(|r| r.row.slug).collect()
}

async fn content_written_before_pages_survives_the_upgrade(backend: Backend) {
    let old = OldDatabase::new(backend);
    let mut conn = old.db.conn().unwrap();
    let conn = &mut *conn;
    migrate(conn, Some(BEFORE_PAGES));
    conn.batch_execute(OLD_CONTENT).expect("the old content");
    migrate(conn, None);

    let post = storage::find_by_slug(conn, PostKind::Post, "winter-garden")
        .unwrap()
        .expect("the post, a post");
    assert_eq!(post.row.kind, PostKind::Post);
    assert_eq!(post.row.version, 3, "untouched");
    assert_eq!(post.row.uuid.len(), 36);
    assert_eq!(
        &post.row.uuid[14..15],
        "4",
        "a version 4 UUID: {}",
        post.row.uuid
    );
    let draft = storage::find_by_slug(conn, PostKind::Post, "unfinished")
        .unwrap()
        .expect("the draft");
    assert_ne!(draft.row.uuid, post.row.uuid);
    assert_eq!(post.authors.len(), 1);
    let tags: Vec<(&str, bool)> = post
        .tags
        .iter()
        .map(|t| (t.slug.as_str(), t.internal))
        .collect();
    assert_eq!(tags, [("news", false), ("legacy", true)], "links, in order");
    let renamed = storage::find_by_old_slug(conn, PostKind::Post, "frost")
        .unwrap()
        .expect("the former slug still leads to it");
    assert_eq!(renamed.row.slug, "winter-garden");
    assert!(
        storage::find_by_slug(conn, PostKind::Page, "winter-garden")
            .unwrap()
            .is_none()
    );
    // The search index is keyed by row: it must still find the old post, and only it.
    assert_eq!(search(conn, "kale"), ["winter-garden"]);
    if let DbConn::Sqlite(sqlite) = conn {
        let broken: i64 = diesel::sql_query("SELECT count(*) AS n FROM pragma_foreign_key_check")
            .get_result::<Count>(sqlite)
            .unwrap()
            .n;
        assert_eq!(broken, 0, "every foreign key holds");
        let on: i64 = diesel::sql_query("SELECT foreign_keys AS n FROM pragma_foreign_keys")
            .get_result::<Count>(sqlite)
            .unwrap()
            .n;
        assert_eq!(on, 1, "foreign keys are on again after the rebuild");
    }
    if let DbConn::Postgres(pg) = conn {
        // Ranks come from a vector of each post's title and excerpt, made for the posts
        // that were there when it came (see the search_cost migration).
        let ranked: i64 = diesel::sql_query(
            "SELECT count(*) AS n FROM post_search_ranks r JOIN posts p ON p.id = r.post_id \
             WHERE r.rank @@ to_tsquery('simple', 'winter')",
        )
        .get_result::<Count>(pg)
        .unwrap()
        .n;
        assert_eq!(ranked, 1, "the old post has its rank vector");
    }
    assert_eq!(
        folio::site::load_settings(conn).unwrap().0,
        folio::site::SiteSettings::default(),
        "the settings start from their defaults"
    );
}

async fn bodies_move_out_of_the_posts_table_with_their_search_entries(backend: Backend) {
    let old = OldDatabase::new(backend);
    let mut conn = old.db.conn().unwrap();
    let conn = &mut *conn;
    migrate(conn, Some(BEFORE_BODIES));
    let count = |conn: &mut DbConn, sql: &str| -> i64 {
        match conn {
            DbConn::Sqlite(c) => diesel::sql_query(sql).get_result::<Count>(c).unwrap().n,
            DbConn::Postgres(c) => diesel::sql_query(sql).get_result::<Count>(c).unwrap().n,
        }
    };
    conn.batch_execute(&many_posts(backend))
        .expect("the old posts");
    // Gaps in the rowids, as deletes leave them: a rebuilt table that numbered its rows
    // afresh would shift every entry of the index onto another post.
    conn.batch_execute("DELETE FROM posts WHERE slug LIKE '%7'")
        .expect("some posts deleted");
    let kept = MANY as i64 - MANY as i64 / 10;
    let indexed_before = match backend {
        Backend::Sqlite => "SELECT count(*) AS n FROM posts_fts WHERE posts_fts MATCH 'kale'",
        Backend::Postgres => {
            "SELECT count(*) AS n FROM posts WHERE search @@ to_tsquery('simple', 'kale')"
        }
    };
    assert_eq!(count(conn, indexed_before), kept, "indexed before");
    migrate(conn, None);

    let left_in_posts = match backend {
        Backend::Sqlite => {
            "SELECT count(*) AS n FROM pragma_table_info('posts') \
             WHERE name IN ('markdown', 'html', 'plaintext')"
        }
        Backend::Postgres => {
            "SELECT count(*) AS n FROM information_schema.columns WHERE table_name = 'posts' \
             AND column_name IN ('markdown', 'html', 'plaintext', 'search')"
        }
    };
    assert_eq!(
        count(conn, left_in_posts),
        0,
        "posts holds no body any more"
    );
    assert_eq!(
        count(conn, "SELECT count(*) AS n FROM post_bodies"),
        kept,
        "every post has its bodies"
    );
    let (packed, plain_text_kept) = match backend {
        Backend::Sqlite => (
            "SELECT count(*) AS n FROM post_bodies \
             WHERE typeof(markdown) = 'blob' AND typeof(html) = 'blob'",
            "SELECT count(*) AS n FROM pragma_table_info('post_bodies') WHERE name = 'plaintext'",
        ),
        Backend::Postgres => (
            "SELECT count(*) AS n FROM post_bodies",
            "SELECT count(*) AS n FROM information_schema.columns \
             WHERE table_name = 'post_bodies' AND column_name = 'plaintext'",
        ),
    };
    assert_eq!(count(conn, packed), kept, "every body packed (on SQLite)");
    assert_eq!(count(conn, plain_text_kept), 0, "no plain text stored");
    for n in [1, 1234, MANY] {
        let post = storage::find_by_slug(conn, PostKind::Post, &format!("post-{n}"))
            .unwrap()
            .expect("the post");
        let text = format!("Body unique{n} {}", "kale ".repeat(1000));
        assert_eq!(post.row.markdown, text);
        assert_eq!(
            post.row.html,
            format!("<p>Body unique{n}</p><img src=\"/a.png\"><img src=\"/b.png\">")
        );
        // The plain text is no longer kept; what Ghost's answers need of it was counted.
        assert_eq!(post.row.word_count, 1002);
        assert_eq!(post.row.image_count, 2);
        assert_eq!(
            post.row.text_start,
            text.chars().take(500).collect::<String>()
        );
        assert_eq!(post.row.title, format!("Title {n}"));
        assert_eq!(post.row.version, 1, "untouched");
    }
    // Each entry still leads to its own post (SQLite's were made again, under the keys of
    // the lists' order), by the text and by the title alike.
    if backend == Backend::Sqlite {
        assert_eq!(
            count(conn, "SELECT count(DISTINCT search_key) AS n FROM posts"),
            kept,
            "every post has a key of its own"
        );
        assert_eq!(
            count(
                conn,
                "SELECT count(*) AS n FROM posts_fts WHERE posts_fts MATCH 'kale'"
            ),
            kept,
            "and its entry"
        );
        assert_eq!(
            storage::index_unkeyed(conn, 700).unwrap(),
            0,
            "none is left"
        );
    }
    assert_eq!(search(conn, "unique1234"), ["post-1234"]);
    assert_eq!(search(conn, "unique3000"), ["post-3000"]);
    assert_eq!(search(conn, "title 2999"), ["post-2999"]);
    // An entry made before the move is forgotten with its post.
    let gone = storage::find_by_slug(conn, PostKind::Post, "post-1234")
        .unwrap()
        .expect("the post");
    folio::db::write_transaction(conn, |conn| storage::delete(conn, &gone.row.id))
        .expect("the delete");
    assert!(
        search(conn, "unique1234").is_empty(),
        "its entry went with it"
    );
    assert_eq!(
        count(conn, "SELECT count(*) AS n FROM post_bodies"),
        kept - 1,
        "and its bodies"
    );
    if let DbConn::Sqlite(sqlite) = conn {
        let broken: i64 = diesel::sql_query("SELECT count(*) AS n FROM pragma_foreign_key_check")
            .get_result::<Count>(sqlite)
            .unwrap()
            .n;
        assert_eq!(broken, 0, "every foreign key holds");
    }
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}
