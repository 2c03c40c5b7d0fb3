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
//! Back office under `/__admin/providers/onepay/` (`admin.rs`). OnePay runs on the engine's
//! provider kit: [`OnePaySpec`] (here) is its own logic, [`OnePay`] the kit's handle around it.
//! The other modules: `model.rs` (wire types), `state.rs` (store, state machines, magic values),
//! `error.rs` (the envelope), `auth.rs` (the [`Tenant`] caller), `validation.rs`,
//! `idempotent.rs` (`x-idempotency`), `lifecycle.rs` (what a status change does to money,
//! records and webhooks), `pagination.rs`. See README.md for the contract.

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

use axum::Router;
use axum::response::Response;
use hmac::{Hmac, Mac};
use http::{HeaderMap, StatusCode};
use payoutsim_core::admin::AdminError;
use payoutsim_core::kit::{self, Event, Kit, Spec, Tenants};
use payoutsim_core::machine::StateMachine;
use payoutsim_core::webhooks::Attempt;
use payoutsim_core::{Engine, Transition};
use serde_json::Value;
use sha2::Sha256;

pub use auth::Tenant;
pub use error::{OnePayError, OnePayJson};
use state::Store;

/// The webhook events OnePay emits here (`cashout.processed` as its webhook guide handles it).
pub const EVENTS: &[&str] = &[
    "cashout.created",
    "cashout.approved",
    "cashout.processed",
    "cashout.rejected",
];

/// What a client gets when a fault cuts an answer off before OnePay gave one: the start of a
/// `{"data": …}` object, as its balances and webhooks APIs wrap theirs.
pub const PLACEHOLDER: &str =
    r#"{"data":{"id":"00000000-0000-4000-8000-000000000000","status":"pending"}}"#;

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

impl OnePayConfig {
    /// A new tenant's balance, in cents: test tenants the configured one, live tenants 0.
    pub fn starting_balance(&self, is_test: bool) -> i64 {
        if is_test {
            self.test_starting_balance.saturating_mul(100)
        } else {
            0
        }
    }
}

/// OnePay's own logic on the provider kit (it keeps no runtime parts of its own).
#[derive(Debug)]
pub struct OnePaySpec;

/// The OnePay emulation: a cheap, clonable handle (`OnePay::new(engine, config)`).
pub type OnePay = Kit<OnePaySpec>;

/// The `x-signature` of `body`: lower-case hex HMAC-SHA256 with the `wh_tok_…` secret.
pub fn signature(secret: &str, body: &[u8]) -> String {
    let mut mac = match Hmac::<Sha256>::new_from_slice(secret.as_bytes()) {
        Ok(mac) => mac,
        Err(_) => return String::new(),
    };
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

impl Spec for OnePaySpec {
    const NAME: &'static str = "onepay";
    const OPENAPI: Option<&'static str> = Some(include_str!("../openapi.yaml"));
    type Config = OnePayConfig;
    type Store = Store;
    type Error = OnePayError;

    fn new(_engine: &Engine, _config: &OnePayConfig) -> Self {
        Self
    }

    fn machines(_config: &OnePayConfig) -> Vec<StateMachine> {
        state::machines()
    }

    /// The public API, on OnePay's paths, every unknown path and method in OnePay's envelope.
    fn routes() -> Router<OnePay> {
        let routes = Router::new()
            .merge(banks::routes())
            .merge(customers::routes())
            .merge(accounts::routes())
            .merge(cashouts::routes())
            .merge(balances::routes())
            .merge(webhooks::routes());
        kit::unknown_routes(
            routes,
            "The route could not be found.",
            "The method is not allowed.",
        )
    }

    fn admin_routes() -> Router<OnePay> {
        admin::routes()
    }

    fn error_response(status: StatusCode, message: &str) -> Response {
        error::envelope(status, message)
    }

    fn placeholder_body() -> &'static str {
        PLACEHOLDER
    }

    fn tenants(store: &Store) -> Option<&dyn Tenants> {
        Some(&store.tenants)
    }

    fn tenants_mut(store: &mut Store) -> Option<&mut dyn Tenants> {
        Some(&mut store.tenants)
    }

    fn forget_tenant(_kit: &OnePay, store: &mut Store, tenant: &str) -> bool {
        store.tenants.remove(tenant);
        true
    }

    fn object_total(store: &Store) -> usize {
        kit::object_total(&store.tenants)
    }

    fn on_transition(onepay: &OnePay, store: &mut Store, change: &Transition) -> Vec<Event> {
        lifecycle::on_transition(onepay, store, change)
    }

    fn check_move(store: &Store, change: &Transition) -> Result<(), AdminError> {
        lifecycle::check_move(store, change)
    }

    fn objects_in(onepay: &OnePay, tenant: Option<&str>, kind: Option<&str>) -> Value {
        admin::objects(onepay, tenant, kind)
    }

    fn webhook_events() -> &'static [&'static str] {
        EVENTS
    }

    fn new_webhook_secret(onepay: &OnePay, tenant: &str) -> (String, BTreeMap<String, String>) {
        let ids = onepay.engine().ids();
        let secret = ids.token(tenant, "wh_tok_", 32);
        let header = ids.token(tenant, "wh_hdr_", 32);
        (secret, BTreeMap::from([("header".to_string(), header)]))
    }

    fn sign_webhook(_onepay: &OnePay, attempt: &Attempt<'_>) -> Vec<(String, String)> {
        let target = attempt.target;
        let signature = signature(&target.secret, attempt.body);
        let mut headers = vec![("x-signature".to_string(), signature)];
        if let Some(token) = target.extra.get("header") {
            headers.push(("x-webhook-token".to_string(), token.clone()));
        }
        headers
    }

    fn tenant_hint(headers: &HeaderMap, _body: &[u8]) -> Option<String> {
        auth::tenant_hint(headers)
    }

    fn fund(onepay: &OnePay, tenant: &str, amount: &str) -> Result<Value, AdminError> {
        admin::fund(onepay, tenant, amount)
    }

    fn check_tenant(_onepay: &OnePay, tenant: &str) -> Result<(), AdminError> {
        admin::is_test(tenant).map(|_| ())
    }

    fn provision(onepay: &OnePay, tenant: &str) -> Result<Value, AdminError> {
        admin::provision(onepay, tenant)
    }
}
