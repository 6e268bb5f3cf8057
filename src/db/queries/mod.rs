//! Queries, one module per resource. List queries are keyset-paged: they take the key after which
//! to start and how many rows to fetch, and return rows in key order.

pub mod citations;
pub mod claims;
pub mod commitments;
pub mod events;
pub mod keys;
pub mod nations;
pub mod organizations;
pub mod people;
pub mod sources;
pub mod statements;
pub mod writes;

/// Where a page starts and how many rows to fetch (one more than the page holds, so that the
/// caller knows whether another page follows).
#[derive(Debug, Clone, Copy)]
pub struct Window<K> {
    /// The key of the last row of the previous page, if any.
    pub after: Option<K>,
    /// How many rows to fetch.
    pub fetch: i64,
}
