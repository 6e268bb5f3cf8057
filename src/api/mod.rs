//! The HTTP API: routes, the OpenAPI document collected from them, and the mapping of every
//! failure, actix's own included, to problem+json.

pub mod state;
pub use state::AppState;
pub mod auth;
pub mod caching;
pub mod consistency;
pub mod document;
pub mod edit;
pub mod encoding;
pub mod error;
pub mod formats;
pub mod grounds;
pub mod guard;
pub mod handlers;
pub mod input;
pub mod metrics;
pub mod paging;
pub mod params;
pub mod present;
pub mod schemas;
pub mod write;

use actix_web::dev::{ResourceDef, ServiceResponse};
use actix_web::http::{header, StatusCode};
use actix_web::middleware::ErrorHandlerResponse;
use actix_web::{web, HttpRequest, HttpResponse};
use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::path::{ParameterBuilder, ParameterIn};
use utoipa::openapi::{ContentBuilder, ObjectBuilder, OpenApi, Ref, RefOr, Required, ResponseBuilder, Type};
use utoipa::OpenApi as _;
use utoipa_actix_web::service_config::ServiceConfig;
use utoipa_actix_web::{scope, AppExt};

use self::error::{problem_response, ApiError, Problem, PROBLEM_JSON};
use self::handlers::*;

/// The document's fixed parts; the paths are collected from the handlers registered in [`routes`].
#[derive(utoipa::OpenApi)]
#[openapi(
    info(
        title = "Alliance-commitment knowledge base",
        description = include_str!("../../openapi/description.md"),
        license(name = "Apache-2.0", identifier = "Apache-2.0"),
        contact(name = "The alliance-commitment knowledge base maintainers")
    ),
    tags(
        (name = "nations", description = "Every ISO 3166-1 state, and what each committed and said."),
        (name = "commitments", description = "What nations offered, pledged, refused or withdrew, with status histories."),
        (name = "statements", description = "Words officials said or wrote, verbatim where the source quotes them."),
        (name = "events", description = "Meetings, declarations and attack reports."),
        (name = "claims", description = "Figures reported or claimed by parties to the war: never verified facts."),
        (name = "sources", description = "The documents facts rest on, kept whole, with their reliability."),
        (name = "people", description = "Officials who speak or act."),
        (name = "organizations", description = "Alliances, unions and coalitions, with their members."),
        (name = "citations", description = "The evidence: spans of sources, each supporting one fact."),
        (name = "disputes", description = "When sources disagree on a value: every value kept, each with its evidence."),
        (name = "search", description = "Full-text search across the knowledge base."),
        (name = "history", description = "Every version of every record, and every change since a moment."),
        (name = "transfer", description = "The whole knowledge base as one NDJSON file: export, and import for admins."),
        (name = "keys", description = "The keys editors write with; for admins."),
        (name = "meta", description = "Liveness and readiness of the service.")
    ),
    components(schemas(Problem)),
    modifiers(&BearerScheme)
)]
pub(crate) struct ApiDoc;

/// The `bearer` security scheme: `Authorization: Bearer <key>`, for writes.
struct BearerScheme;

impl utoipa::Modify for BearerScheme {
    fn modify(&self, api: &mut OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let scheme = HttpBuilder::new()
            .scheme(HttpAuthScheme::Bearer)
            .description(Some(
                "A key made with `alliance-kb keys create` or `POST /v1/keys`: `akb_<id>_<secret>`.",
            ))
            .build();
        api.components
            .get_or_insert_with(Default::default)
            .add_security_scheme("bearer", SecurityScheme::Http(scheme));
    }
}

