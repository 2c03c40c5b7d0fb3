//! OnSpot's auth quirks: the `environment` header, key pairs bound to one environment, and the
//! session JWT.
//!
//! - [`environment`]: the `environment` header, `test` or `live` (400 otherwise), on every call
//! - [`well_formed`]: what a `publicKey` or `secretKey` must look like to be provisioned
//! - [`HEADER`], [`Claims`]: the token, in the sample token's order: header `{alg, typ}`,
//!   payload `{publicKey, id, iat, exp}`
//! - [`Session`]: the extractor of Create Payouts, from `Authorization: Bearer <jwt>`
//! - [`tenant_hint`]: the tenant a request names, unauthenticated (fault matching)
//!
//! The token's `id` is the tenant's account id (one per environment and publicKey); the
//! environment a token belongs to is kept server-side by that id, so the payload stays exactly
//! the sample's four claims.

use axum::extract::FromRequestParts;
use http::request::Parts;
use http::{HeaderMap, header};
use payoutsim_core::journal::RequestNotes;
use serde::{Deserialize, Serialize};

use crate::OnSpot;
use crate::error::OnSpotError;
use crate::state::Environment;

/// The longest `publicKey` or `secretKey` accepted.
pub const MAX_KEY_LEN: usize = 128;

/// A session token's header, field order as in the documented sample.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Header {
    pub alg: &'static str,
    pub typ: &'static str,
}

/// The sample token's header: `{"alg":"HS256","typ":"JWT"}`.
pub const HEADER: Header = Header {
    alg: "HS256",
    typ: "JWT",
};

/// The payload of a session token, field order as in the documented sample.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    #[serde(rename = "publicKey")]
    pub public_key: String,
    pub id: String,
    pub iat: i64,
    pub exp: i64,
}

/// The tenant name of a publicKey in an environment: `onspot:<environment>:<publicKey>`.
pub fn tenant_name(env: Environment, public_key: &str) -> String {
    format!("onspot:{}:{public_key}", env.as_str())
}

/// `(environment, publicKey)` of a tenant name, if it is one of ours and well formed.
pub fn parse_tenant(name: &str) -> Option<(Environment, &str)> {
    let rest = name.strip_prefix("onspot:")?;
    let (env, key) = rest.split_once(':')?;
    let env = Environment::parse(env)?;
    well_formed(key).then_some((env, key))
}

/// A key is 1 to 128 printable ASCII characters without spaces (the sample publicKey is 64 hex
/// characters; OnSpot states no format).
pub fn well_formed(key: &str) -> bool {
    (1..=MAX_KEY_LEN).contains(&key.len()) && key.bytes().all(|b| b.is_ascii_graphic())
}

/// A header's text, when present and readable.
pub fn header_text<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// The `environment` header, required on every call.
pub fn environment(headers: &HeaderMap) -> Result<Environment, OnSpotError> {
    header_text(headers, "environment")
        .and_then(Environment::parse)
        .ok_or_else(|| {
            OnSpotError::field("environment must be one of the following values: test, live")
        })
}

/// The bearer token of a request, as sent.
pub fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = header_text(headers, header::AUTHORIZATION.as_str())?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|t| !t.is_empty())
}

/// The tenant a request is for, read without authenticating it: from the `publicKey` header
/// (Generate Token) or the bearer token's `publicKey` claim, with the `environment` header.
pub fn tenant_hint(headers: &HeaderMap) -> Option<String> {
    let env = header_text(headers, "environment").and_then(Environment::parse)?;
    let key = match header_text(headers, "publickey") {
        Some(key) => key.to_string(),
        None => {
            let claims = payoutsim_core::jwt::peek_claims(bearer(headers)?)?;
            claims.get("publicKey")?.as_str()?.to_string()
        }
    };
    well_formed(&key).then(|| tenant_name(env, &key))
}

/// The caller of Create Payouts, from a valid token of the environment it names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Session {
    /// `onspot:<environment>:<publicKey>`.
    pub tenant: String,
    pub environment: Environment,
}

impl FromRequestParts<OnSpot> for Session {
    type Rejection = OnSpotError;

    async fn from_request_parts(parts: &mut Parts, onspot: &OnSpot) -> Result<Self, OnSpotError> {
        let env = environment(&parts.headers)?;
        let token = bearer(&parts.headers).ok_or(OnSpotError::Unauthorized)?;
        let tenant = onspot.verify_token(token, env)?;
        if let Some(notes) = parts.extensions.get::<RequestNotes>() {
            notes.set_tenant(&tenant);
        }
        // With a real clock, apply what fell due since the last tick before answering.
        onspot.engine().catch_up(&tenant);
        Ok(Session {
            tenant,
            environment: env,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_printable_without_spaces_and_at_most_128_long() {
        assert!(well_formed(
            "2903d3d5f7a46ec84c62de7885caad38131e9daa0b5492daa95aa85619ac367d"
        ));
        assert!(well_formed("pk_live-1!~"));
        for bad in ["", "a b", "tab\there", "é", &"k".repeat(129)] {
            assert!(!well_formed(bad), "{bad:?}");
        }
    }

    #[test]
    fn tenant_names_carry_the_environment() {
        assert_eq!(tenant_name(Environment::Live, "pk"), "onspot:live:pk");
        assert_eq!(
            parse_tenant("onspot:test:pk"),
            Some((Environment::Test, "pk"))
        );
        assert_eq!(parse_tenant("onspot:prod:pk"), None);
        assert_eq!(parse_tenant("onepay:test:pk"), None);
    }

    #[test]
    fn the_hint_reads_the_public_key_header_or_the_token_claim() {
        let mut headers = HeaderMap::new();
        headers.insert("environment", "live".parse().unwrap());
        headers.insert("publickey", "abc".parse().unwrap());
        assert_eq!(tenant_hint(&headers).as_deref(), Some("onspot:live:abc"));
        headers.remove("publickey");
        // {"publicKey":"xyz"} as a token payload.
        headers.insert(
            header::AUTHORIZATION,
            "Bearer e30.eyJwdWJsaWNLZXkiOiJ4eXoifQ.sig".parse().unwrap(),
        );
        assert_eq!(tenant_hint(&headers).as_deref(), Some("onspot:live:xyz"));
        headers.insert("environment", "staging".parse().unwrap());
        assert_eq!(tenant_hint(&headers), None);
    }

    #[test]
    fn the_bearer_scheme_is_case_insensitive_and_needs_a_token() {
        let mut headers = HeaderMap::new();
        headers.insert(header::AUTHORIZATION, "bearer t0k".parse().unwrap());
        assert_eq!(bearer(&headers), Some("t0k"));
        headers.insert(header::AUTHORIZATION, "Bearer ".parse().unwrap());
        assert_eq!(bearer(&headers), None);
        headers.insert(header::AUTHORIZATION, "Basic abc".parse().unwrap());
        assert_eq!(bearer(&headers), None);
    }
}
