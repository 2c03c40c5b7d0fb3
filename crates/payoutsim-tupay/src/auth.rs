//! `POST /v1/auth/login`, `DELETE /v1/auth/session/destroy`, and the [`Session`] every other
//! call is made in.
//!
//! Login takes `{accessKey, secretKey}` (the API user's e-mail and password) and answers
//! `{idUser, username, idMerchant}` with `Set-Cookie: BEARER_TOKEN=<token>; Path=/; HttpOnly`
//! (no `Max-Age`: the simulated clock may be far from wall time; `Secure` only when configured).
//! The first login of an accessKey provisions its tenant (`tupay:<accessKey>`) with its seeded
//! history; its secretKey is then the one it keeps. Every login opens a new session; earlier
//! ones stay valid until they expire, even through an eviction of the tenant's merchant (past
//! `max_tenants`: it is drawn again, identical, at the session's next use). With an allow-list configured, a login from another
//! address is refused with the documented 403 code 83.
//!
//! The token travels as `Cookie: BEARER_TOKEN=…`, `Authorization: Bearer …`, or the seed's
//! `Authorization: BEARER_TOKEN=…` (an `Authorization` header is read first). Each use, even
//! one refused for its parameters, starts the session's 15 minutes again; at 900 s of simulated
//! time without use it has expired. Session destroy ends only the session it is sent with.

use std::net::SocketAddr;

use axum::Router;
use axum::extract::{ConnectInfo, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, post};
use http::request::Parts;
use http::{Extensions, HeaderMap, HeaderValue, StatusCode, header};
use payoutsim_core::kit::{Auth, Authenticate, Spec};
use payoutsim_core::sessions::SessionError;
use serde_json::Value;

use crate::error::{Body, TupayError, json_response};
use crate::model::LoginAnswer;
use crate::{Tupay, TupayConfig, TupaySpec, merchant_entry, tenant_name};

/// The cookie (and the seed's header syntax) the token travels in.
pub const COOKIE_NAME: &str = "BEARER_TOKEN";
/// Characters of a token, as the documented `U3dcUx8IRJ5nLjb0WYM4cHa3qHFqnrqAk`.
pub const TOKEN_LEN: usize = 33;
/// The longest accessKey (an e-mail address) and secretKey accepted.
pub const MAX_KEY_LEN: usize = 254;

pub(crate) fn routes() -> Router<Tupay> {
    Router::new()
        .route("/v1/auth/login", post(login))
        .route("/v1/auth/session/destroy", delete(destroy))
}

/// Whether `key` can be an API user's e-mail: one `@` between non-empty parts, no spaces or
/// control characters, at most [`MAX_KEY_LEN`].
pub fn is_access_key(key: &str) -> bool {
    let shaped = key.split_once('@').is_some_and(|(local, domain)| {
        !local.is_empty() && !domain.is_empty() && !domain.contains('@')
    });
    shaped && key.len() <= MAX_KEY_LEN && !key.chars().any(|c| c.is_whitespace() || c.is_control())
}

/// `accessKey` and `secretKey` of a login body.
fn credentials(body: &[u8]) -> Result<(String, String), TupayError> {
    let shape = "The body must be a JSON object {\"accessKey\", \"secretKey\"}";
    let value: Value = if body.iter().all(u8::is_ascii_whitespace) {
        Value::Object(Default::default())
    } else {
        serde_json::from_slice(body).map_err(|_| TupayError::MalformedBody(shape.into()))?
    };
    let object = value
        .as_object()
        .ok_or_else(|| TupayError::MalformedBody(shape.into()))?;
    let field = |name: &str| match object.get(name) {
        Some(Value::String(s)) => Ok(s.clone()),
        Some(_) => Err(TupayError::MalformedBody(format!(
            "`{name}` must be a string"
        ))),
        None => Err(TupayError::MalformedBody(format!("`{name}` is required"))),
    };
    Ok((field("accessKey")?, field("secretKey")?))
}

