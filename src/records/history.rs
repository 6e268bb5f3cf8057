//! The history of every record. Each write stores, in its own transaction, the record's API
//! representation after the change (and the one before it) as a revision; the seed stores the
//! first revision of everything. Reads `as_of` a moment answer from these revisions, so what the
//! knowledge base said at any earlier moment can always be read back, exactly as it was served.

use std::collections::{BTreeMap, HashMap};

use diesel_async::AsyncPgConnection;
use serde::Serialize;
use serde_json::Value;

use super::{views, RecordError};
use crate::db::queries::revisions::NewRevision;
use crate::db::queries::{citations, claims, commitments, events, people, revisions, sources, statements, stored};

/// The kinds of record that have a history.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = Resource, example = "commitments")]
pub enum Entity {
    /// Sources.
    Sources,
    /// People.
    People,
    /// Events.
    Events,
    /// Commitments.
    Commitments,
    /// Statements.
    Statements,
    /// Claims.
    Claims,
    /// Citations.
    Citations,
}

impl Entity {
    /// Every kind, in the order their revisions are listed.
    pub const ALL: [Entity; 7] = [
        Entity::Sources,
        Entity::People,
        Entity::Events,
        Entity::Commitments,
        Entity::Statements,
        Entity::Claims,
        Entity::Citations,
    ];

    /// The name, as in paths (`/v1/commitments`) and in the `revisions` table.
    pub fn name(self) -> &'static str {
        match self {
            Entity::Sources => "sources",
            Entity::People => "people",
            Entity::Events => "events",
            Entity::Commitments => "commitments",
            Entity::Statements => "statements",
            Entity::Claims => "claims",
            Entity::Citations => "citations",
        }
    }

    /// One record, in words (`commitment`).
    pub fn singular(self) -> &'static str {
        match self {
            Entity::Sources => "source",
            Entity::People => "person",
            Entity::Events => "event",
            Entity::Commitments => "commitment",
            Entity::Statements => "statement",
            Entity::Claims => "claim",
            Entity::Citations => "citation",
        }
    }

    /// The kind named in a path.
    pub fn from_name(name: &str) -> Option<Entity> {
        Entity::ALL.into_iter().find(|e| e.name() == name)
    }
}

/// What a revision records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// The record was made.
    Create,
    /// Its fields were corrected, or something it shows changed (a source's reliability, a name).
    Update,
    /// A commitment's status changed.
    Status,
    /// The record was retracted.
    Retract,
    /// A citation of it was added, corrected or retracted.
    Cite,
    /// A source's competing value for one of its fields was recorded.
    Dispute,
    /// The service represents records differently now (a new field): the record is stored anew,
    /// unchanged.
    Refresh,
}

impl Action {
    /// Every action, in the order the database's CHECK list names them.
    pub const ALL: [Action; 7] = [
        Action::Create,
        Action::Update,
        Action::Status,
        Action::Retract,
        Action::Cite,
        Action::Dispute,
        Action::Refresh,
    ];

    /// Its name, as revisions store it.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Create => "create",
            Action::Update => "update",
            Action::Status => "status",
            Action::Retract => "retract",
            Action::Cite => "cite",
            Action::Dispute => "dispute",
            Action::Refresh => "refresh",
        }
    }
}

fn to_json<T: Serialize>(value: T) -> Result<Value, RecordError> {
    serde_json::to_value(value).map_err(|e| RecordError::Unrepresentable(e.to_string()))
}

/// The current API representations of the given records, retracted ones included.
pub async fn represent(
    conn: &mut AsyncPgConnection,
    entity: Entity,
    ids: &[i64],
) -> Result<Vec<(i64, Value)>, RecordError> {
    represent_with(conn, entity, ids, &mut views::CitationRows::default()).await
}

