//! The OpenAPI document: committed, current, served, and held to the API's conventions; and
//! Swagger UI served by the binary itself.

use crate::helpers::spawn_app;

const COMMITTED: &str = include_str!("../../openapi/openapi.json");

#[test]
fn the_committed_document_is_the_one_the_code_generates() {
    let generated = serde_json::to_string_pretty(&alliance_kb::api::openapi()).unwrap();
    assert!(
        generated.trim_end() == COMMITTED.trim_end(),
        "openapi/openapi.json is stale: regenerate it with `cargo run -- openapi > openapi/openapi.json`"
    );
}

#[test]
fn every_operation_has_a_verb_resource_id_a_tag_a_summary_and_its_errors() {
    let document = serde_json::to_value(alliance_kb::api::openapi()).unwrap();
    assert_eq!(document["openapi"], "3.1.0");
    let mut operation_ids = Vec::new();
    for (path, item) in document["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let id = op["operationId"].as_str().unwrap();
            let verb = id.split('_').next().unwrap();
            assert!(
                ["list", "get", "create", "update", "delete", "search"].contains(&verb),
                "{method} {path}: operation id {id} is not <verb>_<resource>"
            );
            assert!(id.contains('_'));
            assert_eq!(op["tags"].as_array().unwrap().len(), 1, "{id} has one tag");
            assert!(!op["summary"].as_str().unwrap_or("").is_empty(), "{id} has a summary");
            assert!(
                !op["description"].as_str().unwrap_or("").is_empty(),
                "{id} has a description"
            );
            let responses = op["responses"].as_object().unwrap();
            assert!(responses.contains_key("200") || responses.contains_key("201"), "{id}");
            if method != "get" || path.starts_with("/v1/keys") {
                assert!(
                    op["security"].to_string().contains("bearer"),
                    "{id} names its security scheme"
                );
                for code in ["401", "403"] {
                    assert!(responses.contains_key(code), "{id} documents {code}");
                }
            }
            assert!(responses.contains_key("400"), "{id} documents 400");
            if path != "/healthz" {
                for code in ["500", "503"] {
                    assert!(responses.contains_key(code), "{id} documents {code}");
                }
            }
            if path.contains('{') {
                assert!(responses.contains_key("404"), "{id} documents 404");
            }
            operation_ids.push(id.to_owned());
        }
    }
    operation_ids.sort();
    let expected = [
        "create_citation",
        "create_claim",
        "create_commitment",
        "create_competing_value",
        "create_event",
        "create_import",
        "create_key",
        "create_person",
        "create_source",
        "create_statement",
        "create_status_change",
        "delete_citation",
        "delete_claim",
        "delete_commitment",
        "delete_competing_value",
        "delete_event",
        "delete_key",
        "delete_person",
        "delete_source",
        "delete_statement",
        "get_citation",
        "get_claim",
        "get_commitment",
        "get_divisions",
        "get_event",
        "get_export",
        "get_health",
        "get_index",
        "get_nation",
        "get_nation_profile",
        "get_person",
        "get_readiness",
        "get_source",
        "get_statement",
        "list_changes",
        "list_claims",
        "list_commitments",
        "list_events",
        "list_keys",
        "list_nation_commitments",
        "list_nation_statements",
        "list_nations",
        "list_organizations",
        "list_people",
        "list_revisions",
        "list_sources",
        "list_statements",
        "list_timeline",
        "search_records",
        "update_citation",
        "update_claim",
        "update_commitment",
        "update_event",
        "update_person",
        "update_source",
        "update_statement",
    ];
    assert_eq!(operation_ids, expected);
    for schema in [
        "CommitmentKind",
        "CommitmentStatus",
        "ForceRole",
        "Stance",
        "Reliability",
        "BadRequestProblem",
        "NotFoundProblem",
        "ServiceUnavailableProblem",
    ] {
        assert!(
            document["components"]["schemas"].get(schema).is_some(),
            "{schema} is a named component"
        );
    }
}

