//! The detail endpoints and the fields of each record.

use crate::helpers::spawn_app;

#[actix_web::test]
async fn every_iso_state_is_a_nation_and_a_nation_shows_its_memberships() {
    let app = spawn_app().await;
    let cz = app.get_json("/v1/nations/cz").await;
    assert_eq!(cz["code"], "CZ");
    assert_eq!(cz["alpha3"], "CZE");
    assert_eq!(cz["name"], "Czechia");
    let memberships = cz["memberships"].as_array().unwrap();
    let nato = memberships.iter().find(|m| m["abbreviation"] == "NATO").unwrap();
    assert_eq!(nato["joined_on"], "1999-03-12");
    let eu = memberships.iter().find(|m| m["abbreviation"] == "EU").unwrap();
    assert_eq!(eu["joined_on"], "2004-05-01");
    let gb = app.get_json("/v1/nations/GB").await;
    let eu = gb["memberships"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["abbreviation"] == "EU")
        .unwrap();
    assert_eq!(eu["left_on"], "2020-01-31");
    for code in ["UA", "RU", "BE", "HR", "US", "FR", "AQ", "ZW"] {
        assert_eq!(app.get_json(&format!("/v1/nations/{code}")).await["code"], code);
    }
}

#[actix_web::test]
async fn a_commitment_shows_its_quantity_role_conditions_announcer_and_history() {
    let app = spawn_app().await;
    let fr = app.get_json("/v1/commitments?nation=FR").await["items"][0].clone();
    let detail = app.get_json(&format!("/v1/commitments/{}", fr["id"])).await;
    assert_eq!(detail, fr, "the detail and the list entry agree");
    assert_eq!(detail["kind"], "troops");
    assert_eq!(detail["status"], "proposed");
    assert_eq!(detail["quantity"]["text"], "several thousand");
    assert_eq!(detail["quantity"]["unit"], "soldiers");
    assert_eq!(
        detail["quantity"]["min"], 3000.0,
        "\"several thousand\" by the quantity rules"
    );
    assert_eq!(detail["quantity"]["max"], 9999.0);
    assert_eq!(detail["basis"]["quantity"]["basis"], "inferred");
    assert_eq!(detail["role"], "non_combat");
    assert_eq!(detail["basis"]["role"]["basis"], "inferred");
    assert_eq!(detail["announced_by"]["name"], "Emmanuel Macron");
    assert_eq!(detail["announced_by"]["role"], "French President");
    assert_eq!(detail["basis"]["announced_by"]["basis"], "stated");
    assert!(
        detail["announced_on"].is_null(),
        "the article does not date Macron's words"
    );
    assert!(detail["basis"]["announced_on"].is_null());
    assert_eq!(detail["reliability"], "ai_generated");

    let ammo = app.get_json("/v1/commitments?nation=CZ&kind=ammunition").await["items"][0].clone();
    let history: Vec<&str> = ammo["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["status"].as_str().unwrap())
        .collect();
    assert_eq!(
        history,
        vec!["in_progress", "withdrawn"],
        "a status change is history, not an overwrite"
    );
    assert_eq!(ammo["status"], "withdrawn");
    assert_eq!(ammo["history"][1]["modality"], "announced");
    assert!(ammo["history"][1]["citations"].as_array().unwrap().len() == 1);
}

#[actix_web::test]
async fn statements_claims_events_people_and_sources_have_their_documented_fields() {
    let app = spawn_app().await;
    let statements = app.get_json("/v1/statements").await;
    let witkoff = statements["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["nation"] == "US")
        .unwrap()
        .clone();
    let detail = app.get_json(&format!("/v1/statements/{}", witkoff["id"])).await;
    assert_eq!(detail, witkoff);
    assert_eq!(detail["speaker"]["role"], "US envoy");
    assert!(
        detail["said_on"].is_null(),
        "the article does not date the envoy's words"
    );
    assert_eq!(detail["stance"], "supportive");
    assert_eq!(
        detail["basis"]["stance"]["basis"], "inferred",
        "a stance is a reading, and says so"
    );

    let claim = app.get_json("/v1/claims?claimed_by=RU").await["items"][0].clone();
    let detail = app.get_json(&format!("/v1/claims/{}", claim["id"])).await;
    assert_eq!(detail["value"], 129.0);
    assert_eq!(detail["unit"], "drones");
    assert_eq!(detail["period"], "overnight");
    assert!(detail["reported_on"].is_null(), "the article does not date the claim");
    assert_eq!(detail["description"], "Drones Russia claimed to have downed overnight");

    let meeting = app.get_json("/v1/events?kind=meeting").await["items"][0].clone();
    let detail = app.get_json(&format!("/v1/events/{}", meeting["id"])).await;
    assert_eq!(detail["title"], "Paris meeting on security guarantees for Ukraine");
    assert_eq!(detail["occurred_on"], "2026-01-07");
    assert_eq!(detail["basis"]["occurred_on"]["basis"], "stated");
    assert_eq!(detail["location"], "Paris");
    assert_eq!(detail["attendance"], "more than two dozen nations");
    assert_eq!(
        detail["participants"],
        serde_json::json!([]),
        "the article names no participant; the attendance text says who came"
    );

    let person = app.get_json(&format!("/v1/people/{}", witkoff["speaker"]["id"])).await;
    assert_eq!(person["name"], "Steve Witkoff");
    assert_eq!(person["nation"], "US");

    let source_id = app.get_json("/v1/sources").await["items"][0]["id"].as_i64().unwrap();
    let source = app.get_json(&format!("/v1/sources/{source_id}")).await;
    let text = crate::helpers::article();
    assert_eq!(source["text"].as_str().unwrap(), text, "the text is kept byte for byte");
    assert_eq!(source["length"].as_u64().unwrap() as usize, text.chars().count());
    use sha2::Digest;
    let digest = sha2::Sha256::digest(text.as_bytes());
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(source["sha256"], hex);
    assert_eq!(source["reliability"], "ai_generated");
    assert!(source["reliability_note"]
        .as_str()
        .unwrap()
        .starts_with("This content is AI-generated"));
    assert_eq!(source["kind"], "news_article");
}
