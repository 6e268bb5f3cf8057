//! Writes: inserting, correcting and retracting records. Each runs inside the caller's
//! transaction; the history of what changed is stored by the caller afterwards.

use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt, Integer, Jsonb, Text};
use diesel::QueryResult;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::db::models::*;
use crate::db::prepared::prepared;
use crate::schema::*;

/// The tables whose rows carry a basis map (see `crate::basis`).
pub const BASIS_TABLES: &[&str] = &[
    "commitments",
    "commitment_status_changes",
    "statements",
    "events",
    "claims",
];

/// Sets the basis map of a row of one of [`BASIS_TABLES`].
pub async fn set_basis(
    conn: &mut AsyncPgConnection,
    table: &'static str,
    id: i64,
    basis: &serde_json::Value,
) -> QueryResult<usize> {
    if !BASIS_TABLES.contains(&table) {
        return Err(diesel::result::Error::QueryBuilderError(
            format!("{table} keeps no basis").into(),
        ));
    }
    diesel::sql_query(format!("UPDATE {table} SET basis = $2 WHERE id = $1"))
        .bind::<BigInt, _>(id)
        .bind::<Jsonb, _>(basis)
        .execute(conn)
        .await
}

/// A fact's stored basis map and the ids of its live citations (in id order), in one statement;
/// for a table not among [`BASIS_TABLES`], or no such row, an empty map and no citations.
pub async fn grounds_of(
    conn: &mut AsyncPgConnection,
    table: &'static str,
    id: i64,
) -> QueryResult<(serde_json::Value, Vec<i64>)> {
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = Jsonb)]
        basis: serde_json::Value,
        #[diesel(sql_type = diesel::sql_types::Array<BigInt>)]
        citations: Vec<i64>,
    }
    let empty = || (serde_json::Value::Object(Default::default()), Vec::new());
    let Some(column) = citing_column(table) else {
        return Ok(empty());
    };
    let rows: Vec<Row> = diesel::sql_query(format!(
        "SELECT t.basis, ARRAY(SELECT c.id FROM citations c WHERE c.{column} = t.id AND c.retracted_at IS NULL
                                ORDER BY c.id) AS citations
           FROM {table} t WHERE t.id = $1"
    ))
    .bind::<BigInt, _>(id)
    .load(conn)
    .await?;
    Ok(rows.into_iter().next().map_or_else(empty, |r| (r.basis, r.citations)))
}

/// The column of `citations` that points at a fact of one of [`BASIS_TABLES`].
fn citing_column(table: &str) -> Option<&'static str> {
    match table {
        "commitments" => Some("commitment_id"),
        "commitment_status_changes" => Some("status_change_id"),
        "statements" => Some("statement_id"),
        "events" => Some("event_id"),
        "claims" => Some("claim_id"),
        _ => None,
    }
}

/// Inserts a source; returns its id.
pub async fn insert_source(conn: &mut AsyncPgConnection, new: NewSource<'_>) -> QueryResult<i64> {
    diesel::insert_into(sources::table)
        .values(new)
        .returning(sources::id)
        .get_result(conn)
        .await
}

/// Replaces a source's editable fields (its text stays as it is).
pub async fn update_source(conn: &mut AsyncPgConnection, id: i64, changes: NewSource<'_>) -> QueryResult<usize> {
    diesel::update(sources::table.find(id)).set(changes).execute(conn).await
}

/// Inserts a person; returns the id.
pub async fn insert_person(conn: &mut AsyncPgConnection, new: NewPerson<'_>) -> QueryResult<i64> {
    diesel::insert_into(people::table)
        .values(new)
        .returning(people::id)
        .get_result(conn)
        .await
}

/// Replaces a person's fields.
pub async fn update_person(conn: &mut AsyncPgConnection, id: i64, changes: NewPerson<'_>) -> QueryResult<usize> {
    diesel::update(people::table.find(id)).set(changes).execute(conn).await
}

/// Inserts an event; returns the id.
pub async fn insert_event(conn: &mut AsyncPgConnection, new: NewEvent<'_>) -> QueryResult<i64> {
    diesel::insert_into(events::table)
        .values(new)
        .returning(events::id)
        .get_result(conn)
        .await
}

/// Replaces an event's fields.
pub async fn update_event(conn: &mut AsyncPgConnection, id: i64, changes: NewEvent<'_>) -> QueryResult<usize> {
    diesel::update(events::table.find(id)).set(changes).execute(conn).await
}

/// Replaces an event's participants.
pub async fn set_participants(
    conn: &mut AsyncPgConnection,
    event_id: i64,
    participants: &[Participant],
) -> QueryResult<()> {
    diesel::delete(event_participants::table.filter(event_participants::event_id.eq(event_id)))
        .execute(conn)
        .await?;
    if !participants.is_empty() {
        diesel::insert_into(event_participants::table)
            .values(participants)
            .execute(conn)
            .await?;
    }
    Ok(())
}

