//! What every write shares: one transaction; `If-Match` against the record's version (checked
//! under a row lock, so two editors never overwrite each other silently); `Idempotency-Key`, so a
//! retried POST creates nothing twice; citations checked against their sources' text; references
//! checked to exist; and the revision of everything the write changed.

use std::collections::{HashMap, HashSet};

use actix_web::http::{header, StatusCode};
use actix_web::{HttpRequest, HttpResponse};
use diesel_async::AsyncPgConnection;
use serde::Deserialize;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use utoipa::IntoParams;

use super::auth::Caller;
use super::caching::etag;
use super::error::ApiError;
use super::input::{limits, Problems, Reader};
use crate::db::queries::{idempotency, nations, sources, stored};
use crate::records::history::{self, Entity};
use crate::spans::{self, SpanError};

/// What a write answers.
pub struct Written {
    /// 200 or 201.
    pub status: StatusCode,
    /// The record as it now is, as JSON text (its stored representation).
    pub body: String,
    /// Its new version.
    pub version: Option<i32>,
    /// Where it lives, for a 201.
    pub location: Option<String>,
    /// Whether this answer repeats one given before under the same `Idempotency-Key`.
    pub replayed: bool,
    /// The audit-log line of the write, logged with its answer, once its transaction committed
    /// (a line written inside it would tell of writes the commit's checks then refused).
    pub audit: Option<String>,
}

impl Written {
    /// The answer for a record just changed: the representation and version its write stored
    /// (one index step), and its place.
    pub async fn record(
        conn: &mut AsyncPgConnection,
        entity: Entity,
        id: i64,
        status: StatusCode,
    ) -> Result<Self, ApiError> {
        let stored = stored::current(conn, entity.name(), id).await?.ok_or_else(|| {
            ApiError::Internal(format!(
                "{} {id} has no stored version after its write",
                entity.singular()
            ))
        })?;
        let (body, version) = (stored.body, Some(stored.version));
        let location = (status == StatusCode::CREATED).then(|| format!("/v1/{}/{id}", entity.name()));
        Ok(Written {
            status,
            body,
            version,
            location,
            replayed: false,
            audit: None,
        })
    }

    /// The answer for a record a write just stored, from what it stored.
    pub fn stored(stored: &history::Stored, status: StatusCode) -> Self {
        Written {
            status,
            body: stored.body.to_string(),
            version: Some(stored.version),
            location: (status == StatusCode::CREATED).then(|| format!("/v1/{}/{}", stored.entity.name(), stored.id)),
            replayed: false,
            audit: None,
        }
    }

    /// The same answer, with the audit-log line of its write.
    pub fn audited(self, line: String) -> Self {
        Written {
            audit: Some(line),
            ..self
        }
    }

    /// The HTTP answer, made after the write committed: logs the write's audit line.
    pub fn response(&self) -> HttpResponse {
        if let Some(line) = &self.audit {
            log::info!("{line}");
        }
        let mut response = HttpResponse::build(self.status);
        if let Some(version) = self.version {
            response.insert_header((header::ETAG, etag(version)));
        }
        if let Some(location) = &self.location {
            response.insert_header((header::LOCATION, location.clone()));
        }
        if self.replayed {
            response.insert_header(("Idempotent-Replayed", "true"));
        }
        response.content_type("application/json").body(self.body.clone())
    }
}

/// What the document says of `If-Match` on a change or a retraction.
pub const IF_MATCH_DOC: &str = "The ETag it was read with.";
/// What the document says of `Idempotency-Key` on a create.
pub const IDEMPOTENCY_KEY_CREATES_DOC: &str =
    "Any unique text (a UUID): a retry with the same key and body answers the first answer and creates nothing.";
/// What the document says of `Idempotency-Key` on a write that changes records it does not create.
pub const IDEMPOTENCY_KEY_CHANGES_DOC: &str =
    "Any unique text (a UUID): a retry with the same key and body answers the first answer and changes nothing.";
/// The shape of an `Idempotency-Key`, as [`idempotency_key`] checks it: 1 to 200 visible ASCII
/// characters. (The operations' attributes repeat it as a literal; a test holds them to this.)
pub const IDEMPOTENCY_KEY_PATTERN: &str = "^[!-~]{1,200}$";

