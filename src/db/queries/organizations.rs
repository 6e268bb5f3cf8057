//! Organizations and their members.

use diesel::prelude::*;
use diesel::QueryResult;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use super::Window;
use crate::db::models::{Membership, Organization};
use crate::schema::{memberships, organizations};

/// A page of organizations in id order.
pub async fn list(conn: &mut AsyncPgConnection, window: Window<i64>) -> QueryResult<Vec<Organization>> {
    let mut query = organizations::table
        .select(Organization::as_select())
        .order(organizations::id.asc())
        .into_boxed();
    if let Some(after) = window.after {
        query = query.filter(organizations::id.gt(after));
    }
    query.limit(window.fetch).load(conn).await
}

/// The memberships of the given organizations, in one query.
pub async fn members(conn: &mut AsyncPgConnection, ids: &[i64]) -> QueryResult<Vec<Membership>> {
    memberships::table
        .filter(memberships::organization_id.eq_any(ids))
        .order((memberships::organization_id.asc(), memberships::nation_code.asc()))
        .select(Membership::as_select())
        .load(conn)
        .await
}
