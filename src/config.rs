//! Configuration, read from the environment once at start, checked, and logged without secrets.

use std::net::SocketAddr;
use std::path::PathBuf;

/// Where the knowledge base's data lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseSetting {
    /// A server the operator runs (`DATABASE_URL`); the service creates the database if missing and
    /// manages nothing else.
    Url(String),
    /// A cluster the service runs itself under this folder.
    Managed(PathBuf),
}

/// The service's settings.
#[derive(Debug, Clone)]
pub struct Config {
    /// The database to use.
    pub database: DatabaseSetting,
    /// The address to listen on.
    pub listen: SocketAddr,
    /// The most database connections to hold.
    pub pool_size: usize,
    /// How many HTTP worker threads to run.
    pub workers: usize,
    /// The longest a query of a request may run, in milliseconds.
    pub statement_timeout_ms: u64,
    /// The longest an export or an import may run, and a stalled export may wait for its reader, in seconds.
    pub transfer_timeout_s: u64,
    /// The origins browsers may write from (CORS); reads are open to every origin.
    pub cors_origins: Vec<String>,
    /// How long to wait for PostgreSQL at start before giving up, in seconds.
    pub database_wait_s: u64,
    /// Where migrations and the first seed go when `database` is a pooler (they hold a session
    /// lock); by default the same URL.
    pub direct_url: Option<String>,
    /// Whether a connection pooler in transaction mode (PgBouncer) stands between the service and
    /// the primary.
    pub pooler: Pooler,
    /// Streaming replicas that serve reads.
    pub replica_urls: Vec<String>,
    /// The most a replica may lag behind before reads skip it, in milliseconds.
    pub replica_max_lag_ms: u64,
    /// Whether `GET /metrics` answers.
    pub metrics: bool,
    /// How often the primary's count of committed writes is read, in milliseconds, so that
    /// revalidations it still vouches for are answered without a round trip; 0: never (each
    /// revalidation reads it).
    pub state_poll_ms: u64,
}

/// What stands between the service and its primary database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pooler {
    /// Nothing: the service's own pool holds sessions of the server.
    None,
    /// A pooler in transaction mode (PgBouncer `pool_mode = transaction`): no prepared statement
    /// outlives a transaction and session settings do not stick, so every statement runs inside a
    /// transaction that sets its own limits.
    Transaction,
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// One line of text per record.
    Text,
    /// One JSON object per line (`ts`, `level`, `target`, `message`), for log collectors.
    Json,
}

impl LogFormat {
    /// `ALLIANCE_KB_LOG_FORMAT` from the environment (read before anything else is, so that every
    /// line is in one format).
    pub fn from_env() -> Result<Self, ConfigError> {
        match std::env::var("ALLIANCE_KB_LOG_FORMAT").ok().as_deref().map(str::trim) {
            None | Some("") | Some("text") => Ok(LogFormat::Text),
            Some("json") => Ok(LogFormat::Json),
            Some(other) => Err(ConfigError {
                name: "ALLIANCE_KB_LOG_FORMAT",
                value: other.to_owned(),
                reason: "expected text or json".into(),
            }),
        }
    }
}

