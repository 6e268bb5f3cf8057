//! The records as the knowledge base represents them: what the API serves, what each revision
//! stores, and what `as_of` reads give back. They carry the OpenAPI schema (`ToSchema`) and are
//! built from the data layer's rows by [`crate::records::views`]; the rows themselves never reach the wire.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::basis::FieldBasis;
use crate::vocab::*;

/// Declares the basis map of a kind of record: one optional [`FieldBasis`] per field that can be
/// stated or inferred, and the list of those fields.
macro_rules! basis_map {
    ($(#[$meta:meta])* $name:ident { $( $(#[$fmeta:meta])* $field:ident, )+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Default, Serialize, ToSchema)]
        pub struct $name {
            $( $(#[$fmeta])* pub $field: Option<FieldBasis>, )+
        }

        impl $name {
            /// The fields that carry a basis.
            pub const FIELDS: &'static [&'static str] = &[$(stringify!($field)),+];

            /// The map as the database stores it, read back.
            pub fn from_stored(stored: &serde_json::Value) -> Self {
                $name { $( $field: crate::basis::entry(stored, stringify!($field)), )+ }
            }
        }
    };
}

basis_map! {
    /// Where each of a commitment's values comes from; null where the value is null too, or (for
    /// `role` and `conditions`) where no basis was recorded.
    CommitmentBasis {
        /// Of `quantity.min` and `quantity.max`: a range derived by the quantity rules is inferred by `rule`.
        quantity,
        /// Of `role`.
        role,
        /// Of `conditions`.
        conditions,
        /// Of `announced_on`.
        announced_on,
        /// Of `announced_by`: whether the source credits that person.
        announced_by,
        /// Of `event_id`: whether the source ties the commitment to that event.
        event_id,
    }
}

basis_map! {
    /// Where a status change's status and date come from; the date's is null when it is undated.
    StatusChangeBasis {
        /// Of `status`: whether the source's words state that status, or an editor read it from them.
        status,
        /// Of `changed_on`.
        changed_on,
    }
}

basis_map! {
    /// Where each of a statement's values comes from; null where the value is null too.
    StatementBasis {
        /// Of `said_on`.
        said_on,
        /// Of `speaker`: whether the source names that person as the speaker.
        speaker,
        /// Of `event_id`: whether the source ties the words to that event.
        event_id,
        /// Of `stance`: a stance is a reading of the words, and says so.
        stance,
    }
}

basis_map! {
    /// Where each of an event's values comes from; null where the value is null too.
    EventBasis {
        /// Of `occurred_on`.
        occurred_on,
        /// Of `location`.
        location,
        /// Of `participants`: whether the source names those nations as taking part.
        participants,
    }
}

basis_map! {
    /// Where each of a claim's values comes from; null where the value is null too.
    ClaimBasis {
        /// Of `reported_on`.
        reported_on,
        /// Of `event_id`: whether the source ties the figure to that event.
        event_id,
        /// Of `location`.
        location,
    }
}

/// Why and when a record was retracted: it is hidden from reads unless `include_retracted=true`,
/// and kept with its history.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Retraction {
    /// When it was retracted.
    #[schema(example = "2026-11-27T09:00:00Z")]
    pub at: DateTime<Utc>,
    /// Why, in the editor's words.
    #[schema(example = "Duplicate of commitment 4.")]
    pub reason: String,
}

/// A state of ISO 3166-1.
#[derive(Debug, Serialize, ToSchema)]
pub struct Nation {
    /// ISO 3166-1 alpha-2 code, the nation's identifier everywhere in this API.
    #[schema(example = "FR")]
    pub code: String,
    /// ISO 3166-1 alpha-3 code.
    #[schema(example = "FRA")]
    pub alpha3: String,
    /// The ISO short name.
    #[schema(example = "France")]
    pub name: String,
    /// The name in common use, where ISO gives one apart from the short name.
    #[schema(example = json!(null))]
    pub common_name: Option<String>,
    /// The official name, where ISO gives one.
    #[schema(example = "French Republic")]
    pub official_name: Option<String>,
}

/// A nation with the organizations it belongs or belonged to.
#[derive(Debug, Serialize, ToSchema)]
pub struct NationDetail {
    /// ISO 3166-1 alpha-2 code.
    #[schema(example = "FR")]
    pub code: String,
    /// ISO 3166-1 alpha-3 code.
    #[schema(example = "FRA")]
    pub alpha3: String,
    /// The ISO short name.
    #[schema(example = "France")]
    pub name: String,
    /// The name in common use, where ISO gives one apart from the short name.
    #[schema(example = json!(null))]
    pub common_name: Option<String>,
    /// The official name, where ISO gives one.
    #[schema(example = "French Republic")]
    pub official_name: Option<String>,
    /// Its memberships of organizations, with dates where known.
    pub memberships: Vec<NationMembership>,
}

/// A nation's membership of an organization.
#[derive(Debug, Serialize, ToSchema)]
pub struct NationMembership {
    /// The organization's id.
    #[schema(example = 1)]
    pub organization_id: i64,
    /// The organization's name.
    #[schema(example = "North Atlantic Treaty Organization")]
    pub organization: String,
    /// The organization's abbreviation.
    #[schema(example = "NATO")]
    pub abbreviation: Option<String>,
    /// When the nation joined, where known.
    #[schema(example = "1949-08-24")]
    pub joined_on: Option<NaiveDate>,
    /// When the nation left, if it did.
    #[schema(example = json!(null))]
    pub left_on: Option<NaiveDate>,
}

/// An alliance, union or coalition, with its members.
#[derive(Debug, Serialize, ToSchema)]
pub struct Organization {
    /// Identifier.
    #[schema(example = 1)]
    pub id: i64,
    /// Full name.
    #[schema(example = "North Atlantic Treaty Organization")]
    pub name: String,
    /// Abbreviation.
    #[schema(example = "NATO")]
    pub abbreviation: Option<String>,
    /// What kind of body it is.
    pub kind: OrganizationKind,
    /// What it is, in a sentence.
    #[schema(example = "The North Atlantic alliance.")]
    pub description: Option<String>,
    /// Its members, past and present, by nation code.
    pub members: Vec<Member>,
}

/// A member of an organization.
#[derive(Debug, Serialize, ToSchema)]
pub struct Member {
    /// The member's ISO 3166-1 alpha-2 code.
    #[schema(example = "BE")]
    pub nation: String,
    /// When it joined, where known.
    #[schema(example = "1949-08-24")]
    pub joined_on: Option<NaiveDate>,
    /// When it left, if it did.
    #[schema(example = json!(null))]
    pub left_on: Option<NaiveDate>,
}

/// An official who speaks or acts.
#[derive(Debug, Serialize, ToSchema)]
pub struct Person {
    /// Identifier.
    #[schema(example = 3)]
    pub id: i64,
    /// Full name.
    #[schema(example = "Steve Witkoff")]
    pub name: String,
    /// Role as the source states it.
    #[schema(example = "US envoy")]
    pub role: Option<String>,
    /// The nation the person acts for (alpha-2).
    #[schema(example = "US")]
    pub nation: Option<String>,
    /// Set when the record has been retracted; null while it stands.
    pub retracted: Option<Retraction>,
}

/// A person named by a fact: who spoke, who announced.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PersonRef {
    /// The person's id.
    #[schema(example = 3)]
    pub id: i64,
    /// Full name.
    #[schema(example = "Steve Witkoff")]
    pub name: String,
    /// Role as the source states it.
    #[schema(example = "US envoy")]
    pub role: Option<String>,
}

