//! The command line: `serve` (the default), `migrate`, `seed`, `openapi`, `help`.

use std::process::ExitCode;

use crate::config::{Config, SETTINGS};
use crate::db::Database;
use crate::startup::{self, PreparedDatabase, StartError};
use crate::{api, seed};

const USAGE: &str = "alliance-kb: the alliance-commitment knowledge base, a REST API over PostgreSQL

Usage: alliance-kb [COMMAND]

Commands:
  serve     serve the API (the default): migrates, seeds an empty knowledge base, then listens
  migrate   apply pending database migrations and exit
  seed      load the built-in seed (records already loaded are left as they are) and exit
  openapi   print the OpenAPI document to standard output
  help      print this help

With no DATABASE_URL, the service runs a PostgreSQL cluster of its own under ./data, made with the
local PostgreSQL programs on first start and stopped when the service stops.";

/// Runs the command line and returns the process's exit code.
pub fn run(args: &[String]) -> ExitCode {
    let command = args.get(1).map(String::as_str).unwrap_or("serve");
    if args.len() > 2 {
        eprintln!("alliance-kb: unexpected argument `{}`; run `alliance-kb help`", args[2]);
        return ExitCode::from(2);
    }
    let result = match command {
        "help" | "--help" | "-h" => {
            println!("{USAGE}\n\nSettings (environment variables):");
            for (name, default, meaning) in SETTINGS {
                println!("  {name:<24} default {default:<16} {meaning}");
            }
            return ExitCode::SUCCESS;
        }
        "version" | "--version" | "-V" => {
            println!("alliance-kb {}", env!("CARGO_PKG_VERSION"));
            return ExitCode::SUCCESS;
        }
        "openapi" => print_document(),
        "serve" | "migrate" | "seed" => with_database(command),
        other => {
            eprintln!("alliance-kb: unknown command `{other}`; the commands are serve, migrate, seed, openapi, help");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            log::error!("{e}");
            ExitCode::FAILURE
        }
    }
}

fn print_document() -> Result<(), StartError> {
    use std::io::Write;
    let json = serde_json::to_string_pretty(&api::openapi()).map_err(std::io::Error::other)?;
    let mut out = std::io::stdout().lock();
    match writeln!(out, "{json}").and_then(|()| out.flush()) {
        // A reader that stops early (`| head`) is not a failure.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => Ok(other?),
    }
}

fn with_database(command: &str) -> Result<(), StartError> {
    let config = Config::from_env().map_err(|e| StartError::Io(std::io::Error::other(e)))?;
    log::info!(
        "alliance-kb {} starting `{command}` with {}",
        env!("CARGO_PKG_VERSION"),
        config.describe()
    );
    // Dropping the prepared database at the end of this function stops a self-managed cluster.
    let prepared: PreparedDatabase = startup::prepare_database(&config)?;
    match command {
        "migrate" => Ok(()),
        "seed" => actix_web::rt::System::new().block_on(async {
            let database = Database::connect(&prepared.url, 2)?;
            let mut conn = database.pool.get().await.map_err(|e| StartError::Pool(e.to_string()))?;
            let report = seed::load_builtin(&mut conn).await?;
            log::info!("seed: {report}");
            println!("{report}");
            Ok(())
        }),
        _ => actix_web::rt::System::new().block_on(startup::serve(&config, &prepared.url)),
    }
}