/// The `Idempotency-Key` of a request, if it has one.
pub fn idempotency_key(req: &HttpRequest) -> Result<Option<String>, ApiError> {
    match req.headers().get("Idempotency-Key") {
        None => Ok(None),
        Some(value) => {
            let bytes = value.as_bytes();
            if (1..=200).contains(&bytes.len()) && bytes.iter().all(|b| (0x21..=0x7e).contains(b)) {
                Ok(Some(String::from_utf8_lossy(bytes).into_owned()))
            } else {
                Err(ApiError::parameter(
                    "Idempotency-Key",
                    "the Idempotency-Key header must be 1 to 200 visible ASCII characters without spaces, such as a UUID",
                ))
            }
        }
    }
}

/// The `Idempotency-Key` of a POST, and the fingerprint of the request it names.
pub struct Idempotency {
    key: Option<String>,
    request_sha256: String,
    key_id: i64,
}

impl Idempotency {
    /// Reads the header and fingerprints the request (method, path and body).
    pub fn of(req: &HttpRequest, caller: Caller, body: &[u8]) -> Result<Self, ApiError> {
        let mut hasher = Sha256::new();
        hasher.update(req.method().as_str().as_bytes());
        hasher.update(b" ");
        hasher.update(req.path().as_bytes());
        hasher.update(b"\n");
        hasher.update(body);
        let request_sha256 = hasher.finalize().iter().map(|b| format!("{b:02x}")).collect();
        Ok(Idempotency {
            key: idempotency_key(req)?,
            request_sha256,
            key_id: caller.key_id,
        })
    }

    /// In the write's transaction, before writing: the answer already given under this key, if
    /// any. The key is claimed first (a transaction-scoped advisory lock on it), so a concurrent
    /// retry waits for the first to commit and then replays its answer, or, if the first failed,
    /// writes in its place; the wait is bounded by the statement timeout.
    pub async fn replay(&self, conn: &mut AsyncPgConnection) -> Result<Option<Written>, ApiError> {
        let Some(key) = &self.key else { return Ok(None) };
        let stored = idempotency::claim(conn, self.key_id, key).await?;
        let Some(stored) = stored else { return Ok(None) };
        if stored.request_sha256 != self.request_sha256 {
            return Err(ApiError::Conflict(format!(
                "Idempotency-Key `{key}` was used for a different request; use a new key for a new request"
            )));
        }
        log::info!(
            "key {} replayed the answer given under its Idempotency-Key {key:?}",
            self.key_id
        );
        Ok(Some(Written {
            status: StatusCode::from_u16(stored.status as u16).unwrap_or(StatusCode::OK),
            body: stored.response,
            version: stored.version,
            location: stored.location,
            replayed: true,
            audit: None,
        }))
    }

    /// In the write's transaction, after writing: keeps the answer under the key.
    pub async fn store(&self, conn: &mut AsyncPgConnection, written: &Written) -> Result<(), ApiError> {
        let Some(key) = &self.key else { return Ok(()) };
        idempotency::store(
            conn,
            idempotency::NewAnswer {
                key_id: self.key_id,
                idempotency_key: key,
                request_sha256: &self.request_sha256,
                status: i32::from(written.status.as_u16()),
                response: &written.body,
                location: written.location.as_deref(),
                version: written.version,
            },
        )
        .await?;
        Ok(())
    }
}

/// Locks a live record for the rest of the transaction; returns its version. 404 when there is no
/// such live record.
pub async fn lock_live(conn: &mut AsyncPgConnection, entity: Entity, id: i64) -> Result<i32, ApiError> {
    let locked = stored::lock_live(conn, entity.name(), id).await?;
    if !locked {
        return Err(ApiError::NotFound(format!(
            "no live {} has the id {id}",
            entity.singular()
        )));
    }
    Ok(stored::current_version(conn, entity.name(), id).await?.unwrap_or(0))
}

/// The `If-Match` header of a request, read before the write's transaction.
#[derive(Debug, Clone)]
pub struct IfMatch(Option<String>);

impl IfMatch {
    /// Reads the header.
    pub fn of(req: &HttpRequest) -> Self {
        IfMatch(
            req.headers()
                .get(header::IF_MATCH)
                .map(|v| v.to_str().unwrap_or("").to_owned()),
        )
    }
}

/// Checks `If-Match` against a record's version: 428 when it is missing and `required`, 412 when
/// it names another version.
pub fn check_if_match(
    if_match: &IfMatch,
    entity: Entity,
    id: i64,
    version: i32,
    required: bool,
) -> Result<(), ApiError> {
    let current = etag(version);
    let Some(given) = if_match.0.as_deref() else {
        if required {
            return Err(ApiError::PreconditionRequired(format!(
                "changing {} {id} needs If-Match with its ETag (now {current}), so that no one else's change is overwritten",
                entity.singular()
            )));
        }
        return Ok(());
    };
    let matches = given
        .split(',')
        .map(str::trim)
        .any(|tag| tag == "*" || tag.trim_start_matches("W/") == current);
    if !matches {
        return Err(ApiError::PreconditionFailed(format!(
            "{} {id} is at version {current}, not {given}: it changed since it was read; read it again, then retry",
            entity.singular()
        )));
    }
    Ok(())
}