#[actix_web::test]
async fn the_document_and_swagger_ui_are_served_by_the_binary_itself() {
    let app = spawn_app().await;
    let served = app.get_json("/openapi.json").await;
    let mut committed = alliance_kb::api::openapi();
    // The served document names the address the request was sent to as its first server.
    assert_eq!(served["servers"][0]["url"], "http://localhost:8080");
    committed["servers"][0]["url"] = served["servers"][0]["url"].clone();
    assert_eq!(served, committed);
    let elsewhere = app
        .send(
            actix_web::http::Method::GET,
            "/openapi.json",
            &[("Host", "kb.example.org:9000")],
            None,
        )
        .await
        .json();
    assert_eq!(elsewhere["servers"][0]["url"], "http://kb.example.org:9000");
    let page = app.get("/swagger-ui/").await;
    assert_eq!(page.status.as_u16(), 200);
    let html = String::from_utf8_lossy(&page.body).to_string();
    assert!(html.contains("swagger-ui"), "{html}");
    assert!(
        html.contains("<title>Alliance-commitment knowledge base"),
        "the page's title names the product: {html}"
    );
    assert!(!html.contains("https://"), "the page loads nothing from the internet");
    let bundle = app.get("/swagger-ui/swagger-ui-bundle.js").await;
    assert_eq!(
        bundle.status.as_u16(),
        200,
        "the Swagger UI bundle is vendored into the binary"
    );
    assert!(bundle.body.len() > 100_000);
    let init = app.get("/swagger-ui/swagger-initializer.js").await;
    assert!(
        String::from_utf8_lossy(&init.body).contains("/openapi.json"),
        "Swagger UI reads the served document"
    );
}

#[test]
fn every_schema_field_and_parameter_has_a_description_and_an_example() {
    let document = serde_json::to_value(alliance_kb::api::openapi()).unwrap();
    let has = |value: &serde_json::Value, key: &str| {
        value.get(key).is_some()
            || value["oneOf"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|alternative| alternative.get(key).is_some())
    };
    let is_reference = |value: &serde_json::Value| has(value, "$ref") || value["type"] == "array";
    let mut missing = Vec::new();
    for (name, schema) in document["components"]["schemas"].as_object().unwrap() {
        if schema.get("description").is_none() {
            missing.push(format!("schema {name}: description"));
        }
        for (field, property) in schema["properties"].as_object().into_iter().flatten() {
            if !has(property, "description") {
                missing.push(format!("{name}.{field}: description"));
            }
            // A referenced schema carries its own example.
            if !has(property, "example") && !has(property, "examples") && !is_reference(property) {
                missing.push(format!("{name}.{field}: example"));
            }
        }
    }
    for (path, item) in document["paths"].as_object().unwrap() {
        for parameter in item["get"]["parameters"].as_array().into_iter().flatten() {
            let name = parameter["name"].as_str().unwrap();
            if parameter.get("description").is_none() {
                missing.push(format!("{path} {name}: description"));
            }
            let schema = &parameter["schema"];
            // A vocabulary's values are its example, also as the items of a list of them.
            let vocabulary = schema.get("$ref").is_some() || schema["items"].get("$ref").is_some();
            if parameter.get("example").is_none() && schema.get("example").is_none() && !vocabulary {
                missing.push(format!("{path} {name}: example"));
            }
        }
    }
    assert!(missing.is_empty(), "undocumented: {missing:#?}");
}

/// Resolves a response that refers to a shared one.
fn resolved<'a>(document: &'a serde_json::Value, response: &'a serde_json::Value) -> &'a serde_json::Value {
    match response["$ref"]
        .as_str()
        .and_then(|r| r.strip_prefix("#/components/responses/"))
    {
        Some(name) => &document["components"]["responses"][name],
        None => response,
    }
}

