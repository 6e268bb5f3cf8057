//! Statements: words someone said or wrote.

use actix_web::{get, web};
use diesel_async::AsyncPgConnection;
use serde::Deserialize;
use utoipa::IntoParams;

use super::not_found;
use crate::api::error::ApiError;
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
) -> Result<Listed<StatementPage>, ApiError> {
    let mut conn = state.conn().await?;
    let nation = params.nation.map(NationCode::into_string);
    let rest = StatementFilterParams {
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
) -> Result<StatementPage, ApiError> {
    let page = PageRequest::<i64>::new(params.cursor.as_deref(), params.limit)?;
    let filter = StatementFilter {
        nation,
        speaker: params.speaker.map(|Id(id)| id),
        event: params.event.map(|Id(id)| id),
        stance: params.stance,
    };
    let rows = statements::list(conn, &filter, page.window().copied()).await?;
    let (rows, next_cursor) = page.finish(rows, |s| s.id);
    Ok(StatementPage {
        items: views::statements(conn, rows).await?,
        next_cursor,
    })
}

/// Get a statement
///
/// One statement with its speaker and citations.
#[utoipa::path(
    tag = "statements",
    operation_id = "get_statement",
    params(("id" = i64, Path, description = "The statement's id.", minimum = 1, example = 1)),
    responses(
        (status = 200, description = "The statement.", body = Statement),
        (status = 404, description = "No statement has this id.", body = crate::api::error::Problem, content_type = "application/problem+json"),
    )
)]
#[get("/statements/{id}")]
pub async fn get_statement(state: web::Data<AppState>, id: web::Path<Id>) -> Result<web::Json<Statement>, ApiError> {
    let Id(id) = id.into_inner();
    let mut conn = state.conn().await?;
    let row = statements::get(&mut conn, id)
        .await?
        .ok_or_else(|| not_found("statement", id))?;
    let mut items = views::statements(&mut conn, vec![row]).await?;
    items.pop().map(web::Json).ok_or_else(|| not_found("statement", id))
}
