//! The data generator: what it adds obeys every rule of the database, reads through the API as
//! any other record does, and is the same for the same seed.

use actix_web::http::Method;
use alliance_kb::generate::{generate, Plan};
use alliance_kb::vocab::KeyRole;
use serde_json::json;

use crate::helpers::{app_on, TestDatabase};
use crate::stored::SUMMARIES;

/// A fingerprint of what was generated, times aside.
const FINGERPRINT: &str = "SELECT md5(string_agg(x, '|' ORDER BY x)) FROM (
    SELECT 'c' || id || nation_code || kind || status || summary || basis::text AS x FROM commitments
    UNION ALL SELECT 's' || id || commitment_id || status || coalesce(changed_on::text, '') FROM commitment_status_changes
    UNION ALL SELECT 'q' || id || source_id || start_offset || excerpt FROM citations
    UNION ALL SELECT 't' || id || summary || coalesce(quote, '') FROM statements) f";

#[actix_web::test]
async fn generated_records_obey_every_rule_and_read_like_any_other() {
    let database = TestDatabase::seeded();
    let before: i64 = database.query("SELECT count(*) FROM commitments")[0][0]
        .as_ref()
        .unwrap()
        .parse()
        .unwrap();
    let report = generate(
        &database.url,
        Plan {
            commitments: 300,
            seed: 7,
        },
        |_, _| {},
    )
    .await
    .unwrap();
    assert!(report.to_string().contains("300 commitments"), "{report}");
    let app = app_on(database).await;

    // Every stored representation is what the tables give, as after any write.
    let mut conn = app.db.pool.get().await.unwrap();
    let drifted = alliance_kb::records::history::drift(&mut conn).await.unwrap();
    assert!(drifted.is_empty(), "{drifted:?}");
    drop(conn);

    // Every revision is listed under its representation's nation, and no record is retracted.
    let misfiled = app.database.query(
        "SELECT count(*) FILTER (WHERE nation IS DISTINCT FROM after ->> 'nation'),
                count(*) FILTER (WHERE retraction IS NOT NULL), count(nation) FROM revisions",
    );
    assert_eq!(misfiled[0][0].as_deref(), Some("0"));
    assert_eq!(misfiled[0][1].as_deref(), Some("0"));
    assert!(misfiled[0][2].as_deref().and_then(|n| n.parse::<i64>().ok()) > Some(300));

    // The database's own checks hold: every citation exact, every fact cited (run again here as
    // the triggers would, over every row).
    let broken = app.database.query(
        "SELECT count(*) FROM citations c JOIN sources s ON s.id = c.source_id
          WHERE substr(s.text, c.start_offset + 1, c.end_offset - c.start_offset) <> c.excerpt",
    );
    assert_eq!(broken[0][0].as_deref(), Some("0"));
    let uncited = app.database.query(
        "SELECT count(*) FROM commitments t WHERE NOT EXISTS (SELECT 1 FROM citations c WHERE c.commitment_id = t.id)
           OR NOT EXISTS (SELECT 1 FROM commitment_status_changes s WHERE s.commitment_id = t.id)",
    );
    assert_eq!(uncited[0][0].as_deref(), Some("0"));

    // Every record's words (its search vector) are what its trigger would have made, although
    // the generator makes them without the triggers.
    let stale = app.database.query(
        "SELECT (SELECT count(*) FROM commitments c WHERE c.search_vector IS DISTINCT FROM commitment_words(c)),
                (SELECT count(*) FROM statements s WHERE s.search_vector IS DISTINCT FROM statement_words(s)),
                (SELECT count(*) FROM claims c WHERE c.search_vector IS DISTINCT FROM claim_words(c)),
                (SELECT count(*) FROM events e WHERE e.search_vector IS DISTINCT FROM event_words(e)),
                (SELECT count(*) FROM sources s WHERE s.search_vector IS DISTINCT FROM source_words_of(s.title, s.text)),
                (SELECT count(*) FROM sources WHERE search_vector IS NULL)",
    );
    assert_eq!(stale[0], vec![Some("0".to_owned()); 6]);

    // It reads through the API: lists, a detail, the tallies and the timeline.
    let (all, _) = app.get_all("/v1/commitments", 500).await;
    assert_eq!(all.len() as i64, before + 300);
    let last = all.last().unwrap();
    let detail = app.get_json(&format!("/v1/commitments/{}", last["id"])).await;
    assert_eq!(&detail, last);
    assert!(detail["citations"][0]["excerpt"]
        .as_str()
        .unwrap()
        .contains("would provide"));
    let nation = last["nation"].as_str().unwrap();
    let profile = app.get_json(&format!("/v1/nations/{nation}/profile")).await;
    assert!(profile["commitments_total"].as_i64().unwrap() >= 1);
    assert!(!app.get_json(&format!("/v1/timeline?nation={nation}")).await["items"]
        .as_array()
        .unwrap()
        .is_empty());

    // The sequences moved past the generated ids: a write after it works.
    let auth = format!("Bearer {}", app.make_key(KeyRole::Editor).await);
    let source = app
        .send(Method::POST, "/v1/sources", &[("authorization", &auth)],
            Some(json!({"kind": "other", "title": "After generating", "reliability": "unverified", "text": "Malta sent a ship."})))
        .await;
    assert_eq!(source.status.as_u16(), 201, "{}", String::from_utf8_lossy(&source.body));
    let made = app
        .send(
            Method::POST,
            "/v1/commitments",
            &[("authorization", &auth)],
            Some(
                json!({"nation": "MT", "kind": "naval_support", "status": "delivered", "summary": "Malta sent a ship.",
                        "citations": [{"source_id": source.json()["id"], "excerpt": "Malta sent a ship."}]}),
            ),
        )
        .await;
    assert_eq!(made.status.as_u16(), 201, "{}", String::from_utf8_lossy(&made.body));
    assert!(made.json()["id"].as_i64().unwrap() > last["id"].as_i64().unwrap());

    // Generated again with the same seed, on top: the same nations, kinds and statuses, so the
    // new commitments add to tallies that exist. The tallies and the timeline are what a
    // rebuild from the facts gives.
    let cells = "SELECT count(*) FROM commitment_tallies WHERE n > 1";
    let shared_before = app.database.query(cells);
    generate(
        &app.database.url,
        Plan {
            commitments: 100,
            seed: 7,
        },
        |_, _| {},
    )
    .await
    .unwrap();
    assert_ne!(app.database.query(cells), shared_before);
    let kept = app.database.query(SUMMARIES);
    let rebuilt = app.database.query(&format!(
        "BEGIN; SELECT tallies_rebuild(); SELECT timeline_rebuild(); {SUMMARIES}; ROLLBACK"
    ));
    let rebuilt: Vec<_> = rebuilt.into_iter().filter(|r| r.len() == 6).collect();
    assert_eq!(kept, rebuilt);
}

#[actix_web::test]
async fn the_same_seed_gives_the_same_records_and_another_seed_others() {
    let (a, b, c) = (TestDatabase::seeded(), TestDatabase::seeded(), TestDatabase::seeded());
    generate(
        &a.url,
        Plan {
            commitments: 120,
            seed: 3,
        },
        |_, _| {},
    )
    .await
    .unwrap();
    generate(
        &b.url,
        Plan {
            commitments: 120,
            seed: 3,
        },
        |_, _| {},
    )
    .await
    .unwrap();
    generate(
        &c.url,
        Plan {
            commitments: 120,
            seed: 4,
        },
        |_, _| {},
    )
    .await
    .unwrap();
    let (fa, fb, fc) = (a.query(FINGERPRINT), b.query(FINGERPRINT), c.query(FINGERPRINT));
    assert_eq!(fa, fb);
    assert_ne!(fa, fc);
}