/// Registers every route of the API. The OpenAPI document is collected from these registrations,
/// so a route cannot be served without being documented, nor documented without being served.
pub fn routes(cfg: &mut ServiceConfig) {
    cfg.service(meta::get_health).service(meta::get_readiness).service(
        scope::scope("/v1")
            .service(meta::get_index)
            .service(nations::list_nations)
            .service(nations::get_nation)
            .service(nations::list_nation_commitments)
            .service(nations::list_nation_statements)
            .service(profiles::get_nation_profile)
            .service(organizations::list_organizations)
            .service(people::list_people)
            .service(people::get_person)
            .service(people::create_person)
            .service(people::update_person)
            .service(people::delete_person)
            .service(sources::list_sources)
            .service(sources::get_source)
            .service(sources::create_source)
            .service(sources::update_source)
            .service(sources::delete_source)
            .service(events::list_events)
            .service(events::get_event)
            .service(events::create_event)
            .service(events::update_event)
            .service(events::delete_event)
            .service(commitments::list_commitments)
            .service(commitments::get_commitment)
            .service(commitments::create_commitment)
            .service(commitments::update_commitment)
            .service(commitments::delete_commitment)
            .service(commitments::create_status_change)
            .service(divisions::get_divisions)
            .service(search::search_records)
            .service(statements::list_statements)
            .service(statements::get_statement)
            .service(statements::create_statement)
            .service(statements::update_statement)
            .service(statements::delete_statement)
            .service(claims::list_claims)
            .service(claims::get_claim)
            .service(claims::create_claim)
            .service(claims::update_claim)
            .service(claims::delete_claim)
            .service(citations::get_citation)
            .service(citations::create_citation)
            .service(citations::update_citation)
            .service(citations::delete_citation)
            .service(disputes::create_competing_value)
            .service(disputes::delete_competing_value)
            .service(revisions::list_revisions)
            .service(revisions::list_changes)
            .service(timeline::list_timeline)
            .service(transfer::get_export)
            .service(transfer::create_import)
            .service(keys::create_key)
            .service(keys::list_keys)
            .service(keys::delete_key),
    );
}

/// The OpenAPI document, as served at `/openapi.json` and committed as `openapi/openapi.json`.
pub fn openapi() -> serde_json::Value {
    let (_, api) = actix_web::App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .configure(routes)
        .split_for_parts();
    document::for_generators(&complete(api))
}

