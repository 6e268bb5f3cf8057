//! The API's one error type and its one wire shape, RFC 9457 `application/problem+json`.
//! Every failure a handler or an extractor meets is turned into [`ApiError`] by a `From` impl or an
//! extractor error handler; the response is built in one place, where causes of 5xx are logged once
//! and never sent.

use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use diesel_async::pooled_connection::deadpool::PoolError;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The media type of every error response.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// An error, as RFC 9457 describes it: what kind of problem, and what to do about it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({
    "type": "urn:alliance-kb:problem:invalid-parameter",
    "title": "Invalid parameter",
    "status": 400,
    "detail": "query parameter `limit` must be between 1 and 500, not 0",
    "parameter": "limit"
}))]
pub struct Problem {
    /// A URI naming the kind of problem; stable, for programs to branch on.
    #[serde(rename = "type")]
    #[schema(example = "urn:alliance-kb:problem:invalid-parameter")]
    pub problem_type: String,
    /// A short summary of the kind of problem, the same for every occurrence of it.
    #[schema(example = "Invalid parameter")]
    pub title: String,
    /// The HTTP status code of the response.
    #[schema(example = 400)]
    pub status: u16,
    /// What went wrong in this request, and how to put it right.
    #[schema(example = "query parameter `limit` must be between 1 and 500, not 0")]
    pub detail: String,
    /// The request parameter at fault, when the problem lies in one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(example = "limit")]
    pub parameter: Option<String>,
    /// Every problem of a request body (422), one entry per field, all found at once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(example = json!([{"field": "quantity.min", "message": "must not be greater than quantity.max (100)"}]))]
    pub errors: Option<Vec<FieldError>>,
}

/// One problem with one field of a request body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct FieldError {
    /// The field, as a path into the body (`quantity.min`, `citations[0].excerpt`).
    #[schema(example = "quantity.min")]
    pub field: String,
    /// What is wrong with it and what would be right.
    #[schema(example = "must not be greater than quantity.max (5000)")]
    pub message: String,
}

/// Everything that can go wrong while answering a request.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// A path or query parameter is unknown, malformed or out of range.
    #[error("{detail}")]
    InvalidParameter {
        /// The parameter's name.
        parameter: String,
        /// What is wrong with it and what would be right.
        detail: String,
    },
    /// The request is malformed in a way not tied to one parameter.
    #[error("{0}")]
    BadRequest(String),
    /// No key, or a key that is unknown or revoked.
    #[error("{0}")]
    Unauthorized(String),
    /// A key whose role does not allow the request.
    #[error("{0}")]
    Forbidden(String),
    /// No such resource.
    #[error("{0}")]
    NotFound(String),
    /// The request conflicts with the state of the knowledge base.
    #[error("{0}")]
    Conflict(String),
    /// A change without `If-Match`.
    #[error("{0}")]
    PreconditionRequired(String),
    /// A change whose `If-Match` names a version that is no longer the current one.
    #[error("{0}")]
    PreconditionFailed(String),
    /// A body whose fields are wrong; every problem is listed.
    #[error("the request body has {} problem(s): {}", .0.len(), .0.iter().map(|e| format!("{}: {}", e.field, e.message)).collect::<Vec<_>>().join("; "))]
    Unprocessable(Vec<FieldError>),
    /// The method is not one the resource answers.
    #[error("{0}")]
    MethodNotAllowed(String),
    /// A request body larger than the endpoint takes.
    #[error("{0}")]
    TooLarge(String),
    /// A request body of a media type the endpoint does not take.
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// An `Accept` that names none of the representations the endpoint offers.
    #[error("{0}")]
    NotAcceptable(String),
    /// A query ran past the statement timeout; the cause is logged.
    #[error("query timed out: {0}")]
    TimedOut(String),
    /// The database cannot be reached; the cause is logged.
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// A fault of the service; the cause is logged, never sent.
    #[error("internal error: {0}")]
    Internal(String),
}

/// One error of each kind, as a client meets it: the examples of the document, and the list of
/// problem types each status answers with.
pub fn catalogue() -> Vec<ApiError> {
    vec![
        ApiError::parameter("limit", "query parameter `limit` must be between 1 and 500, not 0"),
        ApiError::BadRequest("the request's query string cannot be read as UTF-8".into()),
        ApiError::Unauthorized("this operation needs a key: send `Authorization: Bearer <key>`".into()),
        ApiError::Forbidden("a reader's key cannot write; ask an admin for an editor's key".into()),
        ApiError::NotFound("no commitment has id 999".into()),
        ApiError::Conflict("a record with these values exists already".into()),
        ApiError::PreconditionRequired(
            "send `If-Match` with the ETag of the version you read, so that no change is overwritten unseen".into(),
        ),
        ApiError::PreconditionFailed(
            "the commitment is at version 3, not 2; read it again and redo the change on what it now holds".into(),
        ),
        ApiError::Unprocessable(vec![FieldError {
            field: "quantity.min".into(),
            message: "must not be greater than quantity.max (100)".into(),
        }]),
        ApiError::MethodNotAllowed("/v1/nations answers GET; it does not take PUT".into()),
        ApiError::TooLarge("the body is 2000000 bytes; this operation takes at most 1048576".into()),
        ApiError::UnsupportedMediaType("send the body as `application/json`".into()),
        ApiError::NotAcceptable(
            "/v1/commitments/1 answers in `application/json`; the request's Accept is `text/csv`".into(),
        ),
        ApiError::Unavailable(String::new()),
        ApiError::TimedOut(String::new()),
        ApiError::Internal(String::new()),
    ]
}

