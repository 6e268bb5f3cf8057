//! Citations as records of their own: read one, add one to a fact, correct its span, retract it.

use actix_web::{delete, get, patch, post, web, HttpRequest, HttpResponse};
use diesel_async::AsyncPgConnection;
use serde_json::json;

use super::reading::{detail, ReadParams};
use crate::api::auth::Editor;
use crate::api::edit::{self, Editable};
use crate::api::error::ApiError;
use crate::api::handlers::disputes::disputable_entity;
use crate::api::input::{Problems, Reader};
use crate::api::params::{Id, Query};
use crate::api::schemas::bodies::{ChangeErrors, CitationPatch, CreateErrors, NewCitationInput};
use crate::api::schemas::records::CitationRecord;
use crate::api::write::{check_references, read_span_fields, RetractParams, Span};
use crate::api::AppState;
use crate::db::models::NewCitation;
use crate::db::queries::citations::Fact;
use crate::db::queries::competing_values;
use crate::db::queries::writes;
use crate::records::history::{self, Action, Entity};

/// Citations as editors write them.
pub struct CitationEdit;

/// A citation's checked fields: its span, and the fact it supports.
pub struct CitationFields {
    span: Span,
    fact: Fact,
    fact_id: i64,
}

fn fact_named(name: &str) -> Option<Fact> {
    match name {
        "commitment" => Some(Fact::Commitment),
        "status_change" => Some(Fact::StatusChange),
        "statement" => Some(Fact::Statement),
        "event" => Some(Fact::Event),
        "claim" => Some(Fact::Claim),
        _ => None,
    }
}

/// The column of `citations` that points at a kind of fact.
fn column(fact: Fact) -> &'static str {
    match fact {
        Fact::Commitment => "commitment_id",
        Fact::StatusChange => "status_change_id",
        Fact::Statement => "statement_id",
        Fact::Event => "event_id",
        Fact::Claim => "claim_id",
        Fact::CompetingValue => "competing_value_id",
    }
}

/// The record whose representation shows a citation: its fact (a status change shows on its
/// commitment).
async fn shown_on(conn: &mut AsyncPgConnection, fact: Fact, id: i64) -> Result<(Entity, i64), ApiError> {
    Ok(match fact {
        Fact::Commitment => (Entity::Commitments, id),
        Fact::StatusChange => (Entity::Commitments, writes::commitment_of_change(conn, id).await?),
        Fact::Statement => (Entity::Statements, id),
        Fact::Event => (Entity::Events, id),
        Fact::Claim => (Entity::Claims, id),
        Fact::CompetingValue => {
            let value = competing_values::get(conn, id)
                .await?
                .ok_or_else(|| ApiError::Internal(format!("competing value {id} vanished")))?;
            let (fact, fact_id) = value.fact();
            (disputable_entity(fact), fact_id)
        }
    })
}

