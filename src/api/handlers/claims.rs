//! Claims and reports: figures someone reported.

use actix_web::{get, web, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;

use serde_json::json;

use super::reading::{as_of_list, detail, AsOfList, Paged, ReadParams};
use crate::api::error::ApiError;
use crate::api::history::Entity;
use crate::api::params::{Id, NationCode, PageRequest, Query};
use crate::api::present::Listed;
use crate::api::types::{Claim, ClaimPage};
use crate::api::views;
use crate::db::queries::claims::{self, ClaimFilter};
use crate::startup::AppState;
use crate::vocab::ClaimKind;

/// Filters and paging of the claims list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ClaimListParams {
    /// Only reports, or only claims of parties to the war.
    pub kind: Option<ClaimKind>,
    /// Only claims made by this nation (ISO 3166-1 alpha-2, any case).
    #[param(value_type = Option<String>, pattern = "^[A-Za-z]{2}$", example = "RU")]
    pub claimed_by: Option<NationCode>,
    /// Only claims tied to this event.
    #[param(value_type = Option<i64>, minimum = 1, example = 2)]
    pub event: Option<Id>,
    /// Answer with what the knowledge base held at this moment (RFC 3339), read from the history.
    #[param(example = "2026-12-01T00:00:00Z")]
    pub as_of: Option<chrono::DateTime<chrono::Utc>>,
    /// Also list records that have been retracted.
    #[param(example = false)]
    pub include_retracted: Option<bool>,
    /// The `next_cursor` of the previous page, unchanged (`AAAAAAAAAAA` starts from the beginning).
    #[param(pattern = "^[A-Za-z0-9_-]{11}$", example = "AAAAAAAAAAA")]
    pub cursor: Option<String>,
    /// How many claims per page.
    #[param(minimum = 1, maximum = 500, default = 50, example = 50)]
    pub limit: Option<u32>,
}

/// List claims
///
/// Figures reported by the sources or claimed by parties to the war (`kind` tells which): never
/// verified facts, each with who claims it and the citations it rests on.
#[utoipa::path(tag = "claims", operation_id = "list_claims", params(ClaimListParams), responses((status = 200, description = "A page of claims.", body = ClaimPage)))]
#[get("/claims")]
pub async fn list_claims(
    state: web::Data<AppState>,
    Query(params): Query<ClaimListParams>,
) -> Result<Listed<Paged<ClaimPage>>, ApiError> {
    let page = PageRequest::<i64>::new(params.cursor.as_deref(), params.limit)?;
    let mut conn = state.conn().await?;
    let claimed_by = params.claimed_by.map(NationCode::into_string);
    let include_retracted = params.include_retracted.unwrap_or(false);
    if let Some(at) = params.as_of {
        let mut contains = serde_json::Map::new();
        if let Some(kind) = params.kind {
            contains.insert("kind".into(), json!(kind));
        }
        if let Some(nation) = claimed_by {
            contains.insert("claimed_by".into(), json!(nation));
        }
        if let Some(Id(event)) = params.event {
            contains.insert("event_id".into(), json!(event));
        }
        return Ok(Listed(
            as_of_list(
                &mut conn,
                AsOfList::new(Entity::Claims, at, include_retracted, contains.into()),
                &page,
            )
            .await?,
        ));
    }
    let filter = ClaimFilter {
        kind: params.kind,
        claimed_by,
        event: params.event.map(|Id(id)| id),
        include_retracted,
    };
    let rows = claims::list(&mut conn, &filter, page.window().copied()).await?;
    let (rows, next_cursor) = page.finish(rows, |c| c.id);
    Ok(Listed(Paged::Live(ClaimPage {
        items: views::claims(&mut conn, rows).await?,
        next_cursor,
    })))
}

/// Get a claim
///
/// One claim or report with its citations.
#[utoipa::path(
    tag = "claims",
    operation_id = "get_claim",
    params(("id" = i64, Path, description = "The claim's id.", minimum = 1, example = 1), ReadParams),
    responses(
        (status = 200, description = "The claim.", body = Claim, headers(("ETag" = String, description = "The record's version, for `If-Match` when changing it."))),
        (status = 404, description = "No claim has this id.", body = crate::api::error::Problem, content_type = "application/problem+json"),
    )
)]
#[get("/claims/{id}")]
pub async fn get_claim(
    state: web::Data<AppState>,
    id: web::Path<Id>,
    Query(read): Query<ReadParams>,
) -> Result<HttpResponse, ApiError> {
    let Id(id) = id.into_inner();
    let mut conn = state.conn().await?;
    detail(&mut conn, Entity::Claims, id, &read).await
}
