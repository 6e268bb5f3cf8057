//! Reads answer from what the database stores and keeps up to date: each record's representation
//! (its current revision), the tallies, the timeline's entries. These check that what is stored
//! is what the tables give, after writes of every kind, and that reads stay within their budget of
//! round trips to PostgreSQL.

use actix_web::http::Method;
use alliance_kb::vocab::KeyRole;
use serde_json::{json, Value};

use crate::helpers::{another_instance, app_watching, eventually, spawn_app, TestDatabase, TestResponse};

/// Writes of every kind that change what other records show: a source and a person that facts
/// show, an event, a statement, a commitment linked to the event, its status, a correction that
/// moves it to another nation and event, a dispute, a source's reliability, a retraction.
async fn write_a_bit_of_everything<S, B>(app: &crate::helpers::TestApp<S>)
where
    S: actix_web::dev::Service<
        actix_http::Request,
        Response = actix_web::dev::ServiceResponse<B>,
        Error = actix_web::Error,
    >,
    B: actix_web::body::MessageBody,
{
    let auth = format!("Bearer {}", app.make_key(KeyRole::Editor).await);
    let send = |method: Method, path: String, etag: Option<String>, body: Option<Value>| {
        let auth = auth.clone();
        async move {
            let mut headers = vec![("authorization", auth.clone())];
            if let Some(etag) = etag {
                headers.push(("if-match", etag));
            }
            let headers: Vec<(&str, &str)> = headers.iter().map(|(n, v)| (*n, v.as_str())).collect();
            app.send(method, &path, &headers, body).await
        }
    };
    let ok = |res: TestResponse| {
        assert!(
            res.status.is_success(),
            "{}: {}",
            res.status,
            String::from_utf8_lossy(&res.body)
        );
        (res.json(), res.header("etag").unwrap().to_owned())
    };
    let text = "Zagreb said it would send 40 engineers. The minister said: \"Engineers, not combat troops.\" Oslo pledged two frigates on 3 March 2026.";
    let (source, source_tag) = ok(send(
        Method::POST,
        "/v1/sources".into(),
        None,
        Some(json!({"kind": "transcript", "title": "Briefing", "reliability": "unverified", "text": text})),
    )
    .await);
    let sid = source["id"].as_i64().unwrap();
    let (person, _) = ok(send(
        Method::POST,
        "/v1/people".into(),
        None,
        Some(json!({"name": "Ivan Anušić", "role": "Minister of Defence", "nation": "HR"})),
    )
    .await);
    let (event, _) = ok(send(
        Method::POST,
        "/v1/events".into(),
        None,
        Some(json!({
        "kind": "meeting", "title": "Zagreb briefing", "participants": [{"nation": "HR"}],
        "citations": [{"source_id": sid, "excerpt": "Zagreb said"}],
        "basis": {"participants": {"basis": "stated", "citation": 0}}})),
    )
    .await);
    let eid = event["id"].as_i64().unwrap();
    let (statement, _) = ok(send(
        Method::POST,
        "/v1/statements".into(),
        None,
        Some(json!({
        "speaker_id": person["id"], "nation": "HR", "stance": "conditional", "event_id": eid,
        "summary": "Croatia would send engineers, not combat troops.", "quote": "Engineers, not combat troops.",
        "citations": [{"source_id": sid, "excerpt": "The minister said: \"Engineers, not combat troops.\""}],
        "basis": {"speaker": {"basis": "stated", "citation": 0},
                  "event_id": {"basis": "inferred", "note": "said at the briefing"}}})),
    )
    .await);
    let (commitment, _) = ok(send(
        Method::POST,
        "/v1/commitments".into(),
        None,
        Some(json!({
        "nation": "HR", "kind": "troops", "status": "proposed", "event_id": eid,
        "summary": "Croatia would send 40 engineers.",
        "quantity": {"min": 40, "max": 40, "unit": "engineers", "text": "40 engineers"},
        "citations": [{"source_id": sid, "excerpt": "Zagreb said it would send 40 engineers."}],
        "basis": {"quantity": {"basis": "stated", "citation": 0},
                  "event_id": {"basis": "inferred", "note": "announced at the briefing"}}})),
    )
    .await);
    let cid = commitment["id"].as_i64().unwrap();
    let (_, tag) = ok(send(
        Method::POST,
        format!("/v1/commitments/{cid}/status"),
        None,
        Some(json!({
        "status": "pledged", "changed_on": "2026-03-03",
        "citations": [{"source_id": sid, "excerpt": "on 3 March 2026"}],
        "basis": {"changed_on": {"basis": "stated", "citation": 0}}})),
    )
    .await);
    // Moved to another nation and event: its tallies, its steps' timeline entries and the
    // event's link all follow.
    let (_, _) = ok(send(
        Method::PATCH,
        format!("/v1/commitments/{cid}"),
        Some(tag),
        Some(json!({
        "nation": "NO", "event_id": 1,
        "basis": {"event_id": {"basis": "inferred", "note": "reported beside the Paris meeting"}}})),
    )
    .await);
    ok(send(
        Method::POST,
        format!("/v1/commitments/{cid}/competing-values"),
        None,
        Some(json!({
        "field": "quantity", "value": {"min": 2, "max": 2, "unit": "frigates", "text": "two frigates"},
        "citations": [{"source_id": sid, "excerpt": "Oslo pledged two frigates"}]})),
    )
    .await);
    // A source's reliability shows on every fact resting on it.
    ok(send(
        Method::PATCH,
        format!("/v1/sources/{sid}"),
        Some(source_tag),
        Some(json!({"reliability": "verified"})),
    )
    .await);
    let statement_tag = app
        .get(&format!("/v1/statements/{}", statement["id"]))
        .await
        .header("etag")
        .unwrap()
        .to_owned();
    assert_ne!(
        statement_tag, "\"1\"",
        "the statement shows its source's new reliability"
    );
    ok(send(
        Method::DELETE,
        format!("/v1/statements/{}?reason=duplicate", statement["id"]),
        Some(statement_tag),
        None,
    )
    .await);
}

