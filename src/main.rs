//! The `folio` command: parses the command line, then calls the library.

use std::process::ExitCode;

use clap::Parser;
use folio::config::{Cli, Command, Config, UserCommand};
use folio::{setup, telemetry};
use secrecy::{ExposeSecret, SecretString};

fn main() -> ExitCode {
    keep_large_allocations_returnable();
    let cli = Cli::parse();
    telemetry::init(&cli.global.log_filter, cli.global.log_format);
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("folio: {message}");
            ExitCode::FAILURE
        }
    }
}

/// glibc raises its mmap threshold after the first large block is freed; from then on each
/// Argon2 hash's 19 MiB is carved from a per-thread arena and kept there, and a burst of
/// sign-ins grew the process by gigabytes (3.2 GB after 10 s of logins at 32 connections).
/// A fixed threshold keeps blocks that large mmapped, and returned when freed (64 MB peak).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[allow(unsafe_code)] // The one call into C; everything else stays safe Rust.
fn keep_large_allocations_returnable() {
    // SAFETY: mallopt only sets an allocator parameter, before any other thread exists.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 4 * 1024 * 1024);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn keep_large_allocations_returnable() {}

fn run(cli: Cli) -> Result<(), String> {
    match cli.command {
        None => serve(Config::new(&cli.global, &cli.serve), &cli.serve),
        Some(Command::Serve(args)) => serve(Config::new(&cli.global, &args), &args),
        Some(Command::Migrate) => {
            setup::open_database(&Config::new(&cli.global, &cli.serve))
                .map_err(|e| e.to_string())?;
            println!("The database is up to date.");
            Ok(())
        }
        Some(Command::Openapi) => {
            print!("{}", folio::openapi::pretty_json());
            Ok(())
        }
        Some(Command::User(UserCommand::Create {
            email,
            name,
            role,
            password,
        })) => {
            let password = match password {
                Some(p) => p,
                None => SecretString::from(
                    rpassword::prompt_password(format!("Password for {email}: "))
                        .map_err(|e| format!("cannot read the password: {e}"))?,
                ),
            };
            let db = setup::open_database(&Config::new(&cli.global, &cli.serve))
                .map_err(|e| e.to_string())?;
            let id = setup::create_account(&db, &email, &name, role, &password)
                .map_err(|e| e.to_string())?;
            println!("Created {role} {email} (author id {id}).");
            Ok(())
        }
    }
}

fn serve(config: Config, args: &folio::config::ServeArgs) -> Result<(), String> {
    let (state, notices) = setup::open(&config).map_err(|e| e.to_string())?;
    if let Some((email, password)) = notices.generated_owner {
        println!(
            "\nCreated the owner account.\n  email:    {email}\n  password: {}\n\
             This password is shown once. Sign in and change it.\n",
            password.expose_secret()
        );
    }
    actix_web::rt::System::new()
        .block_on(folio::serve(state, &args.bind, args.workers))
        .map_err(|e| format!("cannot serve on {}: {e}", args.bind))
}
