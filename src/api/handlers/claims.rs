//! Claims and reports: figures someone reported.

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
use crate::api::grounds::Grounded;
use crate::api::input::{limits, Problems, Reader};
use crate::api::paging::{PageRequest, StoredPage};
use crate::api::params::{Id, NationCode, Query, SearchText};
use crate::api::schemas::bodies::{ChangeErrors, ClaimInput, ClaimPatch, CreateErrors};
use crate::api::schemas::records::{Claim, ClaimPage};
use crate::api::write::{check_nations, check_references, RetractParams};
use crate::api::AppState;
use crate::db::models::{NewCitation, NewClaim};
use crate::db::queries::claims::{self, ClaimFilter};
use crate::db::queries::writes;
use crate::records::history::Entity;
use crate::vocab::ClaimKind;

/// Filters and paging of the claims list.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ClaimListParams {
    /// Only facts that sources disagree on (true), or only undisputed ones (false).
    #[param(example = false)]
    pub disputed: Option<bool>,
    /// Only records every value of which its source states (`stated`), or only those with at
    /// least one inferred value (`inferred`): a date from framing, a derived range, an inferred
    /// link or stance.
    pub basis: Option<crate::vocab::Basis>,
    /// Only those matching these words, as `/v1/search` finds them (web search syntax: "quoted phrases", `or`, `-word`).
    #[param(value_type = Option<String>, min_length = 1, max_length = 500, pattern = r"^[^\x00]*[^\x00\t\n\x0B\f\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000][^\x00]*$", example = "reassurance")]
    pub q: Option<SearchText>,
    /// Only reports, or only claims of parties to the war.
    pub kind: Option<ClaimKind>,
    /// Only claims made by this nation (ISO 3166-1 alpha-2, any case).
    #[param(value_type = Option<String>, pattern = "^[A-Za-z]{2}$", example = "RU")]
    pub claimed_by: Option<NationCode>,
    /// Only claims tied to this event.
    #[param(value_type = Option<i64>, minimum = 1, example = 2)]
    pub event: Option<Id>,
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
    /// How many claims per page.
    #[param(minimum = 1, maximum = 500, default = 50, example = 50)]
    pub limit: Option<u32>,
}

crate::api::paging::paging!(ClaimListParams);

/// List claims
///
/// Figures reported by the sources or claimed by parties to the war (`kind` tells which): never
/// verified facts, each with who claims it and the citations it rests on.
#[utoipa::path(tag = "claims", operation_id = "list_claims", params(ClaimListParams), responses((status = 200, description = "A page of claims.", body = ClaimPage)))]
#[get("/claims")]
pub async fn list_claims(
    req: HttpRequest,
    state: web::Data<AppState>,
    Query(params): Query<ClaimListParams>,
) -> Result<HttpResponse, ApiError> {
    list_of(&req, &state.clone(), params, move |params| {
        list_claims_page(state.clone(), params)
    })
    .await
}

/// One page of `list_claims`.
async fn list_claims_page(
    state: web::Data<AppState>,
    params: ClaimListParams,
) -> Result<StoredPage<ClaimPage>, ApiError> {
    let page = PageRequest::<i64>::new(params.cursor.as_deref(), params.limit)?;
    let mut conn = state.conn().await?;
    let claimed_by = params.claimed_by.map(NationCode::into_string);
    let include_retracted = params.include_retracted.unwrap_or(false);
    if let Some(at) = params.as_of {
        let mut contains = serde_json::Map::new();
        if let Some(disputed) = params.disputed {
            contains.insert("disputed".into(), json!(disputed));
        }
        if let Some(basis) = params.basis {
            contains.insert("inferred".into(), json!(basis == crate::vocab::Basis::Inferred));
        }
        if let Some(kind) = params.kind {
            contains.insert("kind".into(), json!(kind));
        }
        if let Some(nation) = claimed_by {
            contains.insert("claimed_by".into(), json!(nation));
        }
        if let Some(Id(event)) = params.event {
            contains.insert("event_id".into(), json!(event));
        }
        return as_of_list(
            &mut conn,
            AsOfList::new(Entity::Claims, at, include_retracted, contains.into()).with_text(params.q.as_ref()),
            &page,
        )
        .await;
    }
    let filter = ClaimFilter {
        disputed: params.disputed,
        inferred: params.basis.map(|b| b == crate::vocab::Basis::Inferred),
        text: params.q.as_ref().map(|q| q.as_str().to_owned()),
        kind: params.kind,
        claimed_by,
        event: params.event.map(|Id(id)| id),
        include_retracted,
    };
    let rows = claims::list(&mut conn, &filter, page.window().copied()).await?;
    StoredPage::of(&page, rows)
}

