//! Full-text search across statements, commitments, claims, events and sources.

use actix_web::{get, web, HttpRequest, HttpResponse};
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::IntoParams;

use crate::api::error::ApiError;
use crate::api::formats::list_of;
use crate::api::paging::PageRequest;
use crate::api::params::{AnyOf, NationCode, Query, SearchText};
use crate::api::schemas::views::{ResultType, SearchPage, SearchResult};
use crate::api::AppState;
use crate::db::queries::search::{self, SearchFilter};
use crate::vocab::{ClaimKind, CommitmentKind, CommitmentStatus, EventKind, SourceKind};

/// The question, and filters like the lists'.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SearchParams {
    /// What to look for, in web search syntax: words, "quoted phrases", `or`, and `-` to exclude.
    #[param(value_type = String, example = "\"security protocols\"", min_length = 1, max_length = 500, pattern = r"^[^\x00]*[^\x00\t\n\x0B\f\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000][^\x00]*$")]
    pub q: SearchText,
    /// Only records of these types: one or several, comma-separated (`statement,commitment`).
    #[serde(rename = "type")]
    #[param(rename = "type", value_type = Option<Vec<ResultType>>, style = Form, explode = false, min_items = 1)]
    pub result_type: Option<AnyOf<ResultType>>,
    /// Only records of these nations (a commitment's, a statement's, a claim's claimant): one
    /// code or several, comma-separated (ISO 3166-1 alpha-2, any case: `FR` or `FR,GB`).
    #[param(value_type = Option<Vec<String>>, style = Form, explode = false, min_items = 1, example = json!(["FR"]))]
    pub nation: Option<AnyOf<NationCode>>,
    /// Only records of these kinds (a commitment's, a claim's, an event's or a source's): one or
    /// several, comma-separated, of troops, naval_support, air_support, funding, ammunition,
    /// equipment, military_hubs, training, intelligence, security_guarantee, report, party_claim,
    /// summit, meeting, declaration, attack_report, other, news_article, communique,
    /// official_statement, transcript.
    #[param(value_type = Option<Vec<String>>, style = Form, explode = false, min_items = 1, example = json!(["troops"]))]
    pub kind: Option<AnyOf<String>>,
    /// Only commitments whose current status is one of these: one or several, comma-separated.
    #[param(value_type = Option<Vec<CommitmentStatus>>, style = Form, explode = false, min_items = 1)]
    pub status: Option<AnyOf<CommitmentStatus>>,
    /// Only records dated on or after this day (announced, said, reported, occurred, published).
    #[param(example = "2026-01-01")]
    #[serde(default, deserialize_with = "crate::api::params::within_pg_range")]
    pub since: Option<NaiveDate>,
    /// Only records dated on or before this day.
    #[param(example = "2026-12-31")]
    #[serde(default, deserialize_with = "crate::api::params::within_pg_range")]
    pub until: Option<NaiveDate>,
    /// The `next_cursor` of the previous page, unchanged (`AAAAAAAAAAA` starts from the beginning).
    #[param(pattern = "^[A-Za-z0-9_-]{11}$", example = "AAAAAAAAAAA")]
    pub cursor: Option<String>,
    /// How many results per page.
    #[param(minimum = 1, maximum = 500, default = 50, example = 20)]
    pub limit: Option<u32>,
}

crate::api::paging::paging!(SearchParams);

/// Search the knowledge base
///
/// Finds statements, commitments, claims, events and sources by their words (English stemming;
/// web search syntax: "quoted phrases", `or`, `-word`), best match first, each with a snippet of
/// the matching passage, the nations it concerns and its URL. A record's words include the names
/// of the nations and people it names (`Czechia`, `Czech`, `British`, `Macron`). Ranks below
/// 0.000001 are noise and are not returned. The filters are those of the lists. A search ranks the
/// 500 most recent matches of each kind of record, so that a common word costs no more in a large
/// knowledge base than in a small one; filters narrow what is ranked.
#[utoipa::path(tag = "search", operation_id = "search_records", params(SearchParams), responses((status = 200, description = "A page of results, best first.", body = SearchPage)))]
#[get("/search")]
pub async fn search_records(
    req: HttpRequest,
    state: web::Data<AppState>,
    Query(params): Query<SearchParams>,
) -> Result<HttpResponse, ApiError> {
    list_of(&req, &state.clone(), params, move |params| {
        search_records_page(state.clone(), params)
    })
    .await
}

