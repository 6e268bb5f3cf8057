//! API keys.

use diesel::prelude::*;
use diesel::QueryResult;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use super::Window;
use crate::db::models::{ApiKey, NewApiKey};
use crate::schema::api_keys;

/// Stores a new key.
pub async fn create(conn: &mut AsyncPgConnection, key: NewApiKey<'_>) -> QueryResult<ApiKey> {
    diesel::insert_into(api_keys::table)
        .values(key)
        .returning(ApiKey::as_returning())
        .get_result(conn)
        .await
}

/// One key by id.
pub async fn get(conn: &mut AsyncPgConnection, id: i64) -> QueryResult<Option<ApiKey>> {
    api_keys::table
        .find(id)
        .select(ApiKey::as_select())
        .first(conn)
        .await
        .optional()
}

/// A page of keys in id order.
pub async fn list(conn: &mut AsyncPgConnection, window: Window<i64>) -> QueryResult<Vec<ApiKey>> {
    let mut query = api_keys::table
        .select(ApiKey::as_select())
        .order(api_keys::id.asc())
        .into_boxed();
    if let Some(after) = window.after {
        query = query.filter(api_keys::id.gt(after));
    }
    query.limit(window.fetch).load(conn).await
}

/// Revokes a key; returns it, or `None` if there is no such key. Revoking twice keeps the first time.
pub async fn revoke(conn: &mut AsyncPgConnection, id: i64) -> QueryResult<Option<ApiKey>> {
    diesel::update(api_keys::table.find(id))
        .set(api_keys::revoked_at.eq(diesel::dsl::sql::<
            diesel::sql_types::Nullable<diesel::sql_types::Timestamptz>,
        >("coalesce(revoked_at, now())")))
        .returning(ApiKey::as_returning())
        .get_result(conn)
        .await
        .optional()
}
