//! Full-text search: the questions analysts come with.

use serde_json::Value;

use crate::helpers::spawn_app;

fn found(page: &Value) -> Vec<(String, i64)> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["type"].as_str().unwrap().to_owned(), r["id"].as_i64().unwrap()))
        .collect()
}

#[actix_web::test]
async fn searches_find_their_records_with_snippets() {
    let app = spawn_app().await;
    let french = app.get_json("/v1/statements?nation=FR").await["items"][0]["id"]
        .as_i64()
        .unwrap();
    let reassurance = app.get_json("/v1/search?q=reassurance&type=statement").await;
    assert_eq!(found(&reassurance), vec![("statement".to_owned(), french)]);
    assert!(
        reassurance["items"][0]["snippet"]
            .as_str()
            .unwrap()
            .contains("<mark>reassurance</mark>"),
        "{reassurance}"
    );

    let envoy = app.get_json("/v1/statements?nation=US").await["items"][0]["id"]
        .as_i64()
        .unwrap();
    let protocols = app.get_json("/v1/search?q=%22security%20protocols%22").await;
    let hits = found(&protocols);
    assert!(hits.contains(&("statement".to_owned(), envoy)), "{protocols}");
    assert!(
        hits.iter().all(|(t, _)| t == "statement" || t == "source"),
        "only records holding the phrase: {hits:?}"
    );

    // Web search syntax: `or` widens, `-` excludes; results are ranked best first.
    let either = found(
        &app.get_json("/v1/search?q=Belgium%20or%20Croatia&type=commitment")
            .await,
    );
    assert_eq!(
        either.len(),
        3,
        "Belgium's two offers and Croatia's refusal: {either:?}"
    );
    let refusals = found(
        &app.get_json("/v1/search?q=refused%20troops%20-Croatia&type=commitment")
            .await,
    );
    assert_eq!(refusals.len(), 1, "the Czech refusal only: {refusals:?}");
    let ranked = app.get_json("/v1/search?q=troops").await;
    let ranks: Vec<f64> = ranked["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["rank"].as_f64().unwrap())
        .collect();
    assert!(ranks.windows(2).all(|w| w[0] >= w[1]), "best first: {ranks:?}");

    // Filters as in the lists, and paging by cursor.
    assert_eq!(found(&app.get_json("/v1/search?q=troops&nation=HR").await).len(), 1);
    assert_eq!(
        found(&app.get_json("/v1/search?q=troops&type=commitment&status=refused").await).len(),
        2
    );
    assert_eq!(
        found(&app.get_json("/v1/search?q=drones&kind=party_claim").await).len(),
        1
    );
    assert_eq!(
        found(&app.get_json("/v1/search?q=troops&since=2027-01-01").await).len(),
        0
    );
    let (all, pages) = app.get_all("/v1/search?q=troops", 2).await;
    assert!(
        pages >= 2 && all.len() == ranks.len(),
        "{pages} pages, {} of {}",
        all.len(),
        ranks.len()
    );

    assert_eq!(app.get("/v1/search").await.problem(400)["parameter"], "q");
    assert_eq!(
        app.get("/v1/search?q=troops&kind=tanks").await.problem(400)["parameter"],
        "kind"
    );
    assert_eq!(
        app.get("/v1/search?q=troops&type=person").await.problem(400)["parameter"],
        "type"
    );
}

#[actix_web::test]
async fn q_filters_the_lists_by_the_same_search() {
    let app = spawn_app().await;
    for (list, q, kind) in [
        ("statements", "reassurance", "statement"),
        ("statements", "%22security%20protocols%22", "statement"),
        ("commitments", "refused%20troops", "commitment"),
        ("commitments", "Belgium%20or%20Croatia", "commitment"),
        ("claims", "drones", "claim"),
        ("events", "Paris", "event"),
        ("sources", "reassurance", "source"),
    ] {
        let listed = app.get_json(&format!("/v1/{list}?q={q}&limit=500")).await;
        let mut listed: Vec<i64> = listed["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].as_i64().unwrap())
            .collect();
        let searched = app.get_json(&format!("/v1/search?q={q}&type={kind}&limit=500")).await;
        let mut searched: Vec<i64> = found(&searched).into_iter().map(|(_, id)| id).collect();
        listed.sort_unstable();
        searched.sort_unstable();
        assert!(!listed.is_empty(), "/v1/{list}?q={q} finds something");
        assert_eq!(listed, searched, "/v1/{list}?q={q} lists what the search finds");
    }
    // q combines with the other filters, also on a nation's own lists.
    assert_eq!(
        app.get_json("/v1/commitments?q=troops&status=refused").await["items"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    let french = app.get_json("/v1/nations/FR/statements?q=reassurance").await;
    assert_eq!(french["items"].as_array().unwrap().len(), 1, "{french}");
    assert_eq!(
        app.get_json("/v1/nations/FR/statements?q=drones").await["items"]
            .as_array()
            .unwrap()
            .len(),
        0
    );
    // q with as_of searches the records as they then read.
    let now = app.get_json("/v1/statements?q=reassurance").await;
    let then = app
        .get_json("/v1/statements?q=reassurance&as_of=2099-01-01T00:00:00Z")
        .await;
    assert_eq!(then["items"], now["items"]);
    let before = app
        .get_json("/v1/statements?q=reassurance&as_of=2000-01-01T00:00:00Z")
        .await;
    assert_eq!(before["items"].as_array().unwrap().len(), 0);
    // A bad q is refused with the parameter named.
    assert_eq!(app.get("/v1/commitments?q=%20").await.problem(400)["parameter"], "q");
}

fn of_type<'a>(page: &'a Value, kind: &str) -> Vec<&'a Value> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["type"] == kind)
        .collect()
}

#[actix_web::test]
async fn people_and_nations_are_found_by_name_and_a_hit_says_who_and_where() {
    let app = spawn_app().await;
    // A speaker's name finds their statements; a nation's names find its commitments.
    let macron = app.get_json("/v1/search?q=Macron&limit=100").await;
    let statements = of_type(&macron, "statement");
    assert!(!statements.is_empty(), "Macron's statement: {macron}");
    assert!(
        statements.iter().all(|s| s["nations"] == serde_json::json!(["FR"])),
        "{macron}"
    );
    let witkoff = app.get_json("/v1/search?q=Witkoff&type=statement").await;
    assert_eq!(witkoff["items"].as_array().unwrap().len(), 1, "{witkoff}");
    assert_eq!(witkoff["items"][0]["nations"], serde_json::json!(["US"]));

    let french: Vec<i64> = app.get_json("/v1/commitments?nation=FR&limit=500").await["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_i64().unwrap())
        .collect();
    for q in ["France", "French"] {
        let found = app
            .get_json(&format!("/v1/search?q={q}&type=commitment&limit=500"))
            .await;
        let ids: Vec<i64> = found["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["id"].as_i64().unwrap())
            .collect();
        for id in &french {
            assert!(ids.contains(id), "q={q} finds France's commitment {id}: {found}");
        }
    }

    // Every name of a nation finds the same records: the API's own name, the long one, the adjective.
    let czech: Vec<i64> = app.get_json("/v1/commitments?nation=CZ&limit=500").await["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_i64().unwrap())
        .collect();
    assert!(!czech.is_empty());
    let mut sets = Vec::new();
    for q in ["Czechia", "Czech%20Republic", "Czech"] {
        let found = app
            .get_json(&format!("/v1/search?q={q}&type=commitment&limit=500"))
            .await;
        let mut ids: Vec<i64> = found["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["id"].as_i64().unwrap())
            .collect();
        ids.sort_unstable();
        for id in &czech {
            assert!(ids.contains(id), "q={q} finds the Czech commitment {id}: {found}");
        }
        sets.push(ids);
    }
    assert_eq!(sets[0], sets[1], "Czechia and Czech Republic");
    for q in ["UK", "Britain", "British", "United%20Kingdom"] {
        let found = app
            .get_json(&format!("/v1/search?q={q}&type=commitment&limit=500"))
            .await;
        assert!(
            found["items"]
                .as_array()
                .unwrap()
                .iter()
                .any(|h| h["nations"].as_array().unwrap().contains(&"GB".into())),
            "q={q} finds a British commitment: {found}"
        );
    }

    // A hit's href is its record's URL; its nations are the record's.
    let hits = app.get_json("/v1/search?q=troops&limit=100").await;
    for hit in hits["items"].as_array().unwrap() {
        let href = hit["href"].as_str().unwrap();
        let record = app.get_json(href).await;
        assert_eq!(record["id"], hit["id"], "{href}");
        if let Some(nation) = record.get("nation").and_then(Value::as_str) {
            assert_eq!(hit["nations"], serde_json::json!([nation]), "{href}");
        }
        // Noise is not returned.
        assert!(hit["rank"].as_f64().unwrap() >= 1e-6, "{hit}");
    }
    let excluded = app.get_json("/v1/search?q=troops%20-refused&limit=100").await;
    for hit in excluded["items"].as_array().unwrap() {
        assert!(hit["rank"].as_f64().unwrap() >= 1e-6, "q=troops -refused: {hit}");
    }
}

#[actix_web::test]
async fn renaming_a_person_is_searchable_at_once_in_their_statements() {
    use actix_web::http::Method;
    let app = spawn_app().await;
    let auth = format!("Bearer {}", app.make_key(alliance_kb::vocab::KeyRole::Editor).await);
    let people = app.get_json("/v1/people?limit=500").await;
    let witkoff = people["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"].as_str().unwrap().contains("Witkoff"))
        .unwrap()
        .clone();
    let id = witkoff["id"].as_i64().unwrap();
    let read = app.get(&format!("/v1/people/{id}")).await;
    let etag = read.header("etag").unwrap().to_owned();
    let res = app
        .send(
            Method::PATCH,
            &format!("/v1/people/{id}"),
            &[("authorization", &auth), ("if-match", &etag)],
            Some(serde_json::json!({"name": "Steven Charles Witkoff"})),
        )
        .await;
    assert_eq!(res.status, 200, "{}", String::from_utf8_lossy(&res.body));
    let found = app.get_json("/v1/search?q=Steven%20Charles&type=statement").await;
    assert_eq!(found["items"].as_array().unwrap().len(), 1, "{found}");
}
