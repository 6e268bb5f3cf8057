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
