//! The create, correct and retract flows every editable record shares, written once: a record
//! kind says what its fields are and how they are stored ([`Editable`]); these functions do the
//! rest inside the write's transaction (checking every field at once, citations, `If-Match`,
//! revisions of everything changed).

use std::future::Future;

use actix_web::http::StatusCode;
use diesel_async::AsyncPgConnection;
use serde_json::{Map, Value};

use super::error::ApiError;
use super::history::{self, Action, Entity};
use super::input::{merge_patch, Problems, Reader};
use super::write::{check_if_match, lock_and_match, lock_live, new_citations, read_citations, IfMatch, Span, Written};
use crate::db::models::NewCitation;
use crate::db::queries::writes;

/// A kind of record editors write.
pub trait Editable: Send + Sync + 'static {
    /// The record kind.
    const ENTITY: Entity;
    /// The fields a body may set, on creation and in a patch.
    const FIELDS: &'static [&'static str];
    /// Whether the record rests on citations, given as `citations` when it is made.
    const CITED: bool;
    /// Fields a body sets when the record is made, and no patch may change.
    const CREATE_ONLY: &'static [&'static str] = &[];
    /// The checked fields.
    type Fields: Send + Sync;

    /// Reads and checks the fields of a body (a create's, or a patch merged onto the record).
    fn read(
        conn: &mut AsyncPgConnection,
        reader: &Reader<'_>,
        problems: &mut Problems,
    ) -> impl Future<Output = Result<Option<Self::Fields>, ApiError>> + Send;

    /// Checks a record about to be made beyond its fields (a quote against its excerpts).
    fn check_new(_fields: &Self::Fields, _citations: &[super::write::Span], _problems: &mut Problems) {}

    /// The record's fields as a body would give them, for a patch to apply to.
    fn current(conn: &mut AsyncPgConnection, id: i64) -> impl Future<Output = Result<Value, ApiError>> + Send;

    /// Stores a new record; returns its id.
    fn insert(
        conn: &mut AsyncPgConnection,
        fields: &Self::Fields,
    ) -> impl Future<Output = Result<i64, ApiError>> + Send;

    /// Stores corrected fields.
    fn update(
        conn: &mut AsyncPgConnection,
        id: i64,
        fields: &Self::Fields,
    ) -> impl Future<Output = Result<(), ApiError>> + Send;

    /// Points a citation at a record of this kind.
    fn cite(_citation: &mut NewCitation<'_>, _id: i64) {}

    /// Why a patch may not set a field, when the record kind says more than the common message.
    fn patch_refusal(_field: &str, _id: i64) -> Option<String> {
        None
    }

    /// Stores what a new record brings besides its row and citations (a commitment's first status
    /// change); returns the ids of any citations stored.
    fn after_insert(
        _conn: &mut AsyncPgConnection,
        _id: i64,
        _fields: &Self::Fields,
        _citations: &[Span],
    ) -> impl Future<Output = Result<Vec<i64>, ApiError>> + Send {
        async { Ok(Vec::new()) }
    }

    /// Records the new versions of other records that show this one (a person's name shows on the
    /// statements they made; a citation shows on its fact).
    fn after_write(
        _conn: &mut AsyncPgConnection,
        _id: i64,
        _key: Option<i64>,
    ) -> impl Future<Output = Result<(), ApiError>> + Send {
        async { Ok(()) }
    }

    /// Refuses a retraction that would leave other live records pointing at a retracted one.
    fn before_retract(_conn: &mut AsyncPgConnection, _id: i64) -> impl Future<Output = Result<(), ApiError>> + Send {
        async { Ok(()) }
    }
}

/// Makes a record from a body: every field checked, its citations too, then stored with its first
/// revision.
pub async fn create<E: Editable>(
    conn: &mut AsyncPgConnection,
    key: i64,
    body: &Map<String, Value>,
) -> Result<Written, ApiError> {
    let mut problems = Problems::default();
    let reader = Reader::new(body);
    let mut allowed = E::FIELDS.to_vec();
    allowed.extend(E::CREATE_ONLY);
    if E::CITED {
        allowed.push("citations");
    }
    reader.only(&allowed, &mut problems);
    let fields = E::read(conn, &reader, &mut problems).await?;
    let spans = if E::CITED {
        read_citations(conn, &reader, "citations", &mut problems).await?
    } else {
        Vec::new()
    };
    if let Some(fields) = &fields {
        E::check_new(fields, &spans, &mut problems);
    }
    let Some(fields) = problems.finish(fields)? else {
        return Err(ApiError::Internal(format!(
            "a checked {} lacks a field",
            E::ENTITY.singular()
        )));
    };
    let id = E::insert(conn, &fields).await?;
    let mut cited = writes::insert_citations(conn, &new_citations(&spans, |c| E::cite(c, id))).await?;
    cited.extend(E::after_insert(conn, id, &fields, &spans).await?);
    history::snapshot(conn, Entity::Citations, &cited, Action::Create, Some(key)).await?;
    history::snapshot(conn, E::ENTITY, &[id], Action::Create, Some(key)).await?;
    E::after_write(conn, id, Some(key)).await?;
    log::info!("key {key} added {} {id}", E::ENTITY.singular());
    Written::record(conn, E::ENTITY, id, StatusCode::CREATED).await
}

