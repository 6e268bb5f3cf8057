//! Citations: the links from facts to spans of their sources.

use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Bool};
use diesel::QueryResult;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::db::models::Citation;
use crate::db::prepared::prepared;
use crate::schema::{citations, sources};
use crate::vocab::Reliability;

/// The kinds of fact a citation can support.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fact {
    /// A commitment.
    Commitment,
    /// One step of a commitment's status history.
    StatusChange,
    /// A statement.
    Statement,
    /// An event.
    Event,
    /// A claim.
    Claim,
    /// A value a source gives against a fact's own.
    CompetingValue,
}

impl Fact {
    /// Its name, as a citation record's `fact_type` gives it.
    pub fn name(self) -> &'static str {
        match self {
            Fact::Commitment => "commitment",
            Fact::StatusChange => "status_change",
            Fact::Statement => "statement",
            Fact::Event => "event",
            Fact::Claim => "claim",
            Fact::CompetingValue => "competing_value",
        }
    }
}

impl Citation {
    /// The id of the fact this citation supports, if it is of the given kind.
    pub fn fact_id(&self, fact: Fact) -> Option<i64> {
        match fact {
            Fact::Commitment => self.commitment_id,
            Fact::StatusChange => self.status_change_id,
            Fact::Statement => self.statement_id,
            Fact::Event => self.event_id,
            Fact::Claim => self.claim_id,
            Fact::CompetingValue => self.competing_value_id,
        }
    }
}

/// The live (not retracted) citations of the given facts with their sources' reliability, in one
/// query, in id order.
pub async fn for_facts(
    conn: &mut AsyncPgConnection,
    fact: Fact,
    ids: &[i64],
) -> QueryResult<Vec<(Citation, Reliability)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let query = citations::table
        .inner_join(sources::table)
        .filter(citations::retracted_at.is_null())
        .select((Citation::as_select(), sources::reliability))
        .order(citations::id.asc())
        .into_boxed();
    let query = match fact {
        Fact::Commitment => query.filter(citations::commitment_id.eq_any(ids)),
        Fact::StatusChange => query.filter(citations::status_change_id.eq_any(ids)),
        Fact::Statement => query.filter(citations::statement_id.eq_any(ids)),
        Fact::Event => query.filter(citations::event_id.eq_any(ids)),
        Fact::Claim => query.filter(citations::claim_id.eq_any(ids)),
        Fact::CompetingValue => query.filter(citations::competing_value_id.eq_any(ids)),
    };
    query.load(conn).await
}

/// The live citations of the given commitments and of every step of their status histories, with
/// their sources' reliability, in one query, in id order.
pub async fn for_commitments_and_changes(
    conn: &mut AsyncPgConnection,
    ids: &[i64],
) -> QueryResult<Vec<(Citation, Reliability)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    // Two index lookups joined by UNION ALL: an OR of the two conditions made PostgreSQL filter
    // the whole table (223 ms at 600k citations, against 0.3 ms this way). The steps' citations
    // are looked up by the steps' ids, taken first (`= ANY(ARRAY(...))`): written as a join, the
    // plan kept for the statement on a small database merged the whole index of steps' citations
    // with every step, and went on doing so as the tables grew under it (a commitment's creation
    // on a database of a thousand commitments read 3,358 pages there after 3,000 creations).
    let direct = citations::table
        .inner_join(sources::table)
        .filter(citations::retracted_at.is_null())
        .filter(citations::commitment_id.eq_any(ids.to_vec()))
        .select((Citation::as_select(), sources::reliability));
    let of_steps = diesel::dsl::sql::<Bool>(
        "citations.status_change_id = ANY(ARRAY(SELECT s.id FROM commitment_status_changes s WHERE s.commitment_id = ANY(",
    )
    .bind::<Array<BigInt>, _>(ids.to_vec())
    .sql(")))");
    let of_changes = citations::table
        .inner_join(sources::table)
        .filter(citations::retracted_at.is_null())
        .filter(of_steps)
        .select((Citation::as_select(), sources::reliability));
    let mut rows: Vec<(Citation, Reliability)> = prepared(direct.union_all(of_changes)).load(conn).await?;
    rows.sort_by_key(|(citation, _)| citation.id);
    Ok(rows)
}

/// The citations with the given ids, retracted ones included, with their sources' reliability.
pub async fn by_ids(conn: &mut AsyncPgConnection, ids: &[i64]) -> QueryResult<Vec<(Citation, Reliability)>> {
    citations::table
        .inner_join(sources::table)
        .filter(citations::id.eq_any(ids))
        .order(citations::id.asc())
        .select((Citation::as_select(), sources::reliability))
        .load(conn)
        .await
}

impl Citation {
    /// The kind and id of the fact this citation supports.
    pub fn fact(&self) -> (Fact, i64) {
        [
            (Fact::Commitment, self.commitment_id),
            (Fact::StatusChange, self.status_change_id),
            (Fact::Statement, self.statement_id),
            (Fact::Event, self.event_id),
            (Fact::Claim, self.claim_id),
            (Fact::CompetingValue, self.competing_value_id),
        ]
        .into_iter()
        .find_map(|(fact, id)| id.map(|id| (fact, id)))
        .unwrap_or((Fact::Commitment, 0))
    }
}