/// [`represent`], keeping in `seen` the citation rows read for facts, and making citations' records
/// from the rows `seen` holds before reading the others.
async fn represent_with(
    conn: &mut AsyncPgConnection,
    entity: Entity,
    ids: &[i64],
    seen: &mut views::CitationRows,
) -> Result<Vec<(i64, Value)>, RecordError> {
    let mut out = Vec::with_capacity(ids.len());
    match entity {
        Entity::Sources => {
            for (row, length, text) in sources::by_ids(conn, ids).await? {
                out.push((row.id, to_json(views::source(row, length, text))?));
            }
        }
        Entity::People => {
            for row in people::by_ids(conn, ids).await? {
                out.push((row.id, to_json(views::person(row))?));
            }
        }
        Entity::Events => {
            let rows = events::by_ids(conn, ids).await?;
            for item in views::events(conn, rows, seen).await? {
                out.push((item.id, to_json(item)?));
            }
        }
        Entity::Commitments => {
            let rows = commitments::by_ids(conn, ids).await?;
            for item in views::commitments(conn, rows, seen).await? {
                out.push((item.id, to_json(item)?));
            }
        }
        Entity::Statements => {
            let rows = statements::by_ids(conn, ids).await?;
            for item in views::statements(conn, rows, seen).await? {
                out.push((item.id, to_json(item)?));
            }
        }
        Entity::Claims => {
            let rows = claims::by_ids(conn, ids).await?;
            for item in views::claims(conn, rows, seen).await? {
                out.push((item.id, to_json(item)?));
            }
        }
        Entity::Citations => {
            // In id order, as `by_ids` reads them.
            let mut rows: BTreeMap<i64, _> = ids.iter().filter_map(|id| seen.take(*id).map(|r| (*id, r))).collect();
            let unread: Vec<i64> = ids.iter().copied().filter(|id| !rows.contains_key(id)).collect();
            if !unread.is_empty() {
                rows.extend(citations::by_ids(conn, &unread).await?.into_iter().map(|r| (r.0.id, r)));
            }
            for (id, (row, reliability)) in rows {
                out.push((id, to_json(views::citation_record(row, reliability))?));
            }
        }
    }
    Ok(out)
}

/// A record as a write left it: its version and representation.
#[derive(Debug, Clone)]
pub struct Stored {
    /// The kind of record.
    pub entity: Entity,
    /// Its id.
    pub id: i64,
    /// Its version now.
    pub version: i32,
    /// Its representation now.
    pub body: Value,
}

/// Stores a revision of each given record whose representation differs from its last revision;
/// returns how many it stored.
pub async fn snapshot(
    conn: &mut AsyncPgConnection,
    entity: Entity,
    ids: &[i64],
    action: Action,
    key_id: Option<i64>,
) -> Result<usize, RecordError> {
    Ok(snapshot_all(conn, &[(entity, ids)], action, key_id).await?.1)
}

