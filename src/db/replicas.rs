//! Streaming replicas that serve reads. Each has a pool of its own and a state a monitor keeps
//! (every quarter second: does it answer, how far has it replayed, how far behind is it); a read
//! goes to a replica that answers, lags no more than the limit and, when the read presents a
//! consistency token, has replayed past it; otherwise to the primary.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use diesel::sql_types::{BigInt, Bool, Nullable, Text};
use diesel::QueryableByName;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use super::{Database, Limits, SetupError};

/// A position in the primary's write-ahead log (`pg_lsn`), as a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Lsn(pub u64);

impl std::str::FromStr for Lsn {
    type Err = ();

    /// Reads PostgreSQL's form, two hexadecimal halves: `0/16B3748`.
    fn from_str(text: &str) -> Result<Self, ()> {
        let (high, low) = text.split_once('/').ok_or(())?;
        let part = |p: &str| {
            (!p.is_empty() && p.len() <= 8)
                .then(|| u32::from_str_radix(p, 16).ok())
                .flatten()
                .ok_or(())
        };
        Ok(Lsn((u64::from(part(high)?) << 32) | u64::from(part(low)?)))
    }
}

impl std::fmt::Display for Lsn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:X}/{:X}", self.0 >> 32, self.0 & 0xFFFF_FFFF)
    }
}

/// What the monitor last saw of a replica.
#[derive(Debug, Clone, Default)]
pub struct ReplicaState {
    /// It answered the last check, as a standby.
    pub answering: bool,
    /// How far it has replayed the primary's log.
    pub replayed: Lsn,
    /// How far behind the primary it is, in milliseconds (0 when it has replayed all it received).
    pub lag_ms: u64,
    /// Why it is not used, when it is not.
    pub problem: Option<String>,
    /// When it was last checked.
    pub checked: Option<Instant>,
}

/// One replica: where it is (for logs and `/readyz`, without a password), its pool, its state.
pub struct Replica {
    /// Its host and port, or socket.
    pub name: String,
    /// Its pool.
    pub db: Database,
    state: Mutex<ReplicaState>,
}

impl Replica {
    /// What the monitor last saw.
    pub fn state(&self) -> ReplicaState {
        self.state.lock().map(|s| s.clone()).unwrap_or_default()
    }

    fn set(&self, state: ReplicaState) {
        if let Ok(mut s) = self.state.lock() {
            *s = state;
        }
    }
}

/// The replicas, the lag limit, and a turn counter that spreads reads over them.
pub struct Replicas {
    /// Every configured replica, in the order of the setting.
    pub list: Vec<Replica>,
    /// The most a replica may lag behind and still serve reads, in milliseconds.
    pub max_lag_ms: u64,
    turn: AtomicUsize,
}

#[derive(QueryableByName)]
struct Standby {
    #[diesel(sql_type = Bool)]
    recovering: bool,
    #[diesel(sql_type = Nullable<Text>)]
    replayed: Option<String>,
    #[diesel(sql_type = BigInt)]
    lag_ms: i64,
}

/// How far a standby has replayed, and how far behind it is.
async fn standby_state(conn: &mut AsyncPgConnection) -> diesel::QueryResult<Standby> {
    diesel::sql_query(
        "SELECT pg_is_in_recovery() AS recovering, pg_last_wal_replay_lsn()::text AS replayed, \
         (CASE WHEN pg_last_wal_receive_lsn() IS NOT DISTINCT FROM pg_last_wal_replay_lsn() THEN 0 \
          ELSE COALESCE(EXTRACT(EPOCH FROM clock_timestamp() - pg_last_xact_replay_timestamp()) * 1000, 0) END)::bigint AS lag_ms",
    )
    .get_result(conn)
    .await
}

#[derive(QueryableByName)]
struct Position {
    #[diesel(sql_type = Text)]
    lsn: String,
}

/// Where the primary's log ends now: read after a write commits, it is past the write's commit
/// record, so a replica that has replayed it sees the write.
pub async fn current_lsn(conn: &mut AsyncPgConnection) -> diesel::QueryResult<Lsn> {
    let position: Position = diesel::sql_query("SELECT pg_current_wal_lsn()::text AS lsn")
        .get_result(conn)
        .await?;
    position
        .lsn
        .parse()
        .map_err(|()| diesel::result::Error::QueryBuilderError(format!("unreadable LSN {}", position.lsn).into()))
}

