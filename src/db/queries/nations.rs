//! Nations and their memberships.

use diesel::prelude::*;
use diesel::QueryResult;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use super::Window;
use crate::db::models::{Membership, Nation, Organization};
use crate::schema::{memberships, nations, organizations};

/// A page of nations in code order.
pub async fn list(conn: &mut AsyncPgConnection, window: Window<&str>) -> QueryResult<Vec<Nation>> {
    let mut query = nations::table
        .select(Nation::as_select())
        .order(nations::code.asc())
        .into_boxed();
    if let Some(after) = window.after {
        query = query.filter(nations::code.gt(after.to_owned()));
    }
    query.limit(window.fetch).load(conn).await
}

/// One nation by its alpha-2 code.
pub async fn get(conn: &mut AsyncPgConnection, code: &str) -> QueryResult<Option<Nation>> {
    nations::table
        .find(code)
        .select(Nation::as_select())
        .first(conn)
        .await
        .optional()
}

/// Whether a nation with this code exists.
pub async fn exists(conn: &mut AsyncPgConnection, code: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(nations::table.find(code)))
        .get_result(conn)
        .await
}

/// The organizations a nation belongs or belonged to.
pub async fn memberships(conn: &mut AsyncPgConnection, code: &str) -> QueryResult<Vec<(Membership, Organization)>> {
    memberships::table
        .inner_join(organizations::table)
        .filter(memberships::nation_code.eq(code))
        .order(organizations::id.asc())
        .select((Membership::as_select(), Organization::as_select()))
        .load(conn)
        .await
}

/// Which of `codes` are nations' codes.
pub async fn known(conn: &mut AsyncPgConnection, codes: &[String]) -> QueryResult<std::collections::HashSet<String>> {
    let found: Vec<String> = nations::table
        .filter(nations::code.eq_any(codes))
        .select(nations::code)
        .load(conn)
        .await?;
    Ok(found.into_iter().collect())
}
