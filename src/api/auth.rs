//! Who is calling: the `Authorization: Bearer <key>` of a write, checked against the stored keys.
//! Reading needs no key. No key, or an unknown or revoked one, is a 401 with `WWW-Authenticate`;
//! a key whose role is too low is a 403. Keys never reach the log: only their ids do.

use std::future::Future;
use std::pin::Pin;

use actix_web::http::header;
use actix_web::{dev::Payload, web, FromRequest, HttpRequest};

use super::error::ApiError;
use crate::api::AppState;
use crate::db::queries::keys;
use crate::keys as key_format;
use crate::vocab::KeyRole;

/// An authenticated caller.
#[derive(Debug, Clone, Copy)]
pub struct Caller {
    /// The id of the key used.
    pub key_id: i64,
    /// The key's role.
    pub role: KeyRole,
}

/// A caller with the `editor` role or higher.
#[derive(Debug, Clone, Copy)]
pub struct Editor(pub Caller);

/// A caller with the `admin` role.
#[derive(Debug, Clone, Copy)]
pub struct Admin(pub Caller);

pub(crate) async fn authenticate(req: HttpRequest, needed: KeyRole) -> Result<Caller, ApiError> {
    let unauthorized = |why: &str| {
        ApiError::Unauthorized(format!(
            "{why}; send `Authorization: Bearer <key>` with a key of the {needed} role (keys are made with `alliance-kb keys create`)"
        ))
    };
    let header = req
        .headers()
        .get(header::AUTHORIZATION)
        .ok_or_else(|| unauthorized("this request needs a key"))?;
    let presented = header
        .to_str()
        .ok()
        .and_then(bearer_token)
        .ok_or_else(|| unauthorized("the Authorization header is not `Bearer <key>`"))?;
    let (id, secret) =
        key_format::parse(presented).ok_or_else(|| unauthorized("the key is not one this service issued"))?;
    let state = req
        .app_data::<web::Data<AppState>>()
        .ok_or_else(|| ApiError::Internal("no application state".into()))?;
    let mut conn = state.conn().await?;
    let key = keys::get(&mut conn, id).await?;
    let key = match key {
        Some(key) if key_format::matches(secret, &key.secret_sha256) => key,
        _ => return Err(unauthorized("the key is not one this service issued")),
    };
    if key.revoked_at.is_some() {
        log::info!("refused revoked key {}", key.id);
        return Err(unauthorized("the key has been revoked"));
    }
    let allowed = match needed {
        KeyRole::Editor => true,
        KeyRole::Admin => key.role == KeyRole::Admin,
    };
    if !allowed {
        return Err(ApiError::Forbidden(format!(
            "key {} has the {} role; this request needs the {needed} role",
            key.id, key.role
        )));
    }
    Ok(Caller {
        key_id: key.id,
        role: key.role,
    })
}

impl FromRequest for Editor {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move { authenticate(req, KeyRole::Editor).await.map(Editor) })
    }
}

impl FromRequest for Admin {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move { authenticate(req, KeyRole::Admin).await.map(Admin) })
    }
}

/// The token of a `Bearer` credential; the scheme name is case-insensitive (RFC 9110, 11.1).
fn bearer_token(value: &str) -> Option<&str> {
    let (scheme, token) = value.trim_start().split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|t| !t.is_empty())
}

/// Makes a key: its row (with the hash of its secret) and its text, shown once. Shared by the API
/// and the `keys create` command.
pub async fn make_key(
    conn: &mut diesel_async::AsyncPgConnection,
    name: &str,
    role: KeyRole,
) -> Result<(crate::db::models::ApiKey, String), ApiError> {
    let Some(name) = super::params::words(name, 200) else {
        return Err(ApiError::BadRequest(
            "a key's name must have 1 to 200 characters, not all blank, without NUL".into(),
        ));
    };
    let secret = key_format::new_secret().map_err(|e| ApiError::Internal(format!("no randomness for a key: {e}")))?;
    let row = keys::create(
        conn,
        crate::db::models::NewApiKey {
            name,
            role,
            secret_sha256: &secret.sha256,
        },
    )
    .await?;
    log::info!("created key {} ({}) for {:?}", row.id, row.role, row.name);
    let key = key_format::format(row.id, &secret.secret);
    Ok((row, key))
}

#[cfg(test)]
mod scheme_tests {
    use super::bearer_token;

    #[test]
    fn the_scheme_is_matched_case_insensitively() {
        assert_eq!(bearer_token("Bearer akb_1_x"), Some("akb_1_x"));
        assert_eq!(bearer_token("bearer akb_1_x"), Some("akb_1_x"));
        assert_eq!(bearer_token("BEARER  akb_1_x "), Some("akb_1_x"));
        assert_eq!(bearer_token("Basic akb_1_x"), None);
        assert_eq!(bearer_token("Bearer "), None);
    }
}