/// The documented refusal when an allow-list is set and the client's address is not on it (or
/// cannot be told).
fn check_location(config: &TupayConfig, extensions: &Extensions) -> Result<(), TupayError> {
    if config.allowed_ips.is_empty() {
        return Ok(());
    }
    let peer = extensions.get::<ConnectInfo<SocketAddr>>();
    let ip = peer.map(|ConnectInfo(addr)| addr.ip().to_canonical());
    match ip {
        Some(ip) if config.allowed_ips.iter().any(|a| a.to_canonical() == ip) => Ok(()),
        _ => Err(TupayError::Location),
    }
}

/// `BEARER_TOKEN=<token>; Path=/; HttpOnly`, `; Secure` when configured.
pub fn cookie(token: &str, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{COOKIE_NAME}={token}; Path=/; HttpOnly{secure}")
}

async fn login(
    State(tupay): State<Tupay>,
    extensions: Extensions,
    Body(body): Body,
) -> Result<Response, TupayError> {
    check_location(tupay.config(), &extensions)?;
    let (access_key, secret) = credentials(&body)?;
    if !is_access_key(&access_key) || secret.is_empty() || secret.len() > MAX_KEY_LEN {
        return Err(TupayError::BadCredentials);
    }
    let tenant = tenant_name(&access_key);
    let now = tupay.now_for(&tenant);
    // Refused for room before the engine binds the secret, so a later retry with any secret
    // is judged as a first login.
    if !tupay
        .store()
        .can_admit(tupay.config().max_tenants.max(1), &tenant)
    {
        return Err(TupayError::Full);
    }
    (tupay.engine().tenants())
        .authenticate(TupaySpec::NAME, &tenant, &secret, None, now)
        .map_err(|_| TupayError::BadCredentials)?;
    tupay.enter(&tenant, &extensions);
    let token = tupay.engine().ids().token(&tenant, "", TOKEN_LEN);
    let (id_user, id_merchant) = {
        let mut store = tupay.store();
        let m = merchant_entry(&tupay, &mut store, &tenant, &access_key, now)?;
        let ids = (m.id_user, m.id_merchant);
        store.sessions.open(token.clone(), &tenant, now);
        ids
    };
    let answer = LoginAnswer {
        id_user,
        username: &access_key,
        id_merchant,
    };
    let mut response = json_response(StatusCode::OK, &answer);
    let set = HeaderValue::from_str(&cookie(&token, tupay.config().secure_cookie))
        .map_err(|e| TupayError::Internal(e.to_string()))?;
    response.headers_mut().insert(header::SET_COOKIE, set);
    Ok(response)
}

/// Ends the session the request is made in (200, no body), and clears the cookie.
async fn destroy(State(tupay): State<Tupay>, Auth(session): Auth<Session>) -> Response {
    tupay.store().sessions.close(&session.token);
    let clear = format!("{COOKIE_NAME}=; Path=/; HttpOnly; Max-Age=0");
    (StatusCode::OK, [(header::SET_COOKIE, clear)]).into_response()
}

/// The token of an `Authorization` value: `Bearer <token>` (any case) or `BEARER_TOKEN=<token>`.
fn from_authorization(value: &str) -> Option<&str> {
    let value = value.trim();
    if let Some((scheme, rest)) = value.split_once(' ')
        && scheme.eq_ignore_ascii_case("bearer")
    {
        return Some(rest.trim());
    }
    let rest = value.strip_prefix(COOKIE_NAME)?.strip_prefix('=')?;
    Some(rest.trim())
}

/// The token a request carries: `Authorization` first (`Bearer …` or `BEARER_TOKEN=…`), then
/// the `BEARER_TOKEN` cookie.
pub fn token(headers: &HeaderMap) -> Option<&str> {
    let authorization = (headers.get_all(header::AUTHORIZATION).iter())
        .filter_map(|v| v.to_str().ok())
        .find_map(from_authorization);
    let cookie = || {
        (headers.get_all(header::COOKIE).iter())
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(name, _)| *name == COOKIE_NAME)
            .map(|(_, value)| value.trim().trim_matches('"'))
    };
    authorization.or_else(cookie).filter(|t| !t.is_empty())
}

