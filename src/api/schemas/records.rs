//! The records as the API serves them: their representations (from [`crate::records`], where
//! they are built and stored) and the pages of them.

use serde::Serialize;
use utoipa::ToSchema;

use crate::api::paging::page;
pub use crate::records::representations::*;

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