impl Editable for CitationEdit {
    const ENTITY: Entity = Entity::Citations;
    const FIELDS: &'static [&'static str] = &["source_id", "excerpt", "start", "end"];
    const CITED: bool = false;
    const CREATE_ONLY: &'static [&'static str] = &["fact_type", "fact_id"];
    type Fields = CitationFields;

    async fn read(
        conn: &mut AsyncPgConnection,
        reader: &Reader<'_>,
        problems: &mut Problems,
    ) -> Result<Option<CitationFields>, ApiError> {
        let fact = reader.text("fact_type", true, 20, problems).and_then(|name| {
            let fact = fact_named(&name);
            if fact.is_none() {
                problems.add(
                    "fact_type",
                    format!("`{name}` is not a kind of fact; use commitment, status_change, statement, event or claim"),
                );
            }
            fact
        });
        let fact_id = reader.id("fact_id", true, problems);
        let mut span_fields = serde_json::Map::new();
        for name in ["source_id", "excerpt", "start", "end"] {
            if let Some(value) = reader.value(name) {
                span_fields.insert(name.to_owned(), value.clone());
            }
        }
        let span = read_span_fields(conn, &span_fields, problems).await?;
        if let (Some(fact), Some(fact_id)) = (fact, fact_id) {
            let live = match fact {
                // A status change is live while its commitment is.
                Fact::StatusChange => match writes::commitment_of_change(conn, fact_id).await {
                    Ok(commitment) => Some(commitment),
                    Err(diesel::result::Error::NotFound) => None,
                    Err(e) => return Err(e.into()),
                },
                _ => Some(fact_id),
            };
            match (live, shown_entity(fact)) {
                (Some(id), Some(entity)) => check_references(conn, entity, &[("fact_id".into(), id)], problems).await?,
                (Some(_), None) => problems.add(
                    "fact_type",
                    "a competing value is cited when it is added (`POST /v1/{resource}/{id}/competing-values`)",
                ),
                (None, _) => problems.add("fact_id", format!("no status change has the id {fact_id}")),
            }
        }
        Ok(match (span, fact, fact_id) {
            (Some(span), Some(fact), Some(fact_id)) => Some(CitationFields { span, fact, fact_id }),
            _ => None,
        })
    }

    async fn current(conn: &mut AsyncPgConnection, id: i64) -> Result<serde_json::Value, ApiError> {
        let c = writes::citation(conn, id)
            .await?
            .ok_or_else(|| ApiError::NotFound(format!("no citation has the id {id}")))?;
        let (fact, fact_id) = c.fact();
        let fact_type = fact.name();
        Ok(json!({
            "source_id": c.source_id, "excerpt": c.excerpt, "start": c.start_offset, "end": c.end_offset,
            "fact_type": fact_type, "fact_id": fact_id,
        }))
    }

    async fn insert(conn: &mut AsyncPgConnection, f: &CitationFields) -> Result<i64, ApiError> {
        let mut row = NewCitation {
            source_id: f.span.source_id,
            start_offset: f.span.start,
            end_offset: f.span.end,
            excerpt: &f.span.excerpt,
            ..Default::default()
        };
        match f.fact {
            Fact::Commitment => row.commitment_id = Some(f.fact_id),
            Fact::StatusChange => row.status_change_id = Some(f.fact_id),
            Fact::Statement => row.statement_id = Some(f.fact_id),
            Fact::Event => row.event_id = Some(f.fact_id),
            Fact::Claim => row.claim_id = Some(f.fact_id),
            Fact::CompetingValue => row.competing_value_id = Some(f.fact_id),
        }
        let ids = writes::insert_citations(conn, &[row]).await?;
        ids.first()
            .copied()
            .ok_or_else(|| ApiError::Internal("a citation was not stored".into()))
    }

    async fn update(conn: &mut AsyncPgConnection, id: i64, f: &CitationFields) -> Result<(), ApiError> {
        writes::update_citation(conn, id, f.span.source_id, f.span.start, f.span.end, &f.span.excerpt).await?;
        Ok(())
    }

    async fn after_write(conn: &mut AsyncPgConnection, id: i64, key: Option<i64>) -> Result<(), ApiError> {
        let citation = writes::citation(conn, id)
            .await?
            .ok_or_else(|| ApiError::Internal(format!("citation {id} vanished")))?;
        let (fact, fact_id) = citation.fact();
        let (entity, record) = shown_on(conn, fact, fact_id).await?;
        history::snapshot(conn, entity, &[record], Action::Cite, key).await?;
        Ok(())
    }

    async fn before_retract(conn: &mut AsyncPgConnection, id: i64) -> Result<(), ApiError> {
        let citation = writes::citation(conn, id)
            .await?
            .ok_or_else(|| ApiError::NotFound(format!("no citation has the id {id}")))?;
        let (fact, fact_id) = citation.fact();
        if writes::live_citations(conn, column(fact), fact_id).await? <= 1 {
            return Err(ApiError::Conflict(format!(
                "citation {id} is the last evidence of its fact; add another citation first, or retract the fact"
            )));
        }
        Ok(())
    }
}

