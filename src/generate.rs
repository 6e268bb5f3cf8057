//! Synthetic data for measuring the service at size: `alliance-kb generate --commitments N` adds N
//! commitments with proportional statements, claims, events, people, sources, citations, status
//! changes and revisions, deterministic for a seed.
//!
//! Every record obeys every rule of the database: citations are exact spans of their sources'
//! texts, every fact has its citation and every commitment its status history, every basis names
//! one of its record's own citations, and each record's revision is the representation the
//! service itself gives it (built by the same `views` functions). The rows are streamed with
//! `COPY` in one transaction, with the tables' own triggers off while they load; the words (search
//! vectors) of the sources, commitments and statements are made meanwhile in a second session, by
//! the triggers' own functions, on the other core; what the other triggers do row by row is then
//! done set-based (the tallies and the timeline rebuilt, the sequences moved) and what they check
//! is checked set-based over the new rows before the transaction commits. Any failure leaves
//! nothing written.

use std::fmt::Write as _;

use chrono::{DateTime, Duration, NaiveDate, SubsecRound, Utc};
use serde::Serialize;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::db::bulk::{Bases, BulkError, BulkLoad, WordsInput, WordsMaker};
use crate::db::models;
use crate::records::history::Entity;
use crate::records::{representations as types, views};
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

impl From<BulkError> for GenerateError {
    fn from(error: BulkError) -> Self {
        match error {
            BulkError::Database(error) => GenerateError::Database(error),
            BulkError::Broken(rule) => GenerateError::Invalid(rule),
        }
    }
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
    /// For a table whose last column is its words: the fields they are made of, row by row.
    words: WordsInput,
    /// A representation's JSON, serialized here before it is escaped into `buf`.
    scratch: Vec<u8>,
}

impl CopyRows {
    fn new(table: &'static str, columns: &'static str) -> Self {
        CopyRows {
            table,
            columns,
            buf: String::new(),
            rows: 0,
            first: true,
            words: WordsInput::default(),
            scratch: Vec::new(),
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
            Some(v) => escape(v, &mut self.buf),
        }
        self
    }

    /// The fields the row's words are made of (its last column, filled in by [`with_words`]).
    fn words_of(&mut self, fields: &[Option<&str>]) {
        self.words.push(fields);
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

    /// A representation as a JSON field, serialized straight from its type (as the service
    /// stores it), not through a `Value`.
    fn json_of<T: Serialize>(&mut self, value: &T) -> Result<&mut Self, GenerateError> {
        self.scratch.clear();
        serde_json::to_writer(&mut self.scratch, value)?;
        self.sep();
        let text = std::str::from_utf8(&self.scratch).map_err(|e| GenerateError::Invalid(e.to_string()))?;
        escape(text, &mut self.buf);
        Ok(self)
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
            let words = std::mem::take(&mut self.words);
            Batch {
                table: self.table,
                columns: self.columns,
                data: std::mem::take(&mut self.buf),
                words: (words.rows() > 0).then_some(words),
            }
        })
    }
}

/// Rows of one table, ready for `COPY` once their words (if any) are added.
struct Batch {
    table: &'static str,
    columns: &'static str,
    data: String,
    /// What the rows' words are made of, when their last column is still to come.
    words: Option<WordsInput>,
}

/// Writes `value` as a field of COPY's text format.
fn escape(value: &str, out: &mut String) {
    // The characters COPY escapes are ASCII, never inside a multibyte character. Most values
    // hold none (looked for without branching, then copied whole); otherwise the text between
    // them is copied a run at a time.
    if !value
        .bytes()
        .fold(false, |any, b| any | matches!(b, b'\\' | b'\n' | b'\r' | b'\t'))
    {
        out.push_str(value);
        return;
    }
    let mut start = 0;
    for (i, byte) in value.bytes().enumerate() {
        let escaped = match byte {
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            _ => continue,
        };
        out.push_str(&value[start..i]);
        out.push_str(escaped);
        start = i + 1;
    }
    out.push_str(&value[start..]);
}

