//! The statements of the NDJSON export and import (`crate::transfer`): the export's snapshot and
//! its cursor over one table at a time, and the import's lock, batches and sequences. A table is
//! described by a [`Table`]: the statements are built from its name, key and left-out columns.

use diesel::sql_types::{BigInt, Jsonb, Text};
use diesel::QueryableByName;
use diesel_async::{AsyncPgConnection, RunQueryDsl, SimpleAsyncConnection};
use serde_json::Value;

/// One table of the export.
#[derive(Debug, Clone, Copy)]
pub struct Table {
    /// The `type` of its lines.
    pub record_type: &'static str,
    /// The table.
    pub name: &'static str,
    /// Its primary key columns.
    pub key: &'static [&'static str],
    /// Columns left out: derived ones (generated), and secrets.
    pub left_out: &'static [&'static str],
}

/// The query giving a table's lines, in key order.
pub fn lines_query(table: &Table, include_key_names: bool) -> String {
    let left_out: Vec<String> = table.left_out.iter().map(|c| format!("'{c}'")).collect();
    let mut record = format!("(to_jsonb(t) - ARRAY[{}]::text[])", left_out.join(", "));
    if table.name == "api_keys" && !include_key_names {
        record = format!("({record} || '{{\"name\": null}}'::jsonb)");
    }
    format!(
        "SELECT jsonb_build_object('type', '{}', 'record', {record})::text AS line FROM {} t ORDER BY {}",
        table.record_type,
        table.name,
        table.key.join(", ")
    )
}

#[derive(QueryableByName)]
struct Line {
    #[diesel(sql_type = Text)]
    line: String,
}

/// Opens an export's read-only, repeatable-read transaction in UTC, whose statements may each run
/// `statement_timeout_ms`. Begun through the transaction manager, so that a pool never hands out
/// a connection an export left inside its snapshot: it counts as broken, and is closed.
pub async fn begin_snapshot(conn: &mut AsyncPgConnection, statement_timeout_ms: u64) -> diesel::QueryResult<()> {
    diesel_async::AnsiTransactionManager::begin_transaction_sql(
        &mut *conn,
        "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
    )
    .await?;
    conn.batch_execute(&format!(
        "SET LOCAL TIME ZONE 'UTC'; SET LOCAL extra_float_digits = 1; SET LOCAL statement_timeout = {statement_timeout_ms}"
    ))
    .await
}

/// Commits an export's snapshot.
pub async fn end_snapshot(conn: &mut AsyncPgConnection) -> diesel::QueryResult<()> {
    <diesel_async::AnsiTransactionManager as diesel_async::TransactionManager<AsyncPgConnection>>::commit_transaction(
        conn,
    )
    .await
}

/// Opens the cursor over a table's lines, in key order.
pub async fn open_lines(
    conn: &mut AsyncPgConnection,
    table: &Table,
    include_key_names: bool,
) -> diesel::QueryResult<()> {
    let query = lines_query(table, include_key_names);
    conn.batch_execute(&format!("DECLARE export_lines NO SCROLL CURSOR FOR {query}"))
        .await
}

/// The next `count` lines of the open cursor (none at its end).
pub async fn fetch_lines(conn: &mut AsyncPgConnection, count: usize) -> diesel::QueryResult<Vec<String>> {
    let lines: Vec<Line> = diesel::sql_query(format!("FETCH {count} FROM export_lines"))
        .load(conn)
        .await?;
    Ok(lines.into_iter().map(|l| l.line).collect())
}

/// Closes the cursor, for the next table's.
pub async fn close_lines(conn: &mut AsyncPgConnection) -> diesel::QueryResult<()> {
    conn.batch_execute("CLOSE export_lines").await
}

#[derive(QueryableByName)]
struct ColumnName {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
}

/// Every column of the schema's tables, as (table, column), in each table's column order.
pub async fn columns(conn: &mut AsyncPgConnection) -> diesel::QueryResult<Vec<(String, String)>> {
    let rows: Vec<ColumnName> = diesel::sql_query(
        "SELECT table_name::text, column_name::text FROM information_schema.columns
          WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position",
    )
    .load(conn)
    .await?;
    Ok(rows.into_iter().map(|r| (r.table_name, r.column_name)).collect())
}

