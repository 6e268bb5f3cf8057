//! The read-only views over the facts as the API answers them: the divisions matrix, a nation's
//! profile, the timeline, search results, revisions and the changes feed, a disputed fact.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use serde_json::Value;
use utoipa::ToSchema;

use crate::api::paging::page;
use crate::api::schemas::records::*;
use crate::basis::FieldBasis;
use crate::records::history::Entity;
use crate::vocab::*;

/// What a nation did about one kind of commitment, summarised from the current status of each of
/// its commitments of that kind by one rule: an `effective` status outranks an `announced` one;
/// among equals, the later date wins, and a dated status outranks an undated one; when the
/// commitments left tie and their statuses differ, the cell is `mixed` (read `commitments`).
/// `no_record` when there is none (which is not a refusal). Never the order they were recorded in.
#[derive(Debug, Clone, Copy, Serialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
#[schema(example = "refused")]
pub enum CellStatus {
    /// Intent signalled.
    Proposed,
    /// Promised.
    Pledged,
    /// Being carried out.
    InProgress,
    /// Carried out.
    Delivered,
    /// Declined.
    Refused,
    /// Stopped after having been given.
    Withdrawn,
    /// Deliberately left out.
    Omitted,
    /// Backed in words, with no contribution of its own specified.
    Endorsed,
    /// Its commitments stand differently and the rule ranks none above the others.
    Mixed,
    /// The knowledge base holds nothing: not a refusal.
    NoRecord,
}

/// One commitment behind a cell.
#[derive(Debug, Serialize, ToSchema)]
pub struct CellCommitment {
    /// The commitment's id.
    #[schema(example = 8)]
    pub id: i64,
    /// Its status.
    pub status: CommitmentStatus,
    /// Whether its source says that status will happen (`announced`) or has happened (`effective`).
    pub modality: Modality,
    /// The date of that status, where given or inferred; null when undated.
    #[schema(example = json!(null))]
    pub changed_on: Option<chrono::NaiveDate>,
    /// Where that date comes from, stated or inferred; null when undated.
    pub changed_on_basis: Option<FieldBasis>,
    /// When drawn for an event: where the commitment's link to it comes from, stated or inferred.
    pub event_basis: Option<FieldBasis>,
    /// It in a sentence.
    #[schema(example = "Croatia refused to send troops.")]
    pub summary: String,
    /// The ids of its citations.
    #[schema(example = json!([23]))]
    pub citation_ids: Vec<i64>,
}

/// One cell: a nation and a kind.
#[derive(Debug, Serialize, ToSchema)]
pub struct Cell {
    /// The column's kind.
    pub kind: CommitmentKind,
    /// The commitments' statuses summarised by the rule of `CellStatus`, or `no_record`.
    pub status: CellStatus,
    /// How many live commitments of this kind by this nation there are (at the event, if drawn
    /// for one).
    #[schema(example = 1)]
    pub count: i64,
    /// The commitments that decide the cell's status, highest ranked first by the rule of
    /// `CellStatus` (at most 5; all `count` of them are at `href`).
    pub commitments: Vec<CellCommitment>,
    /// The list of every commitment behind the cell; null for `no_record`.
    #[schema(example = "/v1/commitments?nation=HR&kind=troops&event=1")]
    pub href: Option<String>,
}

/// One row: a nation and what it did about each kind.
#[derive(Debug, Serialize, ToSchema)]
pub struct DivisionRow {
    /// The nation (ISO 3166-1 alpha-2).
    #[schema(example = "HR")]
    pub nation: String,
    /// One cell per kind, in the order of `kinds`.
    pub cells: Vec<Cell>,
}

/// The divisions matrix.
#[derive(Debug, Serialize, ToSchema)]
pub struct Divisions {
    /// The event drawn for, if one was given.
    #[schema(example = 1)]
    pub event_id: Option<i64>,
    /// The columns, in order.
    pub kinds: Vec<CommitmentKind>,
    /// One row per nation that made a commitment of one of these kinds, or took part in the event,
    /// in code order: a page of them.
    pub rows: Vec<DivisionRow>,
    /// Pass as `cursor` to get the next page of rows; null on the last page.
    #[schema(example = json!(null))]
    pub next_cursor: Option<String>,
}

/// How many of a nation's commitments are of one kind and stand at one status.
#[derive(Debug, Serialize, ToSchema)]
pub struct Count {
    /// The kind.
    pub kind: CommitmentKind,
    /// The current status.
    pub status: CommitmentStatus,
    /// How many commitments.
    #[schema(example = 1)]
    pub count: i64,
}

