//! Export and import of the whole knowledge base as NDJSON: one record per line,
//! `{"type": "<type>", "record": {<every stored field>}}`, table after table in dependency order,
//! rows in key order, read in one snapshot. Importing such a file into an empty knowledge base and
//! exporting again gives the same bytes.
//!
//! Import loads a file in one transaction. Every line is checked first (JSON, a known type, exactly
//! the fields an export writes), then rows are inserted in batches under the database's own rules:
//! vocabularies, references, citation excerpts that must equal their source's span, and a citation
//! behind every fact, checked at commit. A record whose key is already stored unchanged is left as
//! it is, so that a file can be loaded twice; one stored with other values is a conflict, and
//! nothing is written.
//!
//! Keys come across by id, name and role, never by secret: an imported key is part of the history
//! (who made each change) and cannot sign in. Without `include_key_names`, names are withheld
//! (null), and an import names such a key `key <id>`.

use std::collections::BTreeMap;

use diesel_async::{AsyncConnection, AsyncPgConnection};

use crate::db::queries::transfer as queries;
use serde_json::{Map, Value};

pub use crate::db::queries::transfer::Table;

/// The tables exported, in the order their rows are written and loaded (referenced ones first).
/// Nations are reference data created by the migrations; idempotency records are a cache.
pub const TABLES: &[Table] = &[
    Table {
        record_type: "key",
        name: "api_keys",
        key: &["id"],
        left_out: &["secret_sha256"],
    },
    Table {
        record_type: "organization",
        name: "organizations",
        key: &["id"],
        left_out: &[],
    },
    Table {
        record_type: "membership",
        name: "memberships",
        key: &["organization_id", "nation_code"],
        left_out: &[],
    },
    Table {
        record_type: "person",
        name: "people",
        key: &["id"],
        left_out: &[],
    },
    Table {
        record_type: "source",
        name: "sources",
        key: &["id"],
        left_out: &["sha256", "search_vector"],
    },
    Table {
        record_type: "event",
        name: "events",
        key: &["id"],
        left_out: &["search_vector", "inferred", "disputed"],
    },
    Table {
        record_type: "participant",
        name: "event_participants",
        key: &["event_id", "nation_code"],
        left_out: &[],
    },
    Table {
        record_type: "commitment",
        name: "commitments",
        key: &["id"],
        left_out: &[
            "search_vector",
            "inferred",
            "steps_inferred",
            "disputed",
            "status_modality",
            "status_changed_on",
            "cell_rank",
            "status_changed_on_basis",
            "citation_ids",
        ],
    },
    Table {
        record_type: "status_change",
        name: "commitment_status_changes",
        key: &["id"],
        left_out: &["inferred"],
    },
    Table {
        record_type: "statement",
        name: "statements",
        key: &["id"],
        left_out: &["search_vector", "inferred", "disputed"],
    },
    Table {
        record_type: "claim",
        name: "claims",
        key: &["id"],
        left_out: &["search_vector", "inferred", "disputed"],
    },
    Table {
        record_type: "competing_value",
        name: "competing_values",
        key: &["id"],
        left_out: &[],
    },
    Table {
        record_type: "citation",
        name: "citations",
        key: &["id"],
        left_out: &[],
    },
    Table {
        record_type: "revision",
        name: "revisions",
        key: &["id"],
        left_out: &["valid_until", "search_vector", "nation", "retraction"],
    },
    Table {
        record_type: "seed_record",
        name: "seed_records",
        key: &["key"],
        left_out: &[],
    },
];

/// Tables of the schema that are not exported: reference data the migrations create (nations and their names), a
/// cache (idempotency records), the migrations' own record, and what the database derives from
/// the facts as they are loaded (the representations' shape, the count of changes, tallies, the
/// timeline's entries).
/// Columns the database derives (flags, ranks, intervals, search vectors) are left out of their
/// tables' lines for the same reason.
pub const NOT_EXPORTED: &[&str] = &[
    "nations",
    "nation_names",
    "idempotency_keys",
    "__diesel_schema_migrations",
    "kb_meta",
    "changes",
    "commitment_tallies",
    "statement_tallies",
    "source_tallies",
    "tally_deltas",
    "timeline_entries",
];

/// How many rows a query of an export or an import reads or writes at once.
const BATCH: usize = 1000;

/// The bytes an export aims to hold in one chunk: rows are fetched a few at a time when they are
/// large (sources, their revisions), many when they are small, so that memory is bounded in bytes.
const CHUNK_BYTES: usize = 512 * 1024;

/// An export being read: a connection it holds, in a read-only snapshot, with a cursor per table
/// in turn. The connection is a plain one (the CLI) or a pool's (the API). When an export does
/// not end, the caller must close its connection rather than reuse it ([`Export::into_conn`]
/// says whether it ended).
pub struct Export<C> {
    conn: C,
    table: usize,
    open: bool,
    include_key_names: bool,
    fetch: usize,
    done: bool,
}

