//! The stored representations of records. Every write stores the API representation of each
//! record it changed as a revision (`revisions`); the current one of a record is the revision
//! whose interval is still open (`valid_until IS NULL`), the one it had at a moment the revision
//! whose interval holds that moment. Reads answer from here: one index step for a record, one
//! index walk for a page, whatever the size of the knowledge base.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Jsonb, Nullable, Text, Timestamptz};

use crate::db::prepared::prepared;
use crate::schema::revisions;
use diesel::QueryResult;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

diesel::define_sql_function! {
    /// A stored representation as the JSON text a read answers.
    fn revision_body(r: diesel::sql_types::Json) -> Text;
}

/// A record as stored: its version and its representation, as JSON text.
#[derive(Debug, Clone, Queryable)]
pub struct Stored {
    /// The record's version (the number of its revision).
    pub version: i32,
    /// Why it was retracted, when it is; null while it is live.
    pub retraction: Option<String>,
    /// The representation, as JSON text.
    pub body: String,
}

// The reads below are built with the query builder, without literal SQL, so that each is the
// same statement every time and stays prepared on its connection: one round trip each.

/// The current representation of a record of `entity` (a table name), if it exists.
pub async fn current(conn: &mut AsyncPgConnection, entity: &str, id: i64) -> QueryResult<Option<Stored>> {
    revisions::table
        .filter(revisions::entity.eq(entity))
        .filter(revisions::record_id.eq(id))
        .filter(revisions::valid_until.is_null())
        .select((
            revisions::version,
            revisions::retraction,
            revision_body(revisions::after),
        ))
        .first(conn)
        .await
        .optional()
}

/// The representation a record had at a moment, if it existed then.
pub async fn at(conn: &mut AsyncPgConnection, entity: &str, id: i64, at: DateTime<Utc>) -> QueryResult<Option<Stored>> {
    revisions::table
        .filter(revisions::entity.eq(entity))
        .filter(revisions::record_id.eq(id))
        .filter(revisions::changed_at.le(at))
        .order(revisions::version.desc())
        .select((
            revisions::version,
            revisions::retraction,
            revision_body(revisions::after),
        ))
        .first(conn)
        .await
        .optional()
}

/// The current version of a record, if it exists (an index-only step).
pub async fn current_version(conn: &mut AsyncPgConnection, entity: &str, id: i64) -> QueryResult<Option<i32>> {
    revisions::table
        .filter(revisions::entity.eq(entity))
        .filter(revisions::record_id.eq(id))
        .filter(revisions::valid_until.is_null())
        .select(revisions::version)
        .first(conn)
        .await
        .optional()
}

/// A record's id and its representation, as JSON text.
#[derive(Debug, Clone, QueryableByName)]
pub struct StoredRow {
    /// The record's id.
    #[diesel(sql_type = BigInt)]
    pub record_id: i64,
    /// Its representation.
    #[diesel(sql_type = Text)]
    pub body: String,
}

/// The current representations of the given records, in id order.
pub async fn current_many(conn: &mut AsyncPgConnection, entity: &str, ids: &[i64]) -> QueryResult<Vec<StoredRow>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    diesel::sql_query(
        "SELECT record_id, after::text AS body FROM revisions
          WHERE entity = $1 AND record_id = ANY($2) AND valid_until IS NULL ORDER BY record_id",
    )
    .bind::<Text, _>(entity)
    .bind::<diesel::sql_types::Array<BigInt>, _>(ids)
    .load(conn)
    .await
}

/// The largest constant bound a page's ids are walked under (see [`PageOfIds`]): it holds the
/// API's largest page (500, and a stream's pages) and the one row that tells whether another
/// follows. A larger fetch is still answered whole, in the plain shape.
pub const PAGE_BOUND: i64 = 512;

/// The constant bound a page of `fetch` rows is walked under (`fetch` rounded up to a power of
/// two), or `None` past [`PAGE_BOUND`], where a page is read whole in the plain shape.
pub fn page_bound(fetch: i64) -> Option<u64> {
    (1..=PAGE_BOUND)
        .contains(&fetch)
        .then(|| fetch.unsigned_abs().next_power_of_two())
}

