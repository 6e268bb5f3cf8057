//! The answers of lists: JSON one page at a time, or CSV and NDJSON (chosen by `Accept`, written
//! by [`super::encoding`]) streamed page by page, so that an export of any size holds one page in
//! memory.

use std::future::Future;

use actix_web::body::BoxBody;
use actix_web::http::header::{self, HeaderValue};
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse, Responder};

use super::caching;
use super::encoding::Format;
use super::error::ApiError;
use super::present::Listed;
use crate::api::paging::{Page, Paging};

/// How many records a streamed answer reads per query.
pub const STREAM_PAGE: u32 = 500;

// A streamed page and the row after it are walked under the data layer's constant bound.
const _: () = assert!((STREAM_PAGE as i64) < crate::db::queries::stored::PAGE_BOUND);

/// Answers a list read page by page by `fetch`, in the format asked for (see [`list_response`]).
pub async fn list_of<Q, P, F, Fut>(
    req: &HttpRequest,
    state: &crate::api::AppState,
    params: Q,
    fetch: F,
) -> Result<HttpResponse, ApiError>
where
    Q: Paging,
    P: Page + 'static,
    F: Fn(Q) -> Fut + 'static,
    Fut: Future<Output = Result<P, ApiError>> + 'static,
{
    let (cursor, limit) = params.paging();
    list_response(req, state, cursor, limit, move |cursor, limit| {
        fetch(params.at(cursor, limit))
    })
    .await
}

/// Answers a list in the format asked for. JSON answers one page. CSV and NDJSON answer one page
/// when `limit` is given (with `Link: rel="next"`), and otherwise every record from `cursor` on,
/// streamed: `fetch` is called for one page after the other. An answer of one page carries the
/// tag of the state it was read in, and is a 304 without being read when the client holds it.
pub async fn list_response<P, F, Fut>(
    req: &HttpRequest,
    state: &crate::api::AppState,
    cursor: Option<String>,
    limit: Option<u32>,
    fetch: F,
) -> Result<HttpResponse, ApiError>
where
    P: Page + 'static,
    F: Fn(Option<String>, Option<u32>) -> Fut + 'static,
    Fut: Future<Output = Result<P, ApiError>> + 'static,
{
    let format = Format::of(req);
    let mut response = if format == Format::Json || limit.is_some() {
        if let Some(response) = caching::unchanged(state, req) {
            return Ok(response);
        }
        let tag = {
            let mut conn = state.conn().await?;
            match caching::revalidate(&mut conn, req).await? {
                caching::Revalidated::NotModified(response) => return Ok(response),
                caching::Revalidated::Read(tag) => tag,
            }
        };
        let page = fetch(cursor, limit).await?;
        let mut response = if format == Format::Json {
            Listed(page).respond_to(req)
        } else {
            let mut body = Vec::new();
            if format == Format::Csv {
                page.csv_header(&mut body);
            }
            page.encode(format, &mut body)?;
            let mut response = Listed(page).respond_to(req);
            response
                .headers_mut()
                .insert(header::CONTENT_TYPE, HeaderValue::from_static(format.content_type()));
            response.set_body(BoxBody::new(body))
        };
        if let Ok(tag) = HeaderValue::from_str(&tag) {
            response.headers_mut().insert(header::ETAG, tag);
        }
        response
    } else {
        // The first page is read before answering, so that its errors are still problem+json.
        let first = fetch(cursor, Some(STREAM_PAGE)).await?;
        let mut head = Vec::new();
        if format == Format::Csv {
            first.csv_header(&mut head);
        }
        first.encode(format, &mut head)?;
        let next = first.next_cursor().map(str::to_owned);
        let rest = futures_util::stream::unfold((fetch, next), move |(fetch, next)| async move {
            let cursor = next?;
            let step = async {
                let page = fetch(Some(cursor), Some(STREAM_PAGE)).await?;
                let mut chunk = Vec::new();
                page.encode(format, &mut chunk)?;
                Ok::<_, ApiError>((chunk, page.next_cursor().map(str::to_owned)))
            };
            match step.await {
                Ok((chunk, next)) => Some((Ok(Bytes::from(chunk)), (fetch, next))),
                Err(error) => {
                    // The status is sent already: the answer is cut short, which clients see.
                    log::error!("a streamed list stopped: {error}");
                    Some((Err(error), (fetch, None)))
                }
            }
        });
        let head = futures_util::stream::once(async { Ok::<_, ApiError>(Bytes::from(head)) });
        HttpResponse::Ok()
            .content_type(format.content_type())
            .streaming(futures_util::StreamExt::chain(head, rest))
    };
    response
        .headers_mut()
        .insert(header::VARY, HeaderValue::from_static("Accept"));
    Ok(response)
}
