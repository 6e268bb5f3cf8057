//! The seed against the article: everything DOMAIN.md asks of it, found through the API with
//! exact citations; reseeding; loader errors; and the database's own refusals.

use serde_json::Value;

use crate::helpers::{app_on, article, assert_citations_exact, spawn_app, TestDatabase};

/// The factual sentences of the article; each must be cited by some fact.
const FACTUAL_SENTENCES: &[&str] = &[
    "Allies gathered in Paris on Jan 7, 2026, to discuss Ukraine security guarantees Paris 2026, including multinational troop deployments and the Trump administration's stance on deterrence.",
    "In a high-stakes meeting in Paris on January 7, 2026, more than two dozen nations issued a joint declaration stating that any end to the war must be backed by \"robust security guarantees.\"",
    "This marks a pivotal moment as allies prepare for a potential ceasefire scenario that could see European boots on the ground.",
    "French President Emmanuel Macron and UK Prime Minister Keir Starmer have signaled their intent to deploy forces to support Kyiv’s defense and reconstruction.",
    "Macron stated that \"several thousand\" French soldiers could be sent to act as a \"force of reassurance,\" though they wouldn't engage in direct combat.",
    "Meanwhile, the UK plans to establish \"military hubs\" across Ukraine to safeguard equipment and military assets.",
    "Crucially, the United States has publicly backed these guarantees for the first time.",
    "US envoy Steve Witkoff noted that President Donald Trump \"strongly stands behind security protocols\" to deter future attacks.",
    "However, a specific clause promising US support in the event of a new Russian attack was omitted from the final communique, indicating a calculated limit to Washington's commitment.",
    "While Belgium offered naval and air support, Croatia and the Czech Republic refused to send troops.",
    "The Czech government went further, announcing it would stop funding ammunition for Ukraine.",
    "On the ground, the violence continues unabated.",
    "Zaporizhia reportedly faced 856 attacks in a single day, while Russia claimed to have downed 129 drones overnight.",
];

fn find<'a>(items: &'a [Value], pred: impl Fn(&Value) -> bool, what: &str) -> &'a Value {
    items
        .iter()
        .find(|i| pred(i))
        .unwrap_or_else(|| panic!("not found: {what}"))
}

/// Code-point offset of a sentence in the text.
fn char_span(text: &str, sentence: &str) -> (usize, usize) {
    let byte = text
        .find(sentence)
        .unwrap_or_else(|| panic!("sentence not in the article: {sentence}"));
    let start = text[..byte].chars().count();
    (start, start + sentence.chars().count())
}

