//! What client generators need of the OpenAPI document, applied once it is collected: a problem
//! schema of its own for each status (so that a generated client tells a 404 from a 400 by the
//! body's `type`), `security: []` on the operations anyone may call, a server to default to, the
//! fields an answer always carries marked required (nullable where they may be null), and each
//! `$ref` of a `oneOf` alone, without siblings.

use std::collections::{BTreeMap, BTreeSet};

use actix_web::http::StatusCode;
use actix_web::ResponseError;
use serde_json::{json, Value};
use utoipa::openapi::OpenApi;

use super::error::{catalogue, Problem, PROBLEM_JSON};

/// The address the service answers on when started with no settings.
pub const DEFAULT_SERVER: &str = "http://127.0.0.1:8080";

/// The document, made ready for client generators, as the JSON served and committed.
pub fn for_generators(api: &OpenApi) -> Value {
    let mut doc = serde_json::to_value(api).unwrap_or(Value::Null);
    problems_by_status(&mut doc);
    public_operations(&mut doc);
    doc["servers"] = json!([
        {"url": DEFAULT_SERVER, "description": "The service as `alliance-kb` starts with no settings; `ALLIANCE_KB_LISTEN` moves it."},
        {"url": "/", "description": "The service that serves this document (for Swagger UI on another address)."}
    ]);
    refs_alone(&mut doc);
    answers_carry_every_field(&mut doc);
    items_of_lists(&mut doc);
    // A record's example is a real one: France's commitment as the seed gives it (a test keeps it
    // equal to what the service answers), not one assembled from its fields' examples.
    if let Ok(example) = serde_json::from_str::<Value>(COMMITMENT_EXAMPLE) {
        doc["components"]["schemas"]["Commitment"]["example"] = example;
    }
    doc
}

/// The seed's commitment 1, as `GET /v1/commitments/1` answers it (`recorded_at` aside).
pub const COMMITMENT_EXAMPLE: &str = include_str!("../../openapi/examples/commitment.json");

/// The items of the filters that take several values and are not a vocabulary of the document:
/// nation codes, and the kinds a search takes (of commitments, claims, events and sources).
fn items_of_lists(doc: &mut Value) {
    let search_kinds: Vec<Value> = [
        doc["components"]["schemas"]["CommitmentKind"]["enum"].clone(),
        doc["components"]["schemas"]["ClaimKind"]["enum"].clone(),
        doc["components"]["schemas"]["EventKind"]["enum"].clone(),
        doc["components"]["schemas"]["SourceKind"]["enum"].clone(),
    ]
    .iter()
    .flat_map(|e| e.as_array().cloned().unwrap_or_default())
    .fold(Vec::new(), |mut kinds, kind| {
        if !kinds.contains(&kind) {
            kinds.push(kind);
        }
        kinds
    });
    let Some(paths) = doc["paths"].as_object_mut() else {
        return;
    };
    for (path, item) in paths.iter_mut() {
        let parameters = item
            .get_mut("get")
            .and_then(|get| get.get_mut("parameters"))
            .and_then(Value::as_array_mut);
        for parameter in parameters.into_iter().flatten() {
            if parameter["schema"]["type"] != "array" || parameter["schema"]["items"]["type"] != "string" {
                continue;
            }
            match parameter["name"].as_str() {
                Some("nation") => {
                    parameter["schema"]["items"] = json!({"type": "string", "pattern": "^[A-Za-z]{2}$"});
                }
                Some("kind") if path == "/v1/search" && !search_kinds.is_empty() => {
                    parameter["schema"]["items"] = json!({"type": "string", "enum": search_kinds});
                }
                _ => {}
            }
        }
    }
}

/// The name of the problem schema of a status: `NotFoundProblem` for 404.
pub fn problem_schema_name(status: u16) -> String {
    let reason = StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("Error");
    let mut name: String = reason
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut chars = w.chars();
            chars
                .next()
                .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect();
    name.push_str("Problem");
    name
}

