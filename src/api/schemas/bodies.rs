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

/// Where one value of a body comes from: `{"basis": "stated", "citation": 0}` (the value is stated
/// in this body's first citation), `{"basis": "stated", "citation_id": 12}` (in a citation the
/// record already has), or `{"basis": "inferred", "note": "why"}` (no source states it; the note
/// says how it was derived). A date or a link set without a basis is refused with 422.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"basis": "inferred", "note": "The article gives no date; the offer is reported beside the meeting of 7 January 2026."}))]
pub struct BasisGiven {
    /// `stated` or `inferred`.
    pub basis: Basis,
    /// For `stated`: the index, from 0, of the body's citation that states the value.
    #[schema(example = 0, minimum = 0)]
    pub citation: Option<u32>,
    /// For `stated`: a live citation of the record that states the value (in a correction).
    #[schema(example = 12, minimum = 1)]
    pub citation_id: Option<i64>,
    /// For `inferred`: the reasoning, in a sentence or two.
    #[schema(
        example = "The article gives no date; the offer is reported beside the meeting of 7 January 2026.",
        min_length = 1,
        max_length = 4000
    )]
    pub note: Option<String>,
}

/// Declares the documented `basis` object of a body: one optional [`BasisGiven`] per field.
macro_rules! basis_given {
    ($(#[$meta:meta])* $name:ident { $( $(#[$fmeta:meta])* $field:ident, )+ }) => {
        $(#[$meta])*
        #[derive(Debug, Deserialize, ToSchema)]
        #[serde(deny_unknown_fields)]
        pub struct $name {
            $( $(#[$fmeta])* pub $field: Option<BasisGiven>, )+
        }
    };
}

basis_given! {
    /// Where a commitment's values come from. Required for each of `announced_on`,
    /// `announced_by`, `event_id`, `status_changed_on` and an explicit `quantity` range that the
    /// body sets; accepted for `role` and `conditions`. In a correction, a changed value needs its
    /// basis anew; `status_changed_on` is set only when the commitment is made.
    CommitmentBasisInput {
        /// Of `quantity.min` and `quantity.max` (a range derived by the quantity rules needs none).
        quantity,
        /// Of `role`.
        role,
        /// Of `conditions`.
        conditions,
        /// Of `announced_on`.
        announced_on,
        /// Of `announced_by`.
        announced_by,
        /// Of `event_id`.
        event_id,
        /// Of `status_changed_on`, the first status step's date.
        status_changed_on,
    }
}

basis_given! {
    /// Where a status change's values come from: required for `changed_on` when given.
    StatusChangeBasisInput {
        /// Of `status`.
        status,
        /// Of `changed_on`.
        changed_on,
    }
}

basis_given! {
    /// Where a statement's values come from: required for `said_on`, `speaker_id` (as `speaker`)
    /// and `event_id` when set; accepted for `stance`.
    StatementBasisInput {
        /// Of `said_on`.
        said_on,
        /// Of `speaker_id`.
        speaker,
        /// Of `event_id`.
        event_id,
        /// Of `stance`.
        stance,
    }
}

basis_given! {
    /// Where an event's values come from: required for `occurred_on` and `participants` when
    /// set; accepted for `location`.
    EventBasisInput {
        /// Of `occurred_on`.
        occurred_on,
        /// Of `location`.
        location,
        /// Of `participants`.
        participants,
    }
}

basis_given! {
    /// Where a claim's values come from: required for `reported_on` and `event_id` when set;
    /// accepted for `location`.
    ClaimBasisInput {
        /// Of `reported_on`.
        reported_on,
        /// Of `event_id`.
        event_id,
        /// Of `location`.
        location,
    }
}

/// An amount in the source's words, with a range where one can honestly be derived.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QuantityInput {
    /// The least the words allow; at most `max`. Leave `min` and `max` out to have the quantity
    /// rules derive them from `text` (see `Quantity`); given, they need `basis.quantity`.
    #[schema(example = 3000)]
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
    "citations": [{"source_id": 1, "excerpt": "Belgium offered naval and air support"}],
    "basis": {"announced_on": {"basis": "inferred", "note": "The source gives no date; the offer is reported beside the meeting of 7 January 2026."}}
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
    /// When its first status took effect. Left out, it is `announced_on`, marked as inferred by
    /// that rule.
    #[schema(example = "2026-01-07")]
    pub status_changed_on: Option<NaiveDate>,
    /// Whether the source says the first status will happen (`announced`) or has happened
    /// (`effective`, the default).
    pub status_modality: Option<Modality>,
    /// The evidence: at least one citation.
    #[schema(min_items = 1)]
    pub citations: Vec<CitationInput>,
    /// Where each value comes from (required for the dates and links the body sets).
    pub basis: Option<CommitmentBasisInput>,
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
    /// The basis of the values it changes, by field (merged into the stored ones; `null` removes one).
    pub basis: Option<CommitmentBasisInput>,
}

/// A new step in a commitment's status history, with its evidence.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "status": "delivered", "modality": "effective", "changed_on": "2026-03-01", "note": "The minehunter joined the task group.",
    "citations": [{"source_id": 1, "excerpt": "Belgium offered naval and air support"}],
    "basis": {"changed_on": {"basis": "inferred", "note": "The report is dated 1 March 2026 and says the delivery was that day."}}
}))]
pub struct StatusChangeInput {
    /// The status from now on.
    pub status: CommitmentStatus,
    /// Whether the source says it will happen (`announced`: "would stop funding") or has happened
    /// (`effective`, the default).
    pub modality: Option<Modality>,
    /// When it changed; not before the history's latest date.
    #[schema(example = "2026-03-01")]
    pub changed_on: Option<NaiveDate>,
    /// What happened, in a sentence.
    #[schema(example = "Delivered in full.", max_length = 4000)]
    pub note: Option<String>,
    /// The evidence: at least one citation.
    #[schema(min_items = 1)]
    pub citations: Vec<CitationInput>,
    /// Where its values come from (required for `changed_on` when given).
    pub basis: Option<StatusChangeBasisInput>,
}

