//! Staying up under abuse: strict media types and body limits, dates PostgreSQL cannot hold, CSV
//! cells that would be formulas, CORS and security headers, the auth scheme in any case, safe
//! concurrent retries and identical writes, exports bounded apart from the pool, statement
//! timeouts.

use actix_web::http::Method;
use actix_web::{test, web};
use alliance_kb::api::AppState;
use alliance_kb::db::{Database, Limits};
use alliance_kb::startup::build_app;
use alliance_kb::vocab::KeyRole;
use serde_json::{json, Value};

use crate::helpers::{spawn_app, TestDatabase};

#[actix_web::test]
async fn writes_take_only_their_media_types_and_say_which() {
    let app = spawn_app().await;
    let auth = format!("Bearer {}", app.make_key(KeyRole::Editor).await);
    let person = r#"{"name": "Jane Doe"}"#;
    for content_type in [
        Some("text/plain"),
        Some("application/xml"),
        Some("application/x-www-form-urlencoded"),
        None,
    ] {
        let mut req = test::TestRequest::post()
            .uri("/v1/people")
            .insert_header(("authorization", auth.as_str()))
            .set_payload(person);
        if let Some(t) = content_type {
            req = req.insert_header(("content-type", t));
        }
        let res = test::call_service(&app.service, req.to_request()).await;
        assert_eq!(res.status().as_u16(), 415, "{content_type:?}");
        assert!(res
            .headers()
            .get("content-type")
            .unwrap()
            .to_str()
            .unwrap()
            .starts_with("application/problem+json"));
        let body: Value = test::read_body_json(res).await;
        assert!(
            body["detail"].as_str().unwrap().contains("`application/json`"),
            "{body}"
        );
    }
    let created = test::call_service(
        &app.service,
        test::TestRequest::post()
            .uri("/v1/people")
            .insert_header(("authorization", auth.as_str()))
            .insert_header(("content-type", "application/json; charset=utf-8"))
            .set_payload(person)
            .to_request(),
    )
    .await;
    assert_eq!(created.status().as_u16(), 201);
    let id = test::read_body_json::<Value, _>(created).await["id"].as_i64().unwrap();
    let patch = |content_type: &'static str| {
        test::TestRequest::patch()
            .uri(&format!("/v1/people/{id}"))
            .insert_header(("authorization", auth.as_str()))
            .insert_header(("if-match", "\"1\""))
            .insert_header(("content-type", content_type))
            .set_payload(r#"{"role": "Minister"}"#)
            .to_request()
    };
    let html = test::call_service(&app.service, patch("text/html")).await;
    assert_eq!(html.status().as_u16(), 415);
    let body: Value = test::read_body_json(html).await;
    assert!(
        body["detail"]
            .as_str()
            .unwrap()
            .contains("application/merge-patch+json"),
        "{body}"
    );
    let merge = test::call_service(&app.service, patch("application/merge-patch+json")).await;
    assert_eq!(merge.status().as_u16(), 200);
    // An import must be NDJSON.
    let admin = format!("Bearer {}", app.make_key(KeyRole::Admin).await);
    let res = test::call_service(
        &app.service,
        test::TestRequest::post()
            .uri("/v1/import")
            .insert_header(("authorization", admin.as_str()))
            .insert_header(("content-type", "application/json"))
            .set_payload("{}")
            .to_request(),
    )
    .await;
    assert_eq!(res.status().as_u16(), 415);
    // A method the path does not answer is a 405, whatever its body.
    let res = test::call_service(
        &app.service,
        test::TestRequest::patch()
            .uri("/v1/import")
            .insert_header(("authorization", admin.as_str()))
            .insert_header(("content-type", "application/x-ndjson"))
            .set_payload("{}")
            .to_request(),
    )
    .await;
    assert_eq!(res.status().as_u16(), 405);
}

