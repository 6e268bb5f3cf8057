//! The service's metrics, as `GET /metrics` serves them in Prometheus text format: requests by
//! route and status with latency histograms (actix-web-prom), the pools (size, in use, waiting),
//! replicas (answering, lag), reads by the server that served them, database failures, exports
//! and imports. Other modules count their events here; nothing here knows of requests.

use std::sync::LazyLock;

use prometheus::{Encoder as _, IntCounterVec, IntGaugeVec, Opts, Registry, TextEncoder};

use crate::db::replicas::Replicas;
use crate::db::Database;

/// The registry every metric of the process is in.
pub static REGISTRY: LazyLock<Registry> = LazyLock::new(Registry::new);

/// Registers a metric made by `make` (a counter or gauge vector) in [`REGISTRY`]. Called once per
/// metric, from its `LazyLock`, so a second registration cannot happen.
fn registered<M: prometheus::core::Collector + Clone + 'static>(
    name: &str,
    make: impl FnOnce() -> prometheus::Result<M>,
) -> M {
    let metric = make().unwrap_or_else(|e| panic!("metric {name}: {e}"));
    let _ = REGISTRY.register(Box::new(metric.clone()));
    metric
}

fn counter(name: &str, help: &str, labels: &[&str]) -> IntCounterVec {
    registered(name, || IntCounterVec::new(Opts::new(name, help), labels))
}

fn gauge(name: &str, help: &str, labels: &[&str]) -> IntGaugeVec {
    registered(name, || IntGaugeVec::new(Opts::new(name, help), labels))
}

static READS: LazyLock<IntCounterVec> = LazyLock::new(|| {
    counter(
        "alliance_kb_database_reads_total",
        "Read sessions taken, by the server that served them (primary or a replica).",
        &["server"],
    )
});
static DATABASE_FAILURES: LazyLock<IntCounterVec> = LazyLock::new(|| {
    counter(
        "alliance_kb_database_failures_total",
        "Requests the database failed: unavailable (503), timed out, or a fault (500).",
        &["kind"],
    )
});
static TRANSFERS: LazyLock<IntCounterVec> = LazyLock::new(|| {
    counter(
        "alliance_kb_transfers_total",
        "Exports and imports, by how they ended.",
        &["kind", "outcome"],
    )
});
static POOL: LazyLock<IntGaugeVec> = LazyLock::new(|| {
    gauge(
        "alliance_kb_pool_connections",
        "Connections of each pool: max (its bound), open, in_use, idle, and waiting (requests queued for one).",
        &["server", "state"],
    )
});
static REPLICA_UP: LazyLock<IntGaugeVec> = LazyLock::new(|| {
    gauge(
        "alliance_kb_replica_up",
        "1 when the replica answers and serves reads, else 0.",
        &["server"],
    )
});
static REPLICA_LAG: LazyLock<IntGaugeVec> = LazyLock::new(|| {
    gauge(
        "alliance_kb_replica_lag_milliseconds",
        "How far behind the primary the replica last was.",
        &["server"],
    )
});

/// The HTTP middleware that counts requests by route pattern, method and status and times them.
/// Paths no route matches are counted under one label, so that probes of random paths cannot
/// grow the metrics without bound.
pub fn http_metrics() -> actix_web_prom::PrometheusMetrics {
    static HTTP: LazyLock<actix_web_prom::PrometheusMetrics> = LazyLock::new(|| {
        actix_web_prom::PrometheusMetricsBuilder::new("alliance_kb")
            .registry(REGISTRY.clone())
            .mask_unmatched_patterns("UNMATCHED")
            .buckets(&[0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0])
            .build()
            .unwrap_or_else(|e| panic!("the HTTP metrics cannot be registered: {e}"))
    });
    HTTP.clone()
}

/// A read session was taken on `server`.
pub fn read_served(server: &str) {
    READS.with_label_values(&[server]).inc();
}

/// A request failed in the database: `kind` is unavailable, timed_out or fault.
pub fn database_failed(kind: &str) {
    DATABASE_FAILURES.with_label_values(&[kind]).inc();
}

/// An export or import ended: `outcome` is done or failed.
pub fn transfer_ended(kind: &str, outcome: &str) {
    TRANSFERS.with_label_values(&[kind, outcome]).inc();
}

fn pool_gauges(server: &str, status: deadpool::Status) {
    let as_i64 = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
    for (state, n) in [
        ("max", as_i64(status.max_size)),
        ("open", as_i64(status.size)),
        ("in_use", as_i64(status.size.saturating_sub(status.available))),
        ("idle", as_i64(status.available)),
        ("waiting", as_i64(status.waiting)),
    ] {
        POOL.with_label_values(&[server, state]).set(n);
    }
}

/// The metrics in Prometheus text format (0.0.4), with the gauges of the primary's pools (summed) and of
/// each replica read now.
pub fn scrape(primaries: &[Database], replicas: Option<&Replicas>) -> prometheus::Result<Vec<u8>> {
    let sum = primaries
        .iter()
        .map(|d| d.pool.status())
        .reduce(|a, b| deadpool::Status {
            max_size: a.max_size + b.max_size,
            size: a.size + b.size,
            available: a.available + b.available,
            waiting: a.waiting + b.waiting,
        });
    if let Some(primary) = sum {
        pool_gauges("primary", primary);
    }
    if let Some(replicas) = replicas {
        for replica in &replicas.list {
            pool_gauges(&replica.name, replica.db.pool.status());
            let seen = replica.state();
            let up = seen.answering && seen.problem.is_none();
            REPLICA_UP.with_label_values(&[&replica.name]).set(i64::from(up));
            REPLICA_LAG
                .with_label_values(&[&replica.name])
                .set(i64::try_from(seen.lag_ms).unwrap_or(i64::MAX));
        }
    }
    // Touch the counters so that each is listed, at 0, before its first event.
    for kind in ["unavailable", "timed_out", "fault"] {
        let _ = DATABASE_FAILURES.with_label_values(&[kind]);
    }
    for kind in ["export", "import"] {
        for outcome in ["done", "failed"] {
            let _ = TRANSFERS.with_label_values(&[kind, outcome]);
        }
    }
    let _ = READS.with_label_values(&["primary"]);
    let mut text = Vec::new();
    TextEncoder::new().encode(&REGISTRY.gather(), &mut text)?;
    Ok(text)
}
