//! The divisions matrix: the "Unity isn't absolute" paragraph as data.

use actix_web::http::Method;
use alliance_kb::vocab::KeyRole;
use serde_json::{json, Value};

use crate::helpers::spawn_app;

fn cell<'a>(matrix: &'a Value, nation: &str, kind: &str) -> &'a Value {
    let row = matrix["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["nation"] == nation)
        .unwrap_or_else(|| panic!("no row for {nation}"));
    row["cells"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["kind"] == kind)
        .unwrap()
}

#[actix_web::test]
async fn the_paris_matrix_shows_who_offered_refused_and_what_was_left_out() {
    let app = spawn_app().await;
    let event = app.get_json("/v1/events?kind=meeting").await["items"][0]["id"]
        .as_i64()
        .unwrap();
    let matrix = app
        .get_json(&format!(
            "/v1/divisions?event={event}&kinds=troops,naval_support,air_support,military_hubs,security_guarantee"
        ))
        .await;
    let kinds: Vec<&str> = matrix["kinds"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k.as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        vec![
            "troops",
            "naval_support",
            "air_support",
            "military_hubs",
            "security_guarantee"
        ]
    );
    let nations: Vec<&str> = matrix["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["nation"].as_str().unwrap())
        .collect();
    assert_eq!(nations, vec!["BE", "CZ", "FR", "GB", "HR", "US"]);
    for (nation, kind, status) in [
        ("HR", "troops", "refused"),
        ("CZ", "troops", "refused"),
        ("BE", "naval_support", "proposed"),
        ("BE", "air_support", "proposed"),
        ("BE", "troops", "no_record"),
        ("FR", "troops", "proposed"),
        ("GB", "troops", "proposed"),
        ("GB", "military_hubs", "proposed"),
        ("HR", "naval_support", "no_record"),
    ] {
        assert_eq!(cell(&matrix, nation, kind)["status"], status, "{nation} {kind}");
    }
    let refused = cell(&matrix, "HR", "troops");
    assert_eq!(
        refused["commitments"][0]["citation_ids"].as_array().unwrap().len(),
        1,
        "the evidence behind the cell"
    );
    assert!(
        cell(&matrix, "BE", "troops")["commitments"]
            .as_array()
            .unwrap()
            .is_empty(),
        "no record is not a refusal"
    );
    let us = cell(&matrix, "US", "security_guarantee");
    let statuses: Vec<&str> = us["commitments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["status"].as_str().unwrap())
        .collect();
    assert_eq!(
        statuses,
        vec!["endorsed", "omitted"],
        "the backing, and the clause left out of the communique"
    );
    // Neither is dated nor announced: the rule ranks neither above the other, so the cell says
    // `mixed` instead of letting the later record hide the public backing.
    assert_eq!(us["status"], "mixed");
    for c in us["commitments"].as_array().unwrap() {
        assert!(c["changed_on"].is_null() && c["changed_on_basis"].is_null(), "{c}");
        assert_eq!(c["modality"], "effective");
        assert_eq!(
            c["event_basis"]["basis"], "inferred",
            "the link to the meeting is inferred: {c}"
        );
    }

    let everything = app.get_json("/v1/divisions").await;
    assert_eq!(everything["kinds"].as_array().unwrap().len(), 10);
    assert_eq!(cell(&everything, "CZ", "ammunition")["status"], "withdrawn");
    assert_eq!(
        cell(&everything, "CZ", "ammunition")["commitments"][0]["modality"],
        "announced",
        "the stop is announced, and the cell says so"
    );
    assert!(cell(&everything, "US", "security_guarantee")["commitments"][0]["event_basis"].is_null());
    assert_eq!(
        app.get("/v1/divisions?kinds=tanks").await.problem(400)["parameter"],
        "kinds"
    );
    app.get("/v1/divisions?event=999999").await.problem(404);
    assert_eq!(
        app.get("/v1/divisions?nation=FR").await.problem(400)["parameter"],
        "nation"
    );
}

#[actix_web::test]
async fn the_matrix_as_csv_is_a_sheet_of_nations_by_kinds() {
    let app = spawn_app().await;
    let event = app.get_json("/v1/events?kind=meeting").await["items"][0]["id"]
        .as_i64()
        .unwrap();
    let path = format!("/v1/divisions?event={event}&kinds=troops,naval_support,air_support");
    let matrix = app.get_json(&path).await;
    let res = app
        .send(actix_web::http::Method::GET, &path, &[("Accept", "text/csv")], None)
        .await;
    assert!(res.header("content-type").unwrap().starts_with("text/csv"));
    let mut reader = csv::Reader::from_reader(&res.body[..]);
    let header: Vec<String> = reader.headers().unwrap().iter().map(str::to_owned).collect();
    assert_eq!(
        header,
        [
            "nation",
            "troops",
            "troops.commitments",
            "troops.citations",
            "naval_support",
            "naval_support.commitments",
            "naval_support.citations",
            "air_support",
            "air_support.commitments",
            "air_support.citations"
        ]
    );
    let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(records.len(), matrix["rows"].as_array().unwrap().len());
    let row = |nation: &str| records.iter().find(|r| &r[0] == nation).unwrap().clone();
    assert_eq!(&row("HR")[1], "refused");
    assert_eq!(&row("CZ")[1], "refused");
    assert_eq!(
        &row("BE")[4],
        cell(&matrix, "BE", "naval_support")["status"].as_str().unwrap()
    );
    assert_eq!(
        &row("BE")[7],
        cell(&matrix, "BE", "air_support")["status"].as_str().unwrap()
    );
    assert_eq!(&row("BE")[1], "no_record");
    let croatia = cell(&matrix, "HR", "troops");
    assert_eq!(&row("HR")[2], croatia["commitments"][0]["id"].to_string());

    let res = app
        .send(
            actix_web::http::Method::GET,
            &path,
            &[("Accept", "application/x-ndjson")],
            None,
        )
        .await;
    let lines: Vec<Value> = std::str::from_utf8(&res.body)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(&lines, matrix["rows"].as_array().unwrap());
}

/// Each commitment a cell shows carries its current status's date and where that date comes
/// from: its history's last step's, as its own record shows it, when it is made (the basis is
/// stored once the citations exist) and when a step follows; and its live citations' ids, as its
/// record lists them, when one is added and when one is retracted.
#[actix_web::test]
async fn a_cell_shows_each_commitment_s_date_and_citations_as_its_record_does() {
    let app = spawn_app().await;
    let auth = format!("Bearer {}", app.make_key(KeyRole::Editor).await);
    // Every commitment of the matrix agrees with its record.
    macro_rules! agree {
        () => {{
            let matrix = app.get_json("/v1/divisions?limit=500").await;
            let mut seen = 0;
            for row in matrix["rows"].as_array().unwrap() {
                for cell in row["cells"].as_array().unwrap() {
                    for shown in cell["commitments"].as_array().into_iter().flatten() {
                        let record = app.get_json(&format!("/v1/commitments/{}", shown["id"])).await;
                        let last = record["history"].as_array().unwrap().last().unwrap().clone();
                        assert_eq!(shown["changed_on"], last["changed_on"], "{shown}");
                        assert_eq!(shown["changed_on_basis"], last["basis"]["changed_on"], "{shown}");
                        assert_eq!(shown["status"], last["status"], "{shown}");
                        let cited: Vec<Value> = record["citations"]
                            .as_array()
                            .unwrap()
                            .iter()
                            .map(|c| c["id"].clone())
                            .collect();
                        assert_eq!(shown["citation_ids"].as_array().unwrap(), &cited, "{shown}");
                        seen += 1;
                    }
                }
            }
            assert!(seen >= 10, "{seen} commitments shown");
        }};
    }
    agree!();

    let made = app
        .send(
            Method::POST,
            "/v1/commitments",
            &[("authorization", &auth)],
            Some(
                json!({"nation": "IS", "kind": "air_support", "status": "pledged", "status_changed_on": "2026-01-07",
                        "summary": "Iceland pledged an air-policing rotation.",
                        "citations": [{"source_id": 1, "excerpt": "Belgium offered naval and air support"}],
                        "basis": {"status_changed_on": {"basis": "stated", "citation": 0}}}),
            ),
        )
        .await;
    assert_eq!(made.status.as_u16(), 201, "{}", String::from_utf8_lossy(&made.body));
    let made = made.json();
    let id = made["id"].as_i64().unwrap();
    // The date is stated by the first step's own citation of the excerpt.
    let cited = made["history"][0]["citations"][0]["id"].as_i64().unwrap();
    let shown = |matrix: &Value| cell(matrix, "IS", "air_support")["commitments"][0].clone();
    let first = shown(&app.get_json("/v1/divisions?kinds=air_support&limit=500").await);
    assert_eq!(first["id"], id);
    assert_eq!(first["changed_on"], "2026-01-07");
    assert_eq!(first["changed_on_basis"]["basis"], "stated", "{first}");
    assert_eq!(first["changed_on_basis"]["citation_id"], cited, "{first}");

    let stepped = app
        .send(
            Method::POST,
            &format!("/v1/commitments/{id}/status"),
            &[("authorization", &auth)],
            Some(json!({"status": "delivered", "changed_on": "2026-03-02",
                        "citations": [{"source_id": 1, "excerpt": "Belgium offered naval and air support"}],
                        "basis": {"changed_on": {"basis": "inferred", "note": "The rotation began in March."}}})),
        )
        .await;
    assert_eq!(
        stepped.status.as_u16(),
        201,
        "{}",
        String::from_utf8_lossy(&stepped.body)
    );
    let now = shown(&app.get_json("/v1/divisions?kinds=air_support&limit=500").await);
    assert_eq!(now["status"], "delivered");
    assert_eq!(now["changed_on"], "2026-03-02");
    assert_eq!(now["changed_on_basis"]["basis"], "inferred", "{now}");
    assert_eq!(now["changed_on_basis"]["note"], "The rotation began in March.", "{now}");
    agree!();

    let added = app
        .send(
            Method::POST,
            "/v1/citations",
            &[("authorization", &auth)],
            Some(json!({"fact_type": "commitment", "fact_id": id, "source_id": 1,
                        "excerpt": "Belgium offered naval and air support"})),
        )
        .await;
    assert_eq!(added.status.as_u16(), 201, "{}", String::from_utf8_lossy(&added.body));
    let added = added.json()["id"].clone();
    let both = shown(&app.get_json("/v1/divisions?kinds=air_support&limit=500").await);
    assert_eq!(
        both["citation_ids"],
        json!([made["citations"][0]["id"], added]),
        "{both}"
    );
    agree!();
    let tag = app
        .get(&format!("/v1/citations/{added}"))
        .await
        .header("etag")
        .unwrap()
        .to_owned();
    let retracted = app
        .send(
            Method::DELETE,
            &format!("/v1/citations/{added}?reason=Duplicate"),
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
    let one = shown(&app.get_json("/v1/divisions?kinds=air_support&limit=500").await);
    assert_eq!(one["citation_ids"], json!([made["citations"][0]["id"]]), "{one}");
    agree!();
}