/// Applies a JSON Merge Patch to a live record: the result is checked like a new record, then
/// `If-Match` against its version, then it is stored with a new revision.
pub async fn update<E: Editable>(
    conn: &mut AsyncPgConnection,
    key: i64,
    id: i64,
    patch: &Map<String, Value>,
    if_match: &IfMatch,
) -> Result<Written, ApiError> {
    let version = lock_live(conn, E::ENTITY, id).await?;
    let mut problems = Problems::default();
    for name in patch.keys() {
        if let Some(refusal) = E::patch_refusal(name, id) {
            problems.add(name.as_str(), refusal);
        } else if name == "citations" && E::CITED {
            problems.add(
                name.as_str(),
                "are added, corrected and retracted through /v1/citations",
            );
        } else if E::CREATE_ONLY.contains(&name.as_str()) {
            problems.add(
                name.as_str(),
                format!("is set when a {} is made and cannot change", E::ENTITY.singular()),
            );
        } else if !E::FIELDS.contains(&name.as_str()) {
            problems.add(
                name.as_str(),
                format!(
                    "is not an editable field of a {}; they are {}",
                    E::ENTITY.singular(),
                    E::FIELDS.join(", ")
                ),
            );
        }
    }
    let mut merged = E::current(conn, id).await?;
    merge_patch(&mut merged, &Value::Object(patch.clone()));
    let empty = Map::new();
    let reader = Reader::new(merged.as_object().unwrap_or(&empty));
    let fields = E::read(conn, &reader, &mut problems).await?;
    let Some(fields) = problems.finish(fields)? else {
        return Err(ApiError::Internal(format!(
            "a checked {} lacks a field",
            E::ENTITY.singular()
        )));
    };
    // The body is checked first, so that an editor learns every problem at once.
    check_if_match(if_match, E::ENTITY, id, version, true)?;
    E::update(conn, id, &fields).await?;
    history::snapshot(conn, E::ENTITY, &[id], Action::Update, Some(key)).await?;
    E::after_write(conn, id, Some(key)).await?;
    log::info!("key {key} corrected {} {id}", E::ENTITY.singular());
    Written::record(conn, E::ENTITY, id, StatusCode::OK).await
}

/// Retracts a live record: hidden from reads, kept with its reason and history.
pub async fn retract<E: Editable>(
    conn: &mut AsyncPgConnection,
    key: i64,
    id: i64,
    reason: &str,
    if_match: &IfMatch,
) -> Result<Written, ApiError> {
    lock_and_match(conn, E::ENTITY, id, if_match).await?;
    E::before_retract(conn, id).await?;
    writes::retract(conn, E::ENTITY.name(), id, reason).await?;
    history::snapshot(conn, E::ENTITY, &[id], Action::Retract, Some(key)).await?;
    E::after_write(conn, id, Some(key)).await?;
    log::info!("key {key} retracted {} {id}", E::ENTITY.singular());
    Written::record(conn, E::ENTITY, id, StatusCode::OK).await
}

/// Drops the null fields of a record's current fields, as a body would leave them out.
pub fn without_nulls(mut value: Value) -> Value {
    if let Some(map) = value.as_object_mut() {
        map.retain(|_, v| !v.is_null());
    }
    value
}

/// The whole of a create handler: one transaction, replaying a retried `Idempotency-Key`.
pub async fn create_response<E: Editable>(
    state: &crate::startup::AppState,
    caller: super::auth::Caller,
    req: &actix_web::HttpRequest,
    body: &[u8],
) -> Result<actix_web::HttpResponse, ApiError> {
    use diesel_async::AsyncConnection;
    let map = super::input::object(body)?;
    let idempotency = super::write::Idempotency::of(req, caller, body)?;
    let mut conn = state.conn().await?;
    let written = conn
        .transaction::<_, ApiError, _>(async |conn| {
            if let Some(replay) = idempotency.replay(conn).await? {
                return Ok(replay);
            }
            let written = create::<E>(conn, caller.key_id, &map).await?;
            idempotency.store(conn, &written).await?;
            Ok(written)
        })
        .await?;
    Ok(written.response())
}

/// The whole of a correct handler: one transaction, `If-Match` required.
pub async fn update_response<E: Editable>(
    state: &crate::startup::AppState,
    caller: super::auth::Caller,
    req: &actix_web::HttpRequest,
    id: i64,
    body: &[u8],
) -> Result<actix_web::HttpResponse, ApiError> {
    use diesel_async::AsyncConnection;
    let patch = super::input::object(body)?;
    let if_match = IfMatch::of(req);
    let mut conn = state.conn().await?;
    let written = conn
        .transaction::<_, ApiError, _>(async |conn| update::<E>(conn, caller.key_id, id, &patch, &if_match).await)
        .await?;
    Ok(written.response())
}

/// The whole of a retract handler: one transaction, `If-Match` and a reason required.
pub async fn retract_response<E: Editable>(
    state: &crate::startup::AppState,
    caller: super::auth::Caller,
    req: &actix_web::HttpRequest,
    id: i64,
    params: &super::write::RetractParams,
) -> Result<actix_web::HttpResponse, ApiError> {
    use diesel_async::AsyncConnection;
    let reason = params.checked()?.to_owned();
    let if_match = IfMatch::of(req);
    let mut conn = state.conn().await?;
    let written = conn
        .transaction::<_, ApiError, _>(async |conn| retract::<E>(conn, caller.key_id, id, &reason, &if_match).await)
        .await?;
    Ok(written.response())
}
