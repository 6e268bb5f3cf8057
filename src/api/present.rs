//! How answers are presented, the same for every route: `?pretty=true` for indented JSON, a
//! charset on JSON media types, HEAD served wherever GET is, and `Link: rel="next"` on lists.

use actix_web::body::{self, BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{header, Method, StatusCode, Uri};
use actix_web::middleware::Next;
use actix_web::{HttpRequest, HttpResponse, Responder};

use super::error::{problem_response, ApiError};
use super::paging::Page;

/// The query parameter that asks for indented JSON.
pub const PRETTY: &str = "pretty";

/// Middleware: reads and removes `pretty` from the query string (so that the strict parameter
/// parsing of each route never sees it), serves HEAD as GET, and shapes the JSON answer.
pub async fn presentation(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let pretty = match take_pretty(&mut req) {
        Ok(pretty) => pretty,
        Err(error) => {
            let response = problem_response(StatusCode::BAD_REQUEST, &error.problem());
            return Ok(req.into_response(response));
        }
    };
    if req.method() == Method::HEAD {
        // HEAD is GET without the body; the HTTP layer leaves the body out for HEAD requests.
        req.head_mut().method = Method::GET;
    }
    let res = next.call(req).await?;
    let content_type = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let media_type = content_type.split(';').next().unwrap_or("").trim();
    if media_type != "application/json" && media_type != super::error::PROBLEM_JSON {
        return Ok(res.map_into_boxed_body());
    }
    let with_charset = (!content_type.contains("charset="))
        .then(|| header::HeaderValue::from_str(&format!("{media_type}; charset=utf-8")).ok())
        .flatten();
    let (req, mut res) = res.into_parts();
    if let Some(value) = with_charset {
        res.headers_mut().insert(header::CONTENT_TYPE, value);
    }
    if !pretty {
        return Ok(ServiceResponse::new(req, res.map_into_boxed_body()));
    }
    let (res, body) = res.into_parts();
    let bytes = body::to_bytes(body)
        .await
        .map_err(|e| actix_web::error::ErrorInternalServerError(e.into().to_string()))?;
    let indented = serde_json::from_slice::<serde_json::Value>(&bytes)
        .ok()
        .and_then(|value| serde_json::to_vec_pretty(&value).ok())
        .map(|mut v| {
            v.push(b'\n');
            v
        })
        .unwrap_or_else(|| bytes.to_vec());
    let mut res = res.set_body(BoxBody::new(indented));
    res.headers_mut().remove(header::CONTENT_LENGTH);
    Ok(ServiceResponse::new(req, res))
}

fn take_pretty(req: &mut ServiceRequest) -> Result<bool, ApiError> {
    let query = req.query_string();
    if !query.split('&').any(|pair| pair.split('=').next() == Some(PRETTY)) {
        return Ok(false);
    }
    let mut pretty = None;
    let mut kept = url::form_urlencoded::Serializer::new(String::new());
    for (name, value) in url::form_urlencoded::parse(query.as_bytes()) {
        if name != PRETTY {
            kept.append_pair(&name, &value);
            continue;
        }
        if pretty.is_some() {
            return Err(ApiError::parameter(
                PRETTY,
                "query parameter `pretty` is given more than once; give it once",
            ));
        }
        pretty = Some(match value.as_ref() {
            "true" => true,
            "false" => false,
            other => {
                return Err(ApiError::parameter(
                    PRETTY,
                    format!("query parameter `pretty` must be true or false, not `{other}`"),
                ))
            }
        });
    }
    let kept = kept.finish();
    let path_and_query = if kept.is_empty() {
        req.path().to_owned()
    } else {
        format!("{}?{kept}", req.path())
    };
    if let Ok(uri) = path_and_query.parse::<Uri>() {
        req.head_mut().uri = uri;
    }
    Ok(pretty.unwrap_or(false))
}

/// A list page as a response: JSON, with a `Link` header to the next page.
pub struct Listed<T>(pub T);

impl<T: Page> Responder for Listed<T> {
    type Body = BoxBody;

    fn respond_to(self, req: &HttpRequest) -> HttpResponse {
        let mut response = HttpResponse::Ok();
        if let Some(cursor) = self.0.next_cursor() {
            let mut query = url::form_urlencoded::Serializer::new(String::new());
            for (name, value) in url::form_urlencoded::parse(req.query_string().as_bytes()) {
                if name != "cursor" {
                    query.append_pair(&name, &value);
                }
            }
            query.append_pair("cursor", cursor);
            response.insert_header((
                header::LINK,
                format!("<{}?{}>; rel=\"next\"", req.path(), query.finish()),
            ));
        }
        match self.0.to_json() {
            Ok(body) => response.content_type("application/json").body(body),
            Err(error) => actix_web::ResponseError::error_response(&error),
        }
    }
}
