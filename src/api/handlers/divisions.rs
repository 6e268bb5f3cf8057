//! The divisions matrix: for an event (or everything), one row per nation and one column per kind
//! of commitment, each cell what the nation did about that kind, with the evidence behind it.

use std::collections::{BTreeMap, BTreeSet};

use actix_web::http::header;
use actix_web::{get, web, HttpRequest, HttpResponse};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::api::error::ApiError;
use crate::api::formats::{self, Format};
use crate::api::params::{Id, Query};
use crate::basis::{self, FieldBasis};
use crate::db::models::{Commitment, StatusChange};
use crate::db::queries::citations::{self, Fact};
use crate::db::queries::events;
use crate::schema::commitments;
use crate::startup::AppState;
use crate::vocab::{CommitmentKind, CommitmentStatus, Modality};

/// What the matrix is drawn for.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DivisionParams {
    /// Only commitments made at this event; without it, all of them.
    #[param(value_type = Option<i64>, minimum = 1, example = 1)]
    pub event: Option<Id>,
    /// The columns: kinds of commitment, comma-separated; without it, every kind.
    #[param(
        example = "troops,naval_support,air_support,security_guarantee",
        pattern = "^(troops|naval_support|air_support|funding|ammunition|equipment|military_hubs|training|intelligence|security_guarantee)(,(troops|naval_support|air_support|funding|ammunition|equipment|military_hubs|training|intelligence|security_guarantee))*$"
    )]
    pub kinds: Option<String>,
}

/// What a nation did about one kind of commitment, summarised from the current status of each of
/// its commitments of that kind by one rule: an `effective` status outranks an `announced` one;
/// among equals, the later date wins, and a dated status outranks an undated one; when the
/// commitments left tie and their statuses differ, the cell is `mixed` (read `commitments`).
/// `no_record` when there is none (which is not a refusal). Never the order they were recorded in.
#[derive(Debug, Clone, Copy, Serialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
#[schema(example = "refused")]
pub enum CellStatus {
    /// Intent signalled.
    Proposed,
    /// Promised.
    Pledged,
    /// Being carried out.
    InProgress,
    /// Carried out.
    Delivered,
    /// Declined.
    Refused,
    /// Stopped after having been given.
    Withdrawn,
    /// Deliberately left out.
    Omitted,
    /// Backed in words, with no contribution of its own specified.
    Endorsed,
    /// Its commitments stand differently and the rule ranks none above the others.
    Mixed,
    /// The knowledge base holds nothing: not a refusal.
    NoRecord,
}

impl CellStatus {
    /// The status as written in answers.
    pub fn as_str(self) -> &'static str {
        match self {
            CellStatus::NoRecord => "no_record",
            CellStatus::Proposed => "proposed",
            CellStatus::Pledged => "pledged",
            CellStatus::InProgress => "in_progress",
            CellStatus::Delivered => "delivered",
            CellStatus::Refused => "refused",
            CellStatus::Withdrawn => "withdrawn",
            CellStatus::Omitted => "omitted",
            CellStatus::Endorsed => "endorsed",
            CellStatus::Mixed => "mixed",
        }
    }
}

impl From<CommitmentStatus> for CellStatus {
    fn from(status: CommitmentStatus) -> Self {
        match status {
            CommitmentStatus::Proposed => CellStatus::Proposed,
            CommitmentStatus::Pledged => CellStatus::Pledged,
            CommitmentStatus::InProgress => CellStatus::InProgress,
            CommitmentStatus::Delivered => CellStatus::Delivered,
            CommitmentStatus::Refused => CellStatus::Refused,
            CommitmentStatus::Withdrawn => CellStatus::Withdrawn,
            CommitmentStatus::Omitted => CellStatus::Omitted,
            CommitmentStatus::Endorsed => CellStatus::Endorsed,
        }
    }
}

/// One commitment behind a cell.
#[derive(Debug, Serialize, ToSchema)]
pub struct CellCommitment {
    /// The commitment's id.
    #[schema(example = 8)]
    pub id: i64,
    /// Its status.
    pub status: CommitmentStatus,
    /// Whether its source says that status will happen (`announced`) or has happened (`effective`).
    pub modality: Modality,
    /// The date of that status, where given or inferred; null when undated.
    #[schema(example = json!(null))]
    pub changed_on: Option<chrono::NaiveDate>,
    /// Where that date comes from, stated or inferred; null when undated.
    pub changed_on_basis: Option<FieldBasis>,
    /// When drawn for an event: where the commitment's link to it comes from, stated or inferred.
    pub event_basis: Option<FieldBasis>,
    /// It in a sentence.
    #[schema(example = "Croatia refused to send troops.")]
    pub summary: String,
    /// The ids of its citations.
    #[schema(example = json!([23]))]
    pub citation_ids: Vec<i64>,
}

