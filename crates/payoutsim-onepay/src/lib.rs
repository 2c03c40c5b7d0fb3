//! payoutsim-onepay: an emulation of OnePay (onepay.la, Colombia) on the payoutsim engine.
//!
//! Endpoints emulated (OnePay's own paths, `Authorization: Bearer sk_test_…|sk_live_…`):
//! - `GET /v1/banks`, `GET /v1/accounts/banks` (`banks.rs`)
//! - `POST /v1/customers`, `GET /v1/customers`, `GET /v1/customers/{id}`,
//!   `GET /v1/customers/{id}/accounts` (`customers.rs`)
//! - `POST /v1/accounts`, `GET /v1/accounts/{id}`, `POST /v1/accounts/{id}/validate` (`accounts.rs`)
//! - `POST /v1/cashouts`, `GET /v1/cashouts`, `GET /v1/cashouts/{id}` (`cashouts.rs`)
//! - `GET /v1/balances`, `POST /v1/balances`, `POST /v1/balances/cashout` (`balances.rs`)
//! - `POST`/`GET /v1/webhooks`, `GET`/`PATCH`/`DELETE /v1/webhooks/{id}` (`webhooks.rs`)
//!
//! Back office under `/__admin/providers/onepay/` (`admin.rs`). The other modules: `model.rs`
//! (wire types), `state.rs` (store, state machines, magic values), `error.rs` (the envelope),
//! `auth.rs`, `validation.rs`, `idempotent.rs` (`x-idempotency`), `lifecycle.rs` (timed and
//! forced transitions and their side effects), `pagination.rs`. See README.md for the contract.

mod accounts;
mod admin;
mod auth;
mod balances;
pub mod banks;
mod cashouts;
mod customers;
pub mod error;
mod idempotent;
mod lifecycle;
pub mod model;
mod pagination;
pub mod state;
mod validation;
mod webhooks;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, MutexGuard};

use axum::Router;
use axum::response::{IntoResponse, Response};
use hmac::{Hmac, Mac};
use http::StatusCode;
use payoutsim_core::machine::{Machines, StateMachine};
use payoutsim_core::timeline::Scheduled;
use payoutsim_core::webhooks::WebhookTarget;
use payoutsim_core::{Engine, Provider};
use serde_json::Value;
use sha2::Sha256;

pub use auth::Tenant;
pub use error::{OnePayError, OnePayJson};
use state::{Store, TenantData};

/// The webhook events OnePay emits here (`cashout.processed` as its webhook guide handles it).
pub const EVENTS: &[&str] = &[
    "cashout.created",
    "cashout.approved",
    "cashout.processed",
    "cashout.rejected",
];

/// OnePay's settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OnePayConfig {
    /// Balance of a new test tenant, in whole COP. Default 1,000,000,000. Live tenants start at 0.
    pub test_starting_balance: i64,
}

impl Default for OnePayConfig {
    fn default() -> Self {
        Self {
            test_starting_balance: 1_000_000_000,
        }
    }
}

struct Inner {
    engine: Engine,
    config: OnePayConfig,
    store: Mutex<Store>,
    /// Shared so a request takes its machine without copying the table.
    machines: Machines,
}

/// The OnePay emulation: a cheap, clonable handle.
#[derive(Clone)]
pub struct OnePay(Arc<Inner>);

impl std::fmt::Debug for OnePay {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OnePay")
            .field("config", &self.0.config)
            .finish_non_exhaustive()
    }
}

impl OnePay {
    pub fn new(engine: Engine, config: OnePayConfig) -> Self {
        Self(Arc::new(Inner {
            engine,
            config,
            store: Mutex::new(Store::default()),
            machines: Machines::new(state::machines()),
        }))
    }

    pub fn engine(&self) -> &Engine {
        &self.0.engine
    }

    pub fn config(&self) -> &OnePayConfig {
        &self.0.config
    }

    /// The public API, on OnePay's paths, every unknown path and method in OnePay's envelope.
    pub fn router(&self) -> Router {
        Router::new()
            .merge(banks::routes())
            .merge(customers::routes())
            .merge(accounts::routes())
            .merge(cashouts::routes())
            .merge(balances::routes())
            .merge(webhooks::routes())
            .method_not_allowed_fallback(|| async {
                error::envelope(StatusCode::METHOD_NOT_ALLOWED, "The method is not allowed.")
            })
            .fallback(|| async {
                error::envelope(StatusCode::NOT_FOUND, "The route could not be found.")
            })
            .with_state(self.clone())
    }

    /// The store, locked. Never held across an `.await`.
    pub(crate) fn store(&self) -> MutexGuard<'_, Store> {
        self.0.store.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn machine(&self, kind: &str, variant: &str) -> Option<Arc<StateMachine>> {
        self.0.machines.get(kind, variant)
    }

