//! People: officials who speak or act.

use actix_web::{get, web, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;

use serde_json::json;

use super::reading::{as_of_list, detail, AsOfList, Paged, ReadParams};
use crate::api::error::ApiError;
use crate::api::history::Entity;
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
    /// Answer with what the knowledge base held at this moment (RFC 3339), read from the history.
    #[param(example = "2026-12-01T00:00:00Z")]
    pub as_of: Option<chrono::DateTime<chrono::Utc>>,
    /// Also list records that have been retracted.
    #[param(example = false)]
    pub include_retracted: Option<bool>,
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
) -> Result<Listed<Paged<PersonPage>>, ApiError> {
    let page = PageRequest::<i64>::new(params.cursor.as_deref(), params.limit)?;
    let mut conn = state.conn().await?;
    let nation = params.nation.map(NationCode::into_string);
    let include_retracted = params.include_retracted.unwrap_or(false);
    if let Some(at) = params.as_of {
        let contains = match nation {
            Some(nation) => json!({ "nation": nation }),
            None => json!({}),
        };
        return Ok(Listed(
            as_of_list(
                &mut conn,
                AsOfList::new(Entity::People, at, include_retracted, contains),
                &page,
            )
            .await?,
        ));
    }
    let rows = people::list(&mut conn, nation.as_deref(), include_retracted, page.window().copied()).await?;
    let (rows, next_cursor) = page.finish(rows, |p| p.id);
    Ok(Listed(Paged::Live(PersonPage {
        items: rows.into_iter().map(views::person).collect(),
        next_cursor,
    })))
}

/// Get a person
///
/// One official by id.
#[utoipa::path(
    tag = "people",
    operation_id = "get_person",
    params(("id" = i64, Path, description = "The person's id.", minimum = 1, example = 3), ReadParams),
    responses(
        (status = 200, description = "The person.", body = Person, headers(("ETag" = String, description = "The record's version, for `If-Match` when changing it."))),
        (status = 404, description = "No person has this id.", body = crate::api::error::Problem, content_type = "application/problem+json"),
    )
)]
#[get("/people/{id}")]
pub async fn get_person(
    state: web::Data<AppState>,
    id: web::Path<Id>,
    Query(read): Query<ReadParams>,
) -> Result<HttpResponse, ApiError> {
    let Id(id) = id.into_inner();
    let mut conn = state.conn().await?;
    detail(&mut conn, Entity::People, id, &read).await
}
