//! Events: meetings, declarations, attack reports.

use actix_web::{get, web, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;

use serde_json::json;

use super::reading::{as_of_list, detail, AsOfList, Paged, ReadParams};
use crate::api::error::ApiError;
use crate::api::history::Entity;
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
    /// Answer with what the knowledge base held at this moment (RFC 3339), read from the history.
    #[param(example = "2026-12-01T00:00:00Z")]
    pub as_of: Option<chrono::DateTime<chrono::Utc>>,
    /// Also list records that have been retracted.
    #[param(example = false)]
    pub include_retracted: Option<bool>,
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
) -> Result<Listed<Paged<EventPage>>, ApiError> {
    let page = PageRequest::<i64>::new(params.cursor.as_deref(), params.limit)?;
    let mut conn = state.conn().await?;
    let nation = params.nation.map(NationCode::into_string);
    let include_retracted = params.include_retracted.unwrap_or(false);
    if let Some(at) = params.as_of {
        let mut contains = serde_json::Map::new();
        if let Some(kind) = params.kind {
            contains.insert("kind".into(), json!(kind));
        }
        if let Some(nation) = nation {
            contains.insert("participants".into(), json!([{ "nation": nation }]));
        }
        return Ok(Listed(
            as_of_list(
                &mut conn,
                AsOfList::new(Entity::Events, at, include_retracted, contains.into()),
                &page,
            )
            .await?,
        ));
    }
    let filter = EventFilter {
        kind: params.kind,
        nation,
        include_retracted,
    };
    let rows = events::list(&mut conn, &filter, page.window().copied()).await?;
    let (rows, next_cursor) = page.finish(rows, |e| e.id);
    Ok(Listed(Paged::Live(EventPage {
        items: views::events(&mut conn, rows).await?,
        next_cursor,
    })))
}

/// Get an event
///
/// One event with its participants and citations.
#[utoipa::path(
    tag = "events",
    operation_id = "get_event",
    params(("id" = i64, Path, description = "The event's id.", minimum = 1, example = 1), ReadParams),
    responses(
        (status = 200, description = "The event.", body = Event, headers(("ETag" = String, description = "The record's version, for `If-Match` when changing it."))),
        (status = 404, description = "No event has this id.", body = crate::api::error::Problem, content_type = "application/problem+json"),
    )
)]
#[get("/events/{id}")]
pub async fn get_event(
    state: web::Data<AppState>,
    id: web::Path<Id>,
    Query(read): Query<ReadParams>,
) -> Result<HttpResponse, ApiError> {
    let Id(id) = id.into_inner();
    let mut conn = state.conn().await?;
    detail(&mut conn, Entity::Events, id, &read).await
}