/// One page of `search_records`.
async fn search_records_page(state: web::Data<AppState>, params: SearchParams) -> Result<SearchPage, ApiError> {
    let page = PageRequest::<i64>::new(params.cursor.as_deref(), params.limit)?;
    let q = params.q.as_str();
    for kind in params.kind.iter().flat_map(AnyOf::values) {
        let known = kind.parse::<CommitmentKind>().is_ok()
            || kind.parse::<ClaimKind>().is_ok()
            || kind.parse::<EventKind>().is_ok()
            || kind.parse::<SourceKind>().is_ok();
        if !known {
            return Err(ApiError::parameter(
                "kind",
                format!("query parameter `kind`: `{kind}` is not a kind of commitment, claim, event or source"),
            ));
        }
    }
    // The cursor carries the position in the ranked results.
    let window = page.window();
    let offset = page.offset();
    let filter = SearchFilter {
        text: q.to_owned(),
        types: params.result_type.map(|t| t.map(type_name).into_vec()),
        nations: params.nation.map(|n| n.map(NationCode::into_string).into_vec()),
        kinds: params.kind.map(AnyOf::into_vec),
        statuses: params.status.map(|s| s.map(|s| s.as_str()).into_vec()),
        since: params.since,
        until: params.until,
    };
    let mut conn = state.conn().await?;
    let rows = search::ranked(&mut conn, &filter, offset, window.fetch).await?;
    let (rows, next_cursor) = page.finish_at_offset(rows);
    let items = rows
        .into_iter()
        .filter_map(|r| {
            let result_type = type_named(&r.result_type)?;
            Some(SearchResult {
                href: format!("/v1/{}s/{}", r.result_type, r.id),
                result_type,
                id: r.id,
                rank: r.rank,
                snippet: r.snippet,
                nations: r.nations,
            })
        })
        .collect();
    Ok(SearchPage { items, next_cursor })
}

fn type_name(t: ResultType) -> &'static str {
    match t {
        ResultType::Statement => "statement",
        ResultType::Commitment => "commitment",
        ResultType::Claim => "claim",
        ResultType::Event => "event",
        ResultType::Source => "source",
    }
}

fn type_named(name: &str) -> Option<ResultType> {
    [
        ResultType::Statement,
        ResultType::Commitment,
        ResultType::Claim,
        ResultType::Event,
        ResultType::Source,
    ]
    .into_iter()
    .find(|t| type_name(*t) == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The pattern the document gives for `kind`.
    const KIND_PATTERN: &str = "^(troops|naval_support|air_support|funding|ammunition|equipment|military_hubs|training|intelligence|security_guarantee|report|party_claim|summit|meeting|declaration|attack_report|other|news_article|communique|official_statement|transcript)$";

    #[test]
    fn the_documented_kinds_are_every_kind_of_every_searchable_record() {
        let all = CommitmentKind::ALL
            .iter()
            .map(|k| k.as_str())
            .chain(ClaimKind::ALL.iter().map(|k| k.as_str()))
            .chain(EventKind::ALL.iter().map(|k| k.as_str()))
            .chain(SourceKind::ALL.iter().map(|k| k.as_str()));
        let mut kinds: Vec<&str> = Vec::new();
        for kind in all {
            if !kinds.contains(&kind) {
                kinds.push(kind);
            }
        }
        assert_eq!(KIND_PATTERN, format!("^({})$", kinds.join("|")));
    }
}
