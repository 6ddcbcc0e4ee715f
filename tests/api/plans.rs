//! Query plans: a page of a post list is read by walking an index and stopping at the page,
//! never by sorting every post there is, for every reader and status a list is asked for; a
//! search starts from its matches, or on PostgreSQL, when they are many, walks for them.
//! The SQL is the one the list really runs (caught as it runs), explained by each database.

use std::sync::{Arc, Mutex};

use diesel::connection::{Instrumentation, InstrumentationEvent, SimpleConnection};
use diesel::prelude::*;
use diesel::sql_types::Text;
use folio::db::{Db, DbConn};
use folio::ids::AuthorId;
use folio::posts::model::PostKind;
use folio::posts::policy::ReadScope;
use folio::posts::query::{PostListParams, PostListQuery};
use folio::posts::storage;

use crate::databases::PgDatabase;
use crate::on_both_backends;
use crate::support::Backend;

on_both_backends!(post_lists_walk_an_index_instead_of_sorting_every_post);

/// The SQL of every statement a connection runs, without its bound values.
#[derive(Clone, Default)]
struct Statements(Arc<Mutex<Vec<String>>>);

impl Instrumentation for Statements {
    fn on_connection_event(&mut self, event: InstrumentationEvent<'_>) {
        if let InstrumentationEvent::StartQuery { query, .. } = event {
            let text = query.to_string();
            let sql = text.split(" -- binds:").next().unwrap_or_default();
            self.0.lock().unwrap().push(sql.to_owned());
        }
    }
}

/// The statement that reads the page of `query` as `scope` may see it.
fn page_statement(conn: &mut DbConn, scope: &ReadScope, query: &str) -> String {
    page_statements(conn, scope, query).remove(0)
}

/// The statements that read the page of `query` as `scope` may see it, in the order run.
fn page_statements(conn: &mut DbConn, scope: &ReadScope, query: &str) -> Vec<String> {
    let seen = Statements::default();
    conn.set_instrumentation(seen.clone());
    let params: PostListParams = serde_urlencoded::from_str(query).expect("list parameters");
    let cursors = folio::http::cursor::CursorKey::derive(b"test");
    let cursors =
        folio::http::cursor::Cursors::new(actix_web::web::Data::new(cursors), "/api/v1/posts", "");
    let list = PostListQuery::parse(params, &cursors).expect("a valid list");
    storage::list(conn, PostKind::Post, scope, &list, folio::db::now()).expect("the list");
    let statements = seen.0.lock().unwrap().clone();
    let pages: Vec<String> = statements
        .into_iter()
        // The page: not a count, nor what a search keeps of its matches (SQLite).
        .filter(|sql| sql.starts_with("SELECT") && sql.contains("LIMIT") && !sql.contains("COUNT"))
        .collect();
    assert!(!pages.is_empty(), "no page was read for {query}");
    pages
}

#[derive(QueryableByName)]
struct SqlitePlan {
    #[diesel(sql_type = Text)]
    detail: String,
}

#[derive(QueryableByName)]
struct PgPlan {
    #[diesel(sql_type = Text, column_name = "QUERY PLAN")]
    line: String,
}

/// How the database would run `sql`, one step a line. PostgreSQL's plan is the generic one
/// (made without the bound values, as for any values), with sorting made the last resort, so
/// a sort shows only where no index gives the order.
fn plan(conn: &mut DbConn, sql: &str) -> Vec<String> {
    match conn {
        DbConn::Sqlite(c) => diesel::sql_query(format!("EXPLAIN QUERY PLAN {sql}"))
            .load::<SqlitePlan>(c)
            .expect("a plan")
            .into_iter()
            .map(|p| p.detail)
            .collect(),
        DbConn::Postgres(c) => {
            let params = (1..)
                .take_while(|n| sql.contains(&format!("${n}")))
                .map(|_| "NULL")
                .collect::<Vec<_>>()
                .join(", ");
            c.batch_execute(&format!(
                "SET plan_cache_mode = force_generic_plan; SET enable_sort = off; \
                 PREPARE page AS {sql}"
            ))
            .expect("the page's statement prepares");
            let plan = diesel::sql_query(format!("EXPLAIN EXECUTE page({params})"))
                .load::<PgPlan>(c)
                .expect("a plan");
            c.batch_execute("DEALLOCATE page; RESET plan_cache_mode; RESET enable_sort")
                .expect("the statement goes");
            plan.into_iter().map(|p| p.line).collect()
        }
    }
}

/// PostgreSQL: whether a search's page gathers its matches through the text's index.
fn gathers(plan: &[String]) -> bool {
    plan.iter().any(|step| step.contains("posts_matching"))
        && !plan.iter().any(|step| step.contains("Seq Scan on post_"))
}

fn sorts(plan: &[String]) -> bool {
    plan.iter().any(|line| {
        let step = line.trim_start().trim_start_matches("-> ");
        line.contains("USE TEMP B-TREE FOR ORDER BY")
            || step.starts_with("Sort")
            || step.starts_with("Incremental Sort")
    })
}

