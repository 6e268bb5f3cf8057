//! The history of every record. Each write stores, in its own transaction, the record's API
//! representation after the change (and the one before it) as a revision; the seed stores the
//! first revision of everything. Reads `as_of` a moment answer from these revisions, so what the
//! knowledge base said at any earlier moment can always be read back, exactly as it was served.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool, Jsonb, Nullable, Text, Timestamptz};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use serde::Serialize;
use serde_json::Value;

use super::error::ApiError;
use super::views;
use crate::db::queries::{citations, claims, commitments, events, people, sources, statements};
use crate::schema::revisions;

/// The kinds of record that have a history.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
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
}

impl Action {
    fn as_str(self) -> &'static str {
        match self {
            Action::Create => "create",
            Action::Update => "update",
            Action::Status => "status",
            Action::Retract => "retract",
            Action::Cite => "cite",
            Action::Dispute => "dispute",
        }
    }
}

fn to_json<T: Serialize>(value: T) -> Result<Value, ApiError> {
    serde_json::to_value(value).map_err(|e| ApiError::Internal(format!("cannot represent a record: {e}")))
}

/// The current API representations of the given records, retracted ones included.
pub async fn represent(
    conn: &mut AsyncPgConnection,
    entity: Entity,
    ids: &[i64],
) -> Result<Vec<(i64, Value)>, ApiError> {
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
            for item in views::events(conn, rows).await? {
                out.push((item.id, to_json(item)?));
            }
        }
        Entity::Commitments => {
            let rows = commitments::by_ids(conn, ids).await?;
            for item in views::commitments(conn, rows).await? {
                out.push((item.id, to_json(item)?));
            }
        }
        Entity::Statements => {
            let rows = statements::by_ids(conn, ids).await?;
            for item in views::statements(conn, rows).await? {
                out.push((item.id, to_json(item)?));
            }
        }
        Entity::Claims => {
            let rows = claims::by_ids(conn, ids).await?;
            for item in views::claims(conn, rows).await? {
                out.push((item.id, to_json(item)?));
            }
        }
        Entity::Citations => {
            for (row, reliability) in citations::by_ids(conn, ids).await? {
                out.push((row.id, to_json(views::citation_record(row, reliability))?));
            }
        }
    }
    Ok(out)
}

#[derive(Insertable)]
#[diesel(table_name = revisions)]
struct NewRevision<'a> {
    entity: &'a str,
    record_id: i64,
    version: i32,
    action: &'a str,
    key_id: Option<i64>,
    before: Option<Value>,
    after: Value,
}

