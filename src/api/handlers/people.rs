//! People: officials who speak or act.

use actix_web::{delete, get, patch, post, web, HttpRequest, HttpResponse};
use diesel_async::AsyncPgConnection;
use serde::Deserialize;
use utoipa::IntoParams;

use serde_json::json;

use super::reading::{as_of_list, detail, AsOfList, ReadParams};
use crate::api::auth::Editor;
use crate::api::edit::{self, without_nulls, Editable};
use crate::api::error::ApiError;
use crate::api::formats::list_of;
use crate::api::input::{limits, Problems, Reader};
use crate::api::paging::{PageRequest, Paged};
use crate::api::params::{Id, NationCode, Query};
use crate::api::schemas::bodies::{ChangeErrors, CreateErrors, PersonInput, PersonPatch};
use crate::api::schemas::records::{Person, PersonPage};
use crate::api::write::{check_nations, RetractParams};
use crate::api::AppState;
use crate::db::models::NewPerson;
use crate::db::queries::{people, writes};
use crate::records::history::{self, Action, Entity};
use crate::records::views;

/// Filters and paging of the people list.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PersonListParams {
    /// Only people acting for this nation (ISO 3166-1 alpha-2, any case).
    #[param(value_type = Option<String>, pattern = "^[A-Za-z]{2}$", example = "US")]
    pub nation: Option<NationCode>,
    /// Answer with what the knowledge base held at this moment (RFC 3339), read from the history.
    #[param(example = json!(null))]
    #[serde(default, deserialize_with = "crate::api::params::within_pg_range")]
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

crate::api::paging::paging!(PersonListParams);

/// List people
///
/// Officials who speak or act, with their roles as the sources state them.
#[utoipa::path(tag = "people", operation_id = "list_people", params(PersonListParams), responses((status = 200, description = "A page of people.", body = PersonPage)))]
#[get("/people")]
pub async fn list_people(
    req: HttpRequest,
    state: web::Data<AppState>,
    Query(params): Query<PersonListParams>,
) -> Result<HttpResponse, ApiError> {
    list_of(&req, &state.clone(), params, move |params| {
        list_people_page(state.clone(), params)
    })
    .await
}

