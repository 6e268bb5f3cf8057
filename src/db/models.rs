//! Row structs (what a query returns) and insert structs (what a write sends), one pair per table.
//! They carry no serde or OpenAPI derives: what the API serves lives in
//! `records::representations` and `api::schemas`.

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;

use crate::schema::*;
use crate::vocab::*;

/// A state of ISO 3166-1.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = nations, check_for_backend(diesel::pg::Pg))]
pub struct Nation {
    pub code: String,
    pub alpha3: String,
    pub numeric_code: String,
    pub name: String,
    pub common_name: Option<String>,
    pub official_name: Option<String>,
}

/// An alliance, union or coalition.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = organizations, check_for_backend(diesel::pg::Pg))]
pub struct Organization {
    pub id: i64,
    pub name: String,
    pub abbreviation: Option<String>,
    pub kind: OrganizationKind,
    pub description: Option<String>,
}

/// A new organization.
#[derive(Debug, Insertable)]
#[diesel(table_name = organizations)]
pub struct NewOrganization<'a> {
    pub name: &'a str,
    pub abbreviation: Option<&'a str>,
    pub kind: OrganizationKind,
    pub description: Option<&'a str>,
}

/// A nation's membership of an organization.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = memberships, check_for_backend(diesel::pg::Pg))]
pub struct Membership {
    pub organization_id: i64,
    pub nation_code: String,
    pub joined_on: Option<NaiveDate>,
    pub left_on: Option<NaiveDate>,
}

/// An official who speaks or acts.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = people, check_for_backend(diesel::pg::Pg))]
pub struct Person {
    pub id: i64,
    pub name: String,
    pub role: Option<String>,
    pub nation_code: Option<String>,
    pub retracted_at: Option<DateTime<Utc>>,
    pub retraction_reason: Option<String>,
}

/// A new person.
#[derive(Debug, Insertable, AsChangeset)]
#[diesel(table_name = people, treat_none_as_null = true)]
pub struct NewPerson<'a> {
    pub name: &'a str,
    pub role: Option<&'a str>,
    pub nation_code: Option<&'a str>,
}

/// A source without its text, for lists.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = sources, check_for_backend(diesel::pg::Pg))]
pub struct SourceSummary {
    pub id: i64,
    pub kind: SourceKind,
    pub title: String,
    pub publisher: Option<String>,
    pub url: Option<String>,
    pub published_on: Option<NaiveDate>,
    pub retrieved_at: DateTime<Utc>,
    pub sha256: String,
    pub reliability: Reliability,
    pub reliability_note: Option<String>,
    pub retracted_at: Option<DateTime<Utc>>,
    pub retraction_reason: Option<String>,
}

/// A new source; its SHA-256 is derived by the database.
#[derive(Debug, Insertable, AsChangeset)]
#[diesel(table_name = sources, treat_none_as_null = true)]
pub struct NewSource<'a> {
    pub kind: SourceKind,
    pub title: &'a str,
    pub publisher: Option<&'a str>,
    pub url: Option<&'a str>,
    pub published_on: Option<NaiveDate>,
    pub retrieved_at: DateTime<Utc>,
    pub text: &'a str,
    pub reliability: Reliability,
    pub reliability_note: Option<&'a str>,
}

/// Something that happened at a time and place.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = events, check_for_backend(diesel::pg::Pg))]
pub struct Event {
    pub id: i64,
    pub kind: EventKind,
    pub title: String,
    pub occurred_on: Option<NaiveDate>,
    pub location: Option<String>,
    pub attendance: Option<String>,
    pub description: Option<String>,
    pub retracted_at: Option<DateTime<Utc>>,
    pub retraction_reason: Option<String>,
    /// Where each value comes from, by field (see `crate::basis`).
    pub basis: serde_json::Value,
    /// Whether any value is an inference.
    pub inferred: bool,
    /// Whether a live competing value disputes any of its values (kept by the database).
    pub disputed: bool,
}

/// A new event.
#[derive(Debug, Insertable, AsChangeset)]
#[diesel(table_name = events, treat_none_as_null = true)]
pub struct NewEvent<'a> {
    pub kind: EventKind,
    pub title: &'a str,
    pub occurred_on: Option<NaiveDate>,
    pub location: Option<&'a str>,
    pub attendance: Option<&'a str>,
    pub description: Option<&'a str>,
}