    /// Runs `f` on the caller's data, under the store lock (recreated if a reset raced the call).
    pub(crate) fn with_tenant<R>(
        &self,
        tenant: &Tenant,
        f: impl FnOnce(&mut TenantData) -> R,
    ) -> R {
        let mut store = self.store();
        f(self.tenant_data(&mut store, &tenant.name, tenant.is_test))
    }

    /// The data of tenant `name`, created on first use: test tenants with the configured
    /// starting balance, live tenants with 0.
    pub(crate) fn tenant_data<'s>(
        &self,
        store: &'s mut Store,
        name: &str,
        is_test: bool,
    ) -> &'s mut TenantData {
        let starting = self.starting_balance(is_test);
        (store.tenants.entry(name.to_string()))
            .or_insert_with(|| TenantData::new(is_test, starting))
    }

    /// A new tenant's balance, in cents.
    fn starting_balance(&self, is_test: bool) -> i64 {
        if is_test {
            self.0.config.test_starting_balance.saturating_mul(100)
        } else {
            0
        }
    }

    /// Resolves the caller of key `key` (tenant `name`), provisioning it on first use: in the
    /// engine (the key is its own secret) and in the store.
    pub(crate) fn sign_in(&self, name: &str, key: &str, is_test: bool) -> Result<(), OnePayError> {
        let engine = self.engine();
        let now = engine.now_for(name);
        engine
            .tenants
            .authenticate("onepay", name, key, Some(mode_name(is_test)), now)
            .map_err(|_| OnePayError::Unauthenticated)?;
        self.tenant_data(&mut self.store(), name, is_test);
        Ok(())
    }

    /// Declares tenant `name` in the engine and creates its data, before any client uses it.
    pub(crate) fn declare(&self, name: &str, is_test: bool) {
        let engine = self.engine();
        let now = engine.now_for(name);
        (engine.tenants).declare("onepay", name, Some(mode_name(is_test)), now);
        self.tenant_data(&mut self.store(), name, is_test);
    }
}

/// The environment the engine lists a tenant under.
fn mode_name(is_test: bool) -> &'static str {
    if is_test { "test" } else { "live" }
}

/// The `x-signature` of `body`: lower-case hex HMAC-SHA256 with the `wh_tok_…` secret.
pub fn signature(secret: &str, body: &[u8]) -> String {
    let mut mac = match Hmac::<Sha256>::new_from_slice(secret.as_bytes()) {
        Ok(mac) => mac,
        Err(_) => return String::new(),
    };
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

impl Provider for OnePay {
    fn name(&self) -> &'static str {
        "onepay"
    }

    fn router(&self) -> Router {
        OnePay::router(self)
    }

    fn admin_router(&self) -> Router {
        admin::router(self.clone())
    }

    fn machine_table(&self) -> &Machines {
        &self.0.machines
    }

    fn apply(&self, due: &Scheduled) {
        lifecycle::apply(self, due);
    }

    fn objects(&self, tenant: Option<&str>, kind: Option<&str>) -> Value {
        admin::objects(self, tenant, kind)
    }

    fn reset(&self) {
        self.store().tenants.clear();
    }

    fn error_response(&self, status: StatusCode, message: &str) -> Response {
        error::envelope(status, message).into_response()
    }

    fn new_webhook_secret(&self, tenant: &str) -> (String, BTreeMap<String, String>) {
        let ids = &self.engine().ids;
        let secret = ids.token(tenant, "wh_tok_", 32);
        let header = ids.token(tenant, "wh_hdr_", 32);
        (secret, BTreeMap::from([("header".to_string(), header)]))
    }

    fn sign_webhook(&self, target: &WebhookTarget, body: &[u8]) -> Vec<(String, String)> {
        let mut headers = vec![("x-signature".to_string(), signature(&target.secret, body))];
        if let Some(token) = target.extra.get("header") {
            headers.push(("x-webhook-token".to_string(), token.clone()));
        }
        headers
    }

    fn webhook_events(&self) -> Vec<&'static str> {
        EVENTS.to_vec()
    }

    fn fund(
        &self,
        tenant: &str,
        amount: &serde_json::Number,
    ) -> Result<Value, payoutsim_core::admin::AdminError> {
        admin::fund(self, tenant, amount)
    }

    fn check_tenant(&self, tenant: &str) -> Result<(), payoutsim_core::admin::AdminError> {
        admin::is_test(tenant).map(|_| ())
    }

    fn provision(&self, tenant: &str) -> Result<Value, payoutsim_core::admin::AdminError> {
        admin::provision(self, tenant)
    }

    fn tenant_hint(&self, headers: &http::HeaderMap, _body: &[u8]) -> Option<String> {
        auth::tenant_hint(headers)
    }
}
