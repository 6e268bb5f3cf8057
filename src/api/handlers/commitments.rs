//! Commitments: what nations offered, pledged, refused or withdrew.

use actix_web::http::StatusCode;
use actix_web::{delete, get, patch, post, web, HttpRequest, HttpResponse};
use chrono::NaiveDate;
use diesel_async::AsyncPgConnection;
use serde::Deserialize;
use utoipa::IntoParams;

use serde_json::json;

use super::reading::{as_of_list, detail, narrow, AsOfList, ReadParams};
use crate::api::auth::Editor;
use crate::api::edit::{self, Editable};
use crate::api::error::ApiError;
use crate::api::formats::list_of;
use crate::api::grounds::{self, BasisInput, Grounded};
use crate::api::input::{self, limits, Problems, Reader};
use crate::api::paging::{PageRequest, StoredPage};
use crate::api::params::{AnyOf, Id, NationCode, Query, SearchText};
use crate::api::schemas::bodies::{ChangeErrors, CommitmentInput, CommitmentPatch, CreateErrors, StatusChangeInput};
use crate::api::schemas::records::{Commitment, CommitmentPage};
use crate::api::write::{
    check_if_match, check_nations, check_references, lock_live, new_citations, read_citations, Idempotency, IfMatch,
    RetractParams, Span, Written,
};
use crate::api::AppState;
use crate::basis::FieldBasis;
use crate::db::models::{self, NewCitation, NewCommitment, NewStatusChange};
use crate::db::queries::commitments::{self, CommitmentFilter};
use crate::db::queries::writes;
use crate::records::history::Entity;
use crate::records::history::{self, Action};
use crate::vocab::{CommitmentKind, CommitmentStatus, ForceRole, Modality};

