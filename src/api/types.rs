//! The API's response types: the records' representations (from [`crate::records`]), the pages
//! of them, and the service's own health answers.

use serde::Serialize;
use utoipa::ToSchema;

use crate::api::paging::page;
pub use crate::records::representations::*;

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

page!(
    /// A page of nations.
    NationPage, Nation
);
page!(
    /// A page of organizations.
    OrganizationPage, Organization
);
page!(
    /// A page of people.
    PersonPage, Person
);
page!(
    /// A page of sources, without their texts.
    SourcePage, SourceSummary
);
page!(
    /// A page of events.
    EventPage, Event
);
page!(
    /// A page of commitments.
    CommitmentPage, Commitment
);
page!(
    /// A page of statements.
    StatementPage, Statement
);
page!(
    /// A page of claims.
    ClaimPage, Claim
);
