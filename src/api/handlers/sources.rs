//! Sources: the documents facts rest on.

use actix_web::{delete, get, patch, post, web, HttpRequest, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
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
use crate::api::params::{Id, Query, SearchText};
use crate::api::schemas::bodies::{ChangeErrors, CreateErrors, SourceInput, SourcePatch};
use crate::api::schemas::records::{Source, SourcePage};
use crate::api::write::RetractParams;
use crate::api::AppState;
use crate::db::models::NewSource;
use crate::db::queries::sources::{self, SourceFilter};
use crate::db::queries::writes;
use crate::records::history::Entity;
use crate::records::history::{self, Action};
use crate::records::views;
use crate::vocab::{Reliability, SourceKind};

/// Filters and paging of the sources list.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SourceListParams {
    /// Only those matching these words, as `/v1/search` finds them (web search syntax: "quoted phrases", `or`, `-word`).
    #[param(value_type = Option<String>, min_length = 1, max_length = 500, pattern = r"^[^\x00]*[^\x00\t\n\x0B\f\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000][^\x00]*$", example = "reassurance")]
    pub q: Option<SearchText>,
    /// Only sources of this kind.
    pub kind: Option<SourceKind>,
    /// Only sources of this reliability.
    pub reliability: Option<Reliability>,
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
    /// How many sources per page.
    #[param(minimum = 1, maximum = 500, default = 50, example = 50)]
    pub limit: Option<u32>,
}

crate::api::paging::paging!(SourceListParams);

/// List sources
///
/// The documents the facts rest on, with their reliability and SHA-256, without their texts
/// (`get_source` has the text).
#[utoipa::path(tag = "sources", operation_id = "list_sources", params(SourceListParams), responses((status = 200, description = "A page of sources.", body = SourcePage)))]
#[get("/sources")]
pub async fn list_sources(
    req: HttpRequest,
    state: web::Data<AppState>,
    Query(params): Query<SourceListParams>,
) -> Result<HttpResponse, ApiError> {
    list_of(&req, &state.clone(), params, move |params| {
        list_sources_page(state.clone(), params)
    })
    .await
}

/// One page of `list_sources`.
async fn list_sources_page(
    state: web::Data<AppState>,
    params: SourceListParams,
) -> Result<Paged<SourcePage>, ApiError> {
    let page = PageRequest::<i64>::new(params.cursor.as_deref(), params.limit)?;
    let mut conn = state.conn().await?;
    let include_retracted = params.include_retracted.unwrap_or(false);
    if let Some(at) = params.as_of {
        let mut contains = serde_json::Map::new();
        if let Some(kind) = params.kind {
            contains.insert("kind".into(), json!(kind));
        }
        if let Some(reliability) = params.reliability {
            contains.insert("reliability".into(), json!(reliability));
        }
        // The history keeps whole sources; lists leave the text out.
        let page = as_of_list(
            &mut conn,
            AsOfList {
                drop_field: Some("text"),
                ..AsOfList::new(Entity::Sources, at, include_retracted, contains.into()).with_text(params.q.as_ref())
            },
            &page,
        )
        .await?;
        return Ok(Paged::AsOf(page));
    }
    let filter = SourceFilter {
        text: params.q.as_ref().map(|q| q.as_str().to_owned()),
        kind: params.kind,
        reliability: params.reliability,
        include_retracted,
    };
    let rows = sources::list(&mut conn, &filter, page.window().copied()).await?;
    let (rows, next_cursor) = page.finish(rows, |(s, _)| s.id);
    let items = rows
        .into_iter()
        .map(|(s, length)| views::source_summary(s, length))
        .collect();
    Ok(Paged::Live(SourcePage { items, next_cursor }))
}

/// Get a source
///
/// One source with its full text, byte for byte as retrieved; citation offsets count its Unicode
/// code points.
#[utoipa::path(
    tag = "sources",
    operation_id = "get_source",
    params(("id" = i64, Path, description = "The source's id.", minimum = 1, example = 1), ReadParams),
    responses(
        (status = 200, description = "The source with its text.", body = Source, headers(("ETag" = String, description = "The record's version, for `If-Match` when changing it."))),
        (status = 404, description = "No source has this id.", body = crate::api::error::Problem, content_type = "application/problem+json"),
    )
)]
#[get("/sources/{id}")]
pub async fn get_source(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<Id>,
    Query(read): Query<ReadParams>,
) -> Result<HttpResponse, ApiError> {
    let Id(id) = id.into_inner();
    detail(&state, &req, Entity::Sources, id, &read).await
}

