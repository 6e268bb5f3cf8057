//! Statements: words someone said or wrote.

use actix_web::{get, web, HttpResponse};
use diesel_async::AsyncPgConnection;
use serde::Deserialize;
use utoipa::IntoParams;

use serde_json::json;

use super::reading::{as_of_list, detail, AsOfList, Paged, ReadParams};
use crate::api::error::ApiError;
use crate::api::history::Entity;
use crate::api::params::{Id, NationCode, PageRequest, Query};
use crate::api::present::Listed;
use crate::api::types::{Statement, StatementPage};
use crate::api::views;
use crate::db::queries::statements::{self, StatementFilter};
use crate::startup::AppState;
use crate::vocab::Stance;

/// Filters and paging of the statements list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct StatementListParams {
    /// Only statements made for this nation (ISO 3166-1 alpha-2, any case).
    #[param(value_type = Option<String>, pattern = "^[A-Za-z]{2}$", example = "US")]
    pub nation: Option<NationCode>,
    /// Only statements by this person (a person's id).
    #[param(value_type = Option<i64>, minimum = 1, example = 3)]
    pub speaker: Option<Id>,
    /// Only statements made at this event.
    #[param(value_type = Option<i64>, minimum = 1, example = 1)]
    pub event: Option<Id>,
    /// Only statements taking this stance.
    pub stance: Option<Stance>,
    /// Answer with what the knowledge base held at this moment (RFC 3339), read from the history.
    #[param(example = "2026-12-01T00:00:00Z")]
    pub as_of: Option<chrono::DateTime<chrono::Utc>>,
    /// Also list records that have been retracted.
    #[param(example = false)]
    pub include_retracted: Option<bool>,
    /// The `next_cursor` of the previous page, unchanged (`AAAAAAAAAAA` starts from the beginning).
    #[param(pattern = "^[A-Za-z0-9_-]{11}$", example = "AAAAAAAAAAA")]
    pub cursor: Option<String>,
    /// How many statements per page.
    #[param(minimum = 1, maximum = 500, default = 50, example = 50)]
    pub limit: Option<u32>,
}

/// Filters and paging of one nation's statements.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct StatementFilterParams {
    /// Only statements by this person (a person's id).
    #[param(value_type = Option<i64>, minimum = 1, example = 3)]
    pub speaker: Option<Id>,
    /// Only statements made at this event.
    #[param(value_type = Option<i64>, minimum = 1, example = 1)]
    pub event: Option<Id>,
    /// Only statements taking this stance.
    pub stance: Option<Stance>,
    /// Answer with what the knowledge base held at this moment (RFC 3339), read from the history.
    #[param(example = "2026-12-01T00:00:00Z")]
    pub as_of: Option<chrono::DateTime<chrono::Utc>>,
    /// Also list records that have been retracted.
    #[param(example = false)]
    pub include_retracted: Option<bool>,
    /// The `next_cursor` of the previous page, unchanged (`AAAAAAAAAAA` starts from the beginning).
    #[param(pattern = "^[A-Za-z0-9_-]{11}$", example = "AAAAAAAAAAA")]
    pub cursor: Option<String>,
    /// How many statements per page.
    #[param(minimum = 1, maximum = 500, default = 50, example = 50)]
    pub limit: Option<u32>,
}

/// List statements
///
/// Words officials said or wrote, verbatim where the source quotes them, with speaker, stance and
/// citations. Filters combine.
#[utoipa::path(tag = "statements", operation_id = "list_statements", params(StatementListParams), responses((status = 200, description = "A page of statements.", body = StatementPage)))]
#[get("/statements")]
pub async fn list_statements(
    state: web::Data<AppState>,
    Query(params): Query<StatementListParams>,
) -> Result<Listed<Paged<StatementPage>>, ApiError> {
    let mut conn = state.conn().await?;
    let nation = params.nation.map(NationCode::into_string);
    let rest = StatementFilterParams {
        as_of: params.as_of,
        include_retracted: params.include_retracted,
        speaker: params.speaker,
        event: params.event,
        stance: params.stance,
        cursor: params.cursor,
        limit: params.limit,
    };
    list_statements_where(&mut conn, nation, rest).await.map(Listed)
}

/// A page of statements, of one nation if given.
pub(crate) async fn list_statements_where(
    conn: &mut AsyncPgConnection,
    nation: Option<String>,
    params: StatementFilterParams,
) -> Result<Paged<StatementPage>, ApiError> {
    let page = PageRequest::<i64>::new(params.cursor.as_deref(), params.limit)?;
    let include_retracted = params.include_retracted.unwrap_or(false);
    if let Some(at) = params.as_of {
        let mut contains = serde_json::Map::new();
        if let Some(nation) = nation {
            contains.insert("nation".into(), json!(nation));
        }
        if let Some(Id(speaker)) = params.speaker {
            contains.insert("speaker".into(), json!({ "id": speaker }));
        }
        if let Some(Id(event)) = params.event {
            contains.insert("event_id".into(), json!(event));
        }
        if let Some(stance) = params.stance {
            contains.insert("stance".into(), json!(stance));
        }
        return as_of_list(
            conn,
            AsOfList::new(Entity::Statements, at, include_retracted, contains.into()),
            &page,
        )
        .await;
    }
    let filter = StatementFilter {
        nation,
        speaker: params.speaker.map(|Id(id)| id),
        event: params.event.map(|Id(id)| id),
        stance: params.stance,
        include_retracted,
    };
    let rows = statements::list(conn, &filter, page.window().copied()).await?;
    let (rows, next_cursor) = page.finish(rows, |s| s.id);
    Ok(Paged::Live(StatementPage {
        items: views::statements(conn, rows).await?,
        next_cursor,
    }))
}

/// Get a statement
///
/// One statement with its speaker and citations.
#[utoipa::path(
    tag = "statements",
    operation_id = "get_statement",
    params(("id" = i64, Path, description = "The statement's id.", minimum = 1, example = 1), ReadParams),
    responses(
        (status = 200, description = "The statement.", body = Statement, headers(("ETag" = String, description = "The record's version, for `If-Match` when changing it."))),
        (status = 404, description = "No statement has this id.", body = crate::api::error::Problem, content_type = "application/problem+json"),
    )
)]
#[get("/statements/{id}")]
pub async fn get_statement(
    state: web::Data<AppState>,
    id: web::Path<Id>,
    Query(read): Query<ReadParams>,
) -> Result<HttpResponse, ApiError> {
    let Id(id) = id.into_inner();
    let mut conn = state.conn().await?;
    detail(&mut conn, Entity::Statements, id, &read).await
}