/// Stores, in one statement, a revision of each given record (of several kinds) whose
/// representation differs from its last one; returns every given record as it now stands, and
/// how many revisions were stored. Records being made (`Action::Create`) have no revision yet, so
/// none is looked for.
pub async fn snapshot_all(
    conn: &mut AsyncPgConnection,
    records: &[(Entity, &[i64])],
    action: Action,
    key_id: Option<i64>,
) -> Result<(Vec<Stored>, usize), RecordError> {
    // Citations are represented last (the facts given with them have read their rows already),
    // and stored in the order given.
    let mut parts = vec![Vec::new(); records.len()];
    let mut seen = views::CitationRows::default();
    let citations_last = (0..records.len()).filter(|&i| records[i].0 != Entity::Citations);
    for i in citations_last.chain((0..records.len()).filter(|&i| records[i].0 == Entity::Citations)) {
        let (entity, ids) = records[i];
        if !ids.is_empty() {
            parts[i] = represent_with(conn, entity, ids, &mut seen).await?;
        }
    }
    let current = records
        .iter()
        .zip(parts)
        .flat_map(|(&(entity, _), part)| part.into_iter().map(move |(id, v)| (entity, id, v)));
    let mut latest: HashMap<(&'static str, i64), (i32, Value)> = HashMap::new();
    if action != Action::Create {
        for (entity, ids) in records {
            if ids.is_empty() {
                continue;
            }
            latest.extend(
                revisions::current_of(conn, entity.name(), ids)
                    .await?
                    .into_iter()
                    .map(|(id, version, after)| ((entity.name(), id), (version, after))),
            );
        }
    }
    let mut rows = Vec::new();
    let mut stored = Vec::new();
    for (entity, id, after) in current {
        let (version, before) = match latest.remove(&(entity.name(), id)) {
            Some((version, previous)) if previous == after => {
                stored.push(Stored {
                    entity,
                    id,
                    version,
                    body: after,
                });
                continue;
            }
            Some((version, previous)) => (version + 1, Some(previous)),
            None => (1, None),
        };
        stored.push(Stored {
            entity,
            id,
            version,
            body: after.clone(),
        });
        rows.push(NewRevision {
            entity: entity.name(),
            record_id: id,
            version,
            action: action.as_str(),
            key_id,
            before,
            after,
        });
    }
    let written = if rows.is_empty() {
        0
    } else {
        revisions::insert(conn, rows).await?
    };
    Ok((stored, written))
}

/// The shape of the representations this code stores. Change it with any change to what a record
/// reads as (a field added, renamed or computed otherwise): at start, a database whose revisions
/// were stored in another shape has every record stored anew ([`refresh`]) before it is served,
/// since reads answer from the stored representations.
pub const REPRESENTATION: &str = "2026-12-01.1";

/// The key under which `kb_meta` records the shape of the stored representations.
const REPRESENTATION_KEY: &str = "representation";

/// How many records a refresh or a check reads at once.
const BATCH: i64 = 500;

/// Stores anew every record whose representation differs from its stored one (or that has none),
/// a batch at a time; `progress` hears of each batch (the kind, how many read, how many stored).
/// Returns how many revisions were stored.
pub async fn refresh(
    conn: &mut AsyncPgConnection,
    mut progress: impl FnMut(Entity, usize, usize),
) -> Result<usize, RecordError> {
    let mut stored = 0;
    for entity in Entity::ALL {
        let (mut after, mut read) = (0, 0);
        loop {
            let ids = stored::ids_after(conn, entity.name(), after, BATCH).await?;
            let Some(&last) = ids.last() else { break };
            let written = diesel_async::AsyncConnection::transaction::<_, RecordError, _>(conn, async |conn| {
                snapshot(conn, entity, &ids, Action::Refresh, None).await
            })
            .await?;
            read += ids.len();
            stored += written;
            progress(entity, read, written);
            after = last;
        }
    }
    Ok(stored)
}

/// The records whose stored representation is not the one their tables give now (there should be
/// none: every write stores the representation of each record it changes).
pub async fn drift(conn: &mut AsyncPgConnection) -> Result<Vec<(Entity, i64)>, RecordError> {
    let mut drifted = Vec::new();
    for entity in Entity::ALL {
        let mut after = 0;
        loop {
            let ids = stored::ids_after(conn, entity.name(), after, BATCH).await?;
            let Some(&last) = ids.last() else { break };
            let current = represent(conn, entity, &ids).await?;
            let stored: HashMap<i64, Value> = revisions::current_of(conn, entity.name(), &ids)
                .await?
                .into_iter()
                .map(|(id, _, after)| (id, after))
                .collect();
            drifted.extend(
                current
                    .into_iter()
                    .filter(|(id, value)| stored.get(id) != Some(value))
                    .map(|(id, _)| (entity, id)),
            );
            after = last;
        }
    }
    Ok(drifted)
}

/// Brings the stored representations to this code's shape, if they are of another: every record
/// is stored anew where its representation changed. Nothing to do (one read) when they are.
pub async fn ensure_current_shape(conn: &mut AsyncPgConnection) -> Result<(), RecordError> {
    let shape = stored::meta(conn, REPRESENTATION_KEY).await?;
    if shape.as_deref() == Some(REPRESENTATION) {
        return Ok(());
    }
    log::info!(
        "the stored representations are of shape {}, this service's are {REPRESENTATION}: storing every record anew where it changed",
        shape.as_deref().unwrap_or("(unrecorded)")
    );
    let stored = refresh(conn, |entity, read, written| {
        if written > 0 || read % (BATCH as usize * 20) == 0 {
            log::info!(
                "refreshing {}: {read} read, {written} stored anew in this batch",
                entity.name()
            );
        }
    })
    .await?;
    stored::set_meta(conn, REPRESENTATION_KEY, REPRESENTATION).await?;
    log::info!("stored representations are of shape {REPRESENTATION} ({stored} records stored anew)");
    Ok(())
}

/// Records that the stored representations are of this code's shape (after a bulk load that
/// stored them so).
pub async fn mark_current_shape(conn: &mut AsyncPgConnection) -> Result<(), RecordError> {
    Ok(stored::set_meta(conn, REPRESENTATION_KEY, REPRESENTATION).await?)
}