/// Where one commitment stands: its latest status and since when.
#[derive(Debug, Serialize, ToSchema)]
pub struct Standing {
    /// The commitment's id (`/v1/commitments/{id}`).
    #[schema(example = 2)]
    pub id: i64,
    /// Its kind.
    pub kind: CommitmentKind,
    /// Its latest status.
    pub status: CommitmentStatus,
    /// Whether its source says that status will happen (`announced`) or has happened (`effective`).
    pub modality: Modality,
    /// The day of its latest status change, when the sources date it (or an editor inferred a
    /// date: see `since_basis`); null when undated.
    #[schema(example = json!(null))]
    #[serde(default, deserialize_with = "crate::api::params::within_pg_range")]
    pub since: Option<NaiveDate>,
    /// Where `since` comes from, stated or inferred; null when undated.
    pub since_basis: Option<FieldBasis>,
    /// True when any of its values is an inference rather than its source's word.
    #[schema(example = true)]
    pub inferred: bool,
    /// What it is.
    #[schema(example = "France signalled its intent to deploy several thousand soldiers as a force of reassurance.")]
    pub summary: String,
    /// The most reliable source behind it.
    pub reliability: Option<Reliability>,
    /// True when sources disagree on one of its values (see the commitment's `disputes`).
    #[schema(example = false)]
    pub disputed: bool,
}

/// A source behind the nation's commitments and statements.
#[derive(Debug, Serialize, ToSchema)]
pub struct SourceStanding {
    /// The source's id (`/v1/sources/{id}`).
    #[schema(example = 1)]
    pub id: i64,
    /// Its title.
    #[schema(example = "Allies gather in Paris to discuss Ukraine security guarantees")]
    pub title: String,
    /// What kind of document it is.
    pub kind: SourceKind,
    /// Who published it, when known.
    #[schema(example = "Reuters")]
    pub publisher: Option<String>,
    /// How far it can be trusted.
    pub reliability: Reliability,
    /// Why, in an editor's words.
    #[schema(example = "A news article whose claims were checked against the communique.")]
    pub reliability_note: Option<String>,
    /// How many citations of the nation's commitments, status changes and statements point into it.
    #[schema(example = 4)]
    pub citations: i64,
}

/// A nation's profile: its counts whole, and the first of its records, with links to the lists
/// of all of them.
#[derive(Debug, Serialize, ToSchema)]
pub struct NationProfile {
    /// The nation.
    pub nation: Nation,
    /// Its live commitments counted by kind and current status.
    pub counts: Vec<Count>,
    /// How many live commitments it has.
    #[schema(example = 2)]
    pub commitments_total: i64,
    /// Where its first live commitments stand (at most 50, in id order); all of them are at
    /// `commitments_href`.
    pub commitments: Vec<Standing>,
    /// The list of all its live commitments.
    #[schema(example = "/v1/nations/CZ/commitments")]
    pub commitments_href: String,
    /// How many live statements are made for it.
    #[schema(example = 0)]
    pub statements_total: i64,
    /// Its first live statements (at most 50, in id order); all of them are at `statements_href`.
    #[schema(value_type = Vec<Statement>)]
    pub statements: Vec<Box<RawValue>>,
    /// The list of all its live statements.
    #[schema(example = "/v1/nations/CZ/statements")]
    pub statements_href: String,
    /// The sources its live commitments (their status steps too) and statements rest on, most
    /// cited first (at most 20).
    pub sources: Vec<SourceStanding>,
}

/// What an entry of the timeline is.
#[derive(Debug, Clone, Copy, Serialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
#[schema(example = "status_change")]
pub enum EntryType {
    /// An event, read at `/v1/events/{id}`.
    Event,
    /// A change of a commitment's status, read in `/v1/commitments/{commitment_id}`.
    StatusChange,
    /// A statement, read at `/v1/statements/{id}`.
    Statement,
}

/// One entry of the timeline.
#[derive(Debug, Serialize, ToSchema)]
pub struct TimelineEntry {
    /// The day it happened; null when the sources do not date it (such entries come last). An
    /// undated fact stays undated: no date is borrowed from another record.
    #[schema(example = "2026-01-07")]
    #[serde(default, deserialize_with = "crate::api::params::within_pg_range")]
    pub date: Option<NaiveDate>,
    /// Where `date` comes from: stated by the source (with its citation) or inferred (with the
    /// reasoning); null when undated.
    pub date_basis: Option<FieldBasis>,
    /// What the entry is.
    #[serde(rename = "type")]
    pub entry_type: EntryType,
    /// The id of the event, status change or statement.
    #[schema(example = 9)]
    pub id: i64,
    /// The nation concerned (ISO 3166-1 alpha-2); null for an event.
    #[schema(example = "CZ")]
    pub nation: Option<String>,
    /// An event's title, a statement's summary, or the summary of the commitment whose status changed.
    #[schema(example = "The Czech Republic refused to send troops.")]
    pub summary: String,
    /// For a status change: the commitment.
    #[schema(example = 9)]
    pub commitment_id: Option<i64>,
    /// For a status change: the commitment's kind.
    pub kind: Option<CommitmentKind>,
    /// For a status change: the status it changed to.
    pub status: Option<CommitmentStatus>,
    /// For a status change: whether the source says it will happen (`announced`) or has happened
    /// (`effective`).
    pub modality: Option<Modality>,
    /// For an event in a nation's timeline: where the nation's link to it comes from (the event's
    /// participants, or a commitment's link to the event), stated or inferred; null otherwise.
    pub link_basis: Option<FieldBasis>,
}

