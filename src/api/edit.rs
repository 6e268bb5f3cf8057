//! The create, correct and retract flows every editable record shares, written once: a record
//! kind says what its fields are and how they are stored ([`Editable`]); these functions do the
//! rest inside the write's transaction (checking every field at once, citations, `If-Match`,
//! revisions of everything changed).

use std::future::Future;

use actix_web::http::StatusCode;
use diesel_async::AsyncPgConnection;
use serde_json::{Map, Value};

use super::error::ApiError;
use super::grounds::{self, BasisInput, Grounded};
use super::input::{merge_patch, Problems, Reader};
use super::write::{check_if_match, lock_and_match, lock_live, new_citations, read_citations, IfMatch, Span, Written};
use crate::basis::FieldBasis;
use crate::db::models::NewCitation;
use crate::db::queries::writes;
use crate::records::history::{self, Action, Entity};

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
    /// The fields whose values carry a basis (stated or inferred), with the body field each is
    /// about; a create-only one (a commitment's first status date) is stored by `after_insert`.
    const GROUNDED: &'static [Grounded] = &[];
    /// The checked fields.
    type Fields: Send + Sync;

    /// The bases the service's own rules give to values it derived (a range from the quantity
    /// rules).
    fn implied_basis(_fields: &Self::Fields) -> Vec<(&'static str, FieldBasis)> {
        Vec::new()
    }

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
        _basis: &BasisInput,
        _key: i64,
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

/// The grounded fields a record keeps in its own `basis` (the create-only ones are kept elsewhere).
fn stored_grounds<E: Editable>() -> Vec<Grounded> {
    E::GROUNDED
        .iter()
        .filter(|g| !E::CREATE_ONLY.contains(&g.body_field))
        .copied()
        .collect()
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
    if !E::GROUNDED.is_empty() {
        allowed.push("basis");
    }
    reader.only(&allowed, &mut problems);
    let fields = E::read(conn, &reader, &mut problems).await?;
    let spans = if E::CITED {
        read_citations(conn, &reader, "citations", &mut problems).await?
    } else {
        Vec::new()
    };
    let in_body = body.get("citations").and_then(Value::as_array).map_or(0, Vec::len);
    let given = grounds::read(&reader, E::GROUNDED, in_body, &mut problems);
    grounds::check_complete(body, &given, E::GROUNDED, &mut problems);
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
    grounds::store_created(
        conn,
        (E::ENTITY.name(), id),
        &given,
        &stored_grounds::<E>(),
        &cited,
        E::implied_basis(&fields),
        key,
    )
    .await?;
    cited.extend(E::after_insert(conn, id, &fields, &spans, &given, key).await?);
    let (stored, _) = history::snapshot_all(
        conn,
        &[(Entity::Citations, &cited), (E::ENTITY, &[id])],
        Action::Create,
        Some(key),
    )
    .await?;
    E::after_write(conn, id, Some(key)).await?;
    Ok(written(&stored, E::ENTITY, id, StatusCode::CREATED)?
        .audited(format!("key {key} added {} {id}", E::ENTITY.singular())))
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
        } else if name == "basis" && !E::GROUNDED.is_empty() {
            continue;
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
    let before = E::current(conn, id).await?;
    let mut values = patch.clone();
    values.remove("basis");
    let mut merged = before.clone();
    merge_patch(&mut merged, &Value::Object(values));
    let empty = Map::new();
    let reader = Reader::new(merged.as_object().unwrap_or(&empty));
    let fields = E::read(conn, &reader, &mut problems).await?;
    let grounded = stored_grounds::<E>();
    let basis = if grounded.is_empty() {
        None
    } else {
        let given = grounds::read(&Reader::new(patch), &grounded, 0, &mut problems);
        let (stored, own) = writes::grounds_of(conn, E::ENTITY.name(), id).await?;
        let mut basis = grounds::patched(
            &stored,
            &given,
            before.as_object().unwrap_or(&empty),
            merged.as_object().unwrap_or(&empty),
            &grounded,
            &own,
            &grounds::editor(key),
            &mut problems,
        );
        if let (Some(fields), Some(map)) = (&fields, basis.as_object_mut()) {
            for (field, implied) in E::implied_basis(fields) {
                map.insert(field.to_owned(), implied.stored());
            }
        }
        (basis != stored).then_some(basis)
    };
    let Some(fields) = problems.finish(fields)? else {
        return Err(ApiError::Internal(format!(
            "a checked {} lacks a field",
            E::ENTITY.singular()
        )));
    };
    // The body is checked first, so that an editor learns every problem at once.
    check_if_match(if_match, E::ENTITY, id, version, true)?;
    E::update(conn, id, &fields).await?;
    if let Some(basis) = basis {
        writes::set_basis(conn, E::ENTITY.name(), id, &basis).await?;
    }
    let (stored, _) = history::snapshot_all(conn, &[(E::ENTITY, &[id])], Action::Update, Some(key)).await?;
    E::after_write(conn, id, Some(key)).await?;
    Ok(written(&stored, E::ENTITY, id, StatusCode::OK)?
        .audited(format!("key {key} corrected {} {id}", E::ENTITY.singular())))
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
    let (stored, _) = history::snapshot_all(conn, &[(E::ENTITY, &[id])], Action::Retract, Some(key)).await?;
    E::after_write(conn, id, Some(key)).await?;
    Ok(written(&stored, E::ENTITY, id, StatusCode::OK)?
        .audited(format!("key {key} retracted {} {id}", E::ENTITY.singular())))
}

/// The answer for the record `id` among those a write stored.
fn written(stored: &[history::Stored], entity: Entity, id: i64, status: StatusCode) -> Result<Written, ApiError> {
    stored
        .iter()
        .find(|s| s.entity == entity && s.id == id)
        .map(|s| Written::stored(s, status))
        .ok_or_else(|| {
            ApiError::Internal(format!(
                "{} {id} has no stored version after its write",
                entity.singular()
            ))
        })
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
    state: &crate::api::AppState,
    caller: super::auth::Caller,
    req: &actix_web::HttpRequest,
    body: &[u8],
) -> Result<actix_web::HttpResponse, ApiError> {
    let map = super::input::object(body)?;
    let idempotency = super::write::Idempotency::of(req, caller, body)?;
    let mut conn = state.writer().await?;
    let written = crate::db::session::write_transaction::<_, ApiError>(&mut conn, async |conn| {
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
    state: &crate::api::AppState,
    caller: super::auth::Caller,
    req: &actix_web::HttpRequest,
    id: i64,
    body: &[u8],
) -> Result<actix_web::HttpResponse, ApiError> {
    let patch = super::input::object(body)?;
    let if_match = IfMatch::of(req);
    let mut conn = state.writer().await?;
    let written = crate::db::session::write_transaction::<_, ApiError>(&mut conn, async |conn| {
        update::<E>(conn, caller.key_id, id, &patch, &if_match).await
    })
    .await?;
    Ok(written.response())
}

/// The whole of a retract handler: one transaction, `If-Match` and a reason required.
pub async fn retract_response<E: Editable>(
    state: &crate::api::AppState,
    caller: super::auth::Caller,
    req: &actix_web::HttpRequest,
    id: i64,
    params: &super::write::RetractParams,
) -> Result<actix_web::HttpResponse, ApiError> {
    let reason = params.checked()?.to_owned();
    let if_match = IfMatch::of(req);
    let mut conn = state.writer().await?;
    let written = crate::db::session::write_transaction::<_, ApiError>(&mut conn, async |conn| {
        retract::<E>(conn, caller.key_id, id, &reason, &if_match).await
    })
    .await?;
    Ok(written.response())
}
