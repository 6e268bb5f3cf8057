//! Sources: the documents facts rest on.

use actix_web::{get, web};
use serde::Deserialize;
use utoipa::IntoParams;

use super::not_found;
use crate::api::error::ApiError;
use crate::api::params::{Id, PageRequest, Query};
use crate::api::present::Listed;
use crate::api::types::{Source, SourcePage};
use crate::api::views;
use crate::db::queries::sources::{self, SourceFilter};
use crate::startup::AppState;
use crate::vocab::{Reliability, SourceKind};

/// Filters and paging of the sources list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SourceListParams {
    /// Only sources of this kind.
    pub kind: Option<SourceKind>,
    /// Only sources of this reliability.
    pub reliability: Option<Reliability>,
    /// The `next_cursor` of the previous page, unchanged (`AAAAAAAAAAA` starts from the beginning).
    #[param(pattern = "^[A-Za-z0-9_-]{11}$", example = "AAAAAAAAAAA")]
    pub cursor: Option<String>,
    /// How many sources per page.
    #[param(minimum = 1, maximum = 500, default = 50, example = 50)]
    pub limit: Option<u32>,
}

/// List sources
///
/// The documents the facts rest on, with their reliability and SHA-256, without their texts
/// (`get_source` has the text).
#[utoipa::path(tag = "sources", operation_id = "list_sources", params(SourceListParams), responses((status = 200, description = "A page of sources.", body = SourcePage)))]
#[get("/sources")]
pub async fn list_sources(
    state: web::Data<AppState>,
    Query(params): Query<SourceListParams>,
) -> Result<Listed<SourcePage>, ApiError> {
    let page = PageRequest::<i64>::new(params.cursor.as_deref(), params.limit)?;
    let mut conn = state.conn().await?;
    let filter = SourceFilter {
        kind: params.kind,
        reliability: params.reliability,
    };
    let rows = sources::list(&mut conn, &filter, page.window().copied()).await?;
    let (rows, next_cursor) = page.finish(rows, |(s, _)| s.id);
    let items = rows
        .into_iter()
        .map(|(s, length)| views::source_summary(s, length))
        .collect();
    Ok(Listed(SourcePage { items, next_cursor }))
}

/// Get a source
///
/// One source with its full text, byte for byte as retrieved; citation offsets count its Unicode
/// code points.
#[utoipa::path(
    tag = "sources",
    operation_id = "get_source",
    params(("id" = i64, Path, description = "The source's id.", minimum = 1, example = 1)),
    responses(
        (status = 200, description = "The source with its text.", body = Source),
        (status = 404, description = "No source has this id.", body = crate::api::error::Problem, content_type = "application/problem+json"),
    )
)]
#[get("/sources/{id}")]
pub async fn get_source(state: web::Data<AppState>, id: web::Path<Id>) -> Result<web::Json<Source>, ApiError> {
    let Id(id) = id.into_inner();
    let mut conn = state.conn().await?;
    let (row, length, text) = sources::get(&mut conn, id)
        .await?
        .ok_or_else(|| not_found("source", id))?;
    Ok(web::Json(views::source(row, length, text)))
}
