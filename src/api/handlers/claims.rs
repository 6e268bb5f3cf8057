//! Claims and reports: figures someone reported.

use actix_web::{get, web};
use serde::Deserialize;
use utoipa::IntoParams;

use super::not_found;
use crate::api::error::ApiError;
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
) -> Result<Listed<ClaimPage>, ApiError> {
    let page = PageRequest::<i64>::new(params.cursor.as_deref(), params.limit)?;
    let mut conn = state.conn().await?;
    let filter = ClaimFilter {
        kind: params.kind,
        claimed_by: params.claimed_by.map(NationCode::into_string),
        event: params.event.map(|Id(id)| id),
    };
    let rows = claims::list(&mut conn, &filter, page.window().copied()).await?;
    let (rows, next_cursor) = page.finish(rows, |c| c.id);
    Ok(Listed(ClaimPage {
        items: views::claims(&mut conn, rows).await?,
        next_cursor,
    }))
}

/// Get a claim
///
/// One claim or report with its citations.
#[utoipa::path(
    tag = "claims",
    operation_id = "get_claim",
    params(("id" = i64, Path, description = "The claim's id.", minimum = 1, example = 1)),
    responses(
        (status = 200, description = "The claim.", body = Claim),
        (status = 404, description = "No claim has this id.", body = crate::api::error::Problem, content_type = "application/problem+json"),
    )
)]
#[get("/claims/{id}")]
pub async fn get_claim(state: web::Data<AppState>, id: web::Path<Id>) -> Result<web::Json<Claim>, ApiError> {
    let Id(id) = id.into_inner();
    let mut conn = state.conn().await?;
    let row = claims::get(&mut conn, id)
        .await?
        .ok_or_else(|| not_found("claim", id))?;
    let mut items = views::claims(&mut conn, vec![row]).await?;
    items.pop().map(web::Json).ok_or_else(|| not_found("claim", id))
}
