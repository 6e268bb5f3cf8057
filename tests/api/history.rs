//! History and time travel: every read `as_of` a moment answers what the knowledge base held then.

use crate::helpers::spawn_app;

const LISTS: &[&str] = &[
    "/v1/commitments",
    "/v1/commitments?nation=CZ",
    "/v1/commitments?kind=troops&status=refused",
    "/v1/commitments?event=1&source=1",
    "/v1/commitments?announced_since=2026-01-07&announced_until=2026-01-07",
    "/v1/commitments?announced_since=2026-01-08",
    "/v1/nations/CZ/commitments?kind=ammunition",
    "/v1/statements",
    "/v1/statements?nation=US&speaker=3",
    "/v1/nations/US/statements",
    "/v1/statements?stance=supportive&event=1",
    "/v1/claims?kind=party_claim",
    "/v1/claims?claimed_by=RU&event=2",
    "/v1/events",
    "/v1/events?nation=FR&kind=meeting",
    "/v1/sources",
    "/v1/sources?reliability=ai_generated",
    "/v1/people",
    "/v1/people?nation=US",
];

fn with(path: &str, extra: &str) -> String {
    format!("{path}{}{extra}", if path.contains('?') { '&' } else { '?' })
}

#[actix_web::test]
async fn reading_as_of_now_answers_what_the_live_read_answers() {
    let app = spawn_app().await;
    let now = (chrono::Utc::now() + chrono::Duration::minutes(1))
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string();
    for path in LISTS {
        for limit in ["limit=2", "limit=50"] {
            let live = app.get_json(&with(path, limit)).await;
            let then = app.get_json(&with(path, &format!("{limit}&as_of={now}"))).await;
            assert_eq!(live, then, "{path} {limit}: live and as_of now differ");
        }
    }
    for path in [
        "/v1/commitments/10",
        "/v1/statements/3",
        "/v1/claims/2",
        "/v1/events/1",
        "/v1/sources/1",
        "/v1/people/3",
    ] {
        let live = app.get(path).await;
        assert_eq!(
            live.header("etag"),
            Some("\"1\""),
            "{path}: a seeded record is at version 1"
        );
        let then = app.get_json(&format!("{path}?as_of={now}")).await;
        assert_eq!(live.json(), then, "{path}");
    }
}

#[actix_web::test]
async fn before_the_seed_the_knowledge_base_held_nothing() {
    let app = spawn_app().await;
    let before = "2020-01-01T00:00:00Z";
    for path in LISTS {
        let page = app.get_json(&with(path, &format!("as_of={before}"))).await;
        assert_eq!(page["items"].as_array().unwrap().len(), 0, "{path}");
    }
    let problem = app.get(&format!("/v1/commitments/1?as_of={before}")).await.problem(404);
    assert!(problem["detail"].as_str().unwrap().contains("2020-01-01"), "{problem}");
    app.get("/v1/commitments?as_of=yesterday").await.problem(400);
    // Nations are reference data: the same at every moment.
    assert_eq!(
        app.get_json(&format!("/v1/nations/FR?as_of={before}")).await["code"],
        "FR"
    );
}