#[actix_web::test]
async fn bodies_over_their_limit_are_refused_from_content_length_and_the_documented_limit_holds() {
    let app = spawn_app().await;
    let admin = format!("Bearer {}", app.make_key(KeyRole::Admin).await);
    // An import declaring 300 MB is refused before a byte is read.
    let res = test::call_service(
        &app.service,
        test::TestRequest::post()
            .uri("/v1/import")
            .insert_header(("authorization", admin.as_str()))
            .insert_header(("content-type", "application/x-ndjson"))
            .insert_header(("content-length", "300000000"))
            .to_request(),
    )
    .await;
    assert_eq!(res.status().as_u16(), 413);
    let body: Value = test::read_body_json(res).await;
    assert_eq!(body["status"], 413);
    assert!(body["detail"].as_str().unwrap().contains("256 MiB"), "{body}");
    // A source of 300 KB (over the old 256 KiB) is within the documented 2,000,000 characters.
    let text = "Belgium offered naval support. ".repeat(10_000);
    let res = app
        .send(
            Method::POST,
            "/v1/sources",
            &[("authorization", &admin)],
            Some(json!({"kind": "report", "title": "A long report", "reliability": "unverified", "text": text})),
        )
        .await;
    assert_eq!(res.status.as_u16(), 201, "{}", String::from_utf8_lossy(&res.body));
    // The document states the limits.
    let document = app.get_json("/openapi.json").await;
    assert_eq!(
        document["components"]["schemas"]["SourceInput"]["properties"]["text"]["maxLength"],
        2_000_000
    );
    for status in ["413", "415"] {
        assert!(
            document["paths"]["/v1/sources"]["post"]["responses"][status].is_object(),
            "POST /v1/sources documents {status}"
        );
    }
}

#[actix_web::test]
async fn dates_postgresql_cannot_hold_are_a_400_naming_the_parameter() {
    let app = spawn_app().await;
    for (path, parameter) in [
        ("/v1/timeline?since=-4714-01-01", "since"),
        ("/v1/search?q=troops&since=-4714-01-01", "since"),
        ("/v1/commitments?announced_until=-5000-01-01", "announced_until"),
        ("/v1/commitments?as_of=-5000-01-01T00:00:00Z", "as_of"),
    ] {
        let problem = app.get(path).await.problem(400);
        assert_eq!(problem["parameter"], parameter, "{path}: {problem}");
        assert!(problem["detail"].as_str().unwrap().contains("4713 BC"), "{problem}");
    }
    let auth = format!("Bearer {}", app.make_key(KeyRole::Editor).await);
    let res = app
        .send(
            Method::POST,
            "/v1/events",
            &[("authorization", &auth)],
            Some(json!({"kind": "meeting", "title": "x", "occurred_on": "-5000-01-01",
                        "citations": [{"source_id": 1, "excerpt": "Ukraine"}],
                        "basis": {"occurred_on": {"basis": "inferred", "note": "a test of the range"}}})),
        )
        .await
        .problem(422);
    assert_eq!(res["errors"][0]["field"], "occurred_on", "{res}");
}

#[actix_web::test]
async fn csv_cells_that_would_be_formulas_stay_text() {
    let app = spawn_app().await;
    let auth = format!("Bearer {}", app.make_key(KeyRole::Editor).await);
    let res = app
        .send(
            Method::POST,
            "/v1/sources",
            &[("authorization", &auth)],
            Some(json!({"kind": "other", "title": "=HYPERLINK(\"http://evil.example\",\"click\")", "reliability": "unverified",
                        "text": "-1 and +2 and @3"})),
        )
        .await;
    assert_eq!(res.status.as_u16(), 201, "{}", String::from_utf8_lossy(&res.body));
    let csv = app
        .send(Method::GET, "/v1/sources", &[("Accept", "text/csv")], None)
        .await;
    let text = String::from_utf8(csv.body.to_vec()).unwrap();
    assert!(text.contains("\"'=HYPERLINK("), "{text}");
    assert!(
        !text.contains(",=HYPERLINK") && !text.contains(",\"=HYPERLINK"),
        "{text}"
    );
}