/// The record kind whose liveness a fact's citation needs.
fn shown_entity(fact: Fact) -> Option<Entity> {
    match fact {
        Fact::Commitment | Fact::StatusChange => Some(Entity::Commitments),
        Fact::Statement => Some(Entity::Statements),
        Fact::Event => Some(Entity::Events),
        Fact::Claim => Some(Entity::Claims),
        Fact::CompetingValue => None,
    }
}

/// Get a citation
///
/// One citation with the fact it supports.
#[utoipa::path(
    tag = "citations",
    operation_id = "get_citation",
    params(("id" = i64, Path, description = "The citation's id.", minimum = 1, example = 1), ReadParams),
    responses(
        (status = 200, description = "The citation.", body = CitationRecord, headers(("ETag" = String, description = "Its version."))),
        (status = 404, description = "No citation has this id.", body = crate::api::error::Problem, content_type = "application/problem+json"),
    )
)]
#[get("/citations/{id}")]
pub async fn get_citation(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<Id>,
    Query(read): Query<ReadParams>,
) -> Result<HttpResponse, ApiError> {
    let Id(id) = id.into_inner();
    detail(&state, &req, Entity::Citations, id, &read).await
}

/// Add a citation
///
/// Adds evidence to a live fact: a span of a live source, its excerpt exactly the source's text
/// there. Send `Idempotency-Key` to make a retry safe.
#[utoipa::path(
    tag = "citations",
    operation_id = "create_citation",
    request_body = NewCitationInput,
    params(("Idempotency-Key" = Option<String>, Header, pattern = "^[!-~]{1,200}$", description = crate::api::write::IDEMPOTENCY_KEY_CREATES_DOC)),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "The new citation.", body = CitationRecord,
            headers(("ETag" = String, description = "Its version."), ("Location" = String, description = "Where it lives."))),
        CreateErrors,
    )
)]
#[post("/citations")]
pub async fn create_citation(
    state: web::Data<AppState>,
    editor: Editor,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    edit::create_response::<CitationEdit>(&state, editor.0, &req, &body).await
}

/// Correct a citation
///
/// Points the citation at another span (JSON Merge Patch); the excerpt must be the source's text
/// there. To let the span be found from the excerpt, set `start` and `end` to null. Needs `If-Match`.
#[utoipa::path(
    tag = "citations",
    operation_id = "update_citation",
    request_body(content = CitationPatch, content_type = "application/merge-patch+json"),
    params(
        ("id" = i64, Path, description = "The citation's id.", minimum = 1, example = 1),
        ("If-Match" = String, Header, description = crate::api::write::IF_MATCH_DOC, example = "\"1\""),
    ),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The citation, as it now reads.", body = CitationRecord, headers(("ETag" = String, description = "Its new version."))),
        ChangeErrors,
    )
)]
#[patch("/citations/{id}")]
pub async fn update_citation(
    state: web::Data<AppState>,
    editor: Editor,
    req: HttpRequest,
    id: web::Path<Id>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    edit::update_response::<CitationEdit>(&state, editor.0, &req, id.into_inner().0, &body).await
}

/// Retract a citation
///
/// Hides the citation, keeping it and the reason; the last evidence of a live fact cannot be
/// retracted. Needs `If-Match`.
#[utoipa::path(
    tag = "citations",
    operation_id = "delete_citation",
    params(
        ("id" = i64, Path, description = "The citation's id.", minimum = 1, example = 1),
        ("If-Match" = String, Header, description = crate::api::write::IF_MATCH_DOC, example = "\"1\""),
        RetractParams,
    ),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The retracted citation.", body = CitationRecord, headers(("ETag" = String, description = "Its new version."))),
        ChangeErrors,
    )
)]
#[delete("/citations/{id}")]
pub async fn delete_citation(
    state: web::Data<AppState>,
    editor: Editor,
    req: HttpRequest,
    id: web::Path<Id>,
    Query(params): Query<RetractParams>,
) -> Result<HttpResponse, ApiError> {
    edit::retract_response::<CitationEdit>(&state, editor.0, &req, id.into_inner().0, &params).await
}
