//! CSV and NDJSON answers: what an analyst opens in a spreadsheet or pipes through jq.

use actix_web::http::Method;
use serde_json::Value;

use crate::helpers::spawn_app;

/// The CSV columns the OpenAPI document gives for an operation's answer.
fn documented_columns(path: &str) -> Vec<String> {
    let document: Value = serde_json::from_str(&std::fs::read_to_string("openapi/openapi.json").unwrap()).unwrap();
    let example = document["paths"][path]["get"]["responses"]["200"]["content"]["text/csv"]["example"]
        .as_str()
        .unwrap_or_else(|| panic!("{path} documents its CSV columns"))
        .to_owned();
    example.trim_end().split(',').map(str::to_owned).collect()
}

/// Reads a CSV answer: its header and its records, as a spreadsheet would.
fn read_csv(body: &[u8]) -> (Vec<String>, Vec<csv::StringRecord>) {
    let mut reader = csv::ReaderBuilder::new().from_reader(body);
    let header = reader.headers().unwrap().iter().map(str::to_owned).collect();
    let records = reader.records().map(Result::unwrap).collect();
    (header, records)
}

#[actix_web::test]
async fn a_csv_export_of_commitments_opens_as_a_sheet_with_named_columns() {
    let app = spawn_app().await;
    let res = app
        .send(Method::GET, "/v1/commitments", &[("Accept", "text/csv")], None)
        .await;
    assert_eq!(res.status, 200);
    assert!(
        res.header("content-type")
            .unwrap()
            .starts_with("text/csv; charset=utf-8"),
        "{:?}",
        res.header("content-type")
    );
    assert!(
        res.header("vary")
            .is_some_and(|v| v.split(',').any(|h| h.trim() == "Accept")),
        "{:?}",
        res.header("vary")
    );
    let body = res.body.to_vec();
    assert!(body.windows(2).any(|w| w == b"\r\n"), "rows end with CRLF");
    let (header, records) = read_csv(&body);
    assert_eq!(header, documented_columns("/v1/commitments"));
    for name in [
        "id",
        "nation",
        "kind",
        "status",
        "quantity.text",
        "citations.excerpt",
        "history.status",
    ] {
        assert!(header.iter().any(|h| h == name), "a column {name}: {header:?}");
    }

    // The same records as the JSON list, every one of them, in the same order.
    let (json, _) = app.get_all("/v1/commitments", 500).await;
    assert_eq!(records.len(), json.len());
    let column = |name: &str| header.iter().position(|h| h == name).unwrap();
    for (record, item) in records.iter().zip(&json) {
        assert_eq!(record[column("id")], item["id"].to_string());
        assert_eq!(&record[column("nation")], item["nation"].as_str().unwrap());
        assert_eq!(&record[column("status")], item["status"].as_str().unwrap());
        let excerpts: Vec<&str> = item["citations"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["excerpt"].as_str().unwrap())
            .collect();
        assert_eq!(record[column("citations.excerpt")], excerpts.join("\n"));
    }
    let croatia = records
        .iter()
        .find(|r| &r[column("nation")] == "HR" && &r[column("kind")] == "troops")
        .expect("Croatia's troops");
    assert_eq!(&croatia[column("status")], "refused");
    let france = records
        .iter()
        .find(|r| &r[column("nation")] == "FR" && &r[column("kind")] == "troops")
        .expect("France's troops");
    assert_eq!(&france[column("quantity.text")], "several thousand");

    // Filters apply; an empty answer still has its header.
    let res = app
        .send(
            Method::GET,
            "/v1/commitments?nation=HR&kind=troops",
            &[("Accept", "text/csv")],
            None,
        )
        .await;
    assert_eq!(read_csv(&res.body).1.len(), 1);
    let res = app
        .send(
            Method::GET,
            "/v1/commitments?nation=NZ",
            &[("Accept", "text/csv")],
            None,
        )
        .await;
    let (header, records) = read_csv(&res.body);
    assert_eq!(header, documented_columns("/v1/commitments"));
    assert!(records.is_empty());
}

