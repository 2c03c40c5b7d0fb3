//! `Authorization: Basic base64(client_id:api_key)` and the `Api-App-Id` header.
//!
//! A key pair is an organisation's and its own app's: tenant `dots:<client_id>`. `pk_dev_…` with
//! `sk_dev_…` is sandbox; `pk_<env>_…` with `sk_<env>_…` of any other `<env>` (`pk_prod_`…) is
//! production; a mixed pair, another shape, an empty key (the client-side form
//! `base64(client_id:)`) or a key other than the one the `client_id` first came with is 401
//! `unauthorized`. `Api-App-Id: <app id>` acts for an app the organisation made with
//! `POST /v2/apps` (tenant `dots:<client_id>:<app id>`); an id it has no app of is 403.
//! The first request of a key pair provisions its app (in sandbox with $100 in its wallet).

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use http::request::Parts;
use http::{HeaderMap, header};
use payoutsim_core::kit::Authenticate;

use crate::error::DotsError;
use crate::state::{AppData, Env, Store};
use crate::{Dots, DotsSpec, tenant_name};

/// The header naming the app an organisation key acts for.
pub const APP_HEADER: &str = "api-app-id";

/// An authenticated caller: the app whose data the request reads and changes.
#[derive(Clone, Debug)]
pub struct Caller {
    pub tenant: String,
    pub client_id: String,
    pub env: Env,
    /// The app named by `Api-App-Id`, if any.
    pub app: Option<String>,
}

impl Authenticate<DotsSpec> for Caller {
    fn authenticate(dots: &Dots, parts: &Parts) -> Result<Self, DotsError> {
        let (client_id, api_key) = credentials(&parts.headers)?;
        let env = environment(&client_id, &api_key)?;
        let org = tenant_name(&client_id);
        let now = dots.now_for(&org);
        (dots.engine().tenants())
            .authenticate("dots", &org, &api_key, Some(env.name()), now)
            .map_err(|_| unauthorized())?;
        let app = match parts.headers.get(APP_HEADER) {
            Some(v) => Some(
                v.to_str()
                    .map(|s| s.trim().to_string())
                    .map_err(|_| unknown_app("(not text)"))?,
            ),
            None => None,
        };
        let mut store = dots.store();
        provision(dots, &mut store, &org, &client_id, env);
        let tenant = match &app {
            None => org,
            Some(app_id) => {
                let known = (store.orgs.get(&client_id)).and_then(|apps| apps.get(app_id));
                known.ok_or_else(|| unknown_app(app_id))?.tenant.clone()
            }
        };
        Ok(Caller {
            tenant,
            client_id,
            env,
            app,
        })
    }

    fn tenant(&self) -> &str {
        &self.tenant
    }
}

/// The key pair's own app, made on its first request.
pub(crate) fn provision(dots: &Dots, store: &mut Store, tenant: &str, client_id: &str, env: Env) {
    if store.apps.contains_key(tenant) {
        return;
    }
    let app_id = dots.engine().ids().uuid(tenant);
    let funding = match env {
        Env::Sandbox => dots.config().sandbox_funding_cents,
        Env::Production => 0,
    };
    let name = "Default App".to_string();
    let data = AppData::new(env, client_id, app_id, name, funding);
    store.apps.insert(tenant.to_string(), data);
}

fn unauthorized() -> DotsError {
    DotsError::Unauthorized("Invalid API credentials".into())
}

fn unknown_app(app_id: &str) -> DotsError {
    DotsError::Forbidden(format!(
        "This organization has no app with the Api-App-Id {app_id}"
    ))
}

/// `(client_id, api_key)` of a Basic `Authorization` header.
pub fn credentials(headers: &HeaderMap) -> Result<(String, String), DotsError> {
    let value = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| DotsError::Unauthorized("Missing Authorization header".into()))?;
    let value = value.trim();
    let (scheme, encoded) = value.split_once(' ').unwrap_or((value, ""));
    if !scheme.eq_ignore_ascii_case("basic") {
        return Err(DotsError::Unauthorized(
            "Authorization must be Basic base64(client_id:api_key)".into(),
        ));
    }
    let decoded = STANDARD
        .decode(encoded.trim())
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .ok_or_else(unauthorized)?;
    let (client_id, api_key) = decoded.split_once(':').ok_or_else(unauthorized)?;
    if client_id.is_empty() || api_key.is_empty() || client_id.len() > 128 || api_key.len() > 128 {
        return Err(unauthorized());
    }
    Ok((client_id.to_string(), api_key.to_string()))
}

/// The environment a key pair is for: `pk_<env>_` with `sk_<env>_`, `dev` being sandbox.
pub fn environment(client_id: &str, api_key: &str) -> Result<Env, DotsError> {
    let env_of = |s: &'static str, value: &str| -> Option<String> {
        let rest = value.strip_prefix(s)?;
        let (env, tail) = rest.split_once('_')?;
        let ok = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_alphanumeric());
        (ok(env) && ok(tail)).then(|| env.to_string())
    };
    match (env_of("pk_", client_id), env_of("sk_", api_key)) {
        (Some(a), Some(b)) if a == b && a == "dev" => Ok(Env::Sandbox),
        (Some(a), Some(b)) if a == b => Ok(Env::Production),
        _ => Err(unauthorized()),
    }
}

/// The tenant a request names, read without checking it (for fault rules): the `client_id`'s
/// app, or the one `Api-App-Id` names.
pub fn tenant_hint(headers: &HeaderMap) -> Option<String> {
    let (client_id, _) = credentials(headers).ok()?;
    let org = tenant_name(&client_id);
    match headers.get(APP_HEADER).and_then(|v| v.to_str().ok()) {
        Some(app) => Some(format!("{org}:{}", app.trim())),
        None => Some(org),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dev_pairs_are_sandbox_and_other_matching_pairs_production() {
        assert_eq!(environment("pk_dev_abc", "sk_dev_xyz"), Ok(Env::Sandbox));
        assert_eq!(
            environment("pk_prod_abc", "sk_prod_xyz"),
            Ok(Env::Production)
        );
        assert_eq!(
            environment("pk_live_abc", "sk_live_xyz"),
            Ok(Env::Production)
        );
    }

    #[test]
    fn mixed_or_malformed_pairs_are_refused() {
        for (c, k) in [
            ("pk_dev_abc", "sk_prod_xyz"),
            ("pk_dev_", "sk_dev_xyz"),
            ("abc", "sk_dev_xyz"),
            ("pk_dev_abc", "pk_dev_xyz"),
            ("pk_dev_a-b", "sk_dev_xyz"),
        ] {
            assert!(environment(c, k).is_err(), "{c}:{k}");
        }
    }
}
