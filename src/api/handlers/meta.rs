//! Liveness and readiness.

use actix_web::{get, web, HttpResponse};
use diesel_async::RunQueryDsl;

use crate::api::error::ApiError;
use crate::api::params::{NoParams, Query};
use crate::api::types::Health;
use crate::startup::AppState;

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
/// Runs a trivial query through the connection pool: 200 when the database answers, 503 when it
/// does not.
#[utoipa::path(
    tag = "meta",
    operation_id = "get_readiness",
    responses(
        (status = 200, description = "The database answers.", body = Health),
    )
)]
#[get("/readyz")]
pub async fn get_readiness(state: web::Data<AppState>, _params: Query<NoParams>) -> Result<HttpResponse, ApiError> {
    let mut conn = state.conn().await?;
    diesel::sql_query("SELECT 1").execute(&mut conn).await?;
    Ok(HttpResponse::Ok().json(Health { status: "ready".into() }))
}
