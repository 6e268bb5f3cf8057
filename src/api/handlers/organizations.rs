//! Organizations: alliances, unions, coalitions.

use actix_web::{get, web, HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::api::error::ApiError;
use crate::api::formats::list_of;
use crate::api::paging::PageRequest;
use crate::api::params::Query;
use crate::api::schemas::records::OrganizationPage;
use crate::api::AppState;
use crate::db::queries::organizations;
use crate::records::views;

/// Paging of the organizations list.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct OrganizationListParams {
    /// Accepted for symmetry with every other read: this is reference data, the same at every moment.
    #[param(example = json!(null))]
    #[serde(default, deserialize_with = "crate::api::params::within_pg_range")]
    pub as_of: Option<chrono::DateTime<chrono::Utc>>,
    /// The `next_cursor` of the previous page, unchanged (`AAAAAAAAAAA` starts from the beginning).
    #[param(pattern = "^[A-Za-z0-9_-]{11}$", example = "AAAAAAAAAAA")]
    pub cursor: Option<String>,
    /// How many organizations per page.
    #[param(minimum = 1, maximum = 500, default = 50, example = 50)]
    pub limit: Option<u32>,
}

crate::api::paging::paging!(OrganizationListParams);

/// List organizations
///
/// Alliances, unions and coalitions, each with its members and their dates of joining and leaving
/// where known.
#[utoipa::path(tag = "organizations", operation_id = "list_organizations", params(OrganizationListParams), responses((status = 200, description = "A page of organizations.", body = OrganizationPage)))]
#[get("/organizations")]
pub async fn list_organizations(
    req: HttpRequest,
    state: web::Data<AppState>,
    Query(params): Query<OrganizationListParams>,
) -> Result<HttpResponse, ApiError> {
    list_of(&req, &state.clone(), params, move |params| {
        list_organizations_page(state.clone(), params)
    })
    .await
}

/// One page of `list_organizations`.
async fn list_organizations_page(
    state: web::Data<AppState>,
    params: OrganizationListParams,
) -> Result<OrganizationPage, ApiError> {
    let page = PageRequest::<i64>::new(params.cursor.as_deref(), params.limit)?;
    let mut conn = state.conn().await?;
    let rows = organizations::list(&mut conn, page.window().copied()).await?;
    let (rows, next_cursor) = page.finish(rows, |o| o.id);
    Ok(OrganizationPage {
        items: views::organizations(&mut conn, rows).await?,
        next_cursor,
    })
}
