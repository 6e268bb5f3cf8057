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
