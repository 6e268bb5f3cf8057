//! The `basis` of a write: where each value an editor sets comes from. A body says, per field,
//! `{"basis": "stated", "citation": 0}` (the value is in the body's first citation), `{"basis":
//! "stated", "citation_id": 12}` (in a citation the record already has), or `{"basis": "inferred",
//! "note": "why"}`. A date or a link set without one is refused: the knowledge base never lets an
//! inference pass for a source's word. What is stored is [`crate::basis::FieldBasis`].

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::input::{limits, Problems, Reader};
use crate::basis::{self, FieldBasis};
use crate::vocab::Basis;

/// A field that can carry a basis.
#[derive(Debug, Clone, Copy)]
pub struct Grounded {
    /// Its name in the record's `basis` map (the response's field name).
    pub field: &'static str,
    /// Its name in a write's body.
    pub body_field: &'static str,
    /// Whether setting it requires a basis (dates, links, explicit ranges); a stance or a role
    /// may be given one.
    pub required: bool,
}

impl Grounded {
    /// A field that needs a basis whenever it is set.
    pub const fn required(field: &'static str, body_field: &'static str) -> Self {
        Grounded {
            field,
            body_field,
            required: true,
        }
    }

    /// A field that may be given a basis.
    pub const fn optional(field: &'static str, body_field: &'static str) -> Self {
        Grounded {
            field,
            body_field,
            required: false,
        }
    }
}

/// Whether a body sets a value that a basis would be about.
fn is_set(body: &Map<String, Value>, field: &str) -> bool {
    match (field, body.get(field)) {
        (_, None | Some(Value::Null)) => false,
        ("quantity", Some(q)) => !q["min"].is_null() || !q["max"].is_null(),
        ("participants", Some(p)) => p.as_array().is_some_and(|p| !p.is_empty()),
        ("role", Some(r)) => r != "unspecified",
        ("stance", Some(s)) => s != "unclear",
        _ => true,
    }
}

/// The citation a stated value names.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum CitationRef {
    /// The position of a citation in the body's `citations`.
    Index(usize),
    /// A citation the record already has.
    Id(i64),
}

/// One field's basis as a body gives it.
#[derive(Debug, Clone, PartialEq)]
pub enum Given {
    /// The source states it, in this citation.
    Stated(CitationRef),
    /// An inference, and why.
    Inferred(String),
}

/// The `basis` object of a body, by field; `None` for a field set to null (a patch removing it).
#[derive(Debug, Default, Clone)]
pub struct BasisInput(pub BTreeMap<String, Option<Given>>);

impl BasisInput {
    /// The basis given for a field, if any.
    pub fn get(&self, field: &str) -> Option<&Given> {
        self.0.get(field).and_then(Option::as_ref)
    }
}

const SHAPE: &str = "give {\"basis\": \"stated\", \"citation\": <index in this body's citations>} (or \"citation_id\": <a citation of this record>), or {\"basis\": \"inferred\", \"note\": \"<why>\"}";

/// Reads the body's `basis`: only the given fields, each entry well formed. `cited` is how many
/// citations the body itself carries.
pub fn read(reader: &Reader<'_>, fields: &[Grounded], cited: usize, problems: &mut Problems) -> BasisInput {
    let mut out = BasisInput::default();
    let Some(map) = reader.object("basis", problems) else {
        return out;
    };
    for (field, entry) in map {
        let path = format!("basis.{field}");
        if !fields.iter().any(|g| g.field == field) {
            let names: Vec<&str> = fields.iter().map(|g| g.field).collect();
            problems.add(
                path,
                format!("is not a field that takes a basis here; these do: {}", names.join(", ")),
            );
            continue;
        }
        let entry = match entry {
            Value::Null => {
                out.0.insert(field.clone(), None);
                continue;
            }
            Value::Object(entry) => entry,
            _ => {
                problems.add(path, format!("must be an object: {SHAPE}"));
                continue;
            }
        };
        let r = Reader::nested(entry, format!("{path}."));
        r.only(&["basis", "citation", "citation_id", "note"], problems);
        match r.vocab::<Basis>("basis", true, problems) {
            Some(Basis::Stated) => {
                if r.has("note") {
                    problems.add(
                        format!("{path}.note"),
                        "is for an inferred value; a stated one names the citation that states it",
                    );
                }
                match (r.value("citation"), r.value("citation_id")) {
                    (Some(index), None) => match index.as_u64().and_then(|i| usize::try_from(i).ok()) {
                        Some(i) if i < cited => {
                            out.0.insert(field.clone(), Some(Given::Stated(CitationRef::Index(i))));
                        }
                        _ => problems.add(
                            format!("{path}.citation"),
                            format!(
                                "must be the index of one of this body's {cited} citations (0 to {})",
                                cited.saturating_sub(1)
                            ),
                        ),
                    },
                    (None, Some(_)) => {
                        if let Some(id) = r.id("citation_id", true, problems) {
                            out.0.insert(field.clone(), Some(Given::Stated(CitationRef::Id(id))));
                        }
                    }
                    _ => problems.add(
                        path,
                        "a stated value names the citation that states it: `citation` (its index in this body's `citations`) or `citation_id` (a citation of this record), one of them",
                    ),
                }
            }
            Some(Basis::Inferred) => {
                if r.has("citation") || r.has("citation_id") {
                    problems.add(
                        path.clone(),
                        "an inferred value names no citation (no source states it); say why in `note`",
                    );
                }
                if let Some(note) = r.text("note", true, limits::SENTENCE, problems) {
                    out.0.insert(field.clone(), Some(Given::Inferred(note)));
                }
            }
            None => {}
        }
    }
    out
}

