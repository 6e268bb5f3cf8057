//! The request bodies of writes, as the OpenAPI document shows them. The handlers read bodies with
//! `input::Reader`, which reports every problem at once; these types describe the same fields.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::vocab::*;

/// A citation given with a fact: a source and the exact excerpt the fact rests on.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CitationInput {
    /// The source cited.
    #[schema(example = 1, minimum = 1)]
    pub source_id: i64,
    /// The cited text, exactly as in the source. Without `start` and `end` it must occur there once.
    #[schema(example = "Belgium offered naval and air support", min_length = 1)]
    pub excerpt: String,
    /// Where the excerpt starts, in code points; give it with `end` when the excerpt occurs more than once.
    #[schema(example = 1596, minimum = 0)]
    pub start: Option<i32>,
    /// Where the excerpt ends (exclusive), in code points.
    #[schema(example = 1633, minimum = 0)]
    pub end: Option<i32>,
}

/// An amount in the source's words, with a range where one can honestly be derived.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QuantityInput {
    /// The least the words allow; at most `max`.
    #[schema(example = 2000)]
    pub min: Option<f64>,
    /// The most the words allow.
    #[schema(example = 9999)]
    pub max: Option<f64>,
    /// What is counted.
    #[schema(example = "soldiers", max_length = 500)]
    pub unit: Option<String>,
    /// The source's own words for the amount.
    #[schema(example = "several thousand", min_length = 1, max_length = 500)]
    pub text: String,
}

/// A new commitment, with its evidence; its status starts its history.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "nation": "BE", "kind": "naval_support", "status": "pledged",
    "summary": "Belgium pledged a minehunter to the Black Sea task group.",
    "announced_on": "2026-01-07",
    "citations": [{"source_id": 1, "excerpt": "Belgium offered naval and air support"}]
}))]
pub struct CommitmentInput {
    /// The committing nation (ISO 3166-1 alpha-2).
    #[schema(example = "BE", pattern = "^[A-Za-z]{2}$")]
    pub nation: String,
    /// What is committed.
    pub kind: CommitmentKind,
    /// Where it stands; the first step of its history.
    pub status: CommitmentStatus,
    /// The commitment in a sentence.
    #[schema(example = "Belgium offered naval support.", min_length = 1, max_length = 4000)]
    pub summary: String,
    /// How much, if the source says.
    pub quantity: Option<QuantityInput>,
    /// Whether forces would take part in combat (default `unspecified`).
    pub role: Option<ForceRole>,
    /// Conditions, as the source states them.
    #[schema(example = "only after a ceasefire", max_length = 4000)]
    pub conditions: Option<String>,
    /// When it was announced.
    #[schema(example = "2026-01-07")]
    pub announced_on: Option<NaiveDate>,
    /// Who announced it (a person's id).
    #[schema(example = 1, minimum = 1)]
    pub announced_by: Option<i64>,
    /// The event it was made at.
    #[schema(example = 1, minimum = 1)]
    pub event_id: Option<i64>,
    /// When its first status took effect (default `announced_on`).
    #[schema(example = "2026-01-07")]
    pub status_changed_on: Option<NaiveDate>,
    /// The evidence: at least one citation.
    #[schema(min_items = 1)]
    pub citations: Vec<CitationInput>,
}

/// Changes to a commitment, as a JSON Merge Patch (RFC 7396): fields given replace the current
/// ones, `null` clears a field. Its status changes through `POST /v1/commitments/{id}/status`, its
/// citations through `/v1/citations`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"summary": "Belgium offered naval support in the Black Sea.", "conditions": "after a ceasefire"}))]
pub struct CommitmentPatch {
    /// The committing nation.
    #[schema(example = "BE", pattern = "^[A-Za-z]{2}$")]
    #[schema(nullable = false)]
    pub nation: Option<String>,
    /// What is committed.
    #[schema(nullable = false)]
    pub kind: Option<CommitmentKind>,
    /// The commitment in a sentence.
    #[schema(
        example = "Belgium offered naval support in the Black Sea.",
        min_length = 1,
        max_length = 4000,
        nullable = false
    )]
    pub summary: Option<String>,
    /// How much; `null` clears it.
    pub quantity: Option<QuantityInput>,
    /// Whether forces would take part in combat.
    #[schema(nullable = false)]
    pub role: Option<ForceRole>,
    /// Conditions; `null` clears them.
    #[schema(example = "after a ceasefire", max_length = 4000)]
    pub conditions: Option<String>,
    /// When it was announced.
    #[schema(example = "2026-01-07")]
    pub announced_on: Option<NaiveDate>,
    /// Who announced it.
    #[schema(example = 1, minimum = 1)]
    pub announced_by: Option<i64>,
    /// The event it was made at.
    #[schema(example = 1, minimum = 1)]
    pub event_id: Option<i64>,
}

