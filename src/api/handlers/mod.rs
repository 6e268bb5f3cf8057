//! The HTTP handlers, one module per resource. Each extracts and checks its parameters, calls the
//! data layer, and maps rows to response types through `views`.

pub mod citations;
pub mod claims;
pub mod commitments;
pub mod disputes;
pub mod divisions;
pub mod events;
pub mod keys;
pub mod meta;
pub mod nations;
pub mod organizations;
pub mod people;
pub mod profiles;
pub mod reading;
pub mod revisions;
pub mod search;
pub mod sources;
pub mod statements;
pub mod timeline;
pub mod transfer;

use diesel_async::AsyncPgConnection;

use super::error::ApiError;
use super::params::NationCode;
use crate::db::queries::nations as nation_queries;

/// Reads a nation code from the path; a well-formed code no state has is a 404.
pub(crate) async fn nation_in_path(conn: &mut AsyncPgConnection, code: &str) -> Result<String, ApiError> {
    let code =
        NationCode::parse(code).map_err(|e| ApiError::parameter("code", format!("path parameter `code`: {e}")))?;
    if nation_queries::exists(conn, code.as_str()).await? {
        Ok(code.into_string())
    } else {
        Err(ApiError::NotFound(format!(
            "no nation has the code {}; use an ISO 3166-1 alpha-2 code listed at /v1/nations",
            code.as_str()
        )))
    }
}

/// The 404 for an id that names no record.
pub(crate) fn not_found(what: &str, id: i64) -> ApiError {
    ApiError::NotFound(format!("no {what} has the id {id}"))
}