#[test]
fn the_document_gives_generators_what_they_need() {
    let document = alliance_kb::api::openapi();
    assert_eq!(document["servers"][0]["url"], "http://127.0.0.1:8080");
    let schemas = &document["components"]["schemas"];
    for (path, item) in document["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let id = op["operationId"].as_str().unwrap_or(path);
            // Every operation says what it needs: a key, or nothing.
            assert!(op["security"].is_array(), "{method} {path}: security");
            for (code, response) in op["responses"].as_object().unwrap() {
                let response = resolved(&document, response);
                let Some(schema) = response["content"]["application/problem+json"]["schema"]["$ref"].as_str() else {
                    continue;
                };
                // A problem's schema is its status's: its `status` and `type` tell one from another.
                let name = schema.rsplit('/').next().unwrap();
                let status: u64 = code.parse().unwrap();
                assert_eq!(
                    schemas[name]["properties"]["status"]["enum"],
                    serde_json::json!([status]),
                    "{id} {code}"
                );
                assert_eq!(schemas[name]["example"]["status"], status, "{id} {code}: its example");
            }
        }
    }
    // The type URIs of two statuses never overlap, so a client decodes by them.
    let mut seen = std::collections::HashSet::new();
    for (name, schema) in schemas.as_object().unwrap() {
        if name.ends_with("Problem") {
            for t in schema["properties"]["type"]["enum"].as_array().unwrap() {
                assert!(
                    seen.insert(t.as_str().unwrap().to_owned()),
                    "{t} in two problem schemas"
                );
            }
        }
    }
    // No `$ref` in a oneOf has siblings.
    let text = document.to_string();
    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    fn walk(value: &serde_json::Value, at: &str) {
        match value {
            serde_json::Value::Object(o) => {
                for key in ["oneOf", "anyOf"] {
                    for item in o.get(key).and_then(|v| v.as_array()).into_iter().flatten() {
                        if item.get("$ref").is_some() {
                            assert_eq!(item.as_object().unwrap().len(), 1, "{at}: {item}");
                        }
                    }
                }
                for (k, v) in o {
                    walk(v, &format!("{at}/{k}"));
                }
            }
            serde_json::Value::Array(a) => a.iter().for_each(|v| walk(v, at)),
            _ => {}
        }
    }
    walk(&value, "");
    // The fields an answer always carries are required, nullable where null is a value.
    let commitment = &schemas["Commitment"];
    for field in commitment["properties"].as_object().unwrap().keys() {
        assert!(
            commitment["required"]
                .as_array()
                .unwrap()
                .contains(&field.as_str().into()),
            "Commitment.{field} is required"
        );
    }
    // Filters of several values are arrays of their vocabulary, comma-separated.
    let kind = document["paths"]["/v1/commitments"]["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "kind")
        .unwrap();
    assert_eq!(kind["schema"]["type"], "array");
    assert_eq!(kind["schema"]["items"]["$ref"], "#/components/schemas/CommitmentKind");
    assert_eq!(
        (kind["style"].as_str(), kind["explode"].as_bool()),
        (Some("form"), Some(false))
    );
}

#[actix_web::test]
async fn the_commitment_example_is_the_seed_s_record_as_served() {
    let app = spawn_app().await;
    let mut served = app.get_json("/v1/commitments/1").await;
    let document = alliance_kb::api::openapi();
    let example = &document["components"]["schemas"]["Commitment"]["example"];
    for step in served["history"].as_array_mut().unwrap() {
        step["recorded_at"] = "2026-11-26T18:20:00Z".into();
    }
    assert_eq!(
        example, &served,
        "openapi/examples/commitment.json is GET /v1/commitments/1 on the seed"
    );
}

/// Every parameter of the document named `name`, with the method and path of its operation.
fn parameters_named(document: &serde_json::Value, name: &str) -> Vec<(String, serde_json::Value)> {
    let mut found = Vec::new();
    for (path, operations) in document["paths"].as_object().unwrap() {
        for (method, operation) in operations.as_object().unwrap() {
            for parameter in operation["parameters"].as_array().into_iter().flatten() {
                if parameter["name"] == name {
                    found.push((format!("{method} {path}"), parameter.clone()));
                }
            }
        }
    }
    found
}

#[test]
fn every_cursor_parameter_has_the_one_cursor_shape() {
    let document = serde_json::to_value(alliance_kb::api::openapi()).unwrap();
    let cursors = parameters_named(&document, "cursor");
    assert!(cursors.len() >= 15, "only {} cursor parameters found", cursors.len());
    for (operation, parameter) in cursors {
        assert_eq!(
            parameter["schema"]["pattern"],
            alliance_kb::api::paging::CURSOR_PATTERN,
            "{operation}: the cursor's pattern is not paging::CURSOR_PATTERN"
        );
    }
}

#[test]
fn every_idempotency_key_parameter_has_the_shape_the_service_checks() {
    let document = serde_json::to_value(alliance_kb::api::openapi()).unwrap();
    let keys = parameters_named(&document, "Idempotency-Key");
    assert!(keys.len() >= 9, "only {} Idempotency-Key parameters found", keys.len());
    for (operation, parameter) in keys {
        assert_eq!(
            parameter["schema"]["pattern"],
            alliance_kb::api::write::IDEMPOTENCY_KEY_PATTERN,
            "{operation}"
        );
    }
}
