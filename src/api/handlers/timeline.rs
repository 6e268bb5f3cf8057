//! The timeline: events, status changes and statements in date order, of one nation or all.

use actix_web::{get, web, HttpRequest, HttpResponse};
use chrono::NaiveDate;
use diesel::sql_types::{BigInt, Date, Nullable, Text};
use diesel::QueryableByName;
use diesel_async::RunQueryDsl;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::nation_in_path;
use crate::api::error::ApiError;
use crate::api::formats::list_of;
use crate::api::params::{NationCode, PageRequest, Query};
use crate::api::types::page;
use crate::startup::AppState;
use crate::vocab::{CommitmentKind, CommitmentStatus};

/// Whose timeline, and which stretch of it.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct TimelineParams {
    /// Only this nation's: its commitments' status changes, its statements, and the events it took
    /// part in or made a commitment at.
    #[param(value_type = Option<String>, pattern = "^[A-Za-z]{2}$", example = "CZ")]
    pub nation: Option<NationCode>,
    /// Only entries dated on or after this day (YYYY-MM-DD); undated entries are left out.
    #[param(example = "2026-01-01")]
    pub since: Option<NaiveDate>,
    /// Only entries dated on or before this day (YYYY-MM-DD); undated entries are left out.
    #[param(example = "2026-12-31")]
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
    /// The day it happened; null when the sources do not date it (such entries come last).
    #[schema(example = "2026-01-07")]
    pub date: Option<NaiveDate>,
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
}

/// Every entry, with its nation, date and order within a day.
const ENTRIES: &str = "
    SELECT 'event' AS entry_type, 0 AS rank, e.id, e.occurred_on AS dated, NULL::text AS nation, e.title AS summary,
           NULL::bigint AS commitment_id, NULL::text AS kind, NULL::text AS status
      FROM events e
     WHERE e.retracted_at IS NULL
       AND ($1::text IS NULL
            OR EXISTS (SELECT 1 FROM event_participants p WHERE p.event_id = e.id AND p.nation_code = $1)
            OR EXISTS (SELECT 1 FROM commitments c WHERE c.event_id = e.id AND c.nation_code = $1 AND c.retracted_at IS NULL))
    UNION ALL
    SELECT 'status_change', 1, s.id, coalesce(s.changed_on, c.announced_on), c.nation_code, c.summary, c.id, c.kind, s.status
      FROM commitment_status_changes s JOIN commitments c ON c.id = s.commitment_id
     WHERE c.retracted_at IS NULL AND ($1::text IS NULL OR c.nation_code = $1)
    UNION ALL
    SELECT 'statement', 2, st.id, st.said_on, st.nation_code, st.summary, NULL, NULL, NULL
      FROM statements st
     WHERE st.retracted_at IS NULL AND ($1::text IS NULL OR st.nation_code = $1)";

/// Timeline
///
/// Events, changes of commitments' status and statements in date order (events first within a
/// day, then status changes, then statements; undated entries last), for one nation or for all:
/// "what changed for Czechia this month?" is `?nation=CZ&since=2026-01-01&until=2026-01-31`. A
/// status change without its own date is dated by its commitment's announcement.
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
        "SELECT entry_type, id, dated, nation, summary, commitment_id, kind, status FROM ({ENTRIES}) t
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