#[actix_web::test]
async fn every_stored_representation_is_what_its_tables_give_after_writes_of_every_kind() {
    let app = spawn_app().await;
    write_a_bit_of_everything(&app).await;
    let mut conn = app.db.pool.get().await.unwrap();
    let drifted = alliance_kb::records::history::drift(&mut conn).await.unwrap();
    assert!(
        drifted.is_empty(),
        "stored representations that differ from their tables: {drifted:?}"
    );
    // What a revision keeps beside its representation (its nation, why its record was
    // retracted) is what the representation says, and the writes included a retraction.
    let kept = app.database.query(
        "SELECT count(*) FILTER (WHERE retraction IS DISTINCT FROM revision_retraction(after)
                                    OR nation IS DISTINCT FROM after ->> 'nation'),
                count(*) FILTER (WHERE retraction IS NOT NULL)
           FROM revisions",
    );
    assert_eq!(kept[0][0].as_deref(), Some("0"), "{kept:?}");
    assert_ne!(kept[0][1].as_deref(), Some("0"), "{kept:?}");
    // And the check can fail: a representation changed behind the service's back is found.
    app.database.query(
        "UPDATE revisions SET after = (after::jsonb || '{\"summary\": \"tampered\"}')::json WHERE entity = 'commitments' AND record_id = 1 AND valid_until IS NULL",
    );
    let drifted = alliance_kb::records::history::drift(&mut conn).await.unwrap();
    assert_eq!(drifted, vec![(alliance_kb::records::history::Entity::Commitments, 1)]);
    // A refresh stores it anew, as at start when the code's shape changes.
    let stored = alliance_kb::records::history::refresh(&mut conn, |_, _, _| {})
        .await
        .unwrap();
    assert_eq!(stored, 1);
    assert!(alliance_kb::records::history::drift(&mut conn)
        .await
        .unwrap()
        .is_empty());
    let revisions = app.get_json("/v1/commitments/1/revisions").await;
    let last = revisions["items"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["action"], "refresh");
}

/// The rows of the tallies and the visible timeline entries, in one order.
pub const SUMMARIES: &str = "
    SELECT 'c', event_id::text, nation_code, kind, status, n::text FROM commitment_tallies WHERE n > 0
    UNION ALL SELECT 's', nation_code, NULL, NULL, NULL, n::text FROM statement_tallies WHERE n > 0
    UNION ALL SELECT 'n', nation_code, source_id::text, NULL, NULL, n::text FROM source_tallies WHERE n > 0
    UNION ALL SELECT 't', scope, sort_date::text, rank::text, record_id::text, coalesce(link_basis::text, '')
      FROM timeline_entries WHERE visible
    ORDER BY 1, 2, 3, 4, 5, 6";

