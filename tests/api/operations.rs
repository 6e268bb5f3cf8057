//! What operators meet: request ids, `/metrics`, the consistency token, `/readyz` with replicas,
//! and the pool's mode for a pooler in transaction mode. (Two instances, HAProxy, PgBouncer and a
//! real streaming replica are in `tests/scale/`.)

use std::sync::Arc;

use actix_web::http::Method;
use actix_web::{test, web};
use alliance_kb::api::AppState;
use alliance_kb::db::replicas::Replicas;
use alliance_kb::db::{Database, Limits};
use alliance_kb::startup::build_app;
use alliance_kb::vocab::KeyRole;
use serde_json::{json, Value};

use crate::helpers::{app_with, spawn_app, TestDatabase};

#[actix_web::test]
async fn every_answer_names_its_request() {
    let app = spawn_app().await;
    let given = app
        .send(
            Method::GET,
            "/v1/nations/FR",
            &[("x-request-id", "newsroom-7f3a")],
            None,
        )
        .await;
    assert_eq!(
        given.header("x-request-id"),
        Some("newsroom-7f3a"),
        "the client's id is kept"
    );
    let made = app.get("/v1/nations/FR").await;
    let id = made.header("x-request-id").unwrap();
    assert!(id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit()), "{id}");
    assert_ne!(app.get("/v1/nations/FR").await.header("x-request-id"), Some(id));
    let long = "x".repeat(129);
    for unusable in [long.as_str(), "two words"] {
        let res = app
            .send(Method::GET, "/v1/nations/FR", &[("x-request-id", unusable)], None)
            .await;
        assert_eq!(
            res.header("x-request-id").unwrap().len(),
            32,
            "{unusable:?} is replaced"
        );
    }
    let problem = app.get("/v1/nowhere").await;
    assert!(problem.header("x-request-id").is_some(), "errors carry one too");
}

fn sample(text: &str, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    text.lines()
        .filter(|line| !line.starts_with('#'))
        .filter_map(|line| {
            let (series, value) = line.rsplit_once(' ')?;
            let (metric, rest) = series.split_once('{').unwrap_or((series, ""));
            (metric == name && labels.iter().all(|(k, v)| rest.contains(&format!("{k}=\"{v}\""))))
                .then(|| value.parse::<f64>().ok())
                .flatten()
        })
        .reduce(|a, b| a + b)
}

#[actix_web::test]
async fn metrics_count_requests_by_route_and_show_the_pool() {
    let app = spawn_app().await;
    let count = |text: &str| {
        sample(
            text,
            "alliance_kb_http_requests_total",
            &[("endpoint", "/v1/commitments/{id}"), ("status", "200")],
        )
        .unwrap_or(0.0)
    };
    let before = count(std::str::from_utf8(&app.get("/metrics").await.body).unwrap());
    for id in [1, 2, 3] {
        assert_eq!(app.get(&format!("/v1/commitments/{id}")).await.status, 200);
    }
    for n in 0..5 {
        app.get(&format!("/probe-{n}")).await;
    }
    let res = app.get("/metrics").await;
    assert_eq!(res.status, 200);
    assert!(res
        .header("content-type")
        .unwrap()
        .starts_with("text/plain; version=0.0.4"));
    let text = std::str::from_utf8(&res.body).unwrap();
    // Other tests of this binary share the process's counters: the count grew by at least three.
    assert!(count(text) >= before + 3.0, "{} then {}", before, count(text));
    assert!(
        !text.contains("/probe-"),
        "unmatched paths are counted under one label, not one each"
    );
    assert!(text.contains("endpoint=\"UNMATCHED\""));
    assert_eq!(
        sample(
            text,
            "alliance_kb_pool_connections",
            &[("server", "primary"), ("state", "max")]
        ),
        Some(4.0)
    );
    for name in [
        "alliance_kb_http_requests_duration_seconds_bucket",
        "alliance_kb_database_failures_total",
        "alliance_kb_transfers_total",
        "alliance_kb_database_reads_total",
    ] {
        assert!(sample(text, name, &[]).is_some(), "{name} is listed");
    }
    assert_eq!(res.header("cache-control"), Some("no-store"));
}