/// Declares a parameter struct of commitment lists: the filters and paging every list of
/// commitments takes, with the given fields after `q` (the order of the document's parameters).
macro_rules! commitment_params {
    ($(#[$meta:meta])* $name:ident { $($extra:tt)* }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Deserialize, IntoParams)]
        #[serde(deny_unknown_fields)]
        #[into_params(parameter_in = Query)]
        pub struct $name {
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
            $($extra)*
            /// Only commitments of these kinds: one or several, comma-separated (`troops,funding`).
            #[param(value_type = Option<Vec<CommitmentKind>>, style = Form, explode = false, min_items = 1)]
            pub kind: Option<AnyOf<CommitmentKind>>,
            /// Only commitments whose current status is one of these: one or several, comma-separated
            /// (`pledged,in_progress`).
            #[param(value_type = Option<Vec<CommitmentStatus>>, style = Form, explode = false, min_items = 1)]
            pub status: Option<AnyOf<CommitmentStatus>>,
            /// Only commitments made at this event.
            #[param(value_type = Option<i64>, minimum = 1, example = 1)]
            pub event: Option<Id>,
            /// Only commitments citing this source.
            #[param(value_type = Option<i64>, minimum = 1, example = 1)]
            pub source: Option<Id>,
            /// Only commitments announced on or after this date (YYYY-MM-DD); undated ones are left out.
            #[param(example = json!(null))]
            #[serde(default, deserialize_with = "crate::api::params::within_pg_range")]
            pub announced_since: Option<NaiveDate>,
            /// Only commitments announced on or before this date (YYYY-MM-DD); undated ones are left out.
            #[param(example = json!(null))]
            #[serde(default, deserialize_with = "crate::api::params::within_pg_range")]
            pub announced_until: Option<NaiveDate>,
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
            /// How many commitments per page.
            #[param(minimum = 1, maximum = 500, default = 50, example = 50)]
            pub limit: Option<u32>,
        }

        crate::api::paging::paging!($name);
    };
}

commitment_params!(
    /// Filters and paging of the commitments list.
    CommitmentListParams {
        /// Only these nations' commitments: one code or several, comma-separated (ISO 3166-1
        /// alpha-2, any case: `FR` or `FR,GB`).
        #[param(value_type = Option<Vec<String>>, style = Form, explode = false, min_items = 1, example = json!(["FR"]))]
        pub nation: Option<AnyOf<NationCode>>,
    }
);

commitment_params!(
    /// Filters and paging of one nation's commitments.
    CommitmentFilterParams {}
);

/// List commitments
///
/// What nations offered, pledged, refused or withdrew, each with its status history, its amount in
/// the source's words, its conditions, and the exact citations it rests on. Filters combine.
#[utoipa::path(tag = "commitments", operation_id = "list_commitments", params(CommitmentListParams), responses((status = 200, description = "A page of commitments.", body = CommitmentPage)))]
#[get("/commitments")]
pub async fn list_commitments(
    req: HttpRequest,
    state: web::Data<AppState>,
    Query(params): Query<CommitmentListParams>,
) -> Result<HttpResponse, ApiError> {
    list_of(&req, &state.clone(), params, move |params| {
        list_commitments_page(state.clone(), params)
    })
    .await
}

/// One page of `list_commitments`.
async fn list_commitments_page(
    state: web::Data<AppState>,
    params: CommitmentListParams,
) -> Result<StoredPage<CommitmentPage>, ApiError> {
    let mut conn = state.conn().await?;
    let nations = params
        .nation
        .map(|n| n.map(NationCode::into_string).into_vec())
        .unwrap_or_default();
    let rest = CommitmentFilterParams {
        as_of: params.as_of,
        q: params.q,
        disputed: params.disputed,
        basis: params.basis,
        include_retracted: params.include_retracted,
        kind: params.kind,
        status: params.status,
        event: params.event,
        source: params.source,
        announced_since: params.announced_since,
        announced_until: params.announced_until,
        cursor: params.cursor,
        limit: params.limit,
    };
    list_commitments_where(&mut conn, nations, rest).await
}

/// A page of commitments, of these nations if any are given.
pub(crate) async fn list_commitments_where(
    conn: &mut AsyncPgConnection,
    nations: Vec<String>,
    params: CommitmentFilterParams,
) -> Result<StoredPage<CommitmentPage>, ApiError> {
    let page = PageRequest::<i64>::new(params.cursor.as_deref(), params.limit)?;
    let include_retracted = params.include_retracted.unwrap_or(false);
    let kinds = params.kind.map(AnyOf::into_vec).unwrap_or_default();
    let statuses = params.status.map(AnyOf::into_vec).unwrap_or_default();
    if let Some(at) = params.as_of {
        let mut contains = serde_json::Map::new();
        if let Some(disputed) = params.disputed {
            contains.insert("disputed".into(), json!(disputed));
        }
        if let Some(basis) = params.basis {
            contains.insert("inferred".into(), json!(basis == crate::vocab::Basis::Inferred));
        }
        let mut any_of = serde_json::Map::new();
        narrow(&mut contains, &mut any_of, "nation", &nations);
        narrow(&mut contains, &mut any_of, "kind", kinds.as_slice());
        narrow(&mut contains, &mut any_of, "status", statuses.as_slice());
        if let Some(Id(event)) = params.event {
            contains.insert("event_id".into(), json!(event));
        }
        if let Some(Id(source)) = params.source {
            contains.insert("citations".into(), json!([{ "source_id": source }]));
        }
        let dates = Some((
            "announced_on",
            params.announced_since.map(|d| d.to_string()),
            params.announced_until.map(|d| d.to_string()),
        ));
        return as_of_list(
            conn,
            AsOfList {
                date_range: dates,
                ..AsOfList::new(Entity::Commitments, at, include_retracted, contains.into())
                    .with_text(params.q.as_ref())
                    .with_any_of(any_of)
            },
            &page,
        )
        .await;
    }
    let filter = CommitmentFilter {
        disputed: params.disputed,
        inferred: params.basis.map(|b| b == crate::vocab::Basis::Inferred),
        text: params.q.as_ref().map(|q| q.as_str().to_owned()),
        nations,
        kinds,
        statuses,
        event: params.event.map(|Id(id)| id),
        source: params.source.map(|Id(id)| id),
        announced_since: params.announced_since,
        announced_until: params.announced_until,
        include_retracted,
    };
    let rows = commitments::list(conn, &filter, page.window().copied()).await?;
    StoredPage::of(&page, rows)
}

/// Get a commitment
///
/// One commitment with its status history and citations.
#[utoipa::path(
    tag = "commitments",
    operation_id = "get_commitment",
    params(("id" = i64, Path, description = "The commitment's id.", minimum = 1, example = 1), ReadParams),
    responses(
        (status = 200, description = "The commitment.", body = Commitment, headers(("ETag" = String, description = "The record's version, for `If-Match` when changing it."))),
        (status = 404, description = "No commitment has this id.", body = crate::api::error::Problem, content_type = "application/problem+json"),
    )
)]
#[get("/commitments/{id}")]
pub async fn get_commitment(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<Id>,
    Query(read): Query<ReadParams>,
) -> Result<HttpResponse, ApiError> {
    let Id(id) = id.into_inner();
    detail(&state, &req, Entity::Commitments, id, &read).await
}

