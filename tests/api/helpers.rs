//! Test harness: a PostgreSQL server (TEST_DATABASE_URL, else the self-managed cluster under
//! ./data), a migrated and seeded template database built once per schema, and `spawn_app()`,
//! which clones the template into a database of the test's own and builds the same app `main`
//! serves, in-process.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};

use actix_http::Request;
use actix_web::body::MessageBody;
use actix_web::dev::{Service, ServiceResponse};
use actix_web::http::{header::HeaderMap, Method, StatusCode};
use actix_web::{test, web};
use alliance_kb::api::AppState;
use alliance_kb::db::Database;
use alliance_kb::pgcluster::ManagedCluster;
use alliance_kb::startup::build_app;
use serde_json::Value;

/// Where test databases are made.
enum Server {
    /// TEST_DATABASE_URL: any database on the server, by a user that may create databases.
    External(url::Url),
    /// The self-managed cluster.
    Managed(Mutex<Option<ManagedCluster>>),
}

static SERVER: OnceLock<Server> = OnceLock::new();
static TEMPLATE: OnceLock<String> = OnceLock::new();
static COUNTER: AtomicU64 = AtomicU64::new(0);

extern "C" fn stop_cluster_at_exit() {
    if let Some(Server::Managed(cluster)) = SERVER.get() {
        if let Ok(mut guard) = cluster.lock() {
            drop(guard.take());
        }
    }
}

fn server() -> &'static Server {
    SERVER.get_or_init(|| match std::env::var("TEST_DATABASE_URL") {
        Ok(url) if !url.is_empty() => Server::External(url::Url::parse(&url).expect("TEST_DATABASE_URL is a URL")),
        _ => {
            let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("data");
            let cluster = std::thread::spawn(move || ManagedCluster::start(&dir))
                .join()
                .expect("cluster thread")
                .expect("the self-managed PostgreSQL cluster starts");
            // The harness exits the process without dropping statics: stop the cluster then.
            unsafe { libc::atexit(stop_cluster_at_exit) };
            Server::Managed(Mutex::new(Some(cluster)))
        }
    })
}

/// The URL of a database on the test server.
pub fn database_url(name: &str) -> String {
    match server() {
        Server::External(base) => {
            let mut url = base.clone();
            url.set_path(&format!("/{name}"));
            url.to_string()
        }
        Server::Managed(cluster) => cluster.lock().unwrap().as_ref().expect("cluster running").url(name),
    }
}

/// Runs `work` on a fresh thread with a runtime of its own, with a plain connection to the
/// server's `postgres` database.
pub fn with_admin<T: Send + 'static>(
    work: impl FnOnce(&tokio_postgres::Client) -> futures::future::BoxFuture<'_, T> + Send + 'static,
) -> T {
    let url = database_url("postgres");
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async move {
            let (client, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
                .await
                .expect("admin connection");
            let task = tokio::spawn(connection);
            let result = work(&client).await;
            drop(client);
            let _ = task.await;
            result
        })
    })
    .join()
    .expect("admin thread")
}

fn schema_fingerprint() -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files: Vec<PathBuf> = Vec::new();
    // The code shapes what the seed stores (its revisions are API representations), so every
    // source file counts, not only the migrations and the seed.
    for dir in ["migrations", "seed", "src"] {
        let mut stack = vec![root.join(dir)];
        while let Some(d) = stack.pop() {
            for entry in std::fs::read_dir(&d).unwrap().flatten() {
                let p = entry.path();
                if p.is_dir() {
                    stack.push(p)
                } else {
                    files.push(p)
                }
            }
        }
    }
    files.sort();
    let mut hasher = DefaultHasher::new();
    for f in files {
        f.strip_prefix(root).unwrap().hash(&mut hasher);
        std::fs::read(&f).unwrap().hash(&mut hasher);
    }
    format!("{:016x}", hasher.finish())
}

