//! The plans of every statement the endpoints send, over a few thousand generated records: none
//! may read a large table from end to end where an index should serve. PostgreSQL's own
//! `auto_explain` reports the plan of each statement the service sends (as a notice the driver
//! logs), so the statements checked are exactly the ones sent, never retyped here.

use std::sync::{Mutex, OnceLock};

use actix_http::Request;
use actix_web::body::MessageBody;
use actix_web::dev::{Service, ServiceResponse};
use actix_web::http::Method;
use alliance_kb::generate::{generate, Plan};
use alliance_kb::vocab::KeyRole;
use serde_json::{json, Value};

use crate::helpers::{app_with, TestApp, TestDatabase};

/// The plans the driver has logged, as `auto_explain` sent them.
static PLANS: OnceLock<Mutex<Vec<String>>> = OnceLock::new();

struct PlanLog;

impl log::Log for PlanLog {
    fn enabled(&self, metadata: &log::Metadata<'_>) -> bool {
        metadata.target().starts_with("tokio_postgres")
    }
    fn log(&self, record: &log::Record<'_>) {
        let text = record.args().to_string();
        if self.enabled(record.metadata()) && text.contains("\"Plan\"") {
            if let Some(plans) = PLANS.get() {
                plans.lock().unwrap().push(text);
            }
        }
    }
    fn flush(&self) {}
}

/// The tests that read the plan log run one at a time: it is one log for the whole process.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

fn plans() -> &'static Mutex<Vec<String>> {
    PLANS.get_or_init(|| {
        // Other tests log nothing the test binary keeps; this logger keeps only plans.
        let _ = log::set_boxed_logger(Box::new(PlanLog));
        log::set_max_level(log::LevelFilter::Info);
        Mutex::new(Vec::new())
    })
}

/// The tables a plan reads whole: a sequential scan, or an index walked from end to end with a
/// filter that throws most of it away (more rows than any page holds).
fn sequential_scans(node: &Value, found: &mut Vec<String>) {
    let table = node["Relation Name"].as_str().unwrap_or("?").to_owned();
    let removed = node["Rows Removed by Filter"].as_f64().unwrap_or(0.0) * node["Actual Loops"].as_f64().unwrap_or(1.0);
    if node["Node Type"] == "Seq Scan" || removed > 1000.0 {
        found.push(table);
    }
    if let Some(children) = node["Plans"].as_array() {
        for child in children {
            sequential_scans(child, found);
        }
    }
}

/// A seeded database with `commitments` generated, every session on it explaining each statement
/// it runs to its client (which logs it as a notice) under `setting`, and the tables that hold
/// more than `rows` rows.
async fn explained_database(commitments: u64, seed: u64, setting: &str, rows: u32) -> (TestDatabase, Vec<String>) {
    let database = TestDatabase::seeded();
    generate(&database.url, Plan { commitments, seed }, |_, _| {})
        .await
        .unwrap();
    let name = database
        .url
        .rsplit('/')
        .next()
        .unwrap()
        .split('?')
        .next()
        .unwrap()
        .to_owned();
    database.query(&format!(
        "ALTER DATABASE \"{name}\" SET session_preload_libraries = 'auto_explain';
         ALTER DATABASE \"{name}\" SET auto_explain.log_min_duration = 0;
         ALTER DATABASE \"{name}\" SET auto_explain.log_format = 'json';
         ALTER DATABASE \"{name}\" SET auto_explain.log_level = 'notice';
         ALTER DATABASE \"{name}\" SET auto_explain.log_nested_statements = on;
         ALTER DATABASE \"{name}\" SET auto_explain.log_analyze = on;
         ALTER DATABASE \"{name}\" SET client_min_messages = 'notice';
         ALTER DATABASE \"{name}\" SET {setting}"
    ));
    let large = database
        .query(&format!(
            "SELECT relname FROM pg_class WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace AND reltuples > {rows}"
        ))
        .into_iter()
        .filter_map(|r| r[0].clone())
        .collect();
    (database, large)
}

