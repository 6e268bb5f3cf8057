//! Full-text search across statements, commitments, claims, events and sources: each table's part
//! matched through its GIN index and bounded, the parts ranked together, snippets cut for the page.

use chrono::NaiveDate;
use diesel::sql_types::{Array, BigInt, Date, Float4, Nullable, Text};
use diesel::QueryResult;
use diesel::QueryableByName;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

/// What a search looks for, and the filters it takes (each `None` for no filter).
#[derive(Debug, Clone, Default)]
pub struct SearchFilter {
    /// The words, in web search syntax.
    pub text: String,
    /// Only these types of record (`statement`, `commitment`, ...).
    pub types: Option<Vec<&'static str>>,
    /// Only records of these nations.
    pub nations: Option<Vec<String>>,
    /// Only records of these kinds.
    pub kinds: Option<Vec<String>>,
    /// Only commitments at these statuses.
    pub statuses: Option<Vec<&'static str>>,
    /// Only records dated on or after this day.
    pub since: Option<NaiveDate>,
    /// Only records dated on or before this day.
    pub until: Option<NaiveDate>,
}

/// A record a search found.
#[derive(Debug, QueryableByName)]
pub struct Found {
    /// Its type: `statement`, `commitment`, `claim`, `event` or `source`.
    #[diesel(sql_type = Text)]
    pub result_type: String,
    /// Its id.
    #[diesel(sql_type = BigInt)]
    pub id: i64,
    /// How well it matches.
    #[diesel(sql_type = Float4)]
    pub rank: f32,
    /// The matching passage, the words marked.
    #[diesel(sql_type = Text)]
    pub snippet: String,
    /// The nations it concerns.
    #[diesel(sql_type = Array<Text>)]
    pub nations: Vec<String>,
}

/// How many matches of each kind of record a search ranks, at most: ranking every match of a
/// common word would cost more the larger the knowledge base, so a search ranks the most recent
/// this many of each kind (the newest records first, a walk back along the key that stops there),
/// and says so. Filters narrow what is ranked. (2,000 in any order cost 22 ms at a million
/// commitments for a word in one of ten; 500 of the newest, 6 ms.)
pub const RANKED_PER_KIND: i64 = 500;

/// One searchable kind of record: its type and table, and the expressions (over its table) the
/// filters read, the snippet is cut from, and the nations a hit names.
struct Kind {
    name: &'static str,
    table: &'static str,
    nation: &'static str,
    kind: &'static str,
    status: &'static str,
    dated: &'static str,
    body: &'static str,
    nations: &'static str,
}

/// Every searchable kind of record.
const KINDS: [Kind; 5] = [
    Kind {
        name: "commitment",
        table: "commitments",
        nation: "nation_code",
        kind: "kind",
        status: "status",
        dated: "announced_on",
        body: "summary || ' ' || coalesce(conditions, '')",
        nations: "ARRAY[nation_code]",
    },
    Kind {
        name: "statement",
        table: "statements",
        nation: "nation_code",
        kind: "NULL",
        status: "NULL",
        dated: "said_on",
        body: "coalesce(quote || ': ', '') || summary",
        nations: "array_remove(ARRAY[nation_code], NULL)",
    },
    Kind {
        name: "claim",
        table: "claims",
        nation: "claimed_by",
        kind: "kind",
        status: "NULL",
        dated: "reported_on",
        body: "description || ' ' || coalesce(location, '')",
        nations: "array_remove(ARRAY[claimed_by], NULL)",
    },
    Kind {
        name: "event",
        table: "events",
        nation: "NULL",
        kind: "kind",
        status: "NULL",
        dated: "occurred_on",
        body: "title || '. ' || coalesce(description, '')",
        nations: "ARRAY(SELECT p.nation_code FROM event_participants p WHERE p.event_id = events.id ORDER BY 1)",
    },
    Kind {
        name: "source",
        table: "sources",
        nation: "NULL",
        kind: "kind",
        status: "NULL",
        dated: "published_on",
        body: "title || '. ' || text",
        nations: "'{}'::text[]",
    },
];

/// Ranks below this are the noise of a match on nothing but the words a search leaves out
/// (`troops -refused`): they are not returned.
pub const LEAST_RANK: f32 = 1e-6;

/// The matches of one kind of record, filtered, the newest [`RANKED_PER_KIND`] of them: for a
/// common word a walk back along the key that stops there, for a rare one its search index.
fn matches_of(kind: &Kind) -> String {
    let Kind {
        name,
        table,
        nation,
        kind: kind_column,
        status,
        dated,
        body,
        nations,
    } = kind;
    format!(
        "(SELECT '{name}' AS result_type, id, ts_rank(search_vector, websearch_to_tsquery('english', $1)) AS rank, {body} AS body,
                {nations} AS nations
            FROM {table}
           WHERE retracted_at IS NULL AND search_vector @@ websearch_to_tsquery('english', $1)
             AND ($2::text[] IS NULL OR '{name}' = ANY($2))
             AND ($3::text[] IS NULL OR {nation} = ANY($3))
             AND ($4::text[] IS NULL OR {kind_column} = ANY($4))
             AND ($5::text[] IS NULL OR {status} = ANY($5))
             AND ($6::date IS NULL OR {dated} >= $6)
             AND ($7::date IS NULL OR {dated} <= $7)
           ORDER BY id DESC LIMIT $10)"
    )
}

/// The records matching `filter`, best first, from `offset` on, at most `fetch`, each with its
/// snippet.
pub async fn ranked(
    conn: &mut AsyncPgConnection,
    filter: &SearchFilter,
    offset: i64,
    fetch: i64,
) -> QueryResult<Vec<Found>> {
    let union = KINDS
        .into_iter()
        .map(|kind| matches_of(&kind))
        .collect::<Vec<_>>()
        .join(" UNION ALL ");
    diesel::sql_query(format!(
        // The tsquery is written where it is used, inside each table's part: so PostgreSQL
        // matches through each table's GIN index, and each part stops at its bound.
        "WITH found AS (
            SELECT r.result_type, r.id, r.rank, r.body, r.nations FROM ({union}) r
             WHERE r.rank >= $11
             ORDER BY r.rank DESC, r.result_type, r.id
             OFFSET $8 LIMIT $9)
         SELECT found.result_type, found.id, found.rank, found.nations,
                ts_headline('english', found.body, websearch_to_tsquery('english', $1), 'StartSel=<mark>, StopSel=</mark>, MaxWords=30, MinWords=10') AS snippet
           FROM found
          ORDER BY found.rank DESC, found.result_type, found.id"
    ))
    .bind::<Text, _>(&filter.text)
    .bind::<Nullable<Array<Text>>, _>(filter.types.as_deref())
    .bind::<Nullable<Array<Text>>, _>(filter.nations.as_deref())
    .bind::<Nullable<Array<Text>>, _>(filter.kinds.as_deref())
    .bind::<Nullable<Array<Text>>, _>(filter.statuses.as_deref())
    .bind::<Nullable<Date>, _>(filter.since)
    .bind::<Nullable<Date>, _>(filter.until)
    .bind::<BigInt, _>(offset)
    .bind::<BigInt, _>(fetch)
    .bind::<BigInt, _>(RANKED_PER_KIND)
    .bind::<Float4, _>(LEAST_RANK)
    .load(conn)
    .await
}