/// The fields of a source an editor may correct; its text never changes.
const EDITABLE: &[&str] = &[
    "kind",
    "title",
    "publisher",
    "url",
    "published_on",
    "retrieved_at",
    "reliability",
    "reliability_note",
];

/// A source's fields, read and checked.
struct Fields {
    kind: SourceKind,
    title: String,
    publisher: Option<String>,
    url: Option<String>,
    published_on: Option<NaiveDate>,
    retrieved_at: DateTime<Utc>,
    reliability: Reliability,
    reliability_note: Option<String>,
}

/// Sources as editors write them.
pub struct SourceEdit;

/// A source's checked fields and its text.
pub struct SourceFields {
    fields: Fields,
    text: String,
}

impl Editable for SourceEdit {
    const ENTITY: Entity = Entity::Sources;
    const FIELDS: &'static [&'static str] = EDITABLE;
    const CITED: bool = false;
    const CREATE_ONLY: &'static [&'static str] = &["text"];
    type Fields = SourceFields;

    async fn read(
        _conn: &mut AsyncPgConnection,
        reader: &Reader<'_>,
        problems: &mut Problems,
    ) -> Result<Option<SourceFields>, ApiError> {
        let fields = Fields::read(reader, problems);
        let text = reader.text_raw("text", problems);
        Ok(fields.zip(text).map(|(fields, text)| SourceFields { fields, text }))
    }

    fn patch_refusal(field: &str, _id: i64) -> Option<String> {
        (field == "text").then(|| {
            "a source's text never changes, since citations point into it; add a new source instead".to_owned()
        })
    }

    async fn current(conn: &mut AsyncPgConnection, id: i64) -> Result<serde_json::Value, ApiError> {
        let (row, _, text) = sources::get(conn, id)
            .await?
            .ok_or_else(|| ApiError::NotFound(format!("no source has the id {id}")))?;
        Ok(without_nulls(json!({
            "kind": row.kind, "title": row.title, "publisher": row.publisher, "url": row.url,
            "published_on": row.published_on, "retrieved_at": row.retrieved_at, "reliability": row.reliability,
            "reliability_note": row.reliability_note, "text": text,
        })))
    }

    async fn insert(conn: &mut AsyncPgConnection, f: &SourceFields) -> Result<i64, ApiError> {
        if let Some(existing) = sources::find_by_text(conn, &f.text).await? {
            return Err(ApiError::Conflict(format!(
                "this text is already source {existing}; cite that one"
            )));
        }
        Ok(writes::insert_source(conn, f.fields.row(&f.text)).await?)
    }

    async fn update(conn: &mut AsyncPgConnection, id: i64, f: &SourceFields) -> Result<(), ApiError> {
        writes::update_source(conn, id, f.fields.row(&f.text)).await?;
        Ok(())
    }

    async fn after_write(conn: &mut AsyncPgConnection, id: i64, key: Option<i64>) -> Result<(), ApiError> {
        // Every fact and citation that shows this source's reliability changes with it.
        let shown = writes::dependents_of_source(conn, id).await?;
        history::snapshot(conn, Entity::Citations, &shown.citations, Action::Update, key).await?;
        history::snapshot(conn, Entity::Commitments, &shown.commitments, Action::Update, key).await?;
        history::snapshot(conn, Entity::Statements, &shown.statements, Action::Update, key).await?;
        history::snapshot(conn, Entity::Events, &shown.events, Action::Update, key).await?;
        history::snapshot(conn, Entity::Claims, &shown.claims, Action::Update, key).await?;
        Ok(())
    }

    async fn before_retract(conn: &mut AsyncPgConnection, id: i64) -> Result<(), ApiError> {
        let cited = writes::live_citations(conn, "source_id", id).await?;
        if cited > 0 {
            return Err(ApiError::Conflict(format!(
                "{cited} live citation(s) point to source {id}; retract those facts or citations first"
            )));
        }
        Ok(())
    }
}

impl Fields {
    fn row<'a>(&'a self, text: &'a str) -> NewSource<'a> {
        NewSource {
            kind: self.kind,
            title: &self.title,
            publisher: self.publisher.as_deref(),
            url: self.url.as_deref(),
            published_on: self.published_on,
            retrieved_at: self.retrieved_at,
            text,
            reliability: self.reliability,
            reliability_note: self.reliability_note.as_deref(),
        }
    }