/// Adds what every operation takes and answers besides its own: the `pretty` parameter, 400 for a
/// bad parameter, 500 and 503 wherever the database is used, and `Link` on list pages.
pub(crate) fn complete(mut api: OpenApi) -> OpenApi {
    let document = serde_json::to_value(&api).unwrap_or_default();
    let problem = |description: &str| {
        ResponseBuilder::new()
            .description(description)
            .content(
                PROBLEM_JSON,
                ContentBuilder::new()
                    .schema(Some(Ref::from_schema_name("Problem")))
                    .build(),
            )
            .build()
    };
    let components = api.components.get_or_insert_with(Default::default);
    for (name, description) in [
        (
            "BadRequest",
            "A parameter is unknown, malformed or out of range; `parameter` names it.",
        ),
        (
            "Internal",
            "The service failed; the cause is in its log, never in the response.",
        ),
        ("Unavailable", "The database is not answering, or a query ran past its time limit; try again shortly. A write retried with its Idempotency-Key is applied once."),
        (
            "NotAcceptable",
            "The request's `Accept` names none of the representations the operation answers in; the problem lists those it offers.",
        ),
        (
            "TooLarge",
            "The body is larger than the operation takes (a source: 9 MiB; an import: 256 MiB; any other write: 1 MiB); refused from `Content-Length` before it is read.",
        ),
        (
            "UnsupportedMediaType",
            "The body's `Content-Type` is not one the operation takes: `application/json` for a create, `application/merge-patch+json` (or `application/json`) for a correction, `application/x-ndjson` for an import.",
        ),
    ] {
        components
            .responses
            .insert(name.to_owned(), RefOr::T(problem(description)));
    }
    let pretty = ParameterBuilder::new()
        .name(present::PRETTY)
        .parameter_in(ParameterIn::Query)
        .required(Required::False)
        .description(Some("Indent the JSON answer, for reading in a terminal."))
        .schema(Some(
            ObjectBuilder::new()
                .schema_type(Type::Boolean)
                .default(Some(false.into())),
        ))
        .example(Some(true.into()))
        .build();
    let link = HeaderBuilder::new()
        .schema(ObjectBuilder::new().schema_type(Type::String))
        .description(Some(
            "`<URL of the next page>; rel=\"next\"` when another page follows (RFC 8288).",
        ))
        .build();
    // utoipa drops the examples of free-form object fields (the records a revision holds).
    let record = serde_json::json!({"id": 1, "nation": "FR", "kind": "troops", "status": "proposed"});
    for (schema, field, example) in [
        ("Revision", "before", serde_json::Value::Null),
        ("Revision", "after", record.clone()),
        ("Change", "record", record),
        ("CompetingValueInput", "value", serde_json::json!("2026-01-08")),
        (
            "DisputedValue",
            "value",
            serde_json::json!({"min": 5000, "max": 5000, "unit": "soldiers", "text": "5,000 soldiers"}),
        ),
    ] {
        if let Some(RefOr::T(utoipa::openapi::Schema::Object(object))) = components.schemas.get_mut(schema) {
            if let Some(RefOr::T(utoipa::openapi::Schema::Object(property))) = object.properties.get_mut(field) {
                property.examples = vec![example];
            }
        }
    }
    for (path, item) in api.paths.paths.iter_mut() {
        let uses_database = path != "/healthz";
        let operations = [
            (true, &mut item.get),
            (false, &mut item.post),
            (false, &mut item.put),
            (false, &mut item.patch),
            (false, &mut item.delete),
        ];
        for (is_get, op) in operations
            .into_iter()
            .filter_map(|(is_get, op)| op.as_mut().map(|op| (is_get, op)))
        {
            op.parameters.get_or_insert_with(Vec::new).push(pretty.clone());
            let is_list = op.operation_id.as_deref().is_some_and(|id| id.starts_with("list_"));
            if let (true, Some(RefOr::T(ok))) = (is_list, op.responses.responses.get_mut("200")) {
                ok.headers.insert("Link".to_owned(), link.clone());
            }
            if let Some(RefOr::T(ok)) = op.responses.responses.get_mut("200") {
                add_list_formats(&document, ok);
            }
            let responses = &mut op.responses.responses;
            // Every operation takes `pretty`, so every operation can answer 400.
            responses
                .entry("400".into())
                .or_insert_with(|| RefOr::Ref(Ref::from_response_name("BadRequest")));
            if is_get {
                responses
                    .entry("406".into())
                    .or_insert_with(|| RefOr::Ref(Ref::from_response_name("NotAcceptable")));
            }
            let writes = matches!(
                op.operation_id.as_deref().map(|id| id.split('_').next().unwrap_or("")),
                Some("create" | "update")
            );
            if writes {
                responses
                    .entry("413".into())
                    .or_insert_with(|| RefOr::Ref(Ref::from_response_name("TooLarge")));
                responses
                    .entry("415".into())
                    .or_insert_with(|| RefOr::Ref(Ref::from_response_name("UnsupportedMediaType")));
            }
            if uses_database {
                responses
                    .entry("500".into())
                    .or_insert_with(|| RefOr::Ref(Ref::from_response_name("Internal")));
                responses
                    .entry("503".into())
                    .or_insert_with(|| RefOr::Ref(Ref::from_response_name("Unavailable")));
            }
        }
    }
    api
}

/// Declares CSV and NDJSON beside JSON on an answer that is a page of records, with the CSV
/// columns, read from the record's schema, in its description.
fn add_list_formats(document: &serde_json::Value, ok: &mut utoipa::openapi::Response) {
    let Some(json) = ok.content.get("application/json") else {
        return;
    };
    let Some(RefOr::Ref(page)) = &json.schema else {
        return;
    };
    let page = page.ref_location.rsplit('/').next().unwrap_or("");
    let Some(item) = document["components"]["schemas"][page]["properties"]["items"]["items"]["$ref"]
        .as_str()
        .and_then(|r| r.rsplit('/').next())
    else {
        return;
    };
    let columns = encoding::columns_of(document, item);
    let names: Vec<String> = columns.iter().map(|c| format!("`{}`", c.name)).collect();
    let mut header = Vec::new();
    encoding::row(&mut header, columns.iter().map(|c| c.name.as_str()));
    ok.description = format!(
        "{} With `Accept: text/csv` or `application/x-ndjson`, every record from `cursor` on, \
         streamed (one page when `limit` is given). CSV columns: {}.",
        ok.description,
        names.join(", ")
    );
    ok.content.insert(
        encoding::CSV.to_owned(),
        ContentBuilder::new()
            .schema(Some(ObjectBuilder::new().schema_type(Type::String)))
            .example(Some(String::from_utf8_lossy(&header).into_owned().into()))
            .build(),
    );
    ok.content.insert(
        encoding::NDJSON.to_owned(),
        ContentBuilder::new().schema(Some(Ref::from_schema_name(item))).build(),
    );
}

