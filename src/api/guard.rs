//! What a request may send, checked before any handler runs: the media type of a write's body
//! (415 listing the accepted ones), its size against the operation's documented limit (413 from
//! `Content-Length`, before a byte is read); and the headers answers carry
//! (`X-Content-Type-Options: nosniff`; Swagger UI may not be framed; `Cache-Control` on reads, and
//! 304 for an `If-None-Match` that names the answer's `ETag`).

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{header, Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::HttpMessage as _;

use super::error::ApiError;

/// The largest body of a source (2,000,000 characters of text, up to 4 bytes each in UTF-8, and
/// the JSON around them).
pub const SOURCE_BODY_LIMIT: usize = 9 * 1024 * 1024;
/// The largest body of any other write but an import.
pub const BODY_LIMIT: usize = 1024 * 1024;
/// The largest file `POST /v1/import` takes; larger ones go through `alliance-kb import`.
pub const IMPORT_LIMIT: usize = 256 * 1024 * 1024;

/// The media types a write to `path` with `method` accepts, and its size limit in bytes.
fn accepted(method: &Method, path: &str) -> Option<(&'static [&'static str], usize)> {
    let path = path.trim_end_matches('/');
    if *method == Method::PATCH {
        let limit = if path.starts_with("/v1/sources/") {
            SOURCE_BODY_LIMIT
        } else {
            BODY_LIMIT
        };
        return Some((&["application/merge-patch+json", "application/json"], limit));
    }
    if *method != Method::POST && *method != Method::PUT {
        return None;
    }
    Some(match path {
        "/v1/import" => (&["application/x-ndjson"], IMPORT_LIMIT),
        "/v1/sources" => (&["application/json"], SOURCE_BODY_LIMIT),
        _ => (&["application/json"], BODY_LIMIT),
    })
}

/// Answers smaller than this many bytes are sent uncompressed.
pub const COMPRESS_FROM: usize = 1024;

/// Middleware, outside `Compress`: an answer left uncompressed for its size goes without the
/// `Content-Encoding: identity` that kept `Compress` from it.
pub async fn plain_when_small(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let mut res = next.call(req).await?;
    if res
        .headers()
        .get(header::CONTENT_ENCODING)
        .is_some_and(|v| v.as_bytes() == b"identity")
    {
        res.headers_mut().remove(header::CONTENT_ENCODING);
    }
    Ok(res)
}

/// Whether the request carries a body at all.
fn has_body(req: &ServiceRequest) -> bool {
    let headers = req.headers();
    headers.contains_key(header::TRANSFER_ENCODING)
        || headers
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok())
            .is_some_and(|n| n > 0)
}

fn human(bytes: usize) -> String {
    if bytes >= 1024 * 1024 {
        format!("{} MiB", bytes / (1024 * 1024))
    } else {
        format!("{} KiB", bytes / 1024)
    }
}

/// Checks that a read's `Accept` names one of the representations its path offers (or a range
/// that holds one): otherwise a 406 listing them. No `Accept`, or `*/*`, takes the first (JSON).
fn check_accept(req: &ServiceRequest) -> Result<(), ApiError> {
    if !matches!(*req.method(), Method::GET | Method::HEAD) || !req.headers().contains_key(header::ACCEPT) {
        return Ok(());
    }
    let Some(routes) = req.app_data::<actix_web::web::Data<super::RouteTable>>() else {
        return Ok(());
    };
    let Some(offered) = routes.offered(req.path()) else {
        return Ok(());
    };
    let accept = req
        .headers()
        .get_all(header::ACCEPT)
        .filter_map(|v| v.to_str().ok())
        .collect::<Vec<_>>()
        .join(",");
    if acceptable(&accept, offered) {
        return Ok(());
    }
    Err(ApiError::NotAcceptable(format!(
        "{} answers in {}; the request's Accept is `{accept}`",
        req.path(),
        offered.iter().map(|t| format!("`{t}`")).collect::<Vec<_>>().join(", ")
    )))
}

/// Whether an `Accept` list takes any of the offered media types (RFC 9110 12.5.1): a type, a
/// `type/*` range or `*/*`, with a weight above zero; an `Accept` that cannot be read takes all.
fn acceptable(accept: &str, offered: &[String]) -> bool {
    let mut read_any = false;
    for item in accept.split(',') {
        let mut parts = item.split(';').map(str::trim);
        let range = parts.next().unwrap_or("").to_ascii_lowercase();
        if range.is_empty() {
            continue;
        }
        read_any = true;
        let weight = parts
            .filter_map(|p| p.strip_prefix("q="))
            .filter_map(|q| q.parse::<f32>().ok())
            .next()
            .unwrap_or(1.0);
        if weight <= 0.0 {
            continue;
        }
        let takes = |offer: &String| match range.split_once('/') {
            Some(("*", "*")) => true,
            Some((kind, "*")) => offer.split('/').next() == Some(kind),
            _ => *offer == range || (range == "application/ndjson" && offer == super::encoding::NDJSON),
        };
        if offered.iter().any(takes) {
            return true;
        }
    }
    !read_any
}

