//! Events: meetings, declarations, attack reports.

use actix_web::{get, web};
use serde::Deserialize;
use utoipa::IntoParams;

use super::not_found;
use crate::api::error::ApiError;
use crate::api::params::{Id, NationCode, PageRequest, Query};
use crate::api::present::Listed;
use crate::api::types::{Event, EventPage};
use crate::api::views;
use crate::db::queries::events::{self, EventFilter};
use crate::startup::AppState;
use crate::vocab::EventKind;

/// Filters and paging of the events list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct EventListParams {
    /// Only events of this kind.
    pub kind: Option<EventKind>,
    /// Only events this nation took part in (ISO 3166-1 alpha-2, any case).
    #[param(value_type = Option<String>, pattern = "^[A-Za-z]{2}$", example = "FR")]
    pub nation: Option<NationCode>,
    /// The `next_cursor` of the previous page, unchanged (`AAAAAAAAAAA` starts from the beginning).
    #[param(pattern = "^[A-Za-z0-9_-]{11}$", example = "AAAAAAAAAAA")]
    pub cursor: Option<String>,
    /// How many events per page.
    #[param(minimum = 1, maximum = 500, default = 50, example = 50)]
    pub limit: Option<u32>,
}

/// List events
///
/// Summits, meetings, declarations and attack reports, with the nations taking part and the
/// citations they rest on.
#[utoipa::path(tag = "events", operation_id = "list_events", params(EventListParams), responses((status = 200, description = "A page of events.", body = EventPage)))]
#[get("/events")]
pub async fn list_events(
    state: web::Data<AppState>,
    Query(params): Query<EventListParams>,
) -> Result<Listed<EventPage>, ApiError> {
    let page = PageRequest::<i64>::new(params.cursor.as_deref(), params.limit)?;
    let mut conn = state.conn().await?;
    let filter = EventFilter {
        kind: params.kind,
        nation: params.nation.map(NationCode::into_string),
    };
    let rows = events::list(&mut conn, &filter, page.window().copied()).await?;
    let (rows, next_cursor) = page.finish(rows, |e| e.id);
    Ok(Listed(EventPage {
        items: views::events(&mut conn, rows).await?,
        next_cursor,
    }))
}

/// Get an event
///
/// One event with its participants and citations.
#[utoipa::path(
    tag = "events",
    operation_id = "get_event",
    params(("id" = i64, Path, description = "The event's id.", minimum = 1, example = 1)),
    responses(
        (status = 200, description = "The event.", body = Event),
        (status = 404, description = "No event has this id.", body = crate::api::error::Problem, content_type = "application/problem+json"),
    )
)]
#[get("/events/{id}")]
pub async fn get_event(state: web::Data<AppState>, id: web::Path<Id>) -> Result<web::Json<Event>, ApiError> {
    let Id(id) = id.into_inner();
    let mut conn = state.conn().await?;
    let row = events::get(&mut conn, id)
        .await?
        .ok_or_else(|| not_found("event", id))?;
    let mut items = views::events(&mut conn, vec![row]).await?;
    items.pop().map(web::Json).ok_or_else(|| not_found("event", id))
}
