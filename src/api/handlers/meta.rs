//! Liveness and readiness.

use actix_web::{get, web, HttpResponse};

use crate::api::error::ApiError;
use crate::api::metrics;
use crate::api::params::{NoParams, Query};
use crate::api::schemas::service::{Health, Readiness, ReplicaReadiness};
use crate::api::schemas::service::{Index, Link};
use crate::api::AppState;

/// Is the process up
///
/// Answers as long as the process serves requests, whatever the state of the database.
#[utoipa::path(tag = "meta", operation_id = "get_health", responses((status = 200, description = "The process is up.", body = Health)))]
#[get("/healthz")]
pub async fn get_health(_params: Query<NoParams>) -> HttpResponse {
    HttpResponse::Ok().json(Health { status: "ok".into() })
}

/// Is the database answering
///
/// Runs a trivial query on the primary through the connection pool: 200 when it answers, 503 when
/// it does not. Lists each streaming replica with whether reads go to it, its lag and why not.
#[utoipa::path(
    tag = "meta",
    operation_id = "get_readiness",
    responses(
        (status = 200, description = "The primary answers.", body = Readiness),
    )
)]
#[get("/readyz")]
pub async fn get_readiness(state: web::Data<AppState>, _params: Query<NoParams>) -> Result<HttpResponse, ApiError> {
    let mut conn = state.db.session().await?;
    crate::db::queries::ping(&mut conn).await?;
    drop(conn);
    let replicas = state.replicas.as_ref().map_or_else(Vec::new, |replicas| {
        replicas
            .list
            .iter()
            .map(|replica| {
                let seen = replica.state();
                ReplicaReadiness {
                    server: replica.name.clone(),
                    serving: seen.answering && seen.problem.is_none(),
                    lag_ms: i64::try_from(seen.lag_ms).unwrap_or(i64::MAX),
                    replayed: seen.replayed.to_string(),
                    problem: seen.problem,
                }
            })
            .collect()
    });
    Ok(HttpResponse::Ok().json(Readiness {
        status: "ready".into(),
        replicas,
    }))
}

/// Where everything is, listed once.
const LINKS: &[(&str, &str, &str)] = &[
    (
        "nations",
        "/v1/nations",
        "Every ISO 3166-1 state; each nation's commitments, statements and profile.",
    ),
    (
        "commitments",
        "/v1/commitments",
        "What nations offered, pledged, refused or withdrew, with status histories.",
    ),
    (
        "statements",
        "/v1/statements",
        "Words officials said or wrote, verbatim where the source quotes them.",
    ),
    ("events", "/v1/events", "Meetings, declarations and attack reports."),
    (
        "claims",
        "/v1/claims",
        "Figures reported or claimed by parties to the war: never verified facts.",
    ),
    (
        "sources",
        "/v1/sources",
        "The documents facts rest on, kept whole, with their reliability.",
    ),
    ("people", "/v1/people", "Officials who speak or act."),
    (
        "organizations",
        "/v1/organizations",
        "Alliances, unions and coalitions, with their members.",
    ),
    (
        "search",
        "/v1/search?q=reassurance",
        "Full-text search across the knowledge base.",
    ),
    (
        "divisions",
        "/v1/divisions?event=1",
        "Who stood where: one row per nation, one column per kind of commitment.",
    ),
    (
        "timeline",
        "/v1/timeline",
        "Events, status changes and statements in date order.",
    ),
    (
        "changes",
        "/v1/changes?since=2026-01-01T00:00:00Z",
        "Every change since a moment, in the order made.",
    ),
    ("export", "/v1/export", "The whole knowledge base as one NDJSON file."),
];

/// The API's front door
///
/// What this service is, its version, and links to every collection, the OpenAPI document and
/// the API browser.
#[utoipa::path(tag = "meta", operation_id = "get_index", params(NoParams), responses((status = 200, description = "Where everything is.", body = Index)))]
#[get("")]
pub async fn get_index(params: Query<NoParams>) -> HttpResponse {
    get_index_alias(params).await
}

/// `GET /v1/`: the index, at the address the README and the start-up log print.
pub async fn get_index_alias(_params: Query<NoParams>) -> HttpResponse {
    HttpResponse::Ok().json(Index {
        name: "Alliance-commitment knowledge base",
        version: env!("CARGO_PKG_VERSION"),
        openapi: "/openapi.json",
        swagger_ui: "/swagger-ui/",
        links: LINKS
            .iter()
            .map(|&(name, href, description)| Link {
                name,
                href,
                description,
            })
            .collect(),
    })
}

/// A permanent redirect for the URLs people type: `/` and `/v1` to the front door, `/swagger-ui`
/// to the browser.
pub fn redirect(to: &'static str) -> impl Fn(actix_web::HttpRequest) -> std::future::Ready<HttpResponse> + Clone {
    move |req| std::future::ready(redirect_keeping_query(&req, to))
}

/// A permanent redirect to `to`, with the request's query string kept.
pub fn redirect_keeping_query(req: &actix_web::HttpRequest, to: &str) -> HttpResponse {
    let location = match req.query_string() {
        "" => to.to_owned(),
        query => format!("{to}?{query}"),
    };
    HttpResponse::PermanentRedirect()
        .insert_header((actix_web::http::header::LOCATION, location))
        .finish()
}

/// The metrics, as Prometheus scrapes them
///
/// Prometheus text format (0.0.4). Not part of the API's document; `ALLIANCE_KB_METRICS=off`
/// turns it off (404).
pub async fn get_metrics(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    if !state.metrics {
        return Err(ApiError::NotFound(
            "metrics are switched off on this service (ALLIANCE_KB_METRICS=off)".into(),
        ));
    }
    let text = metrics::scrape(&state.primaries, state.replicas.as_deref())
        .map_err(|e| ApiError::Internal(format!("cannot encode the metrics: {e}")))?;
    Ok(HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"))
        .body(text))
}