/// A value a source gives for a field of a fact against the fact's own value.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "field": "quantity", "value": {"min": 5000, "max": 5000, "unit": "soldiers", "text": "5,000 soldiers"},
    "note": "A later report gives a firm figure.",
    "citations": [{"source_id": 1, "excerpt": "several thousand"}]
}))]
pub struct CompetingValueInput {
    /// The field disputed. Commitments: `quantity`, `status`, `role`, `conditions`,
    /// `announced_on`; statements: `quote`, `stance`, `said_on`; events: `occurred_on`,
    /// `location`, `attendance`; claims: `value`, `unit`, `reported_on`.
    #[schema(example = "quantity")]
    pub field: String,
    /// The competing value, written as the record writes the field (a date as YYYY-MM-DD, a
    /// quantity as an object with `min`, `max`, `unit` and `text`, a status by its name); it must
    /// differ from the record's own.
    #[schema(example = json!("2026-01-08"))]
    pub value: serde_json::Value,
    /// Where the value comes from, in a sentence.
    #[schema(example = "A later report gives a firm figure.", max_length = 4000)]
    pub note: Option<String>,
    /// The evidence for the competing value: at least one citation.
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
        min_length = 1,
        max_length = 2000000
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

use crate::api::error::Problem;

/// What a create can answer besides its record.
#[derive(utoipa::IntoResponses)]
pub enum CreateErrors {
    /// No key, or an unknown or revoked one.
    #[response(status = 401, content_type = "application/problem+json")]
    Unauthorized(Problem),
    /// The key may not write.
    #[response(status = 403, content_type = "application/problem+json")]
    Forbidden(Problem),
    /// The Idempotency-Key was used for another request.
    #[response(status = 409, content_type = "application/problem+json")]
    Conflict(Problem),
    /// The body has problems; `errors` lists them all.
    #[response(status = 422, content_type = "application/problem+json")]
    Invalid(Problem),
}

/// What a correction or retraction can answer besides its record.
#[derive(utoipa::IntoResponses)]
pub enum ChangeErrors {
    /// No key, or an unknown or revoked one.
    #[response(status = 401, content_type = "application/problem+json")]
    Unauthorized(Problem),
    /// The key may not write.
    #[response(status = 403, content_type = "application/problem+json")]
    Forbidden(Problem),
    /// No live record has this id.
    #[response(status = 404, content_type = "application/problem+json")]
    NotFound(Problem),
    /// Other live records still point to it.
    #[response(status = 409, content_type = "application/problem+json")]
    Conflict(Problem),
    /// It changed since it was read: read it again.
    #[response(status = 412, content_type = "application/problem+json")]
    Stale(Problem),
    /// The result has problems; `errors` lists them all.
    #[response(status = 422, content_type = "application/problem+json")]
    Invalid(Problem),
    /// If-Match is missing.
    #[response(status = 428, content_type = "application/problem+json")]
    NoIfMatch(Problem),
}

/// A new person.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Ludivine Dedonder", "role": "Belgian Minister of Defence", "nation": "BE"}))]
pub struct PersonInput {
    /// Full name.
    #[schema(example = "Ludivine Dedonder", min_length = 1, max_length = 200)]
    pub name: String,
    /// Role as the source states it.
    #[schema(example = "Belgian Minister of Defence", max_length = 500)]
    pub role: Option<String>,
    /// The nation the person acts for.
    #[schema(example = "BE", pattern = "^[A-Za-z]{2}$")]
    pub nation: Option<String>,
}

/// Changes to a person, as a JSON Merge Patch.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"role": "Minister of Defence"}))]
pub struct PersonPatch {
    /// Full name.
    #[schema(example = "Ludivine Dedonder", min_length = 1, max_length = 200, nullable = false)]
    pub name: Option<String>,
    /// Role as the source states it; `null` clears it.
    #[schema(example = "Minister of Defence", max_length = 500)]
    pub role: Option<String>,
    /// The nation the person acts for; `null` clears it.
    #[schema(example = "BE", pattern = "^[A-Za-z]{2}$")]
    pub nation: Option<String>,
}

/// A nation taking part in an event.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ParticipantInput {
    /// The participant (ISO 3166-1 alpha-2).
    #[schema(example = "FR", pattern = "^[A-Za-z]{2}$")]
    pub nation: String,
    /// Its part in the event.
    #[schema(example = "host", max_length = 500)]
    pub role: Option<String>,
}

