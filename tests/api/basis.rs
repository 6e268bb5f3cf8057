//! Stated or inferred, through writes and every endpoint that shows a date: a write says the basis
//! of each date and link it sets; an undated fact stays undated everywhere; an inferred date or
//! link is shown as inferred wherever it appears.

use actix_web::http::Method;
use alliance_kb::vocab::KeyRole;
use serde_json::{json, Value};

use crate::helpers::{error_fields, spawn_app};

/// POSTs a body with a key.
macro_rules! post {
    ($app:expr, $auth:expr, $path:expr, $body:expr $(,)?) => {
        $app.send(Method::POST, $path, &[("authorization", $auth)], Some($body))
    };
}

#[actix_web::test]
async fn a_date_or_link_set_without_its_basis_is_refused_and_a_stated_one_names_its_citation() {
    let app = spawn_app().await;
    let auth = format!("Bearer {}", app.make_key(KeyRole::Editor).await);
    let excerpt = "In a high-stakes meeting in Paris on January 7, 2026";
    let bare = json!({
        "nation": "BE", "kind": "funding", "status": "pledged", "summary": "Belgium pledged funding.",
        "announced_on": "2026-01-07", "event_id": 1,
        "quantity": {"min": 1, "max": 2, "text": "one or two"},
        "citations": [{"source_id": 1, "excerpt": excerpt}]
    });
    let refused = post!(app, &auth, "/v1/commitments", bare.clone()).await.problem(422);
    let named = error_fields(&refused);
    for field in ["basis.announced_on", "basis.event_id", "basis.quantity"] {
        assert!(named.contains(&field), "{field}: {refused:#}");
    }
    assert!(
        refused["errors"][0]["message"].as_str().unwrap().contains("inferred"),
        "the message says how to fix it: {refused:#}"
    );

    // Malformed bases are named one by one.
    let mut malformed = bare.clone();
    malformed["basis"] = json!({
        "announced_on": {"basis": "stated", "citation": 3},
        "event_id": {"basis": "inferred"},
        "quantity": {"basis": "guessed"},
        "colour": {"basis": "inferred", "note": "x"}
    });
    let problem = post!(app, &auth, "/v1/commitments", malformed).await.problem(422);
    let named = error_fields(&problem);
    for field in [
        "basis.announced_on.citation",
        "basis.event_id.note",
        "basis.quantity.basis",
        "basis.colour",
    ] {
        assert!(named.contains(&field), "{field}: {problem:#}");
    }

    // With bases: the stated one names the citation written with the record.
    let mut grounded = bare.clone();
    grounded["basis"] = json!({
        "announced_on": {"basis": "stated", "citation": 0},
        "event_id": {"basis": "stated", "citation": 0},
        "quantity": {"basis": "inferred", "note": "\"one or two\": at least one, at most two."}
    });
    let created = post!(app, &auth, "/v1/commitments", grounded).await;
    assert_eq!(
        created.status.as_u16(),
        201,
        "{}",
        String::from_utf8_lossy(&created.body)
    );
    let record = created.json();
    let citation = record["citations"][0]["id"].clone();
    assert_eq!(
        record["basis"]["announced_on"],
        json!({"basis": "stated", "citation_id": citation, "note": null, "inferred_by": null})
    );
    assert_eq!(
        record["basis"]["quantity"]["inferred_by"],
        format!("key:{}", key_id(&auth))
    );
    // The first step took the announcement's date by a rule, and says so.
    let first = &record["history"][0];
    assert_eq!(first["changed_on"], "2026-01-07");
    assert_eq!(first["basis"]["changed_on"]["basis"], "inferred");
    assert_eq!(first["basis"]["changed_on"]["inferred_by"], "rule");
    assert_eq!(record["inferred"], true);

    // A correction that changes a date must give its basis anew; one that removes it drops it.
    let id = record["id"].as_i64().unwrap();
    let etag = created.header("etag").unwrap().to_owned();
    let patch = |body: Value, etag: String| {
        let (app, auth) = (&app, auth.clone());
        async move {
            app.send(
                Method::PATCH,
                &format!("/v1/commitments/{id}"),
                &[("authorization", &auth), ("if-match", &etag)],
                Some(body),
            )
            .await
        }
    };
    let stale = patch(json!({"announced_on": "2026-01-08"}), etag.clone())
        .await
        .problem(422);
    assert_eq!(error_fields(&stale), vec!["basis.announced_on"], "{stale:#}");
    let foreign = patch(
        json!({"announced_on": "2026-01-08", "basis": {"announced_on": {"basis": "stated", "citation_id": 1}}}),
        etag.clone(),
    )
    .await
    .problem(422);
    assert_eq!(
        error_fields(&foreign),
        vec!["basis.announced_on.citation_id"],
        "{foreign:#}"
    );
    let corrected = patch(
        json!({"announced_on": "2026-01-08", "basis": {"announced_on": {"basis": "inferred", "note": "A later report dates it a day after."}}}),
        etag,
    )
    .await;
    assert_eq!(
        corrected.status.as_u16(),
        200,
        "{}",
        String::from_utf8_lossy(&corrected.body)
    );
    assert_eq!(corrected.json()["basis"]["announced_on"]["basis"], "inferred");
    let etag = corrected.header("etag").unwrap().to_owned();
    let cleared = patch(json!({"announced_on": null}), etag).await;
    assert_eq!(
        cleared.status.as_u16(),
        200,
        "{}",
        String::from_utf8_lossy(&cleared.body)
    );
    assert!(cleared.json()["basis"]["announced_on"].is_null());

    // A status change: modality, and a date needs its basis.
    let undated_basis = post!(
        app,
        &auth,
        &format!("/v1/commitments/{id}/status"),
        json!({"status": "withdrawn", "modality": "announced", "changed_on": "2026-02-01",
               "citations": [{"source_id": 1, "excerpt": excerpt}]}),
    )
    .await
    .problem(422);
    assert_eq!(error_fields(&undated_basis), vec!["basis.changed_on"]);
    let announced = post!(
        app,
        &auth,
        &format!("/v1/commitments/{id}/status"),
        json!({"status": "withdrawn", "modality": "announced",
               "citations": [{"source_id": 1, "excerpt": excerpt}]}),
    )
    .await;
    assert_eq!(
        announced.status.as_u16(),
        201,
        "{}",
        String::from_utf8_lossy(&announced.body)
    );
    let step = announced.json()["history"][1].clone();
    assert_eq!(step["modality"], "announced");
    assert!(step["changed_on"].is_null());
}

