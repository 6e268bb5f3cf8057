//! Lists as CSV (RFC 4180, one header row, nested fields flattened) and NDJSON (one record per
//! line): the formats an answer can take, and the writing of records in them.
//!
//! CSV columns are read from the record's schema in the OpenAPI document, so that they are the
//! same for every answer (an empty one too) and documented: a field is a column; the fields of a
//! nested object are columns named `object.field`; a list of values is one cell with one value
//! per line; a list of objects gives one column per field of its objects (`citations.id`), each
//! cell with one value per line; a value that is itself a list or an object is written as JSON.

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

use actix_web::http::header;
use actix_web::HttpRequest;
use serde::Serialize;
use serde_json::Value;

use super::error::ApiError;

/// The media type of CSV answers.
pub const CSV: &str = "text/csv";
/// The media type of NDJSON answers.
pub const NDJSON: &str = "application/x-ndjson";
/// The format of an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// JSON, one page at a time.
    Json,
    /// CSV with a header row.
    Csv,
    /// One JSON record per line.
    Ndjson,
}

impl Format {
    /// The format the request's `Accept` ranks first among those served; JSON when it names none.
    pub fn of(req: &HttpRequest) -> Format {
        let Ok(accept) = <header::Accept as header::Header>::parse(req) else {
            return Format::Json;
        };
        for mime in accept.ranked() {
            match mime.essence_str() {
                CSV => return Format::Csv,
                NDJSON | "application/ndjson" => return Format::Ndjson,
                "application/json" | "application/*" | "*/*" => return Format::Json,
                _ => {}
            }
        }
        Format::Json
    }

    /// The `Content-Type` of an answer in this format.
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Json => "application/json",
            Format::Csv => "text/csv; charset=utf-8; header=present",
            Format::Ndjson => "application/x-ndjson; charset=utf-8",
        }
    }
}

/// Writes the records of a page in `format`: its `items` (records of type `T`), as CSV rows of
/// the columns of `T`'s schema or as NDJSON lines.
pub fn encode<T: utoipa::ToSchema, P: Serialize + ?Sized>(
    format: Format,
    page: &P,
    out: &mut Vec<u8>,
) -> Result<(), ApiError> {
    // Through text, not `to_value`, so that numbers read as they do in the JSON answer (an `f32`
    // would otherwise widen into a longer `f64`).
    let value: Value = serde_json::to_string(page)
        .and_then(|text| serde_json::from_str(&text))
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    let items = value
        .get("items")
        .and_then(Value::as_array)
        .map_or(&[][..], Vec::as_slice);
    for item in items {
        match format {
            Format::Csv => record_row(out, columns::<T>(), item),
            _ => {
                serde_json::to_writer(&mut *out, item).map_err(|e| ApiError::Internal(e.to_string()))?;
                out.push(b'\n');
            }
        }
    }
    Ok(())
}

/// One CSV column: its name and where its value is in a record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    /// The header, the field names joined by dots.
    pub name: String,
    /// The field names leading to the value.
    path: Vec<String>,
    /// How many leading names lead to a list, whose elements hold the rest of the path.
    list_at: Option<usize>,
}

/// The columns of records of type `T`, read from its schema and the schemas it refers to (not
/// from the whole document); worked out once per type.
pub fn columns<T: utoipa::ToSchema>() -> &'static [Column] {
    static COLUMNS: OnceLock<Mutex<HashMap<String, &'static [Column]>>> = OnceLock::new();
    let name = T::name().into_owned();
    let cache = COLUMNS.get_or_init(|| Mutex::new(HashMap::new()));
    if let Some(found) = cache.lock().ok().and_then(|c| c.get(&name).copied()) {
        return found;
    }
    let mut schemas = vec![(name.clone(), T::schema())];
    T::schemas(&mut schemas);
    let components: serde_json::Map<String, Value> = schemas
        .into_iter()
        .map(|(n, schema)| (n, serde_json::to_value(schema).unwrap_or(Value::Null)))
        .collect();
    let document = serde_json::json!({"components": {"schemas": components}});
    // One leaked list per record type that has a list: a fixed, small number.
    let found: &'static [Column] = Box::leak(columns_of(&document, &name).into_boxed_slice());
    if let Ok(mut c) = cache.lock() {
        c.insert(name, found);
    }
    found
}

/// The columns of a schema of `document`.
pub fn columns_of(document: &Value, schema: &str) -> Vec<Column> {
    let mut columns = Vec::new();
    let root = &document["components"]["schemas"][schema];
    collect(document, root, &mut Vec::new(), None, &mut columns, 0);
    columns
}

/// The schema a `$ref`, or a nullable `oneOf`, stands for.
fn resolve<'a>(document: &'a Value, mut schema: &'a Value) -> &'a Value {
    for _ in 0..8 {
        if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
            let name = reference.rsplit('/').next().unwrap_or("");
            schema = &document["components"]["schemas"][name];
        } else if let Some(options) = schema
            .get("oneOf")
            .or_else(|| schema.get("anyOf"))
            .or_else(|| schema.get("allOf"))
            .and_then(Value::as_array)
        {
            let mut concrete = options.iter().filter(|o| o.get("type") != Some(&Value::from("null")));
            match (concrete.next(), concrete.next()) {
                (Some(only), None) => schema = only,
                _ => return schema,
            }
        } else {
            return schema;
        }
    }
    schema
}

fn is_type(schema: &Value, name: &str) -> bool {
    match schema.get("type") {
        Some(Value::String(t)) => t == name,
        Some(Value::Array(types)) => types.iter().any(|t| t == name),
        _ => false,
    }
}