/// A new event, with its evidence.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "kind": "summit", "title": "London summit on Ukraine", "occurred_on": "2026-02-01", "location": "London",
    "participants": [{"nation": "GB", "role": "host"}],
    "citations": [{"source_id": 1, "excerpt": "Allies gathered in Paris"}],
    "basis": {"occurred_on": {"basis": "inferred", "note": "The source dates the summit by its weekday only."},
              "participants": {"basis": "inferred", "note": "The host nation of a summit in London."}}
}))]
pub struct EventInput {
    /// What kind of thing happened.
    pub kind: EventKind,
    /// A title for it.
    #[schema(example = "London summit on Ukraine", min_length = 1, max_length = 500)]
    pub title: String,
    /// When it happened.
    #[schema(example = "2026-02-01")]
    pub occurred_on: Option<NaiveDate>,
    /// Where it happened.
    #[schema(example = "London", max_length = 500)]
    pub location: Option<String>,
    /// Who attended, in the source's words.
    #[schema(example = "more than two dozen nations", max_length = 500)]
    pub attendance: Option<String>,
    /// What happened.
    #[schema(example = "Allies met to discuss security guarantees.", max_length = 20000)]
    pub description: Option<String>,
    /// The nations taking part, each once.
    #[schema(example = json!([{"nation": "GB", "role": "host"}]))]
    pub participants: Option<Vec<ParticipantInput>>,
    /// The evidence: at least one citation.
    #[schema(min_items = 1)]
    pub citations: Vec<CitationInput>,
    /// Where its values come from (required for `occurred_on` and `participants` when set).
    pub basis: Option<EventBasisInput>,
}

/// Changes to an event, as a JSON Merge Patch; `participants`, when given, replaces the list.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"location": "Paris, France"}))]
pub struct EventPatch {
    /// What kind of thing happened.
    #[schema(nullable = false)]
    pub kind: Option<EventKind>,
    /// A title for it.
    #[schema(
        example = "London summit on Ukraine",
        min_length = 1,
        max_length = 500,
        nullable = false
    )]
    pub title: Option<String>,
    /// When it happened.
    #[schema(example = "2026-02-01")]
    pub occurred_on: Option<NaiveDate>,
    /// Where it happened.
    #[schema(example = "London", max_length = 500)]
    pub location: Option<String>,
    /// Who attended, in the source's words.
    #[schema(example = "more than two dozen nations", max_length = 500)]
    pub attendance: Option<String>,
    /// What happened.
    #[schema(example = "Allies met to discuss security guarantees.", max_length = 20000)]
    pub description: Option<String>,
    /// The nations taking part, replacing the list.
    #[schema(example = json!([{"nation": "FR", "role": "host"}, {"nation": "GB"}]))]
    pub participants: Option<Vec<ParticipantInput>>,
    /// The basis of the values it changes, by field (merged into the stored ones; `null` removes one).
    pub basis: Option<EventBasisInput>,
}

