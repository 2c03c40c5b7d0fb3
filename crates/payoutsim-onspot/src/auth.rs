//! OnSpot's auth quirks: the `environment` header, key pairs bound to one environment, and the
//! session JWT.
//!
//! - [`environment`]: the `environment` header, `test` or `live` (400 otherwise), on every call
//! - [`well_formed`]: what a `publicKey` or `secretKey` must look like to be provisioned
//! - [`HEADER`], [`Claims`]: the token, in the sample token's order: header `{alg, typ}`,
//!   payload `{publicKey, id, iat, exp}`
//! - `sign_in`, `issue_token`: Generate Token's key-pair check and the token it answers
//! - [`Session`]: the caller of Create Payouts, from `Authorization: Bearer <jwt>`
//!   (`verify_token`); handlers take it as `Auth<Session>`, which enters its tenant
//! - [`tenant_hint`]: the tenant a request names, unauthenticated (fault matching)
//!
//! The token's `id` is the tenant's account id (one per environment and publicKey); the
//! environment a token belongs to is kept server-side by that id, so the payload stays exactly
//! the sample's four claims.

use http::request::Parts;
use http::{HeaderMap, header};
use payoutsim_core::jwt::{JwtError, peek_claims};
use payoutsim_core::kit::Authenticate;
use serde::{Deserialize, Serialize};

use crate::error::OnSpotError;
use crate::state::Environment;
use crate::{OnSpot, OnSpotSpec};

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
            let claims = peek_claims(bearer(headers)?)?;
            claims.get("publicKey")?.as_str()?.to_string()
        }
    };
    well_formed(&key).then(|| tenant_name(env, &key))
}

/// Resolves (or provisions) the key pair `public_key`/`secret` in `env`: the publicKey must be
/// new or bound to `env`, and the secret the one it was first seen with. Returns the tenant.
pub(crate) fn sign_in(
    onspot: &OnSpot,
    env: Environment,
    public_key: &str,
    secret: &str,
) -> Result<String, OnSpotError> {
    if !well_formed(public_key) || !well_formed(secret) {
        return Err(OnSpotError::Unauthorized);
    }
    let tenant = tenant_name(env, public_key);
    let engine = onspot.engine();
    let now = engine.now_for(&tenant);
    let mut store = onspot.store();
    if store
        .bindings
        .get(public_key)
        .is_some_and(|bound| *bound != env)
    {
        return Err(OnSpotError::Unauthorized);
    }
    (engine.tenants())
        .authenticate("onspot", &tenant, secret, Some(env.as_str()), now)
        .map_err(|_| OnSpotError::Unauthorized)?;
    store.tenant(engine.ids(), env, public_key);
    Ok(tenant)
}

/// A signed session token for `tenant`, issued at its simulated now.
pub(crate) fn issue_token(onspot: &OnSpot, tenant: &str) -> Result<String, OnSpotError> {
    let (public_key, id) = {
        let store = onspot.store();
        let t = store.tenants.get(tenant).ok_or(OnSpotError::Unauthorized)?;
        (t.public_key.clone(), t.account_id.clone())
    };
    let iat = onspot.now_for(tenant).timestamp();
    let claims = Claims {
        public_key,
        id,
        iat,
        exp: iat.saturating_add(onspot.config().token_ttl_s),
    };
    (onspot.spec().signer.issue_with_header(&HEADER, &claims))
        .map_err(|e| OnSpotError::Internal(e.to_string()))
}

/// The tenant of a token presented with `environment: env`: ours, not expired on the tenant's
/// simulated clock, of a known account, and of that environment.
pub(crate) fn verify_token(
    onspot: &OnSpot,
    token: &str,
    env: Environment,
) -> Result<String, OnSpotError> {
    // The signature first: the claims are then ours, and name the account whose clock judges
    // the expiry.
    let signed = (onspot.spec().signer)
        .verify_signed::<Claims>(token)
        .map_err(|_: JwtError| OnSpotError::Unauthorized)?;
    let (tenant, public_key, bound) = {
        let store = onspot.store();
        let tenant = (store.accounts.get(&signed.claims.id)).ok_or(OnSpotError::Unauthorized)?;
        let t = store.tenants.get(tenant).ok_or(OnSpotError::Unauthorized)?;
        (tenant.clone(), t.public_key.clone(), t.environment)
    };
    let now = onspot.now_for(&tenant);
    let claims = signed.at(now).map_err(|_| OnSpotError::Unauthorized)?;
    if claims.public_key != public_key || bound != env {
        return Err(OnSpotError::Unauthorized);
    }
    Ok(tenant)
}

/// The caller of Create Payouts, from a valid token of the environment it names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Session {
    /// `onspot:<environment>:<publicKey>`.
    pub tenant: String,
    pub environment: Environment,
}

impl Authenticate<OnSpotSpec> for Session {
    fn authenticate(onspot: &OnSpot, parts: &Parts) -> Result<Self, OnSpotError> {
        let env = environment(&parts.headers)?;
        let token = bearer(&parts.headers).ok_or(OnSpotError::Unauthorized)?;
        let tenant = verify_token(onspot, token, env)?;
        Ok(Session {
            tenant,
            environment: env,
        })
    }

    fn tenant(&self) -> &str {
        &self.tenant
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
