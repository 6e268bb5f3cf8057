//! Commitments: what nations offered, pledged, refused or withdrew.

use actix_web::{get, web};
use chrono::NaiveDate;
use diesel_async::AsyncPgConnection;
use serde::Deserialize;
use utoipa::IntoParams;

use super::not_found;
use crate::api::error::ApiError;
use crate::api::params::{Id, NationCode, PageRequest, Query};
use crate::api::present::Listed;
use crate::api::types::{Commitment, CommitmentPage};
use crate::api::views;
use crate::db::queries::commitments::{self, CommitmentFilter};
use crate::startup::AppState;
use crate::vocab::{CommitmentKind, CommitmentStatus};

/// Filters and paging of the commitments list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CommitmentListParams {
    /// Only this nation's commitments (ISO 3166-1 alpha-2, any case).
    #[param(value_type = Option<String>, pattern = "^[A-Za-z]{2}$", example = "FR")]
    pub nation: Option<NationCode>,
    /// Only commitments of this kind.
    pub kind: Option<CommitmentKind>,
    /// Only commitments whose current status is this.
    pub status: Option<CommitmentStatus>,
    /// Only commitments made at this event.
    #[param(value_type = Option<i64>, minimum = 1, example = 1)]
    pub event: Option<Id>,
    /// Only commitments citing this source.
    #[param(value_type = Option<i64>, minimum = 1, example = 1)]
    pub source: Option<Id>,
    /// Only commitments announced on or after this date (YYYY-MM-DD).
    #[param(example = "2026-01-01")]
    pub announced_since: Option<NaiveDate>,
    /// Only commitments announced on or before this date (YYYY-MM-DD).
    #[param(example = "2026-12-31")]
    pub announced_until: Option<NaiveDate>,
    /// The `next_cursor` of the previous page, unchanged (`AAAAAAAAAAA` starts from the beginning).
    #[param(pattern = "^[A-Za-z0-9_-]{11}$", example = "AAAAAAAAAAA")]
    pub cursor: Option<String>,
    /// How many commitments per page.
    #[param(minimum = 1, maximum = 500, default = 50, example = 50)]
    pub limit: Option<u32>,
}

/// Filters and paging of one nation's commitments.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CommitmentFilterParams {
    /// Only commitments of this kind.
    pub kind: Option<CommitmentKind>,
    /// Only commitments whose current status is this.
    pub status: Option<CommitmentStatus>,
    /// Only commitments made at this event.
    #[param(value_type = Option<i64>, minimum = 1, example = 1)]
    pub event: Option<Id>,
    /// Only commitments citing this source.
    #[param(value_type = Option<i64>, minimum = 1, example = 1)]
    pub source: Option<Id>,
    /// Only commitments announced on or after this date (YYYY-MM-DD).
    #[param(example = "2026-01-01")]
    pub announced_since: Option<NaiveDate>,
    /// Only commitments announced on or before this date (YYYY-MM-DD).
    #[param(example = "2026-12-31")]
    pub announced_until: Option<NaiveDate>,
    /// The `next_cursor` of the previous page, unchanged (`AAAAAAAAAAA` starts from the beginning).
    #[param(pattern = "^[A-Za-z0-9_-]{11}$", example = "AAAAAAAAAAA")]
    pub cursor: Option<String>,
    /// How many commitments per page.
    #[param(minimum = 1, maximum = 500, default = 50, example = 50)]
    pub limit: Option<u32>,
}

/// List commitments
///
/// What nations offered, pledged, refused or withdrew, each with its status history, its amount in
/// the source's words, its conditions, and the exact citations it rests on. Filters combine.
#[utoipa::path(tag = "commitments", operation_id = "list_commitments", params(CommitmentListParams), responses((status = 200, description = "A page of commitments.", body = CommitmentPage)))]
#[get("/commitments")]
pub async fn list_commitments(
    state: web::Data<AppState>,
    Query(params): Query<CommitmentListParams>,
) -> Result<Listed<CommitmentPage>, ApiError> {
    let mut conn = state.conn().await?;
    let nation = params.nation.map(NationCode::into_string);
    let rest = CommitmentFilterParams {
        kind: params.kind,
        status: params.status,
        event: params.event,
        source: params.source,
        announced_since: params.announced_since,
        announced_until: params.announced_until,
        cursor: params.cursor,
        limit: params.limit,
    };
    list_commitments_where(&mut conn, nation, rest).await.map(Listed)
}

/// A page of commitments, of one nation if given.
pub(crate) async fn list_commitments_where(
    conn: &mut AsyncPgConnection,
    nation: Option<String>,
    params: CommitmentFilterParams,
) -> Result<CommitmentPage, ApiError> {
    let page = PageRequest::<i64>::new(params.cursor.as_deref(), params.limit)?;
    let filter = CommitmentFilter {
        nation,
        kind: params.kind,
        status: params.status,
        event: params.event.map(|Id(id)| id),
        source: params.source.map(|Id(id)| id),
        announced_since: params.announced_since,
        announced_until: params.announced_until,
    };
    let rows = commitments::list(conn, &filter, page.window().copied()).await?;
    let (rows, next_cursor) = page.finish(rows, |c| c.id);
    Ok(CommitmentPage {
        items: views::commitments(conn, rows).await?,
        next_cursor,
    })
}

/// Get a commitment
///
/// One commitment with its status history and citations.
#[utoipa::path(
    tag = "commitments",
    operation_id = "get_commitment",
    params(("id" = i64, Path, description = "The commitment's id.", minimum = 1, example = 1)),
    responses(
        (status = 200, description = "The commitment.", body = Commitment),
        (status = 404, description = "No commitment has this id.", body = crate::api::error::Problem, content_type = "application/problem+json"),
    )
)]
#[get("/commitments/{id}")]
pub async fn get_commitment(state: web::Data<AppState>, id: web::Path<Id>) -> Result<web::Json<Commitment>, ApiError> {
    let Id(id) = id.into_inner();
    let mut conn = state.conn().await?;
    let row = commitments::get(&mut conn, id)
        .await?
        .ok_or_else(|| not_found("commitment", id))?;
    let mut items = views::commitments(&mut conn, vec![row]).await?;
    items.pop().map(web::Json).ok_or_else(|| not_found("commitment", id))
}