/// Inserts a commitment; returns its id. Its first status change must follow in the transaction.
pub async fn insert_commitment(conn: &mut AsyncPgConnection, new: NewCommitment<'_>) -> QueryResult<i64> {
    // Diesel does not keep an insert whose text depends on which optional fields are given; each
    // such text is kept here (a bounded number: one per set of fields given).
    prepared(
        diesel::insert_into(commitments::table)
            .values(new)
            .returning(commitments::id),
    )
    .get_result(conn)
    .await
}

/// Replaces a commitment's editable fields.
pub async fn update_commitment(
    conn: &mut AsyncPgConnection,
    id: i64,
    changes: NewCommitment<'_>,
) -> QueryResult<usize> {
    diesel::update(commitments::table.find(id))
        .set(changes)
        .execute(conn)
        .await
}

/// Adds a step to a commitment's status history (the commitment's status follows it); returns its id.
pub async fn insert_status_change(conn: &mut AsyncPgConnection, new: NewStatusChange<'_>) -> QueryResult<i64> {
    diesel::insert_into(commitment_status_changes::table)
        .values(new)
        .returning(commitment_status_changes::id)
        .get_result(conn)
        .await
}

/// The spans of `citations` as the arrays the inserts unnest: sources, starts, ends, excerpts.
fn spans_of<'a>(citations: &[NewCitation<'a>]) -> (Vec<i64>, Vec<i32>, Vec<i32>, Vec<&'a str>) {
    (
        citations.iter().map(|c| c.source_id).collect(),
        citations.iter().map(|c| c.start_offset).collect(),
        citations.iter().map(|c| c.end_offset).collect(),
        citations.iter().map(|c| c.excerpt).collect(),
    )
}

/// Inserts a status change and its citations in one statement (the citations' `status_change_id`
/// is the new change's); returns the change's id and the citations' ids, in the order given.
pub async fn insert_status_change_cited(
    conn: &mut AsyncPgConnection,
    new: NewStatusChange<'_>,
    citations: &[NewCitation<'_>],
) -> QueryResult<(i64, Vec<i64>)> {
    #[derive(QueryableByName)]
    struct Made {
        #[diesel(sql_type = BigInt)]
        step: i64,
        #[diesel(sql_type = Array<BigInt>)]
        cited: Vec<i64>,
    }
    let (sources, starts, ends, excerpts) = spans_of(citations);
    // Ids are taken in the order the rows are inserted, which is the order given. Its text is
    // fixed: kept prepared on the connection.
    let made: Made = prepared(
        diesel::sql_query(
            "WITH step AS (
             INSERT INTO commitment_status_changes (commitment_id, status, changed_on, note, modality, basis)
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id),
         cited AS (
             INSERT INTO citations (source_id, start_offset, end_offset, excerpt, status_change_id)
             SELECT c.source_id, c.start_offset, c.end_offset, c.excerpt, step.id
               FROM step, unnest($7::bigint[], $8::int[], $9::int[], $10::text[]) WITH ORDINALITY
                    AS c (source_id, start_offset, end_offset, excerpt, n)
              ORDER BY c.n
             RETURNING id)
         SELECT (SELECT id FROM step) AS step, ARRAY(SELECT id FROM cited ORDER BY id) AS cited",
        )
        .bind::<BigInt, _>(new.commitment_id)
        .bind::<Text, _>(new.status)
        .bind::<diesel::sql_types::Nullable<diesel::sql_types::Date>, _>(new.changed_on)
        .bind::<diesel::sql_types::Nullable<Text>, _>(new.note)
        .bind::<Text, _>(new.modality)
        .bind::<Jsonb, _>(&new.basis)
        .bind::<Array<BigInt>, _>(sources)
        .bind::<Array<Integer>, _>(starts)
        .bind::<Array<Integer>, _>(ends)
        .bind::<Array<Text>, _>(excerpts),
    )
    .get_result(conn)
    .await?;
    Ok((made.step, made.cited))
}

/// The latest date in a commitment's status history, if any step has one.
pub async fn last_change_date(
    conn: &mut AsyncPgConnection,
    commitment_id: i64,
) -> QueryResult<Option<chrono::NaiveDate>> {
    commitment_status_changes::table
        .filter(commitment_status_changes::commitment_id.eq(commitment_id))
        .select(diesel::dsl::max(commitment_status_changes::changed_on))
        .first(conn)
        .await
}

/// Inserts a statement; returns the id.
pub async fn insert_statement(conn: &mut AsyncPgConnection, new: NewStatement<'_>) -> QueryResult<i64> {
    diesel::insert_into(statements::table)
        .values(new)
        .returning(statements::id)
        .get_result(conn)
        .await
}

