//! The data layer: the connection pool, migrations, and the queries, one module per resource.
//! Query functions take the connection first and return `QueryResult<T>`; they know nothing of
//! HTTP.

pub mod bulk;
pub mod models;
pub mod prepared;
pub mod queries;
pub mod replicas;
pub mod session;
pub mod watch;

pub use session::{CheckoutError, Session};

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use diesel::connection::{Instrumentation, InstrumentationEvent};
use diesel::migration::MigrationSource;
use diesel::pg::Pg;
use diesel::{sql_query, RunQueryDsl as _};
use diesel_async::async_connection_wrapper::AsyncConnectionWrapper;
use diesel_async::pooled_connection::deadpool::{Object, Pool};
use diesel_async::pooled_connection::{AsyncDieselConnectionManager, ManagerConfig, RecyclingMethod};
use diesel_async::{AsyncConnection, AsyncPgConnection, SimpleAsyncConnection};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};
use futures_util::FutureExt;

/// The migrations in `migrations/`, compiled into the binary.
pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations");

/// Key of the PostgreSQL advisory lock held while migrating or seeding, so that two instances
/// starting against one database take turns.
const SCHEMA_LOCK_KEY: i64 = 0x616b_625f_6d69_6772; // "akb_migr"

/// A pooled connection.
pub type Conn = Object<AsyncPgConnection>;

/// The connection pool and the count of queries sent through it.
#[derive(Clone)]
pub struct Database {
    /// The pool every request draws its connection from.
    pub pool: Pool<AsyncPgConnection>,
    /// Queries started on the pool's connections since it was built; tests read it to check that
    /// a page costs the same few queries whatever its length.
    pub queries: Arc<AtomicU64>,
    /// Whether a pooler in transaction mode stands between the pool and the server (then no
    /// statement is prepared to outlive its transaction, and sessions set their limits locally).
    pub pooled: bool,
    /// The limits every session carries.
    pub limits: Limits,
}

/// Something went wrong preparing the database before serving.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    /// The server could not be reached or refused the connection.
    #[error("cannot connect to the database: {0}")]
    Connect(#[from] diesel::ConnectionError),
    /// A statement failed.
    #[error("database error: {0}")]
    Query(#[from] diesel::result::Error),
    /// A migration failed.
    #[error("migration failed: {0}")]
    Migration(String),
    /// The database URL could not be understood.
    #[error("invalid DATABASE_URL: {0}")]
    Url(String),
    /// The pool could not be built.
    #[error("cannot build the connection pool: {0}")]
    Pool(String),
}

/// Counts the queries a connection starts, and knows whether one is still running: a request
/// whose client went away is dropped mid-query, and its connection must not be reused.
struct Tracker {
    queries: Arc<AtomicU64>,
    in_flight: u32,
}

impl Instrumentation for Tracker {
    fn on_connection_event(&mut self, event: InstrumentationEvent<'_>) {
        match event {
            InstrumentationEvent::StartQuery { .. } => {
                self.queries.fetch_add(1, Ordering::Relaxed);
                self.in_flight += 1;
            }
            InstrumentationEvent::FinishQuery { .. } => self.in_flight = self.in_flight.saturating_sub(1),
            _ => {}
        }
    }
}

/// The time limits every pooled connection's session carries.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// The longest a statement may run (PostgreSQL `statement_timeout`), in milliseconds.
    pub statement_timeout_ms: u64,
    /// The longest a session may sit idle inside a transaction before PostgreSQL ends it.
    pub idle_in_transaction_ms: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            statement_timeout_ms: 5_000,
            idle_in_transaction_ms: 60_000,
        }
    }
}

impl Limits {
    /// The session settings that apply the limits. `client_connection_check_interval` makes
    /// PostgreSQL stop a query whose connection was closed (a request abandoned mid-query).
    fn session_sql(&self) -> String {
        format!(
            "SET statement_timeout = {}; SET idle_in_transaction_session_timeout = {}; SET client_connection_check_interval = 1000",
            self.statement_timeout_ms, self.idle_in_transaction_ms
        )
    }

    /// The same settings for the rest of one transaction (through a pooler in transaction mode,
    /// where a session's settings would stay behind on a server connection others share).
    pub fn local_sql(&self) -> String {
        format!(
            "SET LOCAL statement_timeout = {}; SET LOCAL idle_in_transaction_session_timeout = {}; SET LOCAL client_connection_check_interval = 1000",
            self.statement_timeout_ms, self.idle_in_transaction_ms
        )
    }
}

impl Database {
    /// Builds a pool of at most `size` connections with the default [`Limits`].
    pub fn connect(url: &str, size: usize) -> Result<Self, SetupError> {
        Self::connect_with(url, size, Limits::default())
    }