/// A document facts rest on, without its text.
#[derive(Debug, Serialize, ToSchema)]
pub struct SourceSummary {
    /// Identifier.
    #[schema(example = 1)]
    pub id: i64,
    /// What kind of document it is.
    pub kind: SourceKind,
    /// Title as published.
    #[schema(example = "Ukraine Security Guarantees Paris 2026: Multinational Forces and the Trump Factor")]
    pub title: String,
    /// Who published it, where known.
    #[schema(example = json!(null))]
    pub publisher: Option<String>,
    /// Where it was published, where known.
    #[schema(example = json!(null))]
    pub url: Option<String>,
    /// When it was published, where known.
    #[schema(example = json!(null))]
    pub published_on: Option<NaiveDate>,
    /// When the knowledge base took its copy.
    #[schema(example = "2026-11-26T18:13:00Z")]
    pub retrieved_at: DateTime<Utc>,
    /// SHA-256 of the text's UTF-8 bytes, hex-encoded.
    #[schema(example = "0b3c2f7bd4c3f2bd1a1be1bb3e6c5d8c6a1e7f2d9c8b7a6f5e4d3c2b1a0f9e8d")]
    pub sha256: String,
    /// How far the source can be trusted.
    pub reliability: Reliability,
    /// Why the source has that reliability, in the source's words where it says so itself.
    #[schema(example = "This content is AI-generated based on source articles.")]
    pub reliability_note: Option<String>,
    /// Length of the text in Unicode code points, the unit of citation offsets.
    #[schema(example = 2920)]
    pub length: i64,
    /// Set when the record has been retracted; null while it stands.
    pub retracted: Option<Retraction>,
}