/// Inside an import's transaction: times in UTC, each statement limited to `statement_timeout_ms`
/// (0: no limit), and the tables locked against writes for the transaction.
pub async fn lock_for_import(
    conn: &mut AsyncPgConnection,
    tables: &[&str],
    statement_timeout_ms: u64,
) -> diesel::QueryResult<()> {
    conn.batch_execute(&format!(
        "SET LOCAL TIME ZONE 'UTC'; SET LOCAL statement_timeout = {statement_timeout_ms}; LOCK TABLE {} IN SHARE ROW EXCLUSIVE MODE",
        tables.join(", ")
    ))
    .await
}

/// Moves a table's id sequence past its largest id.
pub async fn advance_sequence(conn: &mut AsyncPgConnection, table: &str) -> diesel::QueryResult<()> {
    diesel::sql_query(format!(
        "SELECT setval(pg_get_serial_sequence('{table}', 'id'), coalesce(max(id), 0) + 1, false) FROM {table}"
    ))
    .execute(conn)
    .await?;
    Ok(())
}

#[derive(QueryableByName)]
struct Ordinal {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

fn key_join(table: &Table) -> String {
    table
        .key
        .iter()
        .map(|k| format!("t.{k} = r.{k}"))
        .collect::<Vec<_>>()
        .join(" AND ")
}

/// The places (from 1) in `rows` (a JSON array of records) of the first 20 whose key is stored
/// already with other values.
pub async fn conflicting(conn: &mut AsyncPgConnection, table: &Table, rows: &Value) -> diesel::QueryResult<Vec<i64>> {
    let left_out: Vec<String> = table
        .left_out
        .iter()
        .map(|c| format!("'{c}'"))
        .chain(["'ordinality'".to_owned()])
        .collect();
    let left_out = format!("ARRAY[{}]::text[]", left_out.join(", "));
    let named = if table.name == "api_keys" {
        // A withheld name compares equal to any stored one.
        "|| jsonb_build_object('name', coalesce(r.name, t.name))"
    } else {
        ""
    };
    let conflicts: Vec<Ordinal> = diesel::sql_query(format!(
        "SELECT r.ordinality AS n
           FROM jsonb_populate_recordset(NULL::{name}, $1) WITH ORDINALITY r
           JOIN {name} t ON {join}
          WHERE (to_jsonb(t) - {left_out}) IS DISTINCT FROM ((to_jsonb(r) - {left_out}) {named})
          ORDER BY r.ordinality LIMIT 20",
        name = table.name,
        join = key_join(table),
    ))
    .bind::<Jsonb, _>(rows)
    .load(conn)
    .await?;
    Ok(conflicts.into_iter().map(|c| c.n).collect())
}

/// Inserts the records of `rows` (a JSON array) whose key is not stored yet, with the given
/// columns; returns how many.
pub async fn insert_missing(
    conn: &mut AsyncPgConnection,
    table: &Table,
    columns: &[String],
    rows: &Value,
) -> diesel::QueryResult<usize> {
    let values: Vec<String> = columns
        .iter()
        .map(|c| match (table.name, c.as_str()) {
            ("api_keys", "name") => "coalesce(r.name, 'key ' || r.id)".to_owned(),
            _ => format!("r.{c}"),
        })
        .collect();
    let (extra_column, extra_value) = if table.name == "api_keys" {
        // The secret never leaves its database: an imported key holds the hash of a random value
        // no one knows, so it cannot sign in.
        (
            ", secret_sha256",
            ", encode(sha256(gen_random_uuid()::text::bytea), 'hex')",
        )
    } else {
        ("", "")
    };
    let identity = if table.key == ["id"] {
        "OVERRIDING SYSTEM VALUE"
    } else {
        ""
    };
    diesel::sql_query(format!(
        "INSERT INTO {name} ({columns}{extra_column}) {identity}
         SELECT {values}{extra_value} FROM jsonb_populate_recordset(NULL::{name}, $1) r
          WHERE NOT EXISTS (SELECT 1 FROM {name} t WHERE {join})",
        name = table.name,
        columns = columns.join(", "),
        values = values.join(", "),
        join = key_join(table),
    ))
    .bind::<Jsonb, _>(rows)
    .execute(conn)
    .await
}