    /// Builds a pool of at most `size` connections whose sessions carry `limits`. Connections are
    /// made lazily; waiting for one is bounded so that a database that is down answers 503
    /// quickly instead of hanging. A connection is handed out again without a round trip, unless
    /// it is closed, its transaction broken, or a query on it was abandoned mid-way (then it is
    /// dropped, which closes it, and PostgreSQL stops the query).
    pub fn connect_with(url: &str, size: usize, limits: Limits) -> Result<Self, SetupError> {
        Self::build(url, size, limits, false, false)
    }

    /// A pool like [`connect_with`](Self::connect_with) through a pooler in transaction mode
    /// (PgBouncer `pool_mode = transaction`): the prepared-statement cache is off, no session
    /// setting is sent, and each [`session`](Self::session) is a transaction that sets its limits.
    pub fn connect_pooled(url: &str, size: usize, limits: Limits) -> Result<Self, SetupError> {
        Self::build(url, size, limits, false, true)
    }

    /// A pool like [`connect_with`](Self::connect_with) whose sessions' notices from the server
    /// (a `RAISE NOTICE`, the plans `auto_explain` reports) go to the log at `info`, under
    /// `tokio_postgres`; the plan checks read the plans of the statements sent this way.
    pub fn connect_logging_notices(url: &str, size: usize) -> Result<Self, SetupError> {
        Self::build(url, size, Limits::default(), true, false)
    }

    fn build(url: &str, size: usize, limits: Limits, log_notices: bool, pooled: bool) -> Result<Self, SetupError> {
        let queries = Arc::new(AtomicU64::new(0));
        let counter = queries.clone();
        let mut config = ManagerConfig::default();
        let session = limits.session_sql();
        config.custom_setup = Box::new(move |url| {
            let counter = counter.clone();
            let session = session.clone();
            async move {
                let mut conn = if log_notices || pooled {
                    let bad = |e: tokio_postgres::Error| diesel::ConnectionError::BadConnection(e.to_string());
                    let (client, connection) =
                        tokio_postgres::connect(url, tokio_postgres::NoTls).await.map_err(bad)?;
                    // Driven as a future, the connection logs each notice it receives.
                    tokio::spawn(connection);
                    // The driver sends its own settings at connect as prepared statements: through
                    // a pooler in transaction mode each half could reach another server
                    // connection, and a statement prepared there would stay behind. Inside a
                    // transaction they stay on one (the pooler carries the settings it tracks to
                    // the others).
                    if pooled {
                        client.batch_execute("BEGIN").await.map_err(bad)?;
                    }
                    let mut conn = AsyncPgConnection::try_from(client).await?;
                    if pooled {
                        conn.batch_execute("COMMIT")
                            .await
                            .map_err(diesel::ConnectionError::CouldntSetupConfiguration)?;
                    }
                    conn
                } else {
                    AsyncPgConnection::establish(url).await?
                };
                if pooled {
                    conn.set_prepared_statement_cache_size(diesel::connection::CacheSize::Disabled);
                } else {
                    conn.batch_execute(&session)
                        .await
                        .map_err(diesel::ConnectionError::CouldntSetupConfiguration)?;
                }
                conn.set_instrumentation(Tracker {
                    queries: counter,
                    in_flight: 0,
                });
                Ok(conn)
            }
            .boxed()
        });
        config.recycling_method = RecyclingMethod::CustomFunction(Box::new(|conn: &mut AsyncPgConnection| {
            let abandoned = abandoned(conn);
            async move {
                if abandoned {
                    Err(diesel::result::Error::QueryBuilderError(
                        "a query on this connection was abandoned mid-way".into(),
                    ))
                } else {
                    Ok(())
                }
            }
            .boxed()
        }));
        let manager = AsyncDieselConnectionManager::new_with_config(url, config);
        let pool = Pool::builder(manager)
            .max_size(size)
            .wait_timeout(Some(Duration::from_secs(5)))
            .create_timeout(Some(Duration::from_secs(5)))
            .recycle_timeout(Some(Duration::from_secs(5)))
            .runtime(deadpool::Runtime::Tokio1)
            .build()
            .map_err(|e| SetupError::Pool(e.to_string()))?;
        Ok(Database {
            pool,
            queries,
            pooled,
            limits,
        })
    }

    /// How many queries the pool's connections have started so far.
    pub fn query_count(&self) -> u64 {
        self.queries.load(Ordering::Relaxed)
    }
}

/// Whether a query on `conn` was started and never finished (its request was dropped mid-way).
fn abandoned(conn: &mut AsyncPgConnection) -> bool {
    conn.instrumentation()
        .downcast_ref::<Tracker>()
        .is_some_and(|t| t.in_flight > 0)
}

