//! The history itself: every version of a record, and every change since a moment.

use actix_web::{get, web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::api::error::ApiError;
use crate::api::formats::list_of;
use crate::api::paging::PageRequest;
use crate::api::params::{Id, Query};
use crate::api::schemas::views::{Change, ChangePage, Revision, RevisionPage};
use crate::api::AppState;
use crate::db::queries::revisions::{self, ChangeRow};
use crate::records::history::Entity;

/// Paging of a record's revisions.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct RevisionListParams {
    /// The `next_cursor` of the previous page, unchanged (`AAAAAAAAAAA` starts from the beginning).
    #[param(pattern = "^[A-Za-z0-9_-]{11}$", example = "AAAAAAAAAAA")]
    pub cursor: Option<String>,
    /// How many revisions per page.
    #[param(minimum = 1, maximum = 500, default = 50, example = 50)]
    pub limit: Option<u32>,
}

crate::api::paging::paging!(RevisionListParams);

/// The moment after which changes are listed, and paging.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ChangeListParams {
    /// List the changes made after this moment (RFC 3339).
    #[param(example = "2026-11-26T00:00:00Z")]
    #[serde(deserialize_with = "crate::api::params::required_within_pg_range")]
    pub since: DateTime<Utc>,
    /// The `next_cursor` of the previous page, unchanged (`AAAAAAAAAAA` starts from the beginning).
    #[param(pattern = "^[A-Za-z0-9_-]{11}$", example = "AAAAAAAAAAA")]
    pub cursor: Option<String>,
    /// How many changes per page.
    #[param(minimum = 1, maximum = 500, default = 50, example = 50)]
    pub limit: Option<u32>,
}

crate::api::paging::paging!(ChangeListParams);

/// List a record's revisions
///
/// Every version of the record, oldest first: when, by which key, what it was before and after.
/// Retracted records keep their history.
#[utoipa::path(
    tag = "history",
    operation_id = "list_revisions",
    params(
        ("resource" = Entity, Path, description = "The kind of record."),
        ("id" = i64, Path, description = "The record's id.", minimum = 1, example = 1),
        RevisionListParams,
    ),
    responses(
        (status = 200, description = "A page of revisions.", body = RevisionPage),
        (status = 404, description = "No such kind of record, or no record with this id.", body = crate::api::error::Problem, content_type = "application/problem+json"),
    )
)]
#[get("/{resource}/{id}/revisions")]
pub async fn list_revisions(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, Id)>,
    Query(params): Query<RevisionListParams>,
) -> Result<HttpResponse, ApiError> {
    let (name, Id(id)) = path.into_inner();
    let entity = Entity::from_name(&name).ok_or_else(|| {
        ApiError::NotFound(format!(
            "`{name}` have no revisions; the records with a history are sources, people, events, commitments, statements, claims and citations"
        ))
    })?;
    list_of(&req, &state.clone(), params, move |params| {
        list_revisions_page(state.clone(), entity, id, params)
    })
    .await
}

/// One page of a record's revisions.
async fn list_revisions_page(
    state: web::Data<AppState>,
    entity: Entity,
    id: i64,
    params: RevisionListParams,
) -> Result<RevisionPage, ApiError> {
    let page = PageRequest::<i64>::new(params.cursor.as_deref(), params.limit)?;
    let mut conn = state.conn().await?;
    let window = page.window();
    let rows = revisions::of_record(&mut conn, entity.name(), id, window.after.copied(), window.fetch).await?;
    if rows.is_empty() && window.after.is_none() {
        return Err(ApiError::NotFound(format!("no {} has the id {id}", entity.singular())));
    }
    let (rows, next_cursor) = page.finish(rows, |r| i64::from(r.version));
    let items = rows
        .into_iter()
        .map(|r| Revision {
            version: r.version,
            action: r.action,
            changed_at: r.changed_at,
            key_id: r.key_id,
            before: r.before,
            after: r.after,
        })
        .collect();
    Ok(RevisionPage { items, next_cursor })
}

/// List changes since a moment
///
/// Every change made after `since`, in the order made (by `changed_at`, then `revision_id`), each
/// with the record as it then read: a client that keeps a copy applies them in order, then asks
/// again with its last `changed_at`.
#[utoipa::path(
    tag = "history",
    operation_id = "list_changes",
    params(ChangeListParams),
    responses((status = 200, description = "A page of changes.", body = ChangePage))
)]
#[get("/changes")]
pub async fn list_changes(
    req: HttpRequest,
    state: web::Data<AppState>,
    Query(params): Query<ChangeListParams>,
) -> Result<HttpResponse, ApiError> {
    list_of(&req, &state.clone(), params, move |params| {
        list_changes_page(state.clone(), params)
    })
    .await
}

/// One page of `list_changes`.
async fn list_changes_page(state: web::Data<AppState>, params: ChangeListParams) -> Result<ChangePage, ApiError> {
    let page = PageRequest::<i64>::new(params.cursor.as_deref(), params.limit)?;
    let mut conn = state.conn().await?;
    let window = page.window();
    let rows: Vec<ChangeRow> = revisions::since(&mut conn, params.since, window.after.copied(), window.fetch).await?;
    let (rows, next_cursor) = page.finish(rows, |r| r.id);
    let mut items = Vec::with_capacity(rows.len());
    for r in rows {
        let Some(resource) = Entity::from_name(&r.entity) else {
            continue;
        };
        let record = serde_json::value::RawValue::from_string(r.after)
            .map_err(|e| ApiError::Internal(format!("revision {} is not JSON: {e}", r.id)))?;
        items.push(Change {
            revision_id: r.id,
            resource,
            record_id: r.record_id,
            version: r.version,
            action: r.action,
            changed_at: r.changed_at,
            key_id: r.key_id,
            record,
        });
    }
    Ok(ChangePage { items, next_cursor })
}
