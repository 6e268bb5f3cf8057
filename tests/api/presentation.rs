//! Answers readable with curl: indented JSON on request, charsets, Link headers.

use crate::helpers::spawn_app;

#[actix_web::test]
async fn pretty_true_indents_the_same_answer_and_a_bad_value_is_named() {
    let app = spawn_app().await;
    let compact = app.get("/v1/claims?kind=report").await;
    let pretty = app.get("/v1/claims?pretty=true&kind=report").await;
    assert_eq!(pretty.status.as_u16(), 200);
    let text = String::from_utf8_lossy(&pretty.body).to_string();
    assert!(text.starts_with("{\n  \"items\": [\n"), "{text}");
    assert!(text.ends_with("}\n"));
    assert!(
        !String::from_utf8_lossy(&compact.body).contains('\n'),
        "compact unless asked"
    );
    assert_eq!(pretty.json(), compact.json(), "the same answer, only indented");
    assert!(!String::from_utf8_lossy(&app.get("/v1/claims?pretty=false").await.body).contains('\n'));

    let problem = app.get("/v1/claims?pretty=maybe").await.problem(400);
    assert_eq!(problem["parameter"], "pretty");
    let indented_error = app.get("/v1/claims/999999?pretty=true").await;
    indented_error.problem(404);
    assert!(String::from_utf8_lossy(&indented_error.body).contains("\n  \"detail\""));
    // `pretty` is taken before the strict parsing, and the other parameters are still checked.
    assert_eq!(
        app.get("/v1/claims?pretty=true&colour=red").await.problem(400)["parameter"],
        "colour"
    );
}

#[actix_web::test]
async fn json_answers_name_their_charset() {
    let app = spawn_app().await;
    assert_eq!(
        app.get("/v1/nations/FR").await.header("content-type"),
        Some("application/json; charset=utf-8")
    );
    assert_eq!(
        app.get("/healthz").await.header("content-type"),
        Some("application/json; charset=utf-8")
    );
    assert_eq!(
        app.get("/v1/nations/ZZ").await.header("content-type"),
        Some("application/problem+json; charset=utf-8")
    );
    assert!(app
        .get("/swagger-ui/")
        .await
        .header("content-type")
        .unwrap()
        .contains("charset=utf-8"));
}

#[actix_web::test]
async fn a_list_links_to_its_next_page_and_following_the_links_reaches_the_end() {
    let app = spawn_app().await;
    let mut path = "/v1/commitments?kind=troops&limit=1".to_owned();
    let mut seen = Vec::new();
    loop {
        let res = app.get(&path).await;
        assert_eq!(res.status.as_u16(), 200);
        let page = res.json();
        seen.extend(
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["id"].as_i64().unwrap()),
        );
        match res.header("link") {
            Some(link) => {
                let cursor = page["next_cursor"]
                    .as_str()
                    .expect("a Link only when next_cursor is set");
                assert!(link.ends_with(">; rel=\"next\""), "{link}");
                assert!(
                    link.contains("kind=troops") && link.contains("limit=1"),
                    "the link keeps the filters: {link}"
                );
                assert!(link.contains(&format!("cursor={cursor}")), "{link}");
                path = link.trim_start_matches('<').split('>').next().unwrap().to_owned();
            }
            None => {
                assert!(page["next_cursor"].is_null());
                break;
            }
        }
    }
    assert_eq!(seen.len(), 4, "the four troop commitments, one page each");
}