/// The operations of the document: (path, method, operation).
fn operations(doc: &mut Value) -> impl Iterator<Item = &mut Value> {
    doc["paths"]
        .as_object_mut()
        .into_iter()
        .flat_map(|paths| paths.values_mut())
        .filter_map(Value::as_object_mut)
        .flat_map(|item| item.iter_mut())
        .filter(|(method, _)| matches!(method.as_str(), "get" | "post" | "put" | "patch" | "delete"))
        .map(|(_, op)| op)
}

/// One problem schema per status, its `type` listing the problem types answered with it, its
/// example one of them; every problem answer refers to its status's schema.
fn problems_by_status(doc: &mut Value) {
    let base = doc["components"]["schemas"]["Problem"].clone();
    if !base.is_object() {
        return;
    }
    let mut by_status: BTreeMap<u16, Vec<Problem>> = BTreeMap::new();
    for error in catalogue() {
        by_status
            .entry(error.status_code().as_u16())
            .or_default()
            .push(error.problem());
    }
    let problem_ref = "#/components/schemas/Problem";
    let mut used = BTreeSet::new();
    let mut shared: BTreeMap<String, u16> = BTreeMap::new();
    let point = |response: &mut Value, status: u16, used: &mut BTreeSet<u16>| {
        let pointer = format!("/content/{}/schema", PROBLEM_JSON.replace('/', "~1"));
        if let Some(schema) = response.pointer_mut(&pointer) {
            if schema["$ref"] == problem_ref && by_status.contains_key(&status) {
                *schema = json!({"$ref": format!("#/components/schemas/{}", problem_schema_name(status))});
                used.insert(status);
            }
        }
    };
    for op in operations(doc) {
        let Some(responses) = op["responses"].as_object_mut() else {
            continue;
        };
        for (code, response) in responses.iter_mut() {
            let Ok(status) = code.parse::<u16>() else {
                continue;
            };
            if let Some(name) = response["$ref"].as_str().and_then(|r| r.rsplit('/').next()) {
                shared.insert(name.to_owned(), status);
            } else {
                point(response, status, &mut used);
            }
        }
    }
    for (name, status) in shared {
        if let Some(response) = doc["components"]["responses"].get_mut(&name) {
            point(response, status, &mut used);
        }
    }
    let schemas = &mut doc["components"]["schemas"];
    for status in used {
        let problems = &by_status[&status];
        let reason = StatusCode::from_u16(status)
            .ok()
            .and_then(|s| s.canonical_reason())
            .unwrap_or("Error");
        let types: Vec<&str> = problems.iter().map(|p| p.problem_type.as_str()).collect();
        let mut schema = base.clone();
        schema["description"] = json!(format!(
            "An error answered with status {status} ({reason}), as RFC 9457 describes it; `type` says which: {}.",
            types.iter().map(|t| format!("`{t}`")).collect::<Vec<_>>().join(", ")
        ));
        schema["properties"]["type"] = json!({
            "type": "string",
            "enum": types,
            "description": "A URI naming the kind of problem; stable, for programs to branch on.",
            "example": types[0],
        });
        schema["properties"]["status"] = json!({
            "type": "integer",
            "enum": [status],
            "description": "The HTTP status code of the response.",
            "example": status,
        });
        // Sent only when they have a value: absent, never null.
        for (field, kind) in [("parameter", "string"), ("errors", "array")] {
            if let Some(property) = schema["properties"].get_mut(field) {
                property["type"] = json!(kind);
            }
        }
        schema["properties"]["title"]["example"] = json!(problems[0].title);
        schema["properties"]["detail"]["example"] = json!(problems[0].detail);
        schema["example"] = serde_json::to_value(&problems[0]).unwrap_or(Value::Null);
        schemas[problem_schema_name(status)] = schema;
    }
    let text = doc.to_string();
    if !text.contains(&format!("\"{problem_ref}\"")) {
        if let Some(schemas) = doc["components"]["schemas"].as_object_mut() {
            schemas.remove("Problem");
        }
    }
}

