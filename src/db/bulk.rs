//! A bulk load of new records (`alliance-kb generate`): one transaction on a connection of its
//! own, rows sent with `COPY`, the loaded tables' triggers off and their keys and indexes set
//! aside while they load; then what the triggers and keys would have done row by row is done
//! set-based (keys and indexes built in one pass each, words, tallies, the timeline, sequences;
//! the words of the largest tables are made beside the load by a `WordsMaker`)
//! and the database's rules are checked over the new rows before the transaction commits. Any
//! failure leaves nothing written: dropping the connection rolls it all back.

use std::time::Instant;

use bytes::Bytes;
use futures_util::SinkExt;
use tokio_postgres::Client;

/// The largest id of each loaded table when the load began: the new rows' ids follow them.
#[derive(Debug, Clone, Copy)]
pub struct Bases {
    /// Of `sources`.
    pub source: i64,
    /// Of `people`.
    pub person: i64,
    /// Of `events`.
    pub event: i64,
    /// Of `commitments`.
    pub commitment: i64,
    /// Of `commitment_status_changes`.
    pub step: i64,
    /// Of `statements`.
    pub statement: i64,
    /// Of `claims`.
    pub claim: i64,
    /// Of `citations`.
    pub citation: i64,
    /// Of `revisions`.
    pub revision: i64,
}

/// A bulk load failed; nothing of it was written.
#[derive(Debug, thiserror::Error)]
pub enum BulkError {
    /// The database refused or failed.
    #[error("database error: {0}")]
    Database(#[from] tokio_postgres::Error),
    /// A check of the loaded rows failed: they break a rule of the database.
    #[error("{0}")]
    Broken(String),
}

/// A bulk load under way: its transaction, and what it set aside to put back.
pub struct BulkLoad {
    client: Client,
    driver: tokio::task::JoinHandle<Result<(), tokio_postgres::Error>>,
    started: Instant,
    /// The ids taken before the load.
    pub bases: Bases,
    /// Every nation's code, in order.
    pub nations: Vec<String>,
    paused: Vec<(String, String)>,
    indexes: Vec<(String, String)>,
    foreign_keys: Vec<(String, String, String)>,
}

/// How the words (search vectors) of each table's new rows are made, in the words session: the
/// functions the triggers call, given each row's fields (`$1`, `$2`, ... as text arrays, one
/// entry per row, in the order of [`WordsInput::fields`]); a nation's words are looked up once
/// per load, a person's made from the name and role (the new people are not committed yet).
const WORDS_OF: [(&str, &str); 3] = [
    (
        "sources",
        "SELECT source_words_of(u.title, u.body)::text
           FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS u(title, body, i) ORDER BY u.i",
    ),
    (
        "commitments",
        "SELECT commitment_words_of(u.summary, u.conditions, u.quantity_text, u.quantity_unit, coalesce(n.words, ''),
                                    person_words_of(u.name, u.role))::text
           FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[])
                WITH ORDINALITY AS u(summary, conditions, quantity_text, quantity_unit, nation, name, role, i)
           LEFT JOIN nation_words_now n ON n.code = u.nation ORDER BY u.i",
    ),
    (
        "statements",
        "SELECT statement_words_of(u.summary, u.quote, u.attribution, coalesce(n.words, ''),
                                   person_words_of(u.name, u.role))::text
           FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[])
                WITH ORDINALITY AS u(summary, quote, attribution, nation, name, role, i)
           LEFT JOIN nation_words_now n ON n.code = u.nation ORDER BY u.i",
    ),
];

/// The fields the words of one table's rows are made of, field by field, one entry per row:
/// sources (title, text); commitments (summary, conditions, quantity text, quantity unit,
/// nation, the announcer's name and role); statements (summary, quote, attribution, nation, the
/// speaker's name and role).
#[derive(Debug, Default)]
pub struct WordsInput {
    /// Each field's values, one per row.
    pub fields: Vec<Vec<Option<String>>>,
}