/// The fields of a commitment an editor sets directly.
const EDITABLE: &[&str] = &[
    "nation",
    "kind",
    "summary",
    "quantity",
    "role",
    "conditions",
    "announced_on",
    "announced_by",
    "event_id",
];

/// An amount: least, most, unit, the source's words, and the quantity rule that derived the
/// range when the editor gave none.
type QuantityFields = (Option<f64>, Option<f64>, Option<String>, String, Option<String>);

/// A commitment's editable fields, read and checked.
struct Fields {
    nation: String,
    kind: CommitmentKind,
    summary: String,
    quantity: Option<QuantityFields>,
    role: ForceRole,
    conditions: Option<String>,
    announced_on: Option<NaiveDate>,
    announced_by: Option<i64>,
    event_id: Option<i64>,
}

impl Fields {
    fn row(&self, status: CommitmentStatus) -> NewCommitment<'_> {
        NewCommitment {
            nation_code: &self.nation,
            kind: self.kind,
            status,
            summary: &self.summary,
            quantity_min: self.quantity.as_ref().and_then(|q| q.0),
            quantity_max: self.quantity.as_ref().and_then(|q| q.1),
            quantity_unit: self.quantity.as_ref().and_then(|q| q.2.as_deref()),
            quantity_text: self.quantity.as_ref().map(|q| q.3.as_str()),
            role: self.role,
            conditions: self.conditions.as_deref(),
            announced_on: self.announced_on,
            announced_by: self.announced_by,
            event_id: self.event_id,
        }
    }

    /// The editable fields of a stored commitment, as the body of a create would give them. A
    /// range the quantity rules derived is left out, so that it is derived again from the words.
    fn of(row: &models::Commitment) -> serde_json::Value {
        let by_rule = crate::basis::entry(&row.basis, "quantity").is_some_and(|b| b.by_rule());
        let quantity = row.quantity_text.as_ref().map(|text| {
            if by_rule {
                json!({ "unit": row.quantity_unit, "text": text })
            } else {
                json!({ "min": row.quantity_min, "max": row.quantity_max, "unit": row.quantity_unit, "text": text })
            }
        });
        let mut value = json!({
            "nation": row.nation_code, "kind": row.kind, "summary": row.summary, "quantity": quantity,
            "role": row.role, "conditions": row.conditions, "announced_on": row.announced_on,
            "announced_by": row.announced_by, "event_id": row.event_id,
        });
        if let Some(map) = value.as_object_mut() {
            map.retain(|_, v| !v.is_null());
        }
        value
    }

    async fn read(
        conn: &mut AsyncPgConnection,
        reader: &Reader<'_>,
        problems: &mut Problems,
    ) -> Result<Option<Self>, ApiError> {
        let nation = reader.nation("nation", true, problems);
        let kind = reader.vocab::<CommitmentKind>("kind", true, problems);
        let summary = reader.text("summary", true, limits::SENTENCE, problems);
        let quantity = match reader.object("quantity", problems) {
            None => None,
            Some(map) => {
                let q = Reader::nested(map, "quantity.".into());
                q.only(&["min", "max", "unit", "text"], problems);
                let (min, max) = (q.number("min", problems), q.number("max", problems));
                let unit = q.text("unit", false, limits::LABEL, problems);
                let text = q.text("text", true, limits::LABEL, problems);
                if let (Some(min), Some(max)) = (min, max) {
                    if min > max {
                        problems.add("quantity.min", format!("must not be greater than quantity.max ({max})"));
                    }
                }
                text.map(|text| match (min, max) {
                    // No range given: the documented rules derive one from the words, or none.
                    (None, None) => match crate::quantity::derive(&text) {
                        Some(d) => (d.min, d.max, unit, text, Some(d.rule)),
                        None => (None, None, unit, text, None),
                    },
                    _ => (min, max, unit, text, None),
                })
            }
        };
        let role = reader
            .vocab::<ForceRole>("role", false, problems)
            .unwrap_or(ForceRole::Unspecified);
        let conditions = reader.text("conditions", false, limits::SENTENCE, problems);
        let announced_on = reader.date("announced_on", false, problems);
        let announced_by = reader.id("announced_by", false, problems);
        let event_id = reader.id("event_id", false, problems);
        if let Some(nation) = &nation {
            check_nations(conn, &[("nation".into(), nation.clone())], problems).await?;
        }
        if let Some(person) = announced_by {
            check_references(conn, Entity::People, &[("announced_by".into(), person)], problems).await?;
        }
        if let Some(event) = event_id {
            check_references(conn, Entity::Events, &[("event_id".into(), event)], problems).await?;
        }
        Ok(match (nation, kind, summary) {
            (Some(nation), Some(kind), Some(summary)) => Some(Fields {
                nation,
                kind,
                summary,
                quantity,
                role,
                conditions,
                announced_on,
                announced_by,
                event_id,
            }),
            _ => None,
        })
    }
}

