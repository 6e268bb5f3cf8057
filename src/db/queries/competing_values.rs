//! Competing values: what one source says of a fact's field against what the fact holds.

use diesel::prelude::*;
use diesel::QueryResult;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::db::models::{CompetingValue, NewCompetingValue};
use crate::schema::competing_values;

/// The kinds of fact a value can compete on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Disputable {
    /// A commitment.
    Commitment,
    /// A statement.
    Statement,
    /// An event.
    Event,
    /// A claim.
    Claim,
}

/// The live competing values of the given facts, in id order, in one query.
pub async fn for_facts(
    conn: &mut AsyncPgConnection,
    fact: Disputable,
    ids: &[i64],
) -> QueryResult<Vec<CompetingValue>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let query = competing_values::table
        .filter(competing_values::retracted_at.is_null())
        .select(CompetingValue::as_select())
        .order(competing_values::id.asc())
        .into_boxed();
    let query = match fact {
        Disputable::Commitment => query.filter(competing_values::commitment_id.eq_any(ids)),
        Disputable::Statement => query.filter(competing_values::statement_id.eq_any(ids)),
        Disputable::Event => query.filter(competing_values::event_id.eq_any(ids)),
        Disputable::Claim => query.filter(competing_values::claim_id.eq_any(ids)),
    };
    query.load(conn).await
}

/// Stores a competing value and returns its id.
pub async fn insert(conn: &mut AsyncPgConnection, row: NewCompetingValue<'_>) -> QueryResult<i64> {
    diesel::insert_into(competing_values::table)
        .values(row)
        .returning(competing_values::id)
        .get_result(conn)
        .await
}

/// One competing value by id, retracted or not.
pub async fn get(conn: &mut AsyncPgConnection, id: i64) -> QueryResult<Option<CompetingValue>> {
    competing_values::table
        .find(id)
        .select(CompetingValue::as_select())
        .first(conn)
        .await
        .optional()
}

impl CompetingValue {
    /// The fact it competes on.
    pub fn fact(&self) -> (Disputable, i64) {
        [
            (Disputable::Commitment, self.commitment_id),
            (Disputable::Statement, self.statement_id),
            (Disputable::Event, self.event_id),
            (Disputable::Claim, self.claim_id),
        ]
        .into_iter()
        .find_map(|(fact, id)| id.map(|id| (fact, id)))
        .unwrap_or((Disputable::Commitment, 0))
    }
}

/// Retracts a competing value with its reason; returns whether a live one was retracted.
pub async fn retract(conn: &mut AsyncPgConnection, id: i64, reason: &str) -> QueryResult<bool> {
    let changed = diesel::update(
        competing_values::table
            .find(id)
            .filter(competing_values::retracted_at.is_null()),
    )
    .set((
        competing_values::retracted_at.eq(diesel::dsl::now),
        competing_values::retraction_reason.eq(reason),
    ))
    .execute(conn)
    .await?;
    Ok(changed == 1)
}