/// A document facts rest on, with its full text.
#[derive(Debug, Serialize, ToSchema)]
pub struct Source {
    /// Identifier.
    #[schema(example = 1)]
    pub id: i64,
    /// What kind of document it is.
    pub kind: SourceKind,
    /// Title as published.
    #[schema(example = "Ukraine Security Guarantees Paris 2026: Multinational Forces and the Trump Factor")]
    pub title: String,
    /// Who published it, where known.
    #[schema(example = json!(null))]
    pub publisher: Option<String>,
    /// Where it was published, where known.
    #[schema(example = json!(null))]
    pub url: Option<String>,
    /// When it was published, where known.
    #[schema(example = json!(null))]
    pub published_on: Option<NaiveDate>,
    /// When the knowledge base took its copy.
    #[schema(example = "2026-11-26T18:13:00Z")]
    pub retrieved_at: DateTime<Utc>,
    /// SHA-256 of the text's UTF-8 bytes, hex-encoded.
    #[schema(example = "0b3c2f7bd4c3f2bd1a1be1bb3e6c5d8c6a1e7f2d9c8b7a6f5e4d3c2b1a0f9e8d")]
    pub sha256: String,
    /// How far the source can be trusted.
    pub reliability: Reliability,
    /// Why the source has that reliability, in the source's words where it says so itself.
    #[schema(example = "This content is AI-generated based on source articles.")]
    pub reliability_note: Option<String>,
    /// Length of the text in Unicode code points, the unit of citation offsets.
    #[schema(example = 2920)]
    pub length: i64,
    /// The full text, byte for byte as retrieved. Citation offsets count its code points.
    #[schema(example = "Ukraine Security Guarantees Paris 2026: Multinational Forces and the Trump Factor\n...")]
    pub text: String,
    /// Set when the record has been retracted; null while it stands.
    pub retracted: Option<Retraction>,
}

/// A field of a fact that sources disagree on, with every value given for it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Dispute {
    /// The field, as the record names it.
    #[schema(example = "quantity")]
    pub field: String,
    /// The record's own value first, then each competing value, in the order recorded.
    pub values: Vec<DisputedValue>,
}

/// One of the values given for a disputed field, with the evidence for it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DisputedValue {
    /// The value, written as the record writes the field.
    #[schema(example = json!({"min": 5000, "max": 5000, "unit": "soldiers", "text": "5,000"}))]
    pub value: serde_json::Value,
    /// Null for the record's own value; else the id of the competing value.
    #[schema(example = 1)]
    pub competing_value_id: Option<i64>,
    /// An editor's note on where the value comes from.
    #[schema(example = "A later report gives a firm figure.")]
    pub note: Option<String>,
    /// The evidence: for the record's own value, the record's citations.
    pub citations: Vec<Citation>,
}

/// The link from a fact to a span of a source: the evidence.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Citation {
    /// Identifier.
    #[schema(example = 12)]
    pub id: i64,
    /// The source cited.
    #[schema(example = 1)]
    pub source_id: i64,
    /// Where the span starts, in Unicode code points from the start of the source's text.
    #[schema(example = 887)]
    pub start: i32,
    /// Where the span ends (exclusive), in Unicode code points.
    #[schema(example = 1034)]
    pub end: i32,
    /// The cited text, exactly the source's text between `start` and `end`.
    #[schema(
        example = "Macron stated that \"several thousand\" French soldiers could be sent to act as a \"force of reassurance,\" though they wouldn't engage in direct combat."
    )]
    pub excerpt: String,
    /// The cited source's reliability.
    pub reliability: Reliability,
}