#[actix_web::test]
async fn metrics_can_be_switched_off() {
    let database = TestDatabase::seeded();
    let state = AppState {
        metrics: false,
        ..AppState::new(Database::connect(&database.url, 2).unwrap())
    };
    let app = test::init_service(build_app(web::Data::new(state))).await;
    let res = test::call_service(&app, test::TestRequest::get().uri("/metrics").to_request()).await;
    assert_eq!(res.status(), 404);
    let body: Value = test::read_body_json(res).await;
    assert!(body["detail"].as_str().unwrap().contains("ALLIANCE_KB_METRICS"));
}

#[actix_web::test]
async fn a_consistency_token_is_checked_and_without_replicas_changes_nothing() {
    let app = spawn_app().await;
    for bad in ["yesterday", "1/", "0/xyz", "123456789/0"] {
        let problem = app
            .send(Method::GET, "/v1/commitments/1", &[("consistency-token", bad)], None)
            .await
            .problem(400);
        assert!(
            problem["detail"].as_str().unwrap().contains("Consistency-Token"),
            "{bad}"
        );
    }
    let read = app
        .send(
            Method::GET,
            "/v1/commitments/1",
            &[("consistency-token", "0/16B3748")],
            None,
        )
        .await;
    assert_eq!(read.status, 200);
    let auth = format!("Bearer {}", app.make_key(KeyRole::Editor).await);
    let made = app
        .send(
            Method::POST,
            "/v1/people",
            &[("authorization", &auth)],
            Some(json!({"name": "Token Less"})),
        )
        .await;
    assert_eq!(made.status, 201);
    assert_eq!(
        made.header("consistency-token"),
        None,
        "with no replica every read sees every write: no token is needed"
    );
}

#[actix_web::test]
async fn a_replica_that_is_not_a_standby_is_skipped_and_reported() {
    let database = TestDatabase::seeded();
    let db = Database::connect(&database.url, 2).unwrap();
    // The test's database given as a replica: it answers, but it is not in recovery.
    let replicas = Arc::new(
        Replicas::connect(
            &[(database.url.clone(), "not-a-standby:5432".into())],
            2,
            Limits::default(),
            5000,
        )
        .unwrap(),
    );
    replicas.check_all().await;
    assert_eq!(replicas.pick(None), None, "reads go to the primary");
    let state = AppState {
        replicas: Some(replicas),
        ..AppState::new(db)
    };
    let app = test::init_service(build_app(web::Data::new(state))).await;
    let res = test::call_service(&app, test::TestRequest::get().uri("/readyz").to_request()).await;
    assert_eq!(res.status(), 200);
    let ready: Value = test::read_body_json(res).await;
    assert_eq!(ready["status"], "ready");
    assert_eq!(ready["replicas"][0]["server"], "not-a-standby:5432");
    assert_eq!(ready["replicas"][0]["serving"], false);
    assert!(ready["replicas"][0]["problem"]
        .as_str()
        .unwrap()
        .contains("not a standby"));
    let read = test::call_service(&app, test::TestRequest::get().uri("/v1/commitments/1").to_request()).await;
    assert_eq!(read.status(), 200, "the primary serves the read");
    let auth = {
        let mut conn = database_conn(&database).await;
        format!(
            "Bearer {}",
            alliance_kb::api::auth::make_key(&mut conn, "t", KeyRole::Editor)
                .await
                .unwrap()
                .1
        )
    };
    let made = test::call_service(
        &app,
        test::TestRequest::post()
            .uri("/v1/people")
            .insert_header(("authorization", auth))
            .set_json(json!({"name": "With Token"}))
            .to_request(),
    )
    .await;
    assert_eq!(made.status(), 201);
    let token = made.headers().get("consistency-token").unwrap().to_str().unwrap();
    assert!(token.parse::<alliance_kb::db::replicas::Lsn>().is_ok(), "{token}");
}

