//! Every bad input gets a problem+json answer naming what was wrong.

use actix_web::http::Method;

use crate::helpers::spawn_app;

#[actix_web::test]
async fn bad_query_parameters_are_a_400_naming_the_parameter() {
    let app = spawn_app().await;
    let cases = [
        ("/v1/commitments?colour=red", "colour"),
        ("/v1/commitments?limit=abc", "limit"),
        ("/v1/commitments?limit=0", "limit"),
        ("/v1/commitments?limit=501", "limit"),
        ("/v1/commitments?limit=-1", "limit"),
        ("/v1/commitments?limit=1&limit=2", "limit"),
        ("/v1/commitments?cursor=bogus", "cursor"),
        ("/v1/commitments?kind=tanks", "kind"),
        ("/v1/commitments?status=maybe", "status"),
        ("/v1/commitments?nation=France", "nation"),
        ("/v1/commitments?event=0", "event"),
        ("/v1/statements?speaker=-3", "speaker"),
        ("/v1/commitments/0", "id"),
        ("/v1/claims?pretty=", "pretty"),
        ("/v1/claims?pretty=yes", "pretty"),
        ("/v1/commitments?event=one", "event"),
        ("/v1/commitments?announced_since=2026-13-01", "announced_since"),
        ("/v1/nations/FR/commitments?nation=FR", "nation"),
        ("/v1/statements?stance=angry", "stance"),
        ("/v1/statements?speaker=x", "speaker"),
        ("/v1/claims?claimed_by=R", "claimed_by"),
        ("/v1/events?kind=party", "kind"),
        ("/v1/sources?reliability=high", "reliability"),
        ("/v1/people?nation=12", "nation"),
        ("/v1/nations?limit=1000", "limit"),
        ("/v1/organizations?q=nato", "q"),
        ("/v1/commitments/abc", "id"),
        ("/v1/commitments/99999999999999999999", "id"),
        ("/v1/nations/FRA", "code"),
        ("/v1/nations/FR?colour=red", "colour"),
        ("/v1/commitments/1?colour=red", "colour"),
        ("/healthz?colour=red", "colour"),
        ("/readyz?colour=red", "colour"),
    ];
    // A search text's length is counted as sent, white space around it included, as the document's
    // `maxLength` says; and it needs something besides white space.
    let padded = format!("/v1/search?q={}{}", "a".repeat(497), "%0D".repeat(4));
    let blank = "/v1/search?q=%0D%20%E3%80%80".to_owned();
    let cases = cases.iter().map(|(path, parameter)| (path.to_string(), *parameter));
    let cases = cases.chain([(padded, "q"), (blank, "q")]);
    for (path, parameter) in cases {
        let path = path.as_str();
        let res = app.get(path).await;
        assert_eq!(res.status.as_u16(), 400, "{path}");
        let problem = res.problem(400);
        assert_eq!(problem["parameter"], parameter, "{path}: {problem}");
        assert!(
            problem["detail"].as_str().unwrap().contains(parameter),
            "{path}: the detail names `{parameter}`: {problem}"
        );
    }
    let at_the_limit = format!("/v1/search?q={}{}", "a".repeat(496), "%0D".repeat(4));
    assert_eq!(
        app.get(&at_the_limit).await.status.as_u16(),
        200,
        "500 characters as sent"
    );
    let problem = app.get("/v1/commitments?kind=tanks").await.json();
    assert!(
        problem["detail"].as_str().unwrap().contains("naval_support"),
        "the accepted values are listed: {problem}"
    );
}

#[actix_web::test]
async fn well_formed_references_to_nothing_match_nothing() {
    let app = spawn_app().await;
    for path in [
        "/v1/commitments?nation=ZZ",
        "/v1/commitments?event=999999",
        "/v1/commitments?announced_since=2026-02-01&announced_until=2026-01-01",
        "/v1/statements?speaker=999999",
        "/v1/people?nation=QW",
        "/v1/claims?claimed_by=ZZ",
    ] {
        let page = app.get_json(path).await;
        assert_eq!(page["items"].as_array().unwrap().len(), 0, "{path}");
        assert!(page["next_cursor"].is_null());
    }
}

#[actix_web::test]
async fn unknown_ids_paths_and_codes_are_a_404() {
    let app = spawn_app().await;
    for path in [
        "/v1/commitments/999999",
        "/v1/statements/999999",
        "/v1/claims/999999",
        "/v1/events/999999",
        "/v1/sources/999999",
        "/v1/people/999999",
        "/v1/nations/ZZ",
        "/v1/nations/ZZ/commitments",
        "/v1/nations/ZZ/statements",
        "/v1/nowhere",
        "/v2/commitments",
    ] {
        app.get(path).await.problem(404);
    }
}

#[actix_web::test]
async fn a_wrong_method_is_a_405_with_allow() {
    let app = spawn_app().await;
    for (method, path, allow) in [
        (Method::PUT, "/v1/commitments", "GET, HEAD, POST"),
        (Method::DELETE, "/v1/commitments", "GET, HEAD, POST"),
        (Method::PUT, "/v1/commitments/1", "GET, HEAD, PATCH, DELETE"),
        (Method::PUT, "/v1/nations/FR", "GET, HEAD"),
        (Method::POST, "/v1/nations", "GET, HEAD"),
        (Method::DELETE, "/v1/organizations", "GET, HEAD"),
        (Method::PATCH, "/healthz", "GET, HEAD"),
    ] {
        let res = app.request(method.clone(), path).await;
        res.problem(405);
        assert_eq!(res.header("allow"), Some(allow), "{method} {path}");
    }
}

#[actix_web::test]
async fn head_is_answered_wherever_get_is() {
    let app = spawn_app().await;
    for path in [
        "/v1/commitments",
        "/v1/nations/FR",
        "/v1/sources/1",
        "/healthz",
        "/openapi.json",
    ] {
        let res = app.request(Method::HEAD, path).await;
        assert_eq!(res.status.as_u16(), 200, "HEAD {path}");
        assert!(res.header("content-type").is_some());
    }
}

#[actix_web::test]
async fn a_database_that_is_down_is_a_503_and_liveness_still_answers() {
    use actix_web::{test, web};
    use alliance_kb::api::AppState;
    use alliance_kb::db::Database;
    use alliance_kb::startup::build_app;

    // Nothing listens on port 1: connections are refused at once.
    let db = Database::connect("postgres://postgres@127.0.0.1:1/nothing", 2).unwrap();
    let app = test::init_service(build_app(web::Data::new(AppState::new(db)))).await;
    for path in ["/v1/commitments", "/readyz", "/v1/nations/FR"] {
        let res = test::call_service(&app, test::TestRequest::get().uri(path).to_request()).await;
        assert_eq!(res.status().as_u16(), 503, "{path}");
        assert_eq!(
            res.headers().get("content-type").unwrap(),
            "application/problem+json; charset=utf-8"
        );
        let body: serde_json::Value = test::read_body_json(res).await;
        assert!(
            !body["detail"].as_str().unwrap().contains("127.0.0.1:1"),
            "causes stay in the log: {body}"
        );
    }
    let res = test::call_service(&app, test::TestRequest::get().uri("/healthz").to_request()).await;
    assert_eq!(res.status().as_u16(), 200);
}

#[actix_web::test]
async fn health_and_readiness_answer() {
    let app = spawn_app().await;
    assert_eq!(app.get_json("/healthz").await["status"], "ok");
    assert_eq!(app.get_json("/readyz").await["status"], "ready");
}