impl Replicas {
    /// Pools for each of `urls` (named by `names`, without passwords), of `size` connections.
    pub fn connect(
        urls: &[(String, String)],
        size: usize,
        limits: Limits,
        max_lag_ms: u64,
    ) -> Result<Self, SetupError> {
        let mut list = Vec::with_capacity(urls.len());
        for (url, name) in urls {
            list.push(Replica {
                name: name.clone(),
                db: Database::connect_with(url, size, limits)?,
                state: Mutex::new(ReplicaState {
                    problem: Some("not checked yet".into()),
                    ..ReplicaState::default()
                }),
            });
        }
        Ok(Replicas {
            list,
            max_lag_ms,
            turn: AtomicUsize::new(0),
        })
    }

    /// The index of a replica to read from: one that answers, lags no more than the limit, and
    /// has replayed `after` if given; taking turns. None sends the read to the primary.
    pub fn pick(&self, after: Option<Lsn>) -> Option<usize> {
        let n = self.list.len();
        if n == 0 {
            return None;
        }
        let start = self.turn.fetch_add(1, Ordering::Relaxed);
        (0..n).map(|k| (start + k) % n).find(|&i| {
            let s = self.list[i].state();
            s.answering && s.lag_ms <= self.max_lag_ms && after.is_none_or(|lsn| s.replayed >= lsn)
        })
    }

    /// A read on replica `i` failed as if it were gone: skip it until the monitor sees it answer.
    pub fn suspect(&self, i: usize, why: &str) {
        if let Some(replica) = self.list.get(i) {
            let mut state = replica.state();
            if state.answering {
                log::warn!(
                    "replica {} failed a read ({why}); reads go elsewhere until it answers again",
                    replica.name
                );
            }
            state.answering = false;
            state.problem = Some(why.to_owned());
            replica.set(state);
        }
    }

    /// Checks every replica once, each within a second.
    pub async fn check_all(&self) {
        for replica in &self.list {
            let before = replica.state();
            let result = tokio::time::timeout(Duration::from_secs(1), async {
                let mut conn = replica.db.pool.get().await.map_err(|e| e.to_string())?;
                standby_state(&mut conn).await.map_err(|e| e.to_string())
            })
            .await
            .unwrap_or_else(|_| Err("no answer within 1 s".into()));
            let state = match result {
                Ok(s) if !s.recovering => ReplicaState {
                    problem: Some("it is not a standby (not in recovery)".into()),
                    ..ReplicaState::default()
                },
                Ok(s) => {
                    let lag_ms = u64::try_from(s.lag_ms).unwrap_or(0);
                    ReplicaState {
                        answering: true,
                        replayed: s.replayed.as_deref().and_then(|t| t.parse().ok()).unwrap_or_default(),
                        lag_ms,
                        problem: (lag_ms > self.max_lag_ms)
                            .then(|| format!("{lag_ms} ms behind, more than ALLIANCE_KB_REPLICA_MAX_LAG_MS")),
                        checked: None,
                    }
                }
                Err(e) => ReplicaState {
                    problem: Some(e),
                    ..ReplicaState::default()
                },
            };
            let usable = |s: &ReplicaState| s.answering && s.problem.is_none();
            // Logged at the first check, then whenever it starts or stops serving.
            if before.checked.is_none() || usable(&before) != usable(&state) {
                match &state.problem {
                    None => log::info!("replica {} serves reads", replica.name),
                    Some(problem) => log::warn!("replica {} skipped: {problem}", replica.name),
                }
            }
            replica.set(ReplicaState {
                checked: Some(Instant::now()),
                ..state
            });
        }
    }

    /// Checks once now, then every quarter second for as long as `self` lives elsewhere.
    pub async fn monitor(self: &Arc<Self>) {
        self.check_all().await;
        let weak = Arc::downgrade(self);
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_millis(250)).await;
                let Some(replicas) = weak.upgrade() else { break };
                replicas.check_all().await;
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::Lsn;

    #[test]
    fn lsns_read_and_print_as_postgresql_writes_them() {
        let lsn: Lsn = "1/16B3748".parse().unwrap();
        assert_eq!(lsn.0, (1 << 32) | 0x16B_3748);
        assert_eq!(lsn.to_string(), "1/16B3748");
        assert!("0/0".parse::<Lsn>().unwrap() < lsn);
        for bad in ["", "12", "x/1", "1/", "/1", "123456789/0", "1/2/3"] {
            assert!(bad.parse::<Lsn>().is_err(), "{bad}");
        }
    }
}
