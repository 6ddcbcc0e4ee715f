//! Fills a Folio database with a generated dataset: authors, tags and posts with every derived
//! column computed by Folio's own code, inserted many rows per statement in transactions.

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::{Mutex, mpsc};
use std::time::Instant;

use chrono::{NaiveDateTime, TimeDelta};
use diesel::prelude::*;
use folio::auth::{Role, accounts};
use folio::content::{Slug, markdown, text};
use folio::db::schema::{authors, post_slugs, posts, posts_authors, posts_tags, tags};
use folio::db::{Backend, Db, DbConn, write_transaction};
use folio::ids::PostId;
use folio::posts::model::{PostKind, PostText};
use folio::posts::storage::{self, TextWrite};
use secrecy::SecretString;
use serde_json::json;

use crate::rng::{Rng, Zipf};
use crate::text::{Vocabulary, capitalize, sentence, title_case};

#[derive(Debug, clap::Args)]
pub struct ForgetArgs {
    /// A SQLite file path or a `postgres://` URL.
    #[arg(long)]
    database_url: String,
    /// The posts added after this rowid (SQLite) are deleted.
    #[arg(long)]
    after_rowid: i64,
}

/// Deletes the posts a run's writes added to a kept dataset, as Folio deletes a post: with
/// its bodies, links and search entry (which only Folio can remove: the index is
/// contentless, and the entries left behind would be read, and skipped, by every search).
pub fn forget(args: ForgetArgs) -> Result<(), String> {
    let db = Db::connect(&args.database_url, 1, std::time::Duration::from_secs(30))
        .map_err(|e| format!("cannot open {}: {e}", args.database_url))?;
    let mut conn = db.conn().map_err(|e| e.to_string())?;
    let ids: Vec<String> = posts::table
        .filter(
            diesel::dsl::sql::<diesel::sql_types::Bool>("rowid > ")
                .bind::<diesel::sql_types::BigInt, _>(args.after_rowid),
        )
        .select(posts::id)
        .load(&mut *conn)
        .map_err(|e| format!("cannot find the added posts: {e}"))?;
    write_transaction(&mut conn, |conn| -> Result<(), folio::error::ApiError> {
        for id in ids {
            storage::delete(conn, &PostId::from(id))?;
        }
        Ok(())
    })
    .map_err(|e| format!("cannot delete the added posts: {e}"))
}

#[derive(Debug, clap::Args)]
pub struct SeedArgs {
    /// A `postgres://` URL or a SQLite file path; migrated first if needed.
    #[arg(long)]
    database_url: String,
    /// How many posts to add.
    #[arg(long)]
    posts: u64,
    /// The same seed gives the same dataset.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    #[arg(long, default_value_t = 50)]
    authors: usize,
    #[arg(long, default_value_t = 200)]
    tags: usize,
    /// Posts per insert statement (and per transaction).
    #[arg(long, default_value_t = 500)]
    batch: usize,
    /// The owner account created when the database has none (for login and writes).
    #[arg(long, default_value = "owner@example.com")]
    owner_email: String,
    #[arg(long, default_value = "bench-owner-password")]
    owner_password: String,
    /// Where to write what a benchmark needs to know about the dataset (JSON).
    #[arg(long)]
    manifest: Option<PathBuf>,
}

const VOCABULARY: usize = 30_000;
const STREAM_AUTHOR: u64 = 1;
const STREAM_TAG: u64 = 2;
const STREAM_POST: u64 = 3;

#[derive(Insertable)]
#[diesel(table_name = authors, treat_none_as_default_value = false)]
struct AuthorInsert {
    id: String,
    slug: String,
    name: String,
    bio: Option<String>,
    avatar_url: Option<String>,
    website: Option<String>,
    location: Option<String>,
    email: Option<String>,
    password_hash: Option<String>,
    role: Option<String>,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
    version: i64,
}

#[derive(Insertable)]
#[diesel(table_name = tags, treat_none_as_default_value = false)]
struct TagInsert {
    id: String,
    slug: String,
    name: String,
    description: Option<String>,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
    version: i64,
}

