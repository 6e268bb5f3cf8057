//! Disputed facts: a source's competing value for a field of a commitment, statement, event or
//! claim is recorded beside the fact's own, each with its citations, and the fact reads as
//! `disputed`.

use actix_web::http::StatusCode;
use actix_web::{delete, post, web, HttpRequest, HttpResponse};
use serde_json::{json, Value};

use crate::api::auth::Editor;
use crate::api::error::ApiError;
use crate::api::input::{self, limits, Problems, Reader};
use crate::api::params::{Id, Query};
use crate::api::schemas::bodies::ChangeErrors;
use crate::api::schemas::bodies::CompetingValueInput;
use crate::api::schemas::views::DisputedFact;
use crate::api::write::{
    check_if_match, lock_live, new_citations, read_citations, Idempotency, IfMatch, RetractParams, Written,
};
use crate::api::AppState;
use crate::db::models::NewCompetingValue;
use crate::db::queries::competing_values::{self, Disputable};
use crate::db::queries::writes;
use crate::records::history::{self, Action, Entity};
use crate::vocab::{CommitmentStatus, ForceRole, Stance};

/// The fields of each kind of fact that can be disputed.
fn fields_of(fact: Disputable) -> &'static [&'static str] {
    match fact {
        Disputable::Commitment => &["quantity", "status", "role", "conditions", "announced_on"],
        Disputable::Statement => &["quote", "stance", "said_on"],
        Disputable::Event => &["occurred_on", "location", "attendance"],
        Disputable::Claim => &["value", "unit", "reported_on"],
    }
}

/// The kind of fact a path's resource names, if its values can be disputed.
fn disputable(resource: &str) -> Option<Disputable> {
    match resource {
        "commitments" => Some(Disputable::Commitment),
        "statements" => Some(Disputable::Statement),
        "events" => Some(Disputable::Event),
        "claims" => Some(Disputable::Claim),
        _ => None,
    }
}

/// The record kind a competing value shows on: the fact it disputes.
pub(crate) fn disputable_entity(fact: Disputable) -> Entity {
    match fact {
        Disputable::Commitment => Entity::Commitments,
        Disputable::Statement => Entity::Statements,
        Disputable::Event => Entity::Events,
        Disputable::Claim => Entity::Claims,
    }
}

/// Reads `value` as the field's type, written as the record writes it.
fn read_value(reader: &Reader<'_>, field: &str, problems: &mut Problems) -> Option<Value> {
    if !reader.has("value") || reader.value("value").is_none() {
        problems.add("value", "is required: the competing value");
        return None;
    }
    match field {
        "announced_on" | "said_on" | "occurred_on" | "reported_on" => {
            reader.date("value", true, problems).map(|d| json!(d))
        }
        "status" => reader
            .vocab::<CommitmentStatus>("value", true, problems)
            .map(|v| json!(v)),
        "role" => reader.vocab::<ForceRole>("value", true, problems).map(|v| json!(v)),
        "stance" => reader.vocab::<Stance>("value", true, problems).map(|v| json!(v)),
        "value" => reader.number("value", problems).map(|v| json!(v)),
        "quantity" => {
            let map = reader.object("value", problems)?;
            let q = Reader::nested(map, "value.".into());
            q.only(&["min", "max", "unit", "text"], problems);
            let (min, max) = (q.number("min", problems), q.number("max", problems));
            let unit = q.text("unit", false, limits::LABEL, problems);
            let text = q.text("text", true, limits::LABEL, problems);
            if let (Some(min), Some(max)) = (min, max) {
                if min > max {
                    problems.add("value.min", format!("must not be greater than value.max ({max})"));
                }
            }
            text.map(|text| json!({"min": min, "max": max, "unit": unit, "text": text}))
        }
        _ => reader.text("value", true, limits::SENTENCE, problems).map(|v| json!(v)),
    }
}

