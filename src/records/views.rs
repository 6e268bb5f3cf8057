//! Builds the API's response types from rows. Whatever a page's length, the related records
//! (citations, histories, people, participants) come in one query per kind, never one per row.

use std::collections::HashMap;

use diesel::QueryResult;
use diesel_async::AsyncPgConnection;

use super::representations as types;
use crate::db::models;
use crate::db::queries::citations::{self, Fact};
use crate::db::queries::competing_values::{self, Disputable};
use crate::db::queries::{commitments, events, people};
use crate::vocab::{Basis, Reliability};

/// The citation rows read while facts were built, by id: a write that stores both a fact and its
/// citations makes the citations' own records from these instead of reading them again.
#[derive(Debug, Default)]
pub struct CitationRows(HashMap<i64, (models::Citation, Reliability)>);

impl CitationRows {
    fn keep<'a>(&mut self, rows: impl Iterator<Item = &'a (models::Citation, Reliability)>) {
        self.0.extend(rows.map(|(c, r)| (c.id, (c.clone(), *r))));
    }

    /// The row of a citation read already, if it was.
    pub fn take(&mut self, id: i64) -> Option<(models::Citation, Reliability)> {
        self.0.remove(&id)
    }
}

/// Citations grouped by the id of the fact they support.
struct CitationIndex(HashMap<i64, Vec<types::Citation>>);

impl CitationIndex {
    async fn load(conn: &mut AsyncPgConnection, fact: Fact, ids: &[i64], seen: &mut CitationRows) -> QueryResult<Self> {
        let rows = citations::for_facts(conn, fact, ids).await?;
        seen.keep(rows.iter());
        Ok(Self::of(fact, rows.iter()))
    }

    /// The citations of one kind of fact among `rows`.
    fn of<'a>(fact: Fact, rows: impl Iterator<Item = &'a (models::Citation, Reliability)>) -> Self {
        let mut index: HashMap<i64, Vec<types::Citation>> = HashMap::new();
        for (citation, reliability) in rows {
            if let Some(id) = citation.fact_id(fact) {
                index
                    .entry(id)
                    .or_default()
                    .push(citation_view(citation.clone(), *reliability));
            }
        }
        CitationIndex(index)
    }

    fn take(&mut self, id: i64) -> Vec<types::Citation> {
        self.0.remove(&id).unwrap_or_default()
    }
}

/// A citation as its fact shows it.
pub fn citation_view(row: models::Citation, reliability: Reliability) -> types::Citation {
    types::Citation {
        id: row.id,
        source_id: row.source_id,
        start: row.start_offset,
        end: row.end_offset,
        excerpt: row.excerpt,
        reliability,
    }
}

/// A fact whose values can be disputed: its id, its own citations and where its disputes go.
trait Contested: serde::Serialize {
    fn id(&self) -> i64;
    fn citations(&self) -> &[types::Citation];
    fn set_disputes(&mut self, disputes: Vec<types::Dispute>);
}

macro_rules! contested {
    ($($fact:ty),*) => {$(
        impl Contested for $fact {
            fn id(&self) -> i64 {
                self.id
            }
            fn citations(&self) -> &[types::Citation] {
                &self.citations
            }
            fn set_disputes(&mut self, disputes: Vec<types::Dispute>) {
                self.disputed = !disputes.is_empty();
                self.disputes = disputes;
            }
        }
    )*};
}

contested!(types::Commitment, types::Statement, types::Claim, types::Event);

/// The ids of the rows that the database marks disputed (a live competing value names them): only
/// theirs are looked up.
fn disputed<R>(rows: &[R], flag: impl Fn(&R) -> (i64, bool)) -> Vec<i64> {
    rows.iter().map(flag).filter(|(_, d)| *d).map(|(id, _)| id).collect()
}

/// Competing values grouped by the id of the fact they compete on, with their citations.
struct Disputes(HashMap<i64, Vec<(models::CompetingValue, Vec<types::Citation>)>>);

impl Disputes {
    /// The live competing values of the given facts, in two queries (none when there are none,
    /// nor when no fact is given).
    async fn load(conn: &mut AsyncPgConnection, fact: Disputable, ids: &[i64]) -> QueryResult<Self> {
        if ids.is_empty() {
            return Ok(Disputes(HashMap::new()));
        }
        let values = competing_values::for_facts(conn, fact, ids).await?;
        let value_ids: Vec<i64> = values.iter().map(|v| v.id).collect();
        let mut cites =
            CitationIndex::load(conn, Fact::CompetingValue, &value_ids, &mut CitationRows::default()).await?;
        let mut by_fact: HashMap<i64, Vec<_>> = HashMap::new();
        for value in values {
            let citations = cites.take(value.id);
            by_fact.entry(value.fact().1).or_default().push((value, citations));
        }
        Ok(Disputes(by_fact))
    }