/// Every column of `posts` (see migrations/), and the bodies and plain text, which Folio's
/// storage writes with the search entry (`write_text`).
#[derive(Insertable)]
#[diesel(table_name = posts, treat_none_as_default_value = false)]
struct PostInsert {
    id: String,
    kind: String,
    uuid: String,
    slug: String,
    title: String,
    #[diesel(skip_insertion)]
    markdown: String,
    #[diesel(skip_insertion)]
    html: String,
    #[diesel(skip_insertion)]
    plaintext: String,
    custom_excerpt: Option<String>,
    excerpt: String,
    reading_time: i32,
    feature_image: Option<String>,
    featured: bool,
    status: String,
    visibility: String,
    published_at: Option<NaiveDateTime>,
    meta_title: Option<String>,
    meta_description: Option<String>,
    canonical_url: Option<String>,
    codeinjection_head: Option<String>,
    codeinjection_foot: Option<String>,
    custom_template: Option<String>,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
    version: i64,
    word_count: i32,
    image_count: i32,
    text_start: String,
}

impl PostInsert {
    fn text(&self) -> PostText<'_> {
        PostText {
            id: &self.id,
            kind: PostKind::Post,
            published_at: self.published_at,
            created_at: self.created_at,
            title: &self.title,
            excerpt: &self.excerpt,
            markdown: &self.markdown,
            html: &self.html,
        }
    }
}

#[derive(Insertable)]
#[diesel(table_name = posts_authors)]
struct AuthorLink {
    post_id: String,
    author_id: String,
    position: i32,
}

#[derive(Insertable)]
#[diesel(table_name = posts_tags)]
struct TagLink {
    post_id: String,
    tag_id: String,
    position: i32,
}

struct GeneratedPost {
    row: PostInsert,
    authors: Vec<usize>,
    tags: Vec<usize>,
    index: u64,
}

/// A time-ordered id (UUIDv7, as Folio makes) for something created at `at`, drawn from `rng`.
fn id_at(at: NaiveDateTime, rng: &mut Rng) -> String {
    let mut random = [0u8; 10];
    random[..8].copy_from_slice(&rng.next_u64().to_le_bytes());
    random[8..].copy_from_slice(&rng.next_u64().to_le_bytes()[..2]);
    let millis = u64::try_from(at.and_utc().timestamp_millis()).unwrap_or(0);
    uuid::Builder::from_unix_timestamp_millis(millis, &random)
        .into_uuid()
        .to_string()
}

/// A version 4 UUID made from a post's id: the same each time, and drawing nothing from the
/// dataset's random source, so the rest of the dataset is what it was before posts had one.
fn uuid_of(id: &str) -> String {
    let mut bytes = uuid::Uuid::parse_str(id).map_or([0; 16], |id| id.into_bytes());
    bytes.reverse();
    uuid::Builder::from_random_bytes(bytes)
        .into_uuid()
        .to_string()
}

fn ago(now: NaiveDateTime, rng: &mut Rng, max: TimeDelta) -> NaiveDateTime {
    let micros = max.num_microseconds().unwrap_or(i64::MAX).max(1) as u64;
    now - TimeDelta::microseconds((rng.next_u64() % micros) as i64)
}

/// Runs one multi-row insert on whichever backend `conn` is (the multi-backend connection has
/// no batch insert of its own).
macro_rules! insert_rows {
    ($conn:expr, $table:expr, $rows:expr) => {{
        let rows = $rows;
        if rows.is_empty() {
            Ok(0)
        } else {
            match $conn {
                DbConn::Sqlite(c) => diesel::insert_into($table).values(rows).execute(c),
                DbConn::Postgres(c) => diesel::insert_into($table).values(rows).execute(c),
            }
        }
    }};
}

/// Picks `n` distinct ranks from `zipf`, most popular first as drawn.
fn distinct(zipf: &Zipf, rng: &mut Rng, n: usize) -> Vec<usize> {
    let mut picked: Vec<usize> = Vec::with_capacity(n);
    while picked.len() < n {
        let rank = zipf.sample(rng);
        if !picked.contains(&rank) {
            picked.push(rank);
        }
    }
    picked
}

fn unique_slug(base: &str, taken: &mut HashSet<String>) -> String {
    let mut slug = base.to_owned();
    let mut n = 2;
    while !taken.insert(slug.clone()) {
        slug = format!("{base}-{n}");
        n += 1;
    }
    slug
}

