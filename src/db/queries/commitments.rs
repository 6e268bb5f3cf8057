//! Commitments and their status histories.

use chrono::NaiveDate;
use diesel::prelude::*;
use diesel::QueryResult;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use super::stored::{self, StoredRow};
use super::Window;
use crate::db::models::{Commitment, StatusChange};
use crate::schema::{citations, commitment_status_changes, commitments};
use crate::vocab::{CommitmentKind, CommitmentStatus};

/// Which commitments a list shows; every set field narrows it.
#[derive(Debug, Default, Clone)]
pub struct CommitmentFilter {
    /// Only those disputed (true) or not (false).
    pub disputed: Option<bool>,
    /// Only those with an inferred value (true), or only those whose every value is stated (false).
    pub inferred: Option<bool>,
    /// Only those matching these words (web search syntax, as `/v1/search`).
    pub text: Option<String>,
    /// Only these nations' (none: every nation's).
    pub nations: Vec<String>,
    /// Only of these kinds (none: every kind).
    pub kinds: Vec<CommitmentKind>,
    /// Only with one of these current statuses (none: any).
    pub statuses: Vec<CommitmentStatus>,
    /// Only made at this event.
    pub event: Option<i64>,
    /// Only those citing this source.
    pub source: Option<i64>,
    /// Only announced on or after this date.
    pub announced_since: Option<NaiveDate>,
    /// Only announced on or before this date.
    pub announced_until: Option<NaiveDate>,
    /// Also records that have been retracted.
    pub include_retracted: bool,
}

/// Narrows a boxed query of commitment ids (on `commitments` alone, or joined to the citations
/// of one source) by every field of a [`CommitmentFilter`] but the source, and by the page's
/// keyset. One home for the filters, whichever table drives the walk.
macro_rules! narrowed {
    ($query:expr, $filter:expr, $window:expr) => {{
        let filter: &CommitmentFilter = $filter;
        let mut query = $query;
        // One value is an equality, which the indexes walk in id order; several are `= ANY`.
        match filter.nations.as_slice() {
            [] => {}
            [one] => query = query.filter(commitments::nation_code.eq(one.clone())),
            many => query = query.filter(commitments::nation_code.eq_any(many.to_vec())),
        }
        match filter.kinds.as_slice() {
            [] => {}
            [one] => query = query.filter(commitments::kind.eq(*one)),
            many => query = query.filter(commitments::kind.eq_any(many.to_vec())),
        }
        match filter.statuses.as_slice() {
            [] => {}
            [one] => query = query.filter(commitments::status.eq(*one)),
            many => query = query.filter(commitments::status.eq_any(many.to_vec())),
        }
        if let Some(event) = filter.event {
            query = query.filter(commitments::event_id.eq(event));
        }
        if let Some(since) = filter.announced_since {
            query = query.filter(commitments::announced_on.ge(since));
        }
        if let Some(until) = filter.announced_until {
            query = query.filter(commitments::announced_on.le(until));
        }
        if let Some(text) = &filter.text {
            query = query.filter(super::text_matches("commitments", text));
        }
        if let Some(inferred) = filter.inferred {
            // A commitment's history counts too: an inferred status or date is an inferred value.
            query = if inferred {
                query.filter(commitments::inferred.or(commitments::steps_inferred))
            } else {
                query.filter(
                    commitments::inferred
                        .eq(false)
                        .and(commitments::steps_inferred.eq(false)),
                )
            };
        }
        if let Some(disputed) = filter.disputed {
            query = query.filter(commitments::disputed.eq(disputed));
        }
        if !filter.include_retracted {
            query = query.filter(commitments::retracted_at.is_null());
        }
        if let Some(after) = $window.after {
            query = query.filter(commitments::id.gt(after));
        }
        query
    }};
}

/// A page of commitments in id order, as stored.
pub async fn list(
    conn: &mut AsyncPgConnection,
    filter: &CommitmentFilter,
    window: Window<i64>,
) -> QueryResult<Vec<StoredRow>> {
    // The page is walked on the records' own table (its filters, its order, its limit), and only
    // its ids are then looked up in the revisions: one index step each, whatever the estimates.
    match filter.source {
        None => {
            let ids = commitments::table
                .select(commitments::id)
                .order(commitments::id.asc())
                .into_boxed();
            stored::current_of_page!("commitments", narrowed!(ids, filter, window), window.fetch, conn)
        }
        // Those citing a source are walked from its live citations, in commitment order along
        // the (source_id, commitment_id) index, each commitment then found by its key: a page
        // reads about a page of citations, however many cite the source and however sparse they
        // are among the commitments. (As `id IN (its citations)`, PostgreSQL either read every
        // citation of the source and sorted them, or walked every commitment up to the page's
        // last: 12 ms at a million commitments for a source cited by 5,000 of them, against
        // 1.5 ms in this shape.)
        Some(source) => {
            let ids = citations::table
                .inner_join(commitments::table)
                .filter(citations::source_id.eq(source))
                .filter(citations::retracted_at.is_null())
                .select(commitments::id)
                .distinct()
                .order(commitments::id.asc())
                .into_boxed();
            stored::current_of_page!("commitments", narrowed!(ids, filter, window), window.fetch, conn)
        }
    }
}

/// One commitment by id.
pub async fn get(conn: &mut AsyncPgConnection, id: i64) -> QueryResult<Option<Commitment>> {
    commitments::table
        .find(id)
        .select(Commitment::as_select())
        .first(conn)
        .await
        .optional()
}

/// The status histories of the given commitments, oldest first, in one query.
pub async fn history(conn: &mut AsyncPgConnection, ids: &[i64]) -> QueryResult<Vec<StatusChange>> {
    commitment_status_changes::table
        .filter(commitment_status_changes::commitment_id.eq_any(ids))
        .order(commitment_status_changes::id.asc())
        .select(StatusChange::as_select())
        .load(conn)
        .await
}

/// The commitments with the given ids, retracted ones included, in one query.
pub async fn by_ids(conn: &mut AsyncPgConnection, ids: &[i64]) -> QueryResult<Vec<Commitment>> {
    commitments::table
        .filter(commitments::id.eq_any(ids))
        .order(commitments::id.asc())
        .select(Commitment::as_select())
        .load(conn)
        .await
}