/// Dispute a fact's value
///
/// Records what a source says of one field of a commitment, statement, event or claim against the
/// record's own value, with the citations for it. Both are kept: the record reads `disputed: true`
/// and its `disputes` show every value with its evidence, the record's own first. `If-Match` is
/// checked when given. Send `Idempotency-Key` to make a retry safe.
#[utoipa::path(
    tag = "disputes",
    operation_id = "create_competing_value",
    request_body = CompetingValueInput,
    params(
        ("resource" = String, Path, description = "The kind of fact: `commitments`, `statements`, `events` or `claims`.", pattern = "^(commitments|statements|events|claims)$", example = "commitments"),
        ("id" = i64, Path, description = "The fact's id.", minimum = 1, example = 1),
        ("If-Match" = Option<String>, Header, description = "If given, the ETag the fact was read with.", example = "\"1\""),
        ("Idempotency-Key" = Option<String>, Header, pattern = "^[!-~]{1,200}$", description = crate::api::write::IDEMPOTENCY_KEY_CHANGES_DOC),
    ),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "The fact, now disputed, with every value and its evidence.", body = DisputedFact,
            headers(("ETag" = String, description = "Its new version."), ("Location" = String, description = "Where it lives."))),
        (status = 401, description = "No key, or an unknown or revoked one.", body = crate::api::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "The key may not write.", body = crate::api::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such kind of fact, or no live fact with this id.", body = crate::api::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The Idempotency-Key was used for another request.", body = crate::api::error::Problem, content_type = "application/problem+json"),
        (status = 412, description = "It changed since it was read.", body = crate::api::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "The body has problems; `errors` lists them all.", body = crate::api::error::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/{resource}/{id}/competing-values")]
pub async fn create_competing_value(
    state: web::Data<AppState>,
    editor: Editor,
    req: HttpRequest,
    path: web::Path<(String, Id)>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let (resource, Id(id)) = path.into_inner();
    let fact = disputable(&resource).ok_or_else(|| {
        ApiError::NotFound(format!(
            "`{resource}` cannot be disputed; the facts with disputable values are commitments, statements, events and claims"
        ))
    })?;
    let entity = disputable_entity(fact);
    let map = input::object(&body)?;
    let idempotency = Idempotency::of(&req, editor.0, &body)?;
    let if_match = IfMatch::of(&req);
    let key = Some(editor.0.key_id);
    let mut conn = state.conn().await?;
    let written = crate::db::session::write_transaction::<_, ApiError>(&mut conn, async |conn| {
        if let Some(replay) = idempotency.replay(conn).await? {
            return Ok(replay);
        }
        let version = lock_live(conn, entity, id).await?;
        check_if_match(&if_match, entity, id, version, false)?;
        let mut problems = Problems::default();
        let reader = Reader::new(&map);
        reader.only(&["field", "value", "note", "citations"], &mut problems);
        let allowed = fields_of(fact);
        let field = reader.text("field", true, limits::LABEL, &mut problems);
        let field = match field {
            Some(f) if allowed.contains(&f.as_str()) => Some(f),
            Some(f) => {
                problems.add(
                    "field",
                    format!(
                        "`{f}` is not a disputable field of {resource}; use one of {}",
                        allowed.join(", ")
                    ),
                );
                None
            }
            None => None,
        };
        let value = field.as_deref().and_then(|f| read_value(&reader, f, &mut problems));
        let note = reader.text("note", false, limits::SENTENCE, &mut problems);
        let spans = read_citations(conn, &reader, "citations", &mut problems).await?;
        if let (Some(field), Some(value)) = (&field, &value) {
            let own = history::represent(conn, entity, &[id]).await?;
            if own.first().is_some_and(|(_, record)| &record[field.as_str()] == value) {
                problems.add(
                    "value",
                    format!("is the record's own {field}; a competing value differs from it"),
                );
            }
        }
        let Some((field, value)) = problems.finish(field.zip(value))? else {
            return Err(ApiError::Internal("a checked competing value lacks its field".into()));
        };
        let mut row = NewCompetingValue {
            field: &field,
            value,
            note: note.as_deref(),
            ..NewCompetingValue::default()
        };
        match fact {
            Disputable::Commitment => row.commitment_id = Some(id),
            Disputable::Statement => row.statement_id = Some(id),
            Disputable::Event => row.event_id = Some(id),
            Disputable::Claim => row.claim_id = Some(id),
        }
        let value_id = competing_values::insert(conn, row).await?;
        let cited =
            writes::insert_citations(conn, &new_citations(&spans, |c| c.competing_value_id = Some(value_id))).await?;
        history::snapshot(conn, Entity::Citations, &cited, Action::Create, key).await?;
        history::snapshot(conn, entity, &[id], Action::Dispute, key).await?;
        let written = Written::record(conn, entity, id, StatusCode::CREATED)
            .await?
            .audited(format!(
                "key {} disputed the {field} of {resource} {id}",
                editor.0.key_id
            ));
        idempotency.store(conn, &written).await?;
        Ok(written)
    })
    .await?;
    Ok(written.response())
}

/// Retract a competing value
///
/// Withdraws a competing value recorded by mistake, with the reason; it is kept, with its
/// citations, in the history of the fact it disputed, which stops reading `disputed` when no other
/// value competes. `If-Match` takes the ETag of that fact.
#[utoipa::path(
    tag = "disputes",
    operation_id = "delete_competing_value",
    params(
        ("id" = i64, Path, description = "The competing value's id (`competing_value_id` in a fact's `disputes`).", minimum = 1, example = 1),
        ("If-Match" = String, Header, description = "The ETag the disputed fact was read with.", example = "\"2\""),
        RetractParams,
    ),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The fact the value disputed, as it now reads.", body = DisputedFact, headers(("ETag" = String, description = "Its new version."))),
        ChangeErrors,
    )
)]
#[delete("/competing-values/{id}")]
pub async fn delete_competing_value(
    state: web::Data<AppState>,
    editor: Editor,
    req: HttpRequest,
    id: web::Path<Id>,
    Query(params): Query<RetractParams>,
) -> Result<HttpResponse, ApiError> {
    let Id(id) = id.into_inner();
    let reason = params.checked()?.to_owned();
    let if_match = IfMatch::of(&req);
    let key = Some(editor.0.key_id);
    let mut conn = state.conn().await?;
    let written = crate::db::session::write_transaction::<_, ApiError>(&mut conn, async |conn| {
        let value = competing_values::get(conn, id)
            .await?
            .filter(|v| v.retracted_at.is_none())
            .ok_or_else(|| ApiError::NotFound(format!("no live competing value has the id {id}")))?;
        let (fact, fact_id) = value.fact();
        let entity = disputable_entity(fact);
        let version = lock_live(conn, entity, fact_id).await?;
        check_if_match(&if_match, entity, fact_id, version, true)?;
        competing_values::retract(conn, id, &reason).await?;
        history::snapshot(conn, entity, &[fact_id], Action::Dispute, key).await?;
        Ok(Written::record(conn, entity, fact_id, StatusCode::OK)
            .await?
            .audited(format!("key {} retracted competing value {id}", editor.0.key_id)))
    })
    .await?;
    Ok(written.response())
}
