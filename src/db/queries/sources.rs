//! Sources: the documents facts rest on.

use diesel::prelude::*;
use diesel::QueryResult;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use super::Window;
use crate::db::models::SourceSummary;
use crate::schema::sources;
use crate::vocab::{Reliability, SourceKind};

diesel::define_sql_function! {
    /// Length of a text in Unicode code points.
    fn char_length(text: diesel::sql_types::Text) -> diesel::sql_types::Integer;
}

/// Whether the knowledge base holds any source (one index step, whatever its size): a database
/// without one has not been seeded.
pub async fn any(conn: &mut AsyncPgConnection) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(sources::table.select(sources::id)))
        .get_result(conn)
        .await
}

/// Which sources a list shows.
#[derive(Debug, Default, Clone)]
pub struct SourceFilter {
    /// Only those matching these words (web search syntax, as `/v1/search`).
    pub text: Option<String>,
    /// Only sources of this kind.
    pub kind: Option<SourceKind>,
    /// Only sources of this reliability.
    pub reliability: Option<Reliability>,
    /// Also records that have been retracted.
    pub include_retracted: bool,
}

/// A page of sources in id order, without their texts, each with its length in code points.
pub async fn list(
    conn: &mut AsyncPgConnection,
    filter: &SourceFilter,
    window: Window<i64>,
) -> QueryResult<Vec<(SourceSummary, i32)>> {
    let mut query = sources::table
        .select((SourceSummary::as_select(), char_length(sources::text)))
        .order(sources::id.asc())
        .into_boxed();
    if let Some(kind) = filter.kind {
        query = query.filter(sources::kind.eq(kind));
    }
    if let Some(reliability) = filter.reliability {
        query = query.filter(sources::reliability.eq(reliability));
    }
    if let Some(text) = &filter.text {
        query = query.filter(super::text_matches("sources", text));
    }
    if !filter.include_retracted {
        query = query.filter(sources::retracted_at.is_null());
    }
    if let Some(after) = window.after {
        query = query.filter(sources::id.gt(after));
    }
    query.limit(window.fetch).load(conn).await
}

/// One source by id, with its length in code points and its full text.
pub async fn get(conn: &mut AsyncPgConnection, id: i64) -> QueryResult<Option<(SourceSummary, i32, String)>> {
    sources::table
        .find(id)
        .select((SourceSummary::as_select(), char_length(sources::text), sources::text))
        .first(conn)
        .await
        .optional()
}

/// The sources with the given ids, retracted ones included, each with its length and text.
pub async fn by_ids(conn: &mut AsyncPgConnection, ids: &[i64]) -> QueryResult<Vec<(SourceSummary, i32, String)>> {
    sources::table
        .filter(sources::id.eq_any(ids))
        .order(sources::id.asc())
        .select((SourceSummary::as_select(), char_length(sources::text), sources::text))
        .load(conn)
        .await
}

/// The id of the source with exactly this text, if there is one.
pub async fn find_by_text(conn: &mut AsyncPgConnection, text: &str) -> QueryResult<Option<i64>> {
    sources::table
        .filter(
            sources::sha256.eq(diesel::dsl::sql::<diesel::sql_types::Text>("utf8_sha256(")
                .bind::<diesel::sql_types::Text, _>(text)
                .sql(")")),
        )
        .select(sources::id)
        .first(conn)
        .await
        .optional()
}

/// The texts of the live sources among `ids`, by id.
pub async fn live_texts(
    conn: &mut AsyncPgConnection,
    ids: &[i64],
) -> QueryResult<std::collections::HashMap<i64, String>> {
    let rows: Vec<(i64, String)> = sources::table
        .filter(sources::id.eq_any(ids))
        .filter(sources::retracted_at.is_null())
        .select((sources::id, sources::text))
        .load(conn)
        .await?;
    Ok(rows.into_iter().collect())
}
