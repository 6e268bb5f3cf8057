//! Stated or inferred: where each value of a fact comes from. A value the source says in so many
//! words is `stated`, with the citation that says it; any other (a date from the article's
//! framing, a range from vague words, a link to an event, a stance) is `inferred`, with a note of
//! the reasoning and who inferred it. Stored per record as a JSON map keyed by field, which the
//! database checks (`basis_is_valid`).

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use utoipa::ToSchema;

use crate::vocab::Basis;

/// Who inferred a value when the seed's editors did.
pub const BY_SEED: &str = "seed";
/// Who inferred a value when a documented rule of the service did (the quantity rules, a first
/// status step dated by its commitment's announcement).
pub const BY_RULE: &str = "rule";

/// Who inferred a value when an editor's key did.
pub fn by_key(key_id: i64) -> String {
    format!("key:{key_id}")
}

/// Where one value of a record comes from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct FieldBasis {
    /// `stated`: the source says it, in the citation `citation_id`; `inferred`: derived by
    /// `inferred_by`, for the reason in `note`.
    pub basis: Basis,
    /// For a stated value, the citation whose excerpt states it; null for an inferred one.
    #[serde(default)]
    #[schema(example = json!(null))]
    pub citation_id: Option<i64>,
    /// For an inferred value, the reasoning; null for a stated one.
    #[serde(default)]
    #[schema(
        example = "The article gives no date for the offer; it is reported beside the meeting of 7 January 2026."
    )]
    pub note: Option<String>,
    /// For an inferred value, who inferred it: `seed` (the editors of the curated seed), `rule` (a
    /// documented rule of the service), `key:<id>` (an editor's key), `migration` (recorded before
    /// bases were kept); null for a stated one.
    #[serde(default)]
    #[schema(example = "seed")]
    pub inferred_by: Option<String>,
}

impl FieldBasis {
    /// A value its source states in the given citation.
    pub fn stated(citation_id: i64) -> Self {
        FieldBasis {
            basis: Basis::Stated,
            citation_id: Some(citation_id),
            note: None,
            inferred_by: None,
        }
    }

    /// A value inferred, and why.
    pub fn inferred(note: impl Into<String>, by: impl Into<String>) -> Self {
        FieldBasis {
            basis: Basis::Inferred,
            citation_id: None,
            note: Some(note.into()),
            inferred_by: Some(by.into()),
        }
    }

    /// The entry as the database stores it: only the keys its kind has.
    pub fn stored(&self) -> Value {
        match self.basis {
            Basis::Stated => json!({ "basis": "stated", "citation_id": self.citation_id }),
            Basis::Inferred => json!({ "basis": "inferred", "note": self.note, "inferred_by": self.inferred_by }),
        }
    }

    /// Whether a documented rule of the service inferred it.
    pub fn by_rule(&self) -> bool {
        self.inferred_by.as_deref() == Some(BY_RULE)
    }
}

/// One field's basis read from a stored map; none when absent or malformed.
pub fn entry(map: &Value, field: &str) -> Option<FieldBasis> {
    map.get(field).and_then(|e| serde_json::from_value(e.clone()).ok())
}

/// Whether a stored map holds an inferred value.
pub fn any_inferred(map: &Value) -> bool {
    map.as_object()
        .is_some_and(|m| m.values().any(|e| e.get("basis") == Some(&Value::from("inferred"))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_entries_have_only_their_kind_s_keys() {
        assert_eq!(
            FieldBasis::stated(3).stored(),
            json!({"basis": "stated", "citation_id": 3})
        );
        let inferred = FieldBasis::inferred("why", BY_SEED).stored();
        assert_eq!(inferred.as_object().map(|m| m.len()), Some(3));
        assert_eq!(
            entry(&json!({"said_on": inferred}), "said_on").map(|b| b.basis),
            Some(Basis::Inferred)
        );
    }
}