/// Commitments as editors write them; their status changes through `create_status_change`.
pub struct CommitmentEdit;

/// A commitment's checked fields, with its status, the date its first status took effect, and
/// whether that status is announced or effective.
pub struct CommitmentFields {
    fields: Fields,
    status: CommitmentStatus,
    changed_on: Option<NaiveDate>,
    modality: Modality,
}

impl Editable for CommitmentEdit {
    const ENTITY: Entity = Entity::Commitments;
    const FIELDS: &'static [&'static str] = EDITABLE;
    const CITED: bool = true;
    const CREATE_ONLY: &'static [&'static str] = &["status", "status_changed_on", "status_modality"];
    const GROUNDED: &'static [Grounded] = &[
        Grounded::required("quantity", "quantity"),
        Grounded::optional("role", "role"),
        Grounded::optional("conditions", "conditions"),
        Grounded::required("announced_on", "announced_on"),
        Grounded::required("announced_by", "announced_by"),
        Grounded::required("event_id", "event_id"),
        Grounded::required("status_changed_on", "status_changed_on"),
    ];
    type Fields = CommitmentFields;

    fn implied_basis(f: &CommitmentFields) -> Vec<(&'static str, FieldBasis)> {
        f.fields
            .quantity
            .as_ref()
            .and_then(|q| q.4.as_ref())
            .map(|rule| ("quantity", FieldBasis::inferred(rule.clone(), crate::basis::BY_RULE)))
            .into_iter()
            .collect()
    }

    async fn read(
        conn: &mut AsyncPgConnection,
        reader: &Reader<'_>,
        problems: &mut Problems,
    ) -> Result<Option<CommitmentFields>, ApiError> {
        let fields = Fields::read(conn, reader, problems).await?;
        let status = reader.vocab::<CommitmentStatus>("status", true, problems);
        let changed_on = reader.date("status_changed_on", false, problems);
        let modality = reader
            .vocab::<Modality>("status_modality", false, problems)
            .unwrap_or(Modality::Effective);
        Ok(fields.zip(status).map(|(fields, status)| CommitmentFields {
            fields,
            status,
            changed_on,
            modality,
        }))
    }

    fn patch_refusal(field: &str, id: i64) -> Option<String> {
        matches!(field, "status" | "status_changed_on" | "status_modality")
            .then(|| format!("changes through POST /v1/commitments/{id}/status, which keeps the history"))
    }

    async fn current(conn: &mut AsyncPgConnection, id: i64) -> Result<serde_json::Value, ApiError> {
        let row = commitments::get(conn, id).await?.ok_or_else(|| not_found_live(id))?;
        let mut value = Fields::of(&row);
        if let Some(map) = value.as_object_mut() {
            map.insert("status".into(), json!(row.status));
        }
        Ok(value)
    }

    async fn insert(conn: &mut AsyncPgConnection, f: &CommitmentFields) -> Result<i64, ApiError> {
        Ok(writes::insert_commitment(conn, f.fields.row(f.status)).await?)
    }

    async fn after_insert(
        conn: &mut AsyncPgConnection,
        id: i64,
        f: &CommitmentFields,
        citations: &[Span],
        basis: &BasisInput,
        key: i64,
    ) -> Result<Vec<i64>, ApiError> {
        // Its status is the first step of its history, on the same evidence. Undated, it takes
        // the announcement's date, marked as inferred by that rule.
        let defaulted = f.changed_on.is_none() && f.fields.announced_on.is_some();
        let implied = if defaulted {
            json!({ "changed_on": FieldBasis::inferred(
                "no date was given for the first status step; it takes the commitment's announced_on",
                crate::basis::BY_RULE,
            ).stored() })
        } else {
            json!({})
        };
        let first = NewStatusChange {
            commitment_id: id,
            status: f.status,
            changed_on: f.changed_on.or(f.fields.announced_on),
            note: None,
            modality: f.modality,
            basis: implied,
        };
        let (change, cited) =
            writes::insert_status_change_cited(conn, first, &new_citations(citations, |_| ())).await?;
        if let Some(given) = basis.get("status_changed_on") {
            let mut problems = Problems::default();
            let resolved = grounds::resolve(
                "status_changed_on",
                given,
                &cited,
                &[],
                &grounds::editor(key),
                &mut problems,
            );
            problems.finish(())?;
            if let Some(resolved) = resolved {
                let stored = json!({ "changed_on": resolved.stored() });
                writes::set_basis(conn, "commitment_status_changes", change, &stored).await?;
            }
        }
        Ok(cited)
    }

    async fn update(conn: &mut AsyncPgConnection, id: i64, f: &CommitmentFields) -> Result<(), ApiError> {
        writes::update_commitment(conn, id, f.fields.row(f.status)).await?;
        Ok(())
    }

    fn cite(citation: &mut NewCitation<'_>, id: i64) {
        citation.commitment_id = Some(id);
    }
}

