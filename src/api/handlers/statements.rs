//! Statements: words someone said or wrote.

use actix_web::{delete, get, patch, post, web, HttpRequest, HttpResponse};
use diesel_async::AsyncPgConnection;
use serde::Deserialize;
use utoipa::IntoParams;

use serde_json::json;

use super::reading::{as_of_list, detail, narrow, AsOfList, ReadParams};
use crate::api::auth::Editor;
use crate::api::edit::{self, without_nulls, Editable};
use crate::api::error::ApiError;
use crate::api::formats::list_of;
use crate::api::grounds::Grounded;
use crate::api::input::{limits, Problems, Reader};
use crate::api::paging::{PageRequest, StoredPage};
use crate::api::params::{AnyOf, Id, NationCode, Query, SearchText};
use crate::api::schemas::bodies::{ChangeErrors, CreateErrors, StatementInput, StatementPatch};
use crate::api::schemas::records::{Statement, StatementPage};
use crate::api::write::{check_nations, check_references, RetractParams, Span};
use crate::api::AppState;
use crate::db::models::{NewCitation, NewStatement};
use crate::db::queries::statements::{self, StatementFilter};
use crate::db::queries::writes;
use crate::records::history::Entity;
use crate::vocab::Stance;

/// Filters and paging of the statements list.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct StatementListParams {
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
    /// Only statements made for these nations: one code or several, comma-separated (ISO
    /// 3166-1 alpha-2, any case: `US` or `US,FR`).
    #[param(value_type = Option<Vec<String>>, style = Form, explode = false, min_items = 1, example = json!(["US"]))]
    pub nation: Option<AnyOf<NationCode>>,
    /// Only statements by this person (a person's id).
    #[param(value_type = Option<i64>, minimum = 1, example = 3)]
    pub speaker: Option<Id>,
    /// Only statements made at this event.
    #[param(value_type = Option<i64>, minimum = 1, example = 1)]
    pub event: Option<Id>,
    /// Only statements taking one of these stances: one or several, comma-separated
    /// (`supportive,conditional`).
    #[param(value_type = Option<Vec<Stance>>, style = Form, explode = false, min_items = 1)]
    pub stance: Option<AnyOf<Stance>>,
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
    /// How many statements per page.
    #[param(minimum = 1, maximum = 500, default = 50, example = 50)]
    pub limit: Option<u32>,
}

crate::api::paging::paging!(StatementListParams);

/// Filters and paging of one nation's statements.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct StatementFilterParams {
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
    /// Only statements by this person (a person's id).
    #[param(value_type = Option<i64>, minimum = 1, example = 3)]
    pub speaker: Option<Id>,
    /// Only statements made at this event.
    #[param(value_type = Option<i64>, minimum = 1, example = 1)]
    pub event: Option<Id>,
    /// Only statements taking one of these stances: one or several, comma-separated
    /// (`supportive,conditional`).
    #[param(value_type = Option<Vec<Stance>>, style = Form, explode = false, min_items = 1)]
    pub stance: Option<AnyOf<Stance>>,
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
    /// How many statements per page.
    #[param(minimum = 1, maximum = 500, default = 50, example = 50)]
    pub limit: Option<u32>,
}

crate::api::paging::paging!(StatementFilterParams);

/// List statements
///
/// Words officials said or wrote, verbatim where the source quotes them, with speaker, stance and
/// citations. Filters combine.
#[utoipa::path(tag = "statements", operation_id = "list_statements", params(StatementListParams), responses((status = 200, description = "A page of statements.", body = StatementPage)))]
#[get("/statements")]
pub async fn list_statements(
    req: HttpRequest,
    state: web::Data<AppState>,
    Query(params): Query<StatementListParams>,
) -> Result<HttpResponse, ApiError> {
    list_of(&req, &state.clone(), params, move |params| {
        list_statements_page(state.clone(), params)
    })
    .await
}

/// One page of `list_statements`.
async fn list_statements_page(
    state: web::Data<AppState>,
    params: StatementListParams,
) -> Result<StoredPage<StatementPage>, ApiError> {
    let mut conn = state.conn().await?;
    let nations = params
        .nation
        .map(|n| n.map(NationCode::into_string).into_vec())
        .unwrap_or_default();
    let rest = StatementFilterParams {
        as_of: params.as_of,
        q: params.q,
        disputed: params.disputed,
        basis: params.basis,
        include_retracted: params.include_retracted,
        speaker: params.speaker,
        event: params.event,
        stance: params.stance,
        cursor: params.cursor,
        limit: params.limit,
    };
    list_statements_where(&mut conn, nations, rest).await
}