/// An amount as the source gives it, with a numeric range where one can honestly be derived.
///
/// The range is derived from `text` by one table of rules, the same for every record, unless an
/// editor gives `min` and `max` with their basis. The rules: "several thousand" is 3,000 to 9,999;
/// "a few thousand" 2,000 to 4,999; "more than two dozen" 25 and up; "dozens" 24 and up; a
/// figure ("5,000") exactly itself; "at least N" N and up; "up to N" at most N; "about N" no range.
/// The commitment's `basis.quantity` names the rule that gave the range.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Quantity {
    /// The least the source's words allow, if a number can be derived (by the quantity rules).
    #[schema(example = 3000)]
    pub min: Option<f64>,
    /// The most the source's words allow, if a number can be derived; null when the words set no upper bound.
    #[schema(example = 9999)]
    pub max: Option<f64>,
    /// What is counted.
    #[schema(example = "soldiers")]
    pub unit: Option<String>,
    /// The source's own words for the amount.
    #[schema(example = "several thousand")]
    pub text: String,
}

/// One step in a commitment's status history.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StatusChange {
    /// The status from this step on.
    pub status: CommitmentStatus,
    /// Whether the source says the change will happen (`announced`) or has happened (`effective`).
    pub modality: Modality,
    /// When the change happened (or, if announced, was announced), where the source gives a date
    /// or one is inferred; `basis.changed_on` says which. Null when undated.
    #[schema(example = json!(null))]
    pub changed_on: Option<NaiveDate>,
    /// Where its date comes from: `stated` by the source (with the citation that says it) or
    /// `inferred` (with the reasoning and who inferred it). Never read an inferred value as the
    /// source's word.
    pub basis: StatusChangeBasis,
    /// What the change was, in a sentence.
    #[schema(example = "Announced it would stop funding ammunition for Ukraine.")]
    pub note: Option<String>,
    /// When the knowledge base recorded it.
    #[schema(example = "2026-11-26T18:20:00Z")]
    pub recorded_at: DateTime<Utc>,
    /// The evidence for this step.
    pub citations: Vec<Citation>,
}

/// What one nation offered, pledged, refused or withdrew.
#[derive(Debug, Serialize, ToSchema)]
pub struct Commitment {
    /// Identifier.
    #[schema(example = 1)]
    pub id: i64,
    /// The committing nation (alpha-2).
    #[schema(example = "FR")]
    pub nation: String,
    /// What is committed.
    pub kind: CommitmentKind,
    /// Where it stands now: the last step of `history`.
    pub status: CommitmentStatus,
    /// The commitment in a sentence.
    #[schema(
        example = "France could send several thousand soldiers as a force of reassurance, not engaging in direct combat."
    )]
    pub summary: String,
    /// How much, in the source's words and as a range where one can be derived; null if the source gives no amount.
    pub quantity: Option<Quantity>,
    /// Whether forces would take part in combat.
    pub role: ForceRole,
    /// The conditions the commitment is subject to, as the source states them.
    #[schema(example = "in a potential ceasefire scenario")]
    pub conditions: Option<String>,
    /// When it was announced, where the source gives a date or one is inferred
    /// (`basis.announced_on` says which); null when undated.
    #[schema(example = json!(null))]
    pub announced_on: Option<NaiveDate>,
    /// Who announced it, where the source says.
    pub announced_by: Option<PersonRef>,
    /// The event it was made at, if any.
    #[schema(example = 1)]
    pub event_id: Option<i64>,
    /// Where each value comes from: `stated` by the source (with the citation that says it) or
    /// `inferred` (with the reasoning and who inferred it). Never read an inferred value as the
    /// source's word.
    pub basis: CommitmentBasis,
    /// True when any value (a date, a range, a link, a stance) is an inference rather than its
    /// source's word; `basis` says which. `basis=stated` on a list leaves such records out.
    #[schema(example = true)]
    pub inferred: bool,
    /// The reliability of the most reliable source it rests on.
    pub reliability: Option<Reliability>,
    /// The evidence.
    pub citations: Vec<Citation>,
    /// Every status it has had, oldest first; nothing is overwritten.
    pub history: Vec<StatusChange>,
    /// True when sources disagree on one of its values (a date, a number, a status); `disputes`
    /// then holds the competing values side by side.
    #[schema(example = false)]
    pub disputed: bool,
    /// For each field sources disagree on: the record's own value with its citations, then each
    /// competing value with its own. Empty when nothing is disputed.
    pub disputes: Vec<Dispute>,
    /// Set when the record has been retracted; null while it stands.
    pub retracted: Option<Retraction>,
}