/// The migrated and seeded template, built once per schema and seed: under an advisory lock held
/// on one connection from the check to the rename, so that concurrent test processes build it once.
fn template() -> &'static str {
    TEMPLATE.get_or_init(|| {
        let name = format!("akb_template_{}", schema_fingerprint());
        let n = name.clone();
        with_admin(move |admin| {
            Box::pin(async move {
                let building = format!("{n}_building");
                admin.execute("SELECT pg_advisory_lock(7413)", &[]).await.unwrap();
                let found = admin
                    .query_opt("SELECT 1 FROM pg_database WHERE datname = $1", &[&n])
                    .await
                    .unwrap()
                    .is_some();
                if !found {
                    admin
                        .batch_execute(&format!("DROP DATABASE IF EXISTS \"{building}\" WITH (FORCE)"))
                        .await
                        .unwrap();
                    admin
                        .batch_execute(&format!("CREATE DATABASE \"{building}\""))
                        .await
                        .unwrap();
                    let url = database_url(&building);
                    // Migrations and the seed run on runtimes of their own, off this one.
                    tokio::task::spawn_blocking(move || build_template(url)).await.unwrap();
                    admin
                        .batch_execute(&format!("ALTER DATABASE \"{building}\" RENAME TO \"{n}\""))
                        .await
                        .unwrap();
                    // Templates of earlier schemas are of no further use: drop them, so they do not pile up.
                    let stale = admin
                        .query(
                            "SELECT datname FROM pg_database WHERE datname LIKE 'akb\\_template\\_%' AND datname <> $1 \
                              AND datname NOT LIKE '%\\_building'",
                            &[&n],
                        )
                        .await
                        .unwrap();
                    for row in stale {
                        let name: String = row.get(0);
                        let _ = admin
                            .batch_execute(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                            .await;
                    }
                }
                admin.execute("SELECT pg_advisory_unlock(7413)", &[]).await.unwrap();
            })
        });
        name
    })
}

/// Migrates and seeds the database at `url`.
fn build_template(url: String) {
    alliance_kb::db::migrate(&url).expect("migrations apply");
    let seeded = std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            use diesel_async::AsyncConnection;
            let mut conn = diesel_async::AsyncPgConnection::establish(&url).await.unwrap();
            let report = alliance_kb::seed::load_builtin(&mut conn).await;
            alliance_kb::records::history::ensure_current_shape(&mut conn)
                .await
                .expect("the stored representations are of the code's shape");
            report
        })
    })
    .join()
    .unwrap();
    seeded.expect("the built-in seed loads");
}

fn unique_name(prefix: &str) -> String {
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    format!("{prefix}_{}_{nanos}_{n}", std::process::id())
}

/// A database of the test's own, dropped when this guard is.
pub struct TestDatabase {
    /// Its name.
    pub name: String,
    /// Its URL.
    pub url: String,
}

impl TestDatabase {
    /// A clone of the seeded template.
    pub fn seeded() -> Self {
        let template = template().to_owned();
        let name = unique_name("akb_test");
        let n = name.clone();
        with_admin(move |admin| {
            Box::pin(async move {
                admin
                    .batch_execute(&format!("CREATE DATABASE \"{n}\" TEMPLATE \"{template}\""))
                    .await
                    .unwrap();
            })
        });
        TestDatabase {
            url: database_url(&name),
            name,
        }
    }

    /// An empty database, with no migration applied.
    pub fn empty() -> Self {
        let name = unique_name("akb_test");
        let n = name.clone();
        with_admin(move |admin| {
            Box::pin(async move {
                admin.batch_execute(&format!("CREATE DATABASE \"{n}\"")).await.unwrap();
            })
        });
        TestDatabase {
            url: database_url(&name),
            name,
        }
    }

    /// Runs SQL on this database and returns the rows as text.
    pub fn query(&self, sql: &str) -> Vec<Vec<Option<String>>> {
        let url = self.url.clone();
        let sql = sql.to_owned();
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async move {
                let (client, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls).await.unwrap();
                tokio::spawn(connection);
                let messages = client.simple_query(&sql).await.unwrap();
                messages
                    .into_iter()
                    .filter_map(|m| match m {
                        tokio_postgres::SimpleQueryMessage::Row(row) => {
                            Some((0..row.len()).map(|i| row.get(i).map(str::to_owned)).collect())
                        }
                        _ => None,
                    })
                    .collect()
            })
        })
        .join()
        .unwrap()
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let name = self.name.clone();
        with_admin(move |admin| {
            Box::pin(async move {
                let _ = admin
                    .batch_execute(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                    .await;
            })
        });
    }
}