impl<C: std::ops::DerefMut<Target = AsyncPgConnection> + Send> Export<C> {
    /// Starts an export on `conn`, which it keeps: it opens a read-only, repeatable-read
    /// transaction in UTC, so that every line is of one moment and times read the same anywhere,
    /// whose statements may each run `statement_timeout_ms`.
    pub async fn start(mut conn: C, include_key_names: bool, statement_timeout_ms: u64) -> diesel::QueryResult<Self> {
        queries::begin_snapshot(&mut conn, statement_timeout_ms).await?;
        Ok(Export {
            conn,
            table: 0,
            open: false,
            include_key_names,
            fetch: 1,
            done: false,
        })
    }

    /// The next lines (each ended by a newline), or `None` at the end.
    pub async fn next_chunk(&mut self) -> diesel::QueryResult<Option<Vec<u8>>> {
        while let Some(table) = TABLES.get(self.table) {
            if !self.open {
                queries::open_lines(&mut self.conn, table, self.include_key_names).await?;
                self.open = true;
                // Each table starts small: its rows may be far larger than the last table's.
                self.fetch = 1;
            }
            let lines = queries::fetch_lines(&mut self.conn, self.fetch).await?;
            if lines.is_empty() {
                queries::close_lines(&mut self.conn).await?;
                self.open = false;
                self.table += 1;
                continue;
            }
            let size: usize = lines.iter().map(|l| l.len() + 1).sum();
            let mut chunk = Vec::with_capacity(size);
            for line in lines {
                chunk.extend_from_slice(line.as_bytes());
                chunk.push(b'\n');
            }
            // Aim the next fetch at CHUNK_BYTES: halve it after a large chunk, double it after a small one.
            self.fetch = if size > CHUNK_BYTES {
                (self.fetch / 2).max(1)
            } else if size < CHUNK_BYTES / 4 {
                (self.fetch * 2).min(BATCH)
            } else {
                self.fetch
            };
            return Ok(Some(chunk));
        }
        if !self.done {
            queries::end_snapshot(&mut self.conn).await?;
            self.done = true;
        }
        Ok(None)
    }

    /// The connection back, and whether the export ended (its transaction committed): a
    /// connection of an export that did not end is still inside its snapshot and must be closed.
    pub fn into_conn(self) -> (C, bool) {
        (self.conn, self.done)
    }
}

/// What is wrong with an import.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// Lines that are not records of an export; each names its line and field.
    #[error("{} problem(s) in the file: {}", .0.len(), .0.iter().map(|p| format!("{}: {}", p.0, p.1)).collect::<Vec<_>>().join("; "))]
    Invalid(Vec<(String, String)>),
    /// Records whose key is stored already with other values.
    #[error("{0}")]
    Conflict(String),
    /// The database refused a record (a rule of the knowledge base), or failed.
    #[error("{0}")]
    Database(#[from] diesel::result::Error),
}

/// How many records of each type an import wrote, and left as they were (answered by the API as
/// `api::schemas::ImportReport`).
#[derive(Debug, Default, Clone)]
pub struct ImportReport {
    /// Lines read.
    pub lines: usize,
    /// Records written, by type.
    pub inserted: BTreeMap<String, usize>,
    /// Records already stored with the same values, left as they were, by type.
    pub unchanged: BTreeMap<String, usize>,
}

impl std::fmt::Display for ImportReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let inserted: usize = self.inserted.values().sum();
        let unchanged: usize = self.unchanged.values().sum();
        write!(
            f,
            "{} lines: {inserted} records written, {unchanged} already stored unchanged",
            self.lines
        )
    }
}

/// One checked line.
struct Record {
    line: usize,
    table: usize,
    fields: Map<String, Value>,
}

/// The columns an export writes for each table, in table order, read from the schema.
async fn exported_columns(conn: &mut AsyncPgConnection) -> diesel::QueryResult<Vec<Vec<String>>> {
    let rows = queries::columns(conn).await?;
    Ok(TABLES
        .iter()
        .map(|table| {
            rows.iter()
                .filter(|(t, c)| t == table.name && !table.left_out.contains(&c.as_str()))
                .map(|(_, c)| c.clone())
                .collect()
        })
        .collect())
}

/// Where an import reads its lines from: it reads them twice, once to check every line and once
/// to load them, so that a file of any size is held one batch at a time.
pub trait LineSource: Sync {
    /// The lines, from the first.
    fn lines(&self) -> std::io::Result<Box<dyn Iterator<Item = std::io::Result<String>> + Send + '_>>;
}

/// A file already in memory.
impl LineSource for String {
    fn lines(&self) -> std::io::Result<Box<dyn Iterator<Item = std::io::Result<String>> + Send + '_>> {
        Ok(Box::new(str::lines(self).map(|l| Ok(l.to_owned()))))
    }
}