impl WordsInput {
    /// Adds one row's fields.
    pub fn push(&mut self, row: &[Option<&str>]) {
        if self.fields.is_empty() {
            self.fields = vec![Vec::new(); row.len()];
        }
        for (field, value) in self.fields.iter_mut().zip(row) {
            field.push(value.map(str::to_owned));
        }
    }

    /// How many rows it holds.
    pub fn rows(&self) -> usize {
        self.fields.first().map_or(0, Vec::len)
    }
}

/// A session of its own that makes the words of a load's rows while the load's session copies
/// the rows before them: the to_tsvector work (about a tenth of a load) on another core. It
/// calls the same functions the triggers do; the load checks a sample of the results.
pub struct WordsMaker {
    client: Client,
    driver: tokio::task::JoinHandle<Result<(), tokio_postgres::Error>>,
}

impl WordsMaker {
    /// Opens the session on the database at `url` and reads the nations' words.
    pub async fn open(url: &str) -> Result<WordsMaker, BulkError> {
        let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls).await?;
        let driver = tokio::spawn(connection);
        client
            .batch_execute(
                "SET statement_timeout = 0;
                 CREATE TEMPORARY TABLE nation_words_now AS SELECT code, nation_words(code) AS words FROM nations;
                 ANALYZE nation_words_now",
            )
            .await?;
        Ok(WordsMaker { client, driver })
    }

    /// The words of `table`'s rows (a search vector's text each, in the rows' order).
    pub async fn words(&self, table: &str, input: &WordsInput) -> Result<Vec<String>, BulkError> {
        let Some((_, sql)) = WORDS_OF.iter().find(|(t, _)| *t == table) else {
            return Err(BulkError::Broken(format!("no words are made for {table}")));
        };
        let params: Vec<&(dyn tokio_postgres::types::ToSql + Sync)> = input
            .fields
            .iter()
            .map(|f| f as &(dyn tokio_postgres::types::ToSql + Sync))
            .collect();
        let rows = self.client.query(*sql, &params).await?;
        if rows.len() != input.rows() {
            return Err(BulkError::Broken(format!(
                "{} words made for {} rows of {table}",
                rows.len(),
                input.rows()
            )));
        }
        Ok(rows.iter().map(|r| r.get(0)).collect())
    }

    /// Ends the session.
    pub async fn close(self) {
        drop(self.client);
        let _ = self.driver.await;
    }
}

/// The tables a run writes, whose own triggers are off while it loads.
const LOADED: [&str; 10] = [
    "sources",
    "people",
    "events",
    "event_participants",
    "commitments",
    "commitment_status_changes",
    "statements",
    "claims",
    "citations",
    "revisions",
];

/// The loaded tables that keep their keys while they load: small ones, whose rows the words of
/// the others look up one by one (a person's name, an event's participants).
const KEYED: [&str; 2] = ["people", "events"];

/// The words of the new events and claims, made once they and their participants are loaded
/// (few rows; the same functions their triggers call).
const WORDS: [(&str, &str); 2] = [
    (
        "events",
        "UPDATE events e SET search_vector = event_words(e) WHERE e.id > $1",
    ),
    (
        "claims",
        "UPDATE claims c SET search_vector = claim_words(c) WHERE c.id > $1",
    ),
];

