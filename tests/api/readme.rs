//! The README's curl examples answer as written: each `curl` command is sent to the app, and its
//! answer must contain every field the README shows after it.

use serde_json::Value;

use crate::helpers::spawn_app;

const README: &str = include_str!("../../README.md");

/// Each curl example's URL and the JSON the README shows for it.
fn examples() -> Vec<(String, Value)> {
    let mut examples = Vec::new();
    let mut pending: Option<String> = None;
    let mut lines = README.lines();
    while let Some(line) = lines.next() {
        let fence = line.trim();
        if fence != "```sh" && fence != "```json" {
            continue;
        }
        let block: Vec<&str> = lines.by_ref().take_while(|l| l.trim() != "```").collect();
        if fence == "```sh" {
            if let Some(command) = block.iter().find(|l| l.trim_start().starts_with("curl ")) {
                let url = command
                    .split('\'')
                    .nth(1)
                    .unwrap_or_else(|| panic!("quote the URL of: {command}"));
                pending = Some(url.to_owned());
            }
        } else if let Some(url) = pending.take() {
            let expected =
                serde_json::from_str(&block.join("\n")).unwrap_or_else(|e| panic!("README JSON after {url}: {e}"));
            examples.push((url, expected));
        }
    }
    examples
}

/// Whether `actual` holds everything `shown` shows: objects by key, arrays element by element.
fn contains(actual: &Value, shown: &Value) -> bool {
    match (actual, shown) {
        (Value::Object(a), Value::Object(s)) => s.iter().all(|(k, v)| a.get(k).is_some_and(|av| contains(av, v))),
        (Value::Array(a), Value::Array(s)) => s.len() <= a.len() && s.iter().zip(a).all(|(sv, av)| contains(av, sv)),
        (Value::Number(a), Value::Number(s)) => a.as_f64() == s.as_f64(),
        _ => actual == shown,
    }
}

#[actix_web::test]
async fn every_curl_example_in_the_readme_answers_as_written() {
    let app = spawn_app().await;
    let examples = examples();
    assert!(
        examples.len() >= 8,
        "the README's examples are found: {}",
        examples.len()
    );
    for (url, shown) in examples {
        let path = url
            .strip_prefix("http://127.0.0.1:8080")
            .expect("examples address the default port");
        let res = app.get(path).await;
        let answer = res.json();
        assert!(
            contains(&answer, &shown),
            "README example {url}\nshows: {shown:#}\nbut the answer is: {answer:#}"
        );
    }
}

#[test]
fn the_readme_lists_every_setting() {
    for (name, _, _) in alliance_kb::config::SETTINGS {
        assert!(
            README.contains(&format!("| `{name}` |")),
            "the README's settings table lacks {name}"
        );
    }
}

#[test]
fn the_subset_check_can_fail() {
    let answer = serde_json::json!({"items": [{"a": 1, "b": [1, 2]}]});
    assert!(contains(&answer, &serde_json::json!({"items": [{"b": [1]}]})));
    assert!(!contains(&answer, &serde_json::json!({"items": [{"a": 2}]})));
    assert!(!contains(&answer, &serde_json::json!({"items": [{}, {}]})));
    assert!(!contains(&answer, &serde_json::json!({"missing": null})));
}