/// New words someone said or wrote, with their evidence.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "speaker_id": 1, "nation": "FR", "stance": "supportive",
    "quote": "force of reassurance", "summary": "French soldiers would act as a force of reassurance.",
    "citations": [{"source_id": 1, "excerpt": "act as a \"force of reassurance,\""}],
    "basis": {"speaker": {"basis": "inferred", "note": "The excerpt's sentence names Macron as the one who stated it."},
              "stance": {"basis": "inferred", "note": "Offering soldiers is read as support."}}
}))]
pub struct StatementInput {
    /// Who spoke (a person's id); give this or `attribution`.
    #[schema(example = 1, minimum = 1)]
    pub speaker_id: Option<i64>,
    /// To whom the source attributes the words when no single person speaks.
    #[schema(example = "the foreign ministers of the coalition", max_length = 500)]
    pub attribution: Option<String>,
    /// The nation the words were said for.
    #[schema(example = "FR", pattern = "^[A-Za-z]{2}$")]
    pub nation: Option<String>,
    /// The event they were said at.
    #[schema(example = 1, minimum = 1)]
    pub event_id: Option<i64>,
    /// The words verbatim: they must appear in one of the excerpts.
    #[schema(example = "force of reassurance", max_length = 4000)]
    pub quote: Option<String>,
    /// What was said, in a sentence.
    #[schema(
        example = "French soldiers would act as a force of reassurance.",
        min_length = 1,
        max_length = 4000
    )]
    pub summary: String,
    /// When.
    #[schema(example = "2026-01-07")]
    pub said_on: Option<NaiveDate>,
    /// The position the words take.
    pub stance: Stance,
    /// The evidence: at least one citation.
    #[schema(min_items = 1)]
    pub citations: Vec<CitationInput>,
    /// Where its values come from (required for the dates and links the body sets).
    pub basis: Option<StatementBasisInput>,
}

/// Changes to a statement, as a JSON Merge Patch.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"stance": "conditional"}))]
pub struct StatementPatch {
    /// Who spoke.
    #[schema(example = 1, minimum = 1)]
    pub speaker_id: Option<i64>,
    /// To whom the source attributes the words.
    #[schema(example = "the foreign ministers of the coalition", max_length = 500)]
    pub attribution: Option<String>,
    /// The nation the words were said for.
    #[schema(example = "FR", pattern = "^[A-Za-z]{2}$")]
    pub nation: Option<String>,
    /// The event they were said at.
    #[schema(example = 1, minimum = 1)]
    pub event_id: Option<i64>,
    /// The words verbatim.
    #[schema(example = "force of reassurance", max_length = 4000)]
    pub quote: Option<String>,
    /// What was said, in a sentence.
    #[schema(
        example = "French soldiers would act as a force of reassurance.",
        min_length = 1,
        max_length = 4000,
        nullable = false
    )]
    pub summary: Option<String>,
    /// When.
    #[schema(example = "2026-01-07")]
    pub said_on: Option<NaiveDate>,
    /// The position the words take.
    #[schema(nullable = false)]
    pub stance: Option<Stance>,
    /// The basis of the values it changes, by field (merged into the stored ones; `null` removes one).
    pub basis: Option<StatementBasisInput>,
}