/// A file, read line by line.
pub struct FileLines(pub std::path::PathBuf);

impl LineSource for FileLines {
    fn lines(&self) -> std::io::Result<Box<dyn Iterator<Item = std::io::Result<String>> + Send + '_>> {
        use std::io::BufRead;
        let file = std::fs::File::open(&self.0)?;
        Ok(Box::new(std::io::BufReader::new(file).lines()))
    }
}

/// Checks lines one by one: each a record of a known type with exactly the fields an export
/// writes, in the order an export writes them. Problems are kept by line (at most 50).
struct Checker<'a> {
    columns: &'a [Vec<String>],
    problems: Vec<(String, String)>,
    last_table: usize,
}

impl<'a> Checker<'a> {
    fn new(columns: &'a [Vec<String>]) -> Self {
        Checker {
            columns,
            problems: Vec::new(),
            last_table: 0,
        }
    }

    /// Whether enough problems are known to stop reading.
    fn full(&self) -> bool {
        self.problems.len() >= 50
    }

    /// Checks one line (numbered from 1); the record, if it is one.
    fn check(&mut self, line: usize, raw: std::io::Result<String>) -> Option<Record> {
        let columns = self.columns;
        let raw = match raw {
            Ok(raw) => raw,
            Err(e) => {
                self.problems
                    .push((format!("line {line}"), format!("cannot be read as UTF-8 text: {e}")));
                return None;
            }
        };
        if raw.trim().is_empty() {
            return None;
        }
        let problems = &mut self.problems;
        let mut problem = |field: &str, message: String| {
            let at = if field.is_empty() {
                format!("line {line}")
            } else {
                format!("line {line}: {field}")
            };
            problems.push((at, message));
        };
        let value: Value = match serde_json::from_str(&raw) {
            Ok(value) => value,
            Err(e) => {
                problem("", format!("not a JSON object ({e}); each line holds one record"));
                return None;
            }
        };
        let Value::Object(mut object) = value else {
            problem("", "not a JSON object; each line holds one record".into());
            return None;
        };
        let types: Vec<&str> = TABLES.iter().map(|t| t.record_type).collect();
        let Some(table) = object
            .get("type")
            .and_then(Value::as_str)
            .and_then(|t| TABLES.iter().position(|table| table.record_type == t))
        else {
            problem("type", format!("must be one of {}", types.join(", ")));
            return None;
        };
        if let Some(extra) = object.keys().find(|k| *k != "type" && *k != "record") {
            problem(extra, "is not part of a line; a line holds `type` and `record`".into());
        }
        let Some(Value::Object(fields)) = object.remove("record") else {
            problem("record", "must be an object holding the record's fields".into());
            return None;
        };
        let expected = &columns[table];
        let kind = TABLES[table].record_type;
        for name in expected {
            if !fields.contains_key(name) {
                problem(
                    &format!("record.{name}"),
                    format!("is missing; a {kind} record has every field of an export, null where empty"),
                );
            }
        }
        for name in fields.keys() {
            if !expected.contains(name) {
                problem(
                    &format!("record.{name}"),
                    format!("is not a field of a {kind}; its fields are {}", expected.join(", ")),
                );
            }
        }
        for name in TABLES[table].key {
            if fields.get(*name).is_some_and(Value::is_null) {
                problem(
                    &format!("record.{name}"),
                    "is part of the record's key and must be set".into(),
                );
            }
        }
        if table < self.last_table {
            problem(
                "type",
                format!(
                    "a {kind} comes after the {}s; records are loaded in the order an export writes them ({})",
                    TABLES[self.last_table].record_type,
                    types.join(", ")
                ),
            );
        }
        self.last_table = self.last_table.max(table);
        Some(Record { line, table, fields })
    }
}

/// Checks every line of a source; the number of lines read.
fn check_lines(source: &dyn LineSource, columns: &[Vec<String>]) -> Result<usize, ImportError> {
    let mut checker = Checker::new(columns);
    let mut count = 0;
    for (index, raw) in source.lines().map_err(read_error)?.enumerate() {
        count = index + 1;
        checker.check(count, raw);
        if checker.full() {
            break;
        }
    }
    if checker.problems.is_empty() {
        Ok(count)
    } else {
        Err(ImportError::Invalid(checker.problems))
    }
}

fn read_error(e: std::io::Error) -> ImportError {
    ImportError::Invalid(vec![("file".into(), format!("cannot be read: {e}"))])
}

