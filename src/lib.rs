//! The alliance-commitment knowledge base: which nations committed what to Ukraine's security, who
//! refused or withdrew, who said what, and on which exact evidence, served as a REST API over
//! PostgreSQL. See ARCHITECTURE.md for the map of the modules.

pub mod api;
pub mod basis;
pub mod cli;
pub mod config;
pub mod db;
pub mod generate;
pub mod keys;
pub mod pgcluster;
pub mod quantity;
pub mod records;
#[rustfmt::skip]
pub mod schema;
pub mod seed;
pub mod spans;
pub mod startup;
pub mod transfer;
pub mod vocab;
