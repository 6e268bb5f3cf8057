//! The whole knowledge base out and in: export, import into an empty database, export again.

use std::process::Command;

use actix_web::http::Method;
use alliance_kb::vocab::KeyRole;
use serde_json::{json, Value};

use crate::helpers::{app_on, error_fields, spawn_app, TestDatabase};

/// An empty database with the schema and no records.
fn migrated_empty() -> TestDatabase {
    let database = TestDatabase::empty();
    let url = database.url.clone();
    std::thread::spawn(move || alliance_kb::db::migrate(&url).unwrap())
        .join()
        .unwrap();
    database
}

fn types(export: &str) -> Vec<String> {
    export
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["type"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect()
}

fn cli(url: &str, args: &[&str]) -> std::process::Output {
    let output = Command::new(env!("CARGO_BIN_EXE_alliance-kb"))
        .args(args)
        .env("DATABASE_URL", url)
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "alliance-kb {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

#[actix_web::test]
async fn export_import_export_gives_the_same_file() {
    // A knowledge base with history made by a key: a person added, then retracted.
    let app = spawn_app().await;
    let admin = app.make_key(KeyRole::Admin).await;
    let bearer = format!("Bearer {admin}");
    let created = app
        .send(
            Method::POST,
            "/v1/people",
            &[("Authorization", &bearer)],
            Some(json!({"name": "Ivan Anušić", "role": "Minister of Defence", "nation": "HR"})),
        )
        .await;
    assert_eq!(created.status, 201);
    let id = created.json()["id"].as_i64().unwrap();
    let etag = created.header("etag").unwrap().to_owned();
    let retracted = app
        .send(
            Method::DELETE,
            &format!("/v1/people/{id}?reason=Duplicate%20entry"),
            &[("Authorization", &bearer), ("If-Match", &etag)],
            None,
        )
        .await;
    assert_eq!(retracted.status, 200);
    // An event with a participant, whose basis travels with it.
    let event = app
        .send(
            Method::POST,
            "/v1/events",
            &[("Authorization", &bearer)],
            Some(json!({
                "kind": "meeting", "title": "Paris meeting, as an editor recorded it",
                "occurred_on": "2026-01-07", "participants": [{"nation": "FR", "role": "host"}],
                "citations": [{"source_id": 1, "excerpt": "In a high-stakes meeting in Paris on January 7, 2026"}],
                "basis": {"occurred_on": {"basis": "stated", "citation": 0},
                          "participants": {"basis": "inferred", "note": "France hosted the meeting in its capital."}}
            })),
        )
        .await;
    assert_eq!(event.status, 201, "{}", String::from_utf8_lossy(&event.body));

    let folder = std::env::temp_dir().join(format!("akb-transfer-{}", std::process::id()));
    std::fs::create_dir_all(&folder).unwrap();
    let first = folder.join("first.ndjson");
    let second = folder.join("second.ndjson");
    cli(&app.database.url, &["export", first.to_str().unwrap()]);
    let exported = std::fs::read_to_string(&first).unwrap();
    let kinds = types(&exported);
    for kind in [
        "key",
        "organization",
        "membership",
        "person",
        "source",
        "event",
        "participant",
        "commitment",
        "status_change",
        "statement",
        "claim",
        "citation",
        "revision",
        "seed_record",
    ] {
        assert!(kinds.iter().any(|k| k == kind), "the export holds {kind} records");
    }
    assert!(exported.contains("Duplicate entry"), "retracted records are exported");
    assert!(exported.contains("\"name\": \"test\""), "the CLI export names keys");
    assert!(!exported.contains("secret"), "never a key's secret");
    let source: Value = exported
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .find(|l| l["type"] == "source")
        .unwrap();
    assert_eq!(
        source["record"]["text"],
        app.get_json("/v1/sources/1").await["text"],
        "sources with their texts, whole"
    );

    let target = migrated_empty();
    let imported = cli(&target.url, &["import", first.to_str().unwrap()]);
    assert!(String::from_utf8_lossy(&imported.stdout).contains("records written"));
    cli(&target.url, &["export", second.to_str().unwrap()]);
    let again = std::fs::read_to_string(&second).unwrap();
    assert_eq!(exported.lines().count(), again.lines().count());
    assert!(exported == again, "export, import, export: the same bytes");

    // What the API answers is the same too, history included.
    let copy = app_on(target).await;
    for path in [
        "/v1/commitments?limit=500",
        "/v1/statements?limit=500",
        "/v1/sources/1",
        &format!("/v1/people/{id}/revisions"),
        "/v1/divisions",
    ] {
        assert_eq!(copy.get_json(path).await, app.get_json(path).await, "{path}");
    }
    // Identities continue after the imported ones.
    let created = copy
        .send(
            Method::POST,
            "/v1/people",
            &[(
                "Authorization",
                &format!("Bearer {}", copy.make_key(KeyRole::Editor).await),
            )],
            Some(json!({"name": "Jane Doe", "nation": "EE"})),
        )
        .await;
    assert_eq!(created.status, 201, "{}", String::from_utf8_lossy(&created.body));
    assert!(created.json()["id"].as_i64().unwrap() > id);
    let _ = std::fs::remove_dir_all(&folder);
}

#[actix_web::test]
async fn post_import_loads_a_file_once_and_refuses_what_breaks_the_rules() {
    let source = spawn_app().await;
    let res = source.get("/v1/export").await;
    assert_eq!(res.status, 200);
    assert!(res.header("content-type").unwrap().starts_with("application/x-ndjson"));
    let export = String::from_utf8(res.body.to_vec()).unwrap();

    let target = app_on(migrated_empty()).await;
    let admin = format!("Bearer {}", target.make_key(KeyRole::Admin).await);
    let import = |body: String| {
        let admin = admin.clone();
        let target = &target;
        async move {
            let req = actix_web::test::TestRequest::post()
                .uri("/v1/import")
                .insert_header(("Authorization", admin.as_str()))
                .insert_header(("Content-Type", "application/x-ndjson"))
                .set_payload(body)
                .to_request();
            let res = actix_web::test::call_service(&target.service, req).await;
            let status = res.status().as_u16();
            let body: Value = actix_web::test::read_body_json(res).await;
            (status, body)
        }
    };

    // Refused before anything is written: lines that are not records, and a citation whose
    // excerpt is not its source's span.
    let broken = format!(
        "{}\nnot json\n{{\"type\": \"tank\", \"record\": {{}}}}\n",
        export.trim_end()
    );
    let (status, problem) = import(broken).await;
    assert_eq!(status, 422, "{problem}");
    let fields = error_fields(&problem);
    let last = export.lines().count();
    assert_eq!(
        fields,
        [format!("line {}", last + 1), format!("line {}: type", last + 2)]
    );
    let forged = export.replacen("\"excerpt\": \"", "\"excerpt\": \"Forged ", 1);
    assert_ne!(forged, export);
    let (status, problem) = import(forged).await;
    assert_eq!(status, 422, "{problem}");
    assert!(
        problem["errors"][0]["message"].as_str().unwrap().contains("refuses"),
        "{problem}"
    );
    assert_eq!(
        target.get_json("/v1/commitments").await["items"],
        json!([]),
        "nothing was written"
    );

    // The file loads; what the target answers is what the source answered.
    let (status, report) = import(export.clone()).await;
    assert_eq!(status, 200, "{report}");
    let commitments = source.get_json("/v1/commitments?limit=500").await;
    assert_eq!(
        report["inserted"]["commitment"].as_u64().unwrap() as usize,
        commitments["items"].as_array().unwrap().len()
    );
    assert_eq!(target.get_json("/v1/commitments?limit=500").await, commitments);
    let mine = target.get("/v1/export").await;
    let again: Vec<&str> = std::str::from_utf8(&mine.body)
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with("{\"type\": \"key\""))
        .collect();
    assert_eq!(
        again,
        export.lines().collect::<Vec<_>>(),
        "the same records, the importer's key aside"
    );

    // Loading it twice writes nothing; a record stored with other values is a conflict.
    let (status, report) = import(export.clone()).await;
    assert_eq!(status, 200);
    assert_eq!(report["inserted"], json!({}));
    assert_eq!(report["unchanged"]["commitment"], report["unchanged"]["commitment"]);
    let person = source.get_json("/v1/people?limit=1").await["items"][0].clone();
    let name = person["name"].as_str().unwrap();
    let renamed = export.replacen(&format!("\"name\": \"{name}\""), "\"name\": \"Someone Else\"", 1);
    let (status, problem) = import(renamed).await;
    assert_eq!(status, 409, "{problem}");
    assert_eq!(
        target.get_json(&format!("/v1/people/{}", person["id"])).await["name"],
        name
    );

    // Each export holds a connection of its own only while it runs: more exports than the pool
    // has connections still leave the pool serving.
    for _ in 0..6 {
        assert_eq!(target.get("/v1/export").await.status, 200);
    }
    assert_eq!(target.get("/readyz").await.status, 200);

    // Admins only; a key sent to the export must be valid.
    let editor = format!("Bearer {}", target.make_key(KeyRole::Editor).await);
    let res = target
        .send(Method::POST, "/v1/import", &[("Authorization", &editor)], None)
        .await;
    assert_eq!(res.status, 403);
    let res = target
        .send(
            Method::GET,
            "/v1/export",
            &[("Authorization", "Bearer akb_1_nope")],
            None,
        )
        .await;
    assert_eq!(res.status, 401);
}

#[actix_web::test]
async fn every_table_is_exported_or_left_out_on_purpose() {
    let app = spawn_app().await;
    let mut tables: Vec<String> = app
        .database
        .query("SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1")
        .into_iter()
        .map(|row| row[0].clone().unwrap())
        .collect();
    let mut known: Vec<String> = alliance_kb::transfer::TABLES
        .iter()
        .map(|t| t.name.to_owned())
        .chain(alliance_kb::transfer::NOT_EXPORTED.iter().map(|t| (*t).to_owned()))
        .collect();
    tables.sort();
    known.sort();
    assert_eq!(
        tables, known,
        "a new table needs a place in the export, or a reason to stay out"
    );
}
