//! The whole knowledge base as one NDJSON file, out and in (see `crate::transfer`).

use actix_web::http::header;
use actix_web::web::Bytes;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use futures_util::StreamExt;

use crate::api::auth::{self, Admin};
use crate::api::error::{ApiError, FieldError};
use crate::api::params::{NoParams, Query};
use crate::startup::AppState;
use crate::transfer::{self, Export, ImportError, ImportReport};
use crate::vocab::KeyRole;

/// The largest file `POST /v1/import` takes; larger ones go through `alliance-kb import`.
pub const IMPORT_LIMIT: usize = 256 * 1024 * 1024;

/// Export the knowledge base
///
/// Every record (keys, organizations, memberships, people, sources with their texts, events and
/// their participants, commitments, status changes, statements, claims, citations, every revision,
/// and the seed's bookkeeping) as NDJSON, one `{"type": ..., "record": {...}}` per line, in the
/// order an import loads them, read in one snapshot and streamed. Keys never carry their secrets;
/// their names are given to admins only (null otherwise). `alliance-kb import` or
/// `POST /v1/import` loads the file; export, import into an empty knowledge base, and export
/// again give the same bytes.
#[utoipa::path(
    tag = "transfer",
    operation_id = "get_export",
    params(NoParams),
    responses(
        (status = 200, description = "The knowledge base, one record per line, streamed.", content(
            (String = "application/x-ndjson", example = json!("{\"type\": \"source\", \"record\": {\"id\": 1, \"title\": \"...\"}}\n"))
        )),
        (status = 401, description = "A key was sent that is unknown or revoked.", body = crate::api::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "A key was sent that is not an admin's.", body = crate::api::error::Problem, content_type = "application/problem+json"),
    )
)]
#[get("/export")]
pub async fn get_export(
    req: HttpRequest,
    state: web::Data<AppState>,
    _params: Query<NoParams>,
) -> Result<HttpResponse, ApiError> {
    // Key names are for admins; a key that is sent must be a valid admin's.
    let include_key_names = if req.headers().contains_key(header::AUTHORIZATION) {
        auth::authenticate(req.clone(), KeyRole::Admin).await?;
        true
    } else {
        false
    };
    // A connection of its own, taken out of the pool: it holds the export's snapshot and is
    // closed when the export ends or the client goes away.
    let conn = deadpool::managed::Object::take(state.conn().await?);
    let mut export = Export::start(conn, include_key_names).await?;
    let first = export.next_chunk().await?.unwrap_or_default();
    let rest = futures_util::stream::unfold(Some(export), |export| async move {
        let mut export = export?;
        match export.next_chunk().await {
            Ok(Some(chunk)) => Some((Ok(Bytes::from(chunk)), Some(export))),
            Ok(None) => None,
            Err(error) => {
                log::error!("an export stopped: {error}");
                Some((Err(ApiError::from(error)), None))
            }
        }
    });
    let body = futures_util::stream::once(async { Ok::<_, ApiError>(Bytes::from(first)) }).chain(rest);
    Ok(HttpResponse::Ok()
        .content_type("application/x-ndjson; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            "attachment; filename=\"alliance-kb-export.ndjson\"",
        ))
        .streaming(body))
}

/// Import an export
///
/// Loads a file written by `GET /v1/export` or `alliance-kb export`, in one transaction: every
/// line is checked first (each problem named by line and field, in one 422), then the records are
/// written under the same rules as the write API (vocabularies, references, excerpts equal to
/// their source's span, a citation behind every fact). A record already stored with the same
/// values is left as it is, so a file can be loaded twice; one stored with other values is a 409,
/// and nothing is written. Files over 256 MiB go through `alliance-kb import`.
#[utoipa::path(
    tag = "transfer",
    operation_id = "create_import",
    params(NoParams),
    request_body(content = String, content_type = "application/x-ndjson", description = "An export: one `{\"type\": ..., \"record\": {...}}` per line.", example = json!("{\"type\": \"person\", \"record\": {\"id\": 40, \"name\": \"Jane Doe\", \"role\": \"Minister of Defence\", \"nation_code\": \"EE\", \"retracted_at\": null, \"retraction_reason\": null}}\n")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "What was written and what was already there.", body = ImportReport),
        (status = 401, description = "No key, or an unknown or revoked one.", body = crate::api::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "The key is not an admin's.", body = crate::api::error::Problem, content_type = "application/problem+json"),
        (status = 400, description = "The body is not UTF-8 text.", body = crate::api::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "Records with the keys of the file's are stored with other values; nothing was written.", body = crate::api::error::Problem, content_type = "application/problem+json"),
        (status = 413, description = "The file is larger than 256 MiB.", body = crate::api::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "An empty file, lines that are not records of an export, or records the knowledge base's rules refuse; nothing was written.", body = crate::api::error::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/import")]
pub async fn create_import(
    state: web::Data<AppState>,
    admin: Admin,
    _params: Query<NoParams>,
    mut payload: web::Payload,
) -> Result<web::Json<ImportReport>, ApiError> {
    let mut body = Vec::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| ApiError::BadRequest(format!("the request body could not be read: {e}")))?;
        if body.len() + chunk.len() > IMPORT_LIMIT {
            return Err(ApiError::TooLarge(
                "the file is larger than 256 MiB; load it with `alliance-kb import FILE`".into(),
            ));
        }
        body.extend_from_slice(&chunk);
    }
    if body.is_empty() {
        return Err(ApiError::Unprocessable(vec![FieldError {
            field: "file".into(),
            message: "is empty; send the lines of an export (`GET /v1/export`)".into(),
        }]));
    }
    let text = String::from_utf8(body).map_err(|e| ApiError::BadRequest(format!("the file is not UTF-8 text: {e}")))?;
    let mut conn = state.conn().await?;
    let report = transfer::import(&mut conn, &text).await.map_err(import_error)?;
    log::info!("key {} imported {report}", admin.0.key_id);
    Ok(web::Json(report))
}

/// An import's failure as an answer.
pub fn import_error(error: ImportError) -> ApiError {
    match error {
        ImportError::Invalid(problems) => ApiError::Unprocessable(
            problems
                .into_iter()
                .map(|(field, message)| FieldError { field, message })
                .collect(),
        ),
        ImportError::Conflict(message) => ApiError::Conflict(message),
        ImportError::Database(diesel::result::Error::DatabaseError(kind, info)) => {
            use diesel::result::DatabaseErrorKind as Kind;
            match kind {
                Kind::ClosedConnection => ApiError::Unavailable(info.message().to_owned()),
                _ => ApiError::Unprocessable(vec![FieldError {
                    field: info
                        .table_name()
                        .map_or("file".to_owned(), |t| format!("records of {t}")),
                    message: format!(
                        "the knowledge base refuses them: {}{}",
                        info.message(),
                        info.details().map(|d| format!(" ({d})")).unwrap_or_default()
                    ),
                }]),
            }
        }
        ImportError::Database(other) => ApiError::from(other),
    }
}
