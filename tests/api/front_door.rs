//! What a new user meets first: the front door, redirects, representations, and the words of
//! the errors they make on their first tries.

use actix_web::http::Method;
use serde_json::Value;

use crate::helpers::spawn_app;

#[actix_web::test]
async fn the_root_and_the_folders_without_their_slash_lead_to_the_index_and_the_browser() {
    let app = spawn_app().await;
    for (from, to) in [("/", "/v1/"), ("/swagger-ui", "/swagger-ui/")] {
        let res = app.get(from).await;
        assert_eq!(res.status, 308, "{from}");
        assert_eq!(res.header("location"), Some(to), "{from}");
    }
    assert_eq!(app.get("/swagger-ui/").await.status, 200);
}

#[actix_web::test]
async fn the_index_names_the_version_and_every_link_it_gives_answers() {
    let app = spawn_app().await;
    let index = app.get_json("/v1/").await;
    // `/v1`, as the document names it, is the same index.
    assert_eq!(app.get_json("/v1").await, index);
    assert_eq!(index["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(index["openapi"], "/openapi.json");
    assert_eq!(index["swagger_ui"], "/swagger-ui/");
    assert_eq!(app.get("/openapi.json").await.status, 200);
    let links = index["links"].as_array().unwrap();
    let names: Vec<&str> = links.iter().map(|l| l["name"].as_str().unwrap()).collect();
    for collection in [
        "nations",
        "commitments",
        "statements",
        "events",
        "claims",
        "sources",
        "people",
        "organizations",
    ] {
        assert!(names.contains(&collection), "{collection} in {names:?}");
    }
    for link in links {
        let href = link["href"].as_str().unwrap();
        let res = app.get(href).await;
        assert_eq!(res.status, 200, "{href}");
        assert!(!link["description"].as_str().unwrap().is_empty(), "{link}");
    }
}

#[actix_web::test]
async fn an_accept_no_representation_meets_is_406_naming_the_ones_offered() {
    let app = spawn_app().await;
    let detail = app
        .send(Method::GET, "/v1/commitments/1", &[("Accept", "text/csv")], None)
        .await;
    let problem = detail.problem(406);
    let said = problem["detail"].as_str().unwrap();
    assert!(
        said.contains("application/json") && !said.contains("text/csv`,"),
        "{said}"
    );
    let list = app
        .send(Method::GET, "/v1/commitments", &[("Accept", "application/xml")], None)
        .await;
    let said = list.problem(406)["detail"].as_str().unwrap().to_owned();
    for offered in ["application/json", "text/csv", "application/x-ndjson"] {
        assert!(said.contains(offered), "{said}");
    }
    // What is offered, any range that covers it, and a browser's Accept are all served.
    for accept in [
        "text/csv",
        "text/*",
        "*/*",
        "application/*;q=0.5",
        "text/html,*/*;q=0.8",
    ] {
        let res = app
            .send(Method::GET, "/v1/commitments", &[("Accept", accept)], None)
            .await;
        assert_eq!(res.status, 200, "{accept}");
    }
    // Refusing the only type offered (q=0) is not taking it.
    let refused = app
        .send(
            Method::GET,
            "/v1/commitments/1",
            &[("Accept", "application/json;q=0")],
            None,
        )
        .await;
    refused.problem(406);
}

#[actix_web::test]
async fn a_bad_date_moment_or_id_is_answered_with_the_format_wanted_and_an_example() {
    let app = spawn_app().await;
    for (path, parameter, wanted) in [
        ("/v1/changes?since=yesterday", "since", "2026-01-07T"),
        ("/v1/commitments?as_of=2026-01-01", "as_of", "2026-01-07T"),
        ("/v1/timeline?since=last%20week", "since", "2026-01-07"),
        (
            "/v1/commitments?announced_since=07/01/2026",
            "announced_since",
            "YYYY-MM-DD",
        ),
    ] {
        let problem = app.get(path).await.problem(400);
        let detail = problem.to_string();
        assert!(detail.contains(wanted), "{path}: {problem}");
        assert!(
            !detail.contains("invalid characters") && !detail.contains("premature end"),
            "{path}: {problem}"
        );
        if problem["parameter"] != Value::Null {
            assert_eq!(problem["parameter"], parameter, "{path}: {problem}");
        }
    }
    let problem = app.get("/v1/commitments/abc").await.problem(400);
    let detail = problem.to_string();
    assert!(!detail.to_lowercase().contains("deserialize"), "{problem}");
    assert!(detail.contains("abc") && detail.contains("number"), "{problem}");

    let unknown = app.get("/v1/commitments?colour=red").await.problem(400).to_string();
    assert!(unknown.contains("pretty") && unknown.contains("colour"), "{unknown}");
}

#[test]
fn a_port_already_taken_names_the_address_and_the_setting() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = taken.local_addr().unwrap().to_string();
    let config =
        alliance_kb::config::Config::from_lookup(|name| (name == "ALLIANCE_KB_LISTEN").then(|| address.clone()))
            .unwrap();
    let error = alliance_kb::startup::bind(&config).unwrap_err().to_string();
    assert!(
        error.contains(&address) && error.contains("ALLIANCE_KB_LISTEN"),
        "{error}"
    );
}
