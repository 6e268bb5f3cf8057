//! Events: meetings, declarations, attack reports.

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
use crate::api::schemas::bodies::{ChangeErrors, CreateErrors, EventInput, EventPatch};
use crate::api::schemas::records::{Event, EventPage};
use crate::api::write::{check_nations, RetractParams};
use crate::api::AppState;
use crate::db::models::{NewCitation, NewEvent, Participant};
use crate::db::queries::events::{self, EventFilter};
use crate::db::queries::writes;
use crate::records::history::Entity;
use crate::vocab::EventKind;

/// Filters and paging of the events list.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct EventListParams {
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
    /// Only events of this kind.
    pub kind: Option<EventKind>,
    /// Only events this nation took part in (ISO 3166-1 alpha-2, any case).
    #[param(value_type = Option<String>, pattern = "^[A-Za-z]{2}$", example = "FR")]
    pub nation: Option<NationCode>,
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
    /// How many events per page.
    #[param(minimum = 1, maximum = 500, default = 50, example = 50)]
    pub limit: Option<u32>,
}

crate::api::paging::paging!(EventListParams);

/// List events
///
/// Summits, meetings, declarations and attack reports, with the nations taking part and the
/// citations they rest on.
#[utoipa::path(tag = "events", operation_id = "list_events", params(EventListParams), responses((status = 200, description = "A page of events.", body = EventPage)))]
#[get("/events")]
pub async fn list_events(
    req: HttpRequest,
    state: web::Data<AppState>,
    Query(params): Query<EventListParams>,
) -> Result<HttpResponse, ApiError> {
    list_of(&req, &state.clone(), params, move |params| {
        list_events_page(state.clone(), params)
    })
    .await
}

/// One page of `list_events`.
async fn list_events_page(
    state: web::Data<AppState>,
    params: EventListParams,
) -> Result<StoredPage<EventPage>, ApiError> {
    let page = PageRequest::<i64>::new(params.cursor.as_deref(), params.limit)?;
    let mut conn = state.conn().await?;
    let nation = params.nation.map(NationCode::into_string);
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
        if let Some(nation) = nation {
            contains.insert("participants".into(), json!([{ "nation": nation }]));
        }
        return as_of_list(
            &mut conn,
            AsOfList::new(Entity::Events, at, include_retracted, contains.into()).with_text(params.q.as_ref()),
            &page,
        )
        .await;
    }
    let filter = EventFilter {
        disputed: params.disputed,
        inferred: params.basis.map(|b| b == crate::vocab::Basis::Inferred),
        text: params.q.as_ref().map(|q| q.as_str().to_owned()),
        kind: params.kind,
        nation,
        include_retracted,
    };
    let rows = events::list(&mut conn, &filter, page.window().copied()).await?;
    StoredPage::of(&page, rows)
}

/// Get an event
///
/// One event with its participants and citations.
#[utoipa::path(
    tag = "events",
    operation_id = "get_event",
    params(("id" = i64, Path, description = "The event's id.", minimum = 1, example = 1), ReadParams),
    responses(
        (status = 200, description = "The event.", body = Event, headers(("ETag" = String, description = "The record's version, for `If-Match` when changing it."))),
        (status = 404, description = "No event has this id.", body = crate::api::error::Problem, content_type = "application/problem+json"),
    )
)]
#[get("/events/{id}")]
pub async fn get_event(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<Id>,
    Query(read): Query<ReadParams>,
) -> Result<HttpResponse, ApiError> {
    let Id(id) = id.into_inner();
    detail(&state, &req, Entity::Events, id, &read).await
}

/// Events as editors write them.
pub struct EventEdit;

/// An event's checked fields.
pub struct EventFields {
    kind: EventKind,
    title: String,
    occurred_on: Option<chrono::NaiveDate>,
    location: Option<String>,
    attendance: Option<String>,
    description: Option<String>,
    participants: Vec<(String, Option<String>)>,
}

impl EventFields {
    fn row(&self) -> NewEvent<'_> {
        NewEvent {
            kind: self.kind,
            title: &self.title,
            occurred_on: self.occurred_on,
            location: self.location.as_deref(),
            attendance: self.attendance.as_deref(),
            description: self.description.as_deref(),
        }
    }

    fn participants(&self, event_id: i64) -> Vec<Participant> {
        self.participants
            .iter()
            .map(|(nation, role)| Participant {
                event_id,
                nation_code: nation.clone(),
                role: role.clone(),
            })
            .collect()
    }
}

