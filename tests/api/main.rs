//! The integration tests: the public HTTP API against a real PostgreSQL database.

mod abuse;
mod basis;
mod binary;
mod contract;
mod disputes;
mod divisions;
mod editing;
mod errors;
mod facts;
mod formats;
mod front_door;
mod generate;
mod helpers;
mod history;
mod keys;
mod layout;
mod lists;
mod plans;
mod presentation;
mod readme;
mod schema;
mod search;
mod seed;
mod stored;
mod timeline;
mod transfer;