/// Words someone said or wrote.
#[derive(Debug, Serialize, ToSchema)]
pub struct Statement {
    /// Identifier.
    #[schema(example = 2)]
    pub id: i64,
    /// Who spoke; null for words the source attributes to a group (see `attribution`).
    pub speaker: Option<PersonRef>,
    /// To whom the source attributes the words when no single person speaks.
    #[schema(example = json!(null))]
    pub attribution: Option<String>,
    /// The nation the words were said for (alpha-2).
    #[schema(example = "US")]
    pub nation: Option<String>,
    /// The event the words were said at, if any.
    #[schema(example = 1)]
    pub event_id: Option<i64>,
    /// The words verbatim, where the source quotes them.
    #[schema(example = "strongly stands behind security protocols")]
    pub quote: Option<String>,
    /// What was said, in a sentence.
    #[schema(example = "President Donald Trump strongly stands behind security protocols to deter future attacks.")]
    pub summary: String,
    /// When the words were said, where the source gives a date or one is inferred
    /// (`basis.said_on` says which); null when undated.
    #[schema(example = json!(null))]
    pub said_on: Option<NaiveDate>,
    /// The position the words take.
    pub stance: Stance,
    /// Where each value comes from: `stated` by the source (with the citation that says it) or
    /// `inferred` (with the reasoning and who inferred it). Never read an inferred value as the
    /// source's word.
    pub basis: StatementBasis,
    /// True when any value (a date, a range, a link, a stance) is an inference rather than its
    /// source's word; `basis` says which. `basis=stated` on a list leaves such records out.
    #[schema(example = true)]
    pub inferred: bool,
    /// The reliability of the most reliable source it rests on.
    pub reliability: Option<Reliability>,
    /// The evidence.
    pub citations: Vec<Citation>,
    /// True when sources disagree on one of its values (a date, a number, a status); `disputes`
    /// then holds the competing values side by side.
    #[schema(example = false)]
    pub disputed: bool,
    /// For each field sources disagree on: the record's own value with its citations, then each
    /// competing value with its own. Empty when nothing is disputed.
    pub disputes: Vec<Dispute>,
    /// Set when the record has been retracted; null while it stands.
    pub retracted: Option<Retraction>,
}

/// A figure someone reported or claimed; not a verified fact.
#[derive(Debug, Serialize, ToSchema)]
pub struct Claim {
    /// Identifier.
    #[schema(example = 2)]
    pub id: i64,
    /// Whether it is a report or the claim of a party to the war.
    pub kind: ClaimKind,
    /// What the figure counts, in a sentence.
    #[schema(example = "Drones Russia claimed to have downed overnight")]
    pub description: String,
    /// The figure.
    #[schema(example = 129)]
    pub value: Option<f64>,
    /// What the figure counts.
    #[schema(example = "drones")]
    pub unit: Option<String>,
    /// Over what time, in the source's words.
    #[schema(example = "overnight")]
    pub period: Option<String>,
    /// Where, if the source says.
    #[schema(example = json!(null))]
    pub location: Option<String>,
    /// The nation that makes the claim (alpha-2); null for a report not attributed to a party.
    #[schema(example = "RU")]
    pub claimed_by: Option<String>,
    /// When the figure was reported, where the source gives a date or one is inferred
    /// (`basis.reported_on` says which); null when undated.
    #[schema(example = json!(null))]
    pub reported_on: Option<NaiveDate>,
    /// The event it belongs to, if any.
    #[schema(example = 2)]
    pub event_id: Option<i64>,
    /// Where each value comes from: `stated` by the source (with the citation that says it) or
    /// `inferred` (with the reasoning and who inferred it). Never read an inferred value as the
    /// source's word.
    pub basis: ClaimBasis,
    /// True when any value (a date, a range, a link, a stance) is an inference rather than its
    /// source's word; `basis` says which. `basis=stated` on a list leaves such records out.
    #[schema(example = true)]
    pub inferred: bool,
    /// The reliability of the most reliable source it rests on.
    pub reliability: Option<Reliability>,
    /// The evidence.
    pub citations: Vec<Citation>,
    /// True when sources disagree on one of its values (a date, a number, a status); `disputes`
    /// then holds the competing values side by side.
    #[schema(example = false)]
    pub disputed: bool,
    /// For each field sources disagree on: the record's own value with its citations, then each
    /// competing value with its own. Empty when nothing is disputed.
    pub disputes: Vec<Dispute>,
    /// Set when the record has been retracted; null while it stands.
    pub retracted: Option<Retraction>,
}