#[actix_web::test]
async fn the_tallies_and_the_timeline_kept_by_the_database_equal_a_rebuild_from_the_facts() {
    let app = spawn_app().await;
    write_a_bit_of_everything(&app).await;
    let kept = app.database.query(SUMMARIES);
    assert!(kept
        .iter()
        .any(|r| r[0].as_deref() == Some("t") && r[1].as_deref() == Some("NO")));
    let rebuilt = app.database.query(&format!(
        "BEGIN; SELECT tallies_rebuild(); SELECT timeline_rebuild(); {SUMMARIES}; ROLLBACK"
    ));
    // The two function calls each answer one row of their own.
    let rebuilt: Vec<_> = rebuilt.into_iter().filter(|r| r.len() == 6).collect();
    assert_eq!(kept, rebuilt);
    // The commitment moved from HR to NO: HR's troops tally is back to what the seed had.
    let hr_troops: Vec<_> = kept
        .iter()
        .filter(|r| {
            r[0].as_deref() == Some("c")
                && r[1].as_deref() == Some("0")
                && r[2].as_deref() == Some("HR")
                && r[3].as_deref() == Some("troops")
        })
        .collect();
    assert_eq!(hr_troops.len(), 1);
    assert_eq!(hr_troops[0][5].as_deref(), Some("1"));
    // Each write's changes were folded into the tallies at its commit: none is left queued.
    let queued = app.database.query("SELECT count(*) FROM tally_deltas");
    assert_eq!(queued[0][0].as_deref(), Some("0"));
}

/// What a commitment keeps of its last status step and of its live citations (for the divisions
/// matrix) equals what its steps and citations say, after writes of every kind.
#[actix_web::test]
async fn what_a_commitment_keeps_of_its_last_step_and_citations_equals_its_facts() {
    let app = spawn_app().await;
    write_a_bit_of_everything(&app).await;
    let rows = app.database.query(
        "SELECT c.id::text,
                ((c.status, c.status_modality, c.status_changed_on, c.status_changed_on_basis, c.citation_ids)
                 IS NOT DISTINCT FROM
                 (s.status, s.modality, s.changed_on, s.basis -> 'changed_on',
                  ARRAY(SELECT ci.id FROM citations ci WHERE ci.commitment_id = c.id AND ci.retracted_at IS NULL
                         ORDER BY ci.id)))::text,
                (c.status_changed_on_basis IS NOT NULL)::text, cardinality(c.citation_ids)::text
           FROM commitments c
           LEFT JOIN LATERAL (SELECT * FROM commitment_status_changes s WHERE s.commitment_id = c.id
                               ORDER BY s.id DESC LIMIT 1) s ON true
          ORDER BY c.id",
    );
    let differ: Vec<_> = rows.iter().filter(|r| r[1].as_deref() != Some("true")).collect();
    assert!(differ.is_empty(), "{differ:?}");
    assert!(rows.len() > 10);
    assert!(
        rows.iter().any(|r| r[2].as_deref() == Some("true")),
        "some dates have a basis"
    );
    assert!(
        rows.iter().any(|r| r[3].as_deref() == Some("2")),
        "some commitments cite twice"
    );
}

#[actix_web::test]
async fn concurrent_writes_of_one_nation_and_kind_citing_one_source_count_each_once() {
    let app = spawn_app().await;
    let key = app.make_key(alliance_kb::vocab::KeyRole::Editor).await;
    let before = app.get_json("/v1/nations/BE/profile").await;
    let bearer = format!("Bearer {key}");
    let headers = [("Authorization", bearer.as_str())];
    let writes = (0..8).map(|i| {
        let body = serde_json::json!({
            "nation": "BE", "kind": "naval_support", "status": "pledged",
            "summary": format!("Belgium pledged frigate {i}."),
            "citations": [{"source_id": 1, "excerpt": "Belgium offered naval and air support"}]
        });
        app.send(actix_web::http::Method::POST, "/v1/commitments", &headers, Some(body))
    });
    for response in futures::future::join_all(writes).await {
        assert_eq!(response.status, 201, "{:?}", response.body);
    }
    let kept = app.database.query(SUMMARIES);
    let rebuilt: Vec<_> = app
        .database
        .query(&format!("BEGIN; SELECT tallies_rebuild(); {SUMMARIES}; ROLLBACK"))
        .into_iter()
        .filter(|r| r.len() == 6)
        .collect();
    assert_eq!(kept, rebuilt);
    let after = app.get_json("/v1/nations/BE/profile").await;
    assert_ne!(before, after);
}