/// A page of statements, of these nations if any are given.
pub(crate) async fn list_statements_where(
    conn: &mut AsyncPgConnection,
    nations: Vec<String>,
    params: StatementFilterParams,
) -> Result<StoredPage<StatementPage>, ApiError> {
    let page = PageRequest::<i64>::new(params.cursor.as_deref(), params.limit)?;
    let include_retracted = params.include_retracted.unwrap_or(false);
    let stances = params.stance.map(AnyOf::into_vec).unwrap_or_default();
    if let Some(at) = params.as_of {
        let mut contains = serde_json::Map::new();
        let mut any_of = serde_json::Map::new();
        if let Some(disputed) = params.disputed {
            contains.insert("disputed".into(), json!(disputed));
        }
        if let Some(basis) = params.basis {
            contains.insert("inferred".into(), json!(basis == crate::vocab::Basis::Inferred));
        }
        narrow(&mut contains, &mut any_of, "nation", &nations);
        narrow(&mut contains, &mut any_of, "stance", &stances);
        if let Some(Id(speaker)) = params.speaker {
            contains.insert("speaker".into(), json!({ "id": speaker }));
        }
        if let Some(Id(event)) = params.event {
            contains.insert("event_id".into(), json!(event));
        }
        return as_of_list(
            conn,
            AsOfList::new(Entity::Statements, at, include_retracted, contains.into())
                .with_text(params.q.as_ref())
                .with_any_of(any_of),
            &page,
        )
        .await;
    }
    let filter = StatementFilter {
        disputed: params.disputed,
        inferred: params.basis.map(|b| b == crate::vocab::Basis::Inferred),
        text: params.q.as_ref().map(|q| q.as_str().to_owned()),
        nations,
        speaker: params.speaker.map(|Id(id)| id),
        event: params.event.map(|Id(id)| id),
        stances,
        include_retracted,
    };
    let rows = statements::list(conn, &filter, page.window().copied()).await?;
    StoredPage::of(&page, rows)
}

/// Get a statement
///
/// One statement with its speaker and citations.
#[utoipa::path(
    tag = "statements",
    operation_id = "get_statement",
    params(("id" = i64, Path, description = "The statement's id.", minimum = 1, example = 1), ReadParams),
    responses(
        (status = 200, description = "The statement.", body = Statement, headers(("ETag" = String, description = "The record's version, for `If-Match` when changing it."))),
        (status = 404, description = "No statement has this id.", body = crate::api::error::Problem, content_type = "application/problem+json"),
    )
)]
#[get("/statements/{id}")]
pub async fn get_statement(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<Id>,
    Query(read): Query<ReadParams>,
) -> Result<HttpResponse, ApiError> {
    let Id(id) = id.into_inner();
    detail(&state, &req, Entity::Statements, id, &read).await
}

/// Statements as editors write them.
pub struct StatementEdit;

/// A statement's checked fields.
pub struct StatementFields {
    speaker_id: Option<i64>,
    attribution: Option<String>,
    nation: Option<String>,
    event_id: Option<i64>,
    quote: Option<String>,
    summary: String,
    said_on: Option<chrono::NaiveDate>,
    stance: Stance,
}

impl StatementFields {
    fn row(&self) -> NewStatement<'_> {
        NewStatement {
            speaker_id: self.speaker_id,
            attribution: self.attribution.as_deref(),
            nation_code: self.nation.as_deref(),
            event_id: self.event_id,
            quote: self.quote.as_deref(),
            summary: &self.summary,
            said_on: self.said_on,
            stance: self.stance,
        }
    }
}

