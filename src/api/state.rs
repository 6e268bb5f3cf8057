//! What every request handler can reach: the pool and the service's settings.

use crate::api::error::ApiError;
use crate::db::{Conn, Database};

/// What every request handler can reach.
pub struct AppState {
    /// The connection pool.
    pub db: Database,
    /// The origins browsers may write from; every origin may read.
    pub cors_origins: Vec<String>,
    /// The longest an export or import may run; a stalled export reader is dropped after a tenth.
    pub transfer_timeout: std::time::Duration,
    /// Exports running at once are bounded apart from the pool's other users: a quarter of the
    /// pool, at least one.
    pub exports: std::sync::Arc<tokio::sync::Semaphore>,
}

impl AppState {
    /// The state of a service on `db` with the default settings.
    pub fn new(db: Database) -> Self {
        let exports = (db.pool.status().max_size / 4).max(1);
        AppState {
            db,
            cors_origins: Vec::new(),
            transfer_timeout: std::time::Duration::from_secs(600),
            exports: std::sync::Arc::new(tokio::sync::Semaphore::new(exports)),
        }
    }

    /// A connection from the pool; a database that does not answer is a 503.
    pub async fn conn(&self) -> Result<Conn, ApiError> {
        Ok(self.db.pool.get().await?)
    }
}