/// The settings, their defaults and meanings, as the README's table lists them.
pub const SETTINGS: &[(&str, &str, &str)] = &[
    (
        "DATABASE_URL",
        "(unset)",
        "PostgreSQL server to use; unset, the service runs its own cluster under ALLIANCE_KB_DATA_DIR",
    ),
    (
        "ALLIANCE_KB_DATA_DIR",
        "./data",
        "folder of the self-managed cluster (used only without DATABASE_URL)",
    ),
    (
        "ALLIANCE_KB_LISTEN",
        "127.0.0.1:8080",
        "address and port to serve HTTP on (port 0 picks a free one)",
    ),
    (
        "ALLIANCE_KB_POOL_SIZE",
        "16",
        "most database connections held at once (1 to 1000)",
    ),
    (
        "ALLIANCE_KB_WORKERS",
        "number of cores",
        "HTTP worker threads (1 to 256)",
    ),
    (
        "ALLIANCE_KB_STATEMENT_TIMEOUT_MS",
        "5000",
        "longest a query of a request may run before it is cancelled and answered 503 (100 to 600000)",
    ),
    (
        "ALLIANCE_KB_TRANSFER_TIMEOUT_S",
        "600",
        "longest an export or import may run; a stalled export reader is dropped after a tenth of it (10 to 86400)",
    ),
    (
        "ALLIANCE_KB_CORS_ORIGINS",
        "(none)",
        "comma-separated origins (https://app.example.org) whose browser pages may write; every origin may read",
    ),
    (
        "ALLIANCE_KB_DATABASE_WAIT_S",
        "60",
        "how long to wait at start for PostgreSQL to answer, retrying with backoff (0 to 3600)",
    ),
    (
        "DATABASE_DIRECT_URL",
        "DATABASE_URL",
        "the primary itself, for migrations and the first seed, when DATABASE_URL is a pooler (PgBouncer)",
    ),
    (
        "ALLIANCE_KB_POOLER",
        "none",
        "transaction: DATABASE_URL is PgBouncer in transaction mode (no prepared statements; each read in a transaction of its own)",
    ),
    (
        "DATABASE_REPLICA_URLS",
        "(none)",
        "comma-separated streaming replicas that serve reads; a read that presents a Consistency-Token goes to one that has replayed it",
    ),
    (
        "ALLIANCE_KB_REPLICA_MAX_LAG_MS",
        "5000",
        "a replica further behind than this (or not answering) is skipped and reads go to the primary (0 to 3600000)",
    ),
    (
        "ALLIANCE_KB_STATE_POLL_MS",
        "100",
        "how often the primary's count of committed writes is read, so that a revalidation (If-None-Match) it still vouches for is a 304 without a query; 0 reads it at every revalidation (0 to 60000)",
    ),
    (
        "ALLIANCE_KB_METRICS",
        "on",
        "on: GET /metrics answers in Prometheus text format; off: it answers 404",
    ),
    (
        "ALLIANCE_KB_LOG_FORMAT",
        "text",
        "text, or json (one object per line: ts, level, target, message) for log collectors",
    ),
    (
        "RUST_LOG",
        "info",
        "log filter, as env_logger reads it (e.g. debug, alliance_kb=debug)",
    ),
];

/// A setting has a value the service cannot use.
#[derive(Debug, thiserror::Error)]
#[error("setting {name}={value:?} is invalid: {reason}")]
pub struct ConfigError {
    name: &'static str,
    value: String,
    reason: String,
}