/// Ends each row of `data` with its words: the last column, one vector per row, in order.
fn with_words(data: &str, words: &[String]) -> Result<String, GenerateError> {
    let rows: Vec<&str> = data.split_terminator('\n').collect();
    if rows.len() != words.len() {
        return Err(GenerateError::Invalid(format!(
            "{} words for {} rows",
            words.len(),
            rows.len()
        )));
    }
    let mut out = String::with_capacity(data.len() + words.iter().map(|w| w.len() + 2).sum::<usize>());
    for (row, vector) in rows.into_iter().zip(words) {
        out.push_str(row);
        out.push('\t');
        escape(vector, &mut out);
        out.push('\n');
    }
    Ok(out)
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

/// A representation kept as a record's revision: the history's entity it is of, and the nation
/// its revisions are listed under (the representation's own `nation`).
trait Kept: Serialize {
    const ENTITY: Entity;
    fn nation(&self) -> Option<&str> {
        None
    }
}

impl Kept for types::Source {
    const ENTITY: Entity = Entity::Sources;
}

impl Kept for types::CitationRecord {
    const ENTITY: Entity = Entity::Citations;
}

impl Kept for types::Event {
    const ENTITY: Entity = Entity::Events;
}

impl Kept for types::Claim {
    const ENTITY: Entity = Entity::Claims;
}

impl Kept for types::Person {
    const ENTITY: Entity = Entity::People;
    fn nation(&self) -> Option<&str> {
        self.nation.as_deref()
    }
}

impl Kept for types::Commitment {
    const ENTITY: Entity = Entity::Commitments;
    fn nation(&self) -> Option<&str> {
        Some(&self.nation)
    }
}

impl Kept for types::Statement {
    const ENTITY: Entity = Entity::Statements;
    fn nation(&self) -> Option<&str> {
        self.nation.as_deref()
    }
}

/// The next id of a table, from the last one taken (one of the load's `Bases`, as it goes).
fn take(counter: &mut i64) -> i64 {
    *counter += 1;
    *counter
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
    /// The ids taken so far in each table, so that the new rows follow them.
    next: Bases,
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
    fn cite(&mut self, sentence: String) -> Result<(models::Citation, Reliability), GenerateError> {
        if self.draft.as_ref().is_none_or(|d| d.sentences >= SENTENCES_PER_SOURCE) {
            self.finish_source()?;
            let id = take(&mut self.next.source);
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
            id: take(&mut self.next.citation),
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
        Ok((citation, draft.reliability))
    }

    /// Writes the source being filled, with its revision.
    fn finish_source(&mut self) -> Result<(), GenerateError> {
        let Some(draft) = self.draft.take() else { return Ok(()) };
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
        self.sources.words_of(&[Some(&title), Some(&draft.text)]);
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
        self.revision(draft.id, &views::source(summary, length, draft.text))
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
        self.revision(c.id, &views::citation_record(c.clone(), reliability))?;
        Ok(views::citation_view(c.clone(), reliability))
    }

    fn revision<T: Kept>(&mut self, record: i64, after: &T) -> Result<(), GenerateError> {
        let id = take(&mut self.next.revision);
        let at = self.world.at.to_rfc3339();
        self.revisions
            .show(Some(id))
            .text(Some(T::ENTITY.name()))
            .show(Some(record))
            .show(Some(1))
            .text(Some("create"))
            .text(Some(&at))
            .json_of(after)?
            .text(after.nation());
        self.revisions.end();
        Ok(())
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
            let id = take(&mut self.next.person);
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
            self.revision(id, &views::person(row))?;
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
            let id = take(&mut self.next.event);
            let kind = *self.rng.pick(&kinds);
            let occurred_on = self.rng.chance(80).then(|| self.date());
            let place = format!("City {}", self.rng.below(500));
            let title = format!("{} {id} in {place}", kind.as_str().replace('_', " "));
            let sentence = match occurred_on {
                Some(day) => format!("Delegations met as {title} on {day}."),
                None => format!("Delegations met as {title}."),
            };
            let (mut citation, reliability) = self.cite(sentence)?;
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
                disputed: false,
            };
            let participants = members
                .into_iter()
                .map(|nation| types::Participant { nation, role: None })
                .collect();
            self.revision(id, &views::event(row, participants, vec![shown]))?;
            self.world.events.push(id);
        }
        Ok(())
    }

    fn commitment(&mut self) -> Result<(), GenerateError> {
        let id = take(&mut self.next.commitment);
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
        let (mut citation, reliability) = self.cite(sentence)?;
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
            let step = take(&mut self.next.step);
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
            let (mut cited, reliability) = self.cite(sentence)?;
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
            disputed: false,
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
        match current.basis.get("changed_on") {
            Some(basis) => self.commitments.json(basis),
            None => self.commitments.text(None),
        };
        self.commitments.text(Some(&format!("{{{}}}", citation.id)));
        let announcer_ref = announcer.as_ref().map(|(_, person, _)| person);
        self.commitments.words_of(&[
            Some(&row.summary),
            row.conditions.as_deref(),
            row.quantity_text.as_deref(),
            row.quantity_unit.as_deref(),
            Some(&row.nation_code),
            announcer_ref.map(|p| p.name.as_str()),
            announcer_ref.and_then(|p| p.role.as_deref()),
        ]);
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
        self.revision(id, &representation)
    }

    fn statement(&mut self) -> Result<(), GenerateError> {
        let id = take(&mut self.next.statement);
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
        let (mut citation, reliability) = self.cite(sentence)?;
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
        self.statements.words_of(&[
            Some(&summary),
            Some(&quote),
            None,
            Some(&nation),
            Some(&speaker.name),
            speaker.role.as_deref(),
        ]);
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
            disputed: false,
        };
        self.revision(id, &views::statement(row, vec![shown], Some(speaker)))
    }

    fn claim(&mut self) -> Result<(), GenerateError> {
        let id = take(&mut self.next.claim);
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
        let (mut citation, reliability) = self.cite(sentence)?;
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
            disputed: false,
        };
        self.revision(id, &views::claim(row, vec![shown]))
    }

    /// Every table's gathered rows, referenced tables first.
    fn batch(&mut self) -> Result<Vec<Batch>, GenerateError> {
        self.finish_source()?;
        Ok([
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
        .collect::<Vec<_>>())
    }
}