/// Replaces a statement's editable fields.
pub async fn update_statement(conn: &mut AsyncPgConnection, id: i64, changes: NewStatement<'_>) -> QueryResult<usize> {
    diesel::update(statements::table.find(id))
        .set(changes)
        .execute(conn)
        .await
}

/// Inserts a claim; returns the id.
pub async fn insert_claim(conn: &mut AsyncPgConnection, new: NewClaim<'_>) -> QueryResult<i64> {
    diesel::insert_into(claims::table)
        .values(new)
        .returning(claims::id)
        .get_result(conn)
        .await
}

/// Replaces a claim's editable fields.
pub async fn update_claim(conn: &mut AsyncPgConnection, id: i64, changes: NewClaim<'_>) -> QueryResult<usize> {
    diesel::update(claims::table.find(id)).set(changes).execute(conn).await
}

/// Inserts citations; returns their ids, in the order given.
pub async fn insert_citations(conn: &mut AsyncPgConnection, new: &[NewCitation<'_>]) -> QueryResult<Vec<i64>> {
    #[derive(QueryableByName)]
    struct Made {
        #[diesel(sql_type = Array<BigInt>)]
        ids: Vec<i64>,
    }
    if new.is_empty() {
        return Ok(Vec::new());
    }
    type Ids = Array<diesel::sql_types::Nullable<BigInt>>;
    let (sources, starts, ends, excerpts) = spans_of(new);
    let fact = |of: fn(&NewCitation<'_>) -> Option<i64>| new.iter().map(of).collect::<Vec<_>>();
    // One text whatever the number of rows (a multi-row VALUES would be a new statement, parsed and
    // planned, for each count): kept prepared on the connection. The ids are taken in the order
    // the rows are inserted, which is the order given.
    let made: Made = prepared(
        diesel::sql_query(
            "WITH made AS (
             INSERT INTO citations (source_id, start_offset, end_offset, excerpt, commitment_id, status_change_id,
                                    statement_id, event_id, claim_id, competing_value_id)
             SELECT c.source_id, c.start_offset, c.end_offset, c.excerpt, c.commitment_id, c.status_change_id,
                    c.statement_id, c.event_id, c.claim_id, c.competing_value_id
               FROM unnest($1::bigint[], $2::int[], $3::int[], $4::text[], $5::bigint[], $6::bigint[],
                           $7::bigint[], $8::bigint[], $9::bigint[], $10::bigint[]) WITH ORDINALITY
                    AS c (source_id, start_offset, end_offset, excerpt, commitment_id, status_change_id,
                          statement_id, event_id, claim_id, competing_value_id, n)
              ORDER BY c.n
             RETURNING id)
         SELECT ARRAY(SELECT id FROM made ORDER BY id) AS ids",
        )
        .bind::<Array<BigInt>, _>(sources)
        .bind::<Array<Integer>, _>(starts)
        .bind::<Array<Integer>, _>(ends)
        .bind::<Array<Text>, _>(excerpts)
        .bind::<Ids, _>(fact(|c| c.commitment_id))
        .bind::<Ids, _>(fact(|c| c.status_change_id))
        .bind::<Ids, _>(fact(|c| c.statement_id))
        .bind::<Ids, _>(fact(|c| c.event_id))
        .bind::<Ids, _>(fact(|c| c.claim_id))
        .bind::<Ids, _>(fact(|c| c.competing_value_id)),
    )
    .get_result(conn)
    .await?;
    Ok(made.ids)
}

/// Points a citation at another span.
pub async fn update_citation(
    conn: &mut AsyncPgConnection,
    id: i64,
    source_id: i64,
    start: i32,
    end: i32,
    excerpt: &str,
) -> QueryResult<usize> {
    diesel::update(citations::table.find(id))
        .set((
            citations::source_id.eq(source_id),
            citations::start_offset.eq(start),
            citations::end_offset.eq(end),
            citations::excerpt.eq(excerpt),
        ))
        .execute(conn)
        .await
}

/// One citation by id.
pub async fn citation(conn: &mut AsyncPgConnection, id: i64) -> QueryResult<Option<Citation>> {
    citations::table
        .find(id)
        .select(Citation::as_select())
        .first(conn)
        .await
        .optional()
}

/// The commitment a status change belongs to.
pub async fn commitment_of_change(conn: &mut AsyncPgConnection, change_id: i64) -> QueryResult<i64> {
    commitment_status_changes::table
        .find(change_id)
        .select(commitment_status_changes::commitment_id)
        .first(conn)
        .await
}

/// Retracts a live record of one of the tables that can be retracted; returns whether it was live.
/// `table` comes from a fixed list, never from a request.
pub async fn retract(conn: &mut AsyncPgConnection, table: &'static str, id: i64, reason: &str) -> QueryResult<bool> {
    let changed = diesel::sql_query(format!(
        "UPDATE {table} SET retracted_at = now(), retraction_reason = $2 WHERE id = $1 AND retracted_at IS NULL"
    ))
    .bind::<BigInt, _>(id)
    .bind::<Text, _>(reason)
    .execute(conn)
    .await?;
    Ok(changed == 1)
}

/// How many live citations support a fact (by its column in `citations`).
pub async fn live_citations(conn: &mut AsyncPgConnection, column: &'static str, fact_id: i64) -> QueryResult<i64> {
    #[derive(QueryableByName)]
    struct Count {
        #[diesel(sql_type = BigInt)]
        n: i64,
    }
    let count: Count = diesel::sql_query(format!(
        "SELECT count(*) AS n FROM citations WHERE {column} = $1 AND retracted_at IS NULL"
    ))
    .bind::<BigInt, _>(fact_id)
    .get_result(conn)
    .await?;
    Ok(count.n)
}

/// The records whose representation shows a source (through their live or retracted citations).
#[derive(Debug, Default)]
pub struct SourceDependents {
    /// Commitments citing it, directly or in their status history.
    pub commitments: Vec<i64>,
    /// Statements citing it.
    pub statements: Vec<i64>,
    /// Events citing it.
    pub events: Vec<i64>,
    /// Claims citing it.
    pub claims: Vec<i64>,
    /// Its citations.
    pub citations: Vec<i64>,
}

/// The records that show the source, so that their history records a change of it.
pub async fn dependents_of_source(conn: &mut AsyncPgConnection, source_id: i64) -> QueryResult<SourceDependents> {
    let rows: Vec<Citation> = citations::table
        .filter(citations::source_id.eq(source_id))
        .select(Citation::as_select())
        .load(conn)
        .await?;
    let mut out = SourceDependents::default();
    let mut change_ids = Vec::new();
    for c in rows {
        out.citations.push(c.id);
        out.commitments.extend(c.commitment_id);
        out.statements.extend(c.statement_id);
        out.events.extend(c.event_id);
        out.claims.extend(c.claim_id);
        change_ids.extend(c.status_change_id);
    }
    let via_history: Vec<i64> = commitment_status_changes::table
        .filter(commitment_status_changes::id.eq_any(&change_ids))
        .select(commitment_status_changes::commitment_id)
        .load(conn)
        .await?;
    out.commitments.extend(via_history);
    for ids in [
        &mut out.commitments,
        &mut out.statements,
        &mut out.events,
        &mut out.claims,
    ] {
        ids.sort_unstable();
        ids.dedup();
    }
    Ok(out)
}

/// The commitments announced by, and statements made by, a person.
pub async fn dependents_of_person(conn: &mut AsyncPgConnection, person_id: i64) -> QueryResult<(Vec<i64>, Vec<i64>)> {
    let commitments = commitments::table
        .filter(commitments::announced_by.eq(person_id))
        .select(commitments::id)
        .load(conn)
        .await?;
    let statements = statements::table
        .filter(statements::speaker_id.eq(person_id))
        .select(statements::id)
        .load(conn)
        .await?;
    Ok((commitments, statements))
}

/// Inserts one citation; returns its id.
pub async fn insert_citation(conn: &mut AsyncPgConnection, new: NewCitation<'_>) -> QueryResult<i64> {
    diesel::insert_into(citations::table)
        .values(new)
        .returning(citations::id)
        .get_result(conn)
        .await
}

/// Inserts an organization and its memberships; returns its id.
pub async fn insert_organization(
    conn: &mut AsyncPgConnection,
    new: NewOrganization<'_>,
    members: impl Fn(i64) -> Vec<Membership>,
) -> QueryResult<i64> {
    let id = diesel::insert_into(organizations::table)
        .values(new)
        .returning(organizations::id)
        .get_result(conn)
        .await?;
    let members = members(id);
    if !members.is_empty() {
        diesel::insert_into(memberships::table)
            .values(&members)
            .execute(conn)
            .await?;
    }
    Ok(id)
}

/// The seed records loaded so far: each key and the id of the record it made.
pub async fn seed_records(conn: &mut AsyncPgConnection) -> QueryResult<Vec<(String, i64)>> {
    seed_records::table
        .select((seed_records::key, seed_records::record_id))
        .load(conn)
        .await
}

/// Remembers the record a seed key made.
pub async fn remember_seed_record(conn: &mut AsyncPgConnection, new: NewSeedRecord<'_>) -> QueryResult<()> {
    diesel::insert_into(seed_records::table)
        .values(new)
        .execute(conn)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_table_with_a_basis_has_a_citing_column() {
        for table in BASIS_TABLES {
            assert!(citing_column(table).is_some(), "{table}");
        }
        assert_eq!(citing_column("sources"), None);
    }
}
