//! The curated seed: files in `seed/` (compiled into the binary) that turn sources into records.
//! Each record has a stable key; loading writes the records whose keys the database has not seen,
//! in one transaction under the schema lock, so loading twice changes nothing. Citations name an
//! excerpt, and the loader finds it in the source text to store its offsets.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use diesel_async::{AsyncConnection, AsyncPgConnection};
use serde::Deserialize;

use crate::basis::FieldBasis;
use crate::db::models::*;
use crate::db::queries::writes;
use crate::records::history::{self, Action, Entity};
use crate::spans::{self, SpanError};
use crate::vocab::*;

/// The seed files, in load order: name and JSON text.
pub const SEED_FILES: &[(&str, &str)] = &[
    ("organizations.json", include_str!("../seed/organizations.json")),
    ("paris-2026-01-07.json", include_str!("../seed/paris-2026-01-07.json")),
];

/// The source texts the seed files refer to, byte for byte.
pub const SEED_TEXTS: &[(&str, &str)] = &[("paris-2026-01-07.txt", include_str!("../seed/paris-2026-01-07.txt"))];

/// A seed could not be loaded; nothing of it was written.
#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    /// A seed file is not valid.
    #[error("seed file {file}: {reason}")]
    File {
        /// The file's name.
        file: String,
        /// What is wrong.
        reason: String,
    },
    /// A record could not be written.
    #[error("seed record `{key}`: {reason}")]
    Record {
        /// The record's key.
        key: String,
        /// What is wrong.
        reason: String,
    },
    /// The database failed.
    #[error("database error while seeding: {0}")]
    Database(#[from] diesel::result::Error),
}

/// How many records a load wrote, and how many it found already there.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct SeedReport {
    /// Records written, by entity.
    pub inserted: std::collections::BTreeMap<&'static str, usize>,
    /// Records whose keys were already loaded.
    pub skipped: usize,
}

impl SeedReport {
    /// Total records written.
    pub fn inserted_total(&self) -> usize {
        self.inserted.values().sum()
    }
}

