//! HTTP caching of reads: entity tags, and `304 Not Modified` decided from the tag alone, before
//! the answer is read.
//!
//! A record's tag is its version (strong: `"3"`), the one `If-Match` takes on writes. Every other
//! answer (lists, search, the matrix, profiles, the timeline) is tagged from the state of the
//! knowledge base its reader sees (how many writes have committed, which the database counts in
//! commit order) with the request it answers: two reads that see the same count see the same
//! data, so an unchanged tag means an unchanged answer, and any committed write changes every
//! such tag. Reading the count is one statement on a table of one page.
//!
//! Where the service watches the count ([`crate::db::watch`]), a revalidation whose tag the
//! watched count still gives (a record's version read at that count, or a derived tag made from
//! it) is answered 304 without a round trip: at most one watch interval behind the primary, as
//! any cache that revalidates is, and never behind a write this instance answered.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse};
use base64::Engine as _;
use sha2::{Digest, Sha256};

use super::error::ApiError;
use super::state::AppState;
use crate::db::queries::stored;
use crate::db::watch::StateWatch;

/// The `If-None-Match` of a request, if any.
pub fn if_none_match(req: &HttpRequest) -> Option<&str> {
    req.headers().get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok())
}

/// Whether an `If-None-Match` list names this entity tag (weak comparison, RFC 9110 13.1.2).
pub fn matches_any(etag: &str, wanted: &str) -> bool {
    let bare = |t: &str| t.trim().trim_start_matches("W/").to_owned();
    wanted.trim() == "*" || wanted.split(',').any(|t| bare(t) == bare(etag))
}

/// A 304 for a request whose `If-None-Match` names `etag`, if it does.
pub fn not_modified(req: &HttpRequest, etag: &str) -> Option<HttpResponse> {
    let wanted = if_none_match(req)?;
    matches_any(etag, wanted).then(|| {
        HttpResponse::NotModified()
            .insert_header((header::ETAG, etag.to_owned()))
            .insert_header((header::VARY, "Accept"))
            .finish()
    })
}

/// The tag of an answer derived from the knowledge base's state (its count of changes) and the request:
/// weak, since the same data may be sent indented or compressed.
pub fn derived_tag(state: i64, req: &HttpRequest) -> String {
    let mut hasher = Sha256::new();
    let state = state.to_string();
    for part in [
        state.as_str(),
        req.path(),
        req.query_string(),
        req.headers()
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or(""),
    ] {
        hasher.update(part.as_bytes());
        hasher.update([0]);
    }
    let digest = hasher.finalize();
    format!(
        "W/\"{}\"",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&digest[..12])
    )
}

/// The derived tag of a read about to be answered, or the 304 that answers it already.
pub enum Revalidated {
    /// The client holds this answer: send it the 304.
    NotModified(HttpResponse),
    /// Read the answer, and send it with this tag.
    Read(String),
}

/// The 304 for a derived answer the client holds at the state the watch vouches for, if it does:
/// no round trip.
pub fn unchanged(state: &AppState, req: &HttpRequest) -> Option<HttpResponse> {
    if_none_match(req)?;
    let (_, known) = state.watched_state()?;
    not_modified(req, &derived_tag(known, req))
}

/// The 304 for a record the client holds at the version read while the watched count was
/// `known`, if it does: no round trip.
pub fn unchanged_record(
    watch: &StateWatch,
    known: i64,
    req: &HttpRequest,
    entity: &'static str,
    id: i64,
) -> Option<HttpResponse> {
    if_none_match(req)?;
    not_modified(req, &etag(watch.version(known, entity, id)?))
}

/// Tags a read from the state its connection sees; a 304 when the client holds that answer.
pub async fn revalidate(
    conn: &mut diesel_async::AsyncPgConnection,
    req: &HttpRequest,
) -> Result<Revalidated, ApiError> {
    let tag = derived_tag(stored::visible_state(conn).await?, req);
    Ok(match not_modified(req, &tag) {
        Some(response) => Revalidated::NotModified(response),
        None => Revalidated::Read(tag),
    })
}

/// The strong entity tag of a record's version.
pub fn etag(version: i32) -> String {
    format!("\"{version}\"")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn if_none_match_compares_weakly_and_takes_lists() {
        assert!(matches_any("\"3\"", "\"3\""));
        assert!(matches_any("\"3\"", "W/\"3\""));
        assert!(matches_any("\"3\"", "\"1\", \"3\""));
        assert!(matches_any("\"3\"", "*"));
        assert!(!matches_any("\"3\"", "\"2\""));
    }

    #[test]
    fn a_derived_tag_changes_with_the_state_and_the_request() {
        let req = actix_web::test::TestRequest::get()
            .uri("/v1/commitments?nation=FR")
            .to_http_request();
        let other = actix_web::test::TestRequest::get()
            .uri("/v1/commitments?nation=GB")
            .to_http_request();
        let tag = derived_tag(10, &req);
        assert!(tag.starts_with("W/\""));
        assert_eq!(tag, derived_tag(10, &req));
        assert_ne!(tag, derived_tag(11, &req));
        assert_ne!(tag, derived_tag(10, &other));
    }
}