    /// Gives each fact its disputes.
    fn attach<T: Contested>(mut self, items: &mut [T]) {
        for item in items {
            let disputes = self.of(item.id(), &*item, item.citations());
            item.set_disputes(disputes);
        }
    }

    /// The disputes of one fact: per field, its own value (read from its representation) with
    /// its citations, then each competing value with its own.
    fn of<T: serde::Serialize>(&mut self, id: i64, record: &T, own: &[types::Citation]) -> Vec<types::Dispute> {
        let Some(values) = self.0.remove(&id) else {
            return Vec::new();
        };
        let record = serde_json::to_value(record).unwrap_or_default();
        let mut disputes: Vec<types::Dispute> = Vec::new();
        for (value, citations) in values {
            let position = match disputes.iter().position(|d| d.field == value.field) {
                Some(position) => position,
                None => {
                    disputes.push(types::Dispute {
                        field: value.field.clone(),
                        values: vec![types::DisputedValue {
                            value: record[value.field.as_str()].clone(),
                            competing_value_id: None,
                            note: None,
                            citations: own.to_vec(),
                        }],
                    });
                    disputes.len() - 1
                }
            };
            disputes[position].values.push(types::DisputedValue {
                value: value.value,
                competing_value_id: Some(value.id),
                note: value.note,
                citations,
            });
        }
        disputes
    }
}

/// The retraction of a record, if it has been retracted.
fn retraction(at: Option<chrono::DateTime<chrono::Utc>>, reason: Option<String>) -> Option<types::Retraction> {
    at.map(|at| types::Retraction {
        at,
        reason: reason.unwrap_or_default(),
    })
}

/// A citation row as a record of its own.
pub fn citation_record(row: models::Citation, reliability: Reliability) -> types::CitationRecord {
    let (fact, fact_id) = row.fact();
    let fact_type = fact.name();
    types::CitationRecord {
        id: row.id,
        source_id: row.source_id,
        start: row.start_offset,
        end: row.end_offset,
        excerpt: row.excerpt,
        reliability,
        fact_type: fact_type.to_owned(),
        fact_id,
        retracted: retraction(row.retracted_at, row.retraction_reason),
    }
}

/// The reliability of the most reliable source among the citations.
fn best_reliability(citations: &[types::Citation]) -> Option<Reliability> {
    citations.iter().map(|c| c.reliability).max()
}

async fn people_by_id(
    conn: &mut AsyncPgConnection,
    ids: impl Iterator<Item = i64>,
) -> QueryResult<HashMap<i64, types::PersonRef>> {
    let mut ids: Vec<i64> = ids.collect();
    ids.sort_unstable();
    ids.dedup();
    Ok(people::by_ids(conn, &ids)
        .await?
        .into_iter()
        .map(|p| {
            (
                p.id,
                types::PersonRef {
                    id: p.id,
                    name: p.name,
                    role: p.role,
                },
            )
        })
        .collect())
}

/// Nation rows as API nations.
pub fn nation(row: models::Nation) -> types::Nation {
    types::Nation {
        code: row.code,
        alpha3: row.alpha3,
        name: row.name,
        common_name: row.common_name,
        official_name: row.official_name,
    }
}

/// A person row as an API person.
pub fn person(row: models::Person) -> types::Person {
    types::Person {
        id: row.id,
        name: row.name,
        role: row.role,
        nation: row.nation_code,
        retracted: retraction(row.retracted_at, row.retraction_reason),
    }
}

/// A source row as a list entry.
pub fn source_summary(row: models::SourceSummary, length: i32) -> types::SourceSummary {
    types::SourceSummary {
        id: row.id,
        kind: row.kind,
        title: row.title,
        publisher: row.publisher,
        url: row.url,
        published_on: row.published_on,
        retrieved_at: row.retrieved_at,
        sha256: row.sha256,
        reliability: row.reliability,
        reliability_note: row.reliability_note,
        length: i64::from(length),
        retracted: retraction(row.retracted_at, row.retraction_reason),
    }
}

/// A source row with its text.
pub fn source(row: models::SourceSummary, length: i32, text: String) -> types::Source {
    types::Source {
        id: row.id,
        kind: row.kind,
        title: row.title,
        publisher: row.publisher,
        url: row.url,
        published_on: row.published_on,
        retrieved_at: row.retrieved_at,
        sha256: row.sha256,
        reliability: row.reliability,
        reliability_note: row.reliability_note,
        length: i64::from(length),
        text,
        retracted: retraction(row.retracted_at, row.retraction_reason),
    }
}

