//! `POST /AuthenticationService/authenticate` and the [`Session`] extractor of every later call.
//!
//! authenticate `{entity, password, user}` answers an HS512 JWT (`sub` = user, `entity`, `exp`,
//! `iat`; `exp = iat + 5976` on the simulated clock) and `expires: "5975999"` (seed). The first
//! credentials seen for an entity provision it (tenant `kashpay:<entity>`) and are binding: that
//! user belongs to its entity with its password; another password or entity for it, and any
//! other user for that entity, are refused (401 `AuthenticationException` 1001). Another user
//! joins an entity only when the back office provisions it (`POST
//! /__admin/providers/kashpay/users`). An `Authorization` header sent to authenticate (real
//! clients send `Basic YWRtaW46c2VjcmV0`) is ignored.
//!
//! Later calls need `Authorization: Bearer <token>` and `Entity-i: <the token's entity>`, and
//! the token's user must still be a user of its entity (a reset forgets users, so a token
//! issued before it is refused, as OnSpot's are); otherwise 401 in the envelope (codes
//! 1002–1006, see README). Their handlers take
//! `Auth<Session>`: the kit's extractor checks the session and enters its entity's tenant;
//! authenticate, which checks its credentials in its body, enters the tenant itself.

use axum::Router;
use axum::extract::State;
use axum::response::Response;
use axum::routing::post;
use http::request::Parts;
use http::{Extensions, HeaderMap, StatusCode, header};
use payoutsim_core::jwt::{JwtError, peek_claims};
use payoutsim_core::kit::Authenticate;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::error::{JsonObject, KashpayError, json_response, parse_object};
use crate::model::{AuthAnswer, AuthenticationResponse};
use crate::{Kashpay, KashpaySpec, tenant_name, with_entity};

/// Seconds a session token lives (`exp − iat` of every documented token).
pub const TOKEN_LIFETIME_S: i64 = 5976;
/// `expires` as documented: milliseconds, as a string.
pub const EXPIRES: &str = "5975999";
/// The header naming the entity a call is for.
pub const ENTITY_HEADER: &str = "entity-i";

pub(crate) fn routes() -> Router<Kashpay> {
    Router::new().route("/AuthenticationService/authenticate", post(authenticate))
}

/// A session token's payload, in the documented claims' order plus `entity`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    pub sub: String,
    pub entity: String,
    pub exp: i64,
    pub iat: i64,
}

/// Whether `entity` looks like an entity id (`com.onsigna`): 1–64 of `[A-Za-z0-9._-]`.
pub fn is_entity(entity: &str) -> bool {
    (1..=64).contains(&entity.len())
        && entity
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

fn credential<'a>(body: &'a Map<String, Value>, field: &str) -> Option<&'a str> {
    body.get(field).and_then(Value::as_str).and_then(usable)
}

/// A credential as authenticate reads one: trimmed, 1–128 characters, no control characters.
pub(crate) fn usable(credential: &str) -> Option<&str> {
    Some(credential.trim())
        .filter(|s| !s.is_empty() && s.len() <= 128 && !s.chars().any(char::is_control))
}

async fn authenticate(
    State(kashpay): State<Kashpay>,
    extensions: Extensions,
    JsonObject(body): JsonObject,
) -> Result<Response, KashpayError> {
    let fields = ["entity", "password", "user"];
    let missing: Vec<&str> = (fields.iter().copied())
        .filter(|f| credential(&body, f).is_none())
        .collect();
    if !missing.is_empty() {
        return Err(KashpayError::MissingCredentials(format!(
            "Credenciales incompletas: {}",
            missing.join(", ")
        )));
    }
    let (Some(entity), Some(password), Some(user)) = (
        credential(&body, "entity"),
        credential(&body, "password"),
        credential(&body, "user"),
    ) else {
        return Err(KashpayError::Internal("credentials vanished".into()));
    };
    if !is_entity(entity) {
        return Err(KashpayError::MissingCredentials(format!(
            "La entidad {entity} no es válida"
        )));
    }
    let tenant = tenant_name(entity);
    login(&kashpay, entity, user, password)?;
    // The engine's registry lists the tenant, with no secret: the password check is the store's
    // (per user).
    let now = kashpay.declare(&tenant, None);
    kashpay.enter(&tenant, &extensions);
    let iat = now.timestamp();
    let claims = Claims {
        sub: user.to_string(),
        entity: entity.to_string(),
        exp: iat + TOKEN_LIFETIME_S,
        iat,
    };
    let token = (kashpay.spec().signer().issue(&claims))
        .map_err(|e| KashpayError::Internal(e.to_string()))?;
    let answer = AuthAnswer {
        success: true,
        authentication_response: AuthenticationResponse {
            token,
            expires: EXPIRES.to_string(),
        },
    };
    Ok(json_response(StatusCode::OK, &answer))
}