#[actix_web::test]
async fn a_detail_is_one_round_trip_and_a_list_page_two_whatever_its_length() {
    let app = spawn_app().await;
    // Warm the pool so that connection set-up is not counted.
    app.get_json("/v1/commitments?limit=1").await;
    for path in [
        "/v1/commitments/1",
        "/v1/statements/1",
        "/v1/events/1",
        "/v1/claims/1",
        "/v1/sources/1",
        "/v1/citations/1",
    ] {
        let before = app.db.query_count();
        app.get_json(path).await;
        assert_eq!(app.db.query_count() - before, 1, "GET {path}");
    }
    for path in [
        "/v1/commitments",
        "/v1/statements",
        "/v1/events",
        "/v1/claims",
        "/v1/nations/FR/commitments",
        "/v1/commitments?nation=FR&kind=troops",
    ] {
        for limit in [1, 3, 500] {
            let sep = if path.contains('?') { '&' } else { '?' };
            let before = app.db.query_count();
            app.get_json(&format!("{path}{sep}limit={limit}")).await;
            let cost = app.db.query_count() - before;
            // The state the page is tagged with, then the page with its representations (a
            // nation's list first checks the nation).
            let budget = if path.starts_with("/v1/nations/") { 3 } else { 2 };
            assert_eq!(cost, budget, "GET {path} limit={limit}");
        }
    }
}

#[actix_web::test]
async fn if_none_match_is_answered_304_from_the_tag_alone_until_a_write_changes_it() {
    let app = spawn_app().await;
    app.get_json("/v1/commitments?limit=1").await;
    for path in [
        "/v1/commitments/2",
        "/v1/commitments?nation=FR",
        "/v1/search?q=troops",
        "/v1/divisions?event=1",
        "/v1/nations/FR/profile",
        "/v1/timeline?nation=CZ",
        "/v1/sources",
        "/v1/nations",
    ] {
        let first = app.get(path).await;
        assert_eq!(first.status.as_u16(), 200, "{path}");
        let tag = first
            .header("etag")
            .unwrap_or_else(|| panic!("{path} has no ETag"))
            .to_owned();
        assert_eq!(
            first.header("cache-control"),
            Some("public, max-age=5, stale-while-revalidate=30"),
            "{path}"
        );
        let before = app.db.query_count();
        let again = app.send(Method::GET, path, &[("If-None-Match", &tag)], None).await;
        assert_eq!(
            again.status.as_u16(),
            304,
            "{path}: sent {tag}, got {:?}",
            again.header("etag")
        );
        assert!(again.body.is_empty());
        assert_eq!(again.header("etag"), Some(tag.as_str()), "{path}");
        assert_eq!(
            again.header("cache-control"),
            Some("public, max-age=5, stale-while-revalidate=30"),
            "{path}"
        );
        assert_eq!(
            app.db.query_count() - before,
            1,
            "{path}: a 304 reads only what its tag needs"
        );
    }
    // A write changes what the lists show: their tags no longer match.
    let list = app.get("/v1/commitments?nation=FR").await;
    let tag = list.header("etag").unwrap().to_owned();
    let detail_tag = app.get("/v1/commitments/2").await.header("etag").unwrap().to_owned();
    let auth = format!("Bearer {}", app.make_key(KeyRole::Editor).await);
    let corrected = app
        .send(
            Method::PATCH,
            "/v1/commitments/1",
            &[("authorization", &auth), ("if-match", "\"1\"")],
            Some(json!({"conditions": "after a ceasefire"})),
        )
        .await;
    assert_eq!(
        corrected.status.as_u16(),
        200,
        "{}",
        String::from_utf8_lossy(&corrected.body)
    );
    let after = app
        .send(
            Method::GET,
            "/v1/commitments?nation=FR",
            &[("If-None-Match", &tag)],
            None,
        )
        .await;
    assert_eq!(after.status.as_u16(), 200);
    assert_ne!(after.header("etag"), Some(tag.as_str()));
    // A record the write did not touch keeps its version, and its 304.
    let untouched = app
        .send(
            Method::GET,
            "/v1/commitments/2",
            &[("If-None-Match", &detail_tag)],
            None,
        )
        .await;
    assert_eq!(untouched.status.as_u16(), 304);
}

