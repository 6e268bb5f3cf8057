//! Sources: the documents facts rest on.

use actix_web::{get, web, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;

use serde_json::json;

use super::reading::{as_of_list, detail, AsOfList, Paged, ReadParams};
use crate::api::error::ApiError;
use crate::api::history::Entity;
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
    /// Answer with what the knowledge base held at this moment (RFC 3339), read from the history.
    #[param(example = "2026-12-01T00:00:00Z")]
    pub as_of: Option<chrono::DateTime<chrono::Utc>>,
    /// Also list records that have been retracted.
    #[param(example = false)]
    pub include_retracted: Option<bool>,
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
) -> Result<Listed<Paged<SourcePage>>, ApiError> {
    let page = PageRequest::<i64>::new(params.cursor.as_deref(), params.limit)?;
    let mut conn = state.conn().await?;
    let include_retracted = params.include_retracted.unwrap_or(false);
    if let Some(at) = params.as_of {
        let mut contains = serde_json::Map::new();
        if let Some(kind) = params.kind {
            contains.insert("kind".into(), json!(kind));
        }
        if let Some(reliability) = params.reliability {
            contains.insert("reliability".into(), json!(reliability));
        }
        // The history keeps whole sources; lists leave the text out.
        let page = as_of_list(
            &mut conn,
            AsOfList {
                drop_field: Some("text"),
                ..AsOfList::new(Entity::Sources, at, include_retracted, contains.into())
            },
            &page,
        )
        .await?;
        return Ok(Listed(page));
    }
    let filter = SourceFilter {
        kind: params.kind,
        reliability: params.reliability,
        include_retracted,
    };
    let rows = sources::list(&mut conn, &filter, page.window().copied()).await?;
    let (rows, next_cursor) = page.finish(rows, |(s, _)| s.id);
    let items = rows
        .into_iter()
        .map(|(s, length)| views::source_summary(s, length))
        .collect();
    Ok(Listed(Paged::Live(SourcePage { items, next_cursor })))
}

/// Get a source
///
/// One source with its full text, byte for byte as retrieved; citation offsets count its Unicode
/// code points.
#[utoipa::path(
    tag = "sources",
    operation_id = "get_source",
    params(("id" = i64, Path, description = "The source's id.", minimum = 1, example = 1), ReadParams),
    responses(
        (status = 200, description = "The source with its text.", body = Source, headers(("ETag" = String, description = "The record's version, for `If-Match` when changing it."))),
        (status = 404, description = "No source has this id.", body = crate::api::error::Problem, content_type = "application/problem+json"),
    )
)]
#[get("/sources/{id}")]
pub async fn get_source(
    state: web::Data<AppState>,
    id: web::Path<Id>,
    Query(read): Query<ReadParams>,
) -> Result<HttpResponse, ApiError> {
    let Id(id) = id.into_inner();
    let mut conn = state.conn().await?;
    detail(&mut conn, Entity::Sources, id, &read).await
}