/// A nation taking part in an event.
#[derive(Debug, Serialize, ToSchema)]
pub struct Participant {
    /// The participant (alpha-2).
    #[schema(example = "FR")]
    pub nation: String,
    /// Its part in the event, where the source says.
    #[schema(example = "participant")]
    pub role: Option<String>,
}

/// Something that happened at a time and place.
#[derive(Debug, Serialize, ToSchema)]
pub struct Event {
    /// Identifier.
    #[schema(example = 1)]
    pub id: i64,
    /// What kind of thing happened.
    pub kind: EventKind,
    /// A title for it.
    #[schema(example = "Paris meeting on security guarantees for Ukraine")]
    pub title: String,
    /// When it happened, where the source gives a date or one is inferred (`basis.occurred_on`
    /// says which); null when undated.
    #[schema(example = "2026-01-07")]
    pub occurred_on: Option<NaiveDate>,
    /// Where it happened.
    #[schema(example = "Paris")]
    pub location: Option<String>,
    /// Who attended, in the source's words, when it does not name them all.
    #[schema(example = "more than two dozen nations")]
    pub attendance: Option<String>,
    /// What happened, in a sentence or two.
    #[schema(example = "Allies met in Paris to discuss security guarantees for Ukraine.")]
    pub description: Option<String>,
    /// The nations the sources name as taking part.
    pub participants: Vec<Participant>,
    /// Where each value comes from: `stated` by the source (with the citation that says it) or
    /// `inferred` (with the reasoning and who inferred it). Never read an inferred value as the
    /// source's word.
    pub basis: EventBasis,
    /// True when any value (a date, a range, a link, a stance) is an inference rather than its
    /// source's word; `basis` says which. `basis=stated` on a list leaves such records out.
    #[schema(example = true)]
    pub inferred: bool,
    /// The reliability of the most reliable source it rests on.
    pub reliability: Option<Reliability>,
    /// The evidence.
    pub citations: Vec<Citation>,
    /// True when sources disagree on one of its values (a date, a number, a status); `disputes`
    /// then holds the competing values side by side.
    #[schema(example = false)]
    pub disputed: bool,
    /// For each field sources disagree on: the record's own value with its citations, then each
    /// competing value with its own. Empty when nothing is disputed.
    pub disputes: Vec<Dispute>,
    /// Set when the record has been retracted; null while it stands.
    pub retracted: Option<Retraction>,
}

/// A citation as a record of its own: the evidence, and the fact it supports.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CitationRecord {
    /// Identifier.
    #[schema(example = 12)]
    pub id: i64,
    /// The source cited.
    #[schema(example = 1)]
    pub source_id: i64,
    /// Where the span starts, in Unicode code points from the start of the source's text.
    #[schema(example = 1638)]
    pub start: i32,
    /// Where the span ends (exclusive), in Unicode code points.
    #[schema(example = 1691)]
    pub end: i32,
    /// The cited text, exactly the source's text between `start` and `end`.
    #[schema(example = "Croatia and the Czech Republic refused to send troops")]
    pub excerpt: String,
    /// The cited source's reliability.
    pub reliability: Reliability,
    /// The kind of fact it supports.
    #[schema(example = "commitment")]
    pub fact_type: String,
    /// The id of the fact it supports (for `status_change`, the id of the status change).
    #[schema(example = 8)]
    pub fact_id: i64,
    /// Set when the citation has been retracted; null while it stands.
    pub retracted: Option<Retraction>,
}