#[actix_web::test]
async fn with_the_state_watched_a_revalidation_needs_no_query_and_no_write_is_hidden() {
    let (app, watch) = app_watching(TestDatabase::seeded(), std::time::Duration::from_millis(20)).await;
    assert!(
        eventually(10, async || watch.current().is_some()).await,
        "the watch reads the count"
    );
    let paths = [
        "/v1/commitments/2",
        "/v1/commitments?nation=FR",
        "/v1/search?q=troops",
        "/v1/divisions?event=1",
        "/v1/nations/FR/profile",
        "/v1/timeline?nation=CZ",
    ];
    let mut tags = Vec::new();
    for path in paths {
        let tag = app.get(path).await.header("etag").unwrap().to_owned();
        let before = app.db.query_count();
        let again = app.send(Method::GET, path, &[("If-None-Match", &tag)], None).await;
        assert_eq!(again.status.as_u16(), 304, "{path}");
        assert_eq!(again.header("etag"), Some(tag.as_str()), "{path}");
        assert_eq!(
            again.header("cache-control"),
            Some("public, max-age=5, stale-while-revalidate=30"),
            "{path}"
        );
        assert_eq!(
            app.db.query_count() - before,
            0,
            "{path}: a 304 the watch vouches for reads nothing"
        );
        tags.push(tag);
    }
    // A tag of another version is never vouched for.
    let stale = app
        .send(Method::GET, "/v1/commitments/2", &[("If-None-Match", "\"999\"")], None)
        .await;
    assert_eq!(stale.status.as_u16(), 200);

    // A write through this instance: what it changed is answered anew at once, before any new
    // reading of the count.
    let auth = format!("Bearer {}", app.make_key(KeyRole::Editor).await);
    let patched = app
        .send(
            Method::PATCH,
            "/v1/commitments/2",
            &[("authorization", &auth), ("if-match", &tags[0])],
            Some(json!({"conditions": "only after a ceasefire"})),
        )
        .await;
    assert_eq!(
        patched.status.as_u16(),
        200,
        "{}",
        String::from_utf8_lossy(&patched.body)
    );
    for (path, tag) in paths.iter().zip(&tags).take(2) {
        let after = app.send(Method::GET, path, &[("If-None-Match", tag)], None).await;
        assert_eq!(after.status.as_u16(), 200, "{path} right after this instance's write");
    }

    // A write through another instance is seen at the watch's next reading.
    let tag = app
        .get("/v1/commitments?nation=FR")
        .await
        .header("etag")
        .unwrap()
        .to_owned();
    let revalidated = async || {
        let res = app
            .send(
                Method::GET,
                "/v1/commitments?nation=FR",
                &[("If-None-Match", &tag)],
                None,
            )
            .await;
        res.status.as_u16()
    };
    assert!(
        eventually(10, async || revalidated().await == 304).await,
        "the list is vouched for again once the watch has read the count after the write"
    );
    let other = another_instance(&app.database.url).await;
    let key = app.make_key(KeyRole::Editor).await;
    let req = actix_web::test::TestRequest::patch()
        .uri("/v1/commitments/1")
        .insert_header(("authorization", format!("Bearer {key}")))
        .insert_header(("if-match", "\"1\""))
        .set_json(json!({"conditions": "after a ceasefire"}))
        .to_request();
    assert_eq!(actix_web::test::call_service(&other, req).await.status().as_u16(), 200);
    assert!(
        eventually(10, async || revalidated().await == 200).await,
        "another instance's write changes the list's tag here too"
    );
}

#[actix_web::test]
async fn answers_are_compressed_with_gzip_or_brotli_when_the_client_accepts_it() {
    let app = spawn_app().await;
    let plain = app.get("/v1/commitments?limit=50").await;
    for (encoding, name) in [("gzip", "gzip"), ("br", "br"), ("br;q=1.0, gzip;q=0.5", "br")] {
        for path in ["/v1/commitments?limit=50", "/openapi.json"] {
            let res = app
                .send(Method::GET, path, &[("Accept-Encoding", encoding)], None)
                .await;
            assert_eq!(res.header("content-encoding"), Some(name), "{path} with {encoding}");
        }
    }
    let gzip = app
        .send(
            Method::GET,
            "/v1/commitments?limit=50",
            &[("Accept-Encoding", "gzip")],
            None,
        )
        .await;
    assert!(
        gzip.body.len() < plain.body.len() / 2,
        "{} vs {}",
        gzip.body.len(),
        plain.body.len()
    );
    // Small answers are not worth it.
    let small = app
        .send(Method::GET, "/healthz", &[("Accept-Encoding", "gzip")], None)
        .await;
    assert_eq!(small.header("content-encoding"), None);
}