/// Path extractor failures (an id that is not a number) as problem+json naming the parameter and
/// what it takes; the extractor's own words are not passed on.
pub fn path_config() -> web::PathConfig {
    web::PathConfig::default().error_handler(|_err, req| {
        let given = req
            .match_info()
            .iter()
            .next()
            .map(|(_, v)| v.to_owned())
            .unwrap_or_default();
        ApiError::parameter(
            "id",
            format!("path parameter `id` must be a whole number from 1, such as 3, not `{given}`"),
        )
        .into()
    })
}

/// Body extractor failures as problem+json.
pub fn json_config() -> web::JsonConfig {
    web::JsonConfig::default().error_handler(|err, _req| {
        ApiError::BadRequest(format!("the request body is not acceptable JSON: {err}")).into()
    })
}

/// The methods each documented path answers, and the media types its GET answers in, read from
/// the OpenAPI document: so that a request with the wrong method gets a 405 naming the right ones
/// (actix answers such a request with a 404, since its route macros guard whole resources by
/// method), and one whose `Accept` names none of them a 406 listing them.
pub struct RouteTable(Vec<(ResourceDef, String, Vec<String>)>);

impl RouteTable {
    /// The table of the document's paths.
    pub fn from_document(document: &OpenApi) -> Self {
        let routes = document
            .paths
            .paths
            .iter()
            .map(|(path, item)| {
                let mut methods = Vec::new();
                if item.get.is_some() {
                    methods.extend(["GET", "HEAD"]);
                }
                for (method, operation) in [
                    ("POST", &item.post),
                    ("PUT", &item.put),
                    ("PATCH", &item.patch),
                    ("DELETE", &item.delete),
                ] {
                    if operation.is_some() {
                        methods.push(method);
                    }
                }
                let offered = item
                    .get
                    .as_ref()
                    .and_then(|get| get.responses.responses.get("200"))
                    .and_then(|response| match response {
                        RefOr::T(response) => Some(response.content.keys().cloned().collect()),
                        RefOr::Ref(_) => None,
                    })
                    .unwrap_or_default();
                (ResourceDef::new(path.as_str()), methods.join(", "), offered)
            })
            .collect();
        RouteTable(routes)
    }

    /// The methods the path answers, if it is one the API serves.
    pub fn allowed(&self, path: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(def, _, _)| def.is_match(path))
            .map(|(_, allow, _)| allow.as_str())
    }

    /// The media types a GET of the path answers in, if it is one the API serves.
    pub fn offered(&self, path: &str) -> Option<&[String]> {
        self.0
            .iter()
            .find(|(def, _, _)| def.is_match(path))
            .map(|(_, _, offered)| offered.as_slice())
            .filter(|offered| !offered.is_empty())
    }
}

/// The OpenAPI document, as built at start, cut where its first server's URL stands: each
/// request gets the document with the address it was sent to as that URL (so that Swagger UI and
/// a client reading `/openapi.json` call the service that answered), and a tag of those bytes.
pub struct ServedDocument {
    before: Vec<u8>,
    after: Vec<u8>,
}

impl ServedDocument {
    /// The document of `api`, made ready for generators, as served at `/openapi.json`.
    pub fn new(api: &OpenApi) -> Self {
        let body = serde_json::to_vec(&document::for_generators(api)).unwrap_or_default();
        let needle = format!("\"url\":\"{}\"", document::DEFAULT_SERVER);
        let (before, after) = match body.windows(needle.len()).position(|w| w == needle.as_bytes()) {
            Some(at) => {
                let start = at + "\"url\":\"".len();
                (
                    body[..start].to_vec(),
                    body[start + document::DEFAULT_SERVER.len()..].to_vec(),
                )
            }
            None => (body, Vec::new()),
        };
        ServedDocument { before, after }
    }

    /// The document as served to a request sent to `origin` (`http://host:port`).
    pub fn for_origin(&self, origin: &str) -> Vec<u8> {
        let mut body = Vec::with_capacity(self.before.len() + origin.len() + self.after.len());
        body.extend_from_slice(&self.before);
        if !self.after.is_empty() {
            // The origin is written inside a JSON string: only what a Host header can hold.
            body.extend(
                origin
                    .bytes()
                    .filter(|b| b.is_ascii_graphic() && *b != b'"' && *b != b'\\'),
            );
        }
        body.extend_from_slice(&self.after);
        body
    }
}

