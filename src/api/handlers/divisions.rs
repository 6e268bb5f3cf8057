//! The divisions matrix: for an event (or everything), one row per nation and one column per kind
//! of commitment, each cell what the nation did about that kind, with the evidence behind it.

use std::collections::BTreeMap;

use actix_web::{get, web, HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::api::encoding::{self, Format};
use crate::api::error::ApiError;
use crate::api::formats;
use crate::api::paging::PageRequest;
use crate::api::params::{Id, Query};
use crate::api::schemas::views::{Cell, CellCommitment, CellStatus, DivisionRow, Divisions};
use crate::api::AppState;
use crate::db::queries::{events, summaries};
use crate::vocab::{CommitmentKind, CommitmentStatus};

/// What the matrix is drawn for.
#[derive(Debug, Clone, Deserialize, IntoParams)]
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
    /// The `next_cursor` of the previous page, unchanged (`AAAAAAAAAAA` starts from the beginning).
    #[param(pattern = "^[A-Za-z0-9_-]{11}$", example = "AAAAAAAAAAA")]
    pub cursor: Option<String>,
    /// How many nations (rows) per page.
    #[param(minimum = 1, maximum = 500, default = 50, example = 50)]
    pub limit: Option<u32>,
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

impl crate::api::paging::Page for Divisions {
    type Item = DivisionRow;
    fn next_cursor(&self) -> Option<&str> {
        self.next_cursor.as_deref()
    }

    /// `nation`, then the status, commitments and citations of each kind.
    fn csv_header(&self, out: &mut Vec<u8>) {
        let mut header = vec!["nation".to_owned()];
        for kind in &self.kinds {
            let kind = kind.as_str();
            header.extend([
                kind.to_owned(),
                format!("{kind}.commitments"),
                format!("{kind}.citations"),
            ]);
        }
        encoding::row(out, header.iter().map(String::as_str));
    }

    /// One row per nation.
    fn encode(&self, format: Format, out: &mut Vec<u8>) -> Result<(), ApiError> {
        let lines = |ids: &mut dyn Iterator<Item = i64>| ids.map(|id| id.to_string()).collect::<Vec<_>>().join("\n");
        for row in &self.rows {
            if format == Format::Csv {
                let mut fields = vec![row.nation.clone()];
                for cell in &row.cells {
                    fields.push(cell.status.as_str().to_owned());
                    fields.push(lines(&mut cell.commitments.iter().map(|c| c.id)));
                    fields.push(lines(
                        &mut cell.commitments.iter().flat_map(|c| c.citation_ids.iter().copied()),
                    ));
                }
                encoding::row(out, fields.iter().map(String::as_str));
            } else {
                serde_json::to_writer(&mut *out, row).map_err(|e| ApiError::Internal(e.to_string()))?;
                out.push(b'\n');
            }
        }
        Ok(())
    }
}

/// How many commitments a cell shows.
pub const CELL_SHOWN: i64 = 5;

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
/// each kind (`no_record` when the knowledge base holds nothing, which is not a refusal), with how
/// many commitments are behind each cell, those that decide it, and their citations. Drawn for
/// one event, or for everything; the rows come a page of nations at a time.
#[utoipa::path(
    tag = "commitments",
    operation_id = "get_divisions",
    params(DivisionParams),
    responses(
        (status = 200, description = "The matrix. With `Accept: application/x-ndjson`, one row per line. With `Accept: text/csv`, one row per nation: the column `nation`, then for each kind of `kinds`, in order, the columns `<kind>` (the cell's status), `<kind>.commitments` and `<kind>.citations` (ids, one per line). CSV and NDJSON without `limit` hold every row.", content(
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
    PageRequest::<String>::new(params.cursor.as_deref(), params.limit)?;
    let reader = state.clone();
    let fetch = move |cursor: Option<String>, limit: Option<u32>| {
        let state = reader.clone();
        let kinds = kinds.clone();
        async move { divisions_page(&state, event, kinds, cursor, limit).await }
    };
    formats::list_response(&req, &state, params.cursor.clone(), params.limit, fetch).await
}

/// One page of the matrix: its nations, then their cells' heads and shown commitments.
async fn divisions_page(
    state: &AppState,
    event: Option<i64>,
    kinds: Vec<CommitmentKind>,
    cursor: Option<String>,
    limit: Option<u32>,
) -> Result<Divisions, ApiError> {
    let page = PageRequest::<String>::new(cursor.as_deref(), limit)?;
    let mut conn = state.conn().await?;
    if let Some(event) = event {
        events::get(&mut conn, event)
            .await?
            .filter(|e| e.retracted_at.is_none())
            .ok_or_else(|| ApiError::NotFound(format!("no event has the id {event}")))?;
    }
    let kind_names: Vec<String> = kinds.iter().map(|k| k.as_str().to_owned()).collect();
    let window = page.window();
    let nations = summaries::division_nations(
        &mut conn,
        event,
        &kind_names,
        window.after.map(String::as_str),
        window.fetch,
    )
    .await?;
    let (nations, next_cursor) = page.finish(nations, String::clone);
    let heads = summaries::division_cells(&mut conn, event, &nations, &kind_names).await?;
    let entries = summaries::division_entries(&mut conn, event, &nations, &kind_names, CELL_SHOWN).await?;
    let mut heads: BTreeMap<(String, String), summaries::CellHead> = heads
        .into_iter()
        .map(|h| ((h.nation_code.clone(), h.kind.clone()), h))
        .collect();
    let mut shown: BTreeMap<(String, String), Vec<CellCommitment>> = BTreeMap::new();
    for e in entries {
        let commitment = CellCommitment {
            id: e.id,
            status: parsed(&e.status)?,
            modality: parsed(&e.modality)?,
            changed_on: e.changed_on,
            changed_on_basis: e.changed_on_basis.and_then(|b| serde_json::from_value(b).ok()),
            event_basis: event.and(e.event_basis).and_then(|b| serde_json::from_value(b).ok()),
            summary: e.summary,
            citation_ids: e.citation_ids,
        };
        shown.entry((e.nation_code, e.kind)).or_default().push(commitment);
    }
    let rows = nations
        .into_iter()
        .map(|nation| DivisionRow {
            cells: kinds
                .iter()
                .map(|kind| {
                    let key = (nation.clone(), kind.as_str().to_owned());
                    let head = heads.remove(&key);
                    let commitments = shown.remove(&key).unwrap_or_default();
                    let status = match &head {
                        None => CellStatus::NoRecord,
                        Some(h) if h.mixed => CellStatus::Mixed,
                        Some(h) => h
                            .status
                            .parse::<CommitmentStatus>()
                            .map_or(CellStatus::Mixed, CellStatus::from),
                    };
                    Cell {
                        kind: *kind,
                        status,
                        count: head.as_ref().map_or(0, |h| h.total),
                        href: head.as_ref().map(|_| {
                            let at = event.map(|e| format!("&event={e}")).unwrap_or_default();
                            format!("/v1/commitments?nation={nation}&kind={}{at}", kind.as_str())
                        }),
                        commitments,
                    }
                })
                .collect(),
            nation,
        })
        .collect();
    Ok(Divisions {
        event_id: event,
        kinds,
        rows,
        next_cursor,
    })
}

fn parsed<T: std::str::FromStr>(text: &str) -> Result<T, ApiError> {
    text.parse()
        .map_err(|_| ApiError::Internal(format!("`{text}` is not a value the service knows")))
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