#[actix_web::test]
async fn every_item_the_domain_brief_lists_is_found_with_exact_citations() {
    let app = spawn_app().await;
    let text = article();
    let commitments = app.get_json("/v1/commitments?limit=500").await["items"]
        .as_array()
        .unwrap()
        .clone();
    let statements = app.get_json("/v1/statements?limit=500").await["items"]
        .as_array()
        .unwrap()
        .clone();
    let claims = app.get_json("/v1/claims?limit=500").await["items"]
        .as_array()
        .unwrap()
        .clone();
    let events = app.get_json("/v1/events?limit=500").await["items"]
        .as_array()
        .unwrap()
        .clone();
    for fact in commitments.iter().chain(&statements).chain(&claims).chain(&events) {
        assert_citations_exact(fact, &text);
        assert_eq!(
            fact["reliability"], "ai_generated",
            "a fact resting on the AI-generated article alone says so"
        );
        for change in fact["history"].as_array().into_iter().flatten() {
            assert_citations_exact(change, &text);
        }
    }

    // The meeting, its attendance, and the joint declaration.
    let meeting = find(&events, |e| e["kind"] == "meeting", "the Paris meeting");
    assert_eq!(meeting["occurred_on"], "2026-01-07");
    assert!(meeting["location"].as_str().unwrap().contains("Paris"));
    assert_eq!(meeting["attendance"], "more than two dozen nations");
    let declaration = find(
        &statements,
        |s| s["quote"] == "robust security guarantees",
        "the joint declaration",
    );
    assert!(declaration["attribution"]
        .as_str()
        .unwrap()
        .contains("more than two dozen nations"));
    assert_eq!(declaration["event_id"], meeting["id"]);

    // France and the United Kingdom.
    let fr = find(
        &commitments,
        |c| c["nation"] == "FR" && c["kind"] == "troops",
        "France's troops",
    );
    assert_eq!(
        (fr["status"].as_str(), fr["role"].as_str()),
        (Some("proposed"), Some("non_combat"))
    );
    assert_eq!(fr["quantity"]["text"], "several thousand");
    let reassurance = find(&statements, |s| s["nation"] == "FR", "Macron's statement");
    assert_eq!(reassurance["quote"], "force of reassurance");
    assert_eq!(reassurance["speaker"]["name"], "Emmanuel Macron");
    let gb = find(
        &commitments,
        |c| c["nation"] == "GB" && c["kind"] == "troops",
        "the UK's forces",
    );
    assert_eq!(gb["status"], "proposed");
    assert_eq!(gb["announced_by"]["name"], "Keir Starmer");
    let hubs = find(
        &commitments,
        |c| c["nation"] == "GB" && c["kind"] == "military_hubs",
        "the UK's military hubs",
    );
    assert!(hubs["citations"][0]["excerpt"]
        .as_str()
        .unwrap()
        .contains("\"military hubs\""));

    // The United States: public backing, the envoy's words, the omitted clause.
    let backing = find(
        &commitments,
        |c| c["nation"] == "US" && c["status"] == "endorsed",
        "US backing",
    );
    assert_eq!(backing["kind"], "security_guarantee");
    assert!(backing["citations"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c["excerpt"].as_str().unwrap().contains("for the first time")));
    let envoy = find(&statements, |s| s["nation"] == "US", "the envoy's words");
    assert_eq!(envoy["quote"], "strongly stands behind security protocols");
    assert_eq!(envoy["speaker"]["name"], "Steve Witkoff");
    assert!(envoy["summary"].as_str().unwrap().contains("Donald Trump"));
    let clause = find(
        &commitments,
        |c| c["nation"] == "US" && c["status"] == "omitted",
        "the omitted clause",
    );
    assert_eq!(clause["conditions"], "in the event of a new Russian attack");
    assert!(clause["citations"][0]["excerpt"]
        .as_str()
        .unwrap()
        .contains("omitted from the final communique"));

    // Belgium, Croatia, the Czech Republic.
    for kind in ["naval_support", "air_support"] {
        let be = find(&commitments, |c| c["nation"] == "BE" && c["kind"] == kind, kind);
        assert_eq!(be["status"], "proposed");
    }
    for nation in ["HR", "CZ"] {
        let refusal = find(&commitments, |c| c["nation"] == nation && c["kind"] == "troops", nation);
        assert_eq!(refusal["status"], "refused");
    }
    let ammo = find(
        &commitments,
        |c| c["nation"] == "CZ" && c["kind"] == "ammunition",
        "Czech ammunition",
    );
    assert_eq!(ammo["status"], "withdrawn");
    let stop = ammo["history"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(
        stop["modality"], "announced",
        "\"would stop funding\" is a stop announced"
    );
    assert!(
        stop["changed_on"].is_null(),
        "the article does not date the announcement"
    );

    // The battlefield reports, undated and not tied to the meeting: one report, one claim by a
    // party to the war.
    let attacks = find(&claims, |c| c["location"] == "Zaporizhia", "Zaporizhia attacks");
    assert_eq!(
        (attacks["kind"].as_str(), attacks["value"].as_f64()),
        (Some("report"), Some(856.0))
    );
    assert!(attacks["claimed_by"].is_null());
    let drones = find(&claims, |c| c["claimed_by"] == "RU", "Russia's drone claim");
    assert_eq!(
        (drones["kind"].as_str(), drones["value"].as_f64()),
        (Some("party_claim"), Some(129.0))
    );
    let battle = find(&events, |e| e["kind"] == "attack_report", "the battlefield reports");
    assert!(battle["occurred_on"].is_null(), "the article does not date the reports");
    assert!(attacks["reported_on"].is_null() && drones["reported_on"].is_null());
    assert!(attacks["description"].as_str().unwrap().contains("reportedly"));
    assert_eq!(attacks["event_id"], battle["id"]);
    assert_eq!(
        meeting["participants"],
        serde_json::json!([]),
        "the article names none of the nations at the meeting"
    );

    // Every factual sentence is cited somewhere; the page furniture yields nothing.
    let spans: Vec<(usize, usize)> = commitments
        .iter()
        .chain(&statements)
        .chain(&claims)
        .chain(&events)
        .flat_map(|f| f["citations"].as_array().unwrap().clone())
        .map(|c| {
            (
                c["start"].as_u64().unwrap() as usize,
                c["end"].as_u64().unwrap() as usize,
            )
        })
        .collect();
    for sentence in FACTUAL_SENTENCES {
        let (start, end) = char_span(&text, sentence);
        assert!(
            spans.iter().any(|&(s, e)| s < end && e > start),
            "no fact cites: {sentence}"
        );
    }
    let (furniture, _) = char_span(&text, "Related Articles");
    assert!(
        spans.iter().all(|&(_, e)| e <= furniture),
        "nothing rests on the page furniture"
    );
    let (disclaimer, _) = char_span(&text, "This content is AI-generated");
    assert!(spans.iter().all(|&(_, e)| e <= disclaimer));
}

fn counts(db: &TestDatabase) -> Vec<Vec<Option<String>>> {
    db.query(
        "SELECT (SELECT count(*) FROM sources), (SELECT count(*) FROM commitments), (SELECT count(*) FROM citations), \
                (SELECT count(*) FROM statements), (SELECT count(*) FROM claims), (SELECT count(*) FROM events), \
                (SELECT count(*) FROM people), (SELECT count(*) FROM organizations), (SELECT count(*) FROM memberships), \
                (SELECT count(*) FROM commitment_status_changes)",
    )
}

#[actix_web::test]
async fn seeding_an_empty_database_loads_everything_and_seeding_again_changes_nothing() {
    use diesel_async::AsyncConnection;
    let db = TestDatabase::empty();
    alliance_kb::db::migrate(&db.url).unwrap();
    let mut conn = diesel_async::AsyncPgConnection::establish(&db.url).await.unwrap();
    let first = alliance_kb::seed::load_builtin(&mut conn).await.unwrap();
    assert_eq!(first.inserted.get("commitments"), Some(&10));
    assert_eq!(first.inserted.get("sources"), Some(&1));
    assert_eq!(first.skipped, 0);
    let before = counts(&db);
    let second = alliance_kb::seed::load_builtin(&mut conn).await.unwrap();
    assert_eq!(second.inserted_total(), 0, "{second}");
    assert_eq!(second.skipped, first.inserted_total());
    assert_eq!(counts(&db), before, "loading twice changes nothing");
    drop(conn);
    // The API serves what was seeded.
    let app = app_on(db).await;
    assert_eq!(
        app.get_json("/v1/commitments").await["items"].as_array().unwrap().len(),
        10
    );
}

#[actix_web::test]
async fn a_loader_error_names_the_record_and_the_reason_and_writes_nothing() {
    use diesel_async::AsyncConnection;
    let db = TestDatabase::empty();
    alliance_kb::db::migrate(&db.url).unwrap();
    let mut conn = diesel_async::AsyncPgConnection::establish(&db.url).await.unwrap();
    let broken = alliance_kb::seed::SEED_FILES[1].1.replace(
        "\"excerpt\": \"Belgium offered naval and air support\"\n        }\n      ],\n      \"history\"",
        "\"excerpt\": \"Belgium offered submarines\"\n        }\n      ],\n      \"history\"",
    );
    assert_ne!(broken, alliance_kb::seed::SEED_FILES[1].1, "the test alters the seed");
    let err = alliance_kb::seed::load(&mut conn, &[("broken.json", &broken)])
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("commitment:be-naval-support"), "{err}");
    assert!(err.contains("excerpt not found"), "{err}");
    assert_eq!(
        db.query("SELECT count(*) FROM sources")[0][0].as_deref(),
        Some("0"),
        "the failed load left nothing behind"
    );

    let unknown_nation = alliance_kb::seed::SEED_FILES[1]
        .1
        .replacen("\"nation\": \"HR\"", "\"nation\": \"XX\"", 1);
    let err = alliance_kb::seed::load(&mut conn, &[("bad-nation.json", &unknown_nation)])
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("commitment:hr-troops") && err.contains("foreign key"),
        "{err}"
    );

    let err = alliance_kb::seed::load(&mut conn, &[("not-json.json", "{")])
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("not-json.json"), "{err}");
}

