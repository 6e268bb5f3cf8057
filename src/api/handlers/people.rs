//! People: officials who speak or act.

use actix_web::{get, web};
use serde::Deserialize;
use utoipa::IntoParams;

use super::not_found;
use crate::api::error::ApiError;
use crate::api::params::{Id, NationCode, PageRequest, Query};
use crate::api::present::Listed;
use crate::api::types::{Person, PersonPage};
use crate::api::views;
use crate::db::queries::people;
use crate::startup::AppState;

/// Filters and paging of the people list.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PersonListParams {
    /// Only people acting for this nation (ISO 3166-1 alpha-2, any case).
    #[param(value_type = Option<String>, pattern = "^[A-Za-z]{2}$", example = "US")]
    pub nation: Option<NationCode>,
    /// The `next_cursor` of the previous page, unchanged (`AAAAAAAAAAA` starts from the beginning).
    #[param(pattern = "^[A-Za-z0-9_-]{11}$", example = "AAAAAAAAAAA")]
    pub cursor: Option<String>,
    /// How many people per page.
    #[param(minimum = 1, maximum = 500, default = 50, example = 50)]
    pub limit: Option<u32>,
}

/// List people
///
/// Officials who speak or act, with their roles as the sources state them.
#[utoipa::path(tag = "people", operation_id = "list_people", params(PersonListParams), responses((status = 200, description = "A page of people.", body = PersonPage)))]
#[get("/people")]
pub async fn list_people(
    state: web::Data<AppState>,
    Query(params): Query<PersonListParams>,
) -> Result<Listed<PersonPage>, ApiError> {
    let page = PageRequest::<i64>::new(params.cursor.as_deref(), params.limit)?;
    let mut conn = state.conn().await?;
    let nation = params.nation.map(NationCode::into_string);
    let rows = people::list(&mut conn, nation.as_deref(), page.window().copied()).await?;
    let (rows, next_cursor) = page.finish(rows, |p| p.id);
    Ok(Listed(PersonPage {
        items: rows.into_iter().map(views::person).collect(),
        next_cursor,
    }))
}

/// Get a person
///
/// One official by id.
#[utoipa::path(
    tag = "people",
    operation_id = "get_person",
    params(("id" = i64, Path, description = "The person's id.", minimum = 1, example = 3)),
    responses(
        (status = 200, description = "The person.", body = Person),
        (status = 404, description = "No person has this id.", body = crate::api::error::Problem, content_type = "application/problem+json"),
    )
)]
#[get("/people/{id}")]
pub async fn get_person(state: web::Data<AppState>, id: web::Path<Id>) -> Result<web::Json<Person>, ApiError> {
    let Id(id) = id.into_inner();
    let mut conn = state.conn().await?;
    let row = people::get(&mut conn, id)
        .await?
        .ok_or_else(|| not_found("person", id))?;
    Ok(web::Json(views::person(row)))
}