/// The id in a key `akb_<id>_<secret>`.
fn key_id(auth: &str) -> String {
    auth.trim_start_matches("Bearer akb_")
        .split('_')
        .next()
        .unwrap()
        .to_owned()
}

#[actix_web::test]
async fn an_undated_fact_stays_undated_and_an_inferred_date_reads_inferred_on_every_endpoint() {
    let app = spawn_app().await;
    let auth = format!("Bearer {}", app.make_key(KeyRole::Editor).await);
    // One commitment with an inferred date, one undated; both Croatian and of one kind.
    let excerpt = "Croatia and the Czech Republic refused to send troops";
    let dated = post!(app,
        &auth,
        "/v1/commitments",
        json!({"nation": "HR", "kind": "funding", "status": "pledged", "summary": "Croatia pledged funding.",
               "announced_on": "2026-01-07",
               "citations": [{"source_id": 1, "excerpt": excerpt}],
               "basis": {"announced_on": {"basis": "inferred", "note": "Reported beside the meeting of 7 January 2026."}}}),
    )
    .await;
    assert_eq!(dated.status.as_u16(), 201, "{}", String::from_utf8_lossy(&dated.body));
    let dated = dated.json();
    let undated = post!(
        app,
        &auth,
        "/v1/commitments",
        json!({"nation": "HR", "kind": "funding", "status": "refused", "summary": "Croatia refused more funding.",
               "citations": [{"source_id": 1, "excerpt": excerpt}]}),
    )
    .await;
    assert_eq!(undated.status.as_u16(), 201);
    let undated = undated.json();
    assert!(undated["announced_on"].is_null() && undated["history"][0]["changed_on"].is_null());

    // Lists, JSON and CSV.
    let list = app.get_json("/v1/commitments?nation=HR&kind=funding").await["items"].clone();
    assert_eq!(list[0]["basis"]["announced_on"]["basis"], "inferred");
    assert!(list[1]["announced_on"].is_null() && list[1]["basis"]["announced_on"].is_null());
    let csv = app
        .send(
            Method::GET,
            "/v1/commitments?nation=HR&kind=funding",
            &[("Accept", "text/csv")],
            None,
        )
        .await;
    let mut reader = csv::Reader::from_reader(&csv.body[..]);
    let header = reader.headers().unwrap().clone();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(&rows[0][col("announced_on")], "2026-01-07");
    assert_eq!(&rows[0][col("basis.announced_on.basis")], "inferred");
    assert_eq!(&rows[1][col("announced_on")], "");
    assert_eq!(&rows[1][col("basis.announced_on.basis")], "");

    // The timeline: the inferred date reads inferred; the undated step stays undated, last.
    let timeline = app.get_json("/v1/timeline?nation=HR&limit=500").await["items"].clone();
    let entry = |commitment: &Value| {
        timeline
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["commitment_id"] == commitment["id"])
            .unwrap()
            .clone()
    };
    assert_eq!(entry(&dated)["date"], "2026-01-07");
    assert_eq!(entry(&dated)["date_basis"]["basis"], "inferred");
    assert_eq!(entry(&dated)["date_basis"]["inferred_by"], "rule");
    assert!(entry(&undated)["date"].is_null() && entry(&undated)["date_basis"].is_null());
    assert!(timeline.as_array().unwrap().last().unwrap()["date"].is_null());

    // The profile.
    let profile = app.get_json("/v1/nations/HR/profile").await;
    let standing = |c: &Value| {
        profile["commitments"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["id"] == c["id"])
            .unwrap()
            .clone()
    };
    assert_eq!(standing(&dated)["since"], "2026-01-07");
    assert_eq!(standing(&dated)["since_basis"]["basis"], "inferred");
    assert!(standing(&undated)["since"].is_null() && standing(&undated)["since_basis"].is_null());

    // The divisions matrix: each commitment with its status, date and basis; the dated one ranks
    // above the undated one, whatever order they were recorded in.
    let matrix = app.get_json("/v1/divisions?kinds=funding").await;
    let row = matrix["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["nation"] == "HR")
        .unwrap()
        .clone();
    let cell = &row["cells"][0];
    assert_eq!(
        cell["status"], "pledged",
        "the dated status wins over the later, undated record"
    );
    let behind = cell["commitments"].as_array().unwrap();
    assert_eq!(behind[0]["changed_on_basis"]["basis"], "inferred");
    assert!(behind[1]["changed_on"].is_null() && behind[1]["changed_on_basis"].is_null());
}

