//! The timeline and the nation profile: "what changed for Czechia this month?"

use actix_web::http::Method;
use serde_json::Value;

use crate::helpers::spawn_app;

fn entries(page: &Value) -> Vec<Value> {
    page["items"].as_array().unwrap().clone()
}

#[actix_web::test]
async fn the_timeline_puts_events_status_changes_and_statements_in_date_order() {
    let app = spawn_app().await;
    let (all, _) = app.get_all("/v1/timeline", 3).await;
    let types: Vec<&str> = all.iter().map(|e| e["type"].as_str().unwrap()).collect();
    for kind in ["event", "status_change", "statement"] {
        assert!(types.contains(&kind), "the timeline holds {kind}s: {types:?}");
    }
    // Dates never go backwards; undated entries come last.
    let dates: Vec<Option<&str>> = all.iter().map(|e| e["date"].as_str()).collect();
    let dated: Vec<&str> = dates.iter().map_while(|d| *d).collect();
    assert!(dated.windows(2).all(|w| w[0] <= w[1]), "{dates:?}");
    assert!(dates[dated.len()..].iter().all(Option::is_none), "{dates:?}");
    // One entry per status change of a live commitment, and per live statement and event.
    let statements = app.get_json("/v1/statements?limit=500").await["items"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(types.iter().filter(|t| **t == "statement").count(), statements);
    let changes: usize = app.get_json("/v1/commitments?limit=500").await["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["history"].as_array().unwrap().len())
        .sum();
    assert_eq!(types.iter().filter(|t| **t == "status_change").count(), changes);

    // The article dates none of Czechia's acts: nothing of Czechia's falls in January 2026, and its
    // status changes stay undated rather than borrowing the meeting's date.
    let january = entries(
        &app.get_json("/v1/timeline?nation=cz&since=2026-01-01&until=2026-01-31")
            .await,
    );
    assert!(january.iter().all(|e| e["type"] == "event"), "{january:?}");
    let czechia = entries(&app.get_json("/v1/timeline?nation=cz&limit=500").await);
    let refusal = czechia
        .iter()
        .find(|e| e["type"] == "status_change" && e["status"] == "refused")
        .expect("Czechia's refusal");
    assert_eq!(refusal["nation"], "CZ");
    assert_eq!(refusal["kind"], "troops");
    assert!(
        refusal["date"].is_null() && refusal["date_basis"].is_null(),
        "{refusal}"
    );
    let stop = czechia
        .iter()
        .find(|e| e["status"] == "withdrawn")
        .expect("the announced stop");
    assert!(stop["date"].is_null());
    assert_eq!(stop["modality"], "announced");
    let commitment = app
        .get_json(&format!("/v1/commitments/{}", refusal["commitment_id"]))
        .await;
    assert_eq!(commitment["nation"], "CZ");
    assert!(czechia.iter().all(|e| e["nation"] == "CZ" || e["type"] == "event"));
    // The Paris meeting is on Czechia's timeline only through an inferred link, shown as such.
    let meeting = czechia.iter().find(|e| e["type"] == "event").expect("the meeting");
    assert_eq!(meeting["date"], "2026-01-07");
    assert_eq!(meeting["date_basis"]["basis"], "stated");
    assert_eq!(meeting["link_basis"]["basis"], "inferred", "{meeting}");
    let france = entries(&app.get_json("/v1/timeline?nation=FR").await);
    assert!(france.iter().any(|e| e["type"] == "event"));
    assert!(france.iter().any(|e| e["type"] == "statement" && e["nation"] == "FR"));
    // Nothing in 2025.
    assert!(entries(&app.get_json("/v1/timeline?until=2025-12-31").await).is_empty());

    // As CSV, for a spreadsheet.
    let res = app
        .send(Method::GET, "/v1/timeline?nation=CZ", &[("Accept", "text/csv")], None)
        .await;
    let text = String::from_utf8(res.body.to_vec()).unwrap();
    assert!(
        text.starts_with(
            "date,date_basis.basis,date_basis.citation_id,date_basis.note,date_basis.inferred_by,type,id,nation,summary,commitment_id,kind,status,modality,link_basis.basis,link_basis.citation_id,link_basis.note,link_basis.inferred_by\r\n"
        ),
        "{text}"
    );
    assert!(text.contains(",status_change,"), "{text}");

    // Bad input is named.
    assert_eq!(app.get("/v1/timeline?nation=ZZ").await.status, 404);
    assert_eq!(
        app.get("/v1/timeline?nation=Czechia").await.problem(400)["parameter"],
        "nation"
    );
    // An empty range is an empty answer, as in the lists.
    assert!(entries(&app.get_json("/v1/timeline?since=2026-02-01&until=2026-01-01").await).is_empty());
}

#[actix_web::test]
async fn a_nation_profile_counts_its_commitments_and_shows_its_words_and_sources() {
    let app = spawn_app().await;
    let czechia = app.get_json("/v1/nations/cz/profile").await;
    assert_eq!(czechia["nation"]["code"], "CZ");
    assert_eq!(
        czechia["counts"],
        serde_json::json!([
            {"kind": "troops", "status": "refused", "count": 1},
            {"kind": "ammunition", "status": "withdrawn", "count": 1}
        ])
    );
    assert_eq!(czechia["commitments"][0]["status"], "refused");
    assert!(
        czechia["commitments"][0]["since"].is_null(),
        "the article does not date the refusal"
    );
    assert!(czechia["commitments"][0]["since_basis"].is_null());
    assert_eq!(czechia["commitments"][1]["modality"], "announced");

    let france = app.get_json("/v1/nations/FR/profile").await;
    let listed = app.get_json("/v1/nations/FR/commitments?limit=500").await;
    let listed = listed["items"].as_array().unwrap();
    let counted: u64 = france["counts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["count"].as_u64().unwrap())
        .sum();
    assert_eq!(counted as usize, listed.len());
    let standing: Vec<(i64, &str)> = france["commitments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["id"].as_i64().unwrap(), c["status"].as_str().unwrap()))
        .collect();
    let expected: Vec<(i64, &str)> = listed
        .iter()
        .map(|c| (c["id"].as_i64().unwrap(), c["status"].as_str().unwrap()))
        .collect();
    assert_eq!(standing, expected);
    assert_eq!(
        france["statements"],
        app.get_json("/v1/nations/FR/statements?limit=500").await["items"]
    );
    assert!(france["statements"]
        .as_array()
        .unwrap()
        .iter()
        .any(|s| s["quote"] == "force of reassurance"));
    let sources = france["sources"].as_array().unwrap();
    assert!(!sources.is_empty());
    for source in sources {
        assert!(source["citations"].as_u64().unwrap() > 0);
        let detail = app.get_json(&format!("/v1/sources/{}", source["id"])).await;
        assert_eq!(source["reliability"], detail["reliability"]);
    }

    // A nation with no record has an empty profile, not an error.
    let nz = app.get_json("/v1/nations/NZ/profile").await;
    assert_eq!(nz["counts"], serde_json::json!([]));
    assert_eq!(nz["sources"], serde_json::json!([]));
    assert_eq!(app.get("/v1/nations/ZZ/profile").await.status, 404);
}