#[actix_web::test]
async fn every_list_answers_csv_and_ndjson() {
    let app = spawn_app().await;
    for path in [
        "/v1/nations",
        "/v1/organizations",
        "/v1/people",
        "/v1/sources",
        "/v1/events",
        "/v1/commitments",
        "/v1/statements",
        "/v1/claims",
        "/v1/nations/FR/commitments",
        "/v1/nations/US/statements",
        "/v1/commitments/1/revisions",
        "/v1/changes?since=2020-01-01T00:00:00Z",
        "/v1/search?q=troops",
    ] {
        let (json, _) = app.get_all(path, 500).await;
        let res = app
            .send(Method::GET, path, &[("Accept", "application/x-ndjson")], None)
            .await;
        assert_eq!(res.status, 200, "{path}");
        assert!(res.header("content-type").unwrap().starts_with("application/x-ndjson"));
        let lines: Vec<Value> = std::str::from_utf8(&res.body)
            .unwrap()
            .lines()
            .map(|line| serde_json::from_str(line).unwrap())
            .collect();
        assert_eq!(lines, json, "{path}: one line per record, as in JSON");

        let doc_path = path.split('?').next().unwrap();
        let doc_path = match doc_path {
            "/v1/nations/FR/commitments" => "/v1/nations/{code}/commitments",
            "/v1/nations/US/statements" => "/v1/nations/{code}/statements",
            "/v1/commitments/1/revisions" => "/v1/{resource}/{id}/revisions",
            other => other,
        };
        let res = app.send(Method::GET, path, &[("Accept", "text/csv")], None).await;
        assert_eq!(res.status, 200, "{path}");
        let (header, records) = read_csv(&res.body);
        assert_eq!(header, documented_columns(doc_path), "{path}");
        assert_eq!(records.len(), json.len(), "{path}");
    }
    // JSON stays the answer when Accept names nothing else, or prefers JSON.
    for accept in [
        "*/*",
        "application/json",
        "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
        "application/json, text/csv;q=0.5",
    ] {
        let res = app.send(Method::GET, "/v1/claims", &[("Accept", accept)], None).await;
        assert!(
            res.header("content-type").unwrap().starts_with("application/json"),
            "{accept}"
        );
    }
    // Errors stay problem+json.
    let res = app
        .send(
            Method::GET,
            "/v1/commitments?kind=tanks",
            &[("Accept", "text/csv")],
            None,
        )
        .await;
    assert_eq!(res.problem(400)["parameter"], "kind");
}

#[actix_web::test]
async fn a_stream_reads_page_after_page_and_limit_asks_for_one_page() {
    let app = spawn_app().await;
    app.database.query(
        "INSERT INTO people (name, role, nation_code)
         SELECT 'Official ' || n, 'spokesperson, \"press\" office', 'FR' FROM generate_series(1, 1200) n",
    );
    let res = app
        .send(Method::GET, "/v1/people", &[("Accept", "application/x-ndjson")], None)
        .await;
    let ids: Vec<i64> = std::str::from_utf8(&res.body)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str::<Value>(line).unwrap()["id"].as_i64().unwrap())
        .collect();
    let total = app.database.query("SELECT count(*) FROM people")[0][0]
        .clone()
        .unwrap()
        .parse::<usize>()
        .unwrap();
    assert!(total > 1200);
    assert_eq!(ids.len(), total, "every person, across three internal pages");
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "in id order, none twice");

    let res = app
        .send(Method::GET, "/v1/people?nation=FR", &[("Accept", "text/csv")], None)
        .await;
    let (header, records) = read_csv(&res.body);
    let role = header.iter().position(|h| h == "role").unwrap();
    assert!(records.len() >= 1200);
    assert!(records.iter().any(|r| &r[role] == "spokesperson, \"press\" office"));

    // With `limit`, one page, and a Link to the next.
    let res = app
        .send(Method::GET, "/v1/people?limit=10", &[("Accept", "text/csv")], None)
        .await;
    assert_eq!(read_csv(&res.body).1.len(), 10);
    let link = res.header("link").unwrap();
    assert!(link.contains("limit=10") && link.contains("cursor="), "{link}");
    // A cursor starts the stream where it points.
    let cursor = link.split("cursor=").nth(1).unwrap().split('>').next().unwrap();
    let res = app
        .send(
            Method::GET,
            &format!("/v1/people?cursor={cursor}"),
            &[("Accept", "application/x-ndjson")],
            None,
        )
        .await;
    assert_eq!(std::str::from_utf8(&res.body).unwrap().lines().count(), total - 10);
}
