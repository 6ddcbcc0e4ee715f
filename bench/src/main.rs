//! `folio-bench`: the tools behind `bench/run`.
//!
//! - `seed` fills a Folio database with a realistic generated dataset;
//! - `ceiling` serves a captured response from memory, the upper bound Folio is compared to.

mod ceiling;
mod rng;
mod seed;
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
    /// Serve one captured response body from memory for every GET.
    Ceiling(ceiling::CeilingArgs),
}

fn main() -> ExitCode {
    let result = match Cli::parse().command {
        Command::Seed(args) => seed::run(args),
        Command::Ceiling(args) => ceiling::run(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("folio-bench: {message}");
            ExitCode::FAILURE
        }
    }
}