/// `revisions.record_id = ANY(the first `fetch` ids of a query in id order)`, written so that
/// PostgreSQL keeps one plan for it: the ids are walked under a constant bound (`fetch` rounded up
/// to a power of two: `LIMIT 64` for a page of 50), and the page's `LIMIT $n` is taken from those.
/// With `LIMIT $n` alone a generic plan is costed for a tenth of the matching rows; once a filter
/// matches more than ten pages' worth the custom plan looks cheaper, and the statement was planned
/// anew on every request (statements by nation: 2,200 to 2,400 req/s at a million against 3,200
/// at 100,000, the same plan executed; 3,300 to 3,400 in this shape). A bound near the page keeps
/// the walk in id order on the index that gives it. The query must give ids in ascending order,
/// without a limit of its own.
#[derive(Debug, Clone)]
pub struct PageOfIds<Q> {
    ids: Q,
    fetch: i64,
}

impl<Q> PageOfIds<Q> {
    /// The first `fetch` ids of `ids`.
    pub fn new(ids: Q, fetch: i64) -> Self {
        PageOfIds { ids, fetch }
    }
}

impl<Q> diesel::Expression for PageOfIds<Q> {
    type SqlType = diesel::sql_types::Bool;
}

impl<Q> diesel::expression::ValidGrouping<()> for PageOfIds<Q> {
    type IsAggregate = diesel::expression::is_aggregate::Never;
}

impl<Q> diesel::AppearsOnTable<revisions::table> for PageOfIds<Q> {}

impl<Q> diesel::query_builder::QueryId for PageOfIds<Q> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<Q> diesel::query_builder::QueryFragment<diesel::pg::Pg> for PageOfIds<Q>
where
    Q: diesel::query_builder::QueryFragment<diesel::pg::Pg>,
{
    fn walk_ast<'b>(&'b self, mut out: diesel::query_builder::AstPass<'_, 'b, diesel::pg::Pg>) -> QueryResult<()> {
        out.push_sql("\"revisions\".\"record_id\" = ANY(");
        if let Some(bound) = page_bound(self.fetch) {
            out.push_sql("SELECT page.id FROM (");
            self.ids.walk_ast(out.reborrow())?;
            out.push_sql(&format!(" LIMIT {bound}) AS page ORDER BY page.id LIMIT "));
        } else {
            self.ids.walk_ast(out.reborrow())?;
            out.push_sql(" LIMIT ");
        }
        out.push_bind_param::<BigInt, _>(&self.fetch)?;
        out.push_sql(")");
        Ok(())
    }
}

/// The current representations of a page of records, in id order, in one statement: `$ids` is
/// the page's query on the records' own table (filters, ascending id order, selecting the id;
/// no limit), of which the first `$fetch` ids are looked up in the revisions, one index step
/// each (see [`PageOfIds`]).
macro_rules! current_of_page {
    ($entity:expr, $ids:expr, $fetch:expr, $conn:expr) => {{
        let rows: Vec<(i64, String)> = $crate::schema::revisions::table
            .filter($crate::schema::revisions::entity.eq($entity))
            .filter($crate::schema::revisions::valid_until.is_null())
            .filter($crate::db::queries::stored::PageOfIds::new($ids, $fetch))
            .order($crate::schema::revisions::record_id.asc())
            .select((
                $crate::schema::revisions::record_id,
                $crate::db::queries::stored::body_column(),
            ))
            .load($conn)
            .await?;
        Ok(rows
            .into_iter()
            .map(|(record_id, body)| $crate::db::queries::stored::StoredRow { record_id, body })
            .collect())
    }};
}
pub(crate) use current_of_page;

/// The JSON text of a stored representation, in a list query joined to `revisions`.
pub fn body_column() -> revision_body<crate::schema::revisions::after> {
    revision_body(revisions::after)
}

/// Which records of an `as_of` list, besides the moment.
#[derive(Debug, Clone)]
pub struct AsOfFilter<'a> {
    /// The table of the records.
    pub entity: &'a str,
    /// The moment.
    pub at: DateTime<Utc>,
    /// Whether records retracted by then are listed.
    pub include_retracted: bool,
    /// Fields the records must hold, as JSON each must contain (`@>`); `{}` for none.
    pub contains: serde_json::Value,
    /// Fields the records must hold one of several values of: an object of field names (of
    /// the code's, never the request's) to arrays of the values as text; `{}` for none.
    pub any_of: serde_json::Value,
    /// A date field and its inclusive bounds (ISO dates).
    pub date_range: Option<(&'a str, Option<String>, Option<String>)>,
    /// Words the record, as it then read, must match (web search syntax).
    pub text: Option<String>,
    /// A field the history keeps but the list leaves out (a source's text).
    pub drop_field: Option<&'a str>,
}