/// Get a claim
///
/// One claim or report with its citations.
#[utoipa::path(
    tag = "claims",
    operation_id = "get_claim",
    params(("id" = i64, Path, description = "The claim's id.", minimum = 1, example = 1), ReadParams),
    responses(
        (status = 200, description = "The claim.", body = Claim, headers(("ETag" = String, description = "The record's version, for `If-Match` when changing it."))),
        (status = 404, description = "No claim has this id.", body = crate::api::error::Problem, content_type = "application/problem+json"),
    )
)]
#[get("/claims/{id}")]
pub async fn get_claim(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<Id>,
    Query(read): Query<ReadParams>,
) -> Result<HttpResponse, ApiError> {
    let Id(id) = id.into_inner();
    detail(&state, &req, Entity::Claims, id, &read).await
}

/// Claims as editors write them.
pub struct ClaimEdit;

/// A claim's checked fields.
pub struct ClaimFields {
    kind: ClaimKind,
    description: String,
    value: Option<f64>,
    unit: Option<String>,
    period: Option<String>,
    location: Option<String>,
    claimed_by: Option<String>,
    reported_on: Option<chrono::NaiveDate>,
    event_id: Option<i64>,
}

impl ClaimFields {
    fn row(&self) -> NewClaim<'_> {
        NewClaim {
            kind: self.kind,
            description: &self.description,
            value: self.value,
            unit: self.unit.as_deref(),
            period: self.period.as_deref(),
            location: self.location.as_deref(),
            claimed_by: self.claimed_by.as_deref(),
            reported_on: self.reported_on,
            event_id: self.event_id,
        }
    }
}

impl Editable for ClaimEdit {
    const ENTITY: Entity = Entity::Claims;
    const GROUNDED: &'static [Grounded] = &[
        Grounded::required("reported_on", "reported_on"),
        Grounded::required("event_id", "event_id"),
        Grounded::optional("location", "location"),
    ];
    const FIELDS: &'static [&'static str] = &[
        "kind",
        "description",
        "value",
        "unit",
        "period",
        "location",
        "claimed_by",
        "reported_on",
        "event_id",
    ];
    const CITED: bool = true;
    type Fields = ClaimFields;

    async fn read(
        conn: &mut AsyncPgConnection,
        reader: &Reader<'_>,
        problems: &mut Problems,
    ) -> Result<Option<ClaimFields>, ApiError> {
        let kind = reader.vocab::<ClaimKind>("kind", true, problems);
        let description = reader.text("description", true, limits::SENTENCE, problems);
        let value = reader.number("value", problems);
        let unit = reader.text("unit", false, limits::LABEL, problems);
        let period = reader.text("period", false, limits::LABEL, problems);
        let location = reader.text("location", false, limits::LABEL, problems);
        let claimed_by = reader.nation("claimed_by", false, problems);
        let reported_on = reader.date("reported_on", false, problems);
        let event_id = reader.id("event_id", false, problems);
        if let Some(nation) = &claimed_by {
            check_nations(conn, &[("claimed_by".into(), nation.clone())], problems).await?;
        }
        if let Some(event) = event_id {
            check_references(conn, Entity::Events, &[("event_id".into(), event)], problems).await?;
        }
        Ok(match (kind, description) {
            (Some(kind), Some(description)) => Some(ClaimFields {
                kind,
                description,
                value,
                unit,
                period,
                location,
                claimed_by,
                reported_on,
                event_id,
            }),
            _ => None,
        })
    }

    async fn current(conn: &mut AsyncPgConnection, id: i64) -> Result<serde_json::Value, ApiError> {
        let c = claims::get(conn, id)
            .await?
            .ok_or_else(|| ApiError::NotFound(format!("no claim has the id {id}")))?;
        Ok(without_nulls(json!({
            "kind": c.kind, "description": c.description, "value": c.value, "unit": c.unit, "period": c.period,
            "location": c.location, "claimed_by": c.claimed_by, "reported_on": c.reported_on, "event_id": c.event_id,
        })))
    }

    async fn insert(conn: &mut AsyncPgConnection, f: &ClaimFields) -> Result<i64, ApiError> {
        Ok(writes::insert_claim(conn, f.row()).await?)
    }

    async fn update(conn: &mut AsyncPgConnection, id: i64, f: &ClaimFields) -> Result<(), ApiError> {
        writes::update_claim(conn, id, f.row()).await?;
        Ok(())
    }

    fn cite(citation: &mut NewCitation<'_>, id: i64) {
        citation.claim_id = Some(id);
    }
}

