//! Events and their participants.

use diesel::prelude::*;
use diesel::QueryResult;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use super::stored::{self, StoredRow};
use super::Window;
use crate::db::models::{Event, Participant};
use crate::schema::{event_participants, events};
use crate::vocab::EventKind;

/// Which events a list shows.
#[derive(Debug, Default, Clone)]
pub struct EventFilter {
    /// Only those disputed (true) or not (false).
    pub disputed: Option<bool>,
    /// Only those with an inferred value (true), or only those whose every value is stated (false).
    pub inferred: Option<bool>,
    /// Only those matching these words (web search syntax, as `/v1/search`).
    pub text: Option<String>,
    /// Only events of this kind.
    pub kind: Option<EventKind>,
    /// Only events this nation took part in.
    pub nation: Option<String>,
    /// Also records that have been retracted.
    pub include_retracted: bool,
}

/// A page of events in id order, as stored.
pub async fn list(
    conn: &mut AsyncPgConnection,
    filter: &EventFilter,
    window: Window<i64>,
) -> QueryResult<Vec<StoredRow>> {
    // The page is walked on the records' own table (its filters, its order, its limit), and only
    // its ids are then looked up in the revisions: one index step each, whatever the estimates.
    let mut query = events::table.select(events::id).order(events::id.asc()).into_boxed();
    if let Some(kind) = filter.kind {
        query = query.filter(events::kind.eq(kind));
    }
    if let Some(nation) = &filter.nation {
        query = query.filter(
            events::id.eq_any(
                event_participants::table
                    .filter(event_participants::nation_code.eq(nation.clone()))
                    .select(event_participants::event_id),
            ),
        );
    }
    if let Some(text) = &filter.text {
        query = query.filter(super::text_matches("events", text));
    }
    if let Some(inferred) = filter.inferred {
        query = query.filter(events::inferred.eq(inferred));
    }
    if let Some(disputed) = filter.disputed {
        query = query.filter(events::disputed.eq(disputed));
    }
    if !filter.include_retracted {
        query = query.filter(events::retracted_at.is_null());
    }
    if let Some(after) = window.after {
        query = query.filter(events::id.gt(after));
    }
    stored::current_of_page!("events", query, window.fetch, conn)
}

/// One event by id.
pub async fn get(conn: &mut AsyncPgConnection, id: i64) -> QueryResult<Option<Event>> {
    events::table
        .find(id)
        .select(Event::as_select())
        .first(conn)
        .await
        .optional()
}

/// The participants of the given events, in one query.
pub async fn participants(conn: &mut AsyncPgConnection, ids: &[i64]) -> QueryResult<Vec<Participant>> {
    event_participants::table
        .filter(event_participants::event_id.eq_any(ids))
        .order((
            event_participants::event_id.asc(),
            event_participants::nation_code.asc(),
        ))
        .select(Participant::as_select())
        .load(conn)
        .await
}

/// The events with the given ids, retracted ones included, in one query.
pub async fn by_ids(conn: &mut AsyncPgConnection, ids: &[i64]) -> QueryResult<Vec<Event>> {
    events::table
        .filter(events::id.eq_any(ids))
        .order(events::id.asc())
        .select(Event::as_select())
        .load(conn)
        .await
}
