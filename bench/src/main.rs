//! `folio-bench`: the tools behind `bench/run`.
//!
//! - `seed` fills a Folio database with a realistic generated dataset;
//! - `ceiling` serves a captured response from memory, the upper bound Folio is compared to;
//! - `render-ceiling` answers the list from the database with one prepared statement, the
//!   least work any correct implementation must do, the second bound Folio is compared to;
//! - `markdown` times rendering pathological Markdown at growing sizes;
//! - `revisions` measures what a post's history costs on disk;
//! - `media` measures uploads, variants, serving files and memory on a running `folio serve`.

mod ceiling;
mod markdown;
mod media;
mod render_ceiling;
mod revisions;
mod rng;
mod seed;
mod sink;
mod text;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "folio-bench", about = "Folio's benchmark tools")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Add generated authors, tags and posts (and an owner account) to a Folio database.
    Seed(seed::SeedArgs),
    /// Delete the posts added after a rowid, as Folio deletes them (a run's writes, from a
    /// kept dataset).
    Forget(seed::ForgetArgs),
    /// Serve one captured response body from memory for every GET.
    Ceiling(ceiling::CeilingArgs),
    /// Answer the list of 15 from the database with one prepared statement, as Folio's JSON.
    RenderCeiling(render_ceiling::RenderCeilingArgs),
    /// Receive webhook deliveries and note when each post's `post.added` arrived.
    Sink(sink::SinkArgs),
    /// Time rendering families of pathological Markdown at growing sizes.
    Markdown(markdown::MarkdownArgs),
    /// Make one post with a history and report the revisions table's size.
    Revisions(revisions::RevisionsArgs),
    /// Start `folio serve` and measure uploads, variants, serving a variant, and memory.
    Media(media::MediaArgs),
    /// Render one generated input and print the seconds it took (run by `markdown`).
    #[command(hide = true)]
    RenderOne(markdown::RenderOneArgs),
}

fn main() -> ExitCode {
    let result = match Cli::parse().command {
        Command::Seed(args) => seed::run(args),
        Command::Forget(args) => seed::forget(args),
        Command::Ceiling(args) => ceiling::run(args),
        Command::RenderCeiling(args) => render_ceiling::run(args),
        Command::Sink(args) => sink::run(args),
        Command::Markdown(args) => markdown::run(args),
        Command::Revisions(args) => revisions::run(args),
        Command::Media(args) => media::run(args),
        Command::RenderOne(args) => markdown::run_one(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("folio-bench: {message}");
            ExitCode::FAILURE
        }
    }
}
