//! The service's own answers: health and readiness, the index of the API, API keys, and what an
//! import did.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::api::paging::page;
use crate::vocab::KeyRole;

/// The state of the service or of its database.
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// `ok` for the process, `ready` when the database answers.
    #[schema(example = "ok")]
    pub status: String,
}

/// Whether the primary answers, and what each replica is doing.
#[derive(Debug, Serialize, ToSchema)]
pub struct Readiness {
    /// `ready` when the primary answers (reads fall back to it when no replica can serve them).
    #[schema(example = "ready")]
    pub status: String,
    /// Every configured streaming replica (none unless `DATABASE_REPLICA_URLS` is set).
    pub replicas: Vec<ReplicaReadiness>,
}

/// What the service last saw of one streaming replica (checked four times a second).
#[derive(Debug, Serialize, ToSchema)]
pub struct ReplicaReadiness {
    /// Its host and port, or socket.
    #[schema(example = "replica:5432")]
    pub server: String,
    /// Whether reads go to it: it answers as a standby and lags no more than the limit.
    #[schema(example = true)]
    pub serving: bool,
    /// How far behind the primary it was, in milliseconds.
    #[schema(example = 0)]
    pub lag_ms: i64,
    /// How far it has replayed the primary's log, as a consistency token compares with it.
    #[schema(example = "0/16B3748")]
    pub replayed: String,
    /// Why reads skip it, when they do.
    #[schema(example = json!(null))]
    pub problem: Option<String>,
}

/// A collection the API serves, and where.
#[derive(Debug, Serialize, ToSchema)]
pub struct Link {
    /// What it holds.
    #[schema(example = "commitments")]
    pub name: &'static str,
    /// Its URL, from this service's root.
    #[schema(example = "/v1/commitments")]
    pub href: &'static str,
    /// What is there, in a sentence.
    #[schema(example = "What nations offered, pledged, refused or withdrew, with status histories.")]
    pub description: &'static str,
}

/// The front door of the API: what it is, its version, and where everything is.
#[derive(Debug, Serialize, ToSchema)]
pub struct Index {
    /// The product.
    #[schema(example = "Alliance-commitment knowledge base")]
    pub name: &'static str,
    /// The version of the service answering.
    #[schema(example = "0.1.0")]
    pub version: &'static str,
    /// The OpenAPI document.
    #[schema(example = "/openapi.json")]
    pub openapi: &'static str,
    /// The API browser (Swagger UI), which works with no internet.
    #[schema(example = "/swagger-ui/")]
    pub swagger_ui: &'static str,
    /// The collections, and the views over them.
    pub links: Vec<Link>,
}

/// A key, without its secret.
#[derive(Debug, Serialize, ToSchema)]
pub struct Key {
    /// Identifier; the key's text starts `akb_<id>_`.
    #[schema(example = 2)]
    pub id: i64,
    /// Who or what the key is for.
    #[schema(example = "Research desk")]
    pub name: String,
    /// What the key may do.
    pub role: KeyRole,
    /// When it was made.
    #[schema(example = "2026-11-26T18:20:00Z")]
    pub created_at: DateTime<Utc>,
    /// When it was revoked, if it was; a revoked key is refused at once.
    #[schema(example = json!(null))]
    #[serde(default, deserialize_with = "crate::api::params::within_pg_range")]
    pub revoked_at: Option<DateTime<Utc>>,
}

/// A new key, with its text: shown this once, never again.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedKey {
    /// The key.
    #[serde(flatten)]
    pub info: Key,
    /// The key's text, to send as `Authorization: Bearer <key>`. Only its hash is stored.
    #[schema(example = "akb_2_3q2-7wAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    pub key: String,
}

/// What a new key is for.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewKey {
    /// Who or what the key is for (1 to 200 characters, not all blank); kept trimmed.
    #[schema(
        example = "Research desk",
        min_length = 1,
        max_length = 200,
        pattern = r"^[^\x00]*[^\x00\t\n\x0B\f\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000][^\x00]*$"
    )]
    pub name: String,
    /// What the key may do.
    pub role: KeyRole,
}

page!(
    /// A page of keys.
    KeyPage, Key
);

/// How many records of each type an import wrote, and left as they were.
#[derive(Debug, Default, Clone, Serialize, ToSchema)]
pub struct ImportReport {
    /// Lines read.
    #[schema(example = 120)]
    pub lines: usize,
    /// Records written, by type.
    #[schema(example = json!({"source": 1, "commitment": 12}))]
    pub inserted: BTreeMap<String, usize>,
    /// Records already stored with the same values, left as they were, by type.
    #[schema(example = json!({}))]
    pub unchanged: BTreeMap<String, usize>,
}

impl From<crate::transfer::ImportReport> for ImportReport {
    fn from(report: crate::transfer::ImportReport) -> Self {
        ImportReport {
            lines: report.lines,
            inserted: report.inserted,
            unchanged: report.unchanged,
        }
    }
}