impl Editable for EventEdit {
    const ENTITY: Entity = Entity::Events;
    const GROUNDED: &'static [Grounded] = &[
        Grounded::required("occurred_on", "occurred_on"),
        Grounded::optional("location", "location"),
        Grounded::required("participants", "participants"),
    ];
    const FIELDS: &'static [&'static str] = &[
        "kind",
        "title",
        "occurred_on",
        "location",
        "attendance",
        "description",
        "participants",
    ];
    const CITED: bool = true;
    type Fields = EventFields;

    async fn read(
        conn: &mut AsyncPgConnection,
        reader: &Reader<'_>,
        problems: &mut Problems,
    ) -> Result<Option<EventFields>, ApiError> {
        let kind = reader.vocab::<EventKind>("kind", true, problems);
        let title = reader.text("title", true, limits::LABEL, problems);
        let occurred_on = reader.date("occurred_on", false, problems);
        let location = reader.text("location", false, limits::LABEL, problems);
        let attendance = reader.text("attendance", false, limits::LABEL, problems);
        let description = reader.text("description", false, limits::PARAGRAPH, problems);
        let mut participants = Vec::new();
        let mut codes = Vec::new();
        for (i, item) in reader.array("participants", problems).into_iter().flatten().enumerate() {
            let path = format!("participants[{i}].");
            let Some(map) = item.as_object() else {
                problems.add(format!("participants[{i}]"), "must be an object {nation, role?}");
                continue;
            };
            let p = Reader::nested(map, path.clone());
            p.only(&["nation", "role"], problems);
            let nation = p.nation("nation", true, problems);
            let role = p.text("role", false, limits::LABEL, problems);
            if let Some(nation) = nation {
                if participants.iter().any(|(n, _)| n == &nation) {
                    problems.add(
                        format!("{path}nation"),
                        format!("{nation} is listed twice; list each participant once"),
                    );
                }
                codes.push((format!("{path}nation"), nation.clone()));
                participants.push((nation, role));
            }
        }
        check_nations(conn, &codes, problems).await?;
        Ok(match (kind, title) {
            (Some(kind), Some(title)) => Some(EventFields {
                kind,
                title,
                occurred_on,
                location,
                attendance,
                description,
                participants,
            }),
            _ => None,
        })
    }

    async fn current(conn: &mut AsyncPgConnection, id: i64) -> Result<serde_json::Value, ApiError> {
        let e = events::get(conn, id)
            .await?
            .ok_or_else(|| ApiError::NotFound(format!("no event has the id {id}")))?;
        let participants: Vec<serde_json::Value> = events::participants(conn, &[id])
            .await?
            .into_iter()
            .map(|p| without_nulls(json!({"nation": p.nation_code, "role": p.role})))
            .collect();
        Ok(without_nulls(json!({
            "kind": e.kind, "title": e.title, "occurred_on": e.occurred_on, "location": e.location,
            "attendance": e.attendance, "description": e.description, "participants": participants,
        })))
    }

    async fn insert(conn: &mut AsyncPgConnection, f: &EventFields) -> Result<i64, ApiError> {
        let id = writes::insert_event(conn, f.row()).await?;
        writes::set_participants(conn, id, &f.participants(id)).await?;
        Ok(id)
    }

    async fn update(conn: &mut AsyncPgConnection, id: i64, f: &EventFields) -> Result<(), ApiError> {
        writes::update_event(conn, id, f.row()).await?;
        writes::set_participants(conn, id, &f.participants(id)).await?;
        Ok(())
    }

    fn cite(citation: &mut NewCitation<'_>, id: i64) {
        citation.event_id = Some(id);
    }
}

/// Add an event
///
/// Records a meeting, declaration or attack report, with the nations taking part and the citations it rests on. Send `Idempotency-Key` to make a retry safe.
#[utoipa::path(
    tag = "events",
    operation_id = "create_event",
    request_body = EventInput,
    params(("Idempotency-Key" = Option<String>, Header, pattern = "^[!-~]{1,200}$", description = crate::api::write::IDEMPOTENCY_KEY_CREATES_DOC)),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "The new record.", body = Event,
            headers(("ETag" = String, description = "Its version."), ("Location" = String, description = "Where it lives."))),
        CreateErrors,
    )
)]
#[post("/events")]
pub async fn create_event(
    state: web::Data<AppState>,
    editor: Editor,
    req: HttpRequest,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    edit::create_response::<EventEdit>(&state, editor.0, &req, &body).await
}

/// Correct an event
///
/// Applies a JSON Merge Patch (RFC 7396) to its fields. Needs `If-Match` with the ETag it was read
/// with: a 412 means someone changed it since.
#[utoipa::path(
    tag = "events",
    operation_id = "update_event",
    request_body(content = EventPatch, content_type = "application/merge-patch+json"),
    params(
        ("id" = i64, Path, description = "The record's id.", minimum = 1, example = 1),
        ("If-Match" = String, Header, description = crate::api::write::IF_MATCH_DOC, example = "\"1\""),
    ),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The record, as it now reads.", body = Event, headers(("ETag" = String, description = "Its new version."))),
        ChangeErrors,
    )
)]
#[patch("/events/{id}")]
pub async fn update_event(
    state: web::Data<AppState>,
    editor: Editor,
    req: HttpRequest,
    id: web::Path<Id>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    edit::update_response::<EventEdit>(&state, editor.0, &req, id.into_inner().0, &body).await
}

/// Retract an event
///
/// Hides the event from reads, keeping it, its history and the reason. Needs `If-Match`.
#[utoipa::path(
    tag = "events",
    operation_id = "delete_event",
    params(
        ("id" = i64, Path, description = "The record's id.", minimum = 1, example = 1),
        ("If-Match" = String, Header, description = crate::api::write::IF_MATCH_DOC, example = "\"1\""),
        RetractParams,
    ),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The retracted record.", body = Event, headers(("ETag" = String, description = "Its new version."))),
        ChangeErrors,
    )
)]
#[delete("/events/{id}")]
pub async fn delete_event(
    state: web::Data<AppState>,
    editor: Editor,
    req: HttpRequest,
    id: web::Path<Id>,
    Query(params): Query<RetractParams>,
) -> Result<HttpResponse, ApiError> {
    edit::retract_response::<EventEdit>(&state, editor.0, &req, id.into_inner().0, &params).await
}