/// What the inserting threads share: the slugs taken, and what the manifest reports.
#[derive(Default)]
struct Progress {
    taken: HashSet<String>,
    sample_slugs: Vec<String>,
    update_ids: Vec<String>,
    counts: [u64; 3],
    markdown_bytes: u64,
    inserted: u64,
}

impl Progress {
    /// Gives each post of a batch a free slug, notes it, and returns its author and tag links.
    fn take(
        &mut self,
        generated: &mut [GeneratedPost],
        offset: u64,
        slug_stride: u64,
        update_stride: u64,
        author_ids: &[String],
        tag_ids: &[String],
    ) -> (Vec<AuthorLink>, Vec<TagLink>) {
        let mut author_links = Vec::new();
        let mut tag_links = Vec::new();
        for post in generated {
            post.row.slug = unique_slug(&post.row.slug, &mut self.taken);
            for (position, &a) in post.authors.iter().enumerate() {
                author_links.push(AuthorLink {
                    post_id: post.row.id.clone(),
                    author_id: author_ids[a].clone(),
                    position: position as i32,
                });
            }
            for (position, &t) in post.tags.iter().enumerate() {
                tag_links.push(TagLink {
                    post_id: post.row.id.clone(),
                    tag_id: tag_ids[t].clone(),
                    position: position as i32,
                });
            }
            let live = post.row.status == "published";
            self.counts[match post.row.status.as_str() {
                "published" => 0,
                "draft" => 1,
                _ => 2,
            }] += 1;
            self.markdown_bytes += post.row.markdown.len() as u64;
            let i = post.index - offset;
            if live && i.is_multiple_of(slug_stride) {
                self.sample_slugs.push(post.row.slug.clone());
            }
            if live && i.is_multiple_of(update_stride) {
                self.update_ids.push(post.row.id.clone());
            }
        }
        (author_links, tag_links)
    }
}

struct Context<'a> {
    vocab: &'a Vocabulary,
    seed: u64,
    now: NaiveDateTime,
    author_zipf: Zipf,
    tag_zipf: Zipf,
}

impl Context<'_> {
    fn post(&self, index: u64) -> GeneratedPost {
        let vocab = self.vocab;
        let mut rng = Rng::for_item(self.seed, STREAM_POST, index);
        let now = self.now;
        let roll = rng.unit();
        let (status, published_at, created_at) = if roll < 0.90 {
            let published = ago(
                now - TimeDelta::hours(1),
                &mut rng,
                TimeDelta::days(6 * 365),
            );
            let created = ago(published, &mut rng, TimeDelta::days(14));
            ("published", Some(published), created)
        } else if roll < 0.97 {
            ("draft", None, ago(now, &mut rng, TimeDelta::days(365)))
        } else {
            let at = now + TimeDelta::days(1) + TimeDelta::minutes(rng.below(60 * 24 * 60) as i64);
            (
                "scheduled",
                Some(at),
                ago(now, &mut rng, TimeDelta::days(30)),
            )
        };
        let updated_at = match published_at {
            Some(at) if at < now && rng.chance(0.3) => {
                (at + TimeDelta::minutes(rng.below(200 * 24 * 60) as i64)).min(now)
            }
            Some(at) if at < now => at,
            _ => created_at + TimeDelta::minutes(rng.below(600) as i64),
        };
        let words = rng.range(3, 9);
        let title = title_case(vocab, &mut rng, words);
        let slug = Slug::derive(&title, "post").into_inner();
        let size = rng.range(5 * 1024, 20 * 1024);
        let body = crate::text::markdown(vocab, &mut rng, size);
        let rendered =
            markdown::render(&body).expect("generated bodies nest only a few levels deep");
        let custom_excerpt = rng.chance(0.1).then(|| sentence(vocab, &mut rng, false));
        let excerpt = custom_excerpt
            .clone()
            .unwrap_or_else(|| text::excerpt(&rendered.plaintext));
        let n_authors = match rng.below(100) {
            0..=69 => 1,
            70..=91 => 2,
            _ => 3,
        };
        let n_tags = rng.range(1, 5);
        let id = id_at(created_at, &mut rng);
        let row = PostInsert {
            uuid: uuid_of(&id),
            id,
            kind: "post".to_owned(),
            visibility: "public".to_owned(),
            codeinjection_head: None,
            codeinjection_foot: None,
            custom_template: None,
            feature_image: rng
                .chance(0.5)
                .then(|| format!("https://images.example.com/{slug}.jpg")),
            featured: rng.chance(0.05),
            meta_title: rng.chance(0.2).then(|| title.clone()),
            meta_description: rng.chance(0.2).then(|| sentence(vocab, &mut rng, false)),
            canonical_url: rng
                .chance(0.02)
                .then(|| format!("https://elsewhere.example.org/{slug}")),
            slug,
            title,
            markdown: body,
            html: rendered.html,
            plaintext: rendered.plaintext,
            custom_excerpt,
            excerpt,
            reading_time: rendered.reading_time,
            word_count: rendered.word_count,
            image_count: rendered.image_count,
            text_start: rendered.text_start,
            status: status.to_owned(),
            published_at,
            created_at,
            updated_at,
            version: if updated_at > created_at && rng.chance(0.5) {
                rng.range(2, 6) as i64
            } else {
                1
            },
        };
        GeneratedPost {
            row,
            authors: distinct(&self.author_zipf, &mut rng, n_authors),
            tags: distinct(&self.tag_zipf, &mut rng, n_tags),
            index,
        }
    }
}