#[actix_web::test]
async fn the_bearer_scheme_is_matched_in_any_case_and_every_answer_carries_nosniff() {
    let app = spawn_app().await;
    let key = app.make_key(KeyRole::Editor).await;
    for scheme in ["bearer", "BEARER", "Bearer"] {
        let res = app
            .send(
                Method::POST,
                "/v1/people",
                &[("authorization", &format!("{scheme} {key}"))],
                Some(json!({"name": format!("Person {scheme}")})),
            )
            .await;
        assert_eq!(res.status.as_u16(), 201, "{scheme}");
        assert_eq!(res.header("x-content-type-options"), Some("nosniff"));
    }
    let res = app.get("/v1/nope").await;
    assert_eq!(res.header("x-content-type-options"), Some("nosniff"));
    let ui = app.get("/swagger-ui/").await;
    assert_eq!(ui.header("content-security-policy"), Some("frame-ancestors 'none'"));
}

#[actix_web::test]
async fn any_origin_may_read_and_only_configured_origins_may_write() {
    let database = TestDatabase::seeded();
    let db = Database::connect(&database.url, 4).unwrap();
    let state = AppState {
        cors_origins: vec!["https://editors.example".into()],
        ..AppState::new(db)
    };
    let app = test::init_service(build_app(web::Data::new(state))).await;
    fn origin_of<B>(res: &actix_web::dev::ServiceResponse<B>) -> Option<String> {
        res.headers()
            .get("access-control-allow-origin")
            .map(|v| v.to_str().unwrap().to_owned())
    }
    // A read from any origin, and its preflight.
    let read = test::call_service(
        &app,
        test::TestRequest::get()
            .uri("/v1/commitments")
            .insert_header(("origin", "https://newsroom.example"))
            .to_request(),
    )
    .await;
    assert_eq!(read.status().as_u16(), 200);
    assert_eq!(origin_of(&read).as_deref(), Some("https://newsroom.example"));
    let preflight = |origin: &'static str, method: &'static str| {
        test::TestRequest::default()
            .method(Method::OPTIONS)
            .uri("/v1/commitments")
            .insert_header(("origin", origin))
            .insert_header(("access-control-request-method", method))
            .to_request()
    };
    let res = test::call_service(&app, preflight("https://newsroom.example", "GET")).await;
    assert!(res.status().is_success(), "{}", res.status());
    assert_eq!(origin_of(&res).as_deref(), Some("https://newsroom.example"));
    // A write from an unlisted origin is not allowed; from a listed one it is.
    let res = test::call_service(&app, preflight("https://newsroom.example", "POST")).await;
    assert_eq!(origin_of(&res), None);
    let res = test::call_service(&app, preflight("https://editors.example", "POST")).await;
    assert!(res.status().is_success());
    assert_eq!(origin_of(&res).as_deref(), Some("https://editors.example"));
    let exposed = res
        .headers()
        .get("access-control-allow-headers")
        .map(|v| v.to_str().unwrap().to_ascii_lowercase())
        .unwrap_or_default();
    assert!(exposed.contains("idempotency-key") || exposed.is_empty(), "{exposed}");
}

#[actix_web::test]
async fn concurrent_retries_of_one_idempotency_key_make_one_record_and_replay_its_answer() {
    let app = spawn_app().await;
    let auth = format!("Bearer {}", app.make_key(KeyRole::Editor).await);
    let body = json!({"name": "Retried Person", "role": "envoy"});
    let headers = [("authorization", auth.as_str()), ("idempotency-key", "retry-20")];
    let send = || app.send(Method::POST, "/v1/people", &headers, Some(body.clone()));
    let answers = futures::future::join_all((0..20).map(|_| send())).await;
    let statuses: Vec<u16> = answers.iter().map(|r| r.status.as_u16()).collect();
    assert!(statuses.iter().all(|s| *s == 201), "{statuses:?}");
    let ids: std::collections::BTreeSet<i64> = answers.iter().map(|r| r.json()["id"].as_i64().unwrap()).collect();
    assert_eq!(ids.len(), 1, "one record: {ids:?}");
    let replayed = answers
        .iter()
        .filter(|r| r.header("idempotent-replayed") == Some("true"))
        .count();
    assert_eq!(replayed, 19);
    for answer in &answers {
        assert!(answer.header("location").is_some(), "a replay carries Location");
        assert_eq!(answer.header("etag"), Some("\"1\""), "a replay carries the first ETag");
    }
    let people = app.get_json("/v1/people?limit=500").await["items"].clone();
    let named = people
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["name"] == "Retried Person")
        .count();
    assert_eq!(named, 1);
}