/// The plans among `logged` entries (each a notice whose JSON follows its prefix).
fn explained(logged: &[String]) -> impl Iterator<Item = Value> + '_ {
    logged.iter().filter_map(|entry| {
        entry
            .find('{')
            .and_then(|start| serde_json::from_str::<Value>(&entry[start..]).ok())
    })
}

/// A plan's statement on one line.
fn statement_of(plan: &Value) -> String {
    plan["Query Text"]
        .as_str()
        .unwrap_or("")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The statements among `logged` plans that read one of the `large` tables whole, with the table.
fn read_whole(logged: &[String], large: &[String]) -> Vec<String> {
    let mut offenders = Vec::new();
    for plan in explained(logged) {
        let mut scans = Vec::new();
        sequential_scans(&plan["Plan"], &mut scans);
        for table in scans.into_iter().filter(|t| large.contains(t)) {
            offenders.push(format!("{table}: {}", statement_of(&plan)));
        }
    }
    offenders.sort();
    offenders.dedup();
    offenders
}

#[actix_web::test]
async fn no_endpoint_reads_a_large_table_whole_where_an_index_should_serve() {
    let _alone = ONE_AT_A_TIME.lock().await;
    let plans = plans();
    // With sequential scans priced out, a plan that still reads a table whole has no index to
    // use, whatever the table's size; the tables large enough that reading them whole is never
    // the right plan for a page.
    let (database, large) = explained_database(4000, 11, "enable_seqscan = off", 2000).await;
    assert!(
        large.contains(&"commitments".to_owned()) && large.contains(&"revisions".to_owned()),
        "{large:?}"
    );
    let app = app_with(database, alliance_kb::db::Database::connect_logging_notices).await;
    let (some_commitment, some_statement) = (3000, 500);
    let auth = format!("Bearer {}", app.make_key(KeyRole::Editor).await);
    let at = "2100-01-01T00:00:00Z";
    let mut paths: Vec<String> = [
        format!("/v1/commitments/{some_commitment}"),
        format!("/v1/commitments/{some_commitment}?as_of={at}"),
        format!("/v1/statements/{some_statement}"),
        "/v1/claims/40".into(),
        "/v1/events/20".into(),
        "/v1/citations/3000".into(),
        "/v1/sources/300".into(),
        "/v1/people/10".into(),
        "/v1/commitments".into(),
        "/v1/commitments?limit=50&cursor=AAAAAAAAB9A".into(),
        "/v1/commitments?nation=FR&kind=troops".into(),
        "/v1/commitments?nation=FR".into(),
        "/v1/commitments?status=refused&kind=funding".into(),
        "/v1/commitments?basis=stated".into(),
        "/v1/commitments?disputed=true".into(),
        "/v1/commitments?q=ammunition".into(),
        "/v1/commitments?event=5".into(),
        "/v1/commitments?source=40".into(),
        format!("/v1/commitments?as_of={at}"),
        format!("/v1/commitments?as_of={at}&nation=FR"),
        format!("/v1/commitments?as_of={at}&q=frigate"),
        "/v1/statements?nation=FR".into(),
        "/v1/statements?speaker=3".into(),
        format!("/v1/statements?as_of={at}"),
        "/v1/claims".into(),
        "/v1/events?nation=FR".into(),
        "/v1/sources".into(),
        "/v1/people".into(),
        "/v1/nations/FR/commitments?kind=troops".into(),
        "/v1/nations/FR/statements".into(),
        "/v1/nations/FR/profile".into(),
        "/v1/search?q=troops".into(),
        "/v1/search?q=troops&type=commitment&nation=FR".into(),
        "/v1/divisions".into(),
        "/v1/divisions?event=5".into(),
        "/v1/divisions?kinds=troops&cursor=AAAAAAAAAHI".into(),
        "/v1/timeline".into(),
        "/v1/timeline?nation=FR".into(),
        "/v1/timeline?nation=FR&since=2024-01-01&until=2024-12-31".into(),
        format!("/v1/commitments/{some_commitment}/revisions"),
        "/v1/changes?since=2000-01-01T00:00:00Z".into(),
    ]
    .into_iter()
    .collect();
    // The second page of each paged answer, through its cursor.
    let mut read = Vec::new();
    for path in &paths {
        let res = app.get(path).await;
        assert_eq!(
            res.status.as_u16(),
            200,
            "GET {path}: {}",
            String::from_utf8_lossy(&res.body)
        );
        if let Some(cursor) = res.json()["next_cursor"].as_str() {
            let sep = if path.contains('?') { '&' } else { '?' };
            if !path.contains("cursor=") {
                read.push(format!("{path}{sep}cursor={cursor}"));
            }
        }
    }
    for path in &read {
        assert_eq!(app.get(path).await.status.as_u16(), 200, "GET {path}");
    }
    paths.extend(read);
    // And the writes: a commitment made, its status changed, corrected.
    let made = app
        .send(Method::POST, "/v1/commitments", &[("authorization", &auth)],
            Some(json!({"nation": "BE", "kind": "naval_support", "status": "pledged", "summary": "Belgium pledged a frigate.",
                        "citations": [{"source_id": 1, "excerpt": "Belgium offered naval and air support"}]})))
        .await;
    assert_eq!(made.status.as_u16(), 201, "{}", String::from_utf8_lossy(&made.body));
    let id = made.json()["id"].as_i64().unwrap();
    let changed = app
        .send(Method::POST, &format!("/v1/commitments/{id}/status"), &[("authorization", &auth)],
            Some(json!({"status": "delivered", "citations": [{"source_id": 1, "excerpt": "Belgium offered naval and air support"}]})))
        .await;
    assert_eq!(
        changed.status.as_u16(),
        201,
        "{}",
        String::from_utf8_lossy(&changed.body)
    );

    let logged = std::mem::take(&mut *plans.lock().unwrap());
    assert!(
        logged.len() > paths.len(),
        "auto_explain reported {} plans",
        logged.len()
    );
    let offenders = read_whole(&logged, &large);
    assert!(
        offenders.is_empty(),
        "statements that read a large table whole:\n{}",
        offenders.join("\n\n")
    );

    // A nation's records need not be spread evenly over the ids: here one nation's commitments
    // are the last thousand. Its lists still walk one page of an index; with (nation_code, id)
    // and (nation_code, kind, id) not holding retracted_at, the planner walked the primary key
    // and discarded the other nations' rows, counting on an even spread.
    // Vacuumed, as autovacuum would after such a change.
    app.database
        .query("UPDATE commitments SET nation_code = 'UA' WHERE id > (SELECT max(id) - 1000 FROM commitments)");
    app.database.query("VACUUM ANALYZE commitments");
    let nation_lists = [
        "/v1/commitments?nation=UA",
        "/v1/commitments?nation=UA&kind=troops",
        "/v1/nations/UA/commitments",
    ];
    plans.lock().unwrap().clear();
    for path in nation_lists {
        assert_eq!(app.get(path).await.status.as_u16(), 200, "GET {path}");
    }
    let logged = std::mem::take(&mut *plans.lock().unwrap());
    let offenders = read_whole(&logged, &large);
    assert!(
        offenders.is_empty(),
        "with one nation's commitments last, statements that read a large table whole:\n{}",
        offenders.join("\n\n")
    );
    // The check can fail: with those indexes as they were, the same lists do.
    app.database.query(
        "DROP INDEX commitments_nation_id_idx; CREATE INDEX commitments_nation_id_idx ON commitments (nation_code, id);
         DROP INDEX commitments_nation_kind_id_idx;
         CREATE INDEX commitments_nation_kind_id_idx ON commitments (nation_code, kind, id)",
    );
    app.database.query("VACUUM ANALYZE commitments");
    plans.lock().unwrap().clear();
    for path in nation_lists {
        assert_eq!(app.get(path).await.status.as_u16(), 200, "GET {path}");
    }
    let logged = std::mem::take(&mut *plans.lock().unwrap());
    assert!(!read_whole(&logged, &large).is_empty());

    // The check can fail: without the index of disputed facts, `disputed=true` walks them all.
    app.database.query("DROP INDEX commitments_disputed_idx");
    plans.lock().unwrap().clear();
    assert_eq!(
        app.get("/v1/commitments?disputed=true&limit=5").await.status.as_u16(),
        200
    );
    let logged = std::mem::take(&mut *plans.lock().unwrap());
    let mut scans = Vec::new();
    for plan in explained(&logged) {
        sequential_scans(&plan["Plan"], &mut scans);
    }
    assert!(scans.contains(&"commitments".to_owned()), "{scans:?}");
}

/// Every search reads the whole pending list of each full-text index it uses: every GIN index
/// bounds that list (to 64 kB), so that a search does not cost more the more records were
/// written since the list was last merged. The migration merges the lists it finds.
#[actix_web::test]
async fn every_full_text_index_bounds_the_list_a_search_reads_beside_it() {
    let database = TestDatabase::seeded();
    let unbounded = database.query(
        "SELECT c.relname::text FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am a ON a.oid = c.relam
          WHERE a.amname = 'gin' AND c.relnamespace = 'public'::regnamespace
            AND NOT coalesce(c.reloptions, '{}') @> '{gin_pending_list_limit=64}'",
    );
    assert!(unbounded.is_empty(), "GIN indexes without the bound: {unbounded:?}");
    let gin = database.query(
        "SELECT count(*)::text FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am a ON a.oid = c.relam
          WHERE a.amname = 'gin' AND c.relnamespace = 'public'::regnamespace",
    );
    assert_eq!(gin[0][0].as_deref(), Some("6"));
}

/// The rows one plan node read: those it returned and those its filter threw away, every loop.
fn read_by(node: &Value) -> f64 {
    (node["Actual Rows"].as_f64().unwrap_or(0.0) + node["Rows Removed by Filter"].as_f64().unwrap_or(0.0))
        * node["Actual Loops"].as_f64().unwrap_or(1.0)
}

/// The scans of `node` (and below) that read more than a page's worth of one of the `large`
/// tables without a condition on the index walked: a sequential scan, or an index read from end
/// to end (as a merge join does).
fn unkeyed_reads(node: &Value, large: &[String], found: &mut Vec<String>) {
    let table = node["Relation Name"].as_str().unwrap_or("");
    let read = read_by(node);
    let unkeyed = node["Node Type"] == "Seq Scan"
        || (node["Node Type"].as_str().is_some_and(|t| t.starts_with("Index")) && node["Index Cond"].is_null());
    if large.iter().any(|t| t == table) && unkeyed && read > 500.0 {
        found.push(format!("{table} ({} rows by {})", read, node["Node Type"]));
    }
    for child in node["Plans"].as_array().into_iter().flatten() {
        unkeyed_reads(child, large, found);
    }
}

/// PostgreSQL keeps one plan per statement and connection, made from the statistics of the
/// moment: on a new, small knowledge base a join may rightly read a small table whole, and goes
/// on doing so as the table grows under the kept plan. A commitment's creation, its status step,
/// its correction and its retraction, with every statement on its kept (generic) plan over a
/// thousand commitments, read what they need by key.
#[actix_web::test]
async fn a_write_s_kept_plans_read_by_key_even_when_made_on_a_small_database() {
    let _alone = ONE_AT_A_TIME.lock().await;
    let plans = plans();
    let (database, large) = explained_database(990, 5, "plan_cache_mode = force_generic_plan", 1000).await;
    assert!(
        large.contains(&"citations".to_owned()) && large.contains(&"commitment_status_changes".to_owned()),
        "{large:?}"
    );
    let app = app_with(database, alliance_kb::db::Database::connect_logging_notices).await;
    let auth = format!("Bearer {}", app.make_key(KeyRole::Editor).await);
    plans.lock().unwrap().clear();
    let cited = json!([{"source_id": 1, "excerpt": "Belgium offered naval and air support"}]);
    let made = app
        .send(Method::POST, "/v1/commitments", &[("authorization", &auth)],
            Some(json!({"nation": "BE", "kind": "naval_support", "status": "pledged", "summary": "Belgium pledged a frigate.", "citations": cited})))
        .await;
    assert_eq!(made.status.as_u16(), 201, "{}", String::from_utf8_lossy(&made.body));
    let id = made.json()["id"].as_i64().unwrap();
    let stepped = app
        .send(
            Method::POST,
            &format!("/v1/commitments/{id}/status"),
            &[("authorization", &auth)],
            Some(json!({"status": "delivered", "citations": cited})),
        )
        .await;
    assert_eq!(
        stepped.status.as_u16(),
        201,
        "{}",
        String::from_utf8_lossy(&stepped.body)
    );
    // Corrected, then retracted, each against the version it read.
    let path = format!("/v1/commitments/{id}");
    let tag = app.get(&path).await.header("etag").unwrap().to_owned();
    let corrected = app
        .send(
            Method::PATCH,
            &path,
            &[("authorization", &auth), ("if-match", &tag)],
            Some(json!({"summary": "Belgium pledged a frigate to the task group."})),
        )
        .await;
    assert_eq!(
        corrected.status.as_u16(),
        200,
        "{}",
        String::from_utf8_lossy(&corrected.body)
    );
    let tag = corrected.header("etag").unwrap().to_owned();
    let retracted = app
        .send(
            Method::DELETE,
            &format!("{path}?reason=Duplicate%20entry"),
            &[("authorization", &auth), ("if-match", &tag)],
            None,
        )
        .await;
    assert_eq!(
        retracted.status.as_u16(),
        200,
        "{}",
        String::from_utf8_lossy(&retracted.body)
    );

    let logged = std::mem::take(&mut *plans.lock().unwrap());
    let mut offenders = Vec::new();
    let mut count = 0;
    for plan in explained(&logged) {
        count += 1;
        let mut found = Vec::new();
        unkeyed_reads(&plan["Plan"], &large, &mut found);
        if !found.is_empty() {
            offenders.push(format!("{}: {}", found.join(", "), statement_of(&plan)));
        }
    }
    assert!(count >= 10, "auto_explain reported {count} plans");
    assert!(
        offenders.is_empty(),
        "kept plans that read a table without a key:\n{}",
        offenders.join("\n\n")
    );
}

/// The rows a plan's scans of `table` read (returned and thrown away by a filter, every loop).
fn rows_read(node: &Value, table: &str) -> f64 {
    let here = if node["Relation Name"] == table {
        read_by(node)
    } else {
        0.0
    };
    here + node["Plans"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|child| rows_read(child, table))
        .sum::<f64>()
}

/// The commitments citing a source are listed a page at a time from the source's citations, in
/// commitment order: a page reads about a page of them, however many commitments cite the source
/// and however far apart they lie. Here a source is cited by one commitment in twenty of 4,000;
/// a page of five (and the next) reads at most sixteen of its citations, under the plan made for
/// the request and under the kept one.
#[actix_web::test]
async fn a_source_s_list_reads_a_page_of_its_citations_however_many_cite_it() {
    let _alone = ONE_AT_A_TIME.lock().await;
    let plans = plans();
    // The pages' statements that read a source's citations, and the citations each read.
    let source_pages = |logged: &[String]| -> Vec<(f64, String)> {
        explained(logged)
            .filter(|plan| statement_of(plan).contains("\"citations\".\"source_id\""))
            .map(|plan| (rows_read(&plan["Plan"], "citations"), statement_of(&plan)))
            .collect()
    };
    // Under the kept plan, then under the plan made for each request's parameters (last, so that
    // its database serves the check below).
    let mut last = None;
    for mode in ["force_generic_plan", "force_custom_plan"] {
        let (database, _) = explained_database(4000, 12, &format!("plan_cache_mode = {mode}"), 2000).await;
        // Every twentieth commitment cites the seed's article, with one of its exact sentences.
        database.query(
            "INSERT INTO citations (source_id, start_offset, end_offset, excerpt, commitment_id)
             SELECT c.source_id, c.start_offset, c.end_offset, c.excerpt, m.id
               FROM (SELECT * FROM citations WHERE source_id = 1 ORDER BY id LIMIT 1) c, commitments m
              WHERE m.id % 20 = 7;
             ANALYZE citations",
        );
        let citing: Vec<String> = database
            .query(
                "SELECT DISTINCT m.id FROM citations c JOIN commitments m ON m.id = c.commitment_id
                  WHERE c.source_id = 1 AND c.retracted_at IS NULL AND m.retracted_at IS NULL ORDER BY 1 LIMIT 10",
            )
            .into_iter()
            .filter_map(|r| r[0].clone())
            .collect();
        assert_eq!(citing.len(), 10);
        let app = app_with(database, alliance_kb::db::Database::connect_logging_notices).await;
        plans.lock().unwrap().clear();
        assert_eq!(two_pages_citing(&app, 1).await, citing, "{mode}");
        let logged = std::mem::take(&mut *plans.lock().unwrap());
        let pages = source_pages(&logged);
        assert_eq!(pages.len(), 2, "{mode}: {} plans", logged.len());
        for (rows, statement) in pages {
            assert!(
                rows <= 16.0,
                "{mode}: {rows} citations read for a page of five: {statement}"
            );
        }
        last = Some(app);
    }

    // The check can fail: by the source alone, the index gives its citations in no useful order,
    // and a page reads every citation of the source (or every commitment's, up to the page's end).
    let app = last.unwrap();
    app.database.query(
        "DROP INDEX citations_source_id_idx; CREATE INDEX citations_source_id_idx ON citations (source_id); ANALYZE citations",
    );
    plans.lock().unwrap().clear();
    two_pages_citing(&app, 1).await;
    let logged = std::mem::take(&mut *plans.lock().unwrap());
    let most = source_pages(&logged)
        .into_iter()
        .map(|(rows, _)| rows)
        .fold(0.0, f64::max);
    assert!(most > 16.0, "{most}");
}

/// A page of the changes feed after the first starts where the page before ended: it reads about
/// a page of revisions, however many changes came before, under the plan made for the request and
/// under the kept one. (Joined to its place, the walk began at `since` and read every change
/// before it.)
#[actix_web::test]
async fn a_later_page_of_changes_reads_a_page_of_revisions_however_many_came_before() {
    let _alone = ONE_AT_A_TIME.lock().await;
    let plans = plans();
    for mode in ["force_generic_plan", "force_custom_plan"] {
        let (database, _) = explained_database(2000, 14, &format!("plan_cache_mode = {mode}"), 2000).await;
        let app = app_with(database, alliance_kb::db::Database::connect_logging_notices).await;
        let since = "/v1/changes?since=2000-01-01T00:00:00Z&limit=5";
        // Far into the feed: the page after the 2,000th change.
        let far = app.get("/v1/changes?since=2000-01-01T00:00:00Z&limit=500").await;
        let mut cursor = far.json()["next_cursor"].as_str().unwrap().to_owned();
        for _ in 0..3 {
            let next = app
                .get(&format!(
                    "/v1/changes?since=2000-01-01T00:00:00Z&limit=500&cursor={cursor}"
                ))
                .await;
            assert_eq!(next.status.as_u16(), 200, "{mode}");
            cursor = next.json()["next_cursor"].as_str().unwrap().to_owned();
        }
        plans.lock().unwrap().clear();
        let page = app.get(&format!("{since}&cursor={cursor}")).await;
        assert_eq!(page.status.as_u16(), 200, "{mode}");
        assert_eq!(page.json()["items"].as_array().map(Vec::len), Some(5), "{mode}");
        let logged = std::mem::take(&mut *plans.lock().unwrap());
        let pages: Vec<(f64, String)> = explained(&logged)
            .filter(|plan| statement_of(plan).contains("ORDER BY r.changed_at, r.id"))
            .map(|plan| (rows_read(&plan["Plan"], "revisions"), statement_of(&plan)))
            .collect();
        assert_eq!(pages.len(), 1, "{mode}: {} plans", logged.len());
        let (rows, statement) = &pages[0];
        assert!(
            *rows <= 16.0,
            "{mode}: {rows} revisions read for a page of five: {statement}"
        );
    }
}

/// The ids of the first two pages of five commitments citing `source`, through the cursor.
async fn two_pages_citing<S, B>(app: &TestApp<S>, source: i64) -> Vec<String>
where
    S: Service<Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
    B: MessageBody,
{
    let first = app.get(&format!("/v1/commitments?source={source}&limit=5")).await;
    assert_eq!(first.status.as_u16(), 200, "{}", String::from_utf8_lossy(&first.body));
    let cursor = first.json()["next_cursor"].as_str().unwrap().to_owned();
    let second = app
        .get(&format!("/v1/commitments?source={source}&limit=5&cursor={cursor}"))
        .await;
    assert_eq!(second.status.as_u16(), 200);
    [first, second]
        .iter()
        .flat_map(|page| page.json()["items"].as_array().unwrap().clone())
        .map(|item| item["id"].to_string())
        .collect()
}

/// The scans of `table` in a plan, by node type.
fn scans_of(node: &Value, table: &str, found: &mut Vec<String>) {
    if node["Relation Name"] == table {
        found.push(node["Node Type"].as_str().unwrap_or("?").to_owned());
    }
    for child in node["Plans"].as_array().into_iter().flatten() {
        scans_of(child, table, found);
    }
}

/// A cell of the divisions matrix counts its live commitments by summing its tallies (a row per
/// status); the count lies beside the tallies' key, so the sum reads the index alone instead of
/// one table page per status.
#[actix_web::test]
async fn the_matrix_counts_each_cell_from_the_tallies_key_alone() {
    let _alone = ONE_AT_A_TIME.lock().await;
    let plans = plans();
    let (database, _) = explained_database(2000, 13, "plan_cache_mode = auto", 1000).await;
    database.query("VACUUM ANALYZE commitment_tallies");
    let app = app_with(database, alliance_kb::db::Database::connect_logging_notices).await;
    let path = "/v1/divisions?kinds=troops,naval_support,air_support";
    let tally_scans = |logged: &[String]| {
        let mut found = Vec::new();
        for plan in explained(logged).filter(|plan| statement_of(plan).contains("AS total")) {
            scans_of(&plan["Plan"], "commitment_tallies", &mut found);
        }
        found
    };
    plans.lock().unwrap().clear();
    assert_eq!(app.get(path).await.status.as_u16(), 200);
    let found = tally_scans(&std::mem::take(&mut *plans.lock().unwrap()));
    assert!(
        !found.is_empty() && found.iter().all(|t| t == "Index Only Scan"),
        "{found:?}"
    );

    // The check can fail: with the key alone, each tally is read from the table.
    app.database.query(
        "ALTER TABLE commitment_tallies DROP CONSTRAINT commitment_tallies_pkey,
             ADD PRIMARY KEY (event_id, nation_code, kind, status)",
    );
    app.database.query("VACUUM ANALYZE commitment_tallies");
    plans.lock().unwrap().clear();
    assert_eq!(app.get(path).await.status.as_u16(), 200);
    let found = tally_scans(&std::mem::take(&mut *plans.lock().unwrap()));
    assert!(found.iter().any(|t| t != "Index Only Scan"), "{found:?}");
}