#[actix_web::test]
async fn the_database_refuses_an_inexact_citation_and_a_fact_without_one() {
    let db = TestDatabase::seeded();
    let attempt = |sql: &str| {
        let url = db.url.clone();
        let sql = sql.to_owned();
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                let (client, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls).await.unwrap();
                tokio::spawn(connection);
                client
                    .batch_execute(&sql)
                    .await
                    .map_err(|e| e.as_db_error().map(|d| d.message().to_owned()).unwrap_or(e.to_string()))
            })
        })
        .join()
        .unwrap()
    };
    let err = attempt(
        "INSERT INTO citations (source_id, start_offset, end_offset, excerpt, claim_id) VALUES (1, 0, 7, 'Russia!', 1)",
    )
    .unwrap_err();
    assert!(err.contains("does not equal the text of source"), "{err}");
    attempt(
        "INSERT INTO citations (source_id, start_offset, end_offset, excerpt, claim_id) VALUES (1, 0, 7, 'Ukraine', 1)",
    )
    .expect("an exact citation is accepted");
    let err = attempt("INSERT INTO claims (kind, description) VALUES ('report', 'An uncited figure')").unwrap_err();
    assert!(err.contains("has no row in citations"), "{err}");
    let err = attempt("UPDATE sources SET text = text || ' more' WHERE id = 1").unwrap_err();
    assert!(err.contains("cannot change"), "{err}");
    let err = attempt("INSERT INTO commitments (nation_code, kind, status, summary, quantity_min, quantity_max, quantity_text) VALUES ('FR', 'troops', 'proposed', 'x', 5, 1, 'five')").unwrap_err();
    assert!(err.contains("commitments_quantity_range"), "{err}");
    let err =
        attempt("INSERT INTO commitments (nation_code, kind, status, summary) VALUES ('FR', 'tanks', 'proposed', 'x')")
            .unwrap_err();
    assert!(err.contains("check constraint"), "{err}");
}