/// An answer from the app.
pub struct TestResponse {
    /// Status code.
    pub status: StatusCode,
    /// Headers.
    pub headers: HeaderMap,
    /// Body bytes.
    pub body: web::Bytes,
}

impl TestResponse {
    /// The body as JSON.
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("body is not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }

    /// A header's value as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Checks the answer is a problem+json with this status, and returns it.
    pub fn problem(&self, status: u16) -> Value {
        assert_eq!(
            self.status.as_u16(),
            status,
            "body: {}",
            String::from_utf8_lossy(&self.body)
        );
        assert_eq!(
            self.header("content-type"),
            Some("application/problem+json; charset=utf-8")
        );
        let problem = self.json();
        assert_eq!(problem["status"], status);
        assert!(problem["type"]
            .as_str()
            .unwrap()
            .starts_with("urn:alliance-kb:problem:"));
        assert!(!problem["title"].as_str().unwrap().is_empty());
        assert!(!problem["detail"].as_str().unwrap().is_empty());
        problem
    }
}

/// The fields a 422 problem names, in its order.
pub fn error_fields(problem: &Value) -> Vec<&str> {
    problem["errors"]
        .as_array()
        .expect("a 422 problem lists its errors")
        .iter()
        .map(|e| e["field"].as_str().expect("each error names its field"))
        .collect()
}

/// The app under test, on a database of its own.
pub struct TestApp<S> {
    /// The in-process service, built by the same factory `main` uses.
    pub service: S,
    /// The app's pool, with its query counter.
    pub db: Database,
    /// The test's database, held so that it is dropped with the app.
    pub database: TestDatabase,
}

/// The app on a clone of the seeded template.
pub async fn spawn_app(
) -> TestApp<impl Service<Request, Response = ServiceResponse<impl MessageBody>, Error = actix_web::Error>> {
    app_on(TestDatabase::seeded()).await
}

/// The app on the given database.
pub async fn app_on(
    database: TestDatabase,
) -> TestApp<impl Service<Request, Response = ServiceResponse<impl MessageBody>, Error = actix_web::Error>> {
    app_with(database, Database::connect).await
}

/// The app on the given database, its pool made by `connect` (url, size).
pub async fn app_with(
    database: TestDatabase,
    connect: fn(&str, usize) -> Result<Database, alliance_kb::db::SetupError>,
) -> TestApp<impl Service<Request, Response = ServiceResponse<impl MessageBody>, Error = actix_web::Error>> {
    let db = connect(&database.url, 4).unwrap();
    let state = web::Data::new(AppState::new(db.clone()));
    let service = test::init_service(build_app(state)).await;
    TestApp { service, db, database }
}

/// The app on the given database, watching the primary's count of committed writes every
/// `interval` as a served instance does; with the watch, for the test to wait on.
pub async fn app_watching(
    database: TestDatabase,
    interval: std::time::Duration,
) -> (
    TestApp<impl Service<Request, Response = ServiceResponse<impl MessageBody>, Error = actix_web::Error>>,
    std::sync::Arc<alliance_kb::db::watch::StateWatch>,
) {
    let db = Database::connect(&database.url, 4).unwrap();
    let watch = alliance_kb::db::watch::StateWatch::start(database.url.clone(), interval);
    let state = web::Data::new(AppState {
        watch: Some(watch.clone()),
        ..AppState::new(db.clone())
    });
    let service = test::init_service(build_app(state)).await;
    (TestApp { service, db, database }, watch)
}

/// Another instance of the service on the same database (a pool of its own, no watch), as a
/// second server behind a balancer would be.
pub async fn another_instance(
    url: &str,
) -> impl Service<Request, Response = ServiceResponse<impl MessageBody>, Error = actix_web::Error> {
    let db = Database::connect(url, 2).unwrap();
    test::init_service(build_app(web::Data::new(AppState::new(db)))).await
}

/// Waits, at most `seconds`, until `done` holds; whether it did.
pub async fn eventually(seconds: u64, mut done: impl AsyncFnMut() -> bool) -> bool {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(seconds);
    while std::time::Instant::now() < deadline {
        if done().await {
            return true;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    false
}

impl<S, B> TestApp<S>
where
    S: Service<Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    /// Sends a request with no body.
    pub async fn request(&self, method: Method, path: &str) -> TestResponse {
        let req = test::TestRequest::default().method(method).uri(path).to_request();
        let res = test::call_service(&self.service, req).await;
        let status = res.status();
        let headers = res.headers().clone();
        let body = test::read_body(res).await;
        TestResponse { status, headers, body }
    }

    /// Sends a request with headers and an optional JSON body.
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<Value>,
    ) -> TestResponse {
        let mut req = test::TestRequest::default().method(method).uri(path);
        for (name, value) in headers {
            req = req.insert_header((*name, *value));
        }
        if let Some(body) = body {
            req = req.set_json(body);
        }
        let res = test::call_service(&self.service, req.to_request()).await;
        let status = res.status();
        let headers = res.headers().clone();
        let body = test::read_body(res).await;
        TestResponse { status, headers, body }
    }

    /// Makes a key directly in the database, as `alliance-kb keys create` does.
    pub async fn make_key(&self, role: alliance_kb::vocab::KeyRole) -> String {
        let mut conn = self.db.pool.get().await.unwrap();
        alliance_kb::api::auth::make_key(&mut conn, "test", role)
            .await
            .unwrap()
            .1
    }

    /// GET, expecting 200 and JSON.
    pub async fn get_json(&self, path: &str) -> Value {
        let res = self.request(Method::GET, path).await;
        assert_eq!(
            res.status,
            StatusCode::OK,
            "GET {path}: {}",
            String::from_utf8_lossy(&res.body)
        );
        assert!(res.header("content-type").unwrap().starts_with("application/json"));
        res.json()
    }

    /// GET.
    pub async fn get(&self, path: &str) -> TestResponse {
        self.request(Method::GET, path).await
    }

    /// Every item of a list, following `next_cursor` page by page; also returns the page count.
    pub async fn get_all(&self, path: &str, limit: u32) -> (Vec<Value>, usize) {
        let separator = if path.contains('?') { '&' } else { '?' };
        let mut items = Vec::new();
        let mut pages = 0;
        let mut cursor: Option<String> = None;
        loop {
            let url = match &cursor {
                None => format!("{path}{separator}limit={limit}"),
                Some(c) => format!("{path}{separator}limit={limit}&cursor={c}"),
            };
            let page = self.get_json(&url).await;
            pages += 1;
            let page_items = page["items"].as_array().unwrap();
            assert!(page_items.len() <= limit as usize);
            items.extend(page_items.iter().cloned());
            match page["next_cursor"].as_str() {
                Some(c) => {
                    assert_eq!(page_items.len(), limit as usize, "a page before the last is full");
                    cursor = Some(c.to_owned());
                }
                None => break,
            }
            assert!(pages < 1000, "paging does not end");
        }
        (items, pages)
    }
}

/// The ids of a list's items.
pub fn ids(items: &[Value]) -> Vec<i64> {
    items.iter().map(|i| i["id"].as_i64().unwrap()).collect()
}

/// The article, byte for byte, from the repository's seed folder.
pub fn article() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("seed/paris-2026-01-07.txt")).unwrap()
}

/// Checks that every citation of a fact is exact: its excerpt is the source text between its
/// offsets, counted in code points.
pub fn assert_citations_exact(fact: &Value, text: &str) {
    let chars: Vec<char> = text.chars().collect();
    let citations = fact["citations"].as_array().unwrap();
    assert!(!citations.is_empty(), "a fact without citations: {fact}");
    for c in citations {
        let (start, end) = (
            c["start"].as_u64().unwrap() as usize,
            c["end"].as_u64().unwrap() as usize,
        );
        let span: String = chars[start..end].iter().collect();
        assert_eq!(span, c["excerpt"].as_str().unwrap(), "citation {c} is not exact");
        assert_eq!(c["reliability"], "ai_generated");
    }
}