/// A nation taking part in an event.
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = event_participants, check_for_backend(diesel::pg::Pg))]
pub struct Participant {
    pub event_id: i64,
    pub nation_code: String,
    pub role: Option<String>,
}

/// What one nation offered, pledged, refused or withdrew.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = commitments, check_for_backend(diesel::pg::Pg))]
pub struct Commitment {
    pub id: i64,
    pub nation_code: String,
    pub kind: CommitmentKind,
    pub status: CommitmentStatus,
    pub summary: String,
    pub quantity_min: Option<f64>,
    pub quantity_max: Option<f64>,
    pub quantity_unit: Option<String>,
    pub quantity_text: Option<String>,
    pub role: ForceRole,
    pub conditions: Option<String>,
    pub announced_on: Option<NaiveDate>,
    pub announced_by: Option<i64>,
    pub event_id: Option<i64>,
    pub retracted_at: Option<DateTime<Utc>>,
    pub retraction_reason: Option<String>,
    /// Where each value comes from, by field (see `crate::basis`).
    pub basis: serde_json::Value,
    /// Whether any value is an inference (derived from `basis` by the database).
    pub inferred: bool,
    /// Whether a live competing value disputes any of its values (kept by the database).
    pub disputed: bool,
}

/// A new commitment; its status is then set by its first status change.
#[derive(Debug, Insertable, AsChangeset)]
#[diesel(table_name = commitments, treat_none_as_null = true)]
pub struct NewCommitment<'a> {
    pub nation_code: &'a str,
    pub kind: CommitmentKind,
    pub status: CommitmentStatus,
    pub summary: &'a str,
    pub quantity_min: Option<f64>,
    pub quantity_max: Option<f64>,
    pub quantity_unit: Option<&'a str>,
    pub quantity_text: Option<&'a str>,
    pub role: ForceRole,
    pub conditions: Option<&'a str>,
    pub announced_on: Option<NaiveDate>,
    pub announced_by: Option<i64>,
    pub event_id: Option<i64>,
}

/// One step in a commitment's status history.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = commitment_status_changes, check_for_backend(diesel::pg::Pg))]
pub struct StatusChange {
    pub id: i64,
    pub commitment_id: i64,
    pub status: CommitmentStatus,
    pub changed_on: Option<NaiveDate>,
    pub note: Option<String>,
    pub recorded_at: DateTime<Utc>,
    /// Where its date comes from (see `crate::basis`).
    pub basis: serde_json::Value,
    /// Whether its date is an inference.
    pub inferred: bool,
    /// Whether the source says the change will happen or has happened.
    pub modality: Modality,
}

/// A new step in a commitment's status history.
#[derive(Debug, Insertable)]
#[diesel(table_name = commitment_status_changes)]
pub struct NewStatusChange<'a> {
    pub commitment_id: i64,
    pub status: CommitmentStatus,
    pub changed_on: Option<NaiveDate>,
    pub note: Option<&'a str>,
    /// Whether the source says the change will happen or has happened.
    pub modality: Modality,
    /// Where its date comes from (see `crate::basis`).
    pub basis: serde_json::Value,
}

/// Words someone said or wrote.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = statements, check_for_backend(diesel::pg::Pg))]
pub struct Statement {
    pub id: i64,
    pub speaker_id: Option<i64>,
    pub attribution: Option<String>,
    pub nation_code: Option<String>,
    pub event_id: Option<i64>,
    pub quote: Option<String>,
    pub summary: String,
    pub said_on: Option<NaiveDate>,
    pub stance: Stance,
    pub retracted_at: Option<DateTime<Utc>>,
    pub retraction_reason: Option<String>,
    /// Where each value comes from, by field (see `crate::basis`).
    pub basis: serde_json::Value,
    /// Whether any value is an inference.
    pub inferred: bool,
    /// Whether a live competing value disputes any of its values (kept by the database).
    pub disputed: bool,
}

/// A new statement.
#[derive(Debug, Insertable, AsChangeset)]
#[diesel(table_name = statements, treat_none_as_null = true)]
pub struct NewStatement<'a> {
    pub speaker_id: Option<i64>,
    pub attribution: Option<&'a str>,
    pub nation_code: Option<&'a str>,
    pub event_id: Option<i64>,
    pub quote: Option<&'a str>,
    pub summary: &'a str,
    pub said_on: Option<NaiveDate>,
    pub stance: Stance,
}