/// Checks over the new rows of what the triggers that were off check row by row: what each
/// checks, the table whose new rows it reads (their ids follow the one given as `$1`), and the
/// count of rows that break it.
const CHECKS: &[(&str, &str, &str)] = &[
    (
        "every citation's excerpt is its source's text between its offsets",
        "citations",
        "SELECT count(*) FROM citations c JOIN sources s ON s.id = c.source_id WHERE c.id > $1
            AND (c.end_offset > char_length(s.text) OR substr(s.text, c.start_offset + 1, c.end_offset - c.start_offset) <> c.excerpt)",
    ),
    (
        "every commitment has a citation",
        "commitments",
        "SELECT count(*) FROM commitments t WHERE t.id > $1 AND NOT EXISTS (SELECT 1 FROM citations c WHERE c.commitment_id = t.id)",
    ),
    (
        "every commitment has a status history, and its status, modality, date and date's basis are its latest step's",
        "commitments",
        "SELECT count(*) FROM commitments t LEFT JOIN (
            SELECT DISTINCT ON (commitment_id) commitment_id, status, modality, changed_on, basis FROM commitment_status_changes
             WHERE commitment_id > $1 ORDER BY commitment_id, id DESC) s ON s.commitment_id = t.id
          WHERE t.id > $1 AND (t.status, t.status_modality, t.status_changed_on, t.status_changed_on_basis)
                IS DISTINCT FROM (s.status, s.modality, s.changed_on, s.basis -> 'changed_on')",
    ),
    (
        "a commitment's citation ids are its live citations' (the first thousand new ones, then one in a hundred)",
        "commitments",
        "SELECT count(*) FROM commitments t WHERE t.id > $1 AND (t.id <= $1 + 1000 OR t.id % 100 = 0)
            AND t.citation_ids IS DISTINCT FROM ARRAY(
                SELECT c.id FROM citations c WHERE c.commitment_id = t.id AND c.retracted_at IS NULL ORDER BY c.id)",
    ),
    (
        "every status change has a citation",
        "commitment_status_changes",
        "SELECT count(*) FROM commitment_status_changes t WHERE t.id > $1 AND NOT EXISTS (SELECT 1 FROM citations c WHERE c.status_change_id = t.id)",
    ),
    (
        "every statement has a citation",
        "statements",
        "SELECT count(*) FROM statements t WHERE t.id > $1 AND NOT EXISTS (SELECT 1 FROM citations c WHERE c.statement_id = t.id)",
    ),
    (
        "every claim has a citation",
        "claims",
        "SELECT count(*) FROM claims t WHERE t.id > $1 AND NOT EXISTS (SELECT 1 FROM citations c WHERE c.claim_id = t.id)",
    ),
    (
        "every event has a citation",
        "events",
        "SELECT count(*) FROM events t WHERE t.id > $1 AND NOT EXISTS (SELECT 1 FROM citations c WHERE c.event_id = t.id)",
    ),
    (
        "every stated basis of a commitment names one of its own citations",
        "commitments",
        "SELECT count(*) FROM commitments t, jsonb_each(t.basis) b(field, entry) WHERE t.id > $1
            AND entry ->> 'basis' = 'stated' AND NOT EXISTS (
                SELECT 1 FROM citations c WHERE c.id = (entry ->> 'citation_id')::bigint AND c.commitment_id = t.id)",
    ),
    (
        // With the key (entity, record_id, version) made again: at most one revision each.
        "every new record's one revision is its first and current",
        "revisions",
        "SELECT count(*) FROM revisions WHERE id > $1 AND (version <> 1 OR valid_until IS NOT NULL)",
    ),
    (
        "a revision's nation is its representation's (the first thousand new ones, then one in a hundred)",
        "revisions",
        "SELECT count(*) FROM revisions WHERE id > $1 AND (id <= $1 + 1000 OR id % 100 = 0)
            AND nation IS DISTINCT FROM after ->> 'nation'",
    ),
    (
        "a commitment's words are its trigger's (the first thousand new ones, then one in a hundred)",
        "commitments",
        "SELECT count(*) FROM commitments c WHERE c.id > $1 AND (c.id <= $1 + 1000 OR c.id % 100 = 0)
            AND c.search_vector IS DISTINCT FROM commitment_words(c)",
    ),
    (
        "a statement's words are its trigger's (the first thousand new ones, then one in a hundred)",
        "statements",
        "SELECT count(*) FROM statements s WHERE s.id > $1 AND (s.id <= $1 + 1000 OR s.id % 100 = 0)
            AND s.search_vector IS DISTINCT FROM statement_words(s)",
    ),
    (
        "a source's words are its trigger's (the first thousand new ones, then one in a hundred)",
        "sources",
        "SELECT count(*) FROM sources s WHERE s.id > $1 AND (s.id <= $1 + 1000 OR s.id % 100 = 0)
            AND s.search_vector IS DISTINCT FROM source_words_of(s.title, s.text)",
    ),
];