/// Checks a write's media type and declared size. A method the path does not answer is left to
/// the router, which answers 405 (or 404 for an unknown path).
fn check(req: &ServiceRequest) -> Result<(), ApiError> {
    let Some((types, limit)) = accepted(req.method(), req.path()) else {
        return Ok(());
    };
    let served = req
        .app_data::<actix_web::web::Data<super::RouteTable>>()
        .and_then(|routes| routes.allowed(req.path()))
        .is_some_and(|allow| allow.split(", ").any(|m| m == req.method().as_str()));
    if !served {
        return Ok(());
    }
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if let Some(length) = declared {
        if length > limit as u64 {
            return Err(ApiError::TooLarge(format!(
                "the body declares {length} bytes; {} {} takes at most {} ({limit} bytes){}",
                req.method(),
                req.path(),
                human(limit),
                if limit == IMPORT_LIMIT {
                    "; load larger files with `alliance-kb import FILE`"
                } else {
                    ""
                }
            )));
        }
    }
    if !has_body(req) {
        return Ok(());
    }
    let given = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let media_type = given.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    if types.contains(&media_type.as_str()) {
        Ok(())
    } else {
        Err(ApiError::UnsupportedMediaType(format!(
            "{} {} takes {}; the request's Content-Type is {}",
            req.method(),
            req.path(),
            types.iter().map(|t| format!("`{t}`")).collect::<Vec<_>>().join(" or "),
            if given.is_empty() {
                "missing".to_owned()
            } else {
                format!("`{given}`")
            }
        )))
    }
}

/// The header that names a request: taken from the client when it sends one, else made.
pub const REQUEST_ID: &str = "x-request-id";

/// The id of the request being served, in its extensions.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

/// A new request id: this process's random 64 bits, then a count of the ids it made, as 32
/// hexadecimal digits; unique within the process, and between processes but by a chance of one in
/// 2^64. (Randomness read once: a system call per request was 1 % of the service's time.)
fn made_request_id() -> String {
    static PROCESS: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    static MADE: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let process = *PROCESS.get_or_init(|| {
        let mut bytes = [0u8; 8];
        // Without randomness the process is still told apart well enough to find a line: the time.
        if getrandom::fill(&mut bytes).is_err() {
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos());
            return now as u64;
        }
        u64::from_be_bytes(bytes)
    });
    let made = MADE.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    format!("{process:016x}{made:016x}")
}

/// Middleware: gives every request an id (the client's `X-Request-Id` when it is 1 to 128 visible
/// ASCII characters, else 32 hexadecimal digits, see [`made_request_id`]), answered in `X-Request-Id` and named in
/// the access-log line and in the log line of a failure.
pub async fn request_id(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let given = req
        .headers()
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| (1..=128).contains(&v.len()) && v.bytes().all(|b| b.is_ascii_graphic()))
        .map(str::to_owned);
    let id = given.unwrap_or_else(made_request_id);
    req.extensions_mut().insert(RequestId(id.clone()));
    let mut res = next.call(req).await?;
    if let Ok(value) = header::HeaderValue::from_str(&id) {
        res.headers_mut()
            .insert(header::HeaderName::from_static(REQUEST_ID), value);
    }
    Ok(res)
}

/// Middleware: refuses a write whose media type or declared size the operation does not take,
/// and adds the headers every answer carries.
pub async fn guard(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    if let Err(error) = check(&req).and_then(|()| check_accept(&req)) {
        let response = actix_web::ResponseError::error_response(&error);
        return Ok(with_headers(req.into_response(response)));
    }
    let swagger = req.path().starts_with("/swagger-ui");
    // Health checks are never cached: a balancer must see the state of now.
    let read = matches!(*req.method(), Method::GET | Method::HEAD)
        && (req.path().starts_with("/v1/") || req.path() == "/openapi.json");
    let keyed = req.headers().contains_key(header::AUTHORIZATION);
    let if_none_match = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let mut res = next.call(req).await?.map_into_boxed_body();
    if let Some(super::error::Failure(cause)) = res.response().extensions().get::<super::error::Failure>() {
        let id = res
            .request()
            .extensions()
            .get::<RequestId>()
            .map(|r| r.0.clone())
            .unwrap_or_default();
        log::error!(
            "{} {} failed (request {id}): {cause}",
            res.request().method(),
            res.request().path()
        );
    }
    if read && matches!(res.status(), StatusCode::OK | StatusCode::NOT_MODIFIED) {
        let cache = if keyed {
            "no-store"
        } else {
            "public, max-age=5, stale-while-revalidate=30"
        };
        res.headers_mut()
            .insert(header::CACHE_CONTROL, header::HeaderValue::from_static(cache));
        let etag = res
            .headers()
            .get(header::ETAG)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        if let (Some(etag), Some(wanted), StatusCode::OK) = (etag, if_none_match, res.status()) {
            if super::caching::matches_any(&etag, &wanted) {
                let (req, response) = res.into_parts();
                let mut not_modified = actix_web::HttpResponse::NotModified();
                for name in [header::ETAG, header::CACHE_CONTROL, header::VARY] {
                    if let Some(value) = response.headers().get(&name) {
                        not_modified.insert_header((name.clone(), value.clone()));
                    }
                }
                res = ServiceResponse::new(req, not_modified.finish());
            }
        }
    }
    // Small answers are not worth compressing: the `Compress` middleware leaves alone an answer
    // that names its encoding, and `plain_when_small` takes the name off again outside it.
    if matches!(res.response().body().size(), actix_web::body::BodySize::Sized(n) if n < COMPRESS_FROM as u64)
        && !res.headers().contains_key(header::CONTENT_ENCODING)
    {
        res.headers_mut()
            .insert(header::CONTENT_ENCODING, header::HeaderValue::from_static("identity"));
    }
    if swagger {
        res.headers_mut().insert(
            header::CONTENT_SECURITY_POLICY,
            header::HeaderValue::from_static("frame-ancestors 'none'"),
        );
        res.headers_mut()
            .insert(header::X_FRAME_OPTIONS, header::HeaderValue::from_static("DENY"));
    }
    Ok(with_headers(res))
}

