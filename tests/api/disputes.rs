//! Disputed facts: when two sources disagree on a value, both are kept with their evidence.

use actix_web::http::Method;
use alliance_kb::vocab::KeyRole;
use serde_json::{json, Value};

use crate::helpers::{error_fields, spawn_app};

#[actix_web::test]
async fn two_sources_disagreeing_make_a_disputed_fact_with_both_values_and_their_evidence() {
    let app = spawn_app().await;
    let auth = format!("Bearer {}", app.make_key(KeyRole::Editor).await);
    let post = |path: String, body: Value| {
        let auth = auth.clone();
        let app = &app;
        async move {
            app.send(Method::POST, &path, &[("Authorization", auth.as_str())], Some(body))
                .await
        }
    };
    let source = post(
        "/v1/sources".into(),
        json!({"kind": "news_article", "title": "Paris follow-up", "reliability": "verified",
               "text": "France will send 5,000 soldiers, the defence ministry said. The allies met in Paris on 8 January."}),
    )
    .await;
    assert_eq!(source.status, 201, "{}", String::from_utf8_lossy(&source.body));
    let source_id = source.json()["id"].as_i64().unwrap();

    let france = app.get_json("/v1/commitments?nation=FR&kind=troops").await["items"][0].clone();
    let id = france["id"].as_i64().unwrap();
    assert_eq!(france["disputed"], false);
    assert_eq!(france["disputes"], json!([]));
    let before = chrono::Utc::now().to_rfc3339();

    let disputed = post(
        format!("/v1/commitments/{id}/competing-values"),
        json!({"field": "quantity",
               "value": {"min": 5000, "max": 5000, "unit": "soldiers", "text": "5,000 soldiers"},
               "note": "A firm figure from the ministry.",
               "citations": [{"source_id": source_id, "excerpt": "5,000 soldiers"}]}),
    )
    .await;
    assert_eq!(disputed.status, 201, "{}", String::from_utf8_lossy(&disputed.body));
    let record = disputed.json();
    assert_eq!(record["disputed"], true);
    let dispute = &record["disputes"][0];
    assert_eq!(dispute["field"], "quantity");
    let values = dispute["values"].as_array().unwrap();
    assert_eq!(values.len(), 2, "the record's own value and the competing one");
    assert_eq!(values[0]["competing_value_id"], Value::Null);
    assert_eq!(values[0]["value"], france["quantity"], "the record keeps its own value");
    assert_eq!(values[0]["citations"], france["citations"]);
    assert_eq!(values[1]["value"]["min"], 5000.0);
    assert_eq!(values[1]["note"], "A firm figure from the ministry.");
    assert_eq!(values[1]["citations"][0]["excerpt"], "5,000 soldiers");
    assert_eq!(values[1]["citations"][0]["source_id"], source_id);
    assert_eq!(record["quantity"], france["quantity"], "never one silent winner");

    // The same everywhere the fact is read; its history shows the dispute.
    let read = app.get_json(&format!("/v1/commitments/{id}")).await;
    assert_eq!(read["disputes"], record["disputes"]);
    let listed = app.get_json("/v1/commitments?nation=FR&kind=troops").await;
    assert_eq!(listed["items"][0]["disputed"], true);
    let then = app
        .get_json(&format!("/v1/commitments/{id}?as_of={}", before.replace('+', "%2B")))
        .await;
    assert_eq!(then["disputed"], false);
    let revisions = app.get_json(&format!("/v1/commitments/{id}/revisions")).await;
    assert!(revisions["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["action"] == "dispute"));
    // The competing value's citation is a citation like any other.
    let citation_id = values[1]["citations"][0]["id"].as_i64().unwrap();
    let citation = app.get_json(&format!("/v1/citations/{citation_id}")).await;
    assert_eq!(citation["fact_type"], "competing_value");

    // Lists find the contested facts, and the others.
    let contested = app.get_json("/v1/commitments?disputed=true").await;
    assert_eq!(contested["items"].as_array().unwrap().len(), 1);
    assert_eq!(contested["items"][0]["id"], id);
    let all = app.get_json("/v1/commitments?limit=500").await["items"]
        .as_array()
        .unwrap()
        .len();
    let undisputed = app.get_json("/v1/commitments?disputed=false&limit=500").await;
    assert_eq!(undisputed["items"].as_array().unwrap().len(), all - 1);
    assert_eq!(app.get_json("/v1/statements?disputed=true").await["items"], json!([]));

    // A value recorded by mistake is retracted with a reason, under the fact's ETag.
    let value_id = record["disputes"][0]["values"][1]["competing_value_id"]
        .as_i64()
        .unwrap();
    let path = format!("/v1/competing-values/{value_id}?reason=Misread%20figure");
    let res = app
        .send(Method::DELETE, &path, &[("Authorization", auth.as_str())], None)
        .await;
    assert_eq!(res.status, 428);
    let etag = app
        .get(&format!("/v1/commitments/{id}"))
        .await
        .header("etag")
        .unwrap()
        .to_owned();
    let res = app
        .send(
            Method::DELETE,
            &path,
            &[("Authorization", auth.as_str()), ("If-Match", etag.as_str())],
            None,
        )
        .await;
    assert_eq!(res.status, 200, "{}", String::from_utf8_lossy(&res.body));
    assert_eq!(res.json()["disputed"], false);
    assert_eq!(
        app.get_json(&format!("/v1/commitments/{id}")).await["disputes"],
        json!([])
    );
    assert_eq!(app.get_json("/v1/commitments?disputed=true").await["items"], json!([]));
    let res = app
        .send(
            Method::DELETE,
            &path,
            &[("Authorization", auth.as_str()), ("If-Match", "*")],
            None,
        )
        .await;
    assert_eq!(res.status, 404, "a retracted value is not retracted twice");
    // The history still holds the disputed version.
    let revisions = app.get_json(&format!("/v1/commitments/{id}/revisions")).await;
    assert!(revisions["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["after"]["disputed"] == true));

    // A date disputed on an event.
    let event = app.get_json("/v1/events?kind=meeting").await["items"][0].clone();
    let res = post(
        format!("/v1/events/{}/competing-values", event["id"]),
        json!({"field": "occurred_on", "value": "2026-01-08",
               "citations": [{"source_id": source_id, "excerpt": "on 8 January"}]}),
    )
    .await;
    assert_eq!(res.status, 201, "{}", String::from_utf8_lossy(&res.body));
    let values = &res.json()["disputes"][0]["values"];
    assert_eq!(values[0]["value"], event["occurred_on"]);
    assert_eq!(values[1]["value"], "2026-01-08");

    // Every problem of a body is named.
    let res = post(
        format!("/v1/commitments/{id}/competing-values"),
        json!({"field": "summary", "value": "x", "citations": []}),
    )
    .await;
    let problem = res.problem(422);
    let fields = error_fields(&problem);
    assert!(fields.contains(&"field") && fields.contains(&"citations"), "{problem}");
    let res = post(
        format!("/v1/commitments/{id}/competing-values"),
        json!({"field": "announced_on", "value": "8 January",
               "citations": [{"source_id": source_id, "excerpt": "on 8 January"}]}),
    )
    .await;
    assert_eq!(res.problem(422)["errors"][0]["field"], "value");
    let res = post(
        format!("/v1/commitments/{id}/competing-values"),
        json!({"field": "status", "value": france["status"],
               "citations": [{"source_id": source_id, "excerpt": "on 8 January"}]}),
    )
    .await;
    let problem = res.problem(422);
    assert!(
        problem["errors"][0]["message"].as_str().unwrap().contains("own"),
        "{problem}"
    );
    let res = post(
        "/v1/sources/1/competing-values".into(),
        json!({"field": "title", "value": "x", "citations": []}),
    )
    .await;
    assert_eq!(res.status, 404);
    let res = app
        .send(
            Method::POST,
            &format!("/v1/commitments/{id}/competing-values"),
            &[],
            Some(json!({})),
        )
        .await;
    assert_eq!(res.status, 401);
}