/// The grounded field of a status change.
const CHANGE_GROUNDS: &[Grounded] = &[
    Grounded::optional("status", "status"),
    Grounded::required("changed_on", "changed_on"),
];

/// Add a commitment
///
/// Records what a nation offered, pledged, refused or withdrew, with the citations it rests on;
/// its status is the first step of its history. Send `Idempotency-Key` to make a retry safe.
#[utoipa::path(
    tag = "commitments",
    operation_id = "create_commitment",
    request_body = CommitmentInput,
    params(("Idempotency-Key" = Option<String>, Header, pattern = "^[!-~]{1,200}$", description = crate::api::write::IDEMPOTENCY_KEY_CREATES_DOC)),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "The commitment, as it now reads.", body = Commitment,
            headers(("ETag" = String, description = "Its version."), ("Location" = String, description = "Where it lives."))),
        CreateErrors,
    )
)]
#[post("/commitments")]
pub async fn create_commitment(
    state: web::Data<AppState>,
    editor: Editor,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    edit::create_response::<CommitmentEdit>(&state, editor.0, &req, &body).await
}

/// Correct a commitment
///
/// Applies a JSON Merge Patch (RFC 7396) to the commitment's editable fields. Needs `If-Match`
/// with the ETag it was read with: a 412 means someone changed it since.
#[utoipa::path(
    tag = "commitments",
    operation_id = "update_commitment",
    request_body(content = CommitmentPatch, content_type = "application/merge-patch+json"),
    params(
        ("id" = i64, Path, description = "The commitment's id.", minimum = 1, example = 1),
        ("If-Match" = String, Header, description = "The ETag the commitment was read with.", example = "\"1\""),
    ),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The commitment, as it now reads.", body = Commitment, headers(("ETag" = String, description = "Its new version."))),
        ChangeErrors,
    )
)]
#[patch("/commitments/{id}")]
pub async fn update_commitment(
    state: web::Data<AppState>,
    editor: Editor,
    req: HttpRequest,
    id: web::Path<Id>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    edit::update_response::<CommitmentEdit>(&state, editor.0, &req, id.into_inner().0, &body).await
}

fn not_found_live(id: i64) -> ApiError {
    ApiError::NotFound(format!("no live commitment has the id {id}"))
}

/// Retract a commitment
///
/// Hides the commitment from reads (`include_retracted=true` still shows it) and keeps it, its
/// history and the reason. Needs `If-Match`.
#[utoipa::path(
    tag = "commitments",
    operation_id = "delete_commitment",
    params(
        ("id" = i64, Path, description = "The commitment's id.", minimum = 1, example = 1),
        ("If-Match" = String, Header, description = "The ETag the commitment was read with.", example = "\"1\""),
        RetractParams,
    ),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The retracted commitment.", body = Commitment, headers(("ETag" = String, description = "Its new version."))),
        ChangeErrors,
    )
)]
#[delete("/commitments/{id}")]
pub async fn delete_commitment(
    state: web::Data<AppState>,
    editor: Editor,
    req: HttpRequest,
    id: web::Path<Id>,
    Query(params): Query<RetractParams>,
) -> Result<HttpResponse, ApiError> {
    edit::retract_response::<CommitmentEdit>(&state, editor.0, &req, id.into_inner().0, &params).await
}

