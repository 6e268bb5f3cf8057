//! People: officials who speak or act.

use diesel::prelude::*;
use diesel::QueryResult;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use super::Window;
use crate::db::models::Person;
use crate::schema::people;

/// A page of people in id order, optionally of one nation, retracted ones only if asked.
pub async fn list(
    conn: &mut AsyncPgConnection,
    nation: Option<&str>,
    include_retracted: bool,
    window: Window<i64>,
) -> QueryResult<Vec<Person>> {
    let mut query = people::table
        .select(Person::as_select())
        .order(people::id.asc())
        .into_boxed();
    if let Some(nation) = nation {
        query = query.filter(people::nation_code.eq(nation.to_owned()));
    }
    if !include_retracted {
        query = query.filter(people::retracted_at.is_null());
    }
    if let Some(after) = window.after {
        query = query.filter(people::id.gt(after));
    }
    query.limit(window.fetch).load(conn).await
}

/// One person by id.
pub async fn get(conn: &mut AsyncPgConnection, id: i64) -> QueryResult<Option<Person>> {
    people::table
        .find(id)
        .select(Person::as_select())
        .first(conn)
        .await
        .optional()
}

/// The people with the given ids, in one query.
pub async fn by_ids(conn: &mut AsyncPgConnection, ids: &[i64]) -> QueryResult<Vec<Person>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    people::table
        .filter(people::id.eq_any(ids))
        .select(Person::as_select())
        .load(conn)
        .await
}