/// Checks a whole body against its basis: every required field it sets has one, and no basis is
/// given for a field left without a value.
pub fn check_complete(body: &Map<String, Value>, given: &BasisInput, fields: &[Grounded], problems: &mut Problems) {
    for g in fields {
        let set = is_set(body, g.body_field);
        match given.get(g.field) {
            None if set && g.required => problems.add(
                format!("basis.{}", g.field),
                format!(
                    "`{}` is set, so say where it comes from: {SHAPE}; a value no source states must be marked inferred",
                    g.body_field
                ),
            ),
            Some(_) if !set => problems.add(
                format!("basis.{}", g.field),
                format!("is given, but `{}` has no value for it to be the basis of", g.body_field),
            ),
            _ => {}
        }
    }
}

/// Turns a given basis into what is stored: an index into the citations just written becomes
/// their id; an id must be one of the record's own live citations.
pub fn resolve(
    field: &str,
    given: &Given,
    written: &[i64],
    own: &[i64],
    inferred_by: &str,
    problems: &mut Problems,
) -> Option<FieldBasis> {
    match given {
        Given::Inferred(note) => Some(FieldBasis::inferred(note.clone(), inferred_by)),
        Given::Stated(CitationRef::Index(i)) => match written.get(*i) {
            Some(id) => Some(FieldBasis::stated(*id)),
            None => {
                problems.add(format!("basis.{field}.citation"), "names no citation of this body");
                None
            }
        },
        Given::Stated(CitationRef::Id(id)) => {
            if own.contains(id) {
                Some(FieldBasis::stated(*id))
            } else {
                problems.add(
                    format!("basis.{field}.citation_id"),
                    format!("citation {id} is not a live citation of this record; cite the source first (POST /v1/citations), then name that citation"),
                );
                None
            }
        }
    }
}

/// Applies a patch's basis to a record's stored map. `before` and `after` are the record's
/// fields as a body gives them, before and after the patch. A changed value needs its basis
/// anew (the old one was for the old value), unless it is one that may go without; a value now
/// null loses its basis.
#[expect(clippy::too_many_arguments, reason = "each is one input of one decision")]
pub fn patched(
    stored: &Value,
    given: &BasisInput,
    before: &Map<String, Value>,
    after: &Map<String, Value>,
    fields: &[Grounded],
    own: &[i64],
    inferred_by: &str,
    problems: &mut Problems,
) -> Value {
    let mut out = stored.as_object().cloned().unwrap_or_default();
    for g in fields {
        let set = is_set(after, g.body_field);
        let changed = before.get(g.body_field) != after.get(g.body_field);
        match given.0.get(g.field) {
            Some(Some(entry)) => {
                if !set {
                    problems.add(
                        format!("basis.{}", g.field),
                        format!(
                            "is given, but `{}` has no value for it to be the basis of",
                            g.body_field
                        ),
                    );
                } else if let Some(resolved) = resolve(g.field, entry, &[], own, inferred_by, problems) {
                    out.insert(g.field.to_owned(), resolved.stored());
                }
            }
            Some(None) => {
                if set && g.required {
                    problems.add(
                        format!("basis.{}", g.field),
                        format!("cannot be removed while `{}` has a value: {SHAPE}", g.body_field),
                    );
                } else {
                    out.remove(g.field);
                }
            }
            None if !set => {
                out.remove(g.field);
            }
            None if changed => {
                if g.required {
                    problems.add(
                        format!("basis.{}", g.field),
                        format!(
                            "`{}` changed, so give its basis anew (the one stored was for the old value): {SHAPE}",
                            g.body_field
                        ),
                    );
                } else {
                    out.remove(g.field);
                }
            }
            None => {}
        }
    }
    Value::Object(out)
}