impl std::fmt::Display for SeedReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let parts: Vec<String> = self.inserted.iter().map(|(k, v)| format!("{v} {k}")).collect();
        if parts.is_empty() {
            write!(f, "nothing new ({} records already loaded)", self.skipped)
        } else {
            write!(
                f,
                "loaded {}; {} records already loaded",
                parts.join(", "),
                self.skipped
            )
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct SeedFile {
    #[serde(default, rename = "_comment")]
    _comment: Option<String>,
    #[serde(default)]
    organizations: Vec<SeedOrganization>,
    #[serde(default)]
    sources: Vec<SeedSource>,
    #[serde(default)]
    people: Vec<SeedPerson>,
    #[serde(default)]
    events: Vec<SeedEvent>,
    #[serde(default)]
    commitments: Vec<SeedCommitment>,
    #[serde(default)]
    statements: Vec<SeedStatement>,
    #[serde(default)]
    claims: Vec<SeedClaim>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SeedOrganization {
    key: String,
    name: String,
    abbreviation: Option<String>,
    kind: OrganizationKind,
    description: Option<String>,
    members: Vec<SeedMember>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SeedMember {
    nation: String,
    joined_on: Option<NaiveDate>,
    #[serde(default)]
    left_on: Option<NaiveDate>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SeedSource {
    key: String,
    kind: SourceKind,
    title: String,
    publisher: Option<String>,
    url: Option<String>,
    published_on: Option<NaiveDate>,
    retrieved_at: DateTime<Utc>,
    reliability: Reliability,
    reliability_note: Option<String>,
    text_file: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SeedPerson {
    key: String,
    name: String,
    role: Option<String>,
    nation: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SeedCitation {
    source: String,
    excerpt: String,
    /// Which occurrence of the excerpt, from 1, when it appears more than once.
    #[serde(default)]
    occurrence: Option<usize>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SeedParticipant {
    nation: String,
    role: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SeedEvent {
    key: String,
    kind: EventKind,
    title: String,
    occurred_on: Option<NaiveDate>,
    location: Option<String>,
    attendance: Option<String>,
    description: Option<String>,
    participants: Vec<SeedParticipant>,
    citations: Vec<SeedCitation>,
    #[serde(default)]
    basis: SeedBasis,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SeedQuantity {
    /// Given only when the source states a range; else the quantity rules derive it from `text`.
    #[serde(default)]
    min: Option<f64>,
    #[serde(default)]
    max: Option<f64>,
    unit: Option<String>,
    text: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SeedStatusChange {
    status: CommitmentStatus,
    #[serde(default = "effective")]
    modality: Modality,
    changed_on: Option<NaiveDate>,
    note: Option<String>,
    citations: Vec<SeedCitation>,
    #[serde(default)]
    basis: SeedBasis,
}

fn effective() -> Modality {
    Modality::Effective
}

/// Where a seeded value comes from: `{"stated": <index of the record's citation that states
/// it>}` or `{"inferred": "<the reasoning>"}`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
enum SeedGround {
    Stated(usize),
    Inferred(String),
}

/// A seeded record's bases, by the API's field name.
type SeedBasis = std::collections::BTreeMap<String, SeedGround>;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SeedCommitment {
    key: String,
    nation: String,
    kind: CommitmentKind,
    summary: String,
    quantity: Option<SeedQuantity>,
    role: ForceRole,
    conditions: Option<String>,
    announced_on: Option<NaiveDate>,
    announced_by: Option<String>,
    event: Option<String>,
    citations: Vec<SeedCitation>,
    history: Vec<SeedStatusChange>,
    #[serde(default)]
    basis: SeedBasis,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SeedStatement {
    key: String,
    speaker: Option<String>,
    attribution: Option<String>,
    nation: Option<String>,
    event: Option<String>,
    quote: Option<String>,
    summary: String,
    said_on: Option<NaiveDate>,
    stance: Stance,
    citations: Vec<SeedCitation>,
    #[serde(default)]
    basis: SeedBasis,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SeedClaim {
    key: String,
    kind: ClaimKind,
    description: String,
    value: Option<f64>,
    unit: Option<String>,
    period: Option<String>,
    location: Option<String>,
    claimed_by: Option<String>,
    reported_on: Option<NaiveDate>,
    event: Option<String>,
    citations: Vec<SeedCitation>,
    #[serde(default)]
    basis: SeedBasis,
}

fn parse_files(files: &[(&str, &str)]) -> Result<Vec<SeedFile>, SeedError> {
    files
        .iter()
        .map(|(name, text)| {
            serde_json::from_str::<SeedFile>(text).map_err(|e| SeedError::File {
                file: (*name).to_owned(),
                reason: e.to_string(),
            })
        })
        .collect()
}

/// Checks the built-in seed files without a database: each parses, each key is unique, and each
/// citation's excerpt is found in its source text.
pub fn check_builtin() -> Result<(), SeedError> {
    let files = parse_files(SEED_FILES)?;
    let mut keys = std::collections::HashSet::new();
    let mut texts: HashMap<&str, &str> = HashMap::new();
    for file in &files {
        for source in &file.sources {
            texts.insert(source.key.as_str(), text_of(&source.key, &source.text_file)?);
        }
    }
    for file in &files {
        let all_keys = file
            .organizations
            .iter()
            .map(|r| &r.key)
            .chain(file.sources.iter().map(|r| &r.key))
            .chain(file.people.iter().map(|r| &r.key))
            .chain(file.events.iter().map(|r| &r.key))
            .chain(file.commitments.iter().map(|r| &r.key))
            .chain(file.statements.iter().map(|r| &r.key))
            .chain(file.claims.iter().map(|r| &r.key));
        for key in all_keys {
            if !keys.insert(key.clone()) {
                return Err(SeedError::Record {
                    key: key.clone(),
                    reason: "the key is used twice".into(),
                });
            }
        }
        let citations = file
            .events
            .iter()
            .flat_map(|r| r.citations.iter().map(move |c| (&r.key, c)))
            .chain(file.commitments.iter().flat_map(|r| {
                r.citations
                    .iter()
                    .chain(r.history.iter().flat_map(|h| h.citations.iter()))
                    .map(move |c| (&r.key, c))
            }))
            .chain(
                file.statements
                    .iter()
                    .flat_map(|r| r.citations.iter().map(move |c| (&r.key, c))),
            )
            .chain(
                file.claims
                    .iter()
                    .flat_map(|r| r.citations.iter().map(move |c| (&r.key, c))),
            );
        for (key, citation) in citations {
            let text = texts.get(citation.source.as_str()).ok_or_else(|| SeedError::Record {
                key: key.clone(),
                reason: format!("cites source `{}`, which no seed file defines", citation.source),
            })?;
            span_of(key, text, citation)?;
        }
    }
    Ok(())
}

fn text_of(key: &str, file: &str) -> Result<&'static str, SeedError> {
    SEED_TEXTS
        .iter()
        .find(|(name, _)| *name == file)
        .map(|(_, text)| *text)
        .ok_or_else(|| SeedError::Record {
            key: key.to_owned(),
            reason: format!("text file `{file}` is not among the seed texts"),
        })
}

/// The code-point offsets of a citation's excerpt in its source text.
fn span_of(key: &str, text: &str, citation: &SeedCitation) -> Result<(i32, i32), SeedError> {
    let fail = |reason: String| SeedError::Record {
        key: key.to_owned(),
        reason,
    };
    spans::locate(text, &citation.excerpt, citation.occurrence).map_err(|e| {
        fail(match e {
            SpanError::Empty => "a citation has an empty excerpt".into(),
            SpanError::NotFound => format!(
                "excerpt not found in source `{}`: \"{}\"",
                citation.source, citation.excerpt
            ),
            SpanError::Ambiguous(n) => format!(
                "excerpt occurs {n} times in source `{}`; say which with \"occurrence\": \"{}\"",
                citation.source, citation.excerpt
            ),
            SpanError::NoSuchOccurrence { asked, found } => format!(
                "occurrence {asked} asked, but the excerpt occurs {found} times: \"{}\"",
                citation.excerpt
            ),
            SpanError::TooFar | SpanError::BeyondEnd(_) => "offset beyond 2^31 code points".into(),
        })
    })
}

/// Loads the built-in seed files.
pub async fn load_builtin(conn: &mut AsyncPgConnection) -> Result<SeedReport, SeedError> {
    load(conn, SEED_FILES).await
}

/// Loads seed files: every record whose key is new, in one transaction.
pub async fn load(conn: &mut AsyncPgConnection, files: &[(&str, &str)]) -> Result<SeedReport, SeedError> {
    let files = parse_files(files)?;
    let files = &files;
    conn.transaction::<_, SeedError, _>(async |conn| {
        crate::db::lock_schema_for_transaction(conn).await?;
        let mut loader = Loader::new(conn).await?;
        for file in files {
            loader.load_file(file).await?;
        }
        loader.record_history().await?;
        Ok(loader.report)
    })
    .await
}

struct Loader<'c> {
    conn: &'c mut AsyncPgConnection,
    known: HashMap<String, i64>,
    texts: HashMap<String, &'static str>,
    report: SeedReport,
    /// The records written, by kind, whose first revision is stored at the end.
    written: HashMap<Entity, Vec<i64>>,
}

/// Wraps a database error with the key of the record being written.
fn at(key: &str) -> impl Fn(diesel::result::Error) -> SeedError + '_ {
    move |e| SeedError::Record {
        key: key.to_owned(),
        reason: e.to_string(),
    }
}

impl<'c> Loader<'c> {
    async fn new(conn: &'c mut AsyncPgConnection) -> Result<Self, SeedError> {
        let known = writes::seed_records(conn).await?.into_iter().collect();
        Ok(Loader {
            conn,
            known,
            texts: HashMap::new(),
            report: SeedReport::default(),
            written: HashMap::new(),
        })
    }

    fn lookup(&self, key: &str, wanted: &str) -> Result<i64, SeedError> {
        self.known.get(wanted).copied().ok_or_else(|| SeedError::Record {
            key: key.to_owned(),
            reason: format!("refers to `{wanted}`, which no seed record defines before it"),
        })
    }

    fn lookup_opt(&self, key: &str, wanted: Option<&String>) -> Result<Option<i64>, SeedError> {
        wanted.map(|w| self.lookup(key, w)).transpose()
    }

    /// Whether the record is new; if it is not, counts it as skipped.
    fn is_new(&mut self, key: &str) -> bool {
        if self.known.contains_key(key) {
            self.report.skipped += 1;
            false
        } else {
            true
        }
    }

    async fn remember(&mut self, key: &str, entity: &'static str, id: i64) -> Result<(), SeedError> {
        writes::remember_seed_record(
            self.conn,
            NewSeedRecord {
                key,
                entity,
                record_id: id,
            },
        )
        .await
        .map_err(at(key))?;
        self.known.insert(key.to_owned(), id);
        *self.report.inserted.entry(entity).or_default() += 1;
        if let Some(kind) = Entity::from_name(entity) {
            self.written.entry(kind).or_default().push(id);
        }
        Ok(())
    }

    async fn cite(
        &mut self,
        key: &str,
        citations: &[SeedCitation],
        target: impl Fn(&mut NewCitation<'_>),
    ) -> Result<Vec<i64>, SeedError> {
        if citations.is_empty() {
            return Err(SeedError::Record {
                key: key.to_owned(),
                reason: "has no citation; every fact needs one".into(),
            });
        }
        let mut ids = Vec::with_capacity(citations.len());
        for citation in citations {
            let source_id = self.lookup(key, &citation.source)?;
            let text = self
                .texts
                .get(&citation.source)
                .copied()
                .ok_or_else(|| SeedError::Record {
                    key: key.to_owned(),
                    reason: format!("cites `{}`, which is not a source", citation.source),
                })?;
            let (start, end) = span_of(key, text, citation)?;
            let mut row = NewCitation {
                source_id,
                start_offset: start,
                end_offset: end,
                excerpt: &citation.excerpt,
                ..Default::default()
            };
            target(&mut row);
            let id = writes::insert_citation(self.conn, row).await.map_err(at(key))?;
            ids.push(id);
        }
        // Citations are records with a history of their own, like the facts they support.
        self.written.entry(Entity::Citations).or_default().extend(&ids);
        Ok(ids)
    }

    /// Stores a seeded record's bases: every value it sets has one (stated, naming one of its
    /// citations; or inferred, with the reasoning), and none is given for a value it leaves out.
    /// `fields` names each field that can carry a basis and whether the record sets it; `implied`
    /// are the bases the service's rules give.
    async fn ground(
        &mut self,
        key: &str,
        (table, id): (&'static str, i64),
        basis: &SeedBasis,
        fields: &[(&str, bool)],
        cited: &[i64],
        implied: Option<(&str, FieldBasis)>,
    ) -> Result<(), SeedError> {
        let fail = |reason: String| SeedError::Record {
            key: key.to_owned(),
            reason,
        };
        let mut stored = serde_json::Map::new();
        if let Some((field, basis)) = implied {
            stored.insert(field.to_owned(), basis.stored());
        }
        for (field, ground) in basis {
            let Some((_, set)) = fields.iter().find(|(name, _)| name == field) else {
                return Err(fail(format!("gives a basis for `{field}`, which takes none here")));
            };
            if !set {
                return Err(fail(format!(
                    "gives a basis for `{field}`, which it leaves without a value"
                )));
            }
            if stored.contains_key(field) {
                return Err(fail(format!("gives a basis for `{field}`, which a rule derives")));
            }
            let entry = match ground {
                SeedGround::Stated(i) => FieldBasis::stated(*cited.get(*i).ok_or_else(|| {
                    fail(format!(
                        "says `{field}` is stated in its citation {i}, but it has {}",
                        cited.len()
                    ))
                })?),
                SeedGround::Inferred(note) if note.trim().is_empty() => {
                    return Err(fail(format!("infers `{field}` without saying why")))
                }
                SeedGround::Inferred(note) => FieldBasis::inferred(note.clone(), crate::basis::BY_SEED),
            };
            stored.insert(field.clone(), entry.stored());
        }
        for (field, set) in fields {
            if *set && !stored.contains_key(*field) {
                return Err(fail(format!(
                    "sets `{field}` without a basis: say which citation states it, or that it is inferred and why"
                )));
            }
        }
        if !stored.is_empty() {
            crate::db::queries::writes::set_basis(self.conn, table, id, &serde_json::Value::Object(stored))
                .await
                .map_err(at(key))?;
        }
        Ok(())
    }

    /// Stores the first revision of every record written, so that reads `as_of` a later moment
    /// find them.
    async fn record_history(&mut self) -> Result<(), SeedError> {
        for entity in Entity::ALL {
            if let Some(ids) = self.written.get(&entity) {
                history::snapshot(self.conn, entity, ids, Action::Create, None)
                    .await
                    .map_err(|e| SeedError::Record {
                        key: format!("history of {}", entity.name()),
                        reason: e.to_string(),
                    })?;
            }
        }
        Ok(())
    }

    /// Writes a seed file's records, kind after kind in the order their references need.
    async fn load_file(&mut self, file: &SeedFile) -> Result<(), SeedError> {
        for org in &file.organizations {
            self.load_organization(org).await?;
        }
        for source in &file.sources {
            self.load_source(source).await?;
        }
        for person in &file.people {
            self.load_person(person).await?;
        }
        for event in &file.events {
            self.load_event(event).await?;
        }
        for commitment in &file.commitments {
            self.load_commitment(commitment).await?;
        }
        for statement in &file.statements {
            self.load_statement(statement).await?;
        }
        for claim in &file.claims {
            self.load_claim(claim).await?;
        }
        Ok(())
    }

    /// Writes one organization of a seed file, with its members, unless its key is loaded.
    async fn load_organization(&mut self, org: &SeedOrganization) -> Result<(), SeedError> {
        if !self.is_new(&org.key) {
            return Ok(());
        }
        let id = writes::insert_organization(
            self.conn,
            NewOrganization {
                name: &org.name,
                abbreviation: org.abbreviation.as_deref(),
                kind: org.kind,
                description: org.description.as_deref(),
            },
            |id| {
                org.members
                    .iter()
                    .map(|m| Membership {
                        organization_id: id,
                        nation_code: m.nation.clone(),
                        joined_on: m.joined_on,
                        left_on: m.left_on,
                    })
                    .collect()
            },
        )
        .await
        .map_err(at(&org.key))?;
        self.remember(&org.key, "organizations", id).await?;
        Ok(())
    }

    /// Keeps a source's text for the citations that quote it, and writes the source unless its
    /// key is loaded.
    async fn load_source(&mut self, source: &SeedSource) -> Result<(), SeedError> {
        let text = text_of(&source.key, &source.text_file)?;
        self.texts.insert(source.key.clone(), text);
        if !self.is_new(&source.key) {
            return Ok(());
        }
        let id: i64 = writes::insert_source(
            self.conn,
            NewSource {
                kind: source.kind,
                title: &source.title,
                publisher: source.publisher.as_deref(),
                url: source.url.as_deref(),
                published_on: source.published_on,
                retrieved_at: source.retrieved_at,
                text,
                reliability: source.reliability,
                reliability_note: source.reliability_note.as_deref(),
            },
        )
        .await
        .map_err(at(&source.key))?;
        self.remember(&source.key, "sources", id).await?;
        Ok(())
    }

    /// Writes one person of a seed file, unless its key is loaded.
    async fn load_person(&mut self, person: &SeedPerson) -> Result<(), SeedError> {
        if !self.is_new(&person.key) {
            return Ok(());
        }
        let id: i64 = writes::insert_person(
            self.conn,
            NewPerson {
                name: &person.name,
                role: person.role.as_deref(),
                nation_code: person.nation.as_deref(),
            },
        )
        .await
        .map_err(at(&person.key))?;
        self.remember(&person.key, "people", id).await?;
        Ok(())
    }

    /// Writes one event of a seed file, with its citations and basis, unless its key is loaded.
    async fn load_event(&mut self, event: &SeedEvent) -> Result<(), SeedError> {
        if !self.is_new(&event.key) {
            return Ok(());
        }
        let id: i64 = writes::insert_event(
            self.conn,
            NewEvent {
                kind: event.kind,
                title: &event.title,
                occurred_on: event.occurred_on,
                location: event.location.as_deref(),
                attendance: event.attendance.as_deref(),
                description: event.description.as_deref(),
            },
        )
        .await
        .map_err(at(&event.key))?;
        let participants: Vec<Participant> = event
            .participants
            .iter()
            .map(|p| Participant {
                event_id: id,
                nation_code: p.nation.clone(),
                role: p.role.clone(),
            })
            .collect();
        writes::set_participants(self.conn, id, &participants)
            .await
            .map_err(at(&event.key))?;
        let cited = self
            .cite(&event.key, &event.citations, |c| c.event_id = Some(id))
            .await?;
        let fields = [
            ("occurred_on", event.occurred_on.is_some()),
            ("location", event.location.is_some()),
            ("participants", !event.participants.is_empty()),
        ];
        self.ground(&event.key, ("events", id), &event.basis, &fields, &cited, None)
            .await?;
        self.remember(&event.key, "events", id).await?;
        Ok(())
    }

    /// Writes one statement of a seed file, with its citations and basis, unless its key is loaded.
    async fn load_statement(&mut self, statement: &SeedStatement) -> Result<(), SeedError> {
        if !self.is_new(&statement.key) {
            return Ok(());
        }
        if let Some(quote) = &statement.quote {
            if !statement.citations.iter().any(|c| c.excerpt.contains(quote.as_str())) {
                return Err(SeedError::Record {
                    key: statement.key.clone(),
                    reason: format!("the quote \"{quote}\" is in none of its excerpts; a quote must be verbatim"),
                });
            }
        }
        let speaker_id = self.lookup_opt(&statement.key, statement.speaker.as_ref())?;
        let event_id = self.lookup_opt(&statement.key, statement.event.as_ref())?;
        let id: i64 = writes::insert_statement(
            self.conn,
            NewStatement {
                speaker_id,
                attribution: statement.attribution.as_deref(),
                nation_code: statement.nation.as_deref(),
                event_id,
                quote: statement.quote.as_deref(),
                summary: &statement.summary,
                said_on: statement.said_on,
                stance: statement.stance,
            },
        )
        .await
        .map_err(at(&statement.key))?;
        let cited = self
            .cite(&statement.key, &statement.citations, |c| c.statement_id = Some(id))
            .await?;
        let fields = [
            ("said_on", statement.said_on.is_some()),
            ("speaker", speaker_id.is_some()),
            ("event_id", event_id.is_some()),
            ("stance", statement.stance != Stance::Unclear),
        ];
        self.ground(
            &statement.key,
            ("statements", id),
            &statement.basis,
            &fields,
            &cited,
            None,
        )
        .await?;
        self.remember(&statement.key, "statements", id).await?;
        Ok(())
    }

    /// Writes one claim of a seed file, with its citations and basis, unless its key is loaded.
    async fn load_claim(&mut self, claim: &SeedClaim) -> Result<(), SeedError> {
        if !self.is_new(&claim.key) {
            return Ok(());
        }
        let event_id = self.lookup_opt(&claim.key, claim.event.as_ref())?;
        let id: i64 = writes::insert_claim(
            self.conn,
            NewClaim {
                kind: claim.kind,
                description: &claim.description,
                value: claim.value,
                unit: claim.unit.as_deref(),
                period: claim.period.as_deref(),
                location: claim.location.as_deref(),
                claimed_by: claim.claimed_by.as_deref(),
                reported_on: claim.reported_on,
                event_id,
            },
        )
        .await
        .map_err(at(&claim.key))?;
        let cited = self
            .cite(&claim.key, &claim.citations, |c| c.claim_id = Some(id))
            .await?;
        let fields = [
            ("reported_on", claim.reported_on.is_some()),
            ("event_id", event_id.is_some()),
            ("location", claim.location.is_some()),
        ];
        self.ground(&claim.key, ("claims", id), &claim.basis, &fields, &cited, None)
            .await?;
        self.remember(&claim.key, "claims", id).await?;
        Ok(())
    }

    /// Writes one commitment of a seed file, with its status history, citations and basis, unless
    /// its key is loaded.
    async fn load_commitment(&mut self, c: &SeedCommitment) -> Result<(), SeedError> {
        if !self.is_new(&c.key) {
            return Ok(());
        }
        let last = c.history.last().ok_or_else(|| SeedError::Record {
            key: c.key.clone(),
            reason: "has no status history; give at least its current status".into(),
        })?;
        let announced_by = self.lookup_opt(&c.key, c.announced_by.as_ref())?;
        let event_id = self.lookup_opt(&c.key, c.event.as_ref())?;
        // A range the seed does not state is derived from the words by the quantity rules.
        let derived = c
            .quantity
            .as_ref()
            .filter(|q| q.min.is_none() && q.max.is_none())
            .and_then(|q| crate::quantity::derive(&q.text));
        let (min, max) = match (&derived, &c.quantity) {
            (Some(d), _) => (d.min, d.max),
            (None, Some(q)) => (q.min, q.max),
            (None, None) => (None, None),
        };
        let id: i64 = writes::insert_commitment(
            self.conn,
            NewCommitment {
                nation_code: &c.nation,
                kind: c.kind,
                status: last.status,
                summary: &c.summary,
                quantity_min: min,
                quantity_max: max,
                quantity_unit: c.quantity.as_ref().and_then(|q| q.unit.as_deref()),
                quantity_text: c.quantity.as_ref().map(|q| q.text.as_str()),
                role: c.role,
                conditions: c.conditions.as_deref(),
                announced_on: c.announced_on,
                announced_by,
                event_id,
            },
        )
        .await
        .map_err(at(&c.key))?;
        let cited = self
            .cite(&c.key, &c.citations, |row| row.commitment_id = Some(id))
            .await?;
        let fields = [
            ("quantity", min.is_some() || max.is_some()),
            ("role", c.role != ForceRole::Unspecified),
            ("conditions", c.conditions.is_some()),
            ("announced_on", c.announced_on.is_some()),
            ("announced_by", announced_by.is_some()),
            ("event_id", event_id.is_some()),
        ];
        let implied = derived.map(|d| ("quantity", FieldBasis::inferred(d.rule, crate::basis::BY_RULE)));
        self.ground(&c.key, ("commitments", id), &c.basis, &fields, &cited, implied)
            .await?;
        for change in &c.history {
            let change_id: i64 = writes::insert_status_change(
                self.conn,
                NewStatusChange {
                    commitment_id: id,
                    status: change.status,
                    changed_on: change.changed_on,
                    note: change.note.as_deref(),
                    modality: change.modality,
                    basis: serde_json::json!({}),
                },
            )
            .await
            .map_err(at(&c.key))?;
            let cited = self
                .cite(&c.key, &change.citations, |row| row.status_change_id = Some(change_id))
                .await?;
            let fields = [("status", true), ("changed_on", change.changed_on.is_some())];
            self.ground(
                &c.key,
                ("commitment_status_changes", change_id),
                &change.basis,
                &fields,
                &cited,
                None,
            )
            .await?;
        }
        self.remember(&c.key, "commitments", id).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_seed_is_consistent() {
        check_builtin().unwrap();
    }

    #[test]
    fn offsets_count_code_points_not_bytes() {
        let citation = SeedCitation {
            source: "s".into(),
            excerpt: "defense".into(),
            occurrence: None,
        };
        // "Kyiv’s" holds a three-byte apostrophe before the excerpt.
        let (start, end) = span_of("k", "Kyiv’s defense", &citation).unwrap();
        assert_eq!((start, end), (7, 14));
    }

    #[test]
    fn a_missing_excerpt_names_the_record() {
        let citation = SeedCitation {
            source: "s".into(),
            excerpt: "absent".into(),
            occurrence: None,
        };
        let err = span_of("commitment:x", "some text", &citation).unwrap_err();
        assert!(err.to_string().contains("commitment:x"));
        assert!(err.to_string().contains("not found"));
    }
}