/// The kinds of record a search finds.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
#[schema(example = "statement")]
pub enum ResultType {
    /// A statement.
    Statement,
    /// A commitment.
    Commitment,
    /// A claim or report.
    Claim,
    /// An event.
    Event,
    /// A source.
    Source,
}

/// One record found.
#[derive(Debug, Serialize, ToSchema)]
pub struct SearchResult {
    /// The kind of record; it is read at `/v1/{type}s/{id}` (`/v1/people` aside).
    #[serde(rename = "type")]
    pub result_type: ResultType,
    /// The record's id.
    #[schema(example = 2)]
    pub id: i64,
    /// How well it matches; higher is better.
    #[schema(example = 0.0607927)]
    pub rank: f32,
    /// The matching passage, the words found between `<mark>` and `</mark>`.
    #[schema(example = "act as a <mark>force</mark> of <mark>reassurance</mark>")]
    pub snippet: String,
    /// The nations it concerns (ISO 3166-1 alpha-2): a commitment's or a statement's nation, a
    /// claim's claimant, an event's participants; none for a source.
    #[schema(example = json!(["FR"]))]
    pub nations: Vec<String>,
    /// Where the record is read.
    #[schema(example = "/v1/statements/2")]
    pub href: String,
}

/// One version of a record: what it was after the change, and before it.
#[derive(Debug, Serialize, ToSchema)]
pub struct Revision {
    /// The record's version after this change; its `ETag` then.
    #[schema(example = 2)]
    pub version: i32,
    /// What the change was: `create`, `update`, `status`, `cite`, `retract`, `dispute`, or `refresh` (the service stored the record anew because it now represents records differently; the record itself did not change).
    #[schema(example = "status")]
    pub action: String,
    /// When it was made.
    #[schema(example = "2026-11-26T19:00:00Z")]
    pub changed_at: DateTime<Utc>,
    /// The id of the key that made it; null for the seed.
    #[schema(example = 2)]
    pub key_id: Option<i64>,
    /// The record before the change, as the API then answered it; null for the first version.
    #[schema(value_type = Option<Object>, examples(json!(null), json!({"id": 1, "status": "proposed"})))]
    pub before: Option<Value>,
    /// The record after the change, as the API then answered it.
    #[schema(value_type = Object, examples(json!({"id": 1, "status": "pledged"})))]
    pub after: Value,
}

/// One change to the knowledge base, for clients that keep a copy in sync.
#[derive(Debug, Serialize, ToSchema)]
pub struct Change {
    /// The change's place in the order of all changes; pass the last one's `next_cursor` on.
    #[schema(example = 57)]
    pub revision_id: i64,
    /// The kind of record changed.
    pub resource: Entity,
    /// The record's id.
    #[schema(example = 1)]
    pub record_id: i64,
    /// The record's version after the change.
    #[schema(example = 2)]
    pub version: i32,
    /// What the change was: `create`, `update`, `status`, `cite`, `retract`, `dispute`, or `refresh` (the service stored the record anew because it now represents records differently; the record itself did not change).
    #[schema(example = "update")]
    pub action: String,
    /// When it was made.
    #[schema(example = "2026-11-26T19:00:00Z")]
    pub changed_at: DateTime<Utc>,
    /// The id of the key that made it; null for the seed.
    #[schema(example = 2)]
    pub key_id: Option<i64>,
    /// The record after the change.
    #[schema(value_type = Object, examples(json!({"id": 1, "status": "pledged"})))]
    pub record: Box<serde_json::value::RawValue>,
}

/// A disputed fact, of the kind the path names (for the document: answers are the fact itself).
#[derive(serde::Serialize, utoipa::ToSchema)]
#[expect(
    clippy::large_enum_variant,
    reason = "never built: it only describes answers in the document"
)]
#[serde(untagged)]
pub enum DisputedFact {
    /// A commitment.
    Commitment(crate::api::schemas::records::Commitment),
    /// A statement.
    Statement(crate::api::schemas::records::Statement),
    /// An event.
    Event(crate::api::schemas::records::Event),
    /// A claim.
    Claim(crate::api::schemas::records::Claim),
}

page!(
    /// A page of a record's revisions, oldest first.
    RevisionPage, Revision
);
page!(
    /// A page of changes, in the order they were made.
    ChangePage, Change
);
page!(
    /// A page of search results, best first.
    SearchPage, SearchResult
);
page!(
    /// A page of the timeline, in date order.
    TimelinePage, TimelineEntry
);
