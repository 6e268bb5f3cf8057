//! What every read of a fact shares: `as_of` and `include_retracted`, a detail answered from the
//! record's stored representation (with its version as `ETag`, and 304 from the version alone),
//! and list pages of stored representations, read live or as of a moment.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use diesel_async::AsyncPgConnection;
use serde::Deserialize;
use serde_json::Value;
use utoipa::IntoParams;

use crate::api::caching;
use crate::api::error::ApiError;
use crate::api::paging::{PageRequest, StoredPage};
use crate::api::params::SearchText;
use crate::api::state::AppState;
use crate::db::queries::stored::{self, AsOfFilter};
use crate::records::history::Entity;

/// The parameters of every detail read.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ReadParams {
    /// Answer with the record as it was at this moment (RFC 3339), read from its history.
    #[param(example = json!(null))]
    #[serde(default, deserialize_with = "crate::api::params::within_pg_range")]
    pub as_of: Option<DateTime<Utc>>,
    /// Show the record even if it has been retracted.
    #[param(example = false)]
    pub include_retracted: Option<bool>,
}

/// What an `as_of` list asks of the history.
pub struct AsOfList<'a> {
    /// The kind of record.
    pub entity: Entity,
    /// The moment.
    pub at: DateTime<Utc>,
    /// Whether records retracted by then are listed.
    pub include_retracted: bool,
    /// The same filters as the live list, as the JSON each record must contain.
    pub contains: Value,
    /// The filters given several values: field names to the values, one of which a record holds.
    pub any_of: Value,
    /// A date field and its inclusive bounds.
    pub date_range: Option<(&'a str, Option<String>, Option<String>)>,
    /// A field the history keeps but lists leave out (a source's text).
    pub drop_field: Option<&'a str>,
    /// Words the record, as it then read, must match (`q`).
    pub text: Option<String>,
}

impl AsOfList<'_> {
    /// A list of `entity` at `at`, filtered by `contains`.
    pub fn new(entity: Entity, at: DateTime<Utc>, include_retracted: bool, contains: Value) -> Self {
        AsOfList {
            entity,
            at,
            include_retracted,
            contains,
            any_of: Value::Object(serde_json::Map::new()),
            date_range: None,
            drop_field: None,
            text: None,
        }
    }

    /// The same list, narrowed to records whose `field` holds one of `values` (of which there
    /// are several: one value is matched by `contains`).
    pub fn with_any_of(mut self, any_of: serde_json::Map<String, Value>) -> Self {
        self.any_of = Value::Object(any_of);
        self
    }

    /// The same list, narrowed to records matching `q`, if given.
    pub fn with_text(self, q: Option<&SearchText>) -> Self {
        AsOfList {
            text: q.map(|q| q.as_str().to_owned()),
            ..self
        }
    }
}

/// Puts a filter of one or more values into an `as_of` list's conditions: one value into
/// `contains` (matched along the index), several into `any_of`.
pub fn narrow<T: serde::Serialize>(
    contains: &mut serde_json::Map<String, Value>,
    any_of: &mut serde_json::Map<String, Value>,
    field: &str,
    values: &[T],
) {
    match values {
        [] => {}
        [one] => {
            contains.insert(field.to_owned(), serde_json::json!(one));
        }
        many => {
            any_of.insert(field.to_owned(), serde_json::json!(many));
        }
    }
}

/// A page of records as they were at a moment, filtered like the live list.
pub async fn as_of_list<T>(
    conn: &mut AsyncPgConnection,
    query: AsOfList<'_>,
    page: &PageRequest<i64>,
) -> Result<StoredPage<T>, ApiError> {
    let filter = AsOfFilter {
        entity: query.entity.name(),
        at: query.at,
        include_retracted: query.include_retracted,
        contains: query.contains,
        any_of: query.any_of,
        date_range: query.date_range,
        text: query.text,
        drop_field: query.drop_field,
    };
    let window = page.window();
    let rows = stored::as_of_page(conn, &filter, window.after.copied(), window.fetch).await?;
    StoredPage::of(page, rows)
}

/// One record, live or `as_of` a moment; a retracted one only if asked. The answer carries the
/// version it shows as `ETag` (for `If-Match` on writes); a live read whose `If-None-Match`
/// names the current version is answered 304 from the version alone: without a round trip when
/// the watched state vouches for it, else from one index step.
pub async fn detail(
    state: &AppState,
    req: &HttpRequest,
    entity: Entity,
    id: i64,
    read: &ReadParams,
) -> Result<HttpResponse, ApiError> {
    let what = entity.singular();
    let live = read.as_of.is_none();
    // The state the watch vouches for before the read: a live read may be answered from it, and
    // the version it reads is kept under it.
    let watched = if live { state.watched_state() } else { None };
    if let Some((watch, known)) = watched {
        if let Some(response) = caching::unchanged_record(watch, known, req, entity.name(), id) {
            return Ok(response);
        }
    }
    let remember = |version: i32| {
        if let Some((watch, known)) = watched {
            watch.remember(known, entity.name(), id, version);
        }
    };
    let mut session = state.conn().await?;
    let conn: &mut AsyncPgConnection = &mut session;
    if live && caching::if_none_match(req).is_some() {
        if let Some(version) = stored::current_version(conn, entity.name(), id).await? {
            if let Some(response) = caching::not_modified(req, &caching::etag(version)) {
                remember(version);
                return Ok(response);
            }
        }
    }
    let stored = match read.as_of {
        Some(at) => stored::at(conn, entity.name(), id, at)
            .await?
            .ok_or_else(|| ApiError::NotFound(format!("no {what} had the id {id} at {}", at.to_rfc3339())))?,
        None => stored::current(conn, entity.name(), id)
            .await?
            .ok_or_else(|| ApiError::NotFound(format!("no {what} has the id {id}")))?,
    };
    if let Some(reason) = &stored.retraction {
        if !read.include_retracted.unwrap_or(false) {
            let reason = if reason.is_empty() { "no reason given" } else { reason };
            return Err(ApiError::NotFound(format!(
                "{what} {id} has been retracted ({reason}); add include_retracted=true to see it"
            )));
        }
    } else {
        remember(stored.version);
    }
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, caching::etag(stored.version)))
        .content_type("application/json")
        .body(stored.body))
}