/// Stores a revision of each given record whose representation differs from its last revision.
pub async fn snapshot(
    conn: &mut AsyncPgConnection,
    entity: Entity,
    ids: &[i64],
    action: Action,
    key_id: Option<i64>,
) -> Result<(), ApiError> {
    if ids.is_empty() {
        return Ok(());
    }
    let current = represent(conn, entity, ids).await?;
    let latest: HashMap<i64, (i32, Value)> = revisions::table
        .filter(revisions::entity.eq(entity.name()))
        .filter(revisions::record_id.eq_any(ids))
        .distinct_on(revisions::record_id)
        .order((revisions::record_id, revisions::version.desc()))
        .select((revisions::record_id, revisions::version, revisions::after))
        .load::<(i64, i32, Value)>(conn)
        .await?
        .into_iter()
        .map(|(id, version, after)| (id, (version, after)))
        .collect();
    let mut rows = Vec::new();
    for (id, after) in current {
        let (version, before) = match latest.get(&id) {
            Some((_, previous)) if *previous == after => continue,
            Some((version, previous)) => (version + 1, Some(previous.clone())),
            None => (1, None),
        };
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
    if !rows.is_empty() {
        diesel::insert_into(revisions::table).values(rows).execute(conn).await?;
    }
    Ok(())
}

/// The version of a record now: the number of its last revision.
pub async fn version(conn: &mut AsyncPgConnection, entity: Entity, id: i64) -> Result<Option<i32>, ApiError> {
    Ok(revisions::table
        .filter(revisions::entity.eq(entity.name()))
        .filter(revisions::record_id.eq(id))
        .select(diesel::dsl::max(revisions::version))
        .first::<Option<i32>>(conn)
        .await?)
}

/// A record as it was at a moment, if it existed then.
pub async fn as_of_one(
    conn: &mut AsyncPgConnection,
    entity: Entity,
    id: i64,
    at: DateTime<Utc>,
) -> Result<Option<Value>, ApiError> {
    Ok(revisions::table
        .filter(revisions::entity.eq(entity.name()))
        .filter(revisions::record_id.eq(id))
        .filter(revisions::changed_at.le(at))
        .order(revisions::version.desc())
        .select(revisions::after)
        .first::<Value>(conn)
        .await
        .optional()?)
}

/// A page of records as they were at a moment, filtered like the live lists.
pub struct AsOfPage<'a> {
    /// The kind of record.
    pub entity: Entity,
    /// The moment.
    pub at: DateTime<Utc>,
    /// Whether records retracted by then are shown.
    pub include_retracted: bool,
    /// The fields the records must contain (JSON containment, `@>`).
    pub contains: Value,
    /// A date field, and the inclusive bounds it must lie within.
    pub date_range: Option<(&'a str, Option<String>, Option<String>)>,
    /// The id after which the page starts.
    pub after: Option<i64>,
    /// How many records to fetch.
    pub fetch: i64,
    /// Words the record's text (every string of it, as it then read) must match, in web search
    /// syntax.
    pub text: Option<String>,
}

#[derive(QueryableByName)]
struct SnapshotRow {
    #[diesel(sql_type = BigInt)]
    record_id: i64,
    #[diesel(sql_type = Jsonb)]
    after: Value,
}

/// The page of records an `as_of` list answers, in id order.
pub async fn as_of_page(conn: &mut AsyncPgConnection, page: AsOfPage<'_>) -> Result<Vec<(i64, Value)>, ApiError> {
    let (field, since, until) = page.date_range.unwrap_or(("", None, None));
    let rows: Vec<SnapshotRow> = diesel::sql_query(
        "SELECT record_id, after FROM ( \
             SELECT DISTINCT ON (record_id) record_id, after FROM revisions \
              WHERE entity = $1 AND changed_at <= $2 \
              ORDER BY record_id, version DESC) latest \
          WHERE ($3 OR after -> 'retracted' = 'null'::jsonb) \
            AND after @> $4 \
            AND record_id > $5 \
            AND ($7::text IS NULL OR after ->> $6 >= $7) \
            AND ($8::text IS NULL OR after ->> $6 <= $8) \
            AND ($10::text IS NULL OR jsonb_to_tsvector('english', after, '[\"string\"]') @@ websearch_to_tsquery('english', $10)) \
          ORDER BY record_id LIMIT $9",
    )
    .bind::<Text, _>(page.entity.name())
    .bind::<Timestamptz, _>(page.at)
    .bind::<Bool, _>(page.include_retracted)
    .bind::<Jsonb, _>(page.contains)
    .bind::<BigInt, _>(page.after.unwrap_or(i64::MIN))
    .bind::<Text, _>(field)
    .bind::<Nullable<Text>, _>(since)
    .bind::<Nullable<Text>, _>(until)
    .bind::<BigInt, _>(page.fetch)
    .bind::<Nullable<Text>, _>(page.text)
    .load(conn)
    .await?;
    Ok(rows.into_iter().map(|r| (r.record_id, r.after)).collect())
}

/// One revision of a record.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = revisions, check_for_backend(diesel::pg::Pg))]
pub struct RevisionRow {
    /// The revision's own id, the order of all changes.
    pub id: i64,
    /// The kind of record.
    pub entity: String,
    /// The record's id.
    pub record_id: i64,
    /// The record's version after this change.
    pub version: i32,
    /// What the change was.
    pub action: String,
    /// When (the time of the writing transaction).
    pub changed_at: DateTime<Utc>,
    /// Who: the id of the key used; null for the seed.
    pub key_id: Option<i64>,
    /// The record before the change; null for its first version.
    pub before: Option<Value>,
    /// The record after the change.
    pub after: Value,
}

/// A page of a record's revisions, oldest first.
pub async fn revisions_of(
    conn: &mut AsyncPgConnection,
    entity: Entity,
    id: i64,
    after_version: Option<i64>,
    fetch: i64,
) -> Result<Vec<RevisionRow>, ApiError> {
    Ok(revisions::table
        .filter(revisions::entity.eq(entity.name()))
        .filter(revisions::record_id.eq(id))
        .filter(revisions::version.gt(after_version.unwrap_or(0).clamp(0, i64::from(i32::MAX)) as i32))
        .order(revisions::version.asc())
        .limit(fetch)
        .select(RevisionRow::as_select())
        .load(conn)
        .await?)
}

/// A page of every change after a moment, in the order they were made.
pub async fn changes_since(
    conn: &mut AsyncPgConnection,
    since: DateTime<Utc>,
    after_id: Option<i64>,
    fetch: i64,
) -> Result<Vec<RevisionRow>, ApiError> {
    Ok(revisions::table
        .filter(revisions::changed_at.gt(since))
        .filter(revisions::id.gt(after_id.unwrap_or(0)))
        .order(revisions::id.asc())
        .limit(fetch)
        .select(RevisionRow::as_select())
        .load(conn)
        .await?)
}
