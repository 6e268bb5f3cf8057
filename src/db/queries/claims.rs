//! Claims and reports: figures someone reported.

use diesel::prelude::*;
use diesel::QueryResult;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use super::stored::{self, StoredRow};
use super::Window;
use crate::db::models::Claim;
use crate::schema::claims;
use crate::vocab::ClaimKind;

/// Which claims a list shows; every set field narrows it.
#[derive(Debug, Default, Clone)]
pub struct ClaimFilter {
    /// Only those disputed (true) or not (false).
    pub disputed: Option<bool>,
    /// Only those with an inferred value (true), or only those whose every value is stated (false).
    pub inferred: Option<bool>,
    /// Only those matching these words (web search syntax, as `/v1/search`).
    pub text: Option<String>,
    /// Only claims or only reports.
    pub kind: Option<ClaimKind>,
    /// Only those claimed by this nation.
    pub claimed_by: Option<String>,
    /// Only those tied to this event.
    pub event: Option<i64>,
    /// Also records that have been retracted.
    pub include_retracted: bool,
}

/// A page of claims in id order, as stored.
pub async fn list(
    conn: &mut AsyncPgConnection,
    filter: &ClaimFilter,
    window: Window<i64>,
) -> QueryResult<Vec<StoredRow>> {
    // The page is walked on the records' own table (its filters, its order, its limit), and only
    // its ids are then looked up in the revisions: one index step each, whatever the estimates.
    let mut query = claims::table.select(claims::id).order(claims::id.asc()).into_boxed();
    if let Some(kind) = filter.kind {
        query = query.filter(claims::kind.eq(kind));
    }
    if let Some(nation) = &filter.claimed_by {
        query = query.filter(claims::claimed_by.eq(nation.clone()));
    }
    if let Some(event) = filter.event {
        query = query.filter(claims::event_id.eq(event));
    }
    if let Some(text) = &filter.text {
        query = query.filter(super::text_matches("claims", text));
    }
    if let Some(inferred) = filter.inferred {
        query = query.filter(claims::inferred.eq(inferred));
    }
    if let Some(disputed) = filter.disputed {
        query = query.filter(claims::disputed.eq(disputed));
    }
    if !filter.include_retracted {
        query = query.filter(claims::retracted_at.is_null());
    }
    if let Some(after) = window.after {
        query = query.filter(claims::id.gt(after));
    }
    stored::current_of_page!("claims", query, window.fetch, conn)
}

/// One claim by id.
pub async fn get(conn: &mut AsyncPgConnection, id: i64) -> QueryResult<Option<Claim>> {
    claims::table
        .find(id)
        .select(Claim::as_select())
        .first(conn)
        .await
        .optional()
}

/// The claims with the given ids, retracted ones included, in one query.
pub async fn by_ids(conn: &mut AsyncPgConnection, ids: &[i64]) -> QueryResult<Vec<Claim>> {
    claims::table
        .filter(claims::id.eq_any(ids))
        .order(claims::id.asc())
        .select(Claim::as_select())
        .load(conn)
        .await
}