/// The caller of every call but login: its tenant and the token of its session.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Session {
    pub tenant: String,
    pub token: String,
}

impl Authenticate<TupaySpec> for Session {
    /// The session of the request's token, used now (on its tenant's clock).
    fn authenticate(tupay: &Tupay, parts: &Parts) -> Result<Self, TupayError> {
        let token = token(&parts.headers).ok_or(TupayError::NoSession)?;
        let mut store = tupay.store();
        let session = (store.sessions.touch(token, |t| tupay.now_for(t))).map_err(|e| match e {
            SessionError::Unknown => TupayError::InvalidToken,
            SessionError::Expired => TupayError::SessionExpired,
        })?;
        Ok(Session {
            tenant: session.tenant.clone(),
            token: token.to_string(),
        })
    }

    fn tenant(&self) -> &str {
        &self.tenant
    }
}

/// The tenant a request names, without using its session: its token's, else a login body's
/// `accessKey`.
pub fn tenant_hint(tupay: &Tupay, headers: &HeaderMap, body: &[u8]) -> Option<String> {
    if let Some(t) = token(headers)
        && let Some(tenant) = tupay.store().sessions.tenant_of(t)
    {
        return Some(tenant.to_string());
    }
    let value: Value = serde_json::from_slice(body).ok()?;
    let key = value.get("accessKey")?.as_str()?;
    is_access_key(key).then(|| tenant_name(key))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(header::HeaderName, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(k.clone(), HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn the_token_is_read_from_each_of_the_three_carriers() {
        let bearer = headers(&[(header::AUTHORIZATION, "Bearer abc")]);
        let seed = headers(&[(header::AUTHORIZATION, "BEARER_TOKEN=def")]);
        let jar = headers(&[(header::COOKIE, "lang=es; BEARER_TOKEN=ghi")]);

        assert_eq!(token(&bearer), Some("abc"));
        assert_eq!(token(&seed), Some("def"));
        assert_eq!(token(&jar), Some("ghi"));
    }

    #[test]
    fn the_authorization_header_wins_over_the_cookie_and_basic_is_no_carrier() {
        let both = headers(&[
            (header::COOKIE, "BEARER_TOKEN=old"),
            (header::AUTHORIZATION, "bearer new"),
        ]);
        let basic = headers(&[(header::AUTHORIZATION, "Basic YWRtaW46c2VjcmV0")]);
        let empty = headers(&[(header::COOKIE, "BEARER_TOKEN=")]);

        assert_eq!(token(&both), Some("new"));
        assert_eq!(token(&basic), None);
        assert_eq!(token(&empty), None);
    }

    #[test]
    fn an_access_key_is_an_email_address() {
        assert!(is_access_key("your@email.com"));
        for bad in ["", "no-at", "@x", "x@", "a b@x.com", "a@b@c"] {
            assert!(!is_access_key(bad), "{bad}");
        }
    }

    #[test]
    fn the_cookie_has_no_expiry_and_is_secure_only_when_asked() {
        assert_eq!(cookie("t", false), "BEARER_TOKEN=t; Path=/; HttpOnly");
        assert_eq!(
            cookie("t", true),
            "BEARER_TOKEN=t; Path=/; HttpOnly; Secure"
        );
    }

    #[test]
    fn a_login_body_must_name_both_keys_as_strings() {
        let ok = credentials(br#"{"accessKey":"a@b.c","secretKey":"s"}"#);
        let number = credentials(br#"{"accessKey":"a@b.c","secretKey":1}"#);
        let missing = credentials(br#"{"accessKey":"a@b.c"}"#);

        assert_eq!(ok, Ok(("a@b.c".into(), "s".into())));
        assert!(number.is_err_and(|e| e.to_string().contains("must be a string")));
        assert!(missing.is_err_and(|e| e.to_string().contains("`secretKey` is required")));
        assert!(credentials(b"[1]").is_err() && credentials(b"{").is_err());
    }
}
