//! Reading request bodies: every field checked, every problem collected, and all of them answered
//! at once in one 422 (`errors: [{field, message}]`) before anything is written.

use std::str::FromStr;

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::{Map, Value};

use super::error::{ApiError, FieldError};
use crate::vocab::UnknownValue;

/// Longest texts accepted, in characters.
pub mod limits {
    /// Names and short labels.
    pub const NAME: usize = 200;
    /// Titles, roles, locations, units, periods, attributions.
    pub const LABEL: usize = 500;
    /// Summaries, notes, conditions, quotes, reasons.
    pub const SENTENCE: usize = 4_000;
    /// Descriptions.
    pub const PARAGRAPH: usize = 20_000;
    /// A source's whole text.
    pub const DOCUMENT: usize = 2_000_000;
}

/// The problems found so far in a body.
#[derive(Debug, Default)]
pub struct Problems(Vec<FieldError>);

impl Problems {
    /// Records a problem with a field.
    pub fn add(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.0.push(FieldError {
            field: field.into(),
            message: message.into(),
        });
    }

    /// Whether no problem was found.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `Ok(value)` if no problem was found, else the 422 listing them all.
    pub fn finish<T>(self, value: T) -> Result<T, ApiError> {
        if self.0.is_empty() {
            Ok(value)
        } else {
            Err(ApiError::Unprocessable(self.0))
        }
    }
}

/// The body of a write, which must be a JSON object.
pub fn object(body: &[u8]) -> Result<Map<String, Value>, ApiError> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(ApiError::BadRequest("the request body must be a JSON object".into())),
        Err(e) => Err(ApiError::BadRequest(format!("the request body is not JSON: {e}"))),
    }
}

/// Reads the fields of one JSON object, recording problems instead of stopping at the first.
pub struct Reader<'a> {
    object: &'a Map<String, Value>,
    prefix: String,
}

impl<'a> Reader<'a> {
    /// A reader of a body's top level.
    pub fn new(object: &'a Map<String, Value>) -> Self {
        Reader {
            object,
            prefix: String::new(),
        }
    }

    /// A reader of a nested object, whose fields are reported as `prefix.field`.
    pub fn nested(object: &'a Map<String, Value>, prefix: String) -> Self {
        Reader { object, prefix }
    }

    /// The path of a field, for messages.
    pub fn path(&self, name: &str) -> String {
        format!("{}{name}", self.prefix)
    }