fn load_slugs(
    conn: &mut DbConn,
) -> QueryResult<(HashSet<String>, HashSet<String>, HashSet<String>)> {
    let mut post_slugs_taken: HashSet<String> = posts::table
        .select(posts::slug)
        .load(conn)?
        .into_iter()
        .collect();
    post_slugs_taken.extend(
        post_slugs::table
            .select(post_slugs::slug)
            .load::<String>(conn)?,
    );
    let author_slugs = authors::table
        .select(authors::slug)
        .load(conn)?
        .into_iter()
        .collect();
    let tag_slugs = tags::table
        .select(tags::slug)
        .load(conn)?
        .into_iter()
        .collect();
    Ok((post_slugs_taken, author_slugs, tag_slugs))
}

pub fn run(args: SeedArgs) -> Result<(), String> {
    let started = Instant::now();
    let db = Db::connect(&args.database_url, 8, std::time::Duration::from_secs(30))
        .map_err(|e| e.to_string())?;
    db.migrate().map_err(|e| e.to_string())?;
    let backend = db.backend();
    let mut conn = db.conn().map_err(|e| e.to_string())?;
    let conn: &mut DbConn = &mut conn;
    let now = folio::db::now();

    let owner_created = if accounts::owner_exists(conn).map_err(|e| e.to_string())? {
        eprintln!("an owner exists already: login and write scenarios need its password");
        false
    } else {
        let password = SecretString::from(args.owner_password.clone());
        folio::setup::create_account(&db, &args.owner_email, "Owner", Role::Owner, &password)
            .map_err(|e| e.to_string())?;
        true
    };

    let (taken_posts, mut taken_authors, mut taken_tags) =
        load_slugs(conn).map_err(|e| e.to_string())?;
    let existing: i64 = posts::table
        .count()
        .get_result(conn)
        .map_err(|e| e.to_string())?;
    // A second run on the same database continues the numbering, so its ids and items differ.
    let offset = existing as u64;
    let vocab = Vocabulary::new(VOCABULARY);

    // Authors and tags.
    let mut author_rows = Vec::with_capacity(args.authors);
    for i in 0..args.authors {
        let mut rng = Rng::for_item(args.seed, STREAM_AUTHOR, offset + i as u64);
        let name = format!(
            "{} {}",
            capitalize(vocab.content_word(&mut rng)),
            capitalize(vocab.content_word(&mut rng))
        );
        let slug = unique_slug(
            &Slug::derive(&name, "author").into_inner(),
            &mut taken_authors,
        );
        let created = ago(
            now - TimeDelta::days(6 * 365),
            &mut rng,
            TimeDelta::days(365),
        );
        author_rows.push(AuthorInsert {
            id: id_at(created, &mut rng),
            bio: rng.chance(0.8).then(|| sentence(&vocab, &mut rng, false)),
            avatar_url: rng
                .chance(0.7)
                .then(|| format!("https://images.example.com/authors/{slug}.png")),
            website: rng
                .chance(0.4)
                .then(|| format!("https://{slug}.example.net")),
            location: rng
                .chance(0.5)
                .then(|| capitalize(vocab.content_word(&mut rng))),
            slug,
            name,
            email: None,
            password_hash: None,
            role: None,
            created_at: created,
            updated_at: created,
            version: 1,
        });
    }
    let mut tag_rows = Vec::with_capacity(args.tags);
    for i in 0..args.tags {
        let mut rng = Rng::for_item(args.seed, STREAM_TAG, offset + i as u64);
        let words = if rng.chance(0.3) { 2 } else { 1 };
        let name = title_case(&vocab, &mut rng, words);
        let slug = unique_slug(&Slug::derive(&name, "tag").into_inner(), &mut taken_tags);
        let created = ago(
            now - TimeDelta::days(6 * 365),
            &mut rng,
            TimeDelta::days(365),
        );
        tag_rows.push(TagInsert {
            id: id_at(created, &mut rng),
            description: rng.chance(0.6).then(|| sentence(&vocab, &mut rng, false)),
            slug,
            name,
            created_at: created,
            updated_at: created,
            version: 1,
        });
    }
    write_transaction(conn, |conn| -> QueryResult<()> {
        insert_rows!(conn, authors::table, &author_rows)?;
        insert_rows!(conn, tags::table, &tag_rows)?;
        Ok(())
    })
    .map_err(|e| format!("cannot insert authors and tags: {e}"))?;
    let author_ids: Vec<String> = author_rows.iter().map(|a| a.id.clone()).collect();
    let tag_ids: Vec<String> = tag_rows.iter().map(|t| t.id.clone()).collect();

    // Posts: generated and rendered on every core, inserted here one batch per transaction.
    let context = Context {
        vocab: &vocab,
        seed: args.seed,
        now,
        author_zipf: Zipf::new(args.authors, 1.0),
        tag_zipf: Zipf::new(args.tags, 1.0),
    };
    let threads = std::thread::available_parallelism().map_or(2, |n| n.get());
    let batch = args.batch.max(1) as u64;
    let batches = args.posts.div_ceil(batch);
    let slug_stride = (args.posts / 250).max(1);
    let update_stride = (args.posts / 1000).max(1);
    let inserters = match backend {
        // SQLite has one writer at a time; PostgreSQL computes each post's search vector
        // on the inserting connection, so more connections go faster.
        Backend::Sqlite => 1,
        Backend::Postgres => threads,
    };
    let progress = Mutex::new(Progress {
        taken: taken_posts,
        ..Progress::default()
    });

    let (tx, rx) = mpsc::sync_channel::<Vec<GeneratedPost>>(threads);
    let rx = Mutex::new(rx);
    std::thread::scope(|scope| -> Result<(), String> {
        for t in 0..threads as u64 {
            let tx = tx.clone();
            let context = &context;
            scope.spawn(move || {
                let mut b = t;
                while b < batches {
                    let first = b * batch;
                    let last = (first + batch).min(args.posts);
                    let posts = (first..last).map(|i| context.post(offset + i)).collect();
                    if tx.send(posts).is_err() {
                        return;
                    }
                    b += threads as u64;
                }
            });
        }
        drop(tx);
        let workers: Vec<_> = (0..inserters)
            .map(|_| {
                let (rx, progress, db) = (&rx, &progress, &db);
                let (author_ids, tag_ids) = (&author_ids, &tag_ids);
                scope.spawn(move || -> Result<(), String> {
                    let mut conn = db.conn().map_err(|e| e.to_string())?;
                    loop {
                        let received = rx.lock().map_err(|e| e.to_string())?.recv();
                        let Ok(mut generated) = received else {
                            return Ok(());
                        };
                        let (author_links, tag_links) = {
                            let mut p = progress.lock().map_err(|e| e.to_string())?;
                            p.take(
                                &mut generated,
                                offset,
                                slug_stride,
                                update_stride,
                                author_ids,
                                tag_ids,
                            )
                        };
                        let rows: Vec<PostInsert> = generated.into_iter().map(|p| p.row).collect();
                        write_transaction(&mut conn, |conn| -> QueryResult<()> {
                            insert_rows!(conn, posts::table, &rows)?;
                            for row in &rows {
                                storage::write_text(
                                    conn,
                                    row.text(),
                                    TextWrite::Insert(&row.plaintext),
                                    false,
                                )?;
                            }
                            insert_rows!(conn, posts_authors::table, &author_links)?;
                            insert_rows!(conn, posts_tags::table, &tag_links)?;
                            Ok(())
                        })
                        .map_err(|e| format!("cannot insert posts: {e}"))?;
                        let mut p = progress.lock().map_err(|e| e.to_string())?;
                        let before = p.inserted;
                        p.inserted += rows.len() as u64;
                        if p.inserted / 10_000 != before / 10_000 || p.inserted == args.posts {
                            eprintln!(
                                "  {}/{} posts ({:.0} s)",
                                p.inserted,
                                args.posts,
                                started.elapsed().as_secs_f64()
                            );
                        }
                    }
                })
            })
            .collect();
        for worker in workers {
            worker
                .join()
                .map_err(|_| "an inserting thread panicked".to_owned())??;
        }
        Ok(())
    })?;
    let Progress {
        sample_slugs,
        update_ids,
        counts,
        markdown_bytes,
        inserted,
        ..
    } = progress.into_inner().map_err(|e| e.to_string())?;

    // Settle the database as a long-running one would be: PostgreSQL's autovacuum would
    // analyse after such a load (and might do it mid-benchmark); SQLite folds its WAL back.
    match conn {
        DbConn::Postgres(c) => diesel::sql_query("VACUUM (ANALYZE)").execute(c),
        DbConn::Sqlite(c) => diesel::sql_query("PRAGMA wal_checkpoint(TRUNCATE)").execute(c),
    }
    .map_err(|e| format!("cannot settle the database: {e}"))?;
    let seconds = started.elapsed().as_secs_f64();

    // What a benchmark needs to aim at.
    let avg_words = (markdown_bytes / inserted.max(1)) as usize / 7;
    let search_rank = (0..vocab.words.len())
        .find(|&r| vocab.presence(r, avg_words) < 0.08)
        .unwrap_or(0);
    let tag_rank = 3.min(tag_rows.len().saturating_sub(1));
    let sample_body = {
        let mut rng = Rng::for_item(args.seed, STREAM_POST, u64::MAX);
        crate::text::markdown(&vocab, &mut rng, 6 * 1024)
    };
    let create_body = json!({
        "title": "Benchmark post __N__",
        "markdown": sample_body,
        "status": "published",
        "tags": [tag_ids[tag_rank].clone()],
    });
    let manifest = json!({
        "backend": format!("{backend:?}").to_lowercase(),
        "seed": args.seed,
        "posts_added": inserted,
        "posts_total": existing as u64 + inserted,
        "published": counts[0],
        "drafts": counts[1],
        "scheduled": counts[2],
        "authors": author_rows.len(),
        "tags": tag_rows.len(),
        "markdown_bytes": markdown_bytes,
        "seconds": seconds,
        "owner_email": args.owner_email,
        "owner_password": args.owner_password,
        "owner_created": owner_created,
        "search_term": vocab.words[search_rank],
        "search_expected_share": vocab.presence(search_rank, avg_words),
        "tag_slug": tag_rows.get(tag_rank).map(|t| t.slug.clone()),
        "tag_id": tag_ids.get(tag_rank),
        "slugs": sample_slugs,
        "update_ids": update_ids,
        "create_body": create_body.to_string(),
    });
    eprintln!(
        "seeded {inserted} posts ({} published, {} drafts, {} scheduled; {:.0} MB of Markdown) \
         in {seconds:.1} s",
        counts[0],
        counts[1],
        counts[2],
        markdown_bytes as f64 / 1e6
    );
    if let Some(path) = &args.manifest {
        std::fs::write(
            path,
            serde_json::to_vec_pretty(&manifest).unwrap_or_default(),
        )
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    Ok(())
}