impl Config {
    /// Reads the settings from the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads the settings through `lookup` (the environment, or a map in tests).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let get = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());
        let database = match get("DATABASE_URL") {
            Some(url) => {
                if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
                    return Err(ConfigError {
                        name: "DATABASE_URL",
                        value: redact(&url),
                        reason: "it must start with postgres:// or postgresql://, e.g. postgres://postgres@127.0.0.1:5432/alliance_kb".into(),
                    });
                }
                DatabaseSetting::Url(url)
            }
            None => DatabaseSetting::Managed(PathBuf::from(
                get("ALLIANCE_KB_DATA_DIR").unwrap_or_else(|| "data".into()),
            )),
        };
        let listen_text = get("ALLIANCE_KB_LISTEN").unwrap_or_else(|| "127.0.0.1:8080".into());
        let listen = listen_text.parse().map_err(|_| ConfigError {
            name: "ALLIANCE_KB_LISTEN",
            value: listen_text.clone(),
            reason: "expected an address and port such as 127.0.0.1:8080 or 0.0.0.0:80".into(),
        })?;
        let number = |name: &'static str, default: usize, max: usize| -> Result<usize, ConfigError> {
            match get(name) {
                None => Ok(default),
                Some(text) => match text.trim().parse::<usize>() {
                    Ok(n) if (1..=max).contains(&n) => Ok(n),
                    _ => Err(ConfigError {
                        name,
                        value: text,
                        reason: format!("expected a whole number from 1 to {max}"),
                    }),
                },
            }
        };
        let ranged =
            |name: &'static str, default: u64, range: std::ops::RangeInclusive<u64>| -> Result<u64, ConfigError> {
                match get(name) {
                    None => Ok(default),
                    Some(text) => match text.trim().parse::<u64>() {
                        Ok(n) if range.contains(&n) => Ok(n),
                        _ => Err(ConfigError {
                            name,
                            value: text,
                            reason: format!("expected a whole number from {} to {}", range.start(), range.end()),
                        }),
                    },
                }
            };
        let mut cors_origins = Vec::new();
        if let Some(list) = get("ALLIANCE_KB_CORS_ORIGINS") {
            for origin in list.split(',').map(str::trim).filter(|o| !o.is_empty()) {
                let valid = url::Url::parse(origin)
                    .is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.path() == "/" && !origin.ends_with('/'));
                if !valid {
                    return Err(ConfigError {
                        name: "ALLIANCE_KB_CORS_ORIGINS",
                        value: list.clone(),
                        reason: format!(
                            "`{origin}` is not an origin; write scheme://host[:port], e.g. https://app.example.org"
                        ),
                    });
                }
                cors_origins.push(origin.to_owned());
            }
        }
        let postgres_url = |name: &'static str, url: String| -> Result<String, ConfigError> {
            if url.starts_with("postgres://") || url.starts_with("postgresql://") {
                Ok(url)
            } else {
                Err(ConfigError {
                    name,
                    value: redact(&url),
                    reason: "it must start with postgres:// or postgresql://".into(),
                })
            }
        };
        let direct_url = get("DATABASE_DIRECT_URL")
            .map(|url| postgres_url("DATABASE_DIRECT_URL", url))
            .transpose()?;
        let pooler = match get("ALLIANCE_KB_POOLER").as_deref().map(str::trim) {
            None | Some("none") => Pooler::None,
            Some("transaction") => Pooler::Transaction,
            Some(other) => {
                return Err(ConfigError {
                    name: "ALLIANCE_KB_POOLER",
                    value: other.to_owned(),
                    reason: "expected none or transaction (PgBouncer's pool_mode = transaction)".into(),
                })
            }
        };
        if pooler == Pooler::Transaction && !matches!(database, DatabaseSetting::Url(_)) {
            return Err(ConfigError {
                name: "ALLIANCE_KB_POOLER",
                value: "transaction".into(),
                reason: "a pooler needs DATABASE_URL (the pooler's address) and DATABASE_DIRECT_URL (the primary's)"
                    .into(),
            });
        }
        let mut replica_urls = Vec::new();
        if let Some(list) = get("DATABASE_REPLICA_URLS") {
            for url in list.split(',').map(str::trim).filter(|u| !u.is_empty()) {
                replica_urls.push(postgres_url("DATABASE_REPLICA_URLS", url.to_owned())?);
            }
        }
        let metrics = match get("ALLIANCE_KB_METRICS").as_deref().map(str::trim) {
            None | Some("on") => true,
            Some("off") => false,
            Some(other) => {
                return Err(ConfigError {
                    name: "ALLIANCE_KB_METRICS",
                    value: other.to_owned(),
                    reason: "expected on or off".into(),
                })
            }
        };
        let cores = std::thread::available_parallelism().map_or(2, usize::from);
        Ok(Config {
            direct_url,
            pooler,
            replica_urls,
            replica_max_lag_ms: ranged("ALLIANCE_KB_REPLICA_MAX_LAG_MS", 5_000, 0..=3_600_000)?,
            metrics,
            state_poll_ms: ranged("ALLIANCE_KB_STATE_POLL_MS", 100, 0..=60_000)?,
            database,
            listen,
            pool_size: number("ALLIANCE_KB_POOL_SIZE", 16, 1000)?,
            workers: number("ALLIANCE_KB_WORKERS", cores, 256)?,
            statement_timeout_ms: ranged("ALLIANCE_KB_STATEMENT_TIMEOUT_MS", 5_000, 100..=600_000)?,
            transfer_timeout_s: ranged("ALLIANCE_KB_TRANSFER_TIMEOUT_S", 600, 10..=86_400)?,
            cors_origins,
            database_wait_s: ranged("ALLIANCE_KB_DATABASE_WAIT_S", 60, 0..=3600)?,
        })
    }

    /// The settings in one line, with any password masked.
    pub fn describe(&self) -> String {
        let database = match &self.database {
            DatabaseSetting::Url(url) => format!("database={}", redact(url)),
            DatabaseSetting::Managed(dir) => format!("database=self-managed cluster in {}", dir.display()),
        };
        format!(
            "{database} listen={} pool_size={} workers={} statement_timeout_ms={} transfer_timeout_s={} cors_origins={} database_wait_s={} pooler={} replicas={} replica_max_lag_ms={} metrics={} state_poll_ms={}",
            self.listen,
            self.pool_size,
            self.workers,
            self.statement_timeout_ms,
            self.transfer_timeout_s,
            if self.cors_origins.is_empty() { "(none)".to_owned() } else { self.cors_origins.join(",") },
            self.database_wait_s,
            match self.pooler {
                Pooler::None => "none",
                Pooler::Transaction => "transaction",
            },
            if self.replica_urls.is_empty() {
                "(none)".to_owned()
            } else {
                self.replica_urls.iter().map(|u| redact(u)).collect::<Vec<_>>().join(",")
            },
            self.replica_max_lag_ms,
            if self.metrics { "on" } else { "off" },
            self.state_poll_ms,
        )
    }
}

