//! The timeline: events, status changes and statements in date order, of one nation or all.

use actix_web::{get, web, HttpRequest, HttpResponse};
use chrono::NaiveDate;
use diesel::sql_types::{BigInt, Date, Jsonb, Nullable, Text};
use diesel::QueryableByName;
use diesel_async::RunQueryDsl;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::nation_in_path;
use crate::api::error::ApiError;
use crate::api::formats::list_of;
use crate::api::params::{NationCode, PageRequest, Query};
use crate::api::types::page;
use crate::basis::FieldBasis;
use crate::startup::AppState;
use crate::vocab::{CommitmentKind, CommitmentStatus, Modality};

/// Whose timeline, and which stretch of it.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct TimelineParams {
    /// Only this nation's: its commitments' status changes, its statements, and the events it took
    /// part in or that one of its commitments is linked to (`link_basis` says whether the source
    /// states that link or an editor inferred it).
    #[param(value_type = Option<String>, pattern = "^[A-Za-z]{2}$", example = "CZ")]
    pub nation: Option<NationCode>,
    /// Only entries dated on or after this day (YYYY-MM-DD); undated entries are left out.
    #[param(example = "2026-01-01")]
    #[serde(default, deserialize_with = "crate::api::params::within_pg_range")]
    pub since: Option<NaiveDate>,
    /// Only entries dated on or before this day (YYYY-MM-DD); undated entries are left out.
    #[param(example = "2026-12-31")]
    #[serde(default, deserialize_with = "crate::api::params::within_pg_range")]
    pub until: Option<NaiveDate>,
    /// The `next_cursor` of the previous page, unchanged (`AAAAAAAAAAA` starts from the beginning).
    #[param(pattern = "^[A-Za-z0-9_-]{11}$", example = "AAAAAAAAAAA")]
    pub cursor: Option<String>,
    /// How many entries per page.
    #[param(minimum = 1, maximum = 500, default = 50, example = 50)]
    pub limit: Option<u32>,
}

crate::api::formats::paging!(TimelineParams);

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

page!(
    /// A page of the timeline, in date order.
    TimelinePage, TimelineEntry
);

#[derive(QueryableByName)]
struct Row {
    #[diesel(sql_type = Text)]
    entry_type: String,
    #[diesel(sql_type = BigInt)]
    id: i64,
    #[diesel(sql_type = Nullable<Date>)]
    dated: Option<NaiveDate>,
    #[diesel(sql_type = Nullable<Text>)]
    nation: Option<String>,
    #[diesel(sql_type = Text)]
    summary: String,
    #[diesel(sql_type = Nullable<BigInt>)]
    commitment_id: Option<i64>,
    #[diesel(sql_type = Nullable<Text>)]
    kind: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    status: Option<String>,
    #[diesel(sql_type = Nullable<Text>)]
    modality: Option<String>,
    #[diesel(sql_type = Nullable<Jsonb>)]
    date_basis: Option<serde_json::Value>,
    #[diesel(sql_type = Nullable<Jsonb>)]
    link_basis: Option<serde_json::Value>,
}

/// Every entry, with its nation, date (never borrowed from another record), the basis of that
/// date, and order within a day. An event is in a nation's timeline when the nation took part in
/// it or one of its commitments is linked to it; the basis of that link comes along (a stated
/// link before an inferred one).
const ENTRIES: &str = "
    SELECT 'event' AS entry_type, 0 AS rank, e.id, e.occurred_on AS dated, NULL::text AS nation, e.title AS summary,
           NULL::bigint AS commitment_id, NULL::text AS kind, NULL::text AS status, NULL::text AS modality,
           e.basis -> 'occurred_on' AS date_basis,
           CASE WHEN $1::text IS NULL THEN NULL
                WHEN EXISTS (SELECT 1 FROM event_participants p WHERE p.event_id = e.id AND p.nation_code = $1)
                THEN e.basis -> 'participants'
                ELSE (SELECT c.basis -> 'event_id' FROM commitments c
                       WHERE c.event_id = e.id AND c.nation_code = $1 AND c.retracted_at IS NULL
                       ORDER BY (c.basis -> 'event_id' ->> 'basis') = 'stated' DESC, c.id LIMIT 1)
           END AS link_basis
      FROM events e
     WHERE e.retracted_at IS NULL
       AND ($1::text IS NULL
            OR EXISTS (SELECT 1 FROM event_participants p WHERE p.event_id = e.id AND p.nation_code = $1)
            OR EXISTS (SELECT 1 FROM commitments c WHERE c.event_id = e.id AND c.nation_code = $1 AND c.retracted_at IS NULL))
    UNION ALL
    SELECT 'status_change', 1, s.id, s.changed_on, c.nation_code, c.summary, c.id, c.kind, s.status, s.modality,
           s.basis -> 'changed_on', NULL
      FROM commitment_status_changes s JOIN commitments c ON c.id = s.commitment_id
     WHERE c.retracted_at IS NULL AND ($1::text IS NULL OR c.nation_code = $1)
    UNION ALL
    SELECT 'statement', 2, st.id, st.said_on, st.nation_code, st.summary, NULL, NULL, NULL, NULL,
           st.basis -> 'said_on', NULL
      FROM statements st
     WHERE st.retracted_at IS NULL AND ($1::text IS NULL OR st.nation_code = $1)";