/// Checks that a record's value for `field` has a basis that holds: stated by one of the record's
/// own citations, or inferred with a note and who inferred it. Returns the basis.
fn assert_grounded(record: &Value, field: &str) -> Value {
    let basis = record["basis"][field].clone();
    let what = format!("`{field}` of {}", record);
    match basis["basis"].as_str() {
        Some("stated") => {
            let id = &basis["citation_id"];
            assert!(
                record["citations"].as_array().unwrap().iter().any(|c| &c["id"] == id),
                "{what}: stated by citation {id}, which is not one of the record's"
            );
        }
        Some("inferred") => {
            assert!(
                basis["note"].as_str().is_some_and(|n| n.len() > 10),
                "{what}: inferred without a note"
            );
            assert!(basis["inferred_by"].is_string(), "{what}: inferred by nobody");
            assert!(basis["citation_id"].is_null(), "{what}: inferred, yet names a citation");
        }
        _ => panic!("{what}: has a value but no basis"),
    }
    basis
}

/// The values a source may or may not state, and which of them a record sets.
fn grounded_fields(record: &Value, fields: &[&str]) -> Vec<String> {
    fields
        .iter()
        .filter(|f| {
            let v = &record[**f];
            match **f {
                "quantity" => !v["min"].is_null() || !v["max"].is_null(),
                "role" => v != "unspecified",
                "stance" => v != "unclear",
                "participants" => v.as_array().is_some_and(|p| !p.is_empty()),
                _ => !v.is_null(),
            }
        })
        .map(|f| (*f).to_owned())
        .collect()
}

#[actix_web::test]
async fn every_seeded_date_link_range_and_stance_is_stated_by_a_citation_or_marked_inferred() {
    let app = spawn_app().await;
    let list = |path: &'static str| {
        let app = &app;
        async move { app.get_json(path).await["items"].as_array().unwrap().clone() }
    };
    let kinds: [(&str, &[&str]); 4] = [
        (
            "/v1/commitments?limit=500",
            &[
                "quantity",
                "role",
                "conditions",
                "announced_on",
                "announced_by",
                "event_id",
            ],
        ),
        (
            "/v1/statements?limit=500",
            &["said_on", "speaker", "event_id", "stance"],
        ),
        ("/v1/events?limit=500", &["occurred_on", "location", "participants"]),
        ("/v1/claims?limit=500", &["reported_on", "event_id", "location"]),
    ];
    let mut dates = Vec::new();
    let mut checked = 0;
    for (path, fields) in kinds {
        for record in list(path).await {
            let set = grounded_fields(&record, fields);
            for field in fields {
                if set.iter().any(|f| f == field) {
                    let basis = assert_grounded(&record, field);
                    if field.ends_with("_on") {
                        dates.push((record.clone(), field.to_string(), basis));
                    }
                    checked += 1;
                } else {
                    assert!(
                        record["basis"][*field].is_null(),
                        "`{field}` has no value, yet a basis: {record}"
                    );
                }
            }
            let any_inferred = record["basis"]
                .as_object()
                .unwrap()
                .values()
                .any(|b| b["basis"] == "inferred");
            let history_inferred = record["history"].as_array().into_iter().flatten().any(|h| {
                h["basis"]
                    .as_object()
                    .unwrap()
                    .values()
                    .any(|b| b["basis"] == "inferred")
            });
            assert_eq!(record["inferred"], any_inferred || history_inferred, "{record}");
            for step in record["history"].as_array().into_iter().flatten() {
                assert_grounded(step, "status");
                if step["changed_on"].is_null() {
                    assert!(step["basis"]["changed_on"].is_null());
                } else {
                    dates.push((step.clone(), "changed_on".into(), assert_grounded(step, "changed_on")));
                }
            }
        }
    }
    assert!(checked >= 25, "only {checked} values were checked");
    // The article dates only the meeting and its joint declaration, both in so many words.
    assert_eq!(dates.len(), 2, "dated: {dates:?}");
    for (record, field, basis) in dates {
        assert_eq!(record[&field], "2026-01-07");
        assert_eq!(basis["basis"], "stated", "{field} of {record}");
        let cited = record["citations"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == basis["citation_id"])
            .unwrap();
        assert!(
            cited["excerpt"].as_str().unwrap().contains("January 7, 2026"),
            "{cited}"
        );
    }
}

