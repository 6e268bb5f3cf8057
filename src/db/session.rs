//! A connection lent for one request's reads. Straight to PostgreSQL it is the pooled connection
//! itself. Through a pooler in transaction mode (PgBouncer), a statement outside a transaction may
//! be prepared on one server connection and executed on another, and session settings do not
//! stick: there the session opens a transaction that sets its own limits, and ends it when the
//! request lets the session go.

use std::ops::{Deref, DerefMut};

use diesel_async::pooled_connection::deadpool::PoolError;
use diesel_async::{AnsiTransactionManager, AsyncPgConnection, TransactionManager};

use super::{Conn, Database};

/// Why no session could be had.
#[derive(Debug, thiserror::Error)]
pub enum CheckoutError {
    /// The pool had no connection to give in time, or could not make one.
    #[error(transparent)]
    Pool(#[from] PoolError),
    /// The session's transaction could not be begun.
    #[error(transparent)]
    Begin(#[from] diesel::result::Error),
}

/// A pooled connection for one request's reads; see the module's documentation.
pub struct Session {
    conn: Option<Conn>,
    in_transaction: bool,
}

impl Database {
    /// A session for reads (and for writes that run every statement in a transaction of their
    /// own, which nest inside it as savepoints only through a pooler).
    pub async fn session(&self) -> Result<Session, CheckoutError> {
        let mut conn = self.pool.get().await?;
        let in_transaction = self.pooled;
        if in_transaction {
            AnsiTransactionManager::begin_transaction_sql(&mut *conn, &format!("BEGIN; {}", self.limits.local_sql()))
                .await?;
        }
        Ok(Session {
            conn: Some(conn),
            in_transaction,
        })
    }

    /// A connection for a write that runs all its statements inside one transaction it begins and
    /// commits itself, before it answers.
    pub async fn writer(&self) -> Result<Conn, CheckoutError> {
        Ok(self.pool.get().await?)
    }
}

/// What a write's transaction begins with. Its statements, and those of the triggers they fire,
/// use generic plans: a write reads and changes a few rows by key, whose plans do not depend on
/// the values, while PostgreSQL planned `= ANY($1)` of one id anew on every call (custom plans
/// looked cheaper than a generic one sized for ten ids), a millisecond of the server's time in each
/// commitment's creation. One message: `BEGIN` carries the setting.
const BEGIN_WRITE: &str = "BEGIN; SET LOCAL plan_cache_mode = force_generic_plan";

/// Runs `write` in a transaction of its own begun with [`BEGIN_WRITE`]: committed when it
/// succeeds, rolled back when it fails. On a connection already in a transaction (a session
/// through a pooler, whose statements are never prepared) it runs in a savepoint of it.
pub async fn write_transaction<T, E>(
    conn: &mut AsyncPgConnection,
    write: impl for<'r> AsyncFnOnce(&'r mut AsyncPgConnection) -> Result<T, E>,
) -> Result<T, E>
where
    E: From<diesel::result::Error>,
{
    let nested = AnsiTransactionManager::transaction_manager_status_mut(conn)
        .transaction_depth()?
        .is_some();
    if nested {
        AnsiTransactionManager::begin_transaction(conn).await?;
    } else {
        AnsiTransactionManager::begin_transaction_sql(conn, BEGIN_WRITE).await?;
    }
    match write(&mut *conn).await {
        Ok(value) => {
            AnsiTransactionManager::commit_transaction(conn).await?;
            Ok(value)
        }
        Err(failure) => match AnsiTransactionManager::rollback_transaction(conn).await {
            // A broken transaction manager says less than the failure that broke it.
            Ok(()) | Err(diesel::result::Error::BrokenTransactionManager) => Err(failure),
            Err(rollback) => Err(rollback.into()),
        },
    }
}

impl Session {
    /// Ends the session's transaction, if it has one, before the connection goes back.
    pub async fn end(mut self) -> diesel::QueryResult<()> {
        match self.conn.take() {
            Some(mut conn) if self.in_transaction => finish(&mut conn).await,
            _ => Ok(()),
        }
    }
}

async fn finish(conn: &mut Conn) -> diesel::QueryResult<()> {
    let conn: &mut AsyncPgConnection = conn;
    match AnsiTransactionManager::commit_transaction(conn).await {
        Ok(()) => Ok(()),
        Err(e) => {
            // A failed read left the transaction aborted: roll it back (or the pool drops the
            // connection as broken).
            let _ = AnsiTransactionManager::rollback_transaction(conn).await;
            Err(e)
        }
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        let Some(mut conn) = self.conn.take() else { return };
        if !self.in_transaction || super::abandoned(&mut conn) {
            // Straight back to the pool (an abandoned one is discarded there).
            return;
        }
        // The request is done with its reads: end the transaction off its path. Without a
        // runtime the connection is closed instead, which ends the transaction too.
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            runtime.spawn(async move {
                let _ = finish(&mut conn).await;
            });
        } else {
            let _ = deadpool::managed::Object::take(conn);
        }
    }
}

impl Deref for Session {
    type Target = AsyncPgConnection;

    fn deref(&self) -> &AsyncPgConnection {
        self.conn
            .as_deref()
            .unwrap_or_else(|| unreachable!("a session keeps its connection until dropped"))
    }
}

impl DerefMut for Session {
    fn deref_mut(&mut self) -> &mut AsyncPgConnection {
        self.conn
            .as_deref_mut()
            .unwrap_or_else(|| unreachable!("a session keeps its connection until dropped"))
    }
}