/// One cell: a nation and a kind.
#[derive(Debug, Serialize, ToSchema)]
pub struct Cell {
    /// The column's kind.
    pub kind: CommitmentKind,
    /// The commitments' statuses summarised by the rule of `CellStatus`, or `no_record`.
    pub status: CellStatus,
    /// Every live commitment of this kind by this nation, oldest first.
    pub commitments: Vec<CellCommitment>,
}

/// One row: a nation and what it did about each kind.
#[derive(Debug, Serialize, ToSchema)]
pub struct DivisionRow {
    /// The nation (ISO 3166-1 alpha-2).
    #[schema(example = "HR")]
    pub nation: String,
    /// One cell per kind, in the order of `kinds`.
    pub cells: Vec<Cell>,
}

/// The divisions matrix.
#[derive(Debug, Serialize, ToSchema)]
pub struct Divisions {
    /// The event drawn for, if one was given.
    #[schema(example = 1)]
    pub event_id: Option<i64>,
    /// The columns, in order.
    pub kinds: Vec<CommitmentKind>,
    /// One row per nation that made a commitment of one of these kinds, or took part in the event,
    /// in code order.
    pub rows: Vec<DivisionRow>,
}

fn parse_kinds(text: Option<&str>) -> Result<Vec<CommitmentKind>, ApiError> {
    let Some(text) = text else {
        return Ok(CommitmentKind::ALL.to_vec());
    };
    let mut kinds = Vec::new();
    for part in text.split(',') {
        let kind = part
            .trim()
            .parse::<CommitmentKind>()
            .map_err(|e| ApiError::parameter("kinds", format!("query parameter `kinds`: {e}")))?;
        if !kinds.contains(&kind) {
            kinds.push(kind);
        }
    }
    Ok(kinds)
}

/// Who stood where
///
/// One row per nation, one column per kind of commitment: the status of what each nation did about
/// each kind (`no_record` when the knowledge base holds nothing, which is not a refusal), with the
/// commitments and citations behind each cell. Drawn for one event, or for everything.
#[utoipa::path(
    tag = "commitments",
    operation_id = "get_divisions",
    params(DivisionParams),
    responses(
        (status = 200, description = "The matrix. With `Accept: application/x-ndjson`, one row per line. With `Accept: text/csv`, one row per nation: the column `nation`, then for each kind of `kinds`, in order, the columns `<kind>` (the cell's status), `<kind>.commitments` and `<kind>.citations` (ids, one per line).", content(
            (Divisions = "application/json"),
            (String = "text/csv", example = json!("nation,troops,troops.commitments,troops.citations\r\nHR,refused,8,12\r\n")),
            (DivisionRow = "application/x-ndjson"),
        )),
        (status = 404, description = "No event has this id.", body = crate::api::error::Problem, content_type = "application/problem+json"),
    )
)]
#[get("/divisions")]
pub async fn get_divisions(
    req: HttpRequest,
    state: web::Data<AppState>,
    Query(params): Query<DivisionParams>,
) -> Result<HttpResponse, ApiError> {
    let kinds = parse_kinds(params.kinds.as_deref())?;
    let event = params.event.map(|Id(id)| id);
    let mut conn = state.conn().await?;
    let mut nations = BTreeSet::new();
    if let Some(event) = event {
        events::get(&mut conn, event)
            .await?
            .filter(|e| e.retracted_at.is_none())
            .ok_or_else(|| ApiError::NotFound(format!("no event has the id {event}")))?;
        nations.extend(
            events::participants(&mut conn, &[event])
                .await?
                .into_iter()
                .map(|p| p.nation_code),
        );
    }
    let mut query = commitments::table
        .filter(commitments::retracted_at.is_null())
        .filter(commitments::kind.eq_any(kinds.clone()))
        .order(commitments::id.asc())
        .select(Commitment::as_select())
        .into_boxed();
    if let Some(event) = event {
        query = query.filter(commitments::event_id.eq(event));
    }
    let rows: Vec<Commitment> = query.load(&mut conn).await?;
    let ids: Vec<i64> = rows.iter().map(|c| c.id).collect();
    let mut current: BTreeMap<i64, StatusChange> = BTreeMap::new();
    for change in crate::db::queries::commitments::history(&mut conn, &ids).await? {
        current.insert(change.commitment_id, change);
    }
    let mut cited: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
    for (citation, _) in citations::for_facts(&mut conn, Fact::Commitment, &ids).await? {
        if let Some(id) = citation.commitment_id {
            cited.entry(id).or_default().push(citation.id);
        }
    }
    let mut by_cell: BTreeMap<(String, CommitmentKind), Vec<Commitment>> = BTreeMap::new();
    for c in rows {
        nations.insert(c.nation_code.clone());
        by_cell.entry((c.nation_code.clone(), c.kind)).or_default().push(c);
    }
    let rows = nations
        .into_iter()
        .map(|nation| DivisionRow {
            cells: kinds
                .iter()
                .map(|kind| {
                    let found = by_cell.remove(&(nation.clone(), *kind)).unwrap_or_default();
                    let commitments: Vec<CellCommitment> = found
                        .into_iter()
                        .map(|c| {
                            let step = current.get(&c.id);
                            CellCommitment {
                                citation_ids: cited.remove(&c.id).unwrap_or_default(),
                                id: c.id,
                                status: c.status,
                                modality: step.map_or(Modality::Effective, |s| s.modality),
                                changed_on: step.and_then(|s| s.changed_on),
                                changed_on_basis: step.and_then(|s| basis::entry(&s.basis, "changed_on")),
                                event_basis: event.and_then(|_| basis::entry(&c.basis, "event_id")),
                                summary: c.summary,
                            }
                        })
                        .collect();
                    Cell {
                        kind: *kind,
                        status: summarise(&commitments),
                        commitments,
                    }
                })
                .collect(),
            nation,
        })
        .collect();
    let divisions = Divisions {
        event_id: event,
        kinds,
        rows,
    };
    let format = Format::of(&req);
    let mut response = HttpResponse::Ok();
    response.insert_header((header::VARY, "Accept"));
    let body = match format {
        Format::Json => return Ok(response.json(divisions)),
        Format::Ndjson => {
            let mut body = Vec::new();
            for row in &divisions.rows {
                serde_json::to_writer(&mut body, row).map_err(|e| ApiError::Internal(e.to_string()))?;
                body.push(b'\n');
            }
            body
        }
        Format::Csv => divisions_csv(&divisions),
    };
    Ok(response.content_type(format.content_type()).body(body))
}

