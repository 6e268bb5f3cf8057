//! Statements: words someone said or wrote.

use diesel::prelude::*;
use diesel::QueryResult;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use super::stored::{self, StoredRow};
use super::Window;
use crate::db::models::Statement;
use crate::schema::statements;
use crate::vocab::Stance;

/// Which statements a list shows; every set field narrows it.
#[derive(Debug, Default, Clone)]
pub struct StatementFilter {
    /// Only those disputed (true) or not (false).
    pub disputed: Option<bool>,
    /// Only those with an inferred value (true), or only those whose every value is stated (false).
    pub inferred: Option<bool>,
    /// Only those matching these words (web search syntax, as `/v1/search`).
    pub text: Option<String>,
    /// Only made on behalf of these nations (none: every nation).
    pub nations: Vec<String>,
    /// Only by this person.
    pub speaker: Option<i64>,
    /// Only made at this event.
    pub event: Option<i64>,
    /// Only with one of these stances (none: any).
    pub stances: Vec<Stance>,
    /// Also records that have been retracted.
    pub include_retracted: bool,
}

/// A page of statements in id order, as stored.
pub async fn list(
    conn: &mut AsyncPgConnection,
    filter: &StatementFilter,
    window: Window<i64>,
) -> QueryResult<Vec<StoredRow>> {
    // The page is walked on the records' own table (its filters, its order, its limit), and only
    // its ids are then looked up in the revisions: one index step each, whatever the estimates.
    let mut query = statements::table
        .select(statements::id)
        .order(statements::id.asc())
        .into_boxed();
    // One value is an equality, which the indexes walk in id order; several are `= ANY`.
    match filter.nations.as_slice() {
        [] => {}
        [one] => query = query.filter(statements::nation_code.eq(one.clone())),
        many => query = query.filter(statements::nation_code.eq_any(many.to_vec())),
    }
    if let Some(speaker) = filter.speaker {
        query = query.filter(statements::speaker_id.eq(speaker));
    }
    if let Some(event) = filter.event {
        query = query.filter(statements::event_id.eq(event));
    }
    match filter.stances.as_slice() {
        [] => {}
        [one] => query = query.filter(statements::stance.eq(*one)),
        many => query = query.filter(statements::stance.eq_any(many.to_vec())),
    }
    if let Some(text) = &filter.text {
        query = query.filter(super::text_matches("statements", text));
    }
    if let Some(inferred) = filter.inferred {
        query = query.filter(statements::inferred.eq(inferred));
    }
    if let Some(disputed) = filter.disputed {
        query = query.filter(statements::disputed.eq(disputed));
    }
    if !filter.include_retracted {
        query = query.filter(statements::retracted_at.is_null());
    }
    if let Some(after) = window.after {
        query = query.filter(statements::id.gt(after));
    }
    stored::current_of_page!("statements", query, window.fetch, conn)
}

/// One statement by id.
pub async fn get(conn: &mut AsyncPgConnection, id: i64) -> QueryResult<Option<Statement>> {
    statements::table
        .find(id)
        .select(Statement::as_select())
        .first(conn)
        .await
        .optional()
}

/// The statements with the given ids, retracted ones included, in one query.
pub async fn by_ids(conn: &mut AsyncPgConnection, ids: &[i64]) -> QueryResult<Vec<Statement>> {
    statements::table
        .filter(statements::id.eq_any(ids))
        .order(statements::id.asc())
        .select(Statement::as_select())
        .load(conn)
        .await
}
