//! Editors at work: writes with keys, validation, history, time travel, concurrency and retries.

use actix_web::http::Method;
use alliance_kb::vocab::KeyRole;
use serde_json::{json, Value};

use crate::helpers::{error_fields, spawn_app};

const TEXT: &str = "Belgium will contribute a minehunter to the Black Sea task group from March.";

#[actix_web::test]
async fn an_editor_adds_a_source_and_a_commitment_changes_its_status_and_reads_back_its_history() {
    let app = spawn_app().await;
    // The key is made with the command, as an operator would.
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_alliance-kb"))
        .args(["keys", "create", "--name", "Desk", "--role", "editor"])
        .env("DATABASE_URL", &app.database.url)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let key = String::from_utf8(output.stdout).unwrap().trim().to_owned();
    let key_id: i64 = key.split('_').nth(1).unwrap().parse().unwrap();
    let auth = format!("Bearer {key}");
    let h = |extra: &[(&'static str, &'static str)]| -> Vec<(&'static str, String)> {
        let mut v: Vec<(&'static str, String)> = vec![("authorization", auth.clone())];
        v.extend(extra.iter().map(|(k, v)| (*k, (*v).to_owned())));
        v
    };
    let send = |method: Method, path: String, headers: Vec<(&'static str, String)>, body: Option<Value>| {
        let app = &app;
        async move {
            let headers: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
            app.send(method, &path, &headers, body).await
        }
    };

    let source = send(
        Method::POST,
        "/v1/sources".into(),
        h(&[]),
        Some(
            json!({"kind": "official_statement", "title": "Belgian defence statement", "reliability": "official",
                    "published_on": "2026-01-08", "text": TEXT}),
        ),
    )
    .await;
    assert_eq!(source.status.as_u16(), 201, "{}", String::from_utf8_lossy(&source.body));
    assert_eq!(source.header("etag"), Some("\"1\""));
    let source = source.json();
    let source_id = source["id"].as_i64().unwrap();
    assert_eq!(source["text"], TEXT);

    let commitment_body = json!({
        "nation": "be", "kind": "naval_support", "status": "pledged", "announced_on": "2026-01-08",
        "summary": "Belgium pledged a minehunter to the Black Sea task group.",
        "quantity": {"min": 1, "max": 1, "unit": "minehunters", "text": "a minehunter"},
        "citations": [{"source_id": source_id, "excerpt": "Belgium will contribute a minehunter"}],
        "basis": {"quantity": {"basis": "stated", "citation": 0},
                  "announced_on": {"basis": "inferred", "note": "The statement is published on 8 January 2026 and announces the pledge."}}
    });
    let created = send(
        Method::POST,
        "/v1/commitments".into(),
        h(&[("idempotency-key", "pledge-1")]),
        Some(commitment_body.clone()),
    )
    .await;
    assert_eq!(
        created.status.as_u16(),
        201,
        "{}",
        String::from_utf8_lossy(&created.body)
    );
    let id = created.json()["id"].as_i64().unwrap();
    assert_eq!(
        created.header("location"),
        Some(format!("/v1/commitments/{id}").as_str())
    );
    assert_eq!(created.json()["citations"][0]["reliability"], "official");
    assert_eq!(
        created.json()["reliability"],
        "official",
        "a fact on an official source is no longer marked AI-generated"
    );

    // A retried POST with the same Idempotency-Key creates nothing twice.
    let retried = send(
        Method::POST,
        "/v1/commitments".into(),
        h(&[("idempotency-key", "pledge-1")]),
        Some(commitment_body.clone()),
    )
    .await;
    assert_eq!(retried.status.as_u16(), 201);
    assert_eq!(retried.header("idempotent-replayed"), Some("true"));
    assert_eq!(retried.json()["id"], id);
    let belgium = app.get_json("/v1/commitments?nation=BE").await;
    assert_eq!(
        belgium["items"].as_array().unwrap().len(),
        3,
        "two from the seed and one added, once"
    );
    let reused = send(
        Method::POST,
        "/v1/commitments".into(),
        h(&[("idempotency-key", "pledge-1")]),
        Some(json!({"summary": "other"})),
    )
    .await;
    reused.problem(409);

    let read = app.get(&format!("/v1/commitments/{id}")).await;
    assert_eq!(read.header("etag"), Some("\"1\""));

    // The status changes; the history keeps both.
    let changed = send(
        Method::POST,
        format!("/v1/commitments/{id}/status"),
        h(&[]),
        Some(
            json!({"status": "delivered", "changed_on": "2026-03-02", "note": "Joined the task group.",
                    "citations": [{"source_id": source_id, "excerpt": "from March"}],
                    "basis": {"changed_on": {"basis": "inferred", "note": "\"from March\": the first working day of March 2026."}}}),
        ),
    )
    .await;
    assert_eq!(
        changed.status.as_u16(),
        201,
        "{}",
        String::from_utf8_lossy(&changed.body)
    );
    assert_eq!(changed.header("etag"), Some("\"2\""));
    let changed = changed.json();
    assert_eq!(changed["status"], "delivered");
    let steps: Vec<&str> = changed["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["status"].as_str().unwrap())
        .collect();
    assert_eq!(steps, vec!["pledged", "delivered"]);

    let revisions = app.get_json(&format!("/v1/commitments/{id}/revisions")).await;
    let revisions = revisions["items"].as_array().unwrap().clone();
    assert_eq!(revisions.len(), 2);
    assert_eq!(
        (revisions[0]["version"].as_i64(), revisions[0]["action"].as_str()),
        (Some(1), Some("create"))
    );
    assert_eq!(
        (revisions[1]["version"].as_i64(), revisions[1]["action"].as_str()),
        (Some(2), Some("status"))
    );
    assert_eq!(revisions[1]["key_id"], key_id);
    assert_eq!(revisions[1]["before"]["status"], "pledged");
    assert_eq!(revisions[1]["after"]["status"], "delivered");

    // Read as of the first version: the old state.
    let before_change = revisions[0]["changed_at"].as_str().unwrap().to_owned();
    let then = app
        .get_json(&format!(
            "/v1/commitments?nation=BE&as_of={}",
            urlencode(&before_change)
        ))
        .await;
    let then = then["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .unwrap()
        .clone();
    assert_eq!(then["status"], "pledged");
    assert_eq!(then["history"].as_array().unwrap().len(), 1);
    let delivered_then = app
        .get_json(&format!(
            "/v1/commitments?status=delivered&as_of={}",
            urlencode(&before_change)
        ))
        .await;
    assert_eq!(delivered_then["items"].as_array().unwrap().len(), 0);
    assert_eq!(
        app.get_json("/v1/commitments?status=delivered").await["items"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let changes = app
        .get_json(&format!(
            "/v1/changes?since={}&limit=500",
            urlencode("2026-01-01T00:00:00Z")
        ))
        .await;
    assert!(changes["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["resource"] == "commitments" && c["record_id"] == id && c["action"] == "status"));

    // Two editors never overwrite each other silently.
    let patch = json!({"summary": "Belgium delivered a minehunter to the Black Sea task group."});
    send(
        Method::PATCH,
        format!("/v1/commitments/{id}"),
        h(&[]),
        Some(patch.clone()),
    )
    .await
    .problem(428);
    let stale = send(
        Method::PATCH,
        format!("/v1/commitments/{id}"),
        h(&[("if-match", "\"1\"")]),
        Some(patch.clone()),
    )
    .await;
    assert!(stale.problem(412)["detail"].as_str().unwrap().contains("\"2\""));
    let patched = send(
        Method::PATCH,
        format!("/v1/commitments/{id}"),
        h(&[("if-match", "\"2\"")]),
        Some(patch),
    )
    .await;
    assert_eq!(
        patched.status.as_u16(),
        200,
        "{}",
        String::from_utf8_lossy(&patched.body)
    );
    assert_eq!(patched.header("etag"), Some("\"3\""));
    assert_eq!(
        patched.json()["quantity"]["text"],
        "a minehunter",
        "a merge patch leaves other fields as they were"
    );
    let cleared = send(
        Method::PATCH,
        format!("/v1/commitments/{id}"),
        h(&[("if-match", "\"3\"")]),
        Some(json!({"quantity": null})),
    )
    .await;
    assert!(cleared.json()["quantity"].is_null(), "null clears a field");

    // Retraction hides, keeps, and says why.
    send(
        Method::DELETE,
        format!("/v1/commitments/{id}?reason=Duplicate"),
        h(&[]),
        None,
    )
    .await
    .problem(428);
    // A reason is measured as sent (as the document's `maxLength` says) and must say something.
    for reason in [format!("{}%20%20", "x".repeat(3999)), "%20%0D%E3%80%80".to_owned()] {
        let refused = send(
            Method::DELETE,
            format!("/v1/commitments/{id}?reason={reason}"),
            h(&[("if-match", "\"4\"")]),
            None,
        )
        .await
        .problem(400);
        assert_eq!(refused["parameter"], "reason", "{refused}");
    }
    let before_retraction = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    let retracted = send(
        Method::DELETE,
        format!("/v1/commitments/{id}?reason=Duplicate%20entry"),
        h(&[("if-match", "\"4\"")]),
        None,
    )
    .await;
    assert_eq!(
        retracted.status.as_u16(),
        200,
        "{}",
        String::from_utf8_lossy(&retracted.body)
    );
    assert_eq!(retracted.json()["retracted"]["reason"], "Duplicate entry");
    let gone = app.get(&format!("/v1/commitments/{id}")).await.problem(404);
    assert!(
        gone["detail"].as_str().unwrap().contains("retracted (Duplicate entry)"),
        "{gone}"
    );
    // As of a moment before the retraction the record reads as it was; as of now it is gone
    // from the list unless retracted records are asked for.
    let then = urlencode(&before_retraction);
    assert!(app.get_json(&format!("/v1/commitments/{id}?as_of={then}")).await["retracted"].is_null());
    let now = urlencode(&chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true));
    let listed = |items: &Value| items["items"].as_array().unwrap().iter().any(|c| c["id"] == json!(id));
    assert!(listed(
        &app.get_json(&format!("/v1/commitments?nation=BE&as_of={then}")).await
    ));
    assert!(!listed(
        &app.get_json(&format!("/v1/commitments?nation=BE&as_of={now}")).await
    ));
    assert!(listed(
        &app.get_json(&format!("/v1/commitments?nation=BE&as_of={now}&include_retracted=true"))
            .await
    ));
    app.get(&format!("/v1/commitments/{id}?as_of={now}")).await.problem(404);
    assert_eq!(
        app.get_json(&format!("/v1/commitments/{id}?include_retracted=true"))
            .await["retracted"]["reason"],
        "Duplicate entry"
    );
    assert_eq!(
        app.get_json("/v1/commitments?nation=BE").await["items"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    assert_eq!(
        app.get_json("/v1/commitments?nation=BE&include_retracted=true").await["items"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
    assert_eq!(
        app.get_json(&format!("/v1/commitments/{id}/revisions")).await["items"]
            .as_array()
            .unwrap()
            .len(),
        5
    );

    // A source with live citations cannot be retracted; its reliability shows on every fact citing it.
    let source_etag = app
        .get(&format!("/v1/sources/{source_id}"))
        .await
        .header("etag")
        .unwrap()
        .to_owned();
    let h_source: Vec<(&'static str, String)> =
        vec![("authorization", auth.clone()), ("if-match", source_etag.clone())];
    let refused = send(
        Method::DELETE,
        format!("/v1/sources/{source_id}?reason=x"),
        h_source.clone(),
        None,
    )
    .await;
    assert!(refused.problem(409)["detail"]
        .as_str()
        .unwrap()
        .contains("live citation"));
    let downgraded = send(
        Method::PATCH,
        format!("/v1/sources/{source_id}"),
        h_source,
        Some(json!({"reliability": "unverified"})),
    )
    .await;
    assert_eq!(
        downgraded.status.as_u16(),
        200,
        "{}",
        String::from_utf8_lossy(&downgraded.body)
    );
    let shown = app
        .get_json(&format!("/v1/commitments/{id}?include_retracted=true"))
        .await;
    assert_eq!(shown["citations"][0]["reliability"], "unverified");
}

fn urlencode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

#[actix_web::test]
async fn every_problem_of_a_body_is_reported_at_once_and_nothing_is_written() {
    let app = spawn_app().await;
    let auth = format!("Bearer {}", app.make_key(KeyRole::Editor).await);
    let before = app.get_json("/v1/commitments?include_retracted=true&limit=500").await["items"]
        .as_array()
        .unwrap()
        .len();
    let res = app
        .send(
            Method::POST,
            "/v1/commitments",
            &[("authorization", &auth)],
            Some(json!({
                "nation": "XX", "kind": "tanks", "status": "promised",
                "summary": "x".repeat(5000), "conditions": "after\u{0}ceasefire",
                "quantity": {"min": 5000, "max": 100, "text": "a few"},
                "announced_by": 999999, "colour": "red",
                "citations": [{"source_id": 1, "excerpt": "Belgium offered submarines"},
                              {"source_id": 1, "excerpt": "Ukraine", "start": 0, "end": 8}]
            })),
        )
        .await;
    let problem = res.problem(422);
    let fields = error_fields(&problem);
    for expected in [
        "nation",
        "kind",
        "status",
        "summary",
        "conditions",
        "quantity.min",
        "announced_by",
        "colour",
        "citations[0].excerpt",
        "citations[1].excerpt",
    ] {
        assert!(fields.contains(&expected), "{expected} is reported: {problem:#}");
    }
    // An excerpt equal to the whole text, with an end past the text's end, is refused, not stored.
    let past_the_end = app
        .send(
            Method::POST,
            "/v1/claims",
            &[("authorization", &auth)],
            Some(json!({"kind": "report", "description": "x",
                        "citations": [{"source_id": 1, "excerpt": "Ukraine", "start": 0, "end": 9999999}]})),
        )
        .await
        .problem(422);
    assert_eq!(past_the_end["errors"][0]["field"], "citations[0].end", "{past_the_end}");
    let no_citation = app
        .send(
            Method::POST,
            "/v1/commitments",
            &[("authorization", &auth)],
            Some(json!({"nation": "FR", "kind": "troops", "status": "proposed", "summary": "x", "citations": []})),
        )
        .await
        .problem(422);
    assert!(
        no_citation["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("at least one citation"),
        "{no_citation}"
    );
    let dated = app
        .send(
            Method::POST,
            "/v1/commitments/10/status",
            &[("authorization", &auth)],
            Some(
                json!({"status": "withdrawn", "modality": "effective", "changed_on": "2026-02-01",
                        "citations": [{"source_id": 1, "excerpt": "The Czech government went further"}],
                        "basis": {"changed_on": {"basis": "inferred", "note": "A later report dates the stop."}}}),
            ),
        )
        .await;
    assert_eq!(dated.status.as_u16(), 201, "{}", String::from_utf8_lossy(&dated.body));
    let out_of_order = app
        .send(
            Method::POST,
            "/v1/commitments/10/status",
            &[("authorization", &auth)],
            Some(json!({"status": "in_progress", "changed_on": "2025-01-01", "citations": [{"source_id": 1, "excerpt": "Czech"}]})),
        )
        .await
        .problem(422);
    let fields = error_fields(&out_of_order);
    assert!(
        fields.contains(&"changed_on") && fields.contains(&"citations[0].excerpt"),
        "{out_of_order:#}"
    );
    let source = app
        .send(
            Method::POST,
            "/v1/sources",
            &[("authorization", &auth)],
            Some(
                json!({"kind": "report", "title": "t", "reliability": "verified", "text": "x",
                        "published_on": "2030-01-01", "retrieved_at": "2026-01-01T00:00:00Z", "url": "ftp://x"}),
            ),
        )
        .await
        .problem(422);
    let fields = error_fields(&source);
    assert!(
        fields.contains(&"published_on") && fields.contains(&"url"),
        "{source:#}"
    );
    app.send(Method::POST, "/v1/commitments", &[("authorization", &auth)], None)
        .await
        .problem(400);
    let after = app.get_json("/v1/commitments?include_retracted=true&limit=500").await["items"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(before, after, "nothing was written");
    // Writing needs a key; reading does not.
    app.send(Method::POST, "/v1/commitments", &[], Some(json!({})))
        .await
        .problem(401);
}

#[actix_web::test]
async fn people_events_statements_claims_and_citations_are_written_with_the_same_rules() {
    let app = spawn_app().await;
    let auth = format!("Bearer {}", app.make_key(KeyRole::Editor).await);
    let post = |path: &'static str, body: Value| {
        let (app, auth) = (&app, auth.clone());
        async move {
            app.send(Method::POST, path, &[("authorization", &auth)], Some(body))
                .await
        }
    };
    let change = |method: Method, path: String, etag: String, body: Option<Value>| {
        let (app, auth) = (&app, auth.clone());
        async move {
            app.send(method, &path, &[("authorization", &auth), ("if-match", &etag)], body)
                .await
        }
    };
    let created = |res: crate::helpers::TestResponse| {
        assert_eq!(res.status.as_u16(), 201, "{}", String::from_utf8_lossy(&res.body));
        res.json()
    };

    let source = created(
        post(
            "/v1/sources",
            json!({"kind": "transcript", "title": "Press conference", "reliability": "verified",
        "text": "The minister said: \"We will send engineers, not combat troops.\" Zagreb confirmed 40 engineers."}),
        )
        .await,
    );
    let sid = source["id"].as_i64().unwrap();
    let person = created(
        post(
            "/v1/people",
            json!({"name": "Ivan Anušić", "role": "Minister of Defence", "nation": "hr"}),
        )
        .await,
    );
    let pid = person["id"].as_i64().unwrap();
    assert_eq!(person["nation"], "HR");

    // A quote must be verbatim; a statement needs a speaker or an attribution.
    let bad = post(
        "/v1/statements",
        json!({"speaker_id": pid, "summary": "x", "stance": "conditional", "quote": "We will send tanks",
        "citations": [{"source_id": sid, "excerpt": "We will send engineers, not combat troops."}],
        "basis": {"speaker": {"basis": "stated", "citation": 0}}}),
    )
    .await
    .problem(422);
    assert_eq!(bad["errors"][0]["field"], "quote", "{bad}");
    post(
        "/v1/statements",
        json!({"summary": "x", "stance": "neutral", "citations": [{"source_id": sid, "excerpt": "Zagreb"}]}),
    )
    .await
    .problem(422);
    let statement = created(post("/v1/statements", json!({"speaker_id": pid, "nation": "HR", "stance": "conditional",
        "summary": "Croatia would send engineers, not combat troops.", "quote": "We will send engineers, not combat troops.",
        "citations": [{"source_id": sid, "excerpt": "The minister said: \"We will send engineers, not combat troops.\""}],
        "basis": {"speaker": {"basis": "stated", "citation": 0}}})).await);
    let st = statement["id"].as_i64().unwrap();
    assert_eq!(statement["speaker"]["name"], "Ivan Anušić");

    // Renaming the person shows on their statement, as a new version of it.
    let renamed = change(
        Method::PATCH,
        format!("/v1/people/{pid}"),
        "\"1\"".into(),
        Some(json!({"role": "Croatian Minister of Defence"})),
    )
    .await;
    assert_eq!(
        renamed.status.as_u16(),
        200,
        "{}",
        String::from_utf8_lossy(&renamed.body)
    );
    assert_eq!(
        app.get_json(&format!("/v1/statements/{st}")).await["speaker"]["role"],
        "Croatian Minister of Defence"
    );
    assert_eq!(
        app.get_json(&format!("/v1/statements/{st}/revisions")).await["items"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    let refused = change(
        Method::DELETE,
        format!("/v1/people/{pid}?reason=x"),
        "\"2\"".into(),
        None,
    )
    .await;
    assert!(refused.problem(409)["detail"].as_str().unwrap().contains("statements"));

    // Events: participants are checked and listed once.
    let twice = post(
        "/v1/events",
        json!({"kind": "meeting", "title": "Zagreb briefing",
        "participants": [{"nation": "HR"}, {"nation": "hr"}, {"nation": "QQ"}],
        "citations": [{"source_id": sid, "excerpt": "Zagreb confirmed"}]}),
    )
    .await
    .problem(422);
    let fields = error_fields(&twice);
    assert!(
        fields.contains(&"participants[1].nation") && fields.contains(&"participants[2].nation"),
        "{twice}"
    );
    let event = created(
        post(
            "/v1/events",
            json!({"kind": "meeting", "title": "Zagreb briefing", "participants": [{"nation": "HR", "role": "host"}],
        "citations": [{"source_id": sid, "excerpt": "Zagreb confirmed"}],
        "basis": {"participants": {"basis": "inferred", "note": "Zagreb confirmed the figure, so Croatia hosted the briefing."}}}),
        )
        .await,
    );
    let eid = event["id"].as_i64().unwrap();
    let moved = change(
        Method::PATCH,
        format!("/v1/events/{eid}"),
        "\"1\"".into(),
        Some(json!({"participants": [{"nation": "HR"}, {"nation": "SI"}],
                    "basis": {"participants": {"basis": "inferred", "note": "A later report adds Slovenia."}}})),
    )
    .await;
    let moved = moved.json();
    let nations: Vec<&str> = moved["participants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["nation"].as_str().unwrap())
        .collect();
    assert_eq!(nations, vec!["HR", "SI"]);

    // Claims, and their citations as records of their own.
    let claim = created(
        post(
            "/v1/claims",
            json!({"kind": "report", "description": "Croatian engineers offered", "value": 40, "unit": "engineers",
        "event_id": eid, "citations": [{"source_id": sid, "excerpt": "40 engineers"}],
        "basis": {"event_id": {"basis": "inferred", "note": "The figure was confirmed at the briefing."}}}),
        )
        .await,
    );
    let cid = claim["id"].as_i64().unwrap();
    let first_citation = claim["citations"][0]["id"].as_i64().unwrap();
    let record = app.get_json(&format!("/v1/citations/{first_citation}")).await;
    assert_eq!(
        (record["fact_type"].as_str(), record["fact_id"].as_i64()),
        (Some("claim"), Some(cid))
    );
    let last = change(
        Method::DELETE,
        format!("/v1/citations/{first_citation}?reason=x"),
        "\"1\"".into(),
        None,
    )
    .await;
    assert!(last.problem(409)["detail"].as_str().unwrap().contains("last evidence"));
    let second = created(
        post(
            "/v1/citations",
            json!({"fact_type": "claim", "fact_id": cid, "source_id": sid,
        "excerpt": "Zagreb confirmed 40 engineers."}),
        )
        .await,
    );
    let second_id = second["id"].as_i64().unwrap();
    assert_eq!(
        app.get_json(&format!("/v1/claims/{cid}")).await["citations"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    let moved = change(
        Method::PATCH,
        format!("/v1/citations/{second_id}"),
        "\"1\"".into(),
        Some(json!({"excerpt": "Zagreb confirmed 40 engineers", "start": null, "end": null})),
    )
    .await;
    assert_eq!(moved.status.as_u16(), 200, "{}", String::from_utf8_lossy(&moved.body));
    change(
        Method::PATCH,
        format!("/v1/citations/{second_id}"),
        "\"2\"".into(),
        Some(json!({"fact_id": 1})),
    )
    .await
    .problem(422);
    let gone = change(
        Method::DELETE,
        format!("/v1/citations/{first_citation}?reason=Too%20short"),
        "\"1\"".into(),
        None,
    )
    .await;
    assert_eq!(gone.status.as_u16(), 200, "{}", String::from_utf8_lossy(&gone.body));
    let claim_now = app.get_json(&format!("/v1/claims/{cid}")).await;
    assert_eq!(claim_now["citations"].as_array().unwrap().len(), 1);
    let actions: Vec<String> = app.get_json(&format!("/v1/claims/{cid}/revisions")).await["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["action"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        actions,
        vec!["create", "cite", "cite", "cite"],
        "each citation change is a version of its fact"
    );
    let patched = change(
        Method::PATCH,
        format!("/v1/claims/{cid}"),
        "\"4\"".into(),
        Some(json!({"value": 45, "citations": []})),
    )
    .await
    .problem(422);
    assert_eq!(patched["errors"][0]["field"], "citations");
    let retracted = change(
        Method::DELETE,
        format!("/v1/claims/{cid}?reason=Superseded"),
        "\"4\"".into(),
        None,
    )
    .await;
    assert_eq!(retracted.status.as_u16(), 200);
    app.get(&format!("/v1/claims/{cid}")).await.problem(404);
    let statements_retracted = change(
        Method::DELETE,
        format!("/v1/statements/{st}?reason=Misattributed"),
        "\"2\"".into(),
        None,
    )
    .await;
    assert_eq!(statements_retracted.status.as_u16(), 200);
    let event_retracted = change(
        Method::DELETE,
        format!("/v1/events/{eid}?reason=Not%20an%20event"),
        "\"2\"".into(),
        None,
    )
    .await;
    assert_eq!(event_retracted.status.as_u16(), 200);
}