/// Change a commitment's status
///
/// Adds a step to the commitment's status history, with its date and evidence: the history is
/// kept, never overwritten. `If-Match` is checked when given. Send `Idempotency-Key` to make a
/// retry safe.
#[utoipa::path(
    tag = "commitments",
    operation_id = "create_status_change",
    request_body = StatusChangeInput,
    params(
        ("id" = i64, Path, description = "The commitment's id.", minimum = 1, example = 1),
        ("If-Match" = Option<String>, Header, description = "If given, the ETag the commitment was read with.", example = "\"1\""),
        ("Idempotency-Key" = Option<String>, Header, pattern = "^[!-~]{1,200}$", description = crate::api::write::IDEMPOTENCY_KEY_CHANGES_DOC),
    ),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "The commitment with its new status and history.", body = Commitment,
            headers(("ETag" = String, description = "Its new version."), ("Location" = String, description = "Where it lives."))),
        (status = 401, description = "No key, or an unknown or revoked one.", body = crate::api::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "The key may not write.", body = crate::api::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No live commitment has this id.", body = crate::api::error::Problem, content_type = "application/problem+json"),
        (status = 409, description = "The Idempotency-Key was used for another request.", body = crate::api::error::Problem, content_type = "application/problem+json"),
        (status = 412, description = "It changed since it was read.", body = crate::api::error::Problem, content_type = "application/problem+json"),
        (status = 422, description = "The body has problems; `errors` lists them all.", body = crate::api::error::Problem, content_type = "application/problem+json"),
    )
)]
#[post("/commitments/{id}/status")]
pub async fn create_status_change(
    state: web::Data<AppState>,
    editor: Editor,
    req: HttpRequest,
    id: web::Path<Id>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    let Id(id) = id.into_inner();
    let map = input::object(&body)?;
    let idempotency = Idempotency::of(&req, editor.0, &body)?;
    let if_match = IfMatch::of(&req);
    let key = Some(editor.0.key_id);
    let mut conn = state.conn().await?;
    let written = crate::db::session::write_transaction::<_, ApiError>(&mut conn, async |conn| {
        if let Some(replay) = idempotency.replay(conn).await? {
            return Ok(replay);
        }
        let version = lock_live(conn, Entity::Commitments, id).await?;
        check_if_match(&if_match, Entity::Commitments, id, version, false)?;
        let mut problems = Problems::default();
        let reader = Reader::new(&map);
        reader.only(
            &["status", "modality", "changed_on", "note", "citations", "basis"],
            &mut problems,
        );
        let status = reader.vocab::<CommitmentStatus>("status", true, &mut problems);
        let modality = reader
            .vocab::<Modality>("modality", false, &mut problems)
            .unwrap_or(Modality::Effective);
        let changed_on = reader.date("changed_on", false, &mut problems);
        let note = reader.text("note", false, limits::SENTENCE, &mut problems);
        let spans = read_citations(conn, &reader, "citations", &mut problems).await?;
        let in_body = map
            .get("citations")
            .and_then(serde_json::Value::as_array)
            .map_or(0, Vec::len);
        let given = grounds::read(&reader, CHANGE_GROUNDS, in_body, &mut problems);
        grounds::check_complete(&map, &given, CHANGE_GROUNDS, &mut problems);
        if let (Some(date), Some(latest)) = (changed_on, writes::last_change_date(conn, id).await?) {
            if date < latest {
                problems.add(
                    "changed_on",
                    format!("is before the latest step of the history ({latest}); dates must not go back"),
                );
            }
        }
        let Some(status) = problems.finish(status)? else {
            return Err(ApiError::Internal("a checked status change lacks its status".into()));
        };
        let change = NewStatusChange {
            commitment_id: id,
            status,
            changed_on,
            note: note.as_deref(),
            modality,
            basis: json!({}),
        };
        let (change_id, cited) =
            writes::insert_status_change_cited(conn, change, &new_citations(&spans, |_| ())).await?;
        grounds::store_created(
            conn,
            ("commitment_status_changes", change_id),
            &given,
            CHANGE_GROUNDS,
            &cited,
            Vec::new(),
            editor.0.key_id,
        )
        .await?;
        history::snapshot(conn, Entity::Citations, &cited, Action::Create, key).await?;
        let (stored, _) = history::snapshot_all(conn, &[(Entity::Commitments, &[id])], Action::Status, key).await?;
        let written = stored
            .first()
            .map(|s| {
                Written::stored(s, StatusCode::CREATED)
                    .audited(format!("key {} set commitment {id} to {status}", editor.0.key_id))
            })
            .ok_or_else(|| ApiError::Internal(format!("commitment {id} has no stored version after its write")))?;
        idempotency.store(conn, &written).await?;
        Ok(written)
    })
    .await?;
    Ok(written.response())
}