/// Locks a live record and checks the required `If-Match`; returns its version.
pub async fn lock_and_match(
    conn: &mut AsyncPgConnection,
    entity: Entity,
    id: i64,
    if_match: &IfMatch,
) -> Result<i32, ApiError> {
    let version = lock_live(conn, entity, id).await?;
    check_if_match(if_match, entity, id, version, true)?;
    Ok(version)
}

/// Citation rows for spans, each pointed at its fact by `target`.
pub fn new_citations<'a>(
    spans: &'a [Span],
    target: impl Fn(&mut crate::db::models::NewCitation<'a>),
) -> Vec<crate::db::models::NewCitation<'a>> {
    spans
        .iter()
        .map(|span| {
            let mut row = crate::db::models::NewCitation {
                source_id: span.source_id,
                start_offset: span.start,
                end_offset: span.end,
                excerpt: &span.excerpt,
                ..Default::default()
            };
            target(&mut row);
            row
        })
        .collect()
}

/// Why a record is retracted.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct RetractParams {
    /// Why the record is retracted; kept with it and shown to readers (1 to 4000 characters, not
    /// all blank, without NUL).
    #[param(
        example = "Duplicate of commitment 4.",
        min_length = 1,
        max_length = 4000,
        pattern = r"^[^\x00]*[^\x00\t\n\x0B\f\r \u0085\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000][^\x00]*$"
    )]
    pub reason: String,
}

impl RetractParams {
    /// The reason, checked as sent (its length counts any white space around it) and then trimmed.
    pub fn checked(&self) -> Result<&str, ApiError> {
        super::params::words(&self.reason, limits::SENTENCE).ok_or_else(|| {
            ApiError::parameter(
                "reason",
                "query parameter `reason` must say why, in 1 to 4000 characters without NUL",
            )
        })
    }
}

/// A citation as a write gives it: a source and an excerpt, with the excerpt's offsets if the
/// editor knows them (else the excerpt is found in the text, and must occur there once).
#[derive(Debug, Clone)]
pub struct Span {
    /// The source.
    pub source_id: i64,
    /// Where the excerpt starts, in code points.
    pub start: i32,
    /// Where it ends, in code points.
    pub end: i32,
    /// The excerpt.
    pub excerpt: String,
}

struct SpanRequest {
    path: String,
    source_id: i64,
    excerpt: String,
    start: Option<i32>,
    end: Option<i32>,
}

/// Reads a list of citations (`[{source_id, excerpt, start?, end?}]`), checking each against its
/// source's text. A fact needs at least one.
pub async fn read_citations(
    conn: &mut AsyncPgConnection,
    reader: &Reader<'_>,
    name: &str,
    problems: &mut Problems,
) -> Result<Vec<Span>, ApiError> {
    let Some(items) = reader.array(name, problems) else {
        if !reader.has(name) || reader.path(name).is_empty() {
            problems.add(
                reader.path(name),
                "is required: every fact rests on at least one citation",
            );
        }
        return Ok(Vec::new());
    };
    if items.is_empty() {
        problems.add(
            reader.path(name),
            "must hold at least one citation: every fact rests on evidence",
        );
    }
    let mut requests = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let path = format!("{}[{i}].", reader.path(name));
        let Value::Object(map) = item else {
            problems.add(
                path.trim_end_matches('.'),
                "must be an object {source_id, excerpt, start?, end?}",
            );
            continue;
        };
        if let Some(request) = read_span(map, path, problems) {
            requests.push(request);
        }
    }
    check_spans(conn, requests, problems).await
}

/// Reads one citation's span from an object (the fields `source_id`, `excerpt`, `start`, `end`).
fn read_span(map: &Map<String, Value>, path: String, problems: &mut Problems) -> Option<SpanRequest> {
    let item = Reader::nested(map, path.clone());
    item.only(&["source_id", "excerpt", "start", "end"], problems);
    let source_id = item.id("source_id", true, problems);
    let excerpt = item.text_raw("excerpt", problems);
    let start = item.offset("start", problems);
    let end = item.offset("end", problems);
    if start.is_some() != end.is_some() {
        problems.add(
            format!("{path}start"),
            "give both start and end, or neither (the excerpt is then found in the text)",
        );
    }
    Some(SpanRequest {
        path,
        source_id: source_id?,
        excerpt: excerpt?,
        start,
        end,
    })
}