/// A cell's status by the rule of [`CellStatus`]: effective over announced, then the latest date
/// (dated over undated); a tie between different statuses is `mixed`.
fn summarise(commitments: &[CellCommitment]) -> CellStatus {
    let rank = |c: &CellCommitment| (c.modality == Modality::Effective, c.changed_on.is_some(), c.changed_on);
    let Some(best) = commitments.iter().map(rank).max() else {
        return CellStatus::NoRecord;
    };
    let mut top = commitments.iter().filter(|c| rank(c) == best).map(|c| c.status);
    let first = top.next().map_or(CellStatus::NoRecord, CellStatus::from);
    if top.any(|s| CellStatus::from(s) != first) {
        CellStatus::Mixed
    } else {
        first
    }
}

/// The matrix as CSV: `nation`, then the status, commitments and citations of each kind.
fn divisions_csv(divisions: &Divisions) -> Vec<u8> {
    let mut body = Vec::new();
    let mut header = vec!["nation".to_owned()];
    for kind in &divisions.kinds {
        let kind = kind.as_str();
        header.extend([
            kind.to_owned(),
            format!("{kind}.commitments"),
            format!("{kind}.citations"),
        ]);
    }
    formats::row(&mut body, header.iter().map(String::as_str));
    let lines = |ids: &mut dyn Iterator<Item = i64>| ids.map(|id| id.to_string()).collect::<Vec<_>>().join("\n");
    for row in &divisions.rows {
        let mut fields = vec![row.nation.clone()];
        for cell in &row.cells {
            fields.push(cell.status.as_str().to_owned());
            fields.push(lines(&mut cell.commitments.iter().map(|c| c.id)));
            fields.push(lines(
                &mut cell.commitments.iter().flat_map(|c| c.citation_ids.iter().copied()),
            ));
        }
        formats::row(&mut body, fields.iter().map(String::as_str));
    }
    body
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The pattern the document gives for `kinds`.
    const KINDS_PATTERN: &str = "^(troops|naval_support|air_support|funding|ammunition|equipment|military_hubs|training|intelligence|security_guarantee)(,(troops|naval_support|air_support|funding|ammunition|equipment|military_hubs|training|intelligence|security_guarantee))*$";

    #[test]
    fn the_documented_pattern_lists_every_kind() {
        let names: Vec<&str> = CommitmentKind::ALL.iter().map(|k| k.as_str()).collect();
        let alternatives = names.join("|");
        assert_eq!(KINDS_PATTERN, format!("^({alternatives})(,({alternatives}))*$"));
    }

    #[test]
    fn statuses_read_in_csv_as_in_json() {
        for status in [CellStatus::NoRecord, CellStatus::InProgress, CellStatus::Refused] {
            assert_eq!(serde_json::to_value(status).unwrap(), status.as_str());
        }
    }

    #[test]
    fn kinds_are_parsed_and_bad_ones_named() {
        assert_eq!(
            parse_kinds(Some("troops,air_support,troops")).unwrap(),
            vec![CommitmentKind::Troops, CommitmentKind::AirSupport]
        );
        assert!(parse_kinds(Some("")).is_err());
        assert_eq!(parse_kinds(None).unwrap().len(), 10);
    }
}
