//! Statements written as SQL text that are still prepared once per connection.
//!
//! Diesel never caches a `sql_query`: its text may be built anew for each call, so every call is
//! parsed and planned again. Nor an insert whose text depends on which optional fields are given
//! (`DEFAULT` in place of each one missing). A statement whose text is one of a few fixed shapes (its values all
//! bound, never written into it) can be kept like the query builder's statements are: wrapped in
//! [`Prepared`], it is prepared on the first call and executed by name afterwards, and
//! PostgreSQL may keep one plan for it. (Through a pooler in transaction mode, no statement is
//! cached at all: `db::connect` turns the cache off there.)

use diesel::pg::Pg;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::QueryResult;

/// A statement of fixed text, cached on its connection by its text and the types of its values.
#[derive(Debug, Clone)]
pub struct Prepared<Q>(Q);

/// `query` prepared once per connection. Its text must be one of a bounded number of shapes:
/// every value bound, none written into the text.
pub fn prepared<Q>(query: Q) -> Prepared<Q> {
    Prepared(query)
}

impl<Q: QueryFragment<Pg>> QueryFragment<Pg> for Prepared<Q> {
    fn walk_ast<'b>(&'b self, pass: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        self.0.walk_ast(pass)
    }

    fn is_safe_to_cache_prepared(&self, _backend: &Pg) -> QueryResult<bool> {
        Ok(true)
    }
}

impl<Q> QueryId for Prepared<Q> {
    type QueryId = ();
    // Not known from the type: the cache keys the statement by its text instead.
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<Q: Query> Query for Prepared<Q> {
    type SqlType = Q::SqlType;
}