fn collect(
    document: &Value,
    schema: &Value,
    path: &mut Vec<String>,
    list_at: Option<usize>,
    columns: &mut Vec<Column>,
    depth: usize,
) {
    let schema = resolve(document, schema);
    let properties = schema.get("properties").and_then(Value::as_object);
    match properties {
        Some(properties) if depth < 4 => {
            for (name, property) in properties {
                path.push(name.clone());
                collect(document, property, path, list_at, columns, depth + 1);
                path.pop();
            }
        }
        _ if is_type(schema, "array") && list_at.is_none() && depth < 4 => {
            let items = resolve(document, schema.get("items").unwrap_or(&Value::Null));
            if items.get("properties").is_some() {
                collect(document, items, path, Some(path.len()), columns, depth + 1);
            } else {
                columns.push(column(path, Some(path.len())));
            }
        }
        _ => columns.push(column(path, list_at)),
    }
}

fn column(path: &[String], list_at: Option<usize>) -> Column {
    Column {
        name: path.join("."),
        path: path.to_vec(),
        list_at,
    }
}

/// The text of a column's cell for a record.
pub fn cell(column: &Column, record: &Value) -> String {
    let at = |value: &Value, names: &[String]| {
        names
            .iter()
            .try_fold(value, |value, name| value.get(name))
            .cloned()
            .unwrap_or(Value::Null)
    };
    match column.list_at {
        None => text(&at(record, &column.path)),
        Some(split) => {
            let list = at(record, &column.path[..split]);
            list.as_array()
                .map(|elements| {
                    elements
                        .iter()
                        .map(|element| text(&at(element, &column.path[split..])))
                        .collect::<Vec<_>>()
                        .join("\n")
                })
                .unwrap_or_default()
        }
    }
}

fn text(value: &Value) -> String {
    match value {
        Value::Null => String::new(),
        Value::String(s) => neutralised(s),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        other => other.to_string(),
    }
}

/// Writes one CSV field, quoted when it must be (RFC 4180).
fn field(out: &mut Vec<u8>, text: &str) {
    if text.contains([',', '"', '\r', '\n']) {
        out.push(b'"');
        out.extend_from_slice(text.replace('"', "\"\"").as_bytes());
        out.push(b'"');
    } else {
        out.extend_from_slice(text.as_bytes());
    }
}

/// Writes a CSV row of fields, ended by CRLF.
pub fn row<'a>(out: &mut Vec<u8>, fields: impl IntoIterator<Item = &'a str>) {
    for (i, text) in fields.into_iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        field(out, text);
    }
    out.extend_from_slice(b"\r\n");
}

pub fn header_row(out: &mut Vec<u8>, columns: &[Column]) {
    row(out, columns.iter().map(|c| c.name.as_str()));
}

fn record_row(out: &mut Vec<u8>, columns: &[Column], record: &Value) {
    let cells: Vec<String> = columns.iter().map(|c| cell(c, record)).collect();
    row(out, cells.iter().map(String::as_str));
}

/// A text cell a spreadsheet would read as a formula (it begins with `=`, `+`, `-`, `@`, a tab or
/// a carriage return) gets a leading `'`, as OWASP advises against CSV injection: sources are
/// outside text, and a title like `=HYPERLINK(...)` must stay text when the sheet is opened.
fn neutralised(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn cells_that_would_be_formulas_stay_text() {
        for formula in ["=HYPERLINK(\"http://x\")", "+1", "-2+3", "@SUM(A1)", "\tx", "\rx"] {
            assert_eq!(text(&json!(formula)), format!("'{formula}"));
        }
        assert_eq!(text(&json!("Paris")), "Paris");
        assert_eq!(text(&json!(-4)), "-4", "numbers are numbers");
        assert_eq!(text(&json!("2026-01-07")), "2026-01-07");
    }

    #[test]
    fn fields_are_quoted_only_when_they_must_be() {
        let mut out = Vec::new();
        row(&mut out, ["plain", "a,b", "say \"hi\"", "two\nlines", ""]);
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",\r\n"
        );
    }

    #[test]
    fn nested_fields_flatten_into_named_columns() {
        let document = json!({"components": {"schemas": {
            "Quantity": {"type": "object", "properties": {"min": {"type": ["number", "null"]}, "text": {"type": "string"}}},
            "Citation": {"type": "object", "properties": {"id": {"type": "integer"}, "excerpt": {"type": "string"}}},
            "Thing": {"type": "object", "properties": {
                "id": {"type": "integer"},
                "quantity": {"oneOf": [{"type": "null"}, {"$ref": "#/components/schemas/Quantity"}]},
                "tags": {"type": "array", "items": {"type": "string"}},
                "citations": {"type": "array", "items": {"$ref": "#/components/schemas/Citation"}}
            }}
        }}});
        let columns = columns_of(&document, "Thing");
        let names: Vec<&str> = columns.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "id",
                "quantity.min",
                "quantity.text",
                "tags",
                "citations.id",
                "citations.excerpt"
            ]
        );
        let record = json!({"id": 7, "quantity": null, "tags": ["a", "b"],
            "citations": [{"id": 1, "excerpt": "x"}, {"id": 2, "excerpt": "y"}]});
        let cells: Vec<String> = columns.iter().map(|c| cell(c, &record)).collect();
        assert_eq!(cells, ["7", "", "", "a\nb", "1\n2", "x\ny"]);
    }
}