/// Stores the bases of a record just made, in `table` at `id`: the given ones resolved against
/// the citations just written, plus those the service's rules imply; nothing when there are none.
pub async fn store_created(
    conn: &mut diesel_async::AsyncPgConnection,
    (table, id): (&'static str, i64),
    given: &BasisInput,
    fields: &[Grounded],
    written: &[i64],
    implied: Vec<(&'static str, FieldBasis)>,
    key_id: i64,
) -> Result<(), super::error::ApiError> {
    let mut unresolved = Problems::default();
    let basis = created(given, fields, written, implied, &editor(key_id), &mut unresolved);
    unresolved.finish(())?;
    if basis.as_object().is_some_and(|m| !m.is_empty()) {
        crate::db::queries::writes::set_basis(conn, table, id, &basis).await?;
    }
    Ok(())
}

/// The stored map of a new record: the given bases resolved against the citations just written,
/// plus those the service's rules imply.
fn created(
    given: &BasisInput,
    fields: &[Grounded],
    written: &[i64],
    implied: Vec<(&'static str, FieldBasis)>,
    inferred_by: &str,
    problems: &mut Problems,
) -> Value {
    let mut out = Map::new();
    for (field, basis) in implied {
        out.insert(field.to_owned(), basis.stored());
    }
    for g in fields {
        if let Some(entry) = given.get(g.field) {
            if let Some(resolved) = resolve(g.field, entry, written, &[], inferred_by, problems) {
                out.insert(g.field.to_owned(), resolved.stored());
            }
        }
    }
    Value::Object(out)
}

/// Who an editor's inference is credited to.
pub fn editor(key_id: i64) -> String {
    basis::by_key(key_id)
}

#[cfg(test)]
mod tests {
    use crate::api::edit::Editable;
    use crate::api::handlers::{
        claims::ClaimEdit, commitments::CommitmentEdit, events::EventEdit, statements::StatementEdit,
    };
    use crate::records::representations as types;

    fn kept<E: Editable>() -> Vec<&'static str> {
        E::GROUNDED
            .iter()
            .filter(|g| !E::CREATE_ONLY.contains(&g.body_field))
            .map(|g| g.field)
            .collect()
    }

    #[test]
    fn the_document_states_the_quantity_rules_the_code_applies() {
        let document = serde_json::to_value(crate::api::openapi()).unwrap();
        let described = document["components"]["schemas"]["Quantity"]["description"]
            .as_str()
            .unwrap()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        for (words, min, max, said) in [
            (
                "several thousand",
                Some(3000.0),
                Some(9999.0),
                "\"several thousand\" is 3,000 to 9,999",
            ),
            (
                "a few thousand",
                Some(2000.0),
                Some(4999.0),
                "\"a few thousand\" 2,000 to 4,999",
            ),
            (
                "more than two dozen",
                Some(25.0),
                None,
                "\"more than two dozen\" 25 and up",
            ),
            ("dozens", Some(24.0), None, "\"dozens\" 24 and up"),
            (
                "5,000",
                Some(5000.0),
                Some(5000.0),
                "a figure (\"5,000\") exactly itself",
            ),
        ] {
            let derived = crate::quantity::derive(words).unwrap();
            assert_eq!((derived.min, derived.max), (min, max), "{words}");
            assert!(described.contains(said), "the document says {said}: {described}");
        }
        assert!(crate::quantity::derive("about 5,000").is_none());
        assert!(described.contains("\"about N\" no range"));
    }

    #[test]
    fn each_kind_writes_the_bases_its_answers_show() {
        assert_eq!(kept::<CommitmentEdit>(), types::CommitmentBasis::FIELDS);
        assert_eq!(kept::<StatementEdit>(), types::StatementBasis::FIELDS);
        assert_eq!(kept::<EventEdit>(), types::EventBasis::FIELDS);
        assert_eq!(kept::<ClaimEdit>(), types::ClaimBasis::FIELDS);
    }
}
