//! What every read shares: `as_of` and `include_retracted`, answering a detail through the same
//! representation the history stores (with its version as `ETag`), and list pages read either
//! live or from the history.

use actix_web::http::header;
use actix_web::HttpResponse;
use chrono::{DateTime, Utc};
use diesel_async::AsyncPgConnection;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::IntoParams;

use crate::api::error::ApiError;
use crate::api::history::{self, AsOfPage, Entity};
use crate::api::params::{PageRequest, SearchText};
use crate::api::present::Page;

/// The parameters of every detail read.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ReadParams {
    /// Answer with the record as it was at this moment (RFC 3339), read from its history.
    #[param(example = "2026-12-01T00:00:00Z")]
    #[serde(default, deserialize_with = "crate::api::params::within_pg_range")]
    pub as_of: Option<DateTime<Utc>>,
    /// Show the record even if it has been retracted.
    #[param(example = false)]
    pub include_retracted: Option<bool>,
}

/// A list page, read live or from the history.
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum Paged<T> {
    /// Read from the tables.
    Live(T),
    /// Read from the history, `as_of` a moment.
    AsOf(SnapshotPage),
}

/// A page of records as they were at a moment.
#[derive(Debug, Serialize)]
pub struct SnapshotPage {
    items: Vec<Value>,
    next_cursor: Option<String>,
}

impl<T: Page> Page for Paged<T> {
    const ITEM: &'static str = T::ITEM;
    fn next_cursor(&self) -> Option<&str> {
        match self {
            Paged::Live(page) => page.next_cursor(),
            Paged::AsOf(page) => page.next_cursor.as_deref(),
        }
    }
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
            date_range: None,
            drop_field: None,
            text: None,
        }
    }

    /// The same list, narrowed to records matching `q`, if given.
    pub fn with_text(self, q: Option<&SearchText>) -> Self {
        AsOfList {
            text: q.map(|q| q.as_str().to_owned()),
            ..self
        }
    }
}

/// A page of records as they were at a moment, filtered like the live list.
pub async fn as_of_list<T>(
    conn: &mut AsyncPgConnection,
    query: AsOfList<'_>,
    page: &PageRequest<i64>,
) -> Result<Paged<T>, ApiError> {
    let AsOfList {
        entity,
        at,
        include_retracted,
        contains,
        date_range,
        drop_field,
        text,
    } = query;
    let window = page.window();
    let rows = history::as_of_page(
        conn,
        AsOfPage {
            entity,
            at,
            include_retracted,
            contains,
            date_range,
            after: window.after.copied(),
            fetch: window.fetch,
            text,
        },
    )
    .await?;
    let (rows, next_cursor) = page.finish(rows, |(id, _)| *id);
    let items = rows
        .into_iter()
        .map(|(_, mut value)| {
            if let (Some(field), Some(object)) = (drop_field, value.as_object_mut()) {
                object.remove(field);
            }
            value
        })
        .collect();
    Ok(Paged::AsOf(SnapshotPage { items, next_cursor }))
}

/// One record, live or `as_of` a moment; a retracted one only if asked. A live answer carries
/// its version as `ETag`, for `If-Match` on writes.
pub async fn detail(
    conn: &mut AsyncPgConnection,
    entity: Entity,
    id: i64,
    read: &ReadParams,
) -> Result<HttpResponse, ApiError> {
    let what = entity.singular();
    let value = match read.as_of {
        Some(at) => history::as_of_one(conn, entity, id, at)
            .await?
            .ok_or_else(|| ApiError::NotFound(format!("no {what} had the id {id} at {}", at.to_rfc3339())))?,
        None => history::represent(conn, entity, &[id])
            .await?
            .pop()
            .map(|(_, value)| value)
            .ok_or_else(|| ApiError::NotFound(format!("no {what} has the id {id}")))?,
    };
    if !read.include_retracted.unwrap_or(false) && !value["retracted"].is_null() {
        return Err(ApiError::NotFound(format!(
            "{what} {id} has been retracted ({}); add include_retracted=true to see it",
            value["retracted"]["reason"].as_str().unwrap_or("no reason given")
        )));
    }
    let mut response = HttpResponse::Ok();
    if read.as_of.is_none() {
        if let Some(version) = history::version(conn, entity, id).await? {
            response.insert_header((header::ETAG, etag(version)));
        }
    }
    Ok(response.json(value))
}

/// The entity tag of a version.
pub fn etag(version: i32) -> String {
    format!("\"{version}\"")
}
