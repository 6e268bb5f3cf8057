//! Summaries of many records, read from what the database keeps up to date as the facts change
//! (the tallies, the commitments' ranks, the timeline's entries): a nation's counts and most
//! cited sources, the cells of the divisions matrix, and pages of the timeline. Each reads a
//! number of rows bounded by the page it answers, never by the size of the knowledge base.

use chrono::NaiveDate;
use diesel::sql_types::{Array, BigInt, Bool, Date, Jsonb, Nullable, SmallInt, Text};
use diesel::QueryResult;
use diesel::QueryableByName;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::db::prepared::prepared;
use crate::db::queries::stored;

/// How many live commitments of one nation are of one kind and stand at one status.
#[derive(Debug, Clone, QueryableByName)]
pub struct Tally {
    /// The kind.
    #[diesel(sql_type = Text)]
    pub kind: String,
    /// The current status.
    #[diesel(sql_type = Text)]
    pub status: String,
    /// How many.
    #[diesel(sql_type = BigInt)]
    pub n: i64,
}

/// A nation's live commitments counted by kind and current status, in kind and status order.
pub async fn commitment_counts(conn: &mut AsyncPgConnection, nation: &str) -> QueryResult<Vec<Tally>> {
    prepared(
        diesel::sql_query(
            "SELECT kind, status, n FROM commitment_tallies
          WHERE event_id = 0 AND nation_code = $1 AND n > 0 ORDER BY kind, status",
        )
        .bind::<Text, _>(nation),
    )
    .load(conn)
    .await
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// How many live statements are made for a nation.
pub async fn statement_count(conn: &mut AsyncPgConnection, nation: &str) -> QueryResult<i64> {
    let rows: Vec<Count> =
        prepared(diesel::sql_query("SELECT n FROM statement_tallies WHERE nation_code = $1").bind::<Text, _>(nation))
            .load(conn)
            .await?;
    Ok(rows.into_iter().next().map_or(0, |c| c.n))
}

/// A source behind a nation's facts, with how many of their citations point into it.
#[derive(Debug, Clone, QueryableByName)]
pub struct CitedSource {
    /// The source.
    #[diesel(sql_type = BigInt)]
    pub id: i64,
    /// Its title.
    #[diesel(sql_type = Text)]
    pub title: String,
    /// Its kind.
    #[diesel(sql_type = Text)]
    pub kind: String,
    /// Its publisher.
    #[diesel(sql_type = Nullable<Text>)]
    pub publisher: Option<String>,
    /// Its reliability.
    #[diesel(sql_type = Text)]
    pub reliability: String,
    /// Why.
    #[diesel(sql_type = Nullable<Text>)]
    pub reliability_note: Option<String>,
    /// How many citations of the nation's live commitments, their steps and its live statements.
    #[diesel(sql_type = BigInt)]
    pub citations: i64,
}

/// The sources most cited by a nation's live facts, most cited first, at most `limit`.
pub async fn most_cited_sources(
    conn: &mut AsyncPgConnection,
    nation: &str,
    limit: i64,
) -> QueryResult<Vec<CitedSource>> {
    prepared(
        diesel::sql_query(
            "SELECT s.id, s.title, s.kind, s.publisher, s.reliability, s.reliability_note, t.n AS citations
           FROM source_tallies t JOIN sources s ON s.id = t.source_id
          WHERE t.nation_code = $1 AND t.n > 0
          ORDER BY t.n DESC, t.source_id LIMIT $2",
        )
        .bind::<Text, _>(nation)
        .bind::<BigInt, _>(limit),
    )
    .load(conn)
    .await
}

#[derive(QueryableByName)]
struct Code {
    #[diesel(sql_type = Text)]
    code: String,
}

/// The nations of a page of the divisions matrix, in code order after `after`: those with a live
/// commitment of one of `kinds` (at `event`, if given), and the event's participants.
pub async fn division_nations(
    conn: &mut AsyncPgConnection,
    event: Option<i64>,
    kinds: &[String],
    after: Option<&str>,
    fetch: i64,
) -> QueryResult<Vec<String>> {
    // The nations walked in order, each probed in the tallies' key, until the page is full: a
    // union of the tallies' nations read every row of the event's tallies (17,000 at a million
    // commitments, 6 ms), this reads about one key step per nation listed (0.25 ms). The probes
    // are scalar subqueries: written as `EXISTS (...) OR EXISTS (...)`, PostgreSQL hashed the
    // first one, reading every tally of the kinds at each call (8 ms at 100,000 commitments).
    let query = diesel::sql_query(
        "SELECT n.code FROM nations n
          WHERE n.code > $3
            AND ((SELECT true FROM commitment_tallies t
                   WHERE t.event_id = coalesce($1, 0) AND t.nation_code = n.code AND t.kind = ANY($2) AND t.n > 0
                   LIMIT 1)
                 OR (SELECT true FROM event_participants p WHERE p.event_id = $1 AND p.nation_code = n.code LIMIT 1))
          ORDER BY n.code LIMIT $4",
    )
    .bind::<Nullable<BigInt>, _>(event)
    .bind::<Array<Text>, _>(kinds)
    .bind::<Text, _>(after.unwrap_or(""))
    .bind::<BigInt, _>(fetch);
    let rows: Vec<Code> = prepared(query).load(conn).await?;
    Ok(rows.into_iter().map(|r| r.code).collect())
}

/// One cell of the matrix that holds commitments: its highest rank's status, whether another
/// status shares that rank, and how many live commitments it holds.
#[derive(Debug, Clone, QueryableByName)]
pub struct CellHead {
    /// The nation.
    #[diesel(sql_type = Text)]
    pub nation_code: String,
    /// The kind.
    #[diesel(sql_type = Text)]
    pub kind: String,
    /// The least status (in text order) among the commitments of the highest rank.
    #[diesel(sql_type = Text)]
    pub status: String,
    /// Whether a commitment of that rank stands at another status.
    #[diesel(sql_type = Bool)]
    pub mixed: bool,
    /// How many live commitments the cell holds.
    #[diesel(sql_type = BigInt)]
    pub total: i64,
}

/// The event condition on a commitment `c`, for the cells of one event.
fn event_condition(event: Option<i64>, alias: &str) -> String {
    match event {
        Some(_) => format!(" AND {alias}.event_id = $3"),
        None => String::new(),
    }
}

/// The heads of the cells of `nations` by `kinds` that hold live commitments (at `event`, if
/// given): three index steps each.
pub async fn division_cells(
    conn: &mut AsyncPgConnection,
    event: Option<i64>,
    nations: &[String],
    kinds: &[String],
) -> QueryResult<Vec<CellHead>> {
    let (first, other) = (event_condition(event, "c"), event_condition(event, "o"));
    prepared(
        diesel::sql_query(format!(
            "SELECT n.code AS nation_code, k.kind, f.status,
                EXISTS (SELECT 1 FROM commitments o
                         WHERE o.nation_code = n.code AND o.kind = k.kind AND o.retracted_at IS NULL{other}
                           AND o.cell_rank = f.cell_rank AND o.status > f.status) AS mixed,
                (SELECT coalesce(sum(t.n), 0)::bigint FROM commitment_tallies t
                  WHERE t.event_id = coalesce($3, 0) AND t.nation_code = n.code AND t.kind = k.kind) AS total
           FROM unnest($1::text[]) n(code) CROSS JOIN unnest($2::text[]) k(kind)
          CROSS JOIN LATERAL (
                SELECT c.cell_rank, c.status FROM commitments c
                 WHERE c.nation_code = n.code AND c.kind = k.kind AND c.retracted_at IS NULL{first}
                 ORDER BY c.cell_rank DESC, c.status LIMIT 1) f
          ORDER BY n.code, k.kind"
        ))
        .bind::<Array<Text>, _>(nations)
        .bind::<Array<Text>, _>(kinds)
        .bind::<Nullable<BigInt>, _>(event),
    )
    .load(conn)
    .await
}

/// A commitment shown in a cell.
#[derive(Debug, Clone, QueryableByName)]
pub struct CellEntry {
    /// The cell's nation.
    #[diesel(sql_type = Text)]
    pub nation_code: String,
    /// The cell's kind.
    #[diesel(sql_type = Text)]
    pub kind: String,
    /// The commitment.
    #[diesel(sql_type = BigInt)]
    pub id: i64,
    /// Its status.
    #[diesel(sql_type = Text)]
    pub status: String,
    /// Its status's modality.
    #[diesel(sql_type = Text)]
    pub modality: String,
    /// Its status's date.
    #[diesel(sql_type = Nullable<Date>)]
    pub changed_on: Option<NaiveDate>,
    /// The basis of that date.
    #[diesel(sql_type = Nullable<Jsonb>)]
    pub changed_on_basis: Option<serde_json::Value>,
    /// The basis of its link to the event.
    #[diesel(sql_type = Nullable<Jsonb>)]
    pub event_basis: Option<serde_json::Value>,
    /// Its summary.
    #[diesel(sql_type = Text)]
    pub summary: String,
    /// Its live citations.
    #[diesel(sql_type = Array<BigInt>)]
    pub citation_ids: Vec<i64>,
}

/// The commitments a cell shows: its `per_cell` highest ranked, in rank order, with their
/// current status step and citations.
pub async fn division_entries(
    conn: &mut AsyncPgConnection,
    event: Option<i64>,
    nations: &[String],
    kinds: &[String],
    per_cell: i64,
) -> QueryResult<Vec<CellEntry>> {
    let condition = event_condition(event, "c");
    prepared(
        diesel::sql_query(format!(
            "SELECT n.code AS nation_code, k.kind, c.id, c.status, c.status_modality AS modality,
                c.status_changed_on AS changed_on,
                c.status_changed_on_basis AS changed_on_basis,
                c.basis -> 'event_id' AS event_basis, c.summary,
                c.citation_ids
           FROM unnest($1::text[]) n(code) CROSS JOIN unnest($2::text[]) k(kind)
          CROSS JOIN LATERAL (
                SELECT * FROM commitments c
                 WHERE c.nation_code = n.code AND c.kind = k.kind AND c.retracted_at IS NULL{condition}
                 ORDER BY c.cell_rank DESC, c.status, c.id LIMIT $4) c
          ORDER BY n.code, k.kind, c.cell_rank DESC, c.status, c.id"
        ))
        .bind::<Array<Text>, _>(nations)
        .bind::<Array<Text>, _>(kinds)
        .bind::<Nullable<BigInt>, _>(event)
        .bind::<BigInt, _>(per_cell),
    )
    .load(conn)
    .await
}

/// One entry of the timeline, with what it shows of its record.
#[derive(Debug, Clone, QueryableByName)]
pub struct TimelineRow {
    /// The entry's own id: the cursor's position.
    #[diesel(sql_type = BigInt)]
    pub entry_id: i64,
    /// 0 an event, 1 a status change, 2 a statement.
    #[diesel(sql_type = SmallInt)]
    pub rank: i16,
    /// The record's id.
    #[diesel(sql_type = BigInt)]
    pub id: i64,
    /// Its date, if dated.
    #[diesel(sql_type = Nullable<Date>)]
    pub dated: Option<NaiveDate>,
    /// The nation of a status change or a statement.
    #[diesel(sql_type = Nullable<Text>)]
    pub nation: Option<String>,
    /// An event's title, a statement's summary, a status change's commitment's summary.
    #[diesel(sql_type = Text)]
    pub summary: String,
    /// A status change's commitment.
    #[diesel(sql_type = Nullable<BigInt>)]
    pub commitment_id: Option<i64>,
    /// Its kind.
    #[diesel(sql_type = Nullable<Text>)]
    pub kind: Option<String>,
    /// The status changed to.
    #[diesel(sql_type = Nullable<Text>)]
    pub status: Option<String>,
    /// Its modality.
    #[diesel(sql_type = Nullable<Text>)]
    pub modality: Option<String>,
    /// The basis of the date.
    #[diesel(sql_type = Nullable<Jsonb>)]
    pub date_basis: Option<serde_json::Value>,
    /// For an event in a nation's timeline, the basis of the nation's link to it.
    #[diesel(sql_type = Nullable<Jsonb>)]
    pub link_basis: Option<serde_json::Value>,
}

/// A page of one timeline (`scope`: '' for everyone's, else a nation's code) in date order,
/// after the entry `after` (its id), between two days if given: one walk of the entries' index,
/// then each entry's record looked up by its key in its own table (one index step each, only in
/// the table its rank names).
///
/// The statement is prepared once per connection and keeps one plan: the entries are walked
/// under a constant bound (`fetch` rounded up to a power of two, as list pages are: see
/// [`stored::PAGE_BOUND`]), and the page's `LIMIT` taken from those; planning it for every
/// request cost as much as running it.
pub async fn timeline_page(
    conn: &mut AsyncPgConnection,
    scope: &str,
    since: Option<NaiveDate>,
    until: Option<NaiveDate>,
    after: Option<i64>,
    fetch: i64,
) -> QueryResult<Vec<TimelineRow>> {
    let mut conditions = String::from("t.scope = $1 AND t.visible");
    if since.is_some() {
        conditions.push_str(" AND t.sort_date >= $2 AND t.sort_date < 'infinity'");
    }
    if until.is_some() {
        conditions.push_str(" AND t.sort_date <= $3");
    }
    let (from, position) = if after.is_some() {
        (
            "(SELECT sort_date, rank, record_id FROM timeline_entries WHERE id = $4) k, timeline_entries t",
            " AND (t.sort_date, t.rank, t.record_id) > (k.sort_date, k.rank, k.record_id)",
        )
    } else {
        ("timeline_entries t", "")
    };
    let order = "t.sort_date, t.rank, t.record_id";
    let entries = if let Some(bound) = stored::page_bound(fetch) {
        format!(
            "SELECT t.* FROM (SELECT t.* FROM {from} WHERE {conditions}{position} ORDER BY {order} LIMIT {bound}) t
              ORDER BY {order} LIMIT $5"
        )
    } else {
        format!("SELECT t.* FROM {from} WHERE {conditions}{position} ORDER BY {order} LIMIT $5")
    };
    let query = diesel::sql_query(format!(
        "SELECT t.id AS entry_id, t.rank, t.record_id AS id,
                CASE WHEN t.sort_date = 'infinity' THEN NULL ELSE t.sort_date END AS dated,
                r.nation, r.summary, r.commitment_id, r.kind, r.status, r.modality, r.date_basis,
                t.link_basis
           FROM ({entries}) t
           LEFT JOIN LATERAL (
                SELECT NULL::text AS nation, e.title AS summary, NULL::bigint AS commitment_id,
                       NULL::text AS kind, NULL::text AS status, NULL::text AS modality,
                       e.basis -> 'occurred_on' AS date_basis
                  FROM events e WHERE t.rank = 0 AND e.id = t.record_id
                UNION ALL
                SELECT c.nation_code, c.summary, c.id, c.kind, s.status, s.modality, s.basis -> 'changed_on'
                  FROM commitment_status_changes s JOIN commitments c ON c.id = s.commitment_id
                 WHERE t.rank = 1 AND s.id = t.record_id
                UNION ALL
                SELECT st.nation_code, st.summary, NULL, NULL, NULL, NULL, st.basis -> 'said_on'
                  FROM statements st WHERE t.rank = 2 AND st.id = t.record_id) r ON true
          ORDER BY {order}"
    ))
    .bind::<Text, _>(scope)
    .bind::<Nullable<Date>, _>(since)
    .bind::<Nullable<Date>, _>(until)
    .bind::<BigInt, _>(after.unwrap_or(0))
    .bind::<BigInt, _>(fetch);
    prepared(query).load(conn).await
}