/// Organization rows with their members.
pub async fn organizations(
    conn: &mut AsyncPgConnection,
    rows: Vec<models::Organization>,
) -> QueryResult<Vec<types::Organization>> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let mut members: HashMap<i64, Vec<types::Member>> = HashMap::new();
    for m in crate::db::queries::organizations::members(conn, &ids).await? {
        members.entry(m.organization_id).or_default().push(types::Member {
            nation: m.nation_code,
            joined_on: m.joined_on,
            left_on: m.left_on,
        });
    }
    Ok(rows
        .into_iter()
        .map(|r| types::Organization {
            members: members.remove(&r.id).unwrap_or_default(),
            id: r.id,
            name: r.name,
            abbreviation: r.abbreviation,
            kind: r.kind,
            description: r.description,
        })
        .collect())
}

/// One status step as the API shows it.
pub fn status_change(change: models::StatusChange, citations: Vec<types::Citation>) -> types::StatusChange {
    types::StatusChange {
        status: change.status,
        modality: change.modality,
        changed_on: change.changed_on,
        basis: types::StatusChangeBasis::from_stored(&change.basis),
        note: change.note,
        recorded_at: change.recorded_at,
        citations,
    }
}

/// One commitment as the API shows it, from its row and related records (before its disputes).
pub fn commitment(
    r: models::Commitment,
    citations: Vec<types::Citation>,
    history: Vec<types::StatusChange>,
    announced_by: Option<types::PersonRef>,
) -> types::Commitment {
    // A commitment's history counts too: an inferred status or date is an inferred value.
    let inferred = r.inferred
        || history.iter().any(|h| {
            [&h.basis.status, &h.basis.changed_on]
                .into_iter()
                .any(|b| b.as_ref().is_some_and(|b| b.basis == Basis::Inferred))
        });
    types::Commitment {
        basis: types::CommitmentBasis::from_stored(&r.basis),
        inferred,
        id: r.id,
        nation: r.nation_code,
        kind: r.kind,
        status: r.status,
        summary: r.summary,
        quantity: r.quantity_text.map(|text| types::Quantity {
            min: r.quantity_min,
            max: r.quantity_max,
            unit: r.quantity_unit,
            text,
        }),
        role: r.role,
        conditions: r.conditions,
        announced_on: r.announced_on,
        announced_by,
        event_id: r.event_id,
        reliability: best_reliability(&citations),
        citations,
        history,
        retracted: retraction(r.retracted_at, r.retraction_reason),
        disputed: false,
        disputes: Vec::new(),
    }
}

/// Commitment rows with their citations, histories and announcers; the citation rows read are
/// kept in `seen`.
pub async fn commitments(
    conn: &mut AsyncPgConnection,
    rows: Vec<models::Commitment>,
    seen: &mut CitationRows,
) -> QueryResult<Vec<types::Commitment>> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let all_citations = citations::for_commitments_and_changes(conn, &ids).await?;
    seen.keep(all_citations.iter());
    let mut cites = CitationIndex::of(Fact::Commitment, all_citations.iter());
    let mut change_cites = CitationIndex::of(Fact::StatusChange, all_citations.iter());
    let changes = commitments::history(conn, &ids).await?;
    let mut history: HashMap<i64, Vec<types::StatusChange>> = HashMap::new();
    for change in changes {
        let cited = change_cites.take(change.id);
        history
            .entry(change.commitment_id)
            .or_default()
            .push(status_change(change, cited));
    }
    let announcers = people_by_id(conn, rows.iter().filter_map(|r| r.announced_by)).await?;
    let disputes = Disputes::load(conn, Disputable::Commitment, &disputed(&rows, |r| (r.id, r.disputed))).await?;
    let mut items: Vec<types::Commitment> = rows
        .into_iter()
        .map(|r| {
            let announced_by = r.announced_by.and_then(|id| announcers.get(&id).cloned());
            let (citations, steps) = (cites.take(r.id), history.remove(&r.id).unwrap_or_default());
            commitment(r, citations, steps, announced_by)
        })
        .collect();
    disputes.attach(&mut items);
    Ok(items)
}