/// A new step in a commitment's status history, with its evidence.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "status": "delivered", "changed_on": "2026-03-01", "note": "The minehunter joined the task group.",
    "citations": [{"source_id": 1, "excerpt": "Belgium offered naval and air support"}]
}))]
pub struct StatusChangeInput {
    /// The status from now on.
    pub status: CommitmentStatus,
    /// When it changed; not before the history's latest date.
    #[schema(example = "2026-03-01")]
    pub changed_on: Option<NaiveDate>,
    /// What happened, in a sentence.
    #[schema(example = "Delivered in full.", max_length = 4000)]
    pub note: Option<String>,
    /// The evidence: at least one citation.
    #[schema(min_items = 1)]
    pub citations: Vec<CitationInput>,
}

/// A new source. Its text is kept byte for byte and never changes.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "kind": "official_statement", "title": "Statement by the Belgian Ministry of Defence",
    "publisher": "Belgian Ministry of Defence", "published_on": "2026-01-08",
    "reliability": "official", "text": "Belgium will contribute a minehunter to the Black Sea task group."
}))]
pub struct SourceInput {
    /// What kind of document it is.
    pub kind: SourceKind,
    /// Its title.
    #[schema(
        example = "Statement by the Belgian Ministry of Defence",
        min_length = 1,
        max_length = 500
    )]
    pub title: String,
    /// Who published it.
    #[schema(example = "Belgian Ministry of Defence", max_length = 500)]
    pub publisher: Option<String>,
    /// Where it was published (http or https).
    #[schema(example = "https://example.org/statement", max_length = 2000)]
    pub url: Option<String>,
    /// When it was published; not after `retrieved_at`.
    #[schema(example = "2026-01-08")]
    pub published_on: Option<NaiveDate>,
    /// When it was retrieved (default: now).
    #[schema(example = "2026-01-09T10:00:00Z")]
    pub retrieved_at: Option<DateTime<Utc>>,
    /// How far it can be trusted.
    pub reliability: Reliability,
    /// Why it has that reliability.
    #[schema(example = "Issued by the ministry about its own forces.", max_length = 4000)]
    pub reliability_note: Option<String>,
    /// The whole text.
    #[schema(
        example = "Belgium will contribute a minehunter to the Black Sea task group.",
        min_length = 1
    )]
    pub text: String,
}

/// Changes to a source, as a JSON Merge Patch; its text cannot change (add a new source instead).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reliability": "verified", "reliability_note": "Checked against the ministry's own release."}))]
pub struct SourcePatch {
    /// What kind of document it is.
    #[schema(nullable = false)]
    pub kind: Option<SourceKind>,
    /// Its title.
    #[schema(
        example = "Statement by the Belgian Ministry of Defence",
        min_length = 1,
        max_length = 500,
        nullable = false
    )]
    pub title: Option<String>,
    /// Who published it.
    #[schema(example = "Belgian Ministry of Defence", max_length = 500)]
    pub publisher: Option<String>,
    /// Where it was published.
    #[schema(example = "https://example.org/statement", max_length = 2000)]
    pub url: Option<String>,
    /// When it was published.
    #[schema(example = "2026-01-08")]
    pub published_on: Option<NaiveDate>,
    /// When it was retrieved.
    #[schema(example = "2026-01-09T10:00:00Z")]
    pub retrieved_at: Option<DateTime<Utc>>,
    /// How far it can be trusted.
    #[schema(nullable = false)]
    pub reliability: Option<Reliability>,
    /// Why it has that reliability.
    #[schema(example = "Checked against the ministry's own release.", max_length = 4000)]
    pub reliability_note: Option<String>,
}
