//! Nations, and the commitments and statements of one nation.

use actix_web::{get, web, HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;

use super::commitments::{list_commitments_where, CommitmentFilterParams};
use super::nation_in_path;
use super::statements::{list_statements_where, StatementFilterParams};
use crate::api::error::ApiError;
use crate::api::formats::list_of;
use crate::api::paging::PageRequest;
use crate::api::params::{Query, ReferenceParams};
use crate::api::schemas::records::{CommitmentPage, NationDetail, NationMembership, NationPage, StatementPage};
use crate::api::AppState;
use crate::db::queries::nations;
use crate::records::views;

/// Paging of the nations list.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct NationListParams {
    /// Accepted for symmetry with every other read: this is reference data, the same at every moment.
    #[param(example = json!(null))]
    #[serde(default, deserialize_with = "crate::api::params::within_pg_range")]
    pub as_of: Option<chrono::DateTime<chrono::Utc>>,
    /// The `next_cursor` of the previous page, unchanged (`AAAAAAAAAAA` starts from the beginning).
    #[param(pattern = "^[A-Za-z0-9_-]{11}$", example = "AAAAAAAAAAA")]
    pub cursor: Option<String>,
    /// How many nations per page.
    #[param(minimum = 1, maximum = 500, default = 50, example = 50)]
    pub limit: Option<u32>,
}

crate::api::paging::paging!(NationListParams);

/// List nations
///
/// Every state of ISO 3166-1, in code order: any of them can be named by a fact, not only those a
/// source mentions.
#[utoipa::path(tag = "nations", operation_id = "list_nations", params(NationListParams), responses((status = 200, description = "A page of nations.", body = NationPage)))]
#[get("/nations")]
pub async fn list_nations(
    req: HttpRequest,
    state: web::Data<AppState>,
    Query(params): Query<NationListParams>,
) -> Result<HttpResponse, ApiError> {
    list_of(&req, &state.clone(), params, move |params| {
        list_nations_page(state.clone(), params)
    })
    .await
}

/// One page of `list_nations`.
async fn list_nations_page(state: web::Data<AppState>, params: NationListParams) -> Result<NationPage, ApiError> {
    let page = PageRequest::<String>::new(params.cursor.as_deref(), params.limit)?;
    let mut conn = state.conn().await?;
    let rows = nations::list(&mut conn, page.window().as_str()).await?;
    let (rows, next_cursor) = page.finish(rows, |n| n.code.clone());
    Ok(NationPage {
        items: rows.into_iter().map(views::nation).collect(),
        next_cursor,
    })
}

/// Get a nation
///
/// One nation by its ISO 3166-1 alpha-2 code (case does not matter), with the organizations it
/// belongs or belonged to.
#[utoipa::path(
    tag = "nations",
    operation_id = "get_nation",
    params(("code" = String, Path, description = "ISO 3166-1 alpha-2 code, any case.", pattern = "^[A-Za-z]{2}$", example = "FR"), ReferenceParams),
    responses(
        (status = 200, description = "The nation.", body = NationDetail),
        (status = 404, description = "No nation has this code.", body = crate::api::error::Problem, content_type = "application/problem+json"),
    )
)]
#[get("/nations/{code}")]
pub async fn get_nation(
    state: web::Data<AppState>,
    code: web::Path<String>,
    _params: Query<ReferenceParams>,
) -> Result<web::Json<NationDetail>, ApiError> {
    let mut conn = state.conn().await?;
    let code = nation_in_path(&mut conn, &code).await?;
    let nation = nations::get(&mut conn, &code)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("no nation has the code {code}")))?;
    let memberships = nations::memberships(&mut conn, &code)
        .await?
        .into_iter()
        .map(|(m, o)| NationMembership {
            organization_id: o.id,
            organization: o.name,
            abbreviation: o.abbreviation,
            joined_on: m.joined_on,
            left_on: m.left_on,
        })
        .collect();
    let n = views::nation(nation);
    Ok(web::Json(NationDetail {
        code: n.code,
        alpha3: n.alpha3,
        name: n.name,
        common_name: n.common_name,
        official_name: n.official_name,
        memberships,
    }))
}

/// List a nation's commitments
///
/// What one nation offered, pledged, refused or withdrew; the same filters as `list_commitments`
/// but `nation`, which the path gives.
#[utoipa::path(
    tag = "nations",
    operation_id = "list_nation_commitments",
    params(("code" = String, Path, description = "ISO 3166-1 alpha-2 code, any case.", pattern = "^[A-Za-z]{2}$", example = "CZ"), CommitmentFilterParams),
    responses(
        (status = 200, description = "A page of the nation's commitments.", body = CommitmentPage),
        (status = 404, description = "No nation has this code.", body = crate::api::error::Problem, content_type = "application/problem+json"),
    )
)]
#[get("/nations/{code}/commitments")]
pub async fn list_nation_commitments(
    req: HttpRequest,
    state: web::Data<AppState>,
    code: web::Path<String>,
    Query(params): Query<CommitmentFilterParams>,
) -> Result<HttpResponse, ApiError> {
    let code = code.into_inner();
    list_of(&req, &state.clone(), params, move |params| {
        list_nation_commitments_page(state.clone(), code.clone(), params)
    })
    .await
}

/// One page of `list_nation_commitments`.
async fn list_nation_commitments_page(
    state: web::Data<AppState>,
    code: String,
    params: CommitmentFilterParams,
) -> Result<crate::api::paging::StoredPage<CommitmentPage>, ApiError> {
    let mut conn = state.conn().await?;
    let code = nation_in_path(&mut conn, &code).await?;
    list_commitments_where(&mut conn, vec![code], params).await
}

/// List a nation's statements
///
/// Words said or written for one nation; the same filters as `list_statements` but `nation`,
/// which the path gives.
#[utoipa::path(
    tag = "nations",
    operation_id = "list_nation_statements",
    params(("code" = String, Path, description = "ISO 3166-1 alpha-2 code, any case.", pattern = "^[A-Za-z]{2}$", example = "US"), StatementFilterParams),
    responses(
        (status = 200, description = "A page of the nation's statements.", body = StatementPage),
        (status = 404, description = "No nation has this code.", body = crate::api::error::Problem, content_type = "application/problem+json"),
    )
)]
#[get("/nations/{code}/statements")]
pub async fn list_nation_statements(
    req: HttpRequest,
    state: web::Data<AppState>,
    code: web::Path<String>,
    Query(params): Query<StatementFilterParams>,
) -> Result<HttpResponse, ApiError> {
    let code = code.into_inner();
    list_of(&req, &state.clone(), params, move |params| {
        list_nation_statements_page(state.clone(), code.clone(), params)
    })
    .await
}

/// One page of `list_nation_statements`.
async fn list_nation_statements_page(
    state: web::Data<AppState>,
    code: String,
    params: StatementFilterParams,
) -> Result<crate::api::paging::StoredPage<StatementPage>, ApiError> {
    let mut conn = state.conn().await?;
    let code = nation_in_path(&mut conn, &code).await?;
    list_statements_where(&mut conn, vec![code], params).await
}