/// The text value of `sql`, a statement of one text parameter answering one row with a column
/// `value`, on this session.
async fn text_of(conn: &mut diesel_async::AsyncPgConnection, sql: &str, parameter: &str) -> String {
    #[derive(diesel::QueryableByName)]
    struct Value {
        #[diesel(sql_type = diesel::sql_types::Text)]
        value: String,
    }
    diesel_async::RunQueryDsl::get_result::<Value>(
        diesel::sql_query(sql).bind::<diesel::sql_types::Text, _>(parameter),
        conn,
    )
    .await
    .unwrap()
    .value
}

/// A setting's value in `conn`'s session.
async fn setting(conn: &mut diesel_async::AsyncPgConnection, name: &str) -> String {
    text_of(conn, "SELECT current_setting($1) AS value", name).await
}

async fn database_conn(database: &TestDatabase) -> alliance_kb::db::Conn {
    Database::connect(&database.url, 1).unwrap().pool.get().await.unwrap()
}

#[actix_web::test]
async fn through_a_pooler_every_read_and_write_ends_its_transaction() {
    fn pooled(url: &str, size: usize) -> Result<Database, alliance_kb::db::SetupError> {
        Database::connect_pooled(url, size, Limits::default())
    }
    let app = app_with(TestDatabase::seeded(), pooled).await;
    assert!(app.db.pooled);
    let auth = format!("Bearer {}", app.make_key(KeyRole::Editor).await);
    for path in [
        "/v1/commitments/1",
        "/v1/commitments?limit=3",
        "/v1/search?q=troops",
        "/v1/nations/FR/profile",
    ] {
        assert_eq!(app.get(path).await.status, 200, "{path}");
    }
    let made = app
        .send(
            Method::POST,
            "/v1/people",
            &[("authorization", &auth)],
            Some(json!({"name": "Pooled Person"})),
        )
        .await;
    assert_eq!(made.status, 201);
    let id = made.json()["id"].as_i64().unwrap();
    let etag = made.header("etag").unwrap().to_owned();
    let patched = app
        .send(
            Method::PATCH,
            &format!("/v1/people/{id}"),
            &[("authorization", &auth), ("if-match", &etag)],
            Some(json!({"name": "Pooled Person 2"})),
        )
        .await;
    assert_eq!(patched.status, 200);
    assert_eq!(
        app.get_json(&format!("/v1/people/{id}")).await["name"],
        "Pooled Person 2"
    );
    // A status step is written inside the session's own transaction (a savepoint of it); one
    // refused at its checks is rolled back there, and the session still ends.
    let pledged = crate::stored::create_a_frigate(&app, &auth).await;
    let status_path = format!("/v1/commitments/{}/status", pledged.json()["id"]);
    let step = async |excerpt: &str| {
        let body = json!({"status": "delivered", "citations": [{"source_id": 1, "excerpt": excerpt}]});
        app.send(Method::POST, &status_path, &[("authorization", &auth)], Some(body))
            .await
    };
    assert_eq!(step("words the source does not hold").await.status, 422);
    let stepped = step("Belgium offered naval and air support").await;
    assert_eq!(stepped.status, 201, "{}", String::from_utf8_lossy(&stepped.body));
    assert_eq!(stepped.json()["status"], "delivered");
    // A missing record is an error inside the read's transaction: it is rolled back, not left open.
    assert_eq!(app.get("/v1/commitments/999999").await.status, 404);
    // Sessions end their transactions off the request's path: give them a moment.
    let mut open = Vec::new();
    for _ in 0..50 {
        open = app.database.query(
            "SELECT state FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND state LIKE 'idle in transaction%'",
        );
        if open.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(open.is_empty(), "sessions left in a transaction: {open:?}");
    // The limits hold inside each session's transaction, and only there.
    let show = async |conn: &mut diesel_async::AsyncPgConnection| setting(conn, "statement_timeout").await;
    let mut session = app.db.session().await.unwrap();
    assert_eq!(show(&mut session).await, "5s");
    session.end().await.unwrap();
    let mut conn = app.db.pool.get().await.unwrap();
    assert_eq!(
        show(&mut conn).await,
        "0",
        "no session-wide setting is sent through a pooler"
    );
}

#[actix_web::test]
async fn a_write_plans_generically_inside_its_transaction_only_and_is_rolled_back_whole() {
    use alliance_kb::db::session::write_transaction;
    let mode = async |conn: &mut diesel_async::AsyncPgConnection| setting(conn, "plan_cache_mode").await;
    let database = TestDatabase::seeded();
    let mut conn = database_conn(&database).await;
    let inside = write_transaction::<_, diesel::result::Error>(&mut conn, async |conn| Ok(mode(conn).await))
        .await
        .unwrap();
    assert_eq!(inside, "force_generic_plan");
    assert_eq!(mode(&mut conn).await, "auto", "the setting ends with the write");
    let failed = write_transaction::<(), diesel::result::Error>(&mut conn, async |conn| {
        diesel_async::RunQueryDsl::execute(diesel::sql_query("CREATE TABLE write_probe (n int)"), conn).await?;
        Err(diesel::result::Error::RollbackTransaction)
    })
    .await;
    assert!(matches!(failed, Err(diesel::result::Error::RollbackTransaction)));
    assert_eq!(
        database.query("SELECT to_regclass('write_probe') IS NULL"),
        vec![vec![Some("t".to_owned())]],
        "a failed write leaves nothing"
    );
    assert_eq!(mode(&mut conn).await, "auto");
}

#[actix_web::test]
async fn the_timeline_the_summaries_as_of_pages_and_changes_are_prepared_once_per_connection_but_never_through_a_pooler(
) {
    use alliance_kb::db::queries::{revisions, stored, summaries};
    /// How many statements this session keeps prepared whose text contains `needle`.
    async fn kept(conn: &mut diesel_async::AsyncPgConnection, needle: &str) -> String {
        text_of(
            conn,
            "SELECT count(*)::text AS value FROM pg_prepared_statements
              WHERE strpos(statement, $1) > 0 AND strpos(statement, 'pg_prepared_statements') = 0",
            needle,
        )
        .await
    }
    let database = TestDatabase::seeded();
    let timeline = "FROM timeline_entries t WHERE";
    let tallies = "FROM commitment_tallies";
    // The `as_of` page and the changes feed: their texts are made per call, from the conditions
    // asked for, yet each shape is prepared once (parsed and planned anew per page, they cost
    // PostgreSQL a third more at a million commitments).
    let as_of = "FROM revisions r WHERE r.entity = $1 AND r.changed_at <= $2";
    let changes = "FROM revisions r WHERE r.changed_at > $1";
    let at = chrono::Utc::now();
    let filter = |nation: Option<&str>| stored::AsOfFilter {
        entity: "commitments",
        at,
        include_retracted: false,
        contains: nation.map_or_else(|| json!({}), |n| json!({"nation": n})),
        any_of: json!({}),
        date_range: None,
        text: None,
        drop_field: None,
    };
    let since = chrono::DateTime::UNIX_EPOCH;
    let mut conn = database_conn(&database).await;
    let (mut pages, mut as_of_pages, mut changed) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..3 {
        pages.push(
            summaries::timeline_page(&mut conn, "FR", None, None, None, 51)
                .await
                .unwrap()
                .len(),
        );
        summaries::commitment_counts(&mut conn, "FR").await.unwrap();
        stored::visible_state(&mut conn).await.unwrap();
        as_of_pages.push(
            stored::as_of_page(&mut conn, &filter(None), None, 51)
                .await
                .unwrap()
                .len(),
        );
        stored::as_of_page(&mut conn, &filter(Some("FR")), None, 51)
            .await
            .unwrap();
        changed.push(revisions::since(&mut conn, since, None, 51).await.unwrap().len());
    }
    assert!(pages[0] > 0 && pages.iter().all(|n| *n == pages[0]), "{pages:?}");
    assert!(
        as_of_pages[0] > 0 && as_of_pages.iter().all(|n| *n == as_of_pages[0]),
        "{as_of_pages:?}"
    );
    assert!(
        changed[0] > 0 && changed.iter().all(|n| *n == changed[0]),
        "{changed:?}"
    );
    assert_eq!(kept(&mut conn, timeline).await, "1");
    assert_eq!(kept(&mut conn, tallies).await, "1");
    assert_eq!(kept(&mut conn, stored::STATE_SQL).await, "1");
    // One statement for each shape asked for: without a nation, and with one.
    assert_eq!(kept(&mut conn, as_of).await, "2");
    assert_eq!(kept(&mut conn, changes).await, "1");
    // Words are planned for each request: how many records a word matches decides the plan.
    let words = stored::AsOfFilter {
        text: Some("troops".to_owned()),
        ..filter(None)
    };
    for _ in 0..2 {
        stored::as_of_page(&mut conn, &words, None, 51).await.unwrap();
    }
    assert_eq!(kept(&mut conn, "websearch_to_tsquery").await, "0");
    // A page past the bound the entries are walked under is another statement, answered whole.
    let everything = summaries::timeline_page(&mut conn, "", None, None, None, 1000)
        .await
        .unwrap();
    let first = summaries::timeline_page(&mut conn, "", None, None, None, 5)
        .await
        .unwrap();
    assert!(everything.len() > first.len(), "{} {}", everything.len(), first.len());
    assert_eq!(
        first.iter().map(|r| r.entry_id).collect::<Vec<_>>(),
        everything
            .iter()
            .take(first.len())
            .map(|r| r.entry_id)
            .collect::<Vec<_>>()
    );
    assert_eq!(kept(&mut conn, timeline).await, "3");
    // Through a pooler in transaction mode nothing may outlive its transaction.
    let pooled = Database::connect_pooled(&database.url, 1, Limits::default()).unwrap();
    let mut conn = pooled.pool.get().await.unwrap();
    summaries::timeline_page(&mut conn, "FR", None, None, None, 51)
        .await
        .unwrap();
    summaries::commitment_counts(&mut conn, "FR").await.unwrap();
    stored::as_of_page(&mut conn, &filter(None), None, 51).await.unwrap();
    revisions::since(&mut conn, since, None, 51).await.unwrap();
    assert_eq!(kept(&mut conn, timeline).await, "0");
    assert_eq!(kept(&mut conn, tallies).await, "0");
    assert_eq!(kept(&mut conn, as_of).await, "0");
    assert_eq!(kept(&mut conn, changes).await, "0");
}

#[actix_web::test]
async fn a_commitment_s_creation_keeps_its_inserts_prepared_on_its_connection_whatever_their_rows() {
    fn one_connection(url: &str, _: usize) -> Result<Database, alliance_kb::db::SetupError> {
        Database::connect(url, 1)
    }
    let app = app_with(TestDatabase::seeded(), one_connection).await;
    let auth = format!("Bearer {}", app.make_key(KeyRole::Editor).await);
    for _ in 0..3 {
        crate::stored::create_a_frigate(&app, &auth).await;
    }
    // A second citation: a multi-row insert would be another statement for each number of rows.
    let mut two = crate::stored::a_frigate();
    two["citations"]
        .as_array_mut()
        .unwrap()
        .push(json!({"source_id": 1, "excerpt": "Belgium offered naval and air support, Croatia"}));
    let made = app
        .send(
            Method::POST,
            "/v1/commitments",
            &[("authorization", auth.as_str())],
            Some(two),
        )
        .await;
    assert_eq!(made.status.as_u16(), 201, "{:?}", made.body);
    assert_eq!(
        made.json()["citations"].as_array().map(Vec::len),
        Some(2),
        "{:?}",
        made.body
    );
    // Diesel keeps no insert whose text depends on which optional fields are given or on how
    // many rows it holds, nor any statement written as SQL text: these are kept by their text,
    // prepared once.
    let mut conn = app.db.pool.get().await.unwrap();
    for needle in [
        "INSERT INTO \"commitments\"",
        "WITH step AS",
        "WITH made AS",
        "INSERT INTO revisions",
    ] {
        let kept = text_of(
            &mut conn,
            "SELECT count(*)::text AS value FROM pg_prepared_statements
              WHERE strpos(statement, $1) > 0 AND strpos(statement, 'pg_prepared_statements') = 0",
            needle,
        )
        .await;
        assert_eq!(kept, "1", "{needle}");
    }
}
