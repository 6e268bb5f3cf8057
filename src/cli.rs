//! The command line: `serve` (the default), `migrate`, `seed`, `openapi`, `help`.

use std::process::ExitCode;

use crate::config::{Config, SETTINGS};
use crate::db::Database;
use crate::startup::{self, PreparedDatabase, StartError};
use crate::vocab::KeyRole;
use crate::{api, seed};

const USAGE: &str = "alliance-kb: the alliance-commitment knowledge base, a REST API over PostgreSQL

Usage: alliance-kb [COMMAND]

Commands:
  serve     serve the API (the default): migrates, seeds an empty knowledge base, then listens
  migrate   apply pending database migrations and exit
  seed      load the built-in seed (records already loaded are left as they are) and exit
  openapi   print the OpenAPI document to standard output
  export [FILE]
            write the whole knowledge base as NDJSON to FILE (standard output without one),
            key names included, never their secrets
  import FILE
            load an export (FILE `-` reads standard input) in one transaction; records already
            stored unchanged are left as they are, and any problem leaves everything unwritten
  generate --commitments N [--seed S]
            add N synthetic commitments, with proportional statements, claims, events, people,
            sources, citations, status changes and revisions, all valid under the database's rules,
            for measuring the service at size; the same seed (default 1) gives the same records
  keys create --name NAME --role editor|admin
            make a key for writing; its text is printed this once, only its hash is kept
  keys list     list the keys (without their secrets)
  keys revoke ID
            revoke a key at once
  help      print this help

With no DATABASE_URL, the service runs a PostgreSQL cluster of its own under ./data, made with the
local PostgreSQL programs on first start and stopped when the service stops.";

/// Runs the command line and returns the process's exit code.
pub fn run(args: &[String]) -> ExitCode {
    let command = args.get(1).map(String::as_str).unwrap_or("serve");
    // `alliance-kb generate --help` and the like: the help, not an error about the options.
    let command = if args.iter().skip(2).any(|a| a == "--help" || a == "-h") {
        "help"
    } else {
        command
    };
    if command == "keys" {
        return match KeysCommand::parse(&args[2..]) {
            Ok(keys) => report(with_database("keys", Some(keys))),
            Err(message) => {
                eprintln!("alliance-kb keys: {message}; run `alliance-kb help`");
                ExitCode::from(2)
            }
        };
    }
    if command == "generate" {
        return match parse_generate(&args[2..]) {
            Ok(plan) => report(with_generate(plan)),
            Err(message) => {
                eprintln!("alliance-kb generate: {message}; run `alliance-kb help`");
                ExitCode::from(2)
            }
        };
    }
    if command == "export" || command == "import" {
        if args.len() > 3 || (command == "import" && args.len() < 3) {
            eprintln!("alliance-kb: expected `alliance-kb export [FILE]` or `alliance-kb import FILE`; run `alliance-kb help`");
            return ExitCode::from(2);
        }
        let file = args.get(2).cloned();
        return report(with_transfer(command, file));
    }
    if args.len() > 2 && command != "help" {
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
        "serve" | "migrate" | "seed" => with_database(command, None),
        other => {
            eprintln!(
                "alliance-kb: unknown command `{other}`; the commands are serve, migrate, seed, openapi, export, import, generate, keys, help"
            );
            return ExitCode::from(2);
        }
    };
    report(result)
}