/// The URL with its password replaced by `***`.
pub fn redact(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("***"));
            parsed.to_string()
        }
        Ok(_) => url.to_owned(),
        Err(_) => "(unparsable URL)".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        Config::from_lookup(|name| map.get(name).cloned())
    }

    #[test]
    fn no_settings_means_a_self_managed_cluster_in_data() {
        let c = config(&[]).unwrap();
        assert_eq!(c.database, DatabaseSetting::Managed(PathBuf::from("data")));
        assert_eq!(c.listen.to_string(), "127.0.0.1:8080");
    }

    #[test]
    fn passwords_never_reach_the_log_line() {
        let c = config(&[("DATABASE_URL", "postgres://u:secret@db:5432/kb")]).unwrap();
        assert!(!c.describe().contains("secret"));
        assert!(c.describe().contains("***"));
    }

    #[test]
    fn bad_values_are_named() {
        let err = config(&[("ALLIANCE_KB_POOL_SIZE", "0")]).unwrap_err();
        assert!(err.to_string().contains("ALLIANCE_KB_POOL_SIZE"));
        assert!(config(&[("DATABASE_URL", "mysql://x")]).is_err());
        assert!(config(&[("ALLIANCE_KB_LISTEN", "nowhere")]).is_err());
        assert!(config(&[("ALLIANCE_KB_CORS_ORIGINS", "https://a.example/path")]).is_err());
        assert!(config(&[("ALLIANCE_KB_STATEMENT_TIMEOUT_MS", "5")]).is_err());
        let ok = config(&[("ALLIANCE_KB_CORS_ORIGINS", "https://a.example, http://localhost:3000")]).unwrap();
        assert_eq!(ok.cors_origins, vec!["https://a.example", "http://localhost:3000"]);
        assert!(config(&[("ALLIANCE_KB_POOLER", "session")]).is_err());
        assert!(
            config(&[("ALLIANCE_KB_POOLER", "transaction")]).is_err(),
            "a pooler needs DATABASE_URL"
        );
        assert!(config(&[("DATABASE_REPLICA_URLS", "postgres://r1/kb, mysql://r2")]).is_err());
        assert!(config(&[("ALLIANCE_KB_METRICS", "maybe")]).is_err());
    }

    #[test]
    fn replicas_pooler_and_metrics_are_read() {
        let c = config(&[
            ("DATABASE_URL", "postgres://u@bouncer:6432/kb"),
            ("DATABASE_DIRECT_URL", "postgres://u@primary:5432/kb"),
            ("ALLIANCE_KB_POOLER", "transaction"),
            ("DATABASE_REPLICA_URLS", "postgres://u:pw@r1/kb,postgres://u@r2/kb"),
            ("ALLIANCE_KB_METRICS", "off"),
        ])
        .unwrap();
        assert_eq!(c.pooler, Pooler::Transaction);
        assert_eq!(c.replica_urls.len(), 2);
        assert!(!c.metrics);
        assert_eq!(c.direct_url.as_deref(), Some("postgres://u@primary:5432/kb"));
        assert!(!c.describe().contains("pw"), "replica passwords are masked");
        let d = config(&[]).unwrap();
        assert_eq!(
            (d.pooler, d.replica_urls.len(), d.metrics, d.replica_max_lag_ms),
            (Pooler::None, 0, true, 5000)
        );
    }
}
