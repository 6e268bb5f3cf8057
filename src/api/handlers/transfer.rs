//! The whole knowledge base as one NDJSON file, out and in (see `crate::transfer`).

use actix_web::http::header;
use actix_web::web::Bytes;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use futures_util::StreamExt;

use crate::api::auth::{self, Admin};
use crate::api::error::{ApiError, FieldError};
use crate::api::params::{NoParams, Query};
use crate::api::schemas::ImportReport;
use crate::api::AppState;
use crate::transfer::{self, Export, ImportError};
use crate::vocab::KeyRole;

use crate::api::guard::IMPORT_LIMIT;

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
    // At most a quarter of the pool exports at once; the rest are told to come back.
    let permit = state
        .exports
        .clone()
        .try_acquire_owned()
        .map_err(|_| ApiError::Unavailable("every export slot is in use; try again in a minute".into()))?;
    // The export holds a connection of the pool, in its snapshot, for as long as it runs (bounded
    // by the transfer timeout); its lines go through a small channel, so that a reader that stops
    // reading for a tenth of the transfer timeout is dropped and its connection closed.
    let timeout = state.transfer_timeout;
    let statement_ms = u64::try_from(timeout.as_millis()).unwrap_or(u64::MAX);
    let mut export = Export::start(state.writer().await?, include_key_names, statement_ms).await?;
    let first = export.next_chunk().await?.unwrap_or_default();
    let (sender, receiver) = tokio::sync::mpsc::channel::<Result<Bytes, ApiError>>(2);
    let stall = timeout / 10;
    actix_web::rt::spawn(async move {
        let _permit = permit;
        let started = std::time::Instant::now();
        let ended = loop {
            let next = match tokio::time::timeout(timeout.saturating_sub(started.elapsed()), export.next_chunk()).await
            {
                Ok(Ok(Some(chunk))) => Ok(Bytes::from(chunk)),
                Ok(Ok(None)) => break true,
                Ok(Err(error)) => {
                    log::error!("an export stopped: {error}");
                    Err(ApiError::from(error))
                }
                Err(_) => {
                    log::warn!(
                        "an export ran past the transfer timeout of {}s and was stopped",
                        timeout.as_secs()
                    );
                    Err(ApiError::TimedOut("the export ran past the transfer timeout".into()))
                }
            };
            let failed = next.is_err();
            match tokio::time::timeout(stall, sender.send(next)).await {
                Ok(Ok(())) if !failed => {}
                Ok(Ok(())) => break false,
                Ok(Err(_)) => {
                    log::info!("an export's reader went away; its connection is closed");
                    break false;
                }
                Err(_) => {
                    log::warn!(
                        "an export's reader stopped reading for {}s; its connection is closed",
                        stall.as_secs()
                    );
                    break false;
                }
            }
        };
        let (conn, done) = export.into_conn();
        crate::api::metrics::transfer_ended("export", if ended && done { "done" } else { "failed" });
        if !(ended && done) {
            // Still inside its snapshot: close it rather than hand it to another request.
            drop(deadpool::managed::Object::take(conn));
        }
    });
    let rest = futures_util::stream::unfold(receiver, |mut receiver| async move {
        receiver.recv().await.map(|item| (item, receiver))
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
    req: actix_web::HttpRequest,
    payload: web::Payload,
) -> Result<web::Json<ImportReport>, ApiError> {
    // Decoded like every other body: `Content-Encoding: gzip` (or br, zstd) works here too.
    let mut payload = actix_web::dev::Decompress::from_headers(payload.into_inner(), req.headers());
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
    let mut conn = state.writer().await?;
    let statement_ms = u64::try_from(state.transfer_timeout.as_millis()).unwrap_or(u64::MAX);
    let report = transfer::import(&mut conn, &text, statement_ms).await;
    crate::api::metrics::transfer_ended("import", if report.is_ok() { "done" } else { "failed" });
    let report = report.map_err(import_error)?;
    log::info!("key {} imported {report}", admin.0.key_id);
    Ok(web::Json(report.into()))
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
        ImportError::Database(error) if crate::api::error::is_transient(&error) => ApiError::from(error),
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