/// Timeline
///
/// Events, changes of commitments' status and statements in date order (events first within a
/// day, then status changes, then statements; undated entries last), for one nation or for all:
/// "what changed for Czechia this month?" is `?nation=CZ&since=2026-01-01&until=2026-01-31`. An
/// entry the sources do not date stays undated (`date` null), and each date says in `date_basis`
/// whether the source states it or an editor inferred it.
#[utoipa::path(
    tag = "history",
    operation_id = "list_timeline",
    params(TimelineParams),
    responses(
        (status = 200, description = "A page of the timeline.", body = TimelinePage),
        (status = 404, description = "No nation has this code.", body = crate::api::error::Problem, content_type = "application/problem+json"),
    )
)]
#[get("/timeline")]
pub async fn list_timeline(
    req: HttpRequest,
    state: web::Data<AppState>,
    Query(params): Query<TimelineParams>,
) -> Result<HttpResponse, ApiError> {
    list_of(&req, params, move |params| timeline_page(state.clone(), params)).await
}

/// One page of the timeline.
async fn timeline_page(state: web::Data<AppState>, params: TimelineParams) -> Result<TimelinePage, ApiError> {
    let page = PageRequest::<i64>::new(params.cursor.as_deref(), params.limit)?;
    let mut conn = state.conn().await?;
    let nation = match params.nation {
        Some(code) => Some(nation_in_path(&mut conn, code.as_str()).await?),
        None => None,
    };
    // The cursor carries the position in the ordered entries.
    let window = page.window();
    let offset = page.offset();
    let rows: Vec<Row> = diesel::sql_query(format!(
        "SELECT entry_type, id, dated, nation, summary, commitment_id, kind, status, modality, date_basis, link_basis
           FROM ({ENTRIES}) t
          WHERE ($2::date IS NULL OR dated >= $2) AND ($3::date IS NULL OR dated <= $3)
          ORDER BY dated NULLS LAST, rank, id OFFSET $4 LIMIT $5"
    ))
    .bind::<Nullable<Text>, _>(nation)
    .bind::<Nullable<Date>, _>(params.since)
    .bind::<Nullable<Date>, _>(params.until)
    .bind::<BigInt, _>(offset)
    .bind::<BigInt, _>(window.fetch)
    .load(&mut conn)
    .await?;
    let (rows, next_cursor) = page.finish_at_offset(rows);
    let items = rows
        .into_iter()
        .map(|r| TimelineEntry {
            date: r.dated,
            date_basis: r.date_basis.and_then(|b| serde_json::from_value(b).ok()),
            link_basis: r.link_basis.and_then(|b| serde_json::from_value(b).ok()),
            modality: r.modality.and_then(|m| m.parse().ok()),
            entry_type: match r.entry_type.as_str() {
                "event" => EntryType::Event,
                "status_change" => EntryType::StatusChange,
                _ => EntryType::Statement,
            },
            id: r.id,
            nation: r.nation,
            summary: r.summary,
            commitment_id: r.commitment_id,
            kind: r.kind.and_then(|k| k.parse().ok()),
            status: r.status.and_then(|s| s.parse().ok()),
        })
        .collect();
    Ok(TimelinePage { items, next_cursor })
}
