//! The [`Tenant`] caller: `Authorization: Bearer sk_test_<k>` or `sk_live_<k>`.
//!
//! The key decides the mode (no sandbox host is documented): test keys make `is_test: true`
//! objects, live keys `false`. Each key is its own tenant `onepay:<key>`, provisioned on first use
//! (test tenants with the configured starting balance, live tenants with 0). Anything else is a
//! 401 `unauthenticated` in OnePay's envelope. Handlers take `Auth<Tenant>`, the kit's extractor,
//! which enters the tenant once the key is accepted.

use http::request::Parts;
use http::{HeaderMap, header};
use payoutsim_core::kit::{Authenticate, Spec};

use crate::error::OnePayError;
use crate::state::TenantData;
use crate::{OnePay, OnePaySpec};

/// The caller, from its secret key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tenant {
    /// `onepay:<key>`: the engine's tenant name and id stream.
    pub name: String,
    pub is_test: bool,
}

/// `(is_test)` when `key` is a well-formed secret key: `sk_test_` or `sk_live_` then 1 to 128
/// characters of `[A-Za-z0-9_]`.
pub fn key_mode(key: &str) -> Option<bool> {
    let (is_test, rest) = if let Some(rest) = key.strip_prefix("sk_test_") {
        (true, rest)
    } else {
        (false, key.strip_prefix("sk_live_")?)
    };
    let ok = (1..=128).contains(&rest.len())
        && rest.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    ok.then_some(is_test)
}

/// The tenant name of a key.
pub fn tenant_name(key: &str) -> String {
    format!("onepay:{key}")
}

/// The bearer key of a request, as sent (not yet checked).
pub fn bearer_key(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
}

/// The tenant a request names, if its key is well formed (for fault matching; not auth).
pub fn tenant_hint(headers: &HeaderMap) -> Option<String> {
    bearer_key(headers)
        .filter(|key| key_mode(key).is_some())
        .map(tenant_name)
}

/// The environment the engine lists a tenant under.
pub(crate) fn mode_name(is_test: bool) -> &'static str {
    if is_test { "test" } else { "live" }
}

impl Authenticate<OnePaySpec> for Tenant {
    /// Resolves the caller of the bearer key, provisioning it on first use: in the engine (the
    /// key is its own secret) and in the store. A known caller's request takes no store lock
    /// here: its data was made on its first use (and [`Tenant::with_data`] makes it again
    /// should a reset have raced the request).
    fn authenticate(onepay: &OnePay, parts: &Parts) -> Result<Self, OnePayError> {
        let key = bearer_key(&parts.headers).ok_or(OnePayError::Unauthenticated)?;
        let is_test = key_mode(key).ok_or(OnePayError::Unauthenticated)?;
        let name = tenant_name(key);
        let now = onepay.now_for(&name);
        let mode = Some(mode_name(is_test));
        let first_use = (onepay.engine().tenants())
            .authenticate(OnePaySpec::NAME, &name, key, mode, now)
            .map_err(|_| OnePayError::Unauthenticated)?;
        if first_use {
            onepay.store().tenant(&name, is_test, onepay.config());
        }
        Ok(Tenant { name, is_test })
    }

    fn tenant(&self) -> &str {
        &self.name
    }
}

impl Tenant {
    /// Runs `f` on the caller's data, under the store lock (recreated if a reset raced the call).
    pub(crate) fn with_data<R>(&self, onepay: &OnePay, f: impl FnOnce(&mut TenantData) -> R) -> R {
        let mut store = onepay.store();
        f(store.tenant(&self.name, self.is_test, onepay.config()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_must_be_test_or_live_with_a_sane_suffix() {
        assert_eq!(key_mode("sk_test_abc_123"), Some(true));
        assert_eq!(key_mode("sk_live_X"), Some(false));
        assert_eq!(key_mode("sk_test_"), None);
        assert_eq!(key_mode("pk_test_abc"), None);
        assert_eq!(key_mode("sk_test_a-b"), None);
        assert_eq!(key_mode(&format!("sk_test_{}", "a".repeat(129))), None);
    }

    #[test]
    fn the_tenant_hint_names_a_well_formed_key_only() {
        let mut headers = HeaderMap::new();
        headers.insert(header::AUTHORIZATION, "Bearer sk_test_a".parse().unwrap());
        assert_eq!(tenant_hint(&headers).as_deref(), Some("onepay:sk_test_a"));
        headers.insert(header::AUTHORIZATION, "Bearer nope".parse().unwrap());
        assert_eq!(tenant_hint(&headers), None);
    }
}
