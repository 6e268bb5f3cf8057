//! Start-up: preparing the database (own cluster or given server, then migrations and first
//! seed), the application factory shared by `main` and the tests, and the HTTP server.

use std::net::TcpListener;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::middleware::{from_fn, ErrorHandlers, Logger};
use actix_web::{web, App, HttpServer};
use utoipa::OpenApi as _;
use utoipa_actix_web::AppExt;
use utoipa_swagger_ui::SwaggerUi;

use crate::api::{self, error::ApiError, AppState};
use crate::config::{Config, DatabaseSetting, Pooler};
use crate::db::replicas::Replicas;
use crate::db::{self, Database};
use crate::pgcluster::{self, ManagedCluster};
use crate::seed;

/// The application: every route, the OpenAPI document and Swagger UI, problem+json for every
/// error, `?pretty=true`, HEAD wherever GET is served, and one access-log line per request. `main` and the tests
/// both build it here.
pub fn build_app(
    state: web::Data<AppState>,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    let (app, document) = App::new()
        .into_utoipa_app()
        .openapi(api::ApiDoc::openapi())
        // `/v1/`, as the README and the start-up log print it, is the index too (documented as `/v1`).
        .route("/v1/", web::get().to(api::handlers::meta::get_index_alias))
        .configure(api::routes)
        .split_for_parts();
    // What is derived from the document is the same for every worker and every app the process
    // builds: made once (about 15 ms of a start), then shared.
    static DERIVED: std::sync::OnceLock<(web::Data<api::RouteTable>, web::Data<api::ServedDocument>)> =
        std::sync::OnceLock::new();
    let (routes, served) = DERIVED
        .get_or_init(|| {
            let document = api::complete(document);
            (
                web::Data::new(api::RouteTable::from_document(&document)),
                web::Data::new(api::ServedDocument::new(&document)),
            )
        })
        .clone();
    let cors = api::guard::cors(state.cors_origins.clone());
    app.app_data(state)
        .app_data(routes)
        .app_data(served)
        .route("/openapi.json", web::get().to(api::serve_document))
        .route("/metrics", web::get().to(api::handlers::meta::get_metrics))
        .app_data(api::path_config())
        .app_data(api::json_config())
        .app_data(web::PayloadConfig::new(api::guard::SOURCE_BODY_LIMIT))
        .route("/swagger-ui/", web::get().to(api::swagger_index))
        .route("/", web::get().to(api::handlers::meta::redirect("/v1/")))
        .route(
            "/swagger-ui",
            web::get().to(api::handlers::meta::redirect("/swagger-ui/")),
        )
        .service(
            SwaggerUi::new("/swagger-ui/{_:.*}")
                // "none": never send the document to the public validator; it works offline.
                .config(
                    utoipa_swagger_ui::Config::from("/openapi.json")
                        .validator_url("none")
                        .display_operation_id(true),
                ),
        )
        .default_service(web::to(api::no_route))
        .wrap(ErrorHandlers::new().default_handler(api::problem_for_plain_errors))
        .wrap(from_fn(api::consistency::route_reads))
        .wrap(from_fn(api::guard::guard))
        .wrap(cors)
        // Inside compression, so that `pretty=true` indents the JSON before it is compressed.
        .wrap(from_fn(api::present::presentation))
        .wrap(actix_web::middleware::Compress::default())
        .wrap(from_fn(api::guard::plain_when_small))
        .wrap(api::metrics::http_metrics())
        .wrap(from_fn(api::guard::request_id))
        .wrap(Logger::new("%a \"%r\" %s %b %Dms request=%{x-request-id}o"))
}

