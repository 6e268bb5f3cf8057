//! The record flows, between the HTTP API above and the data layer below: how each kind of record
//! is represented ([`representations`], built from rows by [`views`]) and how every change to it
//! is kept ([`history`]). The API, the seed and the generator all go through here; nothing here
//! knows of HTTP.

pub mod history;
pub mod representations;
pub mod views;

/// A record could not be read, represented or stored.
#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    /// The database failed.
    #[error(transparent)]
    Database(#[from] diesel::result::Error),
    /// A record could not be turned into its JSON representation (a defect, not bad input).
    #[error("cannot represent a record: {0}")]
    Unrepresentable(String),
}