/// A page of records as they were at a moment, in id order: the revisions whose interval holds
/// the moment, walked in record order along the (entity, record_id, version) index. Only the
/// conditions asked for are written into the statement, so that each plan fits its question.
/// Words (`text`) match a closed revision's own search vector, and a current one's through its
/// record's table, which holds the same words.
pub async fn as_of_page(
    conn: &mut AsyncPgConnection,
    filter: &AsOfFilter<'_>,
    after: Option<i64>,
    fetch: i64,
) -> QueryResult<Vec<StoredRow>> {
    let body = match filter.drop_field {
        Some(_) => "(r.after::jsonb - $9)::text",
        None => "r.after::text",
    };
    let mut conditions = String::from(
        "r.entity = $1 AND r.changed_at <= $2 AND (r.valid_until IS NULL OR r.valid_until > $2) AND r.record_id > $3",
    );
    if !filter.include_retracted {
        conditions.push_str(" AND r.retraction IS NULL");
    }
    // A nation is matched through the index of nations' revisions; the other fields by
    // containment.
    let mut contains = filter.contains.clone();
    let nation = contains
        .as_object_mut()
        .and_then(|o| o.remove("nation"))
        .and_then(|n| n.as_str().map(str::to_owned));
    if nation.is_some() {
        conditions.push_str(" AND r.nation = $11");
    }
    if contains.as_object().is_some_and(|o| !o.is_empty()) {
        conditions.push_str(" AND r.after::jsonb @> $4");
    }
    for field in filter.any_of.as_object().into_iter().flat_map(|o| o.keys()) {
        if !field.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') {
            return Err(diesel::result::Error::QueryBuilderError(
                format!("`{field}` is not a field of a stored representation").into(),
            ));
        }
        let column = if field == "nation" {
            "r.nation".to_owned()
        } else {
            format!("(r.after ->> '{field}')")
        };
        conditions.push_str(&format!(
            " AND {column} = ANY(ARRAY(SELECT jsonb_array_elements_text($12 -> '{field}')))"
        ));
    }
    let (field, since, until) = filter.date_range.clone().unwrap_or(("", None, None));
    if since.is_some() {
        conditions.push_str(" AND r.after ->> $5 >= $6");
    }
    if until.is_some() {
        conditions.push_str(" AND r.after ->> $5 <= $7");
    }
    let sql = if filter.text.is_some() {
        // The table is one of a fixed list (the searchable records), never from the request.
        let table = filter.entity;
        format!(
            "SELECT * FROM (
                 SELECT r.record_id, {body} AS body FROM revisions r
                  WHERE {conditions} AND r.valid_until IS NOT NULL
                    AND r.search_vector @@ websearch_to_tsquery('english', $8)
                 UNION ALL
                 SELECT r.record_id, {body} FROM revisions r JOIN {table} t ON t.id = r.record_id
                  WHERE {conditions} AND r.valid_until IS NULL
                    AND t.search_vector @@ websearch_to_tsquery('english', $8)) found
              ORDER BY record_id LIMIT $10"
        )
    } else {
        format!("SELECT r.record_id, {body} AS body FROM revisions r WHERE {conditions} ORDER BY r.record_id LIMIT $10")
    };
    let query = diesel::sql_query(sql)
        .bind::<Text, _>(filter.entity)
        .bind::<Timestamptz, _>(filter.at)
        .bind::<BigInt, _>(after.unwrap_or(i64::MIN))
        .bind::<Jsonb, _>(&contains)
        .bind::<Text, _>(field)
        .bind::<Nullable<Text>, _>(since)
        .bind::<Nullable<Text>, _>(until)
        .bind::<Nullable<Text>, _>(filter.text.as_deref())
        .bind::<Text, _>(filter.drop_field.unwrap_or(""))
        .bind::<BigInt, _>(fetch)
        .bind::<Nullable<Text>, _>(nation)
        .bind::<Jsonb, _>(&filter.any_of);
    if filter.text.is_some() {
        // Planned for its words each time, as every match of words is (`text_matches`, search):
        // how many records a word matches decides the plan, and a plan kept for one word can
        // be wrong for the next.
        query.load(conn).await
    } else {
        // Prepared once per connection: the text is one of a bounded number of shapes (which of
        // the handlers' conditions are asked for; the fields named in it are the handlers' own,
        // never the request's), every value bound.
        prepared(query).load(conn).await
    }
}

/// Which state of the knowledge base this session's next statement sees: how many writing
/// transactions have committed (`changes`, each counted in one of its slots as it commits). A
/// later snapshot sees every write an earlier one saw, so two reads that see the same count see
/// the same data, and derived answers are tagged with it; it reads one page of 64 rows.
pub async fn visible_state(conn: &mut AsyncPgConnection) -> QueryResult<i64> {
    prepared(diesel::sql_query(STATE_SQL))
        .get_result::<Count>(conn)
        .await
        .map(|c| c.n)
}

