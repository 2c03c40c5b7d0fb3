//! payoutsim-dots: an emulation of the Dots payouts API (dots.dev, v2) on the payoutsim engine.
//!
//! Endpoints emulated, under the base path `/api` (clients use `https://…/api` as base URL):
//! - apps (`apps.rs`): `GET|POST /v2/apps`, `GET /v2/apps/{id}`; `Api-App-Id` acts for one
//! - users (`users.rs`): create, get, list, update, delete, send-verification-token, verify,
//!   payout methods (`GET|PUT /v2/users/{id}/payout-methods`)
//! - transfers (`transfers.rs`): create (wallet to wallet), get, list with its filters
//! - payouts (`payouts.rs`): `POST /v2/payouts` (a transfer of type `payout`),
//!   `POST /v2/payouts/send-payout` (a payout link)
//! - payout links (`links.rs`): create, get, list, cancel (`DELETE`), redeliver
//! - payout batches (`batches.rs`): create (1 to 5000 items), get, list, results
//! - flows (`flows.rs`): create, get, list
//!
//! The other modules: `model.rs` (wire objects), `state.rs` (store, records, machines and
//! magic values), `render.rs` (records as wire objects), `auth.rs` (Basic keys, environments,
//! apps), `validation.rs` (fields as the OpenAPI document declares them), `pages.rs` (cursor
//! pages), `idempotent.rs` (`idempotency_key` rules), `lifecycle.rs` (what a status change does
//! to wallets, and its webhooks), `webhooks.rs` (events and Svix signing), `admin.rs` (the back
//! office), `error.rs` (the `{success, message, error_code}` envelope).
//!
//! Dots runs on the engine's provider kit: [`DotsSpec`] is its own logic, [`Dots`]
//! (`Kit<DotsSpec>`) the handle its handlers take. See README.md for the contract.

mod admin;
mod apps;
pub mod auth;
mod batches;
pub mod error;
mod flows;
pub mod idempotent;
mod lifecycle;
mod links;
pub mod model;
pub mod pages;
mod payouts;
pub mod render;
pub mod state;
mod transfers;
mod users;
pub mod validation;
pub mod webhooks;

use std::collections::BTreeMap;

use axum::Router;
use axum::response::Response;
use http::{HeaderMap, StatusCode};
use payoutsim_core::error::AdminError;
use payoutsim_core::kit::{self, Event, Kit, Spec};
use payoutsim_core::machine::StateMachine;
use payoutsim_core::svix;
use payoutsim_core::webhooks::{Attempt, RetryPolicy};
use payoutsim_core::{Engine, Transition};
use serde_json::Value;

pub use error::DotsError;
use state::Store;

/// The largest request body accepted unless configured: 1 MiB.
pub const DEFAULT_MAX_BODY_BYTES: usize = 1 << 20;
/// What a new sandbox app's wallet holds: $100.
pub const DEFAULT_SANDBOX_FUNDING_CENTS: i64 = 10_000;
/// How long a verification code is valid: 10 minutes of simulated time.
pub const DEFAULT_VERIFICATION_TTL_S: i64 = 600;
/// Codes kept per app in the back office's SMS outbox (the oldest dropped first).
pub const DEFAULT_SMS_OUTBOX_CAP: usize = 1000;
/// How many times a payout link is delivered at most, the first delivery included.
pub const DEFAULT_MAX_LINK_DELIVERIES: u32 = 5;
/// The most items of one payout batch (the OpenAPI document's `maxItems`).
pub const MAX_BATCH_ITEMS: usize = 5000;

/// Which clock `svix-timestamp` reads (wall-clock time by default).
pub use payoutsim_core::svix::Timestamps as SvixClock;

/// Dots' settings.
#[derive(Clone, Debug, PartialEq)]
pub struct DotsConfig {
    /// A new sandbox app's wallet, cents. Default 10000 ($100, as documented).
    pub sandbox_funding_cents: i64,
    /// The largest request body, bytes. Default 1 MiB.
    pub max_body_bytes: usize,
    /// Seconds a verification code stays valid. Default 600.
    pub verification_ttl_s: i64,
    /// Codes kept per app in the SMS outbox. Default 1000.
    pub sms_outbox_cap: usize,
    /// Deliveries of a payout link, the first included. Default 5.
    pub max_link_deliveries: u32,
    /// The clock of `svix-timestamp`. Default wall clock.
    pub svix_clock: SvixClock,
}

impl Default for DotsConfig {
    fn default() -> Self {
        Self {
            sandbox_funding_cents: DEFAULT_SANDBOX_FUNDING_CENTS,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            verification_ttl_s: DEFAULT_VERIFICATION_TTL_S,
            sms_outbox_cap: DEFAULT_SMS_OUTBOX_CAP,
            max_link_deliveries: DEFAULT_MAX_LINK_DELIVERIES,
            svix_clock: SvixClock::Wall,
        }
    }
}

