//! The timeline: events, status changes and statements in date order, of one nation or all.

use actix_web::{get, web, HttpRequest, HttpResponse};
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::IntoParams;

use super::nation_in_path;
use crate::api::error::ApiError;
use crate::api::formats::list_of;
use crate::api::paging::PageRequest;
use crate::api::params::{NationCode, Query};
use crate::api::schemas::views::{EntryType, TimelineEntry, TimelinePage};
use crate::api::AppState;
use crate::db::queries::summaries;

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

crate::api::paging::paging!(TimelineParams);

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
    list_of(&req, &state.clone(), params, move |params| {
        timeline_page(state.clone(), params)
    })
    .await
}

/// One page of the timeline: a walk of its entries' index from the cursor's entry.
async fn timeline_page(state: web::Data<AppState>, params: TimelineParams) -> Result<TimelinePage, ApiError> {
    let page = PageRequest::<i64>::new(params.cursor.as_deref(), params.limit)?;
    let mut conn = state.conn().await?;
    let scope = match params.nation {
        Some(code) => nation_in_path(&mut conn, code.as_str()).await?,
        None => String::new(),
    };
    let window = page.window();
    let rows = summaries::timeline_page(
        &mut conn,
        &scope,
        params.since,
        params.until,
        window.after.copied(),
        window.fetch,
    )
    .await?;
    let (rows, next_cursor) = page.finish(rows, |r| r.entry_id);
    let items = rows
        .into_iter()
        .map(|r| TimelineEntry {
            date: r.dated,
            date_basis: r.date_basis.and_then(|b| serde_json::from_value(b).ok()),
            link_basis: r.link_basis.and_then(|b| serde_json::from_value(b).ok()),
            modality: r.modality.and_then(|m| m.parse().ok()),
            entry_type: match r.rank {
                0 => EntryType::Event,
                1 => EntryType::StatusChange,
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