/// Gives the batches whose last column is their words those words, made by `maker`.
async fn add_words(maker: &WordsMaker, mut tables: Vec<Batch>) -> Result<Vec<Batch>, GenerateError> {
    for batch in &mut tables {
        if let Some(input) = batch.words.take() {
            let words = maker.words(batch.table, &input).await?;
            batch.data = with_words(&batch.data, &words)?;
        }
    }
    Ok(tables)
}

/// Adds the planned records to the database at `url`, in one transaction; `progress` hears how
/// many commitments are loaded as the run goes.
pub async fn generate(url: &str, plan: Plan, mut progress: impl FnMut(u64, u64)) -> Result<Report, GenerateError> {
    let started = std::time::Instant::now();
    // Opened first: it reads the nations' words, which the load's session then locks.
    let maker = WordsMaker::open(url).await?;
    let mut load = BulkLoad::begin(url).await?;
    let nations = std::mem::take(&mut load.nations);
    let at = Utc::now().trunc_subsecs(6);
    let mut loader = Loader {
        rng: Rng(plan.seed ^ 0xA11C_E5EE_D000_0001),
        next: load.bases,
        world: World {
            nations,
            people: Vec::new(),
            events: Vec::new(),
            at,
        },
        sources: CopyRows::new(
            "sources",
            "id, kind, title, publisher, url, published_on, retrieved_at, text, reliability, reliability_note, search_vector",
        ),
        people: CopyRows::new("people", "id, name, role, nation_code"),
        events: CopyRows::new("events", "id, kind, title, occurred_on, location, attendance, description, basis"),
        participants: CopyRows::new("event_participants", "event_id, nation_code, role"),
        commitments: CopyRows::new(
            "commitments",
            "id, nation_code, kind, status, summary, quantity_min, quantity_max, quantity_unit, quantity_text, role, \
             conditions, announced_on, announced_by, event_id, basis, status_modality, status_changed_on, steps_inferred, \
             status_changed_on_basis, citation_ids, search_vector",
        ),
        steps: CopyRows::new(
            "commitment_status_changes",
            "id, commitment_id, status, changed_on, note, recorded_at, basis, modality",
        ),
        statements: CopyRows::new(
            "statements",
            "id, speaker_id, attribution, nation_code, event_id, quote, summary, said_on, stance, basis, search_vector",
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
    // The rows are made on a thread of their own while the database loads the batch before.
    let (batches, mut received) = tokio::sync::mpsc::channel::<Result<(u64, Vec<Batch>), GenerateError>>(2);
    let producer = std::thread::spawn(move || {
        let mut produce = || -> Result<(), GenerateError> {
            loader.world((plan.commitments / 200).max(1), (plan.commitments / 100).max(1))?;
            let _ = batches.blocking_send(Ok((0, loader.batch()?)));
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
                if batches.blocking_send(Ok((done, loader.batch()?))).is_err() {
                    break;
                }
            }
            Ok(())
        };
        if let Err(error) = produce() {
            let _ = batches.blocking_send(Err(error));
        }
    });
    // Their words are made in a session of their own while the load's session copies the batch
    // before: a stage between the thread that makes rows and the load.
    let (worded, mut ready) = tokio::sync::mpsc::channel::<Result<(u64, Vec<Batch>), GenerateError>>(1);
    let wording = tokio::spawn(async move {
        while let Some(batch) = received.recv().await {
            let batch = match batch {
                Ok((done, tables)) => add_words(&maker, tables).await.map(|tables| (done, tables)),
                Err(error) => Err(error),
            };
            let failed = batch.is_err();
            if worded.send(batch).await.is_err() || failed {
                break;
            }
        }
        maker.close().await;
    });
    let mut added: Vec<(&'static str, u64)> = Vec::new();
    let mut spent: std::collections::BTreeMap<&'static str, f64> = Default::default();
    let mut waiting = 0.0;
    loop {
        let began = std::time::Instant::now();
        let Some(batch) = ready.recv().await else { break };
        waiting += began.elapsed().as_secs_f64();
        let (done, tables) = batch?;
        for rows in tables {
            let table = rows.table;
            let began = std::time::Instant::now();
            let sent = load.copy(table, rows.columns, rows.data).await?;
            *spent.entry(table).or_default() += began.elapsed().as_secs_f64();
            match added.iter_mut().find(|(t, _)| *t == table) {
                Some((_, n)) => *n += sent,
                None => added.push((table, sent)),
            }
        }
        if done > 0 {
            progress(done, plan.commitments);
        }
    }
    let _ = wording.await;
    let _ = producer.join();
    load.finish(&spent, waiting, crate::records::history::REPRESENTATION)
        .await?;
    Ok(Report {
        rows: added,
        seconds: started.elapsed().as_secs_f64(),
    })
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn copy_text_escapes_backslashes_and_line_and_field_breaks_and_keeps_the_rest() {
        let mut out = String::new();
        escape("a\\b\tc\nd\re – é\\", &mut out);
        assert_eq!(out, "a\\\\b\\tc\\nd\\re – é\\\\");
        let mut plain = String::from("x");
        escape("Zelensky’s “coalition”", &mut plain);
        assert_eq!(plain, "xZelensky’s “coalition”");
    }
}
