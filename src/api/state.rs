//! What every request handler can reach: the pool, the replicas and the service's settings; and
//! where a request's reads go.

use std::sync::Arc;

use crate::api::error::ApiError;
use crate::db::replicas::{Lsn, Replicas};
use crate::db::watch::StateWatch;
use crate::db::{Conn, Database, Session};

/// What every request handler can reach.
#[derive(Clone)]
pub struct AppState {
    /// The connection pool of the primary this worker draws from.
    pub db: Database,
    /// The primary's pools of every worker, [`db`](Self::db) among them (the metrics sum them).
    pub primaries: Arc<Vec<Database>>,
    /// Streaming replicas that serve reads, if any are configured.
    pub replicas: Option<Arc<Replicas>>,
    /// The origins browsers may write from; every origin may read.
    pub cors_origins: Vec<String>,
    /// The longest an export or import may run; a stalled export reader is dropped after a tenth.
    pub transfer_timeout: std::time::Duration,
    /// Exports running at once are bounded apart from the pool's other users: a quarter of the
    /// pool, at least one.
    pub exports: std::sync::Arc<tokio::sync::Semaphore>,
    /// Whether `GET /metrics` answers.
    pub metrics: bool,
    /// The primary's count of committed writes, read a few times a second: revalidations whose
    /// tag it still vouches for are answered without a round trip. None: every revalidation reads
    /// the state from the database.
    pub watch: Option<Arc<StateWatch>>,
}

/// Where the reads of the request being served may go, set for its whole handling by
/// [`super::consistency::route_reads`].
#[derive(Debug, Clone, Copy, Default)]
pub struct ReadRoute {
    /// A public read (GET or HEAD without a key): a replica may serve it.
    pub replica_ok: bool,
    /// The consistency token the request presented: only a replica that has replayed it may.
    pub after: Option<Lsn>,
}

tokio::task_local! {
    /// The request's [`ReadRoute`], and the replica that served its reads, if one did.
    pub(crate) static ROUTE: (ReadRoute, std::cell::Cell<Option<usize>>);
}

impl AppState {
    /// The state of a service on `db` with the default settings.
    pub fn new(db: Database) -> Self {
        Self::pooled(vec![db])
    }

    /// The state of a service whose workers each draw from one of `primaries` (at least one; this
    /// state's [`db`](Self::db) is the first), with the default settings. Exports may take a
    /// quarter of all their connections, at least one.
    pub fn pooled(primaries: Vec<Database>) -> Self {
        let total: usize = primaries.iter().map(|d| d.pool.status().max_size).sum();
        let exports = (total / 4).max(1);
        AppState {
            db: primaries[0].clone(),
            primaries: Arc::new(primaries),
            replicas: None,
            cors_origins: Vec::new(),
            transfer_timeout: std::time::Duration::from_secs(600),
            exports: std::sync::Arc::new(tokio::sync::Semaphore::new(exports)),
            metrics: true,
            watch: None,
        }
    }

    /// A session for the request's reads: on a replica when the request may be served by one and
    /// one is fit to (it answers, lags no more than the limit, has replayed the request's token),
    /// else on the primary. A database that does not answer is a 503.
    pub async fn conn(&self) -> Result<Session, ApiError> {
        let route = ROUTE.try_with(|(route, _)| *route).unwrap_or_default();
        if let (true, Some(replicas)) = (route.replica_ok, &self.replicas) {
            if let Some(i) = replicas.pick(route.after) {
                match replicas.list[i].db.session().await {
                    Ok(session) => {
                        let _ = ROUTE.try_with(|(_, served)| served.set(Some(i)));
                        super::metrics::read_served(&replicas.list[i].name);
                        return Ok(session);
                    }
                    Err(e) => replicas.suspect(i, &e.to_string()),
                }
            }
        }
        super::metrics::read_served("primary");
        Ok(self.db.session().await?)
    }

    /// The state the watch vouches for, for a request that may be answered from it: not one that
    /// presents a `Consistency-Token` (it asks for a state at least as new as its own write).
    pub fn watched_state(&self) -> Option<(&StateWatch, i64)> {
        let watch = self.watch.as_deref()?;
        let route = ROUTE.try_with(|(route, _)| *route).unwrap_or_default();
        if route.after.is_some() {
            return None;
        }
        Some((watch, watch.current()?))
    }

    /// A connection of the primary for a write that runs all its statements in one transaction
    /// of its own, committed before it answers.
    pub async fn writer(&self) -> Result<Conn, ApiError> {
        Ok(self.db.writer().await?)
    }
}
