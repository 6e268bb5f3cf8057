//! Synthetic data for measuring the service at size: `alliance-kb generate --commitments N` adds N
//! commitments with proportional statements, claims, events, people, sources, citations, status
//! changes and revisions, deterministic for a seed.
//!
//! Every record obeys every rule of the database: citations are exact spans of their sources'
//! texts, every fact has its citation and every commitment its status history, every basis names
//! one of its record's own citations, and each record's revision is the representation the
//! service itself gives it (built by the same `views` functions). The rows are streamed with
//! `COPY` in one transaction, with the tables' own triggers off while they load; what those
//! triggers do row by row is then done set-based (the tallies and the timeline rebuilt, the
//! sequences moved) and what they check is checked set-based over the new rows before the
//! transaction commits. Any failure leaves nothing written.

use std::fmt::Write as _;

use bytes::Bytes;
use chrono::{DateTime, Duration, NaiveDate, SubsecRound, Utc};
use futures_util::SinkExt;
use serde::Serialize;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use tokio_postgres::Client;

use crate::api::{types, views};
use crate::db::models;
use crate::vocab::{
    ClaimKind, CommitmentKind, CommitmentStatus, EventKind, ForceRole, Modality, Reliability, SourceKind, Stance,
};

/// How much to generate.
#[derive(Debug, Clone, Copy)]
pub struct Plan {
    /// Commitments to add.
    pub commitments: u64,
    /// The seed of the pseudo-random choices: the same seed on the same database gives the same rows.
    pub seed: u64,
}

/// What a run added, by table.
#[derive(Debug, Default, Clone)]
pub struct Report {
    /// Rows added, in the order the tables were loaded.
    pub rows: Vec<(&'static str, u64)>,
    /// Seconds taken.
    pub seconds: f64,
}

impl std::fmt::Display for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let parts: Vec<String> = self.rows.iter().map(|(t, n)| format!("{n} {t}")).collect();
        write!(f, "added {} in {:.1} s", parts.join(", "), self.seconds)
    }
}

/// A run failed; nothing of it was written.
#[derive(Debug, thiserror::Error)]
pub enum GenerateError {
    /// The database refused or failed.
    #[error("database error: {0}")]
    Database(#[from] tokio_postgres::Error),
    /// A check of the loaded rows failed (a bug in the generator).
    #[error("the generated rows break a rule of the database: {0}")]
    Invalid(String),
    /// A representation could not be built.
    #[error("cannot represent a generated record: {0}")]
    Represent(#[from] serde_json::Error),
}

/// Commitments generated and loaded at a time.
const CHUNK: u64 = 5_000;
/// Sentences a source holds: short texts, so that citation checks stay cheap.
const SENTENCES_PER_SOURCE: usize = 12;

/// A small, fast, deterministic generator (SplitMix64).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            0
        } else {
            self.next() % n
        }
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

/// Rows of one table in PostgreSQL's COPY text format.
struct CopyRows {
    table: &'static str,
    columns: &'static str,
    buf: String,
    rows: u64,
    first: bool,
}

impl CopyRows {
    fn new(table: &'static str, columns: &'static str) -> Self {
        CopyRows {
            table,
            columns,
            buf: String::new(),
            rows: 0,
            first: true,
        }
    }

    fn sep(&mut self) {
        if !self.first {
            self.buf.push('\t');
        }
        self.first = false;
    }

    fn text(&mut self, value: Option<&str>) -> &mut Self {
        self.sep();
        match value {
            None => self.buf.push_str("\\N"),
            Some(v) => {
                for c in v.chars() {
                    match c {
                        '\\' => self.buf.push_str("\\\\"),
                        '\n' => self.buf.push_str("\\n"),
                        '\r' => self.buf.push_str("\\r"),
                        '\t' => self.buf.push_str("\\t"),
                        c => self.buf.push(c),
                    }
                }
            }
        }
        self
    }

    fn show<T: std::fmt::Display>(&mut self, value: Option<T>) -> &mut Self {
        self.sep();
        match value {
            None => self.buf.push_str("\\N"),
            Some(v) => {
                let _ = write!(self.buf, "{v}");
            }
        }
        self
    }

    fn json(&mut self, value: &Value) -> &mut Self {
        let text = value.to_string();
        self.text(Some(&text))
    }

