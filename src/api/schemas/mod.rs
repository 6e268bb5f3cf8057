//! Every type the OpenAPI document describes as a schema, reachable from here: what the API
//! answers and what it reads. Their doc comments and examples are the document's; handlers build
//! them. The records' representations are defined below the API, beside the code that builds them
//! and stores them as revisions (`crate::records`), and named here.

pub mod bodies;
pub mod records;
pub mod service;
pub mod views;

pub use service::ImportReport;
