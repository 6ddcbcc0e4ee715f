use std::process::ExitCode;

use clap::Parser;
use folio::config::{Cli, Command, Config, UserCommand};
use folio::{setup, telemetry};
use secrecy::{ExposeSecret, SecretString};

fn main() -> ExitCode {
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