    fn read(reader: &Reader<'_>, problems: &mut Problems) -> Option<Self> {
        let kind = reader.vocab::<SourceKind>("kind", true, problems);
        let title = reader.text("title", true, limits::LABEL, problems);
        let publisher = reader.text("publisher", false, limits::LABEL, problems);
        let url = reader.text("url", false, 2_000, problems);
        if let Some(url) = &url {
            if !(url.starts_with("http://") || url.starts_with("https://")) || url.contains(char::is_whitespace) {
                problems.add(reader.path("url"), "must be an http or https address without spaces");
            }
        }
        let published_on = reader.date("published_on", false, problems);
        let retrieved_at = reader.time("retrieved_at", false, problems).unwrap_or_else(Utc::now);
        if let Some(published) = published_on {
            if published > retrieved_at.date_naive() {
                problems.add(
                    "published_on",
                    format!(
                        "is after retrieved_at ({}); a source is published before it is retrieved",
                        retrieved_at.date_naive()
                    ),
                );
            }
        }
        let reliability = reader.vocab::<Reliability>("reliability", true, problems);
        let reliability_note = reader.text("reliability_note", false, limits::SENTENCE, problems);
        Some(Fields {
            kind: kind?,
            title: title?,
            publisher,
            url,
            published_on,
            retrieved_at,
            reliability: reliability?,
            reliability_note,
        })
    }
}

/// Add a source
///
/// Stores a document whole, byte for byte, with its reliability; facts then cite spans of it.
/// Send `Idempotency-Key` to make a retry safe.
#[utoipa::path(
    tag = "sources",
    operation_id = "create_source",
    request_body = SourceInput,
    params(("Idempotency-Key" = Option<String>, Header, pattern = "^[!-~]{1,200}$", description = crate::api::write::IDEMPOTENCY_KEY_CREATES_DOC)),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "The source.", body = Source,
            headers(("ETag" = String, description = "Its version."), ("Location" = String, description = "Where it lives."))),
        CreateErrors,
    )
)]
#[post("/sources")]
pub async fn create_source(
    state: web::Data<AppState>,
    editor: Editor,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    edit::create_response::<SourceEdit>(&state, editor.0, &req, &body).await
}

/// Correct a source
///
/// Applies a JSON Merge Patch (RFC 7396) to the source's fields; its text never changes. A new
/// reliability shows at once on every fact that cites it. Needs `If-Match`.
#[utoipa::path(
    tag = "sources",
    operation_id = "update_source",
    request_body(content = SourcePatch, content_type = "application/merge-patch+json"),
    params(
        ("id" = i64, Path, description = "The source's id.", minimum = 1, example = 1),
        ("If-Match" = String, Header, description = "The ETag the source was read with.", example = "\"1\""),
    ),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The source, as it now reads.", body = Source, headers(("ETag" = String, description = "Its new version."))),
        ChangeErrors,
    )
)]
#[patch("/sources/{id}")]
pub async fn update_source(
    state: web::Data<AppState>,
    editor: Editor,
    req: HttpRequest,
    id: web::Path<Id>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    edit::update_response::<SourceEdit>(&state, editor.0, &req, id.into_inner().0, &body).await
}

/// Retract a source
///
/// Hides the source from reads, keeping it and the reason. A source that live citations still
/// point to cannot be retracted: retract those facts or citations first. Needs `If-Match`.
#[utoipa::path(
    tag = "sources",
    operation_id = "delete_source",
    params(
        ("id" = i64, Path, description = "The source's id.", minimum = 1, example = 1),
        ("If-Match" = String, Header, description = "The ETag the source was read with.", example = "\"1\""),
        RetractParams,
    ),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The retracted source.", body = Source, headers(("ETag" = String, description = "Its new version."))),
        ChangeErrors,
    )
)]
#[delete("/sources/{id}")]
pub async fn delete_source(
    state: web::Data<AppState>,
    editor: Editor,
    req: HttpRequest,
    id: web::Path<Id>,
    Query(params): Query<RetractParams>,
) -> Result<HttpResponse, ApiError> {
    edit::retract_response::<SourceEdit>(&state, editor.0, &req, id.into_inner().0, &params).await
}