/// `GET /openapi.json`: the document, naming as its first server the address the request was
/// sent to, tagged so that `If-None-Match` answers 304.
pub async fn serve_document(req: HttpRequest, document: web::Data<ServedDocument>) -> HttpResponse {
    use std::hash::{Hash, Hasher};
    let origin = {
        let info = req.connection_info();
        format!("{}://{}", info.scheme(), info.host())
    };
    let body = document.for_origin(&origin);
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    body.hash(&mut hasher);
    HttpResponse::Ok()
        .content_type("application/json")
        .insert_header((header::ETAG, format!("\"{:016x}\"", hasher.finish())))
        .insert_header((header::VARY, "Host"))
        .body(body)
}

/// Swagger UI's page, with the product's name as its title; the rest of Swagger UI (scripts,
/// styles, the initializer pointing at `/openapi.json`) is served, vendored, by utoipa-swagger-ui.
pub async fn swagger_index() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(include_str!("static/swagger-ui.html"))
}

/// The answer for a request no route serves: 405 with `Allow` for a known path, 404 otherwise.
pub async fn no_route(req: HttpRequest, routes: web::Data<RouteTable>) -> Result<HttpResponse, ApiError> {
    if let Some(allow) = routes.allowed(req.path()) {
        let error = ApiError::MethodNotAllowed(format!(
            "{} does not answer {}; it answers {allow}",
            req.path(),
            req.method()
        ));
        let mut response = problem_response(StatusCode::METHOD_NOT_ALLOWED, &error.problem());
        if let Ok(value) = header::HeaderValue::from_str(allow) {
            response.headers_mut().insert(header::ALLOW, value);
        }
        return Ok(response);
    }
    Err(ApiError::NotFound(format!(
        "nothing is served at {}; the API lives under /v1, its document at /openapi.json and its browser at /swagger-ui/",
        req.path()
    )))
}

/// Turns any error response that is not yet problem+json (actix's 405, for one) into one, so that
/// no client ever sees a plain-text error.
pub fn problem_for_plain_errors<B>(res: ServiceResponse<B>) -> actix_web::Result<ErrorHandlerResponse<B>> {
    let is_problem = res
        .response()
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(PROBLEM_JSON.as_bytes()));
    if is_problem {
        return Ok(ErrorHandlerResponse::Response(res.map_into_left_body()));
    }
    let status = res.status();
    let method = res.request().method().clone();
    let path = res.request().path().to_owned();
    // actix names the methods the resource has routes for; HEAD is served wherever GET is.
    let allow = res
        .response()
        .headers()
        .get(header::ALLOW)
        .and_then(|v| v.to_str().ok())
        .map(|allowed| {
            let mut methods: Vec<&str> = allowed.split(',').map(str::trim).filter(|m| !m.is_empty()).collect();
            if methods.contains(&"GET") && !methods.contains(&"HEAD") {
                methods.push("HEAD");
            }
            methods.join(", ")
        });
    let problem = match status {
        StatusCode::METHOD_NOT_ALLOWED => ApiError::MethodNotAllowed(format!(
            "{path} does not answer {method}; it answers {}",
            allow.as_deref().unwrap_or("GET, HEAD")
        ))
        .problem(),
        _ => Problem {
            problem_type: format!("urn:alliance-kb:problem:http-{}", status.as_u16()),
            title: status.canonical_reason().unwrap_or("Error").to_owned(),
            status: status.as_u16(),
            detail: format!("{method} {path} failed with status {status}"),
            parameter: None,
            errors: None,
        },
    };
    let mut response = problem_response(status, &problem);
    if status == StatusCode::METHOD_NOT_ALLOWED {
        let allow = allow.unwrap_or_else(|| "GET, HEAD".to_owned());
        if let Ok(value) = header::HeaderValue::from_str(&allow) {
            response.headers_mut().insert(header::ALLOW, value);
        }
    }
    let (req, _) = res.into_parts();
    Ok(ErrorHandlerResponse::Response(
        ServiceResponse::new(req, response).map_into_right_body(),
    ))
}