/// Drops the keys and indexes of `table` (one no foreign key references); returns the statements
/// that make them again.
async fn set_aside(client: &Client, table: &str) -> Result<Vec<String>, tokio_postgres::Error> {
    let rows = client
        .query(
            "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid), c.conname::text,
                    pg_get_constraintdef(c.oid)
               FROM pg_index i LEFT JOIN pg_constraint c ON c.conindid = i.indexrelid AND c.conrelid = i.indrelid
              WHERE i.indrelid = $1::text::regclass",
            &[&table],
        )
        .await?;
    let mut restore = Vec::new();
    for row in rows {
        let (index, definition): (String, String) = (row.get(0), row.get(1));
        match row.get::<_, Option<String>>(2) {
            Some(constraint) => {
                let definition: String = row.get(3);
                client
                    .batch_execute(&format!("ALTER TABLE {table} DROP CONSTRAINT {constraint}"))
                    .await?;
                restore.push(format!("ALTER TABLE {table} ADD CONSTRAINT {constraint} {definition}"));
            }
            None => {
                client.batch_execute(&format!("DROP INDEX {index}")).await?;
                restore.push(definition);
            }
        }
    }
    Ok(restore)
}

async fn max_id(client: &Client, table: &str) -> Result<i64, tokio_postgres::Error> {
    let row = client
        .query_one(&format!("SELECT coalesce(max(id), 0)::bigint FROM {table}"), &[])
        .await?;
    Ok(row.get(0))
}

