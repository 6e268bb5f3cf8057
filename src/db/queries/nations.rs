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

/// The nation codes this process has read from the database (empty until the first lookup).
/// Nations come from migrations only and are never removed (facts reference them), so a code read
/// once stays a nation's code.
static KNOWN: std::sync::Mutex<std::collections::BTreeSet<String>> =
    std::sync::Mutex::new(std::collections::BTreeSet::new());

fn known_codes() -> std::sync::MutexGuard<'static, std::collections::BTreeSet<String>> {
    KNOWN.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Which of `codes` are nations' codes. The first lookup reads every code (a few hundred); after
/// that only a code not read before is looked up, so a write that names a nation sends no query
/// for it.
pub async fn known(conn: &mut AsyncPgConnection, codes: &[String]) -> QueryResult<std::collections::HashSet<String>> {
    let (missing, first): (Vec<String>, bool) = {
        let read = known_codes();
        let missing = codes.iter().filter(|c| !read.contains(*c)).cloned().collect();
        (missing, read.is_empty())
    };
    if !missing.is_empty() {
        let mut query = nations::table.select(nations::code).into_boxed();
        if !first {
            query = query.filter(nations::code.eq_any(missing));
        }
        let read: Vec<String> = query.load(conn).await?;
        known_codes().extend(read);
    }
    let read = known_codes();
    Ok(codes.iter().filter(|c| read.contains(*c)).cloned().collect())
}