/// `security: []` on every operation that takes no key, so that generators send none.
fn public_operations(doc: &mut Value) {
    for op in operations(doc) {
        if let Some(op) = op.as_object_mut() {
            op.entry("security").or_insert_with(|| json!([]));
        }
    }
}

/// Leaves each `$ref` of a `oneOf` or `anyOf` alone: a sibling `description` moves to the
/// `oneOf`'s holder (generators such as openapi-generator's typescript-fetch fail on siblings).
fn refs_alone(value: &mut Value) {
    match value {
        Value::Object(object) => {
            for key in ["oneOf", "anyOf"] {
                let mut moved = None;
                if let Some(Value::Array(items)) = object.get_mut(key) {
                    for item in items.iter_mut() {
                        if let Some(item) = item.as_object_mut() {
                            if item.contains_key("$ref") && item.len() > 1 {
                                let description = item.remove("description");
                                moved = moved.or(description);
                                item.retain(|k, _| k == "$ref");
                            }
                        }
                    }
                }
                if let Some(description) = moved {
                    object.entry("description").or_insert(description);
                }
            }
            for child in object.values_mut() {
                refs_alone(child);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(refs_alone),
        _ => {}
    }
}

/// The schema names a part of the document refers to, and those they refer to in turn.
fn reachable(doc: &Value, roots: &[&Value]) -> BTreeSet<String> {
    fn refs(value: &Value, found: &mut Vec<String>) {
        match value {
            Value::Object(object) => {
                if let Some(r) = object.get("$ref").and_then(Value::as_str) {
                    if let Some(name) = r.strip_prefix("#/components/schemas/") {
                        found.push(name.to_owned());
                    }
                    if let Some(name) = r.strip_prefix("#/components/responses/") {
                        found.push(format!("response:{name}"));
                    }
                }
                object.values().for_each(|v| refs(v, found));
            }
            Value::Array(items) => items.iter().for_each(|v| refs(v, found)),
            _ => {}
        }
    }
    let mut seen = BTreeSet::new();
    let mut todo = Vec::new();
    roots.iter().for_each(|root| refs(root, &mut todo));
    while let Some(name) = todo.pop() {
        if !seen.insert(name.clone()) {
            continue;
        }
        let next = match name.strip_prefix("response:") {
            Some(response) => &doc["components"]["responses"][response],
            None => &doc["components"]["schemas"][&name],
        };
        refs(next, &mut todo);
    }
    seen
}

/// Every field of a schema only answers use is required: the service sends each, null when it
/// has no value (problems aside, whose `parameter` and `errors` come only with some).
fn answers_carry_every_field(doc: &mut Value) {
    let mut answers = Vec::new();
    let mut inputs = Vec::new();
    for op in operations(&mut doc.clone()) {
        answers.push(op["responses"].clone());
        inputs.push(op["requestBody"].clone());
        inputs.push(op["parameters"].clone());
    }
    let answered = reachable(doc, &answers.iter().collect::<Vec<_>>());
    let taken = reachable(doc, &inputs.iter().collect::<Vec<_>>());
    let Some(schemas) = doc["components"]["schemas"].as_object_mut() else {
        return;
    };
    for (name, schema) in schemas.iter_mut() {
        if !answered.contains(name) || taken.contains(name) || name.ends_with("Problem") {
            continue;
        }
        if let Some(properties) = schema["properties"].as_object() {
            let names: Vec<Value> = properties.keys().map(|k| json!(k)).collect();
            schema["required"] = Value::Array(names);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_document_reads_back_after_the_changes() {
        let document = crate::api::openapi();
        assert_eq!(document["servers"][0]["url"], DEFAULT_SERVER);
        assert!(document["components"]["schemas"]["NotFoundProblem"].is_object());
    }

    #[test]
    fn a_status_names_its_problem_schema() {
        assert_eq!(problem_schema_name(404), "NotFoundProblem");
        assert_eq!(problem_schema_name(503), "ServiceUnavailableProblem");
    }
}
