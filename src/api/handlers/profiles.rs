//! A nation's profile: what it committed, where each commitment stands, what its officials said,
//! and how reliable the sources behind all that are.

use actix_web::http::header;
use actix_web::{get, web, HttpRequest, HttpResponse};
use chrono::NaiveDate;
use serde::Deserialize;
use serde_json::value::RawValue;

use crate::api::caching;
use crate::api::error::ApiError;
use crate::api::params::{Query, ReferenceParams};
use crate::api::schemas::views::{Count, NationProfile, SourceStanding, Standing};
use crate::api::AppState;
use crate::basis::FieldBasis;
use crate::db::queries::commitments::{self, CommitmentFilter};
use crate::db::queries::statements::{self, StatementFilter};
use crate::db::queries::{nations, summaries, Window};
use crate::records::views;
use crate::vocab::{CommitmentKind, CommitmentStatus, Modality, Reliability};

/// How many of a nation's commitments and statements a profile shows; the rest are a link away.
pub const SHOWN: i64 = 50;
/// How many of the most cited sources a profile names.
pub const SOURCES_SHOWN: i64 = 20;

/// What a profile reads of a stored commitment.
#[derive(Deserialize)]
struct StoredCommitment {
    id: i64,
    kind: CommitmentKind,
    status: CommitmentStatus,
    inferred: bool,
    summary: String,
    reliability: Option<Reliability>,
    disputed: bool,
    history: Vec<StoredStep>,
}

#[derive(Deserialize)]
struct StoredStep {
    modality: Modality,
    changed_on: Option<NaiveDate>,
    basis: StoredStepBasis,
}

#[derive(Deserialize)]
struct StoredStepBasis {
    changed_on: Option<FieldBasis>,
}

fn standing(body: &str) -> Result<Standing, ApiError> {
    let c: StoredCommitment = serde_json::from_str(body)
        .map_err(|e| ApiError::Internal(format!("a stored commitment does not read as one: {e}")))?;
    let step = c.history.last();
    Ok(Standing {
        since: step.and_then(|h| h.changed_on),
        since_basis: step.and_then(|h| h.basis.changed_on.clone()),
        modality: step.map_or(Modality::Effective, |h| h.modality),
        inferred: c.inferred,
        id: c.id,
        kind: c.kind,
        status: c.status,
        summary: c.summary,
        reliability: c.reliability,
        disputed: c.disputed,
    })
}

fn parsed<T: std::str::FromStr>(text: &str) -> Result<T, ApiError> {
    text.parse()
        .map_err(|_| ApiError::Internal(format!("`{text}` is not a value the service knows")))
}

/// Get a nation's profile
///
/// What one nation committed, counted by kind and status; where its commitments stand now; what
/// its officials said; and the sources all of it rests on, with their reliability. The counts are
/// whole; the records are the first 50 of each, with links to the lists of all of them.
#[utoipa::path(
    tag = "nations",
    operation_id = "get_nation_profile",
    params(("code" = String, Path, description = "ISO 3166-1 alpha-2 code, any case.", pattern = "^[A-Za-z]{2}$", example = "FR"), ReferenceParams),
    responses(
        (status = 200, description = "The profile.", body = NationProfile),
        (status = 404, description = "No nation has this code.", body = crate::api::error::Problem, content_type = "application/problem+json"),
    )
)]
#[get("/nations/{code}/profile")]
pub async fn get_nation_profile(
    req: HttpRequest,
    state: web::Data<AppState>,
    code: web::Path<String>,
    _params: Query<ReferenceParams>,
) -> Result<HttpResponse, ApiError> {
    if let Some(response) = caching::unchanged(&state, &req) {
        return Ok(response);
    }
    let mut conn = state.conn().await?;
    let tag = match caching::revalidate(&mut conn, &req).await? {
        caching::Revalidated::NotModified(response) => return Ok(response),
        caching::Revalidated::Read(tag) => tag,
    };
    let code = crate::api::params::NationCode::parse(&code)
        .map_err(|e| ApiError::parameter("code", format!("path parameter `code`: {e}")))?
        .into_string();
    let nation = nations::get(&mut conn, &code).await?.ok_or_else(|| {
        ApiError::NotFound(format!(
            "no nation has the code {code}; use an ISO 3166-1 alpha-2 code listed at /v1/nations"
        ))
    })?;
    let first = Window {
        after: None,
        fetch: SHOWN,
    };
    let tallies = summaries::commitment_counts(&mut conn, &code).await?;
    let mut counts = tallies
        .iter()
        .map(|t| {
            Ok(Count {
                kind: parsed(&t.kind)?,
                status: parsed(&t.status)?,
                count: t.n,
            })
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    // In the vocabularies' order, as the document lists them.
    counts.sort_by_key(|c| (c.kind, c.status));
    let rows = commitments::list(
        &mut conn,
        &CommitmentFilter {
            nations: vec![code.clone()],
            ..CommitmentFilter::default()
        },
        first,
    )
    .await?;
    let commitments = rows
        .iter()
        .map(|row| standing(&row.body))
        .collect::<Result<Vec<_>, _>>()?;
    let rows = statements::list(
        &mut conn,
        &StatementFilter {
            nations: vec![code.clone()],
            ..StatementFilter::default()
        },
        first,
    )
    .await?;
    let statements = rows
        .into_iter()
        .map(|row| RawValue::from_string(row.body))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| ApiError::Internal(format!("a stored statement is not JSON: {e}")))?;
    let statements_total = summaries::statement_count(&mut conn, &code).await?;
    let sources = summaries::most_cited_sources(&mut conn, &code, SOURCES_SHOWN)
        .await?
        .into_iter()
        .map(|s| {
            Ok(SourceStanding {
                citations: s.citations,
                id: s.id,
                title: s.title,
                kind: parsed(&s.kind)?,
                publisher: s.publisher,
                reliability: parsed(&s.reliability)?,
                reliability_note: s.reliability_note,
            })
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    let profile = NationProfile {
        nation: views::nation(nation),
        commitments_total: counts.iter().map(|c| c.count).sum(),
        counts,
        commitments,
        commitments_href: format!("/v1/nations/{code}/commitments"),
        statements_total,
        statements,
        statements_href: format!("/v1/nations/{code}/statements"),
        sources,
    };
    Ok(HttpResponse::Ok().insert_header((header::ETAG, tag)).json(profile))
}