/// The Dots emulation: a cheap, clonable handle (`Dots::new(engine, config)`).
pub type Dots = Kit<DotsSpec>;

/// Dots' own logic on the kit.
pub struct DotsSpec;

impl Spec for DotsSpec {
    const NAME: &'static str = "dots";
    const OPENAPI: Option<&'static str> = Some(include_str!("../openapi.yaml"));
    type Config = DotsConfig;
    type Store = Store;
    type Error = DotsError;

    fn new(_engine: &Engine, _config: &DotsConfig) -> Self {
        DotsSpec
    }

    fn machines(_config: &DotsConfig) -> Vec<StateMachine> {
        state::machines()
    }

    fn routes() -> Router<Dots> {
        let api = (Router::new().merge(apps::routes()))
            .merge(users::routes())
            .merge(transfers::routes())
            .merge(payouts::routes())
            .merge(links::routes())
            .merge(batches::routes())
            .merge(flows::routes());
        kit::unknown_routes::<Self>(api, "Not found", "Method not allowed")
    }

    fn admin_routes() -> Router<Dots> {
        admin::routes()
    }

    fn error_response(status: StatusCode, message: &str) -> Response {
        let code = match status {
            StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => error::code::UNAUTHORIZED,
            StatusCode::NOT_FOUND => error::code::NOT_FOUND,
            StatusCode::TOO_MANY_REQUESTS => error::code::RESOURCE_BUSY,
            s if s.is_server_error() => error::code::UNAVAILABLE,
            _ => error::code::INVALID_INPUT,
        };
        error::envelope(status, message, code)
    }

    fn placeholder_body() -> &'static str {
        r#"{"id":"00000000-0000-4000-8000-000000000000","status":"created"}"#
    }

    fn tenants(store: &Store) -> Option<&dyn kit::Tenants> {
        Some(&store.apps)
    }

    fn tenants_mut(store: &mut Store) -> Option<&mut dyn kit::Tenants> {
        Some(&mut store.apps)
    }

    fn forget_tenant(_kit: &Dots, store: &mut Store, tenant: &str) -> bool {
        store.forget(tenant);
        true
    }

    fn object_total(store: &Store) -> usize {
        kit::object_total(&store.apps)
    }

    fn on_transition(dots: &Dots, store: &mut Store, change: &Transition) -> Vec<Event> {
        lifecycle::on_transition(dots, store, change)
    }

    fn check_move(store: &Store, change: &Transition) -> Result<(), AdminError> {
        lifecycle::check_move(store, change)
    }

    fn objects(store: &Store, tenant: Option<&str>, kind: Option<&str>) -> Value {
        admin::objects(store, tenant, kind)
    }

    fn webhook_events() -> &'static [&'static str] {
        webhooks::EVENTS
    }

    fn new_webhook_secret(dots: &Dots, tenant: &str) -> (String, BTreeMap<String, String>) {
        let secret = svix::new_secret(dots.engine().ids(), &svix::stream(tenant));
        (secret, BTreeMap::new())
    }

    fn check_webhook_secret(secret: &str) -> Result<(), String> {
        svix::Secret::parse(secret)
            .map(drop)
            .map_err(|e| e.to_string())
    }

    fn webhook_message_id(dots: &Dots, tenant: &str, _event: &str) -> Option<String> {
        Some(svix::message_id(dots.engine().ids(), &svix::stream(tenant)))
    }

    fn webhook_retry() -> Option<RetryPolicy> {
        Some(RetryPolicy::svix())
    }

    fn sign_webhook(dots: &Dots, attempt: &Attempt<'_>) -> Vec<(String, String)> {
        svix::headers(attempt, dots.config().svix_clock)
    }

    fn tenant_hint(headers: &HeaderMap, _body: &[u8]) -> Option<String> {
        auth::tenant_hint(headers)
    }

    fn fund(dots: &Dots, tenant: &str, amount: &str) -> Result<Value, AdminError> {
        admin::fund(dots, tenant, amount)
    }

    fn check_tenant(_dots: &Dots, tenant: &str) -> Result<(), AdminError> {
        admin::parse_tenant(tenant).map(|_| ())
    }

    fn provision(dots: &Dots, tenant: &str) -> Result<Value, AdminError> {
        admin::provision(dots, tenant)
    }
}

/// The tenant of a key pair's own app: `dots:<client_id>`.
pub fn tenant_name(client_id: &str) -> String {
    format!("dots:{client_id}")
}
