//! Queries, one module per resource. List queries are keyset-paged: they take the key after which
//! to start and how many rows to fetch, and return rows in key order.

pub mod citations;
pub mod claims;
pub mod commitments;
pub mod competing_values;
pub mod events;
pub mod idempotency;
pub mod keys;
pub mod nations;
pub mod organizations;
pub mod people;
pub mod revisions;
pub mod search;
pub mod sources;
pub mod statements;
pub mod stored;
pub mod summaries;
pub mod transfer;
pub mod writes;

/// Where a page starts and how many rows to fetch (one more than the page holds, so that the
/// caller knows whether another page follows).
#[derive(Debug, Clone, Copy)]
pub struct Window<K> {
    /// The key of the last row of the previous page, if any.
    pub after: Option<K>,
    /// How many rows to fetch.
    pub fetch: i64,
}

/// Rows of `table` whose stored `search_vector` matches `text` in web search syntax (English),
/// the same match as `/v1/search`. A statement holding it is planned for its words on every
/// request, never kept prepared (diesel does not cache a statement with an `sql` literal): how
/// many records a word matches decides the plan. (`/v1/search` on kept, generic plans fell from
/// 256 to 0-8 requests a second at a million commitments.)
pub fn text_matches<QS: 'static>(
    table: &'static str,
    text: &str,
) -> Box<dyn diesel::BoxableExpression<QS, diesel::pg::Pg, SqlType = diesel::sql_types::Bool>> {
    Box::new(
        diesel::dsl::sql::<diesel::sql_types::Bool>(&format!(
            "{table}.search_vector @@ websearch_to_tsquery('english', "
        ))
        .bind::<diesel::sql_types::Text, _>(text.to_owned())
        .sql(")"),
    )
}

/// Whether the database answers: one trivial statement.
pub async fn ping(conn: &mut diesel_async::AsyncPgConnection) -> diesel::QueryResult<()> {
    use diesel_async::RunQueryDsl;
    diesel::sql_query("SELECT 1").execute(conn).await?;
    Ok(())
}