fn report(result: Result<(), StartError>) -> ExitCode {
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

/// A `keys` subcommand.
#[derive(Debug, PartialEq, Eq)]
pub enum KeysCommand {
    /// Make a key.
    Create {
        /// Who or what it is for.
        name: String,
        /// Its role.
        role: KeyRole,
    },
    /// List the keys.
    List,
    /// Revoke a key.
    Revoke(i64),
}

impl KeysCommand {
    /// Parses the words after `keys`.
    pub fn parse(args: &[String]) -> Result<Self, String> {
        let words: Vec<&str> = args.iter().map(String::as_str).collect();
        match words.as_slice() {
            ["list"] => Ok(KeysCommand::List),
            ["revoke", id] => id
                .parse()
                .ok()
                .filter(|id: &i64| *id >= 1)
                .map(KeysCommand::Revoke)
                .ok_or_else(|| format!("`{id}` is not a key id")),
            ["create", rest @ ..] => {
                let (mut name, mut role) = (None, None);
                let mut rest = rest.iter();
                while let Some(flag) = rest.next() {
                    let value = rest.next().ok_or_else(|| format!("{flag} needs a value"))?;
                    match *flag {
                        "--name" => name = Some((*value).to_owned()),
                        "--role" => role = Some(value.parse::<KeyRole>().map_err(|e| e.to_string())?),
                        other => return Err(format!("unknown option {other}")),
                    }
                }
                Ok(KeysCommand::Create {
                    name: name.ok_or("keys create needs --name NAME")?,
                    role: role.ok_or("keys create needs --role editor|admin")?,
                })
            }
            _ => Err("expected `keys create --name NAME --role editor|admin`, `keys list` or `keys revoke ID`".into()),
        }
    }
}

async fn run_keys(url: &str, command: KeysCommand) -> Result<(), StartError> {
    let database = Database::connect(url, 2)?;
    let mut conn = database.pool.get().await.map_err(|e| StartError::Pool(e.to_string()))?;
    let failed = |e: crate::api::error::ApiError| StartError::Io(std::io::Error::other(e.to_string()));
    match command {
        KeysCommand::Create { name, role } => {
            let (row, key) = crate::api::auth::make_key(&mut conn, &name, role)
                .await
                .map_err(failed)?;
            println!("{key}");
            eprintln!(
                "key {} ({role}) for {:?} made; the line above is its text, shown this once: keep it safe",
                row.id, row.name
            );
        }
        KeysCommand::List => {
            let window = crate::db::queries::Window {
                after: None,
                fetch: i64::MAX,
            };
            let keys = crate::db::queries::keys::list(&mut conn, window)
                .await
                .map_err(|e| failed(e.into()))?;
            println!("{:>6}  {:<7}  {:<25}  {:<25}  name", "id", "role", "created", "revoked");
            for k in keys {
                let revoked = k.revoked_at.map_or("-".to_owned(), |t| t.to_rfc3339());
                println!(
                    "{:>6}  {:<7}  {:<25}  {:<25}  {}",
                    k.id,
                    k.role,
                    k.created_at.to_rfc3339(),
                    revoked,
                    k.name
                );
            }
        }
        KeysCommand::Revoke(id) => match crate::db::queries::keys::revoke(&mut conn, id)
            .await
            .map_err(|e| failed(e.into()))?
        {
            Some(key) => println!("key {} ({:?}) is revoked", key.id, key.name),
            None => return Err(StartError::Io(std::io::Error::other(format!("no key has the id {id}")))),
        },
    }
    Ok(())
}

fn with_database(command: &str, keys: Option<KeysCommand>) -> Result<(), StartError> {
    let config = Config::from_env().map_err(|e| StartError::Io(std::io::Error::other(e)))?;
    log::info!(
        "alliance-kb {} starting `{command}` with {}",
        env!("CARGO_PKG_VERSION"),
        config.describe()
    );
    // The address is taken first, so that `/healthz` answers while the database is prepared.
    let listener = match command {
        "serve" => Some(startup::bind(&config)?),
        _ => None,
    };
    let waiting = listener.as_ref().map(startup::WaitingServer::start).transpose()?;
    // Dropping the prepared database at the end of this function stops a self-managed cluster.
    let prepared = startup::prepare_database(&config);
    if let Some(waiting) = waiting {
        waiting.stop();
    }
    let prepared: PreparedDatabase = prepared?;
    match command {
        "migrate" => Ok(()),
        "keys" => match keys {
            Some(keys) => actix_web::rt::System::new().block_on(run_keys(&prepared.url, keys)),
            None => Ok(()),
        },
        "seed" => actix_web::rt::System::new().block_on(async {
            let database = Database::connect(&prepared.url, 2)?;
            let mut conn = database.pool.get().await.map_err(|e| StartError::Pool(e.to_string()))?;
            let report = seed::load_builtin(&mut conn).await?;
            log::info!("seed: {report}");
            println!("{report}");
            Ok(())
        }),
        _ => match listener {
            Some(listener) => actix_web::rt::System::new().block_on(startup::serve(&config, &prepared.url, listener)),
            None => Ok(()),
        },
    }
}

/// Reads the words after `generate`.
pub fn parse_generate(args: &[String]) -> Result<crate::generate::Plan, String> {
    let (mut commitments, mut seed) = (None, 1);
    let mut words = args.iter();
    while let Some(flag) = words.next() {
        let value = words.next().ok_or_else(|| format!("{flag} needs a value"))?;
        let number = value
            .replace('_', "")
            .parse::<u64>()
            .map_err(|_| format!("{flag} takes a whole number, not `{value}`"))?;
        match flag.as_str() {
            "--commitments" => commitments = Some(number),
            "--seed" => seed = number,
            other => return Err(format!("unknown option {other}")),
        }
    }
    match commitments {
        Some(n) if (1..=100_000_000).contains(&n) => Ok(crate::generate::Plan { commitments: n, seed }),
        Some(n) => Err(format!("--commitments takes 1 to 100000000, not {n}")),
        None => Err("expected `generate --commitments N [--seed S]`".into()),
    }
}

/// `generate`, on the database the service would use.
fn with_generate(plan: crate::generate::Plan) -> Result<(), StartError> {
    let failed = |message: String| StartError::Io(std::io::Error::other(message));
    let config = Config::from_env().map_err(|e| failed(e.to_string()))?;
    let prepared: PreparedDatabase = startup::prepare_database(&config)?;
    let started = std::time::Instant::now();
    let report = actix_web::rt::System::new()
        .block_on(crate::generate::generate(&prepared.url, plan, |done, total| {
            let rate = done as f64 / started.elapsed().as_secs_f64().max(0.001);
            log::info!("generate: {done} of {total} commitments loaded ({rate:.0} a second)");
        }))
        .map_err(|e| failed(e.to_string()))?;
    log::info!("generate: {report}");
    println!("{report}");
    Ok(())
}

/// `export [FILE]` and `import FILE`, on the database the service would use.
fn with_transfer(command: &str, file: Option<String>) -> Result<(), StartError> {
    use diesel_async::AsyncConnection;
    use std::io::{Read, Write};
    let failed = |message: String| StartError::Io(std::io::Error::other(message));
    let config = Config::from_env().map_err(|e| failed(e.to_string()))?;
    // Open the file before touching the database, so that a wrong name changes nothing. A file is
    // read twice, line by line (checked, then loaded); standard input, which cannot be, is held.
    let source: Option<Box<dyn crate::transfer::LineSource>> = match (command, file.as_deref()) {
        ("import", Some("-")) => {
            let mut text = String::new();
            std::io::stdin()
                .read_to_string(&mut text)
                .map_err(|e| failed(format!("cannot read standard input as UTF-8 text: {e}")))?;
            Some(Box::new(text))
        }
        ("import", Some(path)) => {
            std::fs::File::open(path).map_err(|e| failed(format!("cannot open {path}: {e}")))?;
            Some(Box::new(crate::transfer::FileLines(path.into())))
        }
        _ => None,
    };
    let prepared: PreparedDatabase = startup::prepare_database(&config)?;
    actix_web::rt::System::new().block_on(async {
        let mut conn = diesel_async::AsyncPgConnection::establish(&prepared.url)
            .await
            .map_err(|e| failed(format!("cannot connect to the database: {e}")))?;
        match source {
            Some(source) => {
                let report = crate::transfer::import(&mut conn, source.as_ref(), 0)
                    .await
                    .map_err(|e| failed(e.to_string()))?;
                log::info!("import: {report}");
                println!("{report}");
                println!("written: {:?}", report.inserted);
            }
            None => {
                let mut out: Box<dyn Write> = match &file {
                    Some(path) => Box::new(std::io::BufWriter::new(
                        std::fs::File::create(path).map_err(|e| failed(format!("cannot create {path}: {e}")))?,
                    )),
                    None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
                };
                let mut export = crate::transfer::Export::start(Box::new(conn), true, 0)
                    .await
                    .map_err(|e| failed(e.to_string()))?;
                let (mut lines, mut bytes) = (0usize, 0usize);
                while let Some(chunk) = export.next_chunk().await.map_err(|e| failed(e.to_string()))? {
                    lines += chunk.iter().filter(|b| **b == b'\n').count();
                    bytes += chunk.len();
                    out.write_all(&chunk)?;
                }
                out.flush()?;
                log::info!("export: {lines} records, {bytes} bytes");
                if file.is_some() {
                    eprintln!("exported {lines} records ({bytes} bytes)");
                }
            }
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<String> {
        text.split_whitespace().map(str::to_owned).collect()
    }

    #[test]
    fn keys_commands_parse_and_bad_ones_say_why() {
        assert_eq!(
            KeysCommand::parse(&words("create --name Desk --role editor")),
            Ok(KeysCommand::Create {
                name: "Desk".into(),
                role: KeyRole::Editor
            })
        );
        assert_eq!(KeysCommand::parse(&words("list")), Ok(KeysCommand::List));
        assert_eq!(KeysCommand::parse(&words("revoke 3")), Ok(KeysCommand::Revoke(3)));
        assert!(KeysCommand::parse(&words("create --name Desk"))
            .unwrap_err()
            .contains("--role"));
        assert!(KeysCommand::parse(&words("create --name Desk --role boss"))
            .unwrap_err()
            .contains("editor, admin"));
        assert!(KeysCommand::parse(&words("revoke x")).is_err());
        assert!(KeysCommand::parse(&words("")).is_err());
    }
}