async fn post_lists_walk_an_index_instead_of_sorting_every_post(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let (_pg, url) = match backend {
        Backend::Sqlite => (
            None,
            dir.path().join("plans.db").to_str().unwrap().to_owned(),
        ),
        Backend::Postgres => {
            let (db, url) = PgDatabase::create_empty();
            (Some(db), url)
        }
    };
    let db = Db::connect(&url, 1, std::time::Duration::from_secs(30)).unwrap();
    db.migrate().unwrap();
    let mut conn = db.conn().unwrap();
    let conn = &mut *conn;
    // Enough posts of every status for page 3 to have some.
    let posts: Vec<String> = (0..60)
        .map(|n| {
            let (status, at) = match n % 3 {
                0 => ("draft", "NULL"),
                1 => ("published", "'2026-01-02 10:00:00'"),
                _ => ("scheduled", "'2099-01-02 10:00:00'"),
            };
            format!(
                "('p{n}', 'post', 'u{n}', 's{n}', 'T', 'e', 1, FALSE, '{status}', 'public', {at}, \
                 '2026-01-01 10:00:00', '2026-01-01 10:00:00', 1)"
            )
        })
        .collect();
    conn.batch_execute(&format!(
        "INSERT INTO posts (id, kind, uuid, slug, title, excerpt, reading_time, featured, \
         status, visibility, published_at, created_at, updated_at, version) VALUES {}",
        posts.join(", ")
    ))
    .expect("the posts");
    conn.batch_execute(match backend {
        Backend::Sqlite => {
            "INSERT INTO post_bodies (post_id, markdown, html) SELECT id, 'm', 'h' FROM posts"
        }
        Backend::Postgres => {
            "INSERT INTO post_bodies (post_id, markdown, html, search) \
             SELECT id, 'm', 'h', posts_search_vector(title, excerpt, \
                 CASE WHEN id IN ('p1', 'p4') THEN 'p seldom' ELSE 'p' END) FROM posts; \
             ANALYZE posts"
        }
    })
    .expect("their bodies");
    // SQLite's entries, as Folio keys them after a migration.
    storage::index_unkeyed(conn, 25).expect("their search entries");
    let contributor = ReadScope::LiveAndOwn(AuthorId::from("a1".to_owned()));
    for (scope, query) in [
        // Anonymous readers and content keys.
        (ReadScope::Live, "limit=15"),
        (ReadScope::Live, "limit=5&page=3"),
        // Staff: every status, drafts (undated) first.
        (ReadScope::All, "limit=15"),
        (ReadScope::All, "limit=15&page=3"),
        (ReadScope::All, "limit=5&page=3&status=published"),
        (ReadScope::All, "limit=15&status=published"),
        (ReadScope::All, "limit=15&status=scheduled"),
        (contributor.clone(), "limit=15"),
    ] {
        let sql = page_statement(conn, &scope, query);
        let plan = plan(conn, &sql);
        assert!(
            !sorts(&plan),
            "{backend:?}: the page of `{query}` for {scope:?} sorts every post:\n{}\n{sql}",
            plan.join("\n")
        );
    }
    // A search starts from its matches, however many live posts there are to walk instead.
    // On PostgreSQL, only one that matches seldom (see the search_walk migration); one that
    // matches often finds its ranked matches from their index, then walks the live posts'
    // index for the others, and stops at the page; but not for a list no index orders, as a
    // contributor's (live posts and their own), where it would ask every post. Each check is
    // of the nth page statement.
    type Check = fn(&[String]) -> bool;
    let (live, own) = (ReadScope::Live, contributor);
    let searches: &[(&ReadScope, &str, usize, Check)] = match backend {
        Backend::Sqlite => &[(&live, "t", 0, |plan| {
            plan.iter()
                .any(|step| step.contains("SEARCH posts USING INDEX posts_search_key_idx"))
                && !plan.iter().any(|step| {
                    step.contains("INDEX posts_") && !step.contains("posts_search_key_idx")
                })
        })],
        Backend::Postgres => &[
            (&live, "seldom", 0, gathers),
            (&own, "p", 0, gathers),
            (&live, "p", 0, |plan| {
                plan.iter()
                    .any(|step| step.contains("post_search_ranks_rank_idx"))
                    && !plan.iter().any(|step| step.contains("Seq Scan on post_"))
            }),
            (&live, "p", 1, |plan| {
                plan.iter().any(|step| step.contains("posts_live_idx")) && !sorts(plan)
            }),
            (&ReadScope::All, "p", 1, |plan| {
                plan.iter().any(|step| step.contains("posts_staff_idx")) && !sorts(plan)
            }),
        ],
    };
    for &(scope, q, nth, good) in searches {
        let statements = page_statements(conn, scope, &format!("limit=15&q={q}"));
        let sql = statements
            .get(nth)
            .unwrap_or_else(|| panic!("{backend:?}: `q={q}` reads no page statement {nth}"));
        let plan = plan(conn, sql);
        assert!(
            good(&plan),
            "{backend:?}: page statement {nth} of `q={q}` for {scope:?} reads the wrong rows:\n{}\n{sql}",
            plan.join("\n")
        );
    }
}