/// A commitment to write in the budget tests: undisputed, one citation, a quantity.
pub(crate) fn a_frigate() -> serde_json::Value {
    json!({"nation": "BE", "kind": "naval_support", "status": "pledged", "summary": "Belgium pledged a frigate.",
        "quantity": {"text": "a frigate"},
        "citations": [{"source_id": 1, "excerpt": "Belgium offered naval and air support"}]})
}

/// Creates [`a_frigate`] with `auth`; the answer is a 201.
pub(crate) async fn create_a_frigate<S, B>(app: &crate::helpers::TestApp<S>, auth: &str) -> TestResponse
where
    S: actix_web::dev::Service<
        actix_http::Request,
        Response = actix_web::dev::ServiceResponse<B>,
        Error = actix_web::Error,
    >,
    B: actix_web::body::MessageBody,
{
    let made = app
        .send(
            Method::POST,
            "/v1/commitments",
            &[("authorization", auth)],
            Some(a_frigate()),
        )
        .await;
    assert_eq!(made.status.as_u16(), 201);
    made
}

/// What a commitment's creation costs, statements sent through the pool: 8 of its own (the
/// sources' texts, the commitment, its citations, its first status step with that step's
/// citations, the three reads its representation is made from, and the revisions), plus the key
/// lookup, BEGIN (one message with the write's setting of generic plans) and COMMIT; with an Idempotency-Key, three more (the key claimed with a lock, its
/// answer looked up after the lock is held, the answer kept).
const CREATE_BUDGET: u64 = 11;

#[actix_web::test]
async fn a_commitment_s_creation_stays_within_its_budget_of_statements() {
    let app = spawn_app().await;
    let auth = format!("Bearer {}", app.make_key(KeyRole::Editor).await);
    app.get_json("/v1/commitments?limit=1").await;
    // A first write reads what a process reads once (the nations' codes).
    create_a_frigate(&app, &auth).await;
    for key in [None, Some("first"), Some("second")] {
        let mut headers = vec![("authorization", auth.as_str())];
        headers.extend(key.map(|k| ("idempotency-key", k)));
        let before = app.db.query_count();
        let made = app
            .send(Method::POST, "/v1/commitments", &headers, Some(a_frigate()))
            .await;
        assert_eq!(made.status.as_u16(), 201, "{}", String::from_utf8_lossy(&made.body));
        let cost = app.db.query_count() - before;
        let budget = CREATE_BUDGET + if key.is_some() { 3 } else { 0 };
        assert!(
            cost <= budget,
            "POST /v1/commitments sent {cost} statements, over {budget}"
        );
    }
}

/// What a correction of a commitment costs, statements sent through the pool: 10 of its own (the
/// lock, the version after it, the record's fields, its basis with its citations' ids, the update,
/// the three reads its representation is made from, its last revision, the new revision), plus
/// the key lookup, BEGIN and COMMIT.
const CORRECTION_BUDGET: u64 = 13;

#[actix_web::test]
async fn a_commitment_s_correction_stays_within_its_budget_of_statements() {
    let app = spawn_app().await;
    let auth = format!("Bearer {}", app.make_key(KeyRole::Editor).await);
    // A commitment of its own (an undisputed one), whose making also reads what a process reads once.
    let made = create_a_frigate(&app, &auth).await;
    let path = format!("/v1/commitments/{}", made.json()["id"]);
    let mut version = made.header("etag").unwrap().to_owned();
    for conditions in ["after a ceasefire", "after a ceasefire, with a mandate"] {
        let before = app.db.query_count();
        let patched = app
            .send(
                Method::PATCH,
                &path,
                &[("authorization", auth.as_str()), ("if-match", version.as_str())],
                Some(json!({"conditions": conditions})),
            )
            .await;
        assert_eq!(
            patched.status.as_u16(),
            200,
            "{}",
            String::from_utf8_lossy(&patched.body)
        );
        let cost = app.db.query_count() - before;
        assert!(
            cost <= CORRECTION_BUDGET,
            "PATCH {path} sent {cost} statements, over {CORRECTION_BUDGET}"
        );
        version = patched.header("etag").unwrap().to_owned();
    }
}
