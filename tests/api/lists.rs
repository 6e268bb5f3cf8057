//! The list endpoints: every filter, paging across pages, and the cost of a page.

use serde_json::Value;

use crate::helpers::{ids, spawn_app};

fn nations_and_kinds(items: &[Value]) -> Vec<(String, String, String)> {
    let mut v: Vec<_> = items
        .iter()
        .map(|c| {
            (
                c["nation"].as_str().unwrap().to_owned(),
                c["kind"].as_str().unwrap().to_owned(),
                c["status"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    v.sort();
    v
}

fn triple(n: &str, k: &str, s: &str) -> (String, String, String) {
    (n.into(), k.into(), s.into())
}

#[actix_web::test]
async fn commitments_can_be_filtered_by_each_field_and_filters_combine() {
    let app = spawn_app().await;
    let all = app.get_json("/v1/commitments").await["items"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(all.len(), 10);

    let cz = app.get_json("/v1/commitments?nation=cz").await;
    assert_eq!(
        nations_and_kinds(cz["items"].as_array().unwrap()),
        vec![
            triple("CZ", "ammunition", "withdrawn"),
            triple("CZ", "troops", "refused")
        ]
    );

    let troops = app.get_json("/v1/commitments?kind=troops").await;
    let troops = nations_and_kinds(troops["items"].as_array().unwrap());
    assert_eq!(
        troops,
        vec![
            triple("CZ", "troops", "refused"),
            triple("FR", "troops", "proposed"),
            triple("GB", "troops", "proposed"),
            triple("HR", "troops", "refused")
        ]
    );

    let refused = app.get_json("/v1/commitments?status=refused").await;
    assert_eq!(
        nations_and_kinds(refused["items"].as_array().unwrap()),
        vec![triple("CZ", "troops", "refused"), triple("HR", "troops", "refused")]
    );

    let omitted = app.get_json("/v1/commitments?status=omitted&nation=US").await;
    assert_eq!(
        nations_and_kinds(omitted["items"].as_array().unwrap()),
        vec![triple("US", "security_guarantee", "omitted")]
    );

    let combined = app
        .get_json("/v1/commitments?kind=troops&status=refused&nation=HR")
        .await;
    assert_eq!(combined["items"].as_array().unwrap().len(), 1);

    let event_id = app.get_json("/v1/events?kind=meeting").await["items"][0]["id"]
        .as_i64()
        .unwrap();
    let at_event = app.get_json(&format!("/v1/commitments?event={event_id}")).await;
    assert_eq!(at_event["items"].as_array().unwrap().len(), 10);
    assert_eq!(
        app.get_json("/v1/commitments?event=999999").await["items"]
            .as_array()
            .unwrap()
            .len(),
        0
    );

    let source_id = app.get_json("/v1/sources").await["items"][0]["id"].as_i64().unwrap();
    assert_eq!(
        app.get_json(&format!("/v1/commitments?source={source_id}")).await["items"]
            .as_array()
            .unwrap()
            .len(),
        10
    );
    assert_eq!(
        app.get_json("/v1/commitments?source=999999").await["items"]
            .as_array()
            .unwrap()
            .len(),
        0
    );

    // The article dates no commitment: the date filters find none of the seed's, and find one
    // an editor dates.
    assert_eq!(
        app.get_json("/v1/commitments?announced_since=2000-01-01").await["items"]
            .as_array()
            .unwrap()
            .len(),
        0
    );
    let auth = format!("Bearer {}", app.make_key(alliance_kb::vocab::KeyRole::Editor).await);
    let dated = app
        .send(
            actix_web::http::Method::POST,
            "/v1/commitments",
            &[("authorization", &auth)],
            Some(serde_json::json!({
                "nation": "BE", "kind": "funding", "status": "pledged", "summary": "Belgium pledged funding.",
                "announced_on": "2026-01-07",
                "citations": [{"source_id": 1, "excerpt": "Belgium offered naval and air support"}],
                "basis": {"announced_on": {"basis": "inferred", "note": "Reported beside the meeting of 7 January 2026."}}
            })),
        )
        .await;
    assert_eq!(dated.status.as_u16(), 201, "{}", String::from_utf8_lossy(&dated.body));
    assert_eq!(
        app.get_json("/v1/commitments?announced_since=2026-01-07&announced_until=2026-01-07")
            .await["items"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        app.get_json("/v1/commitments?announced_since=2026-01-08").await["items"]
            .as_array()
            .unwrap()
            .len(),
        0
    );
    assert_eq!(
        app.get_json("/v1/commitments?announced_until=2026-01-06").await["items"]
            .as_array()
            .unwrap()
            .len(),
        0
    );
}

#[actix_web::test]
async fn lists_page_with_an_opaque_cursor_across_several_pages() {
    let app = spawn_app().await;
    let (items, pages) = app.get_all("/v1/commitments", 3).await;
    assert_eq!(pages, 4);
    let got = ids(&items);
    let mut sorted = got.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(got, sorted, "pages follow each other in id order without repeats");
    assert_eq!(got.len(), 10);

    let (statements, pages) = app.get_all("/v1/statements", 1).await;
    assert_eq!((statements.len(), pages), (3, 3));
    let (nations, pages) = app.get_all("/v1/nations", 100).await;
    assert_eq!((nations.len(), pages), (249, 3));
    let (filtered, pages) = app.get_all("/v1/commitments?kind=troops", 2).await;
    assert_eq!((filtered.len(), pages), (4, 2));
    assert!(
        filtered.iter().all(|c| c["kind"] == "troops"),
        "the filter holds on every page"
    );
}

#[actix_web::test]
async fn a_page_costs_the_same_few_queries_whatever_its_length() {
    let app = spawn_app().await;
    for path in [
        "/v1/commitments",
        "/v1/statements",
        "/v1/claims",
        "/v1/events",
        "/v1/organizations",
        "/v1/sources",
        "/v1/people",
    ] {
        // Warm the pool so that connection set-up is not counted.
        app.get_json(&format!("{path}?limit=1")).await;
        let mut costs = Vec::new();
        for limit in [2, 3, 500] {
            let before = app.db.query_count();
            let page = app.get_json(&format!("{path}?limit={limit}")).await;
            costs.push(app.db.query_count() - before);
            assert!(!page["items"].as_array().unwrap().is_empty());
        }
        assert!(
            costs.windows(2).all(|w| w[0] == w[1]),
            "{path}: pages of 2, 3 and 500 cost {costs:?} queries"
        );
        assert!(costs[0] <= 6, "{path}: {} queries for a page", costs[0]);
    }
}

#[actix_web::test]
async fn statements_can_be_filtered_by_nation_speaker_event_and_stance() {
    let app = spawn_app().await;
    let us = app.get_json("/v1/statements?nation=US").await;
    let us = us["items"].as_array().unwrap();
    assert_eq!(us.len(), 1);
    assert_eq!(us[0]["speaker"]["name"], "Steve Witkoff");
    let speaker = us[0]["speaker"]["id"].as_i64().unwrap();
    assert_eq!(
        ids(
            app.get_json(&format!("/v1/statements?speaker={speaker}")).await["items"]
                .as_array()
                .unwrap()
        ),
        ids(us)
    );
    let event = app.get_json("/v1/events?kind=meeting").await["items"][0]["id"]
        .as_i64()
        .unwrap();
    assert_eq!(
        app.get_json(&format!("/v1/statements?event={event}")).await["items"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
    assert_eq!(
        app.get_json("/v1/statements?stance=supportive").await["items"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
    assert_eq!(
        app.get_json("/v1/statements?stance=opposed").await["items"]
            .as_array()
            .unwrap()
            .len(),
        0
    );
    assert_eq!(
        app.get_json("/v1/statements?nation=FR&stance=supportive").await["items"][0]["quote"],
        "force of reassurance"
    );
}

#[actix_web::test]
async fn claims_events_sources_people_and_organizations_filter_as_documented() {
    let app = spawn_app().await;
    let party = app.get_json("/v1/claims?kind=party_claim").await;
    assert_eq!(party["items"].as_array().unwrap().len(), 1);
    assert_eq!(party["items"][0]["claimed_by"], "RU");
    assert_eq!(
        app.get_json("/v1/claims?claimed_by=ru").await["items"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        app.get_json("/v1/claims?kind=report").await["items"][0]["location"],
        "Zaporizhia"
    );
    let battle = app.get_json("/v1/events?kind=attack_report").await["items"][0]["id"]
        .as_i64()
        .unwrap();
    assert_eq!(
        app.get_json(&format!("/v1/claims?event={battle}")).await["items"]
            .as_array()
            .unwrap()
            .len(),
        2
    );

    assert_eq!(app.get_json("/v1/events").await["items"].as_array().unwrap().len(), 2);
    // The article names no participant of any event.
    let fr_events = app.get_json("/v1/events?nation=FR").await;
    assert_eq!(fr_events["items"].as_array().unwrap().len(), 0);
    assert_eq!(
        app.get_json("/v1/events?nation=BE").await["items"]
            .as_array()
            .unwrap()
            .len(),
        0
    );

    let sources = app
        .get_json("/v1/sources?reliability=ai_generated&kind=news_article")
        .await;
    assert_eq!(sources["items"].as_array().unwrap().len(), 1);
    assert!(sources["items"][0].get("text").is_none(), "lists leave the text out");
    assert_eq!(
        app.get_json("/v1/sources?reliability=official").await["items"]
            .as_array()
            .unwrap()
            .len(),
        0
    );

    let us_people = app.get_json("/v1/people?nation=US").await;
    let mut names: Vec<&str> = us_people["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, vec!["Donald Trump", "Steve Witkoff"]);

    let orgs = app.get_json("/v1/organizations").await;
    let nato = orgs["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["abbreviation"] == "NATO")
        .unwrap();
    assert_eq!(nato["kind"], "alliance");
    assert_eq!(nato["members"].as_array().unwrap().len(), 32);
    let eu = orgs["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["abbreviation"] == "EU")
        .unwrap();
    let current = eu["members"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["left_on"].is_null())
        .count();
    assert_eq!(current, 27);
}

#[actix_web::test]
async fn a_nations_commitments_and_statements_are_reachable_from_the_nation() {
    let app = spawn_app().await;
    let cz = app.get_json("/v1/nations/CZ/commitments").await;
    assert_eq!(
        nations_and_kinds(cz["items"].as_array().unwrap()),
        vec![
            triple("CZ", "ammunition", "withdrawn"),
            triple("CZ", "troops", "refused")
        ]
    );
    let cz_ammo = app.get_json("/v1/nations/cz/commitments?kind=ammunition").await;
    assert_eq!(cz_ammo["items"].as_array().unwrap().len(), 1);
    let us = app.get_json("/v1/nations/US/statements").await;
    assert_eq!(us["items"][0]["quote"], "strongly stands behind security protocols");
    assert_eq!(
        app.get_json("/v1/nations/UA/commitments").await["items"]
            .as_array()
            .unwrap()
            .len(),
        0
    );
}

/// The ids of a list's items, sorted.
fn sorted_ids(page: &serde_json::Value) -> Vec<i64> {
    let mut ids: Vec<i64> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_i64().unwrap())
        .collect();
    ids.sort_unstable();
    ids
}

#[actix_web::test]
async fn a_filter_of_several_values_lists_what_each_value_lists() {
    let app = spawn_app().await;
    for (list, parameter, values) in [
        ("/v1/commitments", "kind", "troops,naval_support"),
        ("/v1/commitments", "nation", "FR,gb,CZ"),
        ("/v1/commitments", "status", "refused,proposed"),
        ("/v1/nations/BE/commitments", "kind", "naval_support,air_support"),
        ("/v1/statements", "nation", "FR,US"),
        ("/v1/statements", "stance", "supportive,conditional"),
        (
            "/v1/commitments?as_of=2099-01-01T00:00:00Z",
            "kind",
            "troops,naval_support",
        ),
        ("/v1/commitments?as_of=2099-01-01T00:00:00Z", "nation", "FR,GB,CZ"),
        ("/v1/search?q=troops", "nation", "FR,GB,HR"),
        ("/v1/search?q=troops", "type", "statement,commitment"),
        ("/v1/search?q=troops", "kind", "troops,party_claim"),
    ] {
        let join = if list.contains('?') { '&' } else { '?' };
        let together = app
            .get_json(&format!("{list}{join}{parameter}={values}&limit=500"))
            .await;
        let mut each = Vec::new();
        for value in values.split(',') {
            each.extend(sorted_ids(
                &app.get_json(&format!("{list}{join}{parameter}={value}&limit=500"))
                    .await,
            ));
        }
        each.sort_unstable();
        each.dedup();
        let together_ids = sorted_ids(&together);
        assert!(!together_ids.is_empty(), "{list} {parameter}={values} lists something");
        if list.starts_with("/v1/search") {
            // A search's hits are (type, id): compare the pairs.
            let pairs = |page: &serde_json::Value| {
                let mut p: Vec<(String, i64)> = page["items"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|h| (h["type"].as_str().unwrap().to_owned(), h["id"].as_i64().unwrap()))
                    .collect();
                p.sort();
                p
            };
            let mut each = Vec::new();
            for value in values.split(',') {
                each.extend(pairs(
                    &app.get_json(&format!("{list}{join}{parameter}={value}&limit=500"))
                        .await,
                ));
            }
            each.sort();
            each.dedup();
            assert_eq!(pairs(&together), each, "{list} {parameter}={values}");
        } else {
            assert_eq!(together_ids, each, "{list} {parameter}={values}");
        }
    }
    // A value given twice counts once; bad values are named.
    assert_eq!(
        sorted_ids(&app.get_json("/v1/commitments?kind=troops,troops&limit=500").await),
        sorted_ids(&app.get_json("/v1/commitments?kind=troops&limit=500").await)
    );
    for (path, parameter, named) in [
        ("/v1/commitments?kind=troops,tanks", "kind", "tanks"),
        ("/v1/commitments?kind=troops,", "kind", "troops,"),
        ("/v1/commitments?nation=FR,France", "nation", "France"),
        ("/v1/statements?stance=supportive,,conditional", "stance", ","),
        ("/v1/search?q=troops&kind=troops,tanks", "kind", "tanks"),
    ] {
        let problem = app.get(path).await.problem(400);
        assert_eq!(problem["parameter"], parameter, "{path}: {problem}");
        assert!(problem["detail"].as_str().unwrap().contains(named), "{path}: {problem}");
    }
}