    fn end(&mut self) {
        self.buf.push('\n');
        self.rows += 1;
        self.first = true;
    }

    /// Takes the rows gathered so far, to be sent.
    fn take(&mut self) -> Option<Batch> {
        (!self.buf.is_empty()).then(|| {
            self.rows = 0;
            Batch {
                table: self.table,
                columns: self.columns,
                data: std::mem::take(&mut self.buf),
            }
        })
    }
}

/// Rows of one table, ready for `COPY`.
struct Batch {
    table: &'static str,
    columns: &'static str,
    data: String,
}

impl Batch {
    /// Sends the rows; returns how many the database took. The rows of a staged table go to its
    /// stage first and are moved in from there with their words.
    async fn send(self, client: &Client) -> Result<u64, GenerateError> {
        let staged = STAGED.iter().find(|(table, _)| *table == self.table);
        let into = match staged {
            Some((table, _)) => format!("staged_{table}"),
            None => self.table.to_owned(),
        };
        let sink = client
            .copy_in(&format!("COPY {into} ({}) FROM STDIN", self.columns))
            .await?;
        futures_util::pin_mut!(sink);
        sink.send(Bytes::from(self.data)).await?;
        let copied = sink.finish().await?;
        if let Some((table, words)) = staged {
            client
                .batch_execute(&format!(
                    "INSERT INTO {table} ({}, search_vector) OVERRIDING SYSTEM VALUE SELECT s.*, {words}; TRUNCATE {into}",
                    self.columns
                ))
                .await?;
        }
        Ok(copied)
    }
}

/// The tables whose rows are staged, then moved in with their words (search vectors), and how:
/// the words name the record's nation and person, looked up for a whole batch at once by a join
/// (`staged_nation_words`, `staged_person_words`) instead of by each row's trigger, and made by
/// the same function the trigger calls.
const STAGED: &[(&str, &str)] = &[
    (
        "commitments",
        "commitment_words_of(s.summary, s.conditions, s.quantity_text, s.quantity_unit, n.words, coalesce(p.words, ''))
           FROM staged_commitments s JOIN staged_nation_words n ON n.code = s.nation_code
           LEFT JOIN staged_person_words p ON p.id = s.announced_by",
    ),
    (
        "statements",
        "statement_words_of(s.summary, s.quote, s.attribution, coalesce(n.words, ''), coalesce(p.words, ''))
           FROM staged_statements s LEFT JOIN staged_nation_words n ON n.code = s.nation_code
           LEFT JOIN staged_person_words p ON p.id = s.speaker_id",
    ),
];

/// Makes the stages of the staged tables and the words they join, once the people are loaded.
async fn make_stages(client: &Client, columns: &[(&str, &str)]) -> Result<(), GenerateError> {
    let mut sql = String::from(
        "CREATE TEMPORARY TABLE staged_nation_words ON COMMIT DROP AS SELECT code, nation_words(code) AS words FROM nations;
         CREATE TEMPORARY TABLE staged_person_words ON COMMIT DROP AS SELECT id, person_words(id) AS words FROM people;
         ANALYZE staged_nation_words, staged_person_words;",
    );
    for (table, columns) in columns {
        let _ = write!(
            sql,
            "CREATE TEMPORARY TABLE staged_{table} ON COMMIT DROP AS SELECT {columns} FROM {table} WITH NO DATA;"
        );
    }
    client.batch_execute(&sql).await?;
    Ok(())
}

fn sha256_hex(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn stated(citation: i64) -> Value {
    json!({"basis": "stated", "citation_id": citation})
}

fn inferred(note: &str) -> Value {
    json!({"basis": "inferred", "note": note, "inferred_by": "seed"})
}

/// Whether a stored basis map holds an inference (the database's `inferred` column).
fn any_inferred(basis: &Value) -> bool {
    basis
        .as_object()
        .is_some_and(|m| m.values().any(|b| b["basis"] == "inferred"))
}

fn to_value<T: Serialize>(value: T) -> Result<Value, GenerateError> {
    Ok(serde_json::to_value(value)?)
}

/// The ids already taken in each table, so that the new rows follow them.
struct Next {
    source: i64,
    person: i64,
    event: i64,
    commitment: i64,
    step: i64,
    statement: i64,
    claim: i64,
    citation: i64,
    revision: i64,
}

impl Next {
    fn take(counter: &mut i64) -> i64 {
        *counter += 1;
        *counter
    }
}

/// A source being filled with sentences, and the citations that point into it.
struct SourceDraft {
    id: i64,
    reliability: Reliability,
    text: String,
    sentences: usize,
}

/// What is generated once and shared by every chunk.
struct World {
    nations: Vec<String>,
    people: Vec<(i64, types::PersonRef, String)>,
    events: Vec<i64>,
    at: DateTime<Utc>,
}

struct Loader {
    rng: Rng,
    next: Next,
    world: World,
    sources: CopyRows,
    people: CopyRows,
    events: CopyRows,
    participants: CopyRows,
    commitments: CopyRows,
    steps: CopyRows,
    statements: CopyRows,
    claims: CopyRows,
    citations: CopyRows,
    revisions: CopyRows,
    draft: Option<SourceDraft>,
}

const RELIABILITIES: [Reliability; 4] = [
    Reliability::Official,
    Reliability::Verified,
    Reliability::Unverified,
    Reliability::AiGenerated,
];

impl Loader {
    fn date(&mut self) -> NaiveDate {
        NaiveDate::from_ymd_opt(2022, 1, 1).unwrap_or_default() + Duration::days(self.rng.below(365 * 5) as i64)
    }

    /// Adds a sentence to the current source (starting a new one when it is full) and returns a
    /// citation row of it, exact by construction.
    fn cite(&mut self, sentence: String) -> (models::Citation, Reliability) {
        if self.draft.as_ref().is_none_or(|d| d.sentences >= SENTENCES_PER_SOURCE) {
            self.finish_source();
            let id = Next::take(&mut self.next.source);
            let reliability = *self.rng.pick(&RELIABILITIES);
            self.draft = Some(SourceDraft {
                id,
                reliability,
                text: format!("Synthetic report {id}."),
                sentences: 0,
            });
        }
        let draft = self.draft.as_mut().expect("a source is being filled");
        draft.text.push(' ');
        let start = draft.text.chars().count() as i32;
        draft.text.push_str(&sentence);
        draft.sentences += 1;
        let end = start + sentence.chars().count() as i32;
        let citation = models::Citation {
            id: Next::take(&mut self.next.citation),
            source_id: draft.id,
            start_offset: start,
            end_offset: end,
            excerpt: sentence,
            commitment_id: None,
            status_change_id: None,
            statement_id: None,
            event_id: None,
            claim_id: None,
            retracted_at: None,
            retraction_reason: None,
            competing_value_id: None,
        };
        (citation, draft.reliability)
    }

    /// Writes the source being filled, with its revision.
    fn finish_source(&mut self) {
        let Some(draft) = self.draft.take() else { return };
        let title = format!("Synthetic report {}", draft.id);
        self.sources
            .show(Some(draft.id))
            .text(Some("report"))
            .text(Some(&title))
            .text(Some("alliance-kb generate"))
            .text(None)
            .show(None::<&str>)
            .show(Some(self.world.at.to_rfc3339()))
            .text(Some(&draft.text))
            .text(Some(draft.reliability.as_str()))
            .text(Some("Synthetic text, made to measure the service."));
        self.sources.end();
        let summary = models::SourceSummary {
            id: draft.id,
            kind: SourceKind::Report,
            title,
            publisher: Some("alliance-kb generate".into()),
            url: None,
            published_on: None,
            retrieved_at: self.world.at,
            sha256: sha256_hex(&draft.text),
            reliability: draft.reliability,
            reliability_note: Some("Synthetic text, made to measure the service.".into()),
            retracted_at: None,
            retraction_reason: None,
        };
        let length = draft.text.chars().count() as i32;
        let representation = serde_json::to_value(views::source(summary, length, draft.text)).unwrap_or_default();
        self.revision("sources", draft.id, &representation);
    }

    fn citation_row(
        &mut self,
        c: &models::Citation,
        reliability: Reliability,
    ) -> Result<types::Citation, GenerateError> {
        self.citations
            .show(Some(c.id))
            .show(Some(c.source_id))
            .show(Some(c.start_offset))
            .show(Some(c.end_offset))
            .text(Some(&c.excerpt))
            .show(c.commitment_id)
            .show(c.status_change_id)
            .show(c.statement_id)
            .show(c.event_id)
            .show(c.claim_id);
        self.citations.end();
        let record = to_value(views::citation_record(c.clone(), reliability))?;
        self.revision("citations", c.id, &record);
        Ok(views::citation_view(c.clone(), reliability))
    }

    fn revision(&mut self, entity: &str, record: i64, after: &Value) {
        let id = Next::take(&mut self.next.revision);
        let at = self.world.at.to_rfc3339();
        self.revisions
            .show(Some(id))
            .text(Some(entity))
            .show(Some(record))
            .show(Some(1))
            .text(Some("create"))
            .text(Some(&at))
            .json(after)
            .text(after["nation"].as_str());
        self.revisions.end();
    }

    /// People and events, shared by every chunk.
    fn world(&mut self, people: u64, events: u64) -> Result<(), GenerateError> {
        let roles = [
            "Defence Minister",
            "Foreign Minister",
            "Prime Minister",
            "envoy",
            "President",
        ];
        for _ in 0..people {
            let id = Next::take(&mut self.next.person);
            let nation = self.rng.pick(&self.world.nations).clone();
            let role = format!("{nation} {}", self.rng.pick(&roles));
            let name = format!("Official {id}");
            self.people
                .show(Some(id))
                .text(Some(&name))
                .text(Some(&role))
                .text(Some(&nation));
            self.people.end();
            let row = models::Person {
                id,
                name: name.clone(),
                role: Some(role.clone()),
                nation_code: Some(nation.clone()),
                retracted_at: None,
                retraction_reason: None,
            };
            self.revision("people", id, &to_value(views::person(row))?);
            let reference = types::PersonRef {
                id,
                name,
                role: Some(role),
            };
            self.world.people.push((id, reference, nation));
        }
        let kinds = [
            EventKind::Summit,
            EventKind::Meeting,
            EventKind::Declaration,
            EventKind::AttackReport,
        ];
        for _ in 0..events {
            let id = Next::take(&mut self.next.event);
            let kind = *self.rng.pick(&kinds);
            let occurred_on = self.rng.chance(80).then(|| self.date());
            let place = format!("City {}", self.rng.below(500));
            let title = format!("{} {id} in {place}", kind.as_str().replace('_', " "));
            let sentence = match occurred_on {
                Some(day) => format!("Delegations met as {title} on {day}."),
                None => format!("Delegations met as {title}."),
            };
            let (mut citation, reliability) = self.cite(sentence);
            citation.event_id = Some(id);
            let mut members: Vec<String> = Vec::new();
            while members.len() < 3 {
                let nation = self.rng.pick(&self.world.nations).clone();
                if !members.contains(&nation) {
                    members.push(nation);
                }
            }
            // In code order, as the service lists them.
            members.sort();
            let mut basis = serde_json::Map::new();
            basis.insert("participants".into(), stated(citation.id));
            if occurred_on.is_some() {
                basis.insert("occurred_on".into(), stated(citation.id));
            }
            let basis = Value::Object(basis);
            self.events
                .show(Some(id))
                .text(Some(kind.as_str()))
                .text(Some(&title))
                .show(occurred_on)
                .text(Some(&place))
                .text(None)
                .text(Some("A synthetic event."))
                .json(&basis);
            self.events.end();
            for nation in &members {
                self.participants.show(Some(id)).text(Some(nation)).text(None);
                self.participants.end();
            }
            let shown = self.citation_row(&citation, reliability)?;
            let row = models::Event {
                id,
                kind,
                title,
                occurred_on,
                location: Some(place),
                attendance: None,
                description: Some("A synthetic event.".into()),
                retracted_at: None,
                retraction_reason: None,
                inferred: any_inferred(&basis),
                basis,
            };
            let participants = members
                .into_iter()
                .map(|nation| types::Participant { nation, role: None })
                .collect();
            self.revision("events", id, &to_value(views::event(row, participants, vec![shown]))?);
            self.world.events.push(id);
        }
        Ok(())
    }

    fn commitment(&mut self) -> Result<(), GenerateError> {
        let id = Next::take(&mut self.next.commitment);
        let nation = self.rng.pick(&self.world.nations).clone();
        let kind = *self.rng.pick(CommitmentKind::ALL);
        let amount = 50 + self.rng.below(5_000);
        let quantity = self.rng.chance(50).then(|| format!("{amount} soldiers"));
        let summary = format!("{nation} {} offer {id}.", kind.as_str().replace('_', " "));
        let event = (self.rng.chance(30) && !self.world.events.is_empty()).then(|| *self.rng.pick(&self.world.events));
        let announcer =
            (self.rng.chance(20) && !self.world.people.is_empty()).then(|| self.rng.pick(&self.world.people).clone());
        let announced_on = self.rng.chance(50).then(|| self.date());
        let mut sentence = format!("{nation} would provide {}", kind.as_str().replace('_', " "));
        if let Some(q) = &quantity {
            let _ = write!(sentence, ", {q}");
        }
        if let Some((_, person, _)) = &announcer {
            let _ = write!(sentence, ", said {}", person.name);
        }
        if let Some(day) = announced_on {
            let _ = write!(sentence, " on {day}");
        }
        let _ = write!(sentence, " (#{id}).");
        let (mut citation, reliability) = self.cite(sentence);
        citation.commitment_id = Some(id);
        let mut basis = serde_json::Map::new();
        if quantity.is_some() {
            basis.insert("quantity".into(), stated(citation.id));
        }
        if announcer.is_some() {
            basis.insert("announced_by".into(), stated(citation.id));
        }
        if announced_on.is_some() {
            basis.insert("announced_on".into(), stated(citation.id));
        }
        if event.is_some() {
            basis.insert("event_id".into(), inferred("synthetic: reported beside the event"));
        }
        let basis = Value::Object(basis);
        let shown = self.citation_row(&citation, reliability)?;

        // One status step, a second for some.
        let statuses = [
            CommitmentStatus::Proposed,
            CommitmentStatus::Pledged,
            CommitmentStatus::InProgress,
            CommitmentStatus::Delivered,
            CommitmentStatus::Refused,
            CommitmentStatus::Withdrawn,
            CommitmentStatus::Endorsed,
        ];
        let mut history = Vec::new();
        let mut steps = Vec::new();
        let mut last_date: Option<NaiveDate> = None;
        for _ in 0..(1 + u64::from(self.rng.chance(30))) {
            let step = Next::take(&mut self.next.step);
            let status = *self.rng.pick(&statuses);
            let modality = if self.rng.chance(80) {
                Modality::Effective
            } else {
                Modality::Announced
            };
            let changed_on = self
                .rng
                .chance(60)
                .then(|| self.date())
                .map(|d| last_date.map_or(d, |l| d.max(l)));
            last_date = changed_on.or(last_date);
            let mut sentence = format!("#{id} {}", status.as_str().replace('_', " "));
            if let Some(day) = changed_on {
                let _ = write!(sentence, " from {day}");
            }
            let _ = write!(sentence, " (step {step}).");
            let (mut cited, reliability) = self.cite(sentence);
            cited.status_change_id = Some(step);
            let step_basis = match changed_on {
                Some(_) => json!({"changed_on": stated(cited.id)}),
                None => json!({}),
            };
            let row = models::StatusChange {
                id: step,
                commitment_id: id,
                status,
                changed_on,
                note: None,
                recorded_at: self.world.at,
                inferred: any_inferred(&step_basis),
                basis: step_basis,
                modality,
            };
            steps.push((row.clone(), cited, reliability));
            history.push(row);
        }
        let current = history.last().cloned().expect("one step at least");
        let row = models::Commitment {
            id,
            nation_code: nation.clone(),
            kind,
            status: current.status,
            summary,
            quantity_min: quantity.as_ref().map(|_| amount as f64),
            quantity_max: quantity.as_ref().map(|_| amount as f64),
            quantity_unit: quantity.as_ref().map(|_| "soldiers".to_owned()),
            quantity_text: quantity,
            role: ForceRole::Unspecified,
            conditions: None,
            announced_on,
            announced_by: announcer.as_ref().map(|(id, _, _)| *id),
            event_id: event,
            retracted_at: None,
            retraction_reason: None,
            inferred: any_inferred(&basis),
            basis,
        };
        let steps_inferred = history.iter().any(|h| h.inferred);
        self.commitments
            .show(Some(id))
            .text(Some(&row.nation_code))
            .text(Some(row.kind.as_str()))
            .text(Some(row.status.as_str()))
            .text(Some(&row.summary))
            .show(row.quantity_min)
            .show(row.quantity_max)
            .text(row.quantity_unit.as_deref())
            .text(row.quantity_text.as_deref())
            .text(Some(row.role.as_str()))
            .text(None)
            .show(row.announced_on)
            .show(row.announced_by)
            .show(row.event_id)
            .json(&row.basis)
            .text(Some(current.modality.as_str()))
            .show(current.changed_on)
            .show(Some(steps_inferred));
        self.commitments.end();
        let mut shown_history = Vec::new();
        for (step, cited, reliability) in steps {
            self.steps
                .show(Some(step.id))
                .show(Some(id))
                .text(Some(step.status.as_str()))
                .show(step.changed_on)
                .text(None)
                .show(Some(self.world.at.to_rfc3339()))
                .json(&step.basis)
                .text(Some(step.modality.as_str()));
            self.steps.end();
            let citation = self.citation_row(&cited, reliability)?;
            shown_history.push(views::status_change(step, vec![citation]));
        }
        let representation = views::commitment(row, vec![shown], shown_history, announcer.map(|(_, p, _)| p));
        self.revision("commitments", id, &to_value(representation)?);
        Ok(())
    }

    fn statement(&mut self) -> Result<(), GenerateError> {
        let id = Next::take(&mut self.next.statement);
        let (speaker_id, speaker, nation) = self.rng.pick(&self.world.people).clone();
        let stances = [
            Stance::Supportive,
            Stance::Opposed,
            Stance::Conditional,
            Stance::Neutral,
        ];
        let stance = *self.rng.pick(&stances);
        let said_on = self.rng.chance(50).then(|| self.date());
        let event = (self.rng.chance(20) && !self.world.events.is_empty()).then(|| *self.rng.pick(&self.world.events));
        let quote = format!("we stand by our partners, statement {id}");
        let sentence = match said_on {
            Some(day) => format!("{} said on {day}: \"{quote}\".", speaker.name),
            None => format!("{} said: \"{quote}\".", speaker.name),
        };
        let (mut citation, reliability) = self.cite(sentence);
        citation.statement_id = Some(id);
        let mut basis = serde_json::Map::new();
        basis.insert("speaker".into(), stated(citation.id));
        basis.insert("stance".into(), inferred("synthetic: the stance read from the words"));
        if said_on.is_some() {
            basis.insert("said_on".into(), stated(citation.id));
        }
        if event.is_some() {
            basis.insert("event_id".into(), inferred("synthetic: said beside the event"));
        }
        let basis = Value::Object(basis);
        let summary = format!("{} spoke for {nation}, synthetic statement {id}.", speaker.name);
        self.statements
            .show(Some(id))
            .show(Some(speaker_id))
            .text(None)
            .text(Some(&nation))
            .show(event)
            .text(Some(&quote))
            .text(Some(&summary))
            .show(said_on)
            .text(Some(stance.as_str()))
            .json(&basis);
        self.statements.end();
        let shown = self.citation_row(&citation, reliability)?;
        let row = models::Statement {
            id,
            speaker_id: Some(speaker_id),
            attribution: None,
            nation_code: Some(nation),
            event_id: event,
            quote: Some(quote),
            summary,
            said_on,
            stance,
            retracted_at: None,
            retraction_reason: None,
            inferred: any_inferred(&basis),
            basis,
        };
        self.revision(
            "statements",
            id,
            &to_value(views::statement(row, vec![shown], Some(speaker)))?,
        );
        Ok(())
    }

    fn claim(&mut self) -> Result<(), GenerateError> {
        let id = Next::take(&mut self.next.claim);
        let kind = if self.rng.chance(50) {
            ClaimKind::Report
        } else {
            ClaimKind::PartyClaim
        };
        let value = (1 + self.rng.below(900)) as f64;
        let claimed_by = self.rng.pick(&self.world.nations).clone();
        let reported_on = self.rng.chance(50).then(|| self.date());
        let sentence = match reported_on {
            Some(day) => format!("{claimed_by} reported {value} drones downed on {day} (claim {id})."),
            None => format!("{claimed_by} reported {value} drones downed (claim {id})."),
        };
        let (mut citation, reliability) = self.cite(sentence);
        citation.claim_id = Some(id);
        let basis = match reported_on {
            Some(_) => json!({"reported_on": stated(citation.id)}),
            None => json!({}),
        };
        let description = format!("Drones reported downed, synthetic claim {id}.");
        self.claims
            .show(Some(id))
            .text(Some(kind.as_str()))
            .text(Some(&description))
            .show(Some(value))
            .text(Some("drones"))
            .text(None)
            .text(None)
            .text(Some(&claimed_by))
            .show(reported_on)
            .show(None::<i64>)
            .json(&basis);
        self.claims.end();
        let shown = self.citation_row(&citation, reliability)?;
        let row = models::Claim {
            id,
            kind,
            description,
            value: Some(value),
            unit: Some("drones".into()),
            period: None,
            location: None,
            claimed_by: Some(claimed_by),
            reported_on,
            event_id: None,
            retracted_at: None,
            retraction_reason: None,
            inferred: any_inferred(&basis),
            basis,
        };
        self.revision("claims", id, &to_value(views::claim(row, vec![shown]))?);
        Ok(())
    }

    /// Every table's gathered rows, referenced tables first.
    fn batch(&mut self) -> Vec<Batch> {
        self.finish_source();
        [
            &mut self.sources,
            &mut self.people,
            &mut self.events,
            &mut self.participants,
            &mut self.commitments,
            &mut self.steps,
            &mut self.statements,
            &mut self.claims,
            &mut self.citations,
            &mut self.revisions,
        ]
        .into_iter()
        .filter_map(CopyRows::take)
        .collect()
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
        "every commitment has a status history, and its status is its latest step's",
        "commitments",
        "SELECT count(*) FROM commitments t LEFT JOIN (
            SELECT DISTINCT ON (commitment_id) commitment_id, status FROM commitment_status_changes
             WHERE commitment_id > $1 ORDER BY commitment_id, id DESC) s ON s.commitment_id = t.id
          WHERE t.id > $1 AND t.status IS DISTINCT FROM s.status",
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
        "every record has one current revision",
        "revisions",
        "SELECT count(*) FROM (SELECT entity, record_id FROM revisions WHERE id > $1 GROUP BY 1, 2 HAVING count(*) <> 1) r",
    ),
];

/// Drops the keys and indexes of `table` (one no foreign key references); returns the statements
/// that make them again.
async fn set_aside(client: &Client, table: &str) -> Result<Vec<String>, GenerateError> {
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

async fn max_id(client: &Client, table: &str) -> Result<i64, GenerateError> {
    let row = client
        .query_one(&format!("SELECT coalesce(max(id), 0)::bigint FROM {table}"), &[])
        .await?;
    Ok(row.get(0))
}

/// Adds the planned records to the database at `url`, in one transaction; `progress` hears how
/// many commitments are loaded as the run goes.
pub async fn generate(url: &str, plan: Plan, mut progress: impl FnMut(u64, u64)) -> Result<Report, GenerateError> {
    let started = std::time::Instant::now();
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
    let next = Next {
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
    let bases = [
        ("citations", next.citation),
        ("commitments", next.commitment),
        ("commitment_status_changes", next.step),
        ("statements", next.statement),
        ("claims", next.claim),
        ("events", next.event),
        ("revisions", next.revision),
    ];
    // Every trigger of the loaded tables is off, those that keep a record's words (its search
    // vector) too: the staged tables are given their words as they move in, and the events and
    // claims theirs once the load is done (see STAGED and WORDS).
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
    let at = Utc::now().trunc_subsecs(6);
    let mut loader = Loader {
        rng: Rng(plan.seed ^ 0xA11C_E5EE_D000_0001),
        next,
        world: World {
            nations,
            people: Vec::new(),
            events: Vec::new(),
            at,
        },
        sources: CopyRows::new(
            "sources",
            "id, kind, title, publisher, url, published_on, retrieved_at, text, reliability, reliability_note",
        ),
        people: CopyRows::new("people", "id, name, role, nation_code"),
        events: CopyRows::new("events", "id, kind, title, occurred_on, location, attendance, description, basis"),
        participants: CopyRows::new("event_participants", "event_id, nation_code, role"),
        commitments: CopyRows::new(
            "commitments",
            "id, nation_code, kind, status, summary, quantity_min, quantity_max, quantity_unit, quantity_text, role, \
             conditions, announced_on, announced_by, event_id, basis, status_modality, status_changed_on, steps_inferred",
        ),
        steps: CopyRows::new(
            "commitment_status_changes",
            "id, commitment_id, status, changed_on, note, recorded_at, basis, modality",
        ),
        statements: CopyRows::new(
            "statements",
            "id, speaker_id, attribution, nation_code, event_id, quote, summary, said_on, stance, basis",
        ),
        claims: CopyRows::new(
            "claims",
            "id, kind, description, value, unit, period, location, claimed_by, reported_on, event_id, basis",
        ),
        citations: CopyRows::new(
            "citations",
            "id, source_id, start_offset, end_offset, excerpt, commitment_id, status_change_id, statement_id, event_id, claim_id",
        ),
        revisions: CopyRows::new("revisions", "id, entity, record_id, version, action, changed_at, after, nation"),
        draft: None,
    };
    let staged_columns = [
        ("commitments", loader.commitments.columns),
        ("statements", loader.statements.columns),
    ];
    // The rows are made on a thread of their own while the database loads the batch before.
    let (batches, mut received) = tokio::sync::mpsc::channel::<Result<(u64, Vec<Batch>), GenerateError>>(2);
    let producer = std::thread::spawn(move || {
        let mut produce = || -> Result<(), GenerateError> {
            loader.world((plan.commitments / 200).max(1), (plan.commitments / 100).max(1))?;
            let _ = batches.blocking_send(Ok((0, loader.batch())));
            let mut done = 0;
            while done < plan.commitments {
                let count = CHUNK.min(plan.commitments - done);
                for i in 0..count {
                    loader.commitment()?;
                    if (done + i) % 5 == 0 {
                        loader.statement()?;
                    }
                    if (done + i) % 50 == 0 {
                        loader.claim()?;
                    }
                }
                done += count;
                if batches.blocking_send(Ok((done, loader.batch()))).is_err() {
                    break;
                }
            }
            Ok(())
        };
        if let Err(error) = produce() {
            let _ = batches.blocking_send(Err(error));
        }
    });
    let mut added: Vec<(&'static str, u64)> = Vec::new();
    let mut spent: std::collections::BTreeMap<&'static str, f64> = Default::default();
    let mut waiting = 0.0;
    loop {
        let began = std::time::Instant::now();
        let Some(batch) = received.recv().await else { break };
        waiting += began.elapsed().as_secs_f64();
        let (done, tables) = batch?;
        for rows in tables {
            let table = rows.table;
            let began = std::time::Instant::now();
            let sent = rows.send(transaction).await?;
            *spent.entry(table).or_default() += began.elapsed().as_secs_f64();
            match added.iter_mut().find(|(t, _)| *t == table) {
                Some((_, n)) => *n += sent,
                None => added.push((table, sent)),
            }
        }
        if done > 0 {
            progress(done, plan.commitments);
        } else {
            // The first batch is the world: the people are in, the stages can look them up.
            make_stages(transaction, &staged_columns).await?;
        }
    }
    let _ = producer.join();
    log::debug!("generate: seconds loading each table {spent:?}, waiting for rows {waiting:.1}");

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
        let base = bases.iter().find(|(t, _)| *t == table).map_or(0, |(_, b)| *b);
        transaction.execute(update, &[&base]).await?;
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
            &[&bases[1].1, &bases[3].1, &bases[0].1, &bases[5].1, &bases[2].1],
        )
        .await?;
    for statement in &restore {
        transaction.batch_execute(statement).await?;
    }
    // What the triggers would have done row by row, done set-based.
    transaction
        .batch_execute(
            "UPDATE changes SET n = n + 1;
             INSERT INTO kb_meta (key, value) VALUES ('generated', now()::text)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        )
        .await?;
    // The new revisions are of this code's shape; a database that records an older one keeps
    // saying so, and is refreshed when the service starts.
    transaction
        .execute(
            "INSERT INTO kb_meta (key, value) VALUES ('representation', $1) ON CONFLICT (key) DO NOTHING",
            &[&crate::api::history::REPRESENTATION],
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
        let base = bases.iter().find(|(t, _)| t == table).map_or(0, |(_, b)| *b);
        let row = transaction.query_one(*check, &[&base]).await?;
        let broken: i64 = row.get(0);
        if broken > 0 {
            return Err(GenerateError::Invalid(format!("{rule}: {broken} rows do not")));
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
    Ok(Report {
        rows: added,
        seconds: started.elapsed().as_secs_f64(),
    })
}