/// One statement as the API shows it, from its row, citations and speaker (before its disputes).
pub fn statement(
    r: models::Statement,
    citations: Vec<types::Citation>,
    speaker: Option<types::PersonRef>,
) -> types::Statement {
    types::Statement {
        basis: types::StatementBasis::from_stored(&r.basis),
        inferred: r.inferred,
        id: r.id,
        speaker,
        attribution: r.attribution,
        nation: r.nation_code,
        event_id: r.event_id,
        quote: r.quote,
        summary: r.summary,
        said_on: r.said_on,
        stance: r.stance,
        reliability: best_reliability(&citations),
        citations,
        retracted: retraction(r.retracted_at, r.retraction_reason),
        disputed: false,
        disputes: Vec::new(),
    }
}

/// Statement rows with their citations and speakers; the citation rows read are kept in `seen`.
pub async fn statements(
    conn: &mut AsyncPgConnection,
    rows: Vec<models::Statement>,
    seen: &mut CitationRows,
) -> QueryResult<Vec<types::Statement>> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let mut cites = CitationIndex::load(conn, Fact::Statement, &ids, seen).await?;
    let speakers = people_by_id(conn, rows.iter().filter_map(|r| r.speaker_id)).await?;
    let disputes = Disputes::load(conn, Disputable::Statement, &disputed(&rows, |r| (r.id, r.disputed))).await?;
    let mut items: Vec<types::Statement> = rows
        .into_iter()
        .map(|r| {
            let speaker = r.speaker_id.and_then(|id| speakers.get(&id).cloned());
            let citations = cites.take(r.id);
            statement(r, citations, speaker)
        })
        .collect();
    disputes.attach(&mut items);
    Ok(items)
}

/// One claim as the API shows it, from its row and citations (before its disputes).
pub fn claim(r: models::Claim, citations: Vec<types::Citation>) -> types::Claim {
    types::Claim {
        basis: types::ClaimBasis::from_stored(&r.basis),
        inferred: r.inferred,
        id: r.id,
        kind: r.kind,
        description: r.description,
        value: r.value,
        unit: r.unit,
        period: r.period,
        location: r.location,
        claimed_by: r.claimed_by,
        reported_on: r.reported_on,
        event_id: r.event_id,
        reliability: best_reliability(&citations),
        citations,
        retracted: retraction(r.retracted_at, r.retraction_reason),
        disputed: false,
        disputes: Vec::new(),
    }
}

/// Claim rows with their citations; the citation rows read are kept in `seen`.
pub async fn claims(
    conn: &mut AsyncPgConnection,
    rows: Vec<models::Claim>,
    seen: &mut CitationRows,
) -> QueryResult<Vec<types::Claim>> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let mut cites = CitationIndex::load(conn, Fact::Claim, &ids, seen).await?;
    let disputes = Disputes::load(conn, Disputable::Claim, &disputed(&rows, |r| (r.id, r.disputed))).await?;
    let mut items: Vec<types::Claim> = rows
        .into_iter()
        .map(|r| {
            let citations = cites.take(r.id);
            claim(r, citations)
        })
        .collect();
    disputes.attach(&mut items);
    Ok(items)
}

/// One event as the API shows it, from its row, participants and citations (before its
/// disputes).
pub fn event(r: models::Event, participants: Vec<types::Participant>, citations: Vec<types::Citation>) -> types::Event {
    types::Event {
        basis: types::EventBasis::from_stored(&r.basis),
        inferred: r.inferred,
        id: r.id,
        kind: r.kind,
        title: r.title,
        occurred_on: r.occurred_on,
        location: r.location,
        attendance: r.attendance,
        description: r.description,
        participants,
        reliability: best_reliability(&citations),
        citations,
        retracted: retraction(r.retracted_at, r.retraction_reason),
        disputed: false,
        disputes: Vec::new(),
    }
}

/// Event rows with their participants and citations; the citation rows read are kept in `seen`.
pub async fn events(
    conn: &mut AsyncPgConnection,
    rows: Vec<models::Event>,
    seen: &mut CitationRows,
) -> QueryResult<Vec<types::Event>> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let mut cites = CitationIndex::load(conn, Fact::Event, &ids, seen).await?;
    let mut participants: HashMap<i64, Vec<types::Participant>> = HashMap::new();
    for p in events::participants(conn, &ids).await? {
        participants.entry(p.event_id).or_default().push(types::Participant {
            nation: p.nation_code,
            role: p.role,
        });
    }
    let disputes = Disputes::load(conn, Disputable::Event, &disputed(&rows, |r| (r.id, r.disputed))).await?;
    let mut items: Vec<types::Event> = rows
        .into_iter()
        .map(|r| {
            let (members, citations) = (participants.remove(&r.id).unwrap_or_default(), cites.take(r.id));
            event(r, members, citations)
        })
        .collect();
    disputes.attach(&mut items);
    Ok(items)
}