fn with_headers(mut res: ServiceResponse<BoxBody>) -> ServiceResponse<BoxBody> {
    res.headers_mut().insert(
        header::X_CONTENT_TYPE_OPTIONS,
        header::HeaderValue::from_static("nosniff"),
    );
    res
}

/// CORS: any origin may read (GET, HEAD, and their preflight); only the configured origins may
/// write from a browser. Answers expose the headers clients need (ETag, Location, Link).
pub fn cors(write_origins: Vec<String>) -> actix_cors::Cors {
    actix_cors::Cors::default()
        .allowed_origin_fn(move |origin, head| {
            let reads = |m: &Method| *m == Method::GET || *m == Method::HEAD;
            let requested = head
                .headers()
                .get(header::ACCESS_CONTROL_REQUEST_METHOD)
                .and_then(|v| v.to_str().ok())
                .and_then(|m| m.parse::<Method>().ok());
            let is_read = match requested {
                Some(method) if head.method == Method::OPTIONS => reads(&method),
                _ => reads(&head.method),
            };
            is_read || origin.to_str().is_ok_and(|o| write_origins.iter().any(|w| w == o))
        })
        .allowed_methods(["GET", "HEAD", "POST", "PATCH", "DELETE", "OPTIONS"])
        .allowed_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::IF_MATCH,
            header::IF_NONE_MATCH,
            header::ACCEPT,
            header::HeaderName::from_static("idempotency-key"),
            header::HeaderName::from_static(super::consistency::CONSISTENCY_TOKEN),
            header::HeaderName::from_static(REQUEST_ID),
        ])
        .expose_headers([
            header::ETAG,
            header::LOCATION,
            header::LINK,
            header::HeaderName::from_static("idempotent-replayed"),
            header::HeaderName::from_static(super::consistency::CONSISTENCY_TOKEN),
            header::HeaderName::from_static(REQUEST_ID),
        ])
        .max_age(3600)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_accept_takes_an_offered_type_a_range_or_anything() {
        let list = vec![
            "application/json".to_owned(),
            "text/csv".to_owned(),
            "application/x-ndjson".to_owned(),
        ];
        let detail = vec!["application/json".to_owned()];
        assert!(acceptable("text/csv", &list));
        assert!(!acceptable("text/csv", &detail));
        assert!(acceptable("text/*", &list));
        assert!(acceptable("*/*", &detail));
        assert!(acceptable("application/xml, application/json;q=0.5", &detail));
        assert!(!acceptable("application/xml", &list));
        assert!(!acceptable("application/json;q=0", &detail));
        assert!(acceptable("application/ndjson", &list));
        assert!(acceptable("", &detail));
    }

    #[test]
    fn each_write_has_its_media_types_and_limit() {
        assert_eq!(
            accepted(&Method::POST, "/v1/import"),
            Some((&["application/x-ndjson"][..], IMPORT_LIMIT))
        );
        assert_eq!(
            accepted(&Method::POST, "/v1/sources").map(|a| a.1),
            Some(SOURCE_BODY_LIMIT)
        );
        assert_eq!(
            accepted(&Method::PATCH, "/v1/sources/1").map(|a| a.1),
            Some(SOURCE_BODY_LIMIT)
        );
        assert_eq!(
            accepted(&Method::POST, "/v1/commitments").map(|a| a.1),
            Some(BODY_LIMIT)
        );
        assert!(accepted(&Method::PATCH, "/v1/commitments/1")
            .unwrap()
            .0
            .contains(&"application/merge-patch+json"));
        assert_eq!(accepted(&Method::GET, "/v1/commitments"), None);
        assert_eq!(accepted(&Method::DELETE, "/v1/commitments/1"), None);
    }
}