/// The date the record behind a timeline entry states, read from the record itself; a status
/// change is the step of its commitment's history at its place among that commitment's changes
/// (`steps`: each commitment's status changes' ids, from the whole timeline).
macro_rules! stated_date {
    ($app:expr, $entry:expr, $steps:expr) => {{
        let entry: &Value = $entry;
        let id = entry["id"].as_i64().unwrap();
        match entry["type"].as_str().unwrap() {
            "event" => $app.get_json(&format!("/v1/events/{id}")).await["occurred_on"].clone(),
            "statement" => $app.get_json(&format!("/v1/statements/{id}")).await["said_on"].clone(),
            "status_change" => {
                let commitment = $app
                    .get_json(&format!("/v1/commitments/{}", entry["commitment_id"]))
                    .await;
                let steps: &Vec<i64> = &$steps[&entry["commitment_id"].as_i64().unwrap()];
                let history = commitment["history"].as_array().unwrap();
                assert_eq!(steps.len(), history.len(), "{commitment}");
                let place = steps.iter().position(|s| *s == id).unwrap();
                history[place]["changed_on"].clone()
            }
            other => panic!("entry type {other}"),
        }
    }};
}

#[actix_web::test]
async fn every_date_the_seed_s_timelines_profiles_and_matrix_show_is_the_date_its_record_states() {
    let app = spawn_app().await;
    let nations: Vec<String> = app.get_json("/v1/nations?limit=500").await["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["code"].as_str().unwrap().to_owned())
        .collect();
    let mut scopes = vec!["/v1/timeline?limit=500".to_owned()];
    scopes.extend(nations.iter().map(|n| format!("/v1/timeline?nation={n}&limit=500")));
    let mut steps: std::collections::HashMap<i64, Vec<i64>> = Default::default();
    for entry in app.get_json("/v1/timeline?limit=500").await["items"]
        .as_array()
        .unwrap()
    {
        if entry["type"] == "status_change" {
            steps
                .entry(entry["commitment_id"].as_i64().unwrap())
                .or_default()
                .push(entry["id"].as_i64().unwrap());
        }
    }
    steps.values_mut().for_each(|s| s.sort_unstable());
    let mut undated_steps = 0;
    for scope in &scopes {
        let entries = app.get_json(scope).await["items"].clone();
        let mut seen_undated = false;
        for entry in entries.as_array().unwrap() {
            let stated = stated_date!(app, entry, steps);
            assert_eq!(entry["date"], stated, "{scope}: {entry}");
            assert_eq!(entry["date_basis"].is_null(), stated.is_null(), "{scope}: {entry}");
            if entry["date"].is_null() {
                seen_undated = true;
                undated_steps += usize::from(entry["type"] == "status_change");
            } else {
                assert!(!seen_undated, "{scope}: undated entries come last");
            }
        }
    }
    // The seed has undated status changes (the Czech ammunition's progress among them).
    assert!(undated_steps > 0);

    // Profiles and the divisions matrix: a commitment's date is its current status's own date.
    let matrix = app.get_json("/v1/divisions?limit=500").await;
    for code in &nations {
        let profile = app.get_json(&format!("/v1/nations/{code}/profile")).await;
        for standing in profile["commitments"].as_array().unwrap() {
            let commitment = app.get_json(&format!("/v1/commitments/{}", standing["id"])).await;
            let latest = commitment["history"].as_array().unwrap().last();
            let stated = latest.map(|s| s["changed_on"].clone()).unwrap_or(Value::Null);
            assert_eq!(standing["since"], stated, "{code}: {standing} against {commitment}");
        }
    }
    for row in matrix["rows"].as_array().unwrap() {
        for cell in row["cells"].as_array().unwrap() {
            for shown in cell["commitments"].as_array().unwrap() {
                let commitment = app.get_json(&format!("/v1/commitments/{}", shown["id"])).await;
                let dates: Vec<&Value> = commitment["history"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|s| &s["changed_on"])
                    .collect();
                assert!(dates.contains(&&shown["changed_on"]), "{shown} against {commitment}");
            }
        }
    }
}