/// A figure someone reported or claimed.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = claims, check_for_backend(diesel::pg::Pg))]
pub struct Claim {
    pub id: i64,
    pub kind: ClaimKind,
    pub description: String,
    pub value: Option<f64>,
    pub unit: Option<String>,
    pub period: Option<String>,
    pub location: Option<String>,
    pub claimed_by: Option<String>,
    pub reported_on: Option<NaiveDate>,
    pub event_id: Option<i64>,
    pub retracted_at: Option<DateTime<Utc>>,
    pub retraction_reason: Option<String>,
    /// Where each value comes from, by field (see `crate::basis`).
    pub basis: serde_json::Value,
    /// Whether any value is an inference.
    pub inferred: bool,
    /// Whether a live competing value disputes any of its values (kept by the database).
    pub disputed: bool,
}

/// A new claim.
#[derive(Debug, Insertable, AsChangeset)]
#[diesel(table_name = claims, treat_none_as_null = true)]
pub struct NewClaim<'a> {
    pub kind: ClaimKind,
    pub description: &'a str,
    pub value: Option<f64>,
    pub unit: Option<&'a str>,
    pub period: Option<&'a str>,
    pub location: Option<&'a str>,
    pub claimed_by: Option<&'a str>,
    pub reported_on: Option<NaiveDate>,
    pub event_id: Option<i64>,
}

/// The link from one fact to a span of a source.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = citations, check_for_backend(diesel::pg::Pg))]
pub struct Citation {
    pub id: i64,
    pub source_id: i64,
    pub start_offset: i32,
    pub end_offset: i32,
    pub excerpt: String,
    pub commitment_id: Option<i64>,
    pub status_change_id: Option<i64>,
    pub statement_id: Option<i64>,
    pub event_id: Option<i64>,
    pub claim_id: Option<i64>,
    pub retracted_at: Option<DateTime<Utc>>,
    pub retraction_reason: Option<String>,
    pub competing_value_id: Option<i64>,
}

/// A new citation; exactly one of the fact ids is set.
#[derive(Debug, Default, Insertable)]
#[diesel(table_name = citations)]
pub struct NewCitation<'a> {
    pub source_id: i64,
    pub start_offset: i32,
    pub end_offset: i32,
    pub excerpt: &'a str,
    pub commitment_id: Option<i64>,
    pub status_change_id: Option<i64>,
    pub statement_id: Option<i64>,
    pub event_id: Option<i64>,
    pub claim_id: Option<i64>,
    pub competing_value_id: Option<i64>,
}

/// A value of a fact's field that a source gives against the fact's own.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = competing_values, check_for_backend(diesel::pg::Pg))]
pub struct CompetingValue {
    pub id: i64,
    pub commitment_id: Option<i64>,
    pub statement_id: Option<i64>,
    pub event_id: Option<i64>,
    pub claim_id: Option<i64>,
    pub field: String,
    pub value: serde_json::Value,
    pub note: Option<String>,
    pub recorded_at: DateTime<Utc>,
    pub retracted_at: Option<DateTime<Utc>>,
}

/// A new competing value; exactly one of the fact ids is set.
#[derive(Debug, Default, Insertable)]
#[diesel(table_name = competing_values)]
pub struct NewCompetingValue<'a> {
    pub commitment_id: Option<i64>,
    pub statement_id: Option<i64>,
    pub event_id: Option<i64>,
    pub claim_id: Option<i64>,
    pub field: &'a str,
    pub value: serde_json::Value,
    pub note: Option<&'a str>,
}

/// A record created by a seed file, by its stable key.
#[derive(Debug, Insertable)]
#[diesel(table_name = seed_records)]
pub struct NewSeedRecord<'a> {
    pub key: &'a str,
    pub entity: &'a str,
    pub record_id: i64,
}

/// A key for editors or admins; only the hash of its secret is stored.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = api_keys, check_for_backend(diesel::pg::Pg))]
pub struct ApiKey {
    pub id: i64,
    pub name: String,
    pub role: KeyRole,
    pub secret_sha256: String,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

/// A new key.
#[derive(Debug, Insertable)]
#[diesel(table_name = api_keys)]
pub struct NewApiKey<'a> {
    pub name: &'a str,
    pub role: KeyRole,
    pub secret_sha256: &'a str,
}