impl Editable for StatementEdit {
    const ENTITY: Entity = Entity::Statements;
    const GROUNDED: &'static [Grounded] = &[
        Grounded::required("said_on", "said_on"),
        Grounded::required("speaker", "speaker_id"),
        Grounded::required("event_id", "event_id"),
        Grounded::optional("stance", "stance"),
    ];
    const FIELDS: &'static [&'static str] = &[
        "speaker_id",
        "attribution",
        "nation",
        "event_id",
        "quote",
        "summary",
        "said_on",
        "stance",
    ];
    const CITED: bool = true;
    type Fields = StatementFields;

    async fn read(
        conn: &mut AsyncPgConnection,
        reader: &Reader<'_>,
        problems: &mut Problems,
    ) -> Result<Option<StatementFields>, ApiError> {
        let speaker_id = reader.id("speaker_id", false, problems);
        let attribution = reader.text("attribution", false, limits::LABEL, problems);
        let nation = reader.nation("nation", false, problems);
        let event_id = reader.id("event_id", false, problems);
        let quote = reader.text("quote", false, limits::SENTENCE, problems);
        let summary = reader.text("summary", true, limits::SENTENCE, problems);
        let said_on = reader.date("said_on", false, problems);
        let stance = reader.vocab::<Stance>("stance", true, problems);
        if speaker_id.is_none() && attribution.is_none() && !reader.has("speaker_id") && !reader.has("attribution") {
            problems.add(
                "speaker_id",
                "give the speaker's id, or an attribution when no single person speaks",
            );
        }
        if let Some(nation) = &nation {
            check_nations(conn, &[("nation".into(), nation.clone())], problems).await?;
        }
        if let Some(speaker) = speaker_id {
            check_references(conn, Entity::People, &[("speaker_id".into(), speaker)], problems).await?;
        }
        if let Some(event) = event_id {
            check_references(conn, Entity::Events, &[("event_id".into(), event)], problems).await?;
        }
        Ok(match (summary, stance) {
            (Some(summary), Some(stance)) => Some(StatementFields {
                speaker_id,
                attribution,
                nation,
                event_id,
                quote,
                summary,
                said_on,
                stance,
            }),
            _ => None,
        })
    }

    fn check_new(fields: &StatementFields, citations: &[Span], problems: &mut Problems) {
        if let Some(quote) = &fields.quote {
            if !citations.is_empty() && !citations.iter().any(|c| c.excerpt.contains(quote.as_str())) {
                problems.add("quote", "is in none of the excerpts cited: a quote must be verbatim");
            }
        }
    }

    async fn current(conn: &mut AsyncPgConnection, id: i64) -> Result<serde_json::Value, ApiError> {
        let s = statements::get(conn, id)
            .await?
            .ok_or_else(|| ApiError::NotFound(format!("no statement has the id {id}")))?;
        Ok(without_nulls(json!({
            "speaker_id": s.speaker_id, "attribution": s.attribution, "nation": s.nation_code, "event_id": s.event_id,
            "quote": s.quote, "summary": s.summary, "said_on": s.said_on, "stance": s.stance,
        })))
    }

    async fn insert(conn: &mut AsyncPgConnection, f: &StatementFields) -> Result<i64, ApiError> {
        Ok(writes::insert_statement(conn, f.row()).await?)
    }

    async fn update(conn: &mut AsyncPgConnection, id: i64, f: &StatementFields) -> Result<(), ApiError> {
        writes::update_statement(conn, id, f.row()).await?;
        Ok(())
    }

    fn cite(citation: &mut NewCitation<'_>, id: i64) {
        citation.statement_id = Some(id);
    }
}

/// Add a statement
///
/// Records words someone said or wrote, verbatim where the source quotes them, with the citations they rest on. Send `Idempotency-Key` to make a retry safe.
#[utoipa::path(
    tag = "statements",
    operation_id = "create_statement",
    request_body = StatementInput,
    params(("Idempotency-Key" = Option<String>, Header, pattern = "^[!-~]{1,200}$", description = crate::api::write::IDEMPOTENCY_KEY_CREATES_DOC)),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "The new record.", body = Statement,
            headers(("ETag" = String, description = "Its version."), ("Location" = String, description = "Where it lives."))),
        CreateErrors,
    )
)]
#[post("/statements")]
pub async fn create_statement(
    state: web::Data<AppState>,
    editor: Editor,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    edit::create_response::<StatementEdit>(&state, editor.0, &req, &body).await
}

/// Correct a statement
///
/// Applies a JSON Merge Patch (RFC 7396) to its fields. Needs `If-Match` with the ETag it was read
/// with: a 412 means someone changed it since.
#[utoipa::path(
    tag = "statements",
    operation_id = "update_statement",
    request_body(content = StatementPatch, content_type = "application/merge-patch+json"),
    params(
        ("id" = i64, Path, description = "The record's id.", minimum = 1, example = 1),
        ("If-Match" = String, Header, description = crate::api::write::IF_MATCH_DOC, example = "\"1\""),
    ),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The record, as it now reads.", body = Statement, headers(("ETag" = String, description = "Its new version."))),
        ChangeErrors,
    )
)]
#[patch("/statements/{id}")]
pub async fn update_statement(
    state: web::Data<AppState>,
    editor: Editor,
    req: HttpRequest,
    id: web::Path<Id>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    edit::update_response::<StatementEdit>(&state, editor.0, &req, id.into_inner().0, &body).await
}

/// Retract a statement
///
/// Hides the statement from reads, keeping it, its history and the reason. Needs `If-Match`.
#[utoipa::path(
    tag = "statements",
    operation_id = "delete_statement",
    params(
        ("id" = i64, Path, description = "The record's id.", minimum = 1, example = 1),
        ("If-Match" = String, Header, description = crate::api::write::IF_MATCH_DOC, example = "\"1\""),
        RetractParams,
    ),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The retracted record.", body = Statement, headers(("ETag" = String, description = "Its new version."))),
        ChangeErrors,
    )
)]
#[delete("/statements/{id}")]
pub async fn delete_statement(
    state: web::Data<AppState>,
    editor: Editor,
    req: HttpRequest,
    id: web::Path<Id>,
    Query(params): Query<RetractParams>,
) -> Result<HttpResponse, ApiError> {
    edit::retract_response::<StatementEdit>(&state, editor.0, &req, id.into_inner().0, &params).await
}