/// Checks `user`'s password and entity; the first user of an entity nobody has used yet is
/// recorded (bound to it with its password).
fn login(kashpay: &Kashpay, entity: &str, user: &str, password: &str) -> Result<(), KashpayError> {
    {
        let mut store = kashpay.store();
        match store.users.get(user) {
            Some(known) if known.password == password && known.entity == entity => {}
            Some(_) => return Err(KashpayError::BadCredentials),
            None if store.has_users(entity) => return Err(KashpayError::BadCredentials),
            None => store.add_user(user, entity, password),
        }
    }
    with_entity(kashpay, entity, |data| {
        if data.email.is_empty() && user.contains('@') {
            data.email = user.to_string();
        }
    });
    Ok(())
}

/// The caller of a later call: its entity (tenant `kashpay:<entity>`) and user.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Session {
    pub entity: String,
    pub tenant: String,
    pub user: String,
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?.trim();
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

fn entity_header(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(ENTITY_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|e| !e.is_empty())
}

impl Authenticate<KashpaySpec> for Session {
    /// The session of a request's headers, judged on the token's entity's simulated clock.
    fn authenticate(kashpay: &Kashpay, parts: &Parts) -> Result<Self, KashpayError> {
        let headers = &parts.headers;
        let token = bearer(headers).ok_or(KashpayError::TokenMissing)?;
        // The signature first: the claims are then ours, and name the entity whose clock
        // judges the expiry.
        let signed = (kashpay.spec().signer())
            .verify_signed::<Claims>(token)
            .map_err(|_| KashpayError::TokenInvalid)?;
        if !is_entity(&signed.claims.entity) {
            return Err(KashpayError::TokenInvalid);
        }
        let now = kashpay.now_for(&tenant_name(&signed.claims.entity));
        let claims = signed.at(now).map_err(|e| match e {
            JwtError::Expired => KashpayError::TokenExpired,
            _ => KashpayError::TokenInvalid,
        })?;
        let entity = entity_header(headers).ok_or(KashpayError::EntityMissing)?;
        if entity != claims.entity {
            return Err(KashpayError::EntityMismatch);
        }
        // A token outlives neither its user nor a reset (which forgets every user).
        let known = (kashpay.store().users.get(&claims.sub)).is_some_and(|u| u.entity == entity);
        if !known {
            return Err(KashpayError::TokenInvalid);
        }
        Ok(Session {
            tenant: tenant_name(entity),
            entity: claims.entity,
            user: claims.sub,
        })
    }

    fn tenant(&self) -> &str {
        &self.tenant
    }
}

/// The tenant a request names, without authenticating it: `Entity-i`, else the bearer token's
/// `entity` claim, else authenticate's body `entity`.
pub fn tenant_hint(headers: &HeaderMap, body: &[u8]) -> Option<String> {
    if let Some(entity) = entity_header(headers).filter(|e| is_entity(e)) {
        return Some(tenant_name(entity));
    }
    let from_token = bearer(headers)
        .and_then(peek_claims)
        .and_then(|c| c.get("entity").and_then(Value::as_str).map(str::to_string));
    let from_body = || {
        let body = parse_object(body).ok()?;
        body.get("entity")
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    from_token
        .or_else(from_body)
        .filter(|e| is_entity(e))
        .map(|e| tenant_name(&e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entity_ids_are_dotted_names() {
        assert!(is_entity("com.onsigna"));
        assert!(is_entity("acme-mx_1"));
        assert!(!is_entity(""));
        assert!(!is_entity("com onsigna"));
        assert!(!is_entity(&"a".repeat(65)));
    }

    #[test]
    fn the_tenant_hint_prefers_entity_i_then_the_body() {
        let mut headers = HeaderMap::new();
        let body = br#"{"entity":"com.cascade","user":"u","password":"p"}"#;
        assert_eq!(
            tenant_hint(&headers, body).as_deref(),
            Some("kashpay:com.cascade")
        );
        headers.insert(ENTITY_HEADER, http::HeaderValue::from_static("com.onsigna"));
        assert_eq!(
            tenant_hint(&headers, body).as_deref(),
            Some("kashpay:com.onsigna")
        );
        assert_eq!(tenant_hint(&HeaderMap::new(), b"not json"), None);
    }

    #[test]
    fn bearer_accepts_any_case_of_the_scheme_and_refuses_basic() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::AUTHORIZATION,
            http::HeaderValue::from_static("bearer abc"),
        );
        assert_eq!(bearer(&headers), Some("abc"));
        headers.insert(
            header::AUTHORIZATION,
            http::HeaderValue::from_static("Basic YWRtaW46c2VjcmV0"),
        );
        assert_eq!(bearer(&headers), None);
    }
}