#[actix_web::test]
async fn the_seed_keeps_the_article_s_hedges_and_links_only_what_it_states() {
    let app = spawn_app().await;
    let commitments = app.get_json("/v1/commitments?limit=500").await["items"].clone();
    let commitments = commitments.as_array().unwrap();
    let by = |nation: &str, kind: &str| {
        commitments
            .iter()
            .find(|c| c["nation"] == nation && c["kind"] == kind)
            .unwrap_or_else(|| panic!("{nation} {kind}"))
            .clone()
    };
    // "several thousand" follows the documented rule, and says so.
    let fr = by("FR", "troops");
    assert_eq!(
        (fr["quantity"]["min"].as_f64(), fr["quantity"]["max"].as_f64()),
        (Some(3000.0), Some(9999.0))
    );
    assert_eq!(fr["basis"]["quantity"]["inferred_by"], "rule");
    assert!(fr["basis"]["quantity"]["note"]
        .as_str()
        .unwrap()
        .contains("several <unit>"));
    assert_eq!(fr["basis"]["role"]["basis"], "inferred");
    // The ceasefire scenario is said of allies in general, not set as a condition by FR or GB.
    assert!(fr["conditions"].is_null() && by("GB", "troops")["conditions"].is_null());
    // The public backing is an endorsement; the article credits the United States, not its envoy.
    let backing = by("US", "security_guarantee");
    assert_eq!(backing["status"], "endorsed");
    assert!(backing["announced_by"].is_null());
    // "plans to establish" stays a plan.
    let hubs = by("GB", "military_hubs");
    assert!(hubs["history"][0]["note"].as_str().unwrap().contains("plans"));
    // Every link to the meeting is marked inferred: the article places none of these at it.
    for c in commitments {
        if !c["event_id"].is_null() {
            assert_eq!(c["basis"]["event_id"]["basis"], "inferred", "{c}");
        }
    }
    // The Czech in-progress step is itself read from "would stop funding", and says so.
    let ammo = by("CZ", "ammunition");
    assert_eq!(ammo["history"][0]["status"], "in_progress");
    assert_eq!(ammo["history"][0]["basis"]["status"]["basis"], "inferred");
    // Stated facts alone: basis=stated leaves out every record with an inferred value.
    let stated = app.get_json("/v1/commitments?basis=stated&limit=500").await["items"].clone();
    assert!(stated.as_array().unwrap().iter().all(|c| c["inferred"] == false));
    let inferred = app.get_json("/v1/commitments?basis=inferred&limit=500").await["items"].clone();
    assert_eq!(
        stated.as_array().unwrap().len() + inferred.as_array().unwrap().len(),
        commitments.len()
    );
    let claims = app.get_json("/v1/claims?basis=stated").await["items"].clone();
    assert_eq!(
        claims.as_array().unwrap().len(),
        2,
        "both claims' links and places are stated"
    );
    let at = chrono::Utc::now().to_rfc3339();
    let stated_then = app
        .get_json(&format!(
            "/v1/commitments?basis=stated&limit=500&as_of={}",
            urlencode(&at)
        ))
        .await["items"]
        .clone();
    assert_eq!(stated_then, stated, "as_of reads filter by basis the same way");
}

fn urlencode(s: &str) -> String {
    s.replace('+', "%2B").replace(':', "%3A")
}