/// Failure to start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// The self-managed cluster could not be used.
    #[error(transparent)]
    Cluster(#[from] pgcluster::ClusterError),
    /// The database could not be prepared.
    #[error(transparent)]
    Database(#[from] db::SetupError),
    /// The seed could not be loaded.
    #[error(transparent)]
    Seed(#[from] seed::SeedError),
    /// No connection could be had from the pool.
    #[error("cannot get a database connection: {0}")]
    Pool(String),
    /// The network or the runtime failed.
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

/// The database the service will use, migrated; with the cluster that serves it, if the service
/// runs its own (dropping it stops the cluster).
pub struct PreparedDatabase {
    /// The URL of the primary itself (`DATABASE_DIRECT_URL` when a pooler is in between), for
    /// migrations, seeding and the command line's work.
    pub url: String,
    /// The self-managed cluster, if any.
    pub cluster: Option<ManagedCluster>,
}

/// Starts the self-managed cluster if no `DATABASE_URL` is set, creates the database if it is
/// missing, and applies pending migrations. Call outside any async runtime.
pub fn prepare_database(config: &Config) -> Result<PreparedDatabase, StartError> {
    let (url, admin_url, cluster) = match &config.database {
        DatabaseSetting::Url(url) => (config.direct_url.clone().unwrap_or_else(|| url.clone()), None, None),
        DatabaseSetting::Managed(dir) => {
            let cluster = ManagedCluster::start(dir)?;
            (
                cluster.url(pgcluster::DATABASE_NAME),
                Some(cluster.url("postgres")),
                Some(cluster),
            )
        }
    };
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    runtime.block_on(wait_for_database(&url, admin_url.as_deref(), config.database_wait_s))?;
    let applied = db::migrate(&url)?;
    if applied.is_empty() {
        log::info!("database schema is up to date ({} migrations)", db::migration_count());
    } else {
        log::info!("applied {} migrations: {}", applied.len(), applied.join(", "));
    }
    Ok(PreparedDatabase { url, cluster })
}

/// Where a database URL points, for log lines: host and port, or the socket folder.
fn server_of(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(u) => match (u.host_str(), u.port_or_known_default()) {
            (Some(host), port) if !host.is_empty() => format!("{host}:{}", port.unwrap_or(5432)),
            _ => u
                .query_pairs()
                .find(|(k, _)| k == "host")
                .map_or_else(|| "the default socket".to_owned(), |(_, v)| format!("socket {v}")),
        },
        Err(_) => "(unparsable URL)".to_owned(),
    }
}

/// Connects to the database (creating it if missing), retrying with backoff (0.5 s doubling to
/// 8 s) for up to `wait_s` seconds while PostgreSQL does not answer, and logging each try with the
/// server and the cause. A refusal that waiting cannot cure (a wrong password, a bad URL) ends it
/// at once.
async fn wait_for_database(url: &str, admin_url: Option<&str>, wait_s: u64) -> Result<(), StartError> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(wait_s);
    let mut delay = std::time::Duration::from_millis(500);
    let mut attempt = 1;
    loop {
        let error = match db::ensure_database_exists(url, admin_url).await {
            Ok(()) => return Ok(()),
            Err(error) => error,
        };
        let cause = error.to_string();
        let passing = [
            "connection refused",
            "could not connect",
            "starting up",
            "shutting down",
            "timed out",
            "no such file",
            "recovery mode",
            "error connecting",
        ]
        .iter()
        .any(|m| cause.to_ascii_lowercase().contains(m));
        let now = std::time::Instant::now();
        if !passing || now >= deadline {
            log::error!(
                "PostgreSQL at {} did not answer after {attempt} tries over {wait_s}s (ALLIANCE_KB_DATABASE_WAIT_S): {cause}",
                server_of(url)
            );
            return Err(error.into());
        }
        log::warn!(
            "waiting for PostgreSQL at {} (try {attempt}, next in {:.1}s): {cause}",
            server_of(url),
            delay.as_secs_f32()
        );
        tokio::time::sleep(delay.min(deadline - now)).await;
        delay = (delay * 2).min(std::time::Duration::from_secs(8));
        attempt += 1;
    }
}

/// Loads the built-in seed if the knowledge base holds no source yet.
pub async fn seed_if_empty(database: &Database) -> Result<(), StartError> {
    let mut conn = database.pool.get().await.map_err(|e| StartError::Pool(e.to_string()))?;
    let seeded = db::queries::sources::any(&mut conn)
        .await
        .map_err(db::SetupError::from)?;
    if !seeded {
        let report = seed::load_builtin(&mut conn).await?;
        log::info!("seeded an empty knowledge base: {report}");
    }
    // Reads answer from the stored representations: they must be of this code's shape.
    crate::records::history::ensure_current_shape(&mut conn)
        .await
        .map_err(|e| StartError::Pool(format!("cannot bring the stored representations up to date: {e}")))?;
    Ok(())
}

/// Binds the address to serve on; a failure names the address and the setting.
pub fn bind(config: &Config) -> Result<TcpListener, StartError> {
    TcpListener::bind(config.listen).map_err(|e| {
        StartError::Io(std::io::Error::new(
            e.kind(),
            format!(
                "cannot listen on {} ({e}); free the port or choose another with ALLIANCE_KB_LISTEN (port 0 picks a free one)",
                config.listen
            ),
        ))
    })
}

/// A minimal server on the service's address while the database is being prepared: `/healthz`
/// answers 200 (the process is up), everything else 503 problem+json (not ready yet).
pub struct WaitingServer {
    handle: Option<actix_web::dev::ServerHandle>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl WaitingServer {
    /// Starts serving on a clone of `listener`, on a thread of its own.
    pub fn start(listener: &TcpListener) -> Result<Self, StartError> {
        let listener = listener.try_clone()?;
        let (sender, receiver) = std::sync::mpsc::channel();
        let thread = std::thread::spawn(move || {
            let system = actix_web::rt::System::new();
            let result = system.block_on(async move {
                let server = HttpServer::new(|| {
                    App::new()
                        .route(
                            "/healthz",
                            web::get().to(|| async {
                                actix_web::HttpResponse::Ok().json(serde_json::json!({"status": "ok"}))
                            }),
                        )
                        .default_service(web::to(|| async {
                            // Not through ApiError's responder, which would log every poll.
                            let error = ApiError::Unavailable("the service is starting".into());
                            api::error::problem_response(
                                actix_web::http::StatusCode::SERVICE_UNAVAILABLE,
                                &error.problem(),
                            )
                        }))
                })
                .workers(1)
                .disable_signals()
                .listen(listener)?
                .run();
                let _ = sender.send(server.handle());
                server.await
            });
            if let Err(e) = result {
                log::warn!("the waiting server stopped: {e}");
            }
        });
        let handle = receiver.recv_timeout(std::time::Duration::from_secs(10)).ok();
        Ok(WaitingServer {
            handle,
            thread: Some(thread),
        })
    }

    /// Stops it, letting the real server take the address.
    pub fn stop(mut self) {
        if let Some(handle) = self.handle.take() {
            let system = actix_web::rt::System::new();
            system.block_on(handle.stop(false));
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// The pools a service serves from: the primary's, one for each worker (through the pooler when
/// there is one), and each replica's (whose monitor `serve` starts).
///
/// A connection's messages are driven by a task on the worker that opened it: a worker that drew
/// another's connection would hand each query to that worker and wait to be handed its answer
/// back (two wake-ups across threads per statement). So each worker draws from a pool of its own,
/// the `ALLIANCE_KB_POOL_SIZE` connections split among them; with fewer connections than
/// workers, workers share pools, so the bound holds.
pub fn connect(
    config: &Config,
    direct_url: &str,
) -> Result<(Vec<Database>, Option<std::sync::Arc<Replicas>>), StartError> {
    let limits = db::Limits {
        statement_timeout_ms: config.statement_timeout_ms,
        ..db::Limits::default()
    };
    let mut primaries = Vec::new();
    for size in pool_sizes(config.pool_size, config.workers) {
        primaries.push(match (&config.database, config.pooler) {
            (DatabaseSetting::Url(url), Pooler::Transaction) => Database::connect_pooled(url, size, limits)?,
            _ => Database::connect_with(direct_url, size, limits)?,
        });
    }
    if config.replica_urls.is_empty() {
        return Ok((primaries, None));
    }
    let named: Vec<(String, String)> = config
        .replica_urls
        .iter()
        .map(|url| (url.clone(), server_of(url)))
        .collect();
    let replicas = std::sync::Arc::new(Replicas::connect(
        &named,
        config.pool_size,
        limits,
        config.replica_max_lag_ms,
    )?);
    Ok((primaries, Some(replicas)))
}

/// `total` connections split into one pool per worker (as many pools as connections at most),
/// the sizes differing by one at most.
fn pool_sizes(total: usize, workers: usize) -> Vec<usize> {
    let pools = workers.clamp(1, total.max(1));
    (0..pools)
        .map(|i| total / pools + usize::from(i < total % pools))
        .collect()
}

/// Serves the API on `listener` until SIGINT or SIGTERM.
pub async fn serve(config: &Config, direct_url: &str, listener: TcpListener) -> Result<(), StartError> {
    // Seeding holds a lock for its transaction and writes many statements: straight to the primary.
    let direct = Database::connect(direct_url, 2)?;
    seed_if_empty(&direct).await?;
    drop(direct);
    let (primaries, replicas) = connect(config, direct_url)?;
    if let Some(replicas) = &replicas {
        // The first check, before serving, logs each replica's state.
        replicas.monitor().await;
    }
    let address = listener.local_addr()?;
    log::info!("serving the knowledge base at http://{address}/v1/ (Swagger UI at http://{address}/swagger-ui/)");
    let state = AppState {
        cors_origins: config.cors_origins.clone(),
        transfer_timeout: std::time::Duration::from_secs(config.transfer_timeout_s),
        replicas,
        metrics: config.metrics,
        watch: (config.state_poll_ms > 0).then(|| {
            db::watch::StateWatch::start(
                direct_url.to_owned(),
                std::time::Duration::from_millis(config.state_poll_ms),
            )
        }),
        ..AppState::pooled(primaries)
    };
    // Called once on each worker's thread as it starts: each takes the next pool.
    let next = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    HttpServer::new(move || {
        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed) % state.primaries.len();
        build_app(web::Data::new(AppState {
            db: state.primaries[i].clone(),
            ..state.clone()
        }))
    })
    .workers(config.workers)
    // A client that closes its connection has given up on its request: stop serving it, so
    // that its query is dropped (and stopped by PostgreSQL) instead of running to its end.
    .h1_allow_half_closed(false)
    .shutdown_timeout(10)
    .listen(listener)?
    .run()
    .await?;
    log::info!("stopped serving");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::pool_sizes;

    #[test]
    fn the_connections_are_split_among_the_workers_and_their_bound_kept() {
        assert_eq!(pool_sizes(16, 2), vec![8, 8]);
        assert_eq!(pool_sizes(17, 4), vec![5, 4, 4, 4]);
        assert_eq!(pool_sizes(16, 1), vec![16]);
        // Fewer connections than workers: a pool of one each, shared.
        assert_eq!(pool_sizes(2, 8), vec![1, 1]);
        for total in 1..40 {
            for workers in 1..12 {
                let sizes = pool_sizes(total, workers);
                assert_eq!(sizes.iter().sum::<usize>(), total, "{total} {workers}");
                assert!(
                    sizes.len() <= workers && sizes.iter().all(|&n| n >= 1),
                    "{total} {workers}"
                );
            }
        }
    }
}