impl ApiError {
    /// An invalid parameter, with what is wrong with it.
    pub fn parameter(parameter: impl Into<String>, detail: impl Into<String>) -> Self {
        ApiError::InvalidParameter {
            parameter: parameter.into(),
            detail: detail.into(),
        }
    }

    /// The problem document this error is answered with.
    pub fn problem(&self) -> Problem {
        let (slug, title) = match self {
            ApiError::InvalidParameter { .. } => ("invalid-parameter", "Invalid parameter"),
            ApiError::BadRequest(_) => ("bad-request", "Bad request"),
            ApiError::Unauthorized(_) => ("unauthorized", "Unauthorized"),
            ApiError::Forbidden(_) => ("forbidden", "Forbidden"),
            ApiError::NotFound(_) => ("not-found", "Not found"),
            ApiError::Conflict(_) => ("conflict", "Conflict"),
            ApiError::PreconditionRequired(_) => ("precondition-required", "Precondition required"),
            ApiError::PreconditionFailed(_) => ("precondition-failed", "Precondition failed"),
            ApiError::Unprocessable(_) => ("invalid-body", "Invalid body"),
            ApiError::MethodNotAllowed(_) => ("method-not-allowed", "Method not allowed"),
            ApiError::TooLarge(_) => ("too-large", "Payload too large"),
            ApiError::UnsupportedMediaType(_) => ("unsupported-media-type", "Unsupported media type"),
            ApiError::NotAcceptable(_) => ("not-acceptable", "Not acceptable"),
            ApiError::TimedOut(_) => ("timed-out", "Query timed out"),
            ApiError::Unavailable(_) => ("unavailable", "Service unavailable"),
            ApiError::Internal(_) => ("internal", "Internal error"),
        };
        let detail = match self {
            ApiError::Unavailable(_) => {
                "the database is not answering; try again shortly, and check /readyz. A write sent with an Idempotency-Key can be retried safely with the same key: it is applied once".to_owned()
            }
            ApiError::TimedOut(_) => {
                "the request took longer than the service allows a query; narrow it (a filter, a smaller limit) or try again later".to_owned()
            }
            ApiError::Internal(_) => "the service failed to answer this request; the cause is in its log".to_owned(),
            other => other.to_string(),
        };
        Problem {
            problem_type: format!("urn:alliance-kb:problem:{slug}"),
            title: title.to_owned(),
            status: self.status_code().as_u16(),
            detail,
            parameter: match self {
                ApiError::InvalidParameter { parameter, .. } => Some(parameter.clone()),
                _ => None,
            },
            errors: match self {
                ApiError::Unprocessable(errors) => Some(errors.clone()),
                _ => None,
            },
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::InvalidParameter { .. } | ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::PreconditionRequired(_) => StatusCode::PRECONDITION_REQUIRED,
            ApiError::PreconditionFailed(_) => StatusCode::PRECONDITION_FAILED,
            ApiError::Unprocessable(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::NotAcceptable(_) => StatusCode::NOT_ACCEPTABLE,
            ApiError::TimedOut(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            ApiError::Unavailable(cause) => {
                super::metrics::database_failed("unavailable");
                log::warn!("database unavailable: {cause}")
            }
            ApiError::TimedOut(cause) => {
                super::metrics::database_failed("timed_out");
                log::warn!("query timed out: {cause}")
            }
            ApiError::Internal(_) => super::metrics::database_failed("fault"),
            _ => {}
        }
        let mut response = problem_response(self.status_code(), &self.problem());
        if let ApiError::Internal(cause) = self {
            // Logged with the request's method and path by the guard, which sees the request.
            response.extensions_mut().insert(Failure(cause.clone()));
        }
        if let ApiError::Unauthorized(_) = self {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                header::HeaderValue::from_static("Bearer realm=\"alliance-kb\""),
            );
        }
        response
    }
}

/// The cause of a 500, carried on its response to the middleware that logs it with its request.
#[derive(Debug, Clone)]
pub struct Failure(pub String);

/// Builds a problem+json response.
pub fn problem_response(status: StatusCode, problem: &Problem) -> HttpResponse {
    let body = serde_json::to_vec(problem).unwrap_or_default();
    HttpResponse::build(status)
        .insert_header((header::CONTENT_TYPE, "application/problem+json; charset=utf-8"))
        .body(body)
}

impl From<DieselError> for ApiError {
    fn from(err: DieselError) -> Self {
        ApiError::from_ref(&err).unwrap_or_else(|| ApiError::Internal(format!("database error: {err}")))
    }
}

impl From<crate::records::RecordError> for ApiError {
    fn from(err: crate::records::RecordError) -> Self {
        match err {
            crate::records::RecordError::Database(err) => err.into(),
            crate::records::RecordError::Unrepresentable(reason) => {
                ApiError::Internal(format!("cannot represent a record: {reason}"))
            }
        }
    }
}

impl ApiError {
    /// The answer to a database error, or none for a fault of the service.
    fn from_ref(err: &DieselError) -> Option<Self> {
        Some(match err {
            DieselError::NotFound => ApiError::NotFound("no such record".into()),
            DieselError::DatabaseError(DatabaseErrorKind::ClosedConnection, _) => {
                ApiError::Unavailable(err.to_string())
            }
            DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => ApiError::Conflict(format!(
                "a record with these values exists already{}",
                info.constraint_name().map(|c| format!(" ({c})")).unwrap_or_default()
            )),
            DieselError::DatabaseError(_, info) if info.message().contains("statement timeout") => {
                ApiError::TimedOut(info.message().to_owned())
            }
            // Left broken by a connection lost mid-transaction (a ROLLBACK that could not be sent).
            DieselError::BrokenTransactionManager => ApiError::Unavailable(err.to_string()),
            DieselError::RollbackErrorOnCommit { commit_error, .. } => {
                return ApiError::from_ref(commit_error)
                    .or_else(|| connection_lost(&err.to_string()).then(|| ApiError::Unavailable(err.to_string())))
            }
            _ if connection_lost(&err.to_string()) => ApiError::Unavailable(err.to_string()),
            _ => return None,
        })
    }
}

/// Whether a database error is a passing one (the connection broke, a time limit ran out, a
/// deadlock), answered 503, rather than a refusal of what was sent.
pub fn is_transient(err: &DieselError) -> bool {
    matches!(
        ApiError::from_ref(err),
        Some(ApiError::Unavailable(_) | ApiError::TimedOut(_))
    )
}

/// Whether an error says the connection to PostgreSQL broke (it went away mid-request): the
/// request gets a 503, never a 500. The driver's own transport failures carry no SQLSTATE and
/// no cause in their text (an I/O error reads only "error communicating with the server"), so
/// each of them is named here beside the server's messages.
fn connection_lost(message: &str) -> bool {
    let message = message.to_ascii_lowercase();
    [
        "error communicating with the server",
        "error connecting to server",
        "timeout waiting for server",
        "unexpected message from server",
        "error parsing response from server",
        "connection closed",
        "terminating connection",
        "server closed the connection",
        "connection reset",
        "connection refused",
        "broken pipe",
        "unexpected eof",
        "the database system is shutting down",
        "the database system is starting up",
        "the database system is in recovery mode",
        "idle-in-transaction timeout",
        "deadlock detected",
    ]
    .iter()
    .any(|m| message.contains(m))
}

impl From<PoolError> for ApiError {
    fn from(err: PoolError) -> Self {
        ApiError::Unavailable(err.to_string())
    }
}

impl From<crate::db::CheckoutError> for ApiError {
    fn from(err: crate::db::CheckoutError) -> Self {
        match err {
            crate::db::CheckoutError::Pool(e) => e.into(),
            crate::db::CheckoutError::Begin(e) => e.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn driver(message: &str) -> DieselError {
        DieselError::DatabaseError(DatabaseErrorKind::UnableToSendCommand, Box::new(message.to_owned()))
    }

    #[test]
    fn a_connection_lost_mid_request_is_a_503_whatever_the_driver_says() {
        for message in [
            "error communicating with the server",
            "connection closed",
            "error connecting to server",
            "timeout waiting for server",
            "terminating connection due to administrator command",
            "the database system is starting up",
        ] {
            let err = ApiError::from(driver(message));
            assert_eq!(err.status_code(), StatusCode::SERVICE_UNAVAILABLE, "{message}: {err:?}");
        }
        assert_eq!(
            ApiError::from(DieselError::BrokenTransactionManager).status_code(),
            StatusCode::SERVICE_UNAVAILABLE
        );
        let on_commit = DieselError::RollbackErrorOnCommit {
            rollback_error: Box::new(driver("connection closed")),
            commit_error: Box::new(driver("error communicating with the server")),
        };
        assert_eq!(ApiError::from(on_commit).status_code(), StatusCode::SERVICE_UNAVAILABLE);
    }

    #[test]
    fn a_fault_of_the_service_is_still_a_500() {
        let err = ApiError::from(driver("error serializing parameter 2"));
        assert_eq!(err.status_code(), StatusCode::INTERNAL_SERVER_ERROR);
        let err = ApiError::from(DieselError::DatabaseError(
            DatabaseErrorKind::UniqueViolation,
            Box::new("duplicate key value".to_owned()),
        ));
        assert_eq!(err.status_code(), StatusCode::CONFLICT);
    }
}
