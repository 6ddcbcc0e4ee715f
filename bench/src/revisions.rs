//! `folio-bench revisions`: what a post's history costs on disk. Writes one post of generated
//! Markdown through Folio's own service, changes it until it has the asked number of
//! revisions, and reports the revisions table's size on the database, beside the Markdown it
//! holds.

use std::time::Instant;

use clap::Args;
use diesel::prelude::*;
use folio::auth::{Role, Staff, Via};
use folio::db::{Backend, Db, DbConn};
use folio::posts::input::{NewPostInput, PostPatch};
use folio::posts::model::PostKind;
use folio::posts::service::{self, Editorial};
use folio::precondition::Expected;

use crate::rng::Rng;
use crate::text::{self, Vocabulary};

#[derive(Debug, Args)]
pub struct RevisionsArgs {
    /// A `postgres://` URL, or a SQLite file path, of a database to make the post in.
    #[arg(long)]
    database_url: String,
    /// Bytes of Markdown in the post.
    #[arg(long, default_value_t = 20 * 1024)]
    size: usize,
    /// Revisions to make (the first is the post's creation).
    #[arg(long, default_value_t = 50)]
    revisions: u32,
    /// How each change edits the text: `paragraph` (one paragraph rewritten) or `all` (the
    /// whole text written anew).
    #[arg(long, default_value = "paragraph")]
    edit: String,
}

/// The revisions table's bytes on disk, its indexes included.
fn table_bytes(conn: &mut DbConn) -> Result<i64, String> {
    #[derive(QueryableByName)]
    struct Bytes {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        bytes: i64,
    }
    let query = match conn.backend() {
        // Every page of the table and of its indexes (dbstat counts pages, not rows).
        Backend::Sqlite => {
            "SELECT CAST(coalesce(sum(pgsize), 0) AS BIGINT) AS bytes FROM dbstat \
             WHERE name IN (SELECT name FROM sqlite_master WHERE tbl_name = 'revisions')"
        }
        // Heap, TOAST and indexes.
        Backend::Postgres => "SELECT pg_total_relation_size('revisions')::BIGINT AS bytes",
    };
    diesel::sql_query(query)
        .get_result::<Bytes>(conn)
        .map(|b| b.bytes)
        .map_err(|e| format!("cannot measure the table: {e}"))
}

/// `markdown` with one of its paragraphs written anew, about as long as it was.
fn edit_paragraph(markdown: &str, vocab: &Vocabulary, rng: &mut Rng) -> String {
    let mut paragraphs: Vec<String> = markdown.split("\n\n").map(str::to_owned).collect();
    let at = rng.below(paragraphs.len());
    let mut new = String::new();
    while new.len() < paragraphs[at].len() {
        new.push_str(&text::sentence(vocab, rng, true));
        new.push(' ');
    }
    paragraphs[at] = new.trim_end().to_owned();
    paragraphs.join("\n\n")
}

pub fn run(args: RevisionsArgs) -> Result<(), String> {
    let db = Db::connect(&args.database_url, 1, std::time::Duration::from_secs(30))
        .map_err(|e| e.to_string())?;
    db.migrate().map_err(|e| e.to_string())?;
    let id = folio::setup::create_account(
        &db,
        &format!("history-{}@example.com", uuid::Uuid::now_v7().simple()),
        "Historian",
        Role::Editor,
        &secrecy::SecretString::from("a-long-enough-password"),
    )
    .map_err(|e| e.to_string())?;
    let mut conn = db.conn().map_err(|e| e.to_string())?;
    let conn = &mut *conn;
    let author = Staff {
        id,
        role: Role::Editor,
        via: Via::Server,
    };
    let editorial = Editorial {
        revisions_per_post: args.revisions,
        ..Editorial::new(folio::posts::view::public)
    };
    let before = table_bytes(conn)?;
    let vocab = Vocabulary::new(20_000);
    let mut rng = Rng::new(7);
    let mut markdown = text::markdown(&vocab, &mut rng, args.size);
    let started = Instant::now();
    let mut record = service::create(
        conn,
        &author,
        PostKind::Post,
        NewPostInput {
            authors: Some(vec![author.id.clone()]),
            ..NewPostInput::draft("A post with a history", &markdown)
        },
        editorial,
    )
    .map_err(|e| e.to_string())?;
    let mut markdown_bytes = markdown.len();
    for _ in 1..args.revisions {
        markdown = match args.edit.as_str() {
            "all" => text::markdown(&vocab, &mut rng, args.size),
            _ => edit_paragraph(&markdown, &vocab, &mut rng),
        };
        markdown_bytes += markdown.len();
        let patch = PostPatch {
            markdown: Some(markdown.clone()),
            ..PostPatch::default()
        };
        record = service::update(
            conn,
            &author,
            PostKind::Post,
            &record.row.id,
            Expected::Version(record.row.version),
            patch,
            editorial,
        )
        .map_err(|e| e.to_string())?;
    }
    let took = started.elapsed();
    if let DbConn::Sqlite(sqlite) = conn {
        // What the pages hold once written out, free pages aside.
        diesel::connection::SimpleConnection::batch_execute(
            sqlite,
            "PRAGMA wal_checkpoint(TRUNCATE)",
        )
        .map_err(|e| e.to_string())?;
    }
    let after = table_bytes(conn)?;
    let stored: i64 = {
        use folio::db::schema::revisions;
        revisions::table
            .filter(revisions::post_id.eq(&record.row.id))
            .count()
            .get_result(conn)
            .map_err(|e| e.to_string())?
    };
    let bytes = after - before;
    println!(
        "{{\"backend\": \"{:?}\", \"edit\": \"{}\", \"revisions\": {stored}, \"markdown_bytes\": {markdown_bytes}, \
         \"table_bytes\": {bytes}, \"per_revision\": {}, \"ratio_to_markdown\": {:.3}, \"seconds\": {:.3}}}",
        conn.backend(),
        args.edit,
        bytes / stored.max(1),
        bytes as f64 / markdown_bytes as f64,
        took.as_secs_f64()
    );
    Ok(())
}