    /// A field's value, if set and not null.
    pub fn value(&self, name: &str) -> Option<&'a Value> {
        self.get(name)
    }

    /// Whether the object sets a field (to anything, null included).
    pub fn has(&self, name: &str) -> bool {
        self.object.contains_key(name)
    }

    fn get(&self, name: &str) -> Option<&'a Value> {
        self.object.get(name).filter(|v| !v.is_null())
    }

    /// Refuses fields other than `allowed`.
    pub fn only(&self, allowed: &[&str], problems: &mut Problems) {
        for name in self.object.keys() {
            if !allowed.contains(&name.as_str()) {
                problems.add(
                    self.path(name),
                    format!("is not a field of this record; the fields are {}", allowed.join(", ")),
                );
            }
        }
    }

    /// A text field: trimmed of nothing, refused if empty, too long, or holding a NUL character.
    pub fn text(&self, name: &str, required: bool, max: usize, problems: &mut Problems) -> Option<String> {
        match self.get(name) {
            None => {
                if required {
                    problems.add(self.path(name), "is required");
                }
                None
            }
            Some(Value::String(text)) => {
                if text.trim().is_empty() {
                    problems.add(self.path(name), "must not be empty");
                } else if text.contains('\0') {
                    problems.add(self.path(name), "must not contain NUL characters");
                } else if text.chars().count() > max {
                    problems.add(self.path(name), format!("is longer than {max} characters"));
                } else {
                    return Some(text.clone());
                }
                None
            }
            Some(_) => {
                problems.add(self.path(name), "must be a string");
                None
            }
        }
    }

    fn parsed<T>(
        &self,
        name: &str,
        required: bool,
        what: &str,
        parse: impl Fn(&str) -> Result<T, String>,
        problems: &mut Problems,
    ) -> Option<T> {
        match self.get(name) {
            None => {
                if required {
                    problems.add(self.path(name), "is required");
                }
                None
            }
            Some(Value::String(text)) => match parse(text) {
                Ok(value) => Some(value),
                Err(message) => {
                    problems.add(self.path(name), message);
                    None
                }
            },
            Some(_) => {
                problems.add(self.path(name), format!("must be a string: {what}"));
                None
            }
        }
    }

    /// A date, `YYYY-MM-DD`.
    pub fn date(&self, name: &str, required: bool, problems: &mut Problems) -> Option<NaiveDate> {
        self.parsed(
            name,
            required,
            "a date, YYYY-MM-DD",
            |t| {
                NaiveDate::parse_from_str(t, "%Y-%m-%d")
                    .map_err(|_| format!("`{t}` is not a date; write YYYY-MM-DD"))
                    .and_then(|d| in_range(d, t))
            },
            problems,
        )
    }

    /// A moment, RFC 3339.
    pub fn time(&self, name: &str, required: bool, problems: &mut Problems) -> Option<DateTime<Utc>> {
        self.parsed(
            name,
            required,
            "an RFC 3339 time",
            |t| {
                DateTime::parse_from_rfc3339(t)
                    .map(|t| t.with_timezone(&Utc))
                    .map_err(|_| format!("`{t}` is not an RFC 3339 time such as 2026-01-07T12:00:00Z"))
                    .and_then(|d| in_range(d, t))
            },
            problems,
        )
    }

    /// A value of a vocabulary.
    pub fn vocab<T: FromStr<Err = UnknownValue>>(
        &self,
        name: &str,
        required: bool,
        problems: &mut Problems,
    ) -> Option<T> {
        self.parsed(
            name,
            required,
            "one of its listed values",
            |t| t.parse::<T>().map_err(|e| e.to_string()),
            problems,
        )
    }

    /// An ISO 3166-1 alpha-2 code, upper-cased; whether a state has it is checked with the database.
    pub fn nation(&self, name: &str, required: bool, problems: &mut Problems) -> Option<String> {
        self.parsed(
            name,
            required,
            "an ISO 3166-1 alpha-2 code",
            |t| {
                if t.len() == 2 && t.bytes().all(|b| b.is_ascii_alphabetic()) {
                    Ok(t.to_ascii_uppercase())
                } else {
                    Err(format!(
                        "`{t}` is not an ISO 3166-1 alpha-2 code; use two letters, such as FR"
                    ))
                }
            },
            problems,
        )
    }

    /// A record id: a whole number from 1.
    pub fn id(&self, name: &str, required: bool, problems: &mut Problems) -> Option<i64> {
        match self.get(name) {
            None => {
                if required {
                    problems.add(self.path(name), "is required");
                }
                None
            }
            Some(value) => match value.as_i64() {
                Some(id) if id >= 1 => Some(id),
                _ => {
                    problems.add(self.path(name), "must be an identifier: a whole number from 1");
                    None
                }
            },
        }
    }

    /// A whole number from 0, such as an offset.
    pub fn offset(&self, name: &str, problems: &mut Problems) -> Option<i32> {
        let value = self.get(name)?;
        match value.as_i64().and_then(|n| i32::try_from(n).ok()).filter(|n| *n >= 0) {
            Some(n) => Some(n),
            None => {
                problems.add(
                    self.path(name),
                    "must be a whole number from 0 (a position in code points)",
                );
                None
            }
        }
    }

    /// A finite number.
    pub fn number(&self, name: &str, problems: &mut Problems) -> Option<f64> {
        let value = self.get(name)?;
        match value.as_f64().filter(|n| n.is_finite()) {
            Some(n) => Some(n),
            None => {
                problems.add(self.path(name), "must be a number");
                None
            }
        }
    }

    /// A nested object.
    pub fn object(&self, name: &str, problems: &mut Problems) -> Option<&'a Map<String, Value>> {
        match self.get(name)? {
            Value::Object(map) => Some(map),
            _ => {
                problems.add(self.path(name), "must be an object");
                None
            }
        }
    }

    /// An array.
    pub fn array(&self, name: &str, problems: &mut Problems) -> Option<&'a Vec<Value>> {
        match self.get(name)? {
            Value::Array(items) => Some(items),
            _ => {
                problems.add(self.path(name), "must be an array");
                None
            }
        }
    }
}

/// A date or moment PostgreSQL can hold, or the message saying it cannot.
fn in_range<T: super::params::PgRange>(value: T, text: &str) -> Result<T, String> {
    if value.in_pg_range() {
        Ok(value)
    } else {
        Err(format!(
            "`{text}` is outside what the knowledge base can hold (4713 BC to the year 294275)"
        ))
    }
}

/// Applies a JSON Merge Patch (RFC 7396) to `target`.
pub fn merge_patch(target: &mut Value, patch: &Value) {
    match patch {
        Value::Object(changes) => {
            if !target.is_object() {
                *target = Value::Object(Map::new());
            }
            if let Value::Object(fields) = target {
                for (name, change) in changes {
                    if change.is_null() {
                        fields.remove(name);
                    } else {
                        merge_patch(fields.entry(name.clone()).or_insert(Value::Null), change);
                    }
                }
            }
        }
        other => *target = other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn merge_patch_follows_rfc_7396() {
        // The example of RFC 7396, section 3.
        let mut target = json!({"a": "b", "c": {"d": "e", "f": "g"}});
        merge_patch(&mut target, &json!({"a": "z", "c": {"f": null}}));
        assert_eq!(target, json!({"a": "z", "c": {"d": "e"}}));
        let mut list = json!({"a": [1, 2]});
        merge_patch(&mut list, &json!({"a": [3]}));
        assert_eq!(list, json!({"a": [3]}));
    }

    #[test]
    fn a_reader_reports_every_problem_at_once() {
        let body = json!({"name": "", "when": "yesterday", "kind": "tanks", "n": "x", "extra": 1, "t": "a\u{0}b"});
        let map = body.as_object().unwrap();
        let reader = Reader::new(map);
        let mut problems = Problems::default();
        reader.text("name", true, 10, &mut problems);
        reader.date("when", false, &mut problems);
        reader.vocab::<crate::vocab::CommitmentKind>("kind", true, &mut problems);
        reader.number("n", &mut problems);
        reader.text("t", false, 10, &mut problems);
        reader.text("missing", true, 10, &mut problems);
        reader.only(&["name", "when", "kind", "n", "t"], &mut problems);
        let err = problems.finish(()).unwrap_err();
        let ApiError::Unprocessable(errors) = err else { panic!() };
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, vec!["name", "when", "kind", "n", "t", "missing", "extra"]);
    }
}