/// A new figure someone reported or claimed, with its evidence.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "kind": "party_claim", "description": "Drones Russia claimed to have downed overnight", "value": 129, "unit": "drones",
    "period": "overnight", "claimed_by": "RU",
    "citations": [{"source_id": 1, "excerpt": "Russia claimed to have downed 129 drones overnight"}]
}))]
pub struct ClaimInput {
    /// A report, or the claim of a party to the war.
    pub kind: ClaimKind,
    /// What the figure counts, in a sentence.
    #[schema(
        example = "Drones Russia claimed to have downed overnight",
        min_length = 1,
        max_length = 4000
    )]
    pub description: String,
    /// The figure.
    #[schema(example = 129)]
    pub value: Option<f64>,
    /// What the figure counts.
    #[schema(example = "drones", max_length = 500)]
    pub unit: Option<String>,
    /// Over what time, in the source's words.
    #[schema(example = "overnight", max_length = 500)]
    pub period: Option<String>,
    /// Where.
    #[schema(example = "Zaporizhia", max_length = 500)]
    pub location: Option<String>,
    /// The nation that makes the claim.
    #[schema(example = "RU", pattern = "^[A-Za-z]{2}$")]
    pub claimed_by: Option<String>,
    /// When it was reported.
    #[schema(example = "2026-01-07")]
    pub reported_on: Option<NaiveDate>,
    /// The event it belongs to.
    #[schema(example = 2, minimum = 1)]
    pub event_id: Option<i64>,
    /// The evidence: at least one citation.
    #[schema(min_items = 1)]
    pub citations: Vec<CitationInput>,
    /// Where its values come from (required for the dates and links the body sets).
    pub basis: Option<ClaimBasisInput>,
}

/// Changes to a claim, as a JSON Merge Patch.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"value": 130}))]
pub struct ClaimPatch {
    /// A report, or the claim of a party to the war.
    #[schema(nullable = false)]
    pub kind: Option<ClaimKind>,
    /// What the figure counts.
    #[schema(
        example = "Drones Russia claimed to have downed overnight",
        min_length = 1,
        max_length = 4000,
        nullable = false
    )]
    pub description: Option<String>,
    /// The figure.
    #[schema(example = 130)]
    pub value: Option<f64>,
    /// What the figure counts.
    #[schema(example = "drones", max_length = 500)]
    pub unit: Option<String>,
    /// Over what time.
    #[schema(example = "overnight", max_length = 500)]
    pub period: Option<String>,
    /// Where.
    #[schema(example = "Zaporizhia", max_length = 500)]
    pub location: Option<String>,
    /// The nation that makes the claim.
    #[schema(example = "RU", pattern = "^[A-Za-z]{2}$")]
    pub claimed_by: Option<String>,
    /// When it was reported.
    #[schema(example = "2026-01-07")]
    pub reported_on: Option<NaiveDate>,
    /// The event it belongs to.
    #[schema(example = 2, minimum = 1)]
    pub event_id: Option<i64>,
    /// The basis of the values it changes, by field (merged into the stored ones; `null` removes one).
    pub basis: Option<ClaimBasisInput>,
}

/// A new citation of an existing fact.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"fact_type": "commitment", "fact_id": 6, "source_id": 1, "excerpt": "Belgium offered naval and air support"}))]
pub struct NewCitationInput {
    /// The kind of fact it supports: commitment, status_change, statement, event or claim.
    #[schema(
        example = "commitment",
        pattern = "^(commitment|status_change|statement|event|claim)$"
    )]
    pub fact_type: String,
    /// The fact's id.
    #[schema(example = 6, minimum = 1)]
    pub fact_id: i64,
    /// The source cited.
    #[schema(example = 1, minimum = 1)]
    pub source_id: i64,
    /// The cited text, exactly as in the source.
    #[schema(example = "Belgium offered naval and air support", min_length = 1)]
    pub excerpt: String,
    /// Where the excerpt starts, in code points.
    #[schema(example = 1596, minimum = 0)]
    pub start: Option<i32>,
    /// Where it ends (exclusive), in code points.
    #[schema(example = 1633, minimum = 0)]
    pub end: Option<i32>,
}

/// Changes to a citation's span, as a JSON Merge Patch.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"excerpt": "Belgium offered naval and air support, Croatia"}))]
pub struct CitationPatch {
    /// The source cited.
    #[schema(example = 1, minimum = 1, nullable = false)]
    pub source_id: Option<i64>,
    /// The cited text, exactly as in the source.
    #[schema(example = "Belgium offered naval and air support", min_length = 1, nullable = false)]
    pub excerpt: Option<String>,
    /// Where the excerpt starts.
    #[schema(example = 1596, minimum = 0)]
    pub start: Option<i32>,
    /// Where it ends (exclusive).
    #[schema(example = 1633, minimum = 0)]
    pub end: Option<i32>,
}