/// One page of `list_people`.
async fn list_people_page(state: web::Data<AppState>, params: PersonListParams) -> Result<Paged<PersonPage>, ApiError> {
    let page = PageRequest::<i64>::new(params.cursor.as_deref(), params.limit)?;
    let mut conn = state.conn().await?;
    let nation = params.nation.map(NationCode::into_string);
    let include_retracted = params.include_retracted.unwrap_or(false);
    if let Some(at) = params.as_of {
        let contains = match nation {
            Some(nation) => json!({ "nation": nation }),
            None => json!({}),
        };
        return Ok(Paged::AsOf(
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
    Ok(Paged::Live(PersonPage {
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
    params(("id" = i64, Path, description = "The person's id.", minimum = 1, example = 3), ReadParams),
    responses(
        (status = 200, description = "The person.", body = Person, headers(("ETag" = String, description = "The record's version, for `If-Match` when changing it."))),
        (status = 404, description = "No person has this id.", body = crate::api::error::Problem, content_type = "application/problem+json"),
    )
)]
#[get("/people/{id}")]
pub async fn get_person(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<Id>,
    Query(read): Query<ReadParams>,
) -> Result<HttpResponse, ApiError> {
    let Id(id) = id.into_inner();
    detail(&state, &req, Entity::People, id, &read).await
}

/// People as editors write them.
pub struct PersonEdit;

/// A person's checked fields.
pub struct PersonFields {
    name: String,
    role: Option<String>,
    nation: Option<String>,
}

impl Editable for PersonEdit {
    const ENTITY: Entity = Entity::People;
    const FIELDS: &'static [&'static str] = &["name", "role", "nation"];
    const CITED: bool = false;
    type Fields = PersonFields;

    async fn read(
        conn: &mut AsyncPgConnection,
        reader: &Reader<'_>,
        problems: &mut Problems,
    ) -> Result<Option<PersonFields>, ApiError> {
        let name = reader.text("name", true, limits::NAME, problems);
        let role = reader.text("role", false, limits::LABEL, problems);
        let nation = reader.nation("nation", false, problems);
        if let Some(nation) = &nation {
            check_nations(conn, &[("nation".into(), nation.clone())], problems).await?;
        }
        Ok(name.map(|name| PersonFields { name, role, nation }))
    }

    async fn current(conn: &mut AsyncPgConnection, id: i64) -> Result<serde_json::Value, ApiError> {
        let p = people::get(conn, id)
            .await?
            .ok_or_else(|| ApiError::NotFound(format!("no person has the id {id}")))?;
        Ok(without_nulls(
            json!({"name": p.name, "role": p.role, "nation": p.nation_code}),
        ))
    }

    async fn insert(conn: &mut AsyncPgConnection, f: &PersonFields) -> Result<i64, ApiError> {
        Ok(writes::insert_person(
            conn,
            NewPerson {
                name: &f.name,
                role: f.role.as_deref(),
                nation_code: f.nation.as_deref(),
            },
        )
        .await?)
    }

    async fn update(conn: &mut AsyncPgConnection, id: i64, f: &PersonFields) -> Result<(), ApiError> {
        writes::update_person(
            conn,
            id,
            NewPerson {
                name: &f.name,
                role: f.role.as_deref(),
                nation_code: f.nation.as_deref(),
            },
        )
        .await?;
        Ok(())
    }

    async fn after_write(conn: &mut AsyncPgConnection, id: i64, key: Option<i64>) -> Result<(), ApiError> {
        // A person's name and role show on the commitments they announced and the words they said.
        let (commitments, statements) = writes::dependents_of_person(conn, id).await?;
        history::snapshot(conn, Entity::Commitments, &commitments, Action::Update, key).await?;
        history::snapshot(conn, Entity::Statements, &statements, Action::Update, key).await?;
        Ok(())
    }

    async fn before_retract(conn: &mut AsyncPgConnection, id: i64) -> Result<(), ApiError> {
        let (commitments, statements) = writes::dependents_of_person(conn, id).await?;
        if commitments.is_empty() && statements.is_empty() {
            return Ok(());
        }
        Err(ApiError::Conflict(format!(
            "person {id} announced commitments {commitments:?} and made statements {statements:?}; correct or retract those first"
        )))
    }
}

/// Add a person
///
/// Records an official who speaks or acts, with their role as the source states it. Send `Idempotency-Key` to make a retry safe.
#[utoipa::path(
    tag = "people",
    operation_id = "create_person",
    request_body = PersonInput,
    params(("Idempotency-Key" = Option<String>, Header, pattern = "^[!-~]{1,200}$", description = crate::api::write::IDEMPOTENCY_KEY_CREATES_DOC)),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "The new record.", body = Person,
            headers(("ETag" = String, description = "Its version."), ("Location" = String, description = "Where it lives."))),
        CreateErrors,
    )
)]
#[post("/people")]
pub async fn create_person(
    state: web::Data<AppState>,
    editor: Editor,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    edit::create_response::<PersonEdit>(&state, editor.0, &req, &body).await
}

/// Correct a person
///
/// Applies a JSON Merge Patch (RFC 7396) to its fields. Needs `If-Match` with the ETag it was read
/// with: a 412 means someone changed it since.
#[utoipa::path(
    tag = "people",
    operation_id = "update_person",
    request_body(content = PersonPatch, content_type = "application/merge-patch+json"),
    params(
        ("id" = i64, Path, description = "The record's id.", minimum = 1, example = 3),
        ("If-Match" = String, Header, description = crate::api::write::IF_MATCH_DOC, example = "\"1\""),
    ),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The record, as it now reads.", body = Person, headers(("ETag" = String, description = "Its new version."))),
        ChangeErrors,
    )
)]
#[patch("/people/{id}")]
pub async fn update_person(
    state: web::Data<AppState>,
    editor: Editor,
    req: HttpRequest,
    id: web::Path<Id>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    edit::update_response::<PersonEdit>(&state, editor.0, &req, id.into_inner().0, &body).await
}

/// Retract a person
///
/// Hides the person from reads, keeping them and the reason. A person who announced live commitments or made live statements cannot be retracted. Needs `If-Match`.
#[utoipa::path(
    tag = "people",
    operation_id = "delete_person",
    params(
        ("id" = i64, Path, description = "The record's id.", minimum = 1, example = 3),
        ("If-Match" = String, Header, description = crate::api::write::IF_MATCH_DOC, example = "\"1\""),
        RetractParams,
    ),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The retracted record.", body = Person, headers(("ETag" = String, description = "Its new version."))),
        ChangeErrors,
    )
)]
#[delete("/people/{id}")]
pub async fn delete_person(
    state: web::Data<AppState>,
    editor: Editor,
    req: HttpRequest,
    id: web::Path<Id>,
    Query(params): Query<RetractParams>,
) -> Result<HttpResponse, ApiError> {
    edit::retract_response::<PersonEdit>(&state, editor.0, &req, id.into_inner().0, &params).await
}