/// Creates the database named in `url` if the server does not have it yet, connecting to
/// `admin_url` (by default the same server's `postgres` database) to do so.
pub async fn ensure_database_exists(url: &str, admin_url: Option<&str>) -> Result<(), SetupError> {
    match AsyncPgConnection::establish(url).await {
        Ok(_) => return Ok(()),
        Err(e) if !e.to_string().contains("does not exist") => return Err(e.into()),
        Err(_) => {}
    }
    let (before, name, after) =
        split_database_name(url).ok_or_else(|| SetupError::Url("it names no database".into()))?;
    let admin_url = admin_url.map_or_else(|| format!("{before}postgres{after}"), str::to_owned);
    let mut admin = AsyncPgConnection::establish(&admin_url).await?;
    let name = url::form_urlencoded::parse(format!("n={name}").as_bytes())
        .next()
        .map_or(name.to_owned(), |(_, v)| v.into_owned());
    let create = format!("CREATE DATABASE \"{}\"", name.replace('"', "\"\""));
    match admin.batch_execute(&create).await {
        Ok(()) => {
            log::info!("created database {name}");
            Ok(())
        }
        // Another instance created it between our two connections.
        Err(diesel::result::Error::DatabaseError(_, info)) if info.message().contains("already exists") => Ok(()),
        Err(e) => Err(e.into()),
    }
}

/// Splits a connection URL around its database name: `postgres://h/db?x` gives
/// (`postgres://h/`, `db`, `?x`). Works for socket URLs with an empty host, which `url` refuses.
fn split_database_name(url: &str) -> Option<(&str, &str, &str)> {
    let authority_start = url.find("://")? + 3;
    let path_start = authority_start + url[authority_start..].find('/')? + 1;
    let path_end = url[path_start..].find('?').map_or(url.len(), |i| path_start + i);
    let name = &url[path_start..path_end];
    (!name.is_empty()).then(|| (&url[..path_start], name, &url[path_end..]))
}

/// Applies every pending migration under the schema advisory lock and returns the versions
/// applied. Runs on a thread of its own, outside any async runtime, because the migration harness
/// is synchronous.
pub fn migrate(url: &str) -> Result<Vec<String>, SetupError> {
    let url = url.to_owned();
    std::thread::scope(|scope| {
        scope
            .spawn(move || {
                let mut conn = <AsyncConnectionWrapper<AsyncPgConnection> as diesel::Connection>::establish(&url)?;
                with_schema_lock(&mut conn, |conn| {
                    conn.run_pending_migrations(MIGRATIONS)
                        .map(|versions| versions.iter().map(ToString::to_string).collect())
                        .map_err(|e| SetupError::Migration(e.to_string()))
                })
            })
            .join()
            .unwrap_or_else(|_| Err(SetupError::Migration("the migration thread panicked".into())))
    })
}

/// Reverts every migration, newest first (used by the migration round-trip test).
pub fn revert_all(url: &str) -> Result<usize, SetupError> {
    let url = url.to_owned();
    std::thread::scope(|scope| {
        scope
            .spawn(move || {
                let mut conn = <AsyncConnectionWrapper<AsyncPgConnection> as diesel::Connection>::establish(&url)?;
                with_schema_lock(&mut conn, |conn| {
                    conn.revert_all_migrations(MIGRATIONS)
                        .map(|versions| versions.len())
                        .map_err(|e| SetupError::Migration(e.to_string()))
                })
            })
            .join()
            .unwrap_or_else(|_| Err(SetupError::Migration("the migration thread panicked".into())))
    })
}

/// The number of migrations compiled into the binary.
pub fn migration_count() -> usize {
    MigrationSource::<Pg>::migrations(&MIGRATIONS).map_or(0, |m| m.len())
}

fn with_schema_lock<T>(
    conn: &mut AsyncConnectionWrapper<AsyncPgConnection>,
    work: impl FnOnce(&mut AsyncConnectionWrapper<AsyncPgConnection>) -> Result<T, SetupError>,
) -> Result<T, SetupError> {
    sql_query(format!("SELECT pg_advisory_lock({SCHEMA_LOCK_KEY})")).execute(conn)?;
    let result = work(conn);
    sql_query(format!("SELECT pg_advisory_unlock({SCHEMA_LOCK_KEY})")).execute(conn)?;
    result
}

/// Takes the schema advisory lock for the rest of the transaction `conn` is in (used by seeding).
pub async fn lock_schema_for_transaction(conn: &mut AsyncPgConnection) -> diesel::QueryResult<()> {
    diesel_async::RunQueryDsl::execute(
        sql_query(format!("SELECT pg_advisory_xact_lock({SCHEMA_LOCK_KEY})")),
        conn,
    )
    .await
    .map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::split_database_name;

    #[test]
    fn the_database_name_is_found_in_tcp_and_socket_urls() {
        assert_eq!(
            split_database_name("postgres://u:p@h:5432/kb?sslmode=disable"),
            Some(("postgres://u:p@h:5432/", "kb", "?sslmode=disable"))
        );
        assert_eq!(
            split_database_name("postgres://postgres@/alliance_kb?host=%2Ftmp%2Frun"),
            Some(("postgres://postgres@/", "alliance_kb", "?host=%2Ftmp%2Frun"))
        );
        assert_eq!(split_database_name("postgres://h/"), None);
        assert_eq!(split_database_name("postgres://h"), None);
    }
}
