//! Keys, for admins: make, list and revoke the keys editors write with.

use actix_web::{delete, get, post, web, HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;

use super::not_found;
use crate::api::auth::{self, Admin};
use crate::api::error::ApiError;
use crate::api::formats::list_of;
use crate::api::input::{self, limits, Problems, Reader};
use crate::api::paging::PageRequest;
use crate::api::params::{Id, Query};
use crate::api::schemas::service::{CreatedKey, Key, KeyPage, NewKey};
use crate::api::AppState;
use crate::db::models::ApiKey;
use crate::db::queries::keys;
use crate::vocab::KeyRole;

impl From<ApiKey> for Key {
    fn from(k: ApiKey) -> Self {
        Key {
            id: k.id,
            name: k.name,
            role: k.role,
            created_at: k.created_at,
            revoked_at: k.revoked_at,
        }
    }
}

/// Paging of the keys list.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct KeyListParams {
    /// The `next_cursor` of the previous page, unchanged (`AAAAAAAAAAA` starts from the beginning).
    #[param(pattern = "^[A-Za-z0-9_-]{11}$", example = "AAAAAAAAAAA")]
    pub cursor: Option<String>,
    /// How many keys per page.
    #[param(minimum = 1, maximum = 500, default = 50, example = 50)]
    pub limit: Option<u32>,
}

crate::api::paging::paging!(KeyListParams);

/// Create a key
///
/// Makes a key with the given role and answers its text, this once; only its hash is kept.
#[utoipa::path(
    tag = "keys",
    operation_id = "create_key",
    request_body = NewKey,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "The new key, with its text.", body = CreatedKey),
        (status = 401, description = "No key, or an unknown or revoked one.", body = crate::api::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "The key is not an admin's.", body = crate::api::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "The body has problems; `errors` lists them all.", body = crate::api::error::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/keys")]
pub async fn create_key(state: web::Data<AppState>, _admin: Admin, body: web::Bytes) -> Result<HttpResponse, ApiError> {
    let map = input::object(&body)?;
    let reader = Reader::new(&map);
    let mut problems = Problems::default();
    reader.only(&["name", "role"], &mut problems);
    let name = reader.text("name", true, limits::NAME, &mut problems);
    let role = reader.vocab::<KeyRole>("role", true, &mut problems);
    let (Some(name), Some(role)) = problems.finish((name, role))? else {
        return Err(ApiError::Internal("a checked key lacks a field".into()));
    };
    let mut conn = state.conn().await?;
    let (row, key) = auth::make_key(&mut conn, &name, role).await?;
    conn.end().await?;
    Ok(HttpResponse::Created().json(CreatedKey { info: row.into(), key }))
}

/// List keys
///
/// Every key, revoked ones included, without their secrets.
#[utoipa::path(
    tag = "keys",
    operation_id = "list_keys",
    params(KeyListParams),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of keys.", body = KeyPage),
        (status = 401, description = "No key, or an unknown or revoked one.", body = crate::api::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "The key is not an admin's.", body = crate::api::error::Problem, content_type = "application/problem+json"),
    )
)]
#[get("/keys")]
pub async fn list_keys(
    req: HttpRequest,
    state: web::Data<AppState>,
    _admin: Admin,
    Query(params): Query<KeyListParams>,
) -> Result<HttpResponse, ApiError> {
    list_of(&req, &state.clone(), params, move |params| {
        list_keys_page(state.clone(), params)
    })
    .await
}

/// One page of `list_keys`.
async fn list_keys_page(state: web::Data<AppState>, params: KeyListParams) -> Result<KeyPage, ApiError> {
    let page = PageRequest::<i64>::new(params.cursor.as_deref(), params.limit)?;
    let mut conn = state.conn().await?;
    let rows = keys::list(&mut conn, page.window().copied()).await?;
    let (rows, next_cursor) = page.finish(rows, |k| k.id);
    Ok(KeyPage {
        items: rows.into_iter().map(Key::from).collect(),
        next_cursor,
    })
}

/// Revoke a key
///
/// Revokes the key at once: requests made with it are refused from now on. Revoking a revoked key
/// changes nothing; a key cannot revoke itself, so that an admin never locks themselves out.
#[utoipa::path(
    tag = "keys",
    operation_id = "delete_key",
    params(("id" = i64, Path, description = "The key's id.", minimum = 1, example = 2)),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The revoked key.", body = Key),
        (status = 401, description = "No key, or an unknown or revoked one.", body = crate::api::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "The key is not an admin's.", body = crate::api::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No key has this id.", body = crate::api::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The key is the one the request is made with.", body = crate::api::error::Problem, content_type = "application/problem+json"),
    )
)]
#[delete("/keys/{id}")]
pub async fn delete_key(
    state: web::Data<AppState>,
    admin: Admin,
    id: web::Path<Id>,
) -> Result<web::Json<Key>, ApiError> {
    let Id(id) = id.into_inner();
    if id == admin.0.key_id {
        return Err(ApiError::Conflict(format!(
            "key {id} is the key this request is made with; revoke it with another admin key, or with `alliance-kb keys revoke {id}`"
        )));
    }
    let mut conn = state.conn().await?;
    let key = keys::revoke(&mut conn, id).await?.ok_or_else(|| not_found("key", id))?;
    conn.end().await?;
    log::info!("key {} revoked key {id}", admin.0.key_id);
    Ok(web::Json(key.into()))
}