/// Loads an export into the knowledge base, in one transaction: every line is checked first, then
/// the lines are read again and written a batch at a time. The tables it loads are locked against
/// writes for the transaction (writers wait, bounded by their own statement timeout), so that an
/// import never interleaves with the API's writes; each statement may run `statement_timeout_ms`
/// (0: no limit).
pub async fn import(
    conn: &mut AsyncPgConnection,
    source: &dyn LineSource,
    statement_timeout_ms: u64,
) -> Result<ImportReport, ImportError> {
    let columns = exported_columns(conn).await?;
    let lines = check_lines(source, &columns)?;
    conn.transaction::<_, ImportError, _>(async |conn| {
        let tables: Vec<&str> = TABLES.iter().map(|t| t.name).collect();
        queries::lock_for_import(conn, &tables, statement_timeout_ms).await?;
        let mut report = ImportReport {
            lines,
            ..ImportReport::default()
        };
        let mut checker = Checker::new(&columns);
        let mut batch: Vec<Record> = Vec::with_capacity(BATCH);
        let mut read = source.lines().map_err(read_error)?.enumerate();
        loop {
            let record = read.next().map(|(index, raw)| checker.check(index + 1, raw));
            let ends_batch = match (&record, <[Record]>::first(&batch)) {
                (None, _) => true,
                (Some(Some(r)), Some(first)) => r.table != first.table || batch.len() >= BATCH,
                _ => false,
            };
            if ends_batch && !batch.is_empty() {
                let table = batch[0].table;
                let (inserted, unchanged) = load_batch(conn, &TABLES[table], &columns[table], &batch).await?;
                let kind = TABLES[table].record_type.to_owned();
                *report.inserted.entry(kind.clone()).or_default() += inserted;
                *report.unchanged.entry(kind).or_default() += unchanged;
                batch.clear();
            }
            match record {
                None => break,
                Some(Some(r)) => batch.push(r),
                Some(None) => {}
            }
        }
        if !checker.problems.is_empty() {
            // The file changed between the two readings.
            return Err(ImportError::Invalid(checker.problems));
        }
        report.inserted.retain(|_, n| *n > 0);
        report.unchanged.retain(|_, n| *n > 0);
        for table in TABLES.iter().filter(|t| t.key == ["id"]) {
            queries::advance_sequence(conn, table.name).await?;
        }
        Ok(report)
    })
    .await
}

/// Writes one batch of records of one table: checks for stored records with the same key and
/// other values, then inserts those not stored yet. Returns how many were inserted and unchanged.
async fn load_batch(
    conn: &mut AsyncPgConnection,
    table: &Table,
    columns: &[String],
    batch: &[Record],
) -> Result<(usize, usize), ImportError> {
    let rows = Value::Array(batch.iter().map(|r| Value::Object(r.fields.clone())).collect());
    let conflicts = queries::conflicting(conn, table, &rows).await?;
    if !conflicts.is_empty() {
        let lines: Vec<String> = conflicts
            .iter()
            .filter_map(|n| batch.get(usize::try_from(*n).ok()?.checked_sub(1)?))
            .map(|r| r.line.to_string())
            .collect();
        return Err(ImportError::Conflict(format!(
            "the knowledge base already holds {}s with the keys of lines {} but other values; an import adds records and never overwrites one: import into an empty knowledge base, or correct these records through the API",
            table.record_type,
            lines.join(", ")
        )));
    }
    let inserted = queries::insert_missing(conn, table, columns, &rows).await?;
    Ok((inserted, batch.len() - inserted))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn columns() -> Vec<Vec<String>> {
        TABLES
            .iter()
            .map(|t| match t.record_type {
                "person" => vec!["id".into(), "name".into(), "role".into(), "nation_code".into()],
                _ => vec!["id".into()],
            })
            .collect()
    }

    #[test]
    fn every_problem_of_a_file_is_named_by_line_and_field() {
        let file = "{\"type\": \"person\", \"record\": {\"id\": 1, \"name\": \"A\", \"role\": null}}\n\
                    not json\n\
                    {\"type\": \"tank\", \"record\": {}}\n\
                    {\"type\": \"person\", \"record\": {\"id\": null, \"name\": \"B\", \"role\": null, \"nation_code\": null, \"colour\": 1}}\n\
                    {\"type\": \"key\", \"record\": {\"id\": 1}}\n";
        let Err(ImportError::Invalid(problems)) = check_lines(&file.to_owned(), &columns()) else {
            panic!("the file is refused");
        };
        let at: Vec<&str> = problems.iter().map(|(at, _)| at.as_str()).collect();
        assert_eq!(
            at,
            [
                "line 1: record.nation_code",
                "line 2",
                "line 3: type",
                "line 4: record.colour",
                "line 4: record.id",
                "line 5: type"
            ]
        );
    }

    #[test]
    fn a_withheld_key_name_reads_null() {
        assert!(queries::lines_query(&TABLES[0], false).contains("\"name\": null"));
        assert!(!queries::lines_query(&TABLES[0], true).contains("\"name\": null"));
    }
}