impl BulkLoad {
    /// Opens the transaction on the database at `url`, locks the loaded tables, and sets their
    /// triggers, indexes and keys aside.
    pub async fn begin(url: &str) -> Result<BulkLoad, BulkError> {
        let started = Instant::now();
        let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls).await?;
        let driver = tokio::spawn(connection);
        // One transaction: a failure anywhere drops the connection, which rolls it all back. A bulk
        // load: no statement limit.
        let transaction = &client;
        transaction
            .batch_execute("BEGIN; SET LOCAL statement_timeout = 0")
            .await?;
        transaction
            .batch_execute(&format!("LOCK TABLE {} IN SHARE ROW EXCLUSIVE MODE", LOADED.join(", ")))
            .await?;
        let bases = Bases {
            source: max_id(transaction, "sources").await?,
            person: max_id(transaction, "people").await?,
            event: max_id(transaction, "events").await?,
            commitment: max_id(transaction, "commitments").await?,
            step: max_id(transaction, "commitment_status_changes").await?,
            statement: max_id(transaction, "statements").await?,
            claim: max_id(transaction, "claims").await?,
            citation: max_id(transaction, "citations").await?,
            revision: max_id(transaction, "revisions").await?,
        };
        // Every trigger of the loaded tables is off, those that keep a record's words (its search
        // vector) too: the sources, commitments and statements come with words made in another
        // session (`WordsMaker`), the events and claims get theirs once the load is done (WORDS).
        let paused: Vec<(String, String)> = transaction
            .query(
                "SELECT tgrelid::regclass::text, tgname::text FROM pg_trigger
                  WHERE tgrelid = ANY($1::text[]::regclass[]) AND NOT tgisinternal",
                &[&LOADED.to_vec()],
            )
            .await?
            .iter()
            .map(|r| (r.get(0), r.get(1)))
            .collect();
        for (table, trigger) in &paused {
            transaction
                .batch_execute(&format!("ALTER TABLE {table} DISABLE TRIGGER {trigger}"))
                .await?;
        }
        // The tables' secondary indexes are built again after the load, in one sorted pass each,
        // rather than kept up to date row by row (primary keys and unique constraints stay).
        let indexes: Vec<(String, String)> = transaction
            .query(
                "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i
                  WHERE i.indrelid = ANY($1::text[]::regclass[]) AND NOT i.indisprimary
                    AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)",
                &[&LOADED.to_vec()],
            )
            .await?
            .iter()
            .map(|r| (r.get(0), r.get(1)))
            .collect();
        for (name, _) in &indexes {
            transaction.batch_execute(&format!("DROP INDEX {name}")).await?;
        }
        // Keys too (primary, unique, foreign) are checked again after the load, each in one pass
        // over its table (a sort, a join), instead of one lookup per row: foreign keys first, the
        // keys they reference are dropped after them and made again before them.
        let foreign_keys: Vec<(String, String, String)> = transaction
            .query(
                "SELECT conrelid::regclass::text, conname::text, pg_get_constraintdef(oid) FROM pg_constraint
                  WHERE contype IN ('f', 'p', 'u') AND conrelid = ANY($1::text[]::regclass[])
                    AND NOT (contype <> 'f' AND EXISTS (
                        SELECT 1 FROM pg_constraint f WHERE f.contype = 'f' AND f.confrelid = pg_constraint.conrelid
                           AND f.conrelid <> ALL($1::text[]::regclass[])))
                    AND NOT (contype <> 'f' AND conrelid = ANY($2::text[]::regclass[]))
                  ORDER BY contype = 'f' DESC",
                &[&LOADED.to_vec(), &KEYED.to_vec()],
            )
            .await?
            .iter()
            .map(|r| (r.get(0), r.get(1), r.get(2)))
            .collect();
        for (table, name, _) in &foreign_keys {
            transaction
                .batch_execute(&format!("ALTER TABLE {table} DROP CONSTRAINT {name}"))
                .await?;
        }
        let nations: Vec<String> = transaction
            .query("SELECT code FROM nations ORDER BY code", &[])
            .await?
            .iter()
            .map(|r| r.get(0))
            .collect();
        Ok(BulkLoad {
            client,
            driver,
            started,
            bases,
            nations,
            paused,
            indexes,
            foreign_keys,
        })
    }

    /// Sends rows of `table` in COPY's text format; returns how many the database took.
    pub async fn copy(&self, table: &str, columns: &str, data: String) -> Result<u64, BulkError> {
        let sink = self
            .client
            .copy_in(&format!("COPY {table} ({columns}) FROM STDIN"))
            .await?;
        futures_util::pin_mut!(sink);
        sink.send(Bytes::from(data)).await?;
        Ok(sink.finish().await?)
    }

    /// Puts back what was set aside, does set-based what the triggers would have done, checks
    /// the new rows and commits; `spent` and `waiting` are the seconds the load took per table
    /// and waiting for rows (logged), `representation` the shape of the revisions loaded.
    pub async fn finish(
        self,
        spent: &std::collections::BTreeMap<&'static str, f64>,
        waiting: f64,
        representation: &str,
    ) -> Result<(), BulkError> {
        log::debug!("generate: seconds loading each table {spent:?}, waiting for rows {waiting:.1}");
        let BulkLoad {
            client,
            driver,
            started,
            bases,
            paused,
            indexes,
            foreign_keys,
            ..
        } = self;
        let transaction = &client;
        let base_of = |table: &str| match table {
            "citations" => bases.citation,
            "commitments" => bases.commitment,
            "commitment_status_changes" => bases.step,
            "statements" => bases.statement,
            "claims" => bases.claim,
            "events" => bases.event,
            "revisions" => bases.revision,
            "sources" => bases.source,
            _ => 0,
        };

        for (table, trigger) in &paused {
            transaction
                .batch_execute(&format!("ALTER TABLE {table} ENABLE TRIGGER {trigger}"))
                .await?;
        }
        log::info!(
            "generate: rows loaded in {:.1} s; building {} indexes",
            started.elapsed().as_secs_f64(),
            indexes.len()
        );
        transaction
            .batch_execute("SET LOCAL maintenance_work_mem = '1GB'; SET LOCAL work_mem = '256MB'; SET LOCAL max_parallel_maintenance_workers = 2")
            .await?;
        for (_, definition) in &indexes {
            transaction.batch_execute(definition).await?;
        }
        for (table, name, definition) in foreign_keys.iter().rev() {
            transaction
                .batch_execute(&format!("ALTER TABLE {table} ADD CONSTRAINT {name} {definition}"))
                .await?;
        }
        // The planner must know the tables' new sizes before the set-based steps below.
        transaction
            .batch_execute(&format!("ANALYZE {}", LOADED.join(", ")))
            .await?;
        for (table, update) in WORDS {
            transaction.execute(update, &[&base_of(table)]).await?;
        }
        log::info!(
            "generate: indexes built at {:.1} s; adding to the tallies and the timeline",
            started.elapsed().as_secs_f64()
        );
        // The new records' tallies and timeline entries are added in one pass each with the keys
        // and indexes of those tables set aside, which are then built again in one sorted pass each
        // (the timeline's entries are all new; the tallies are added by joins, not key by key).
        let mut restore = Vec::new();
        for table in ["commitment_tallies", "source_tallies", "timeline_entries"] {
            restore.extend(set_aside(transaction, table).await?);
        }
        transaction
            .execute(
                "SELECT tallies_add($1, $2, $3), timeline_add($4, $5, $2)",
                &[
                    &bases.commitment,
                    &bases.statement,
                    &bases.citation,
                    &bases.event,
                    &bases.step,
                ],
            )
            .await?;
        for statement in &restore {
            transaction.batch_execute(statement).await?;
        }
        // What the triggers would have done row by row, done set-based.
        transaction
            .batch_execute(
                "UPDATE changes SET n = n + 1 WHERE slot = txid_current() % 64;
                 INSERT INTO kb_meta (key, value) VALUES ('generated', now()::text)
                     ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            )
            .await?;
        // The new revisions are of this code's shape; a database that records an older one keeps
        // saying so, and is refreshed when the service starts.
        transaction
            .execute(
                "INSERT INTO kb_meta (key, value) VALUES ('representation', $1) ON CONFLICT (key) DO NOTHING",
                &[&representation],
            )
            .await?;
        for table in [
            "sources",
            "people",
            "events",
            "commitments",
            "commitment_status_changes",
            "statements",
            "claims",
            "citations",
            "revisions",
        ] {
            transaction
                .batch_execute(&format!(
                    "SELECT setval(pg_get_serial_sequence('{table}', 'id'), greatest((SELECT max(id) FROM {table}), 1))"
                ))
                .await?;
        }
        log::info!(
            "generate: summaries rebuilt at {:.1} s; checking the new rows",
            started.elapsed().as_secs_f64()
        );
        for (rule, table, check) in CHECKS {
            let row = transaction.query_one(*check, &[&base_of(table)]).await?;
            let broken: i64 = row.get(0);
            if broken > 0 {
                return Err(BulkError::Broken(format!("{rule}: {broken} rows do not")));
            }
        }
        transaction.batch_execute("COMMIT").await?;
        log::info!(
            "generate: committed at {:.1} s; analyzing",
            started.elapsed().as_secs_f64()
        );
        // The loaded tables were analyzed inside the transaction (which counts its own rows), the
        // summaries built after that are analyzed now.
        client
            .batch_execute("ANALYZE timeline_entries, commitment_tallies, source_tallies, statement_tallies")
            .await?;
        drop(client);
        let _ = driver.await;
        Ok(())
    }
}
