//! Read-your-writes across replicas: every successful write answers with a `Consistency-Token`
//! (where the primary's log ended once it had committed); a read that sends it back is served by a
//! replica only once that replica has replayed past it, else by the primary. And within this
//! instance: a write makes the watched state forgotten before it answers, so that no
//! revalidation answers its writer from a state older than its write.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{header, Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::web;

use super::error::ApiError;
use super::state::{AppState, ReadRoute, ROUTE};
use crate::db::replicas::{self, Lsn};

/// The header a write answers with and a read may send back.
pub const CONSISTENCY_TOKEN: &str = "consistency-token";

/// Middleware: reads the request's token (400 if it is not one), lets the request's reads go to a
/// replica when they may, marks a replica that failed a read, and gives a successful write its
/// token.
pub async fn route_reads(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let after = match req.headers().get(CONSISTENCY_TOKEN) {
        None => None,
        Some(value) => match value.to_str().ok().and_then(|t| t.trim().parse::<Lsn>().ok()) {
            Some(lsn) => Some(lsn),
            None => {
                let error = ApiError::BadRequest(
                    "the Consistency-Token header is not a token this service gave: send back the value of a write's Consistency-Token header as it came (e.g. 0/16B3748), or leave it out"
                        .into(),
                );
                return Ok(req.into_response(actix_web::ResponseError::error_response(&error)));
            }
        },
    };
    let read = matches!(*req.method(), Method::GET | Method::HEAD);
    let route = ReadRoute {
        replica_ok: read && !req.headers().contains_key(header::AUTHORIZATION),
        after,
    };
    let state = req.app_data::<web::Data<AppState>>().cloned();
    let scope = (route, std::cell::Cell::new(None));
    let (mut res, served) = ROUTE
        .scope(scope, async {
            let res = next.call(req).await.map(ServiceResponse::map_into_boxed_body);
            (res, ROUTE.with(|(_, served)| served.get()))
        })
        .await;
    let Some(state) = state else { return res };
    if !read {
        // Before the writer hears of its write: revalidations no longer trust the count the
        // watch read before it.
        if let Some(watch) = &state.watch {
            watch.forget();
        }
    }
    let Some(replicas) = state.replicas.as_ref() else {
        return res;
    };
    if let (Ok(response), Some(i)) = (&res, served) {
        if response.status() == StatusCode::SERVICE_UNAVAILABLE {
            replicas.suspect(i, "a read on it was answered 503");
        }
    }
    if let Ok(response) = &mut res {
        if !read && response.status().is_success() {
            match state.db.session().await {
                Ok(mut session) => match replicas::current_lsn(&mut session).await {
                    Ok(lsn) => {
                        if let Ok(value) = header::HeaderValue::from_str(&lsn.to_string()) {
                            response
                                .headers_mut()
                                .insert(header::HeaderName::from_static(CONSISTENCY_TOKEN), value);
                        }
                    }
                    Err(e) => log::warn!("no consistency token for a write: {e}"),
                },
                Err(e) => log::warn!("no consistency token for a write: {e}"),
            }
        }
    }
    res
}