#[actix_web::test]
async fn identical_sources_written_at_once_give_one_201_and_409s_never_a_500() {
    let app = spawn_app().await;
    let auth = format!("Bearer {}", app.make_key(KeyRole::Editor).await);
    let body = json!({"kind": "report", "title": "Twin", "reliability": "unverified", "text": "The same text, twice."});
    let headers = [("authorization", auth.as_str())];
    let answers =
        futures::future::join_all((0..8).map(|_| app.send(Method::POST, "/v1/sources", &headers, Some(body.clone()))))
            .await;
    let mut statuses: Vec<u16> = answers.iter().map(|r| r.status.as_u16()).collect();
    statuses.sort_unstable();
    assert_eq!(statuses[0], 201, "{statuses:?}");
    assert!(statuses[1..].iter().all(|s| *s == 409), "{statuses:?}");
}

#[actix_web::test]
async fn exports_are_bounded_apart_from_the_pool_and_reads_go_on() {
    let database = TestDatabase::seeded();
    let db = Database::connect(&database.url, 4).unwrap();
    let app = test::init_service(build_app(web::Data::new(AppState::new(db)))).await;
    // A pool of 4 runs one export at a time: a second is told to come back, reads go on.
    let first = test::call_service(&app, test::TestRequest::get().uri("/v1/export").to_request()).await;
    assert_eq!(first.status().as_u16(), 200);
    let second = test::call_service(&app, test::TestRequest::get().uri("/v1/export").to_request()).await;
    assert_eq!(second.status().as_u16(), 503);
    let read = test::call_service(&app, test::TestRequest::get().uri("/v1/commitments").to_request()).await;
    assert_eq!(read.status().as_u16(), 200);
    // Once the first is read to its end, its slot is free again.
    let body = test::read_body(first).await;
    assert!(body.len() > 1000);
    let mut third = None;
    for _ in 0..50 {
        let res = test::call_service(&app, test::TestRequest::get().uri("/v1/export").to_request()).await;
        if res.status().as_u16() == 200 {
            third = Some(test::read_body(res).await);
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(
        third.as_deref(),
        Some(&body[..]),
        "the same snapshot of an unchanged knowledge base"
    );
}

#[actix_web::test]
async fn a_query_past_the_statement_timeout_is_cancelled_and_answered_503() {
    use alliance_kb::api::error::ApiError;
    use diesel_async::RunQueryDsl;
    let database = TestDatabase::seeded();
    let db = Database::connect_with(
        &database.url,
        2,
        Limits {
            statement_timeout_ms: 200,
            ..Limits::default()
        },
    )
    .unwrap();
    let mut conn = db.pool.get().await.unwrap();
    let started = std::time::Instant::now();
    let error = diesel::sql_query("SELECT pg_sleep(5)")
        .execute(&mut conn)
        .await
        .unwrap_err();
    assert!(
        started.elapsed() < std::time::Duration::from_secs(3),
        "cancelled at the limit"
    );
    let answer = ApiError::from(error);
    assert!(matches!(answer, ApiError::TimedOut(_)), "{answer:?}");
    assert_eq!(actix_web::ResponseError::status_code(&answer).as_u16(), 503);
    drop(conn);
    // The connection is fine afterwards.
    let mut conn = db.pool.get().await.unwrap();
    diesel::sql_query("SELECT 1").execute(&mut conn).await.unwrap();
}

#[actix_web::test]
async fn an_import_beside_writes_never_breaks_them() {
    let app = spawn_app().await;
    let admin = format!("Bearer {}", app.make_key(KeyRole::Admin).await);
    let export = app.get("/v1/export").await;
    let file = String::from_utf8(export.body.to_vec()).unwrap();
    // The file re-imported (everything unchanged) while people are written alongside.
    let import = async {
        test::call_service(
            &app.service,
            test::TestRequest::post()
                .uri("/v1/import")
                .insert_header(("authorization", admin.as_str()))
                .insert_header(("content-type", "application/x-ndjson"))
                .set_payload(file.clone())
                .to_request(),
        )
        .await
        .status()
        .as_u16()
    };
    let headers = [("authorization", admin.as_str())];
    let writes = futures::future::join_all((0..6).map(|i| {
        app.send(
            Method::POST,
            "/v1/people",
            &headers,
            Some(json!({"name": format!("Writer {i}")})),
        )
    }));
    let (imported, written) = futures::join!(import, writes);
    assert_eq!(imported, 200);
    for answer in written {
        assert_eq!(answer.status.as_u16(), 201, "{}", String::from_utf8_lossy(&answer.body));
    }
}

#[actix_web::test]
async fn gzip_works_on_every_body_an_import_included() {
    use std::io::Write;
    let gzip = |bytes: &[u8]| {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        encoder.write_all(bytes).unwrap();
        encoder.finish().unwrap()
    };
    let app = spawn_app().await;
    let admin = format!("Bearer {}", app.make_key(KeyRole::Admin).await);
    let res = test::call_service(
        &app.service,
        test::TestRequest::post()
            .uri("/v1/people")
            .insert_header(("authorization", admin.as_str()))
            .insert_header(("content-type", "application/json"))
            .insert_header(("content-encoding", "gzip"))
            .set_payload(gzip(br#"{"name": "Compressed Person"}"#))
            .to_request(),
    )
    .await;
    assert_eq!(res.status().as_u16(), 201);
    let file = app.get("/v1/export").await.body.to_vec();
    let res = test::call_service(
        &app.service,
        test::TestRequest::post()
            .uri("/v1/import")
            .insert_header(("authorization", admin.as_str()))
            .insert_header(("content-type", "application/x-ndjson"))
            .insert_header(("content-encoding", "gzip"))
            .set_payload(gzip(&file))
            .to_request(),
    )
    .await;
    let status = res.status().as_u16();
    let body: Value = test::read_body_json(res).await;
    assert_eq!(status, 200, "{body}");
    assert!(
        body["inserted"].as_object().unwrap().is_empty(),
        "everything was there: {body}"
    );
    assert!(body["lines"].as_u64().unwrap() > 100);
}

#[actix_web::test]
async fn reads_revalidate_with_304_and_are_compressed_when_the_client_accepts_it() {
    let app = spawn_app().await;
    let first = app.get("/v1/commitments/1").await;
    let etag = first.header("etag").unwrap().to_owned();
    assert_eq!(
        first.header("cache-control"),
        Some("public, max-age=5, stale-while-revalidate=30")
    );
    let again = app
        .send(Method::GET, "/v1/commitments/1", &[("If-None-Match", &etag)], None)
        .await;
    assert_eq!(again.status.as_u16(), 304);
    assert!(again.body.is_empty());
    assert_eq!(again.header("etag"), Some(etag.as_str()));
    let other = app
        .send(Method::GET, "/v1/commitments/1", &[("If-None-Match", "\"999\"")], None)
        .await;
    assert_eq!(other.status.as_u16(), 200);
    let compressed = app
        .send(
            Method::GET,
            "/v1/commitments?limit=50",
            &[("Accept-Encoding", "gzip")],
            None,
        )
        .await;
    assert_eq!(compressed.header("content-encoding"), Some("gzip"));
    let plain = app.get("/v1/commitments?limit=50").await;
    assert!(
        compressed.body.len() < plain.body.len() / 2,
        "{} vs {}",
        compressed.body.len(),
        plain.body.len()
    );
    let keyed = app.make_key(KeyRole::Editor).await;
    let private = app
        .send(
            Method::GET,
            "/v1/commitments/1",
            &[("Authorization", &format!("Bearer {keyed}"))],
            None,
        )
        .await;
    assert_eq!(private.header("cache-control"), Some("no-store"));
    assert_eq!(
        app.get("/readyz").await.header("cache-control"),
        None,
        "health is never cached"
    );
}
