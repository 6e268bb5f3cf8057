//! A nation's profile: what it committed, where each commitment stands, what its officials said,
//! and how reliable the sources behind all that are.

use std::collections::BTreeMap;

use actix_web::{get, web};
use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

use super::nation_in_path;
use crate::api::error::ApiError;
use crate::api::params::{Query, ReferenceParams};
use crate::api::types::{Nation, Statement};
use crate::api::views;
use crate::basis::FieldBasis;
use crate::db::queries::commitments::{self, CommitmentFilter};
use crate::db::queries::statements::{self, StatementFilter};
use crate::db::queries::{nations, sources, Window};
use crate::startup::AppState;
use crate::vocab::{CommitmentKind, CommitmentStatus, Modality, Reliability, SourceKind};

/// How many of a nation's commitments are of one kind and stand at one status.
#[derive(Debug, Serialize, ToSchema)]
pub struct Count {
    /// The kind.
    pub kind: CommitmentKind,
    /// The current status.
    pub status: CommitmentStatus,
    /// How many commitments.
    #[schema(example = 1)]
    pub count: usize,
}

/// Where one commitment stands: its latest status and since when.
#[derive(Debug, Serialize, ToSchema)]
pub struct Standing {
    /// The commitment's id (`/v1/commitments/{id}`).
    #[schema(example = 2)]
    pub id: i64,
    /// Its kind.
    pub kind: CommitmentKind,
    /// Its latest status.
    pub status: CommitmentStatus,
    /// Whether its source says that status will happen (`announced`) or has happened (`effective`).
    pub modality: Modality,
    /// The day of its latest status change, when the sources date it (or an editor inferred a
    /// date: see `since_basis`); null when undated.
    #[schema(example = json!(null))]
    #[serde(default, deserialize_with = "crate::api::params::within_pg_range")]
    pub since: Option<NaiveDate>,
    /// Where `since` comes from, stated or inferred; null when undated.
    pub since_basis: Option<FieldBasis>,
    /// True when any of its values is an inference rather than its source's word.
    #[schema(example = true)]
    pub inferred: bool,
    /// What it is.
    #[schema(example = "France signalled its intent to deploy several thousand soldiers as a force of reassurance.")]
    pub summary: String,
    /// The most reliable source behind it.
    pub reliability: Option<Reliability>,
    /// True when sources disagree on one of its values (see the commitment's `disputes`).
    #[schema(example = false)]
    pub disputed: bool,
}

/// A source behind the nation's commitments and statements.
#[derive(Debug, Serialize, ToSchema)]
pub struct SourceStanding {
    /// The source's id (`/v1/sources/{id}`).
    #[schema(example = 1)]
    pub id: i64,
    /// Its title.
    #[schema(example = "Allies gather in Paris to discuss Ukraine security guarantees")]
    pub title: String,
    /// What kind of document it is.
    pub kind: SourceKind,
    /// Who published it, when known.
    #[schema(example = "Reuters")]
    pub publisher: Option<String>,
    /// How far it can be trusted.
    pub reliability: Reliability,
    /// Why, in an editor's words.
    #[schema(example = "A news article whose claims were checked against the communique.")]
    pub reliability_note: Option<String>,
    /// How many citations of the nation's commitments, status changes and statements point into it.
    #[schema(example = 4)]
    pub citations: usize,
}

/// A nation's profile.
#[derive(Debug, Serialize, ToSchema)]
pub struct NationProfile {
    /// The nation.
    pub nation: Nation,
    /// Its live commitments counted by kind and current status.
    pub counts: Vec<Count>,
    /// Each live commitment with its latest status, in id order.
    pub commitments: Vec<Standing>,
    /// The live statements made for it, in id order.
    pub statements: Vec<Statement>,
    /// The sources its commitments and statements rest on, most cited first.
    pub sources: Vec<SourceStanding>,
}

/// Get a nation's profile
///
/// What one nation committed, counted by kind and status; where each commitment stands now; what
/// its officials said; and the sources all of it rests on, with their reliability.
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
    state: web::Data<AppState>,
    code: web::Path<String>,
    _params: Query<ReferenceParams>,
) -> Result<web::Json<NationProfile>, ApiError> {
    let mut conn = state.conn().await?;
    let code = nation_in_path(&mut conn, &code).await?;
    let nation = nations::get(&mut conn, &code)
        .await?
        .ok_or_else(|| ApiError::NotFound(format!("no nation has the code {code}")))?;
    let everything = Window {
        after: None,
        fetch: i64::MAX,
    };
    let rows = commitments::list(
        &mut conn,
        &CommitmentFilter {
            nation: Some(code.clone()),
            ..CommitmentFilter::default()
        },
        everything,
    )
    .await?;
    let commitments = views::commitments(&mut conn, rows).await?;
    let rows = statements::list(
        &mut conn,
        &StatementFilter {
            nation: Some(code.clone()),
            ..StatementFilter::default()
        },
        everything,
    )
    .await?;
    let statements = views::statements(&mut conn, rows).await?;

    let mut counts: BTreeMap<(CommitmentKind, CommitmentStatus), usize> = BTreeMap::new();
    let mut cited: BTreeMap<i64, usize> = BTreeMap::new();
    for c in &commitments {
        *counts.entry((c.kind, c.status)).or_default() += 1;
        let history_citations = c.history.iter().flat_map(|h| &h.citations);
        for citation in c.citations.iter().chain(history_citations) {
            *cited.entry(citation.source_id).or_default() += 1;
        }
    }
    for s in &statements {
        for citation in &s.citations {
            *cited.entry(citation.source_id).or_default() += 1;
        }
    }
    let ids: Vec<i64> = cited.keys().copied().collect();
    let mut sources: Vec<SourceStanding> = sources::by_ids(&mut conn, &ids)
        .await?
        .into_iter()
        .map(|(s, _, _)| SourceStanding {
            citations: cited.get(&s.id).copied().unwrap_or(0),
            id: s.id,
            title: s.title,
            kind: s.kind,
            publisher: s.publisher,
            reliability: s.reliability,
            reliability_note: s.reliability_note,
        })
        .collect();
    sources.sort_by(|a, b| b.citations.cmp(&a.citations).then(a.id.cmp(&b.id)));
    Ok(web::Json(NationProfile {
        nation: views::nation(nation),
        counts: counts
            .into_iter()
            .map(|((kind, status), count)| Count { kind, status, count })
            .collect(),
        commitments: commitments
            .into_iter()
            .map(|c| Standing {
                since: c.history.last().and_then(|h| h.changed_on),
                since_basis: c.history.last().and_then(|h| h.basis.changed_on.clone()),
                modality: c.history.last().map_or(Modality::Effective, |h| h.modality),
                inferred: c.inferred,
                id: c.id,
                kind: c.kind,
                status: c.status,
                summary: c.summary,
                reliability: c.reliability,
                disputed: c.disputed,
            })
            .collect(),
        statements,
        sources,
    }))
}
