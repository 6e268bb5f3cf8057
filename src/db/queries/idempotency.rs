//! Idempotency keys: the answer a write gave under a caller's `Idempotency-Key`, kept with the
//! fingerprint of its request, so that a retry replays it instead of writing twice.

use diesel::sql_types::{BigInt, Integer, Nullable, Text};
use diesel::{OptionalExtension, QueryResult, QueryableByName};
use diesel_async::{AsyncPgConnection, RunQueryDsl};

/// An answer kept under a key.
#[derive(Debug, QueryableByName)]
pub struct StoredAnswer {
    /// The fingerprint of the request that got it.
    #[diesel(sql_type = Text)]
    pub request_sha256: String,
    /// Its HTTP status.
    #[diesel(sql_type = Integer)]
    pub status: i32,
    /// Its body.
    #[diesel(sql_type = Text)]
    pub response: String,
    /// Its `Location`.
    #[diesel(sql_type = Nullable<Text>)]
    pub location: Option<String>,
    /// The version its `ETag` named.
    #[diesel(sql_type = Nullable<Integer>)]
    pub version: Option<i32>,
}

/// An answer to keep under a key.
#[derive(Debug)]
pub struct NewAnswer<'a> {
    /// The caller's key id.
    pub key_id: i64,
    /// The `Idempotency-Key`.
    pub idempotency_key: &'a str,
    /// The fingerprint of the request.
    pub request_sha256: &'a str,
    /// Its HTTP status.
    pub status: i32,
    /// Its body.
    pub response: &'a str,
    /// Its `Location`.
    pub location: Option<&'a str>,
    /// The version its `ETag` names.
    pub version: Option<i32>,
}

/// Claims the key for the rest of the transaction (a retry sent meanwhile waits for this one to
/// end), then reads the answer kept under it, if any.
pub async fn claim(
    conn: &mut AsyncPgConnection,
    key_id: i64,
    idempotency_key: &str,
) -> QueryResult<Option<StoredAnswer>> {
    diesel::sql_query("SELECT pg_advisory_xact_lock(hashtextextended($1 || ':' || $2, 7)) IS NULL AS claimed")
        .bind::<Text, _>(key_id.to_string())
        .bind::<Text, _>(idempotency_key)
        .execute(conn)
        .await?;
    diesel::sql_query(
        "SELECT request_sha256, status, response, location, version FROM idempotency_keys \
          WHERE key_id = $1 AND idempotency_key = $2",
    )
    .bind::<BigInt, _>(key_id)
    .bind::<Text, _>(idempotency_key)
    .get_result(conn)
    .await
    .optional()
}

/// Keeps an answer under its key.
pub async fn store(conn: &mut AsyncPgConnection, answer: NewAnswer<'_>) -> QueryResult<()> {
    diesel::sql_query(
        "INSERT INTO idempotency_keys (key_id, idempotency_key, request_sha256, status, response, location, version) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind::<BigInt, _>(answer.key_id)
    .bind::<Text, _>(answer.idempotency_key)
    .bind::<Text, _>(answer.request_sha256)
    .bind::<Integer, _>(answer.status)
    .bind::<Text, _>(answer.response)
    .bind::<Nullable<Text>, _>(answer.location)
    .bind::<Nullable<Integer>, _>(answer.version)
    .execute(conn)
    .await?;
    Ok(())
}