/// Reads the span of a standalone citation body (its top-level `source_id`, `excerpt`, ...).
pub async fn read_span_fields(
    conn: &mut AsyncPgConnection,
    map: &Map<String, Value>,
    problems: &mut Problems,
) -> Result<Option<Span>, ApiError> {
    let request = read_span(map, String::new(), problems);
    Ok(check_spans(conn, request.into_iter().collect(), problems).await?.pop())
}

async fn check_spans(
    conn: &mut AsyncPgConnection,
    requests: Vec<SpanRequest>,
    problems: &mut Problems,
) -> Result<Vec<Span>, ApiError> {
    let ids: Vec<i64> = requests
        .iter()
        .map(|r| r.source_id)
        .collect::<HashSet<_>>()
        .into_iter()
        .collect();
    let texts: HashMap<i64, String> = if ids.is_empty() {
        HashMap::new()
    } else {
        sources::live_texts(conn, &ids).await?
    };
    let mut spans = Vec::new();
    for r in requests {
        let Some(text) = texts.get(&r.source_id) else {
            problems.add(
                format!("{}source_id", r.path),
                format!("no live source has the id {}", r.source_id),
            );
            continue;
        };
        let found = match (r.start, r.end) {
            (Some(start), Some(end)) => spans::between(text, start, end).map(|span| {
                if end <= start || span != r.excerpt {
                    problems.add(
                        format!("{}excerpt", r.path),
                        format!("is not the text of source {} between offsets {start} and {end} (code points); there it reads \"{span}\"", r.source_id),
                    );
                    None
                } else {
                    Some((start, end))
                }
            }),
            _ => spans::locate(text, &r.excerpt, None).map(Some),
        };
        let (field, message) = match found {
            Ok(Some((start, end))) => {
                spans.push(Span {
                    source_id: r.source_id,
                    start,
                    end,
                    excerpt: r.excerpt,
                });
                continue;
            }
            Ok(None) => continue,
            Err(SpanError::BeyondEnd(length)) => (
                "end",
                format!("lies beyond the end of source {} ({length} code points)", r.source_id),
            ),
            Err(SpanError::TooFar) => ("excerpt", "lies beyond the offsets a citation can hold".to_owned()),
            Err(SpanError::Ambiguous(n)) => (
                "excerpt",
                format!(
                    "occurs {n} times in source {}; give start and end to say which",
                    r.source_id
                ),
            ),
            Err(SpanError::Empty | SpanError::NotFound | SpanError::NoSuchOccurrence { .. }) => (
                "excerpt",
                format!(
                    "is not in the text of source {}; copy it exactly, punctuation included",
                    r.source_id
                ),
            ),
        };
        problems.add(format!("{}{field}", r.path), message);
    }
    Ok(spans)
}

impl Reader<'_> {
    /// A text kept exactly as given (an excerpt): refused only if empty or holding NUL.
    pub fn text_raw(&self, name: &str, problems: &mut Problems) -> Option<String> {
        self.text(name, true, limits::DOCUMENT, problems)
    }
}

/// Checks that the referenced live records exist; each missing one is a problem of its field.
pub async fn check_references(
    conn: &mut AsyncPgConnection,
    entity: Entity,
    references: &[(String, i64)],
    problems: &mut Problems,
) -> Result<(), ApiError> {
    if references.is_empty() {
        return Ok(());
    }
    let ids: Vec<i64> = references.iter().map(|(_, id)| *id).collect();
    let found = stored::live_ids(conn, entity.name(), &ids).await?;
    for (field, id) in references {
        if !found.contains(id) {
            problems.add(field.clone(), format!("no live {} has the id {id}", entity.singular()));
        }
    }
    Ok(())
}

/// Checks that the nation codes name states of ISO 3166-1.
pub async fn check_nations(
    conn: &mut AsyncPgConnection,
    codes: &[(String, String)],
    problems: &mut Problems,
) -> Result<(), ApiError> {
    if codes.is_empty() {
        return Ok(());
    }
    let wanted: Vec<String> = codes.iter().map(|(_, c)| c.clone()).collect();
    let found = nations::known(conn, &wanted).await?;
    for (field, code) in codes {
        if !found.contains(code) {
            problems.add(
                field.clone(),
                format!("no nation has the code {code}; use an ISO 3166-1 alpha-2 code listed at /v1/nations"),
            );
        }
    }
    Ok(())
}
