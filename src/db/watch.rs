//! The primary's count of committed writes, watched from a connection of its own: read a few
//! times a second, so that a revalidation (`If-None-Match`) whose tag still names the count can be
//! answered without a round trip.
//!
//! What the watch holds is at most one interval old, and never claims a state this instance has
//! written past: a write answered by this instance forgets the count (until the next reading that
//! began after it), so its writer never meets its own change answered as unchanged. Writes by
//! other instances or other programs are seen at the next reading.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use super::queries::stored::STATE_SQL;

/// The last count read, and how many times it was forgotten.
#[derive(Debug, Default)]
struct Known {
    /// The count, while it is known.
    state: Option<i64>,
    /// Bumped by every [`StateWatch::forget`]: a reading that began before one is not kept.
    epoch: u64,
}

/// The versions of records read while the count was `state`: valid while it still is.
#[derive(Debug, Default)]
struct Versions {
    state: i64,
    versions: HashMap<(&'static str, i64), i32>,
}

/// The most versions kept at once (about 2.5 MB); past it, none is added until the count changes.
const MOST_VERSIONS: usize = 65_536;

/// The watch; see the module's documentation.
#[derive(Debug)]
pub struct StateWatch {
    known: Mutex<Known>,
    versions: Mutex<Versions>,
}

impl StateWatch {
    /// Starts watching the count on the server at `url` every `interval`, on a task of the
    /// current runtime; the task ends when the returned watch is dropped. Until its first reading
    /// (and while the server does not answer) the count is unknown.
    pub fn start(url: String, interval: Duration) -> Arc<Self> {
        let watch = Arc::new(StateWatch {
            known: Mutex::new(Known::default()),
            versions: Mutex::new(Versions::default()),
        });
        tokio::spawn(watch_loop(Arc::downgrade(&watch), url, interval));
        watch
    }

    /// The count as last read, if it is known.
    pub fn current(&self) -> Option<i64> {
        self.known.lock().map_or(None, |k| k.state)
    }

    /// Forgets the count: called once a write of this instance has committed, before it answers.
    pub fn forget(&self) {
        if let Ok(mut known) = self.known.lock() {
            known.epoch = known.epoch.wrapping_add(1);
            known.state = None;
        }
    }

    /// The version of a record (`entity` as the revisions name it) read while the count was
    /// `state` (the count [`current`](Self::current) gave), if one was.
    pub fn version(&self, state: i64, entity: &'static str, id: i64) -> Option<i32> {
        let kept = self.versions.lock().ok()?;
        if kept.state != state {
            return None;
        }
        kept.versions.get(&(entity, id)).copied()
    }

    /// Keeps the version of a record read from a snapshot taken after the watch knew the count as
    /// `state`. Nothing is kept for an older count than the one versions are kept for.
    pub fn remember(&self, state: i64, entity: &'static str, id: i64, version: i32) {
        let Ok(mut kept) = self.versions.lock() else { return };
        if kept.state < state {
            kept.state = state;
            kept.versions.clear();
        }
        if kept.state == state && kept.versions.len() < MOST_VERSIONS {
            kept.versions.insert((entity, id), version);
        }
    }

    fn epoch(&self) -> u64 {
        self.known.lock().map_or(0, |k| k.epoch)
    }

    /// Keeps a reading, unless the count was forgotten since it began.
    fn keep(&self, began: u64, state: Option<i64>) {
        if let Ok(mut known) = self.known.lock() {
            if known.epoch == began {
                known.state = state;
            }
        }
    }
}

async fn watch_loop(watch: Weak<StateWatch>, url: String, interval: Duration) {
    let mut client: Option<tokio_postgres::Client> = None;
    // Said once per spell without the count, not at every reading.
    let mut said = false;
    loop {
        let Some(strong) = watch.upgrade() else { return };
        if client.as_ref().is_none_or(tokio_postgres::Client::is_closed) {
            client = match tokio_postgres::connect(&url, tokio_postgres::NoTls).await {
                Ok((c, connection)) => {
                    tokio::spawn(connection);
                    Some(c)
                }
                Err(e) => {
                    if !said {
                        log::warn!(
                            "the state watch cannot connect ({e}); revalidations read the state from the database until it can"
                        );
                        said = true;
                    }
                    None
                }
            };
        }
        let began = strong.epoch();
        // The simple protocol: one message, no prepared statement, so that it works through a
        // pooler in transaction mode too.
        let state = match &client {
            Some(c) => match c.simple_query(STATE_SQL).await {
                Ok(messages) => messages.iter().find_map(|m| match m {
                    tokio_postgres::SimpleQueryMessage::Row(row) => row.get(0).and_then(|v| v.parse().ok()),
                    _ => None,
                }),
                Err(e) => {
                    log::debug!("the state watch could not read the count: {e}");
                    None
                }
            },
            None => None,
        };
        if state.is_some() && said {
            log::info!("the state watch reads the count of writes again");
            said = false;
        }
        strong.keep(began, state);
        drop(strong);
        tokio::time::sleep(interval).await;
    }
}