/// Add a claim
///
/// Records a figure someone reported or a party to the war claimed, with the citations it rests on. Send `Idempotency-Key` to make a retry safe.
#[utoipa::path(
    tag = "claims",
    operation_id = "create_claim",
    request_body = ClaimInput,
    params(("Idempotency-Key" = Option<String>, Header, pattern = "^[!-~]{1,200}$", description = crate::api::write::IDEMPOTENCY_KEY_CREATES_DOC)),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "The new record.", body = Claim,
            headers(("ETag" = String, description = "Its version."), ("Location" = String, description = "Where it lives."))),
        CreateErrors,
    )
)]
#[post("/claims")]
pub async fn create_claim(
    state: web::Data<AppState>,
    editor: Editor,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    edit::create_response::<ClaimEdit>(&state, editor.0, &req, &body).await
}

/// Correct a claim
///
/// Applies a JSON Merge Patch (RFC 7396) to its fields. Needs `If-Match` with the ETag it was read
/// with: a 412 means someone changed it since.
#[utoipa::path(
    tag = "claims",
    operation_id = "update_claim",
    request_body(content = ClaimPatch, content_type = "application/merge-patch+json"),
    params(
        ("id" = i64, Path, description = "The record's id.", minimum = 1, example = 1),
        ("If-Match" = String, Header, description = crate::api::write::IF_MATCH_DOC, example = "\"1\""),
    ),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The record, as it now reads.", body = Claim, headers(("ETag" = String, description = "Its new version."))),
        ChangeErrors,
    )
)]
#[patch("/claims/{id}")]
pub async fn update_claim(
    state: web::Data<AppState>,
    editor: Editor,
    req: HttpRequest,
    id: web::Path<Id>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    edit::update_response::<ClaimEdit>(&state, editor.0, &req, id.into_inner().0, &body).await
}

/// Retract a claim
///
/// Hides the claim from reads, keeping it, its history and the reason. Needs `If-Match`.
#[utoipa::path(
    tag = "claims",
    operation_id = "delete_claim",
    params(
        ("id" = i64, Path, description = "The record's id.", minimum = 1, example = 1),
        ("If-Match" = String, Header, description = crate::api::write::IF_MATCH_DOC, example = "\"1\""),
        RetractParams,
    ),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The retracted record.", body = Claim, headers(("ETag" = String, description = "Its new version."))),
        ChangeErrors,
    )
)]
#[delete("/claims/{id}")]
pub async fn delete_claim(
    state: web::Data<AppState>,
    editor: Editor,
    req: HttpRequest,
    id: web::Path<Id>,
    Query(params): Query<RetractParams>,
) -> Result<HttpResponse, ApiError> {
    edit::retract_response::<ClaimEdit>(&state, editor.0, &req, id.into_inner().0, &params).await
}
