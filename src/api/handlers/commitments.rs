//! Commitments: what nations offered, pledged, refused or withdrew.

use actix_web::{get, web, HttpResponse};
use chrono::NaiveDate;
use diesel_async::AsyncPgConnection;
use serde::Deserialize;
use utoipa::IntoParams;

use serde_json::json;

use super::reading::{as_of_list, detail, AsOfList, Paged, ReadParams};
use crate::api::error::ApiError;
use crate::api::history::Entity;
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
    /// Answer with what the knowledge base held at this moment (RFC 3339), read from the history.
    #[param(example = "2026-12-01T00:00:00Z")]
    pub as_of: Option<chrono::DateTime<chrono::Utc>>,
    /// Also list records that have been retracted.
    #[param(example = false)]
    pub include_retracted: Option<bool>,
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
    /// Answer with what the knowledge base held at this moment (RFC 3339), read from the history.
    #[param(example = "2026-12-01T00:00:00Z")]
    pub as_of: Option<chrono::DateTime<chrono::Utc>>,
    /// Also list records that have been retracted.
    #[param(example = false)]
    pub include_retracted: Option<bool>,
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
) -> Result<Listed<Paged<CommitmentPage>>, ApiError> {
    let mut conn = state.conn().await?;
    let nation = params.nation.map(NationCode::into_string);
    let rest = CommitmentFilterParams {
        as_of: params.as_of,
        include_retracted: params.include_retracted,
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
) -> Result<Paged<CommitmentPage>, ApiError> {
    let page = PageRequest::<i64>::new(params.cursor.as_deref(), params.limit)?;
    let include_retracted = params.include_retracted.unwrap_or(false);
    if let Some(at) = params.as_of {
        let mut contains = serde_json::Map::new();
        if let Some(nation) = nation {
            contains.insert("nation".into(), json!(nation));
        }
        if let Some(kind) = params.kind {
            contains.insert("kind".into(), json!(kind));
        }
        if let Some(status) = params.status {
            contains.insert("status".into(), json!(status));
        }
        if let Some(Id(event)) = params.event {
            contains.insert("event_id".into(), json!(event));
        }
        if let Some(Id(source)) = params.source {
            contains.insert("citations".into(), json!([{ "source_id": source }]));
        }
        let dates = Some((
            "announced_on",
            params.announced_since.map(|d| d.to_string()),
            params.announced_until.map(|d| d.to_string()),
        ));
        return as_of_list(
            conn,
            AsOfList {
                date_range: dates,
                ..AsOfList::new(Entity::Commitments, at, include_retracted, contains.into())
            },
            &page,
        )
        .await;
    }
    let filter = CommitmentFilter {
        nation,
        kind: params.kind,
        status: params.status,
        event: params.event.map(|Id(id)| id),
        source: params.source.map(|Id(id)| id),
        announced_since: params.announced_since,
        announced_until: params.announced_until,
        include_retracted,
    };
    let rows = commitments::list(conn, &filter, page.window().copied()).await?;
    let (rows, next_cursor) = page.finish(rows, |c| c.id);
    Ok(Paged::Live(CommitmentPage {
        items: views::commitments(conn, rows).await?,
        next_cursor,
    }))
}

/// Get a commitment
///
/// One commitment with its status history and citations.
#[utoipa::path(
    tag = "commitments",
    operation_id = "get_commitment",
    params(("id" = i64, Path, description = "The commitment's id.", minimum = 1, example = 1), ReadParams),
    responses(
        (status = 200, description = "The commitment.", body = Commitment, headers(("ETag" = String, description = "The record's version, for `If-Match` when changing it."))),
        (status = 404, description = "No commitment has this id.", body = crate::api::error::Problem, content_type = "application/problem+json"),
    )
)]
#[get("/commitments/{id}")]
pub async fn get_commitment(
    state: web::Data<AppState>,
    id: web::Path<Id>,
    Query(read): Query<ReadParams>,
) -> Result<HttpResponse, ApiError> {
    let Id(id) = id.into_inner();
    let mut conn = state.conn().await?;
    detail(&mut conn, Entity::Commitments, id, &read).await
}