/// The statement that reads the state: the sum of the slots of `changes`.
pub const STATE_SQL: &str = "SELECT sum(n)::bigint AS n FROM changes";

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// Counts a write that stored revisions without the database counting it (a bulk load with its
/// triggers off), in its transaction's slot, as the trigger would.
pub async fn count_change(conn: &mut AsyncPgConnection) -> QueryResult<()> {
    diesel::sql_query("UPDATE changes SET n = n + 1 WHERE slot = txid_current() % 64")
        .execute(conn)
        .await?;
    Ok(())
}

#[derive(QueryableByName)]
struct Id {
    #[diesel(sql_type = BigInt)]
    id: i64,
}

/// The ids of the records of `table` (one of the tables with a history) after `after`, at most
/// `limit`, in order.
pub async fn ids_after(
    conn: &mut AsyncPgConnection,
    table: &'static str,
    after: i64,
    limit: i64,
) -> QueryResult<Vec<i64>> {
    let rows: Vec<Id> = diesel::sql_query(format!("SELECT id FROM {table} WHERE id > $1 ORDER BY id LIMIT $2"))
        .bind::<BigInt, _>(after)
        .bind::<BigInt, _>(limit)
        .load(conn)
        .await?;
    Ok(rows.into_iter().map(|r| r.id).collect())
}

#[derive(QueryableByName)]
struct Value {
    #[diesel(sql_type = Text)]
    value: String,
}

/// A value the database keeps about itself (`kb_meta`).
pub async fn meta(conn: &mut AsyncPgConnection, key: &str) -> QueryResult<Option<String>> {
    let rows: Vec<Value> = diesel::sql_query("SELECT value FROM kb_meta WHERE key = $1")
        .bind::<Text, _>(key)
        .load(conn)
        .await?;
    Ok(rows.into_iter().next().map(|r| r.value))
}

/// Sets a value the database keeps about itself.
pub async fn set_meta(conn: &mut AsyncPgConnection, key: &str, value: &str) -> QueryResult<()> {
    diesel::sql_query(
        "INSERT INTO kb_meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    )
    .bind::<Text, _>(key)
    .bind::<Text, _>(value)
    .execute(conn)
    .await?;
    Ok(())
}

/// Locks the live record `id` of `table` for the rest of the transaction; false when there is
/// no such live record. `table` is one of the schema's, never a request's text.
pub async fn lock_live(conn: &mut AsyncPgConnection, table: &'static str, id: i64) -> QueryResult<bool> {
    let locked: Option<Id> = diesel::sql_query(format!(
        "SELECT id FROM {table} WHERE id = $1 AND retracted_at IS NULL FOR UPDATE"
    ))
    .bind::<BigInt, _>(id)
    .get_result(conn)
    .await
    .optional()?;
    Ok(locked.is_some())
}

/// Which of `ids` are live records of `table` (one of the schema's).
pub async fn live_ids(
    conn: &mut AsyncPgConnection,
    table: &'static str,
    ids: &[i64],
) -> QueryResult<std::collections::HashSet<i64>> {
    let found: Vec<Id> = diesel::sql_query(format!(
        "SELECT id FROM {table} WHERE id = ANY($1) AND retracted_at IS NULL"
    ))
    .bind::<diesel::sql_types::Array<BigInt>, _>(ids)
    .load(conn)
    .await?;
    Ok(found.into_iter().map(|f| f.id).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::statements;

    fn sql_of(fetch: i64) -> String {
        let ids = statements::table
            .select(statements::id)
            .order(statements::id.asc())
            .into_boxed::<diesel::pg::Pg>();
        let query = revisions::table
            .filter(PageOfIds::new(ids, fetch))
            .select(revisions::record_id);
        diesel::debug_query::<diesel::pg::Pg, _>(&query).to_string()
    }

    #[test]
    fn a_page_is_walked_under_a_constant_bound_and_a_larger_fetch_whole() {
        for (fetch, bound) in [(1, 1), (51, 64), (64, 64), (501, 512), (PAGE_BOUND, 512)] {
            let page = sql_of(fetch);
            assert!(
                page.contains(&format!(
                    "ORDER BY \"statements\".\"id\" ASC LIMIT {bound}) AS page ORDER BY page.id LIMIT $1"
                )),
                "{fetch}: {page}"
            );
        }
        let larger = sql_of(PAGE_BOUND + 1);
        assert!(!larger.contains("AS page"), "{larger}");
        assert!(
            larger.contains("ORDER BY \"statements\".\"id\" ASC LIMIT $1)"),
            "{larger}"
        );
    }
}
