//! payoutsim-tupay: an emulation of Tupay's Merchant API (tupayonline.com, a white label of
//! D24's reconciliation API) on the payoutsim engine, over a seeded, consistent history.
//!
//! Endpoints emulated:
//! - `POST /v1/auth/login`, `DELETE /v1/auth/session/destroy` (`auth.rs`): `BEARER_TOKEN`
//!   sessions, sliding 15 minutes on the simulated clock, the code 83 location allow-list
//! - `GET /v1/deposits` (`deposits.rs`), `GET /v1/cashout` and its D24 spelling
//!   `GET /v1/cashouts` (`cashouts.rs`): 50-row pages with every documented filter
//! - `GET /v1/balance/report`, `GET /v1/balance` (`balance.rs`): computed from the same
//!   transactions (`ledger.rs`)
//!
//! Back office under `/__admin/providers/tupay/` (`admin.rs`; `insert.rs` and `fields.rs` for
//! its insertions): insert a deposit or cashout, move a status, record a note or settlement.
//! The other modules: `model.rs` (wire
//! types), `state.rs` (store and records), `history.rs` and `draw.rs` (the seeded history),
//! `catalog.rs` (countries, methods, currencies), `statuses.rs` (state machines as data),
//! `validation.rs` (query parameters), `listing.rs` (filters and pages), `lifecycle.rs` (what a
//! status change does), `error.rs` (the `{code, description}` envelope).
//!
//! Tupay runs on the engine's provider kit: [`TupaySpec`] is its own logic, [`Tupay`]
//! (`Kit<TupaySpec>`) the handle its handlers take. See README.md for the contract.

mod admin;
pub mod auth;
mod balance;
mod cashouts;
pub mod catalog;
mod deposits;
mod draw;
pub mod error;
mod fields;
pub mod history;
mod insert;
pub mod ledger;
mod lifecycle;
mod listing;
pub mod model;
pub mod state;
pub mod statuses;
pub mod validation;

use std::net::IpAddr;

use axum::Router;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use http::{HeaderMap, StatusCode};
use payoutsim_core::error::AdminError;
use payoutsim_core::kit::{self, Event, Kit, Spec};
use payoutsim_core::machine::{Lifecycle, StateMachine};
use payoutsim_core::{Engine, Transition};
use serde_json::Value;

pub use error::TupayError;
use history::Plan;
use state::{Merchant, Record, Store};
use statuses::{CASHOUT, DEPOSIT};

/// Days of history a tenant gets unless configured.
pub const DEFAULT_HISTORY_DAYS: u32 = 90;
/// The most days of history a tenant can get (its ids must fit its block).
pub const MAX_HISTORY_DAYS: u32 = 180;
/// Transactions per day, as a multiple of the default (6 deposits, 1.8 cashouts).
pub const DEFAULT_VOLUME: f64 = 1.0;
/// Tenants whose merchant is held in memory unless configured.
pub const DEFAULT_MAX_TENANTS: usize = 100;
/// The lowest and highest volume accepted.
pub const MIN_VOLUME: f64 = 0.1;
pub const MAX_VOLUME: f64 = 4.0;

/// Tupay's settings.
#[derive(Clone, Debug, PartialEq)]
pub struct TupayConfig {
    /// Days of simulated time a new tenant's history covers. Default 90.
    pub history_days: u32,
    /// Transactions per day, a multiple of the default volume. Default 1.0.
    pub volume: f64,
    /// Addresses a login is accepted from; empty: any (the allow-list is off). Default empty.
    pub allowed_ips: Vec<IpAddr>,
    /// Whether the `BEARER_TOKEN` cookie carries `Secure` (clients then send it back over
    /// HTTPS only). Default false: the simulator speaks plain HTTP.
    pub secure_cookie: bool,
    /// Tenants whose merchant (its history, about 512 KiB) is held in memory. Default 1000
    /// ([`DEFAULT_MAX_TENANTS`]). A new tenant past it evicts the least recently used one the
    /// back office never changed (drawn again identically when it comes back, its sessions still
    /// valid); when every one was changed, the new tenant is refused (503, code 105).
    pub max_tenants: usize,
}

impl Default for TupayConfig {
    fn default() -> Self {
        Self {
            history_days: DEFAULT_HISTORY_DAYS,
            volume: DEFAULT_VOLUME,
            allowed_ips: Vec::new(),
            secure_cookie: false,
            max_tenants: DEFAULT_MAX_TENANTS,
        }
    }
}

impl TupayConfig {
    /// The history's plan, the settings clamped to what a tenant's id block holds.
    pub fn plan(&self) -> Plan {
        Plan {
            days: self.history_days.clamp(1, MAX_HISTORY_DAYS),
            volume: self.volume.clamp(MIN_VOLUME, MAX_VOLUME),
        }
    }
}

/// The Tupay emulation: a cheap, clonable handle (`Tupay::new(engine, config)`).
pub type Tupay = Kit<TupaySpec>;

/// Tupay's own logic on the kit (no runtime parts of its own).
pub struct TupaySpec;

impl Spec for TupaySpec {
    const NAME: &'static str = "tupay";
    const OPENAPI: Option<&'static str> = Some(include_str!("../openapi.yaml"));
    type Config = TupayConfig;
    type Store = Store;
    type Error = TupayError;

    fn new(_engine: &Engine, _config: &TupayConfig) -> Self {
        TupaySpec
    }

    fn machines(_config: &TupayConfig) -> Vec<StateMachine> {
        statuses::machines()
    }

    /// The public API on Tupay's paths; unknown paths and methods in its envelope.
    fn routes() -> Router<Tupay> {
        let api = (Router::new().merge(auth::routes()))
            .merge(deposits::routes())
            .merge(cashouts::routes())
            .merge(balance::routes());
        kit::unknown_routes::<Self>(api, "Not found", "Method not allowed")
    }

    fn admin_routes() -> Router<Tupay> {
        admin::routes()
    }

    fn error_response(status: StatusCode, message: &str) -> Response {
        error::envelope(status, message)
    }

    fn placeholder_body() -> &'static str {
        r#"{"page":0,"rows":0,"maxRows":50,"data":[]}"#
    }

    fn lifecycle<'s>(
        store: &'s mut Store,
        tenant: &str,
        kind: &str,
        id: &str,
    ) -> Option<&'s mut Lifecycle> {
        let id: u32 = id.parse().ok()?;
        // A move on an evicted tenant brings it back; moved, it is touched and stays.
        store.restore(tenant);
        let m = store.merchants.get_mut(tenant)?;
        let txn = match kind {
            DEPOSIT => state::find_mut(&mut m.deposits, id).map(|d| d.txn_mut()),
            CASHOUT => state::find_mut(&mut m.cashouts, id).map(|c| c.txn_mut()),
            _ => None,
        };
        txn.map(|t| &mut t.lc)
    }

    fn holders(store: &Store, kinds: &[&str], id: &str) -> Vec<(String, String)> {
        let Ok(id) = id.parse::<u32>() else {
            return Vec::new();
        };
        let mut found = Vec::new();
        for (tenant, m) in &store.merchants {
            if kinds.contains(&DEPOSIT) && m.deposit(id).is_some() {
                found.push((tenant.clone(), DEPOSIT.to_string()));
            }
            if kinds.contains(&CASHOUT) && m.cashout(id).is_some() {
                found.push((tenant.clone(), CASHOUT.to_string()));
            }
        }
        // An evicted tenant's ids lie in its block, which no other tenant holds: draw the one
        // whose block it falls in, to look.
        let dormant = (store.dormant.iter()).filter(|(_, d)| {
            let deposits = state::DEPOSIT_BASE + d.block * state::DEPOSIT_BLOCK;
            let cashouts = state::CASHOUT_BASE + d.block * state::CASHOUT_BLOCK;
            (deposits..deposits + state::DEPOSIT_BLOCK).contains(&id)
                || (cashouts..cashouts + state::CASHOUT_BLOCK).contains(&id)
        });
        for (tenant, d) in dormant {
            let m = history::generate(d.seed, tenant, &d.username, d.generated_at, d.plan, |_| {
                d.block
            });
            if kinds.contains(&DEPOSIT) && m.deposit(id).is_some() {
                found.push((tenant.clone(), DEPOSIT.to_string()));
            }
            if kinds.contains(&CASHOUT) && m.cashout(id).is_some() {
                found.push((tenant.clone(), CASHOUT.to_string()));
            }
        }
        found
    }

    /// An untouched merchant is forgotten (drawn again identically when it comes back); one
    /// the back office changed is kept. Tupay's drawn history does not count against
    /// `--max-objects` (`object_total` is none): it is bounded by `--tupay-max-tenants` and
    /// `--tupay-history-days`, and redrawn identically, so it is no state a client accumulates.
    fn forget_tenant(_kit: &Tupay, store: &mut Store, tenant: &str) -> bool {
        store.forget(tenant)
    }

    fn on_transition(_tupay: &Tupay, store: &mut Store, change: &Transition) -> Vec<Event> {
        lifecycle::on_transition(store, change);
        // Tupay's Merchant API documents no webhooks.
        Vec::new()
    }

    fn default_reason(kind: &str, status: &str) -> Option<String> {
        statuses::default_reason(kind, status)
    }

    fn objects(store: &Store, tenant: Option<&str>, kind: Option<&str>) -> Value {
        admin::objects(store, tenant, kind)
    }

    fn tenant_hint_in(tupay: &Tupay, headers: &HeaderMap, body: &[u8]) -> Option<String> {
        auth::tenant_hint(tupay, headers, body)
    }

    fn check_tenant(_tupay: &Tupay, tenant: &str) -> Result<(), AdminError> {
        admin::access_key_of(tenant).map(|_| ())
    }

    fn provision(tupay: &Tupay, tenant: &str) -> Result<Value, AdminError> {
        admin::provision(tupay, tenant)
    }

    fn expired_token_response(_tupay: &Tupay) -> Response {
        TupayError::SessionExpired.into_response()
    }
}

/// The tenant of an API user: `tupay:<accessKey>`.
pub fn tenant_name(access_key: &str) -> String {
    format!("tupay:{access_key}")
}

/// Tenant `tenant`'s merchant (API user `username`), made with its history at `now` if this is
/// the first time it is seen, drawn again if it was evicted; room made for it by evicting the
/// least recently used untouched merchant, [`TupayError::Full`] if there is none. Runs under
/// the store lock the caller holds, so two first logins at once make one history.
pub(crate) fn merchant_entry<'s>(
    tupay: &Tupay,
    store: &'s mut Store,
    tenant: &str,
    username: &str,
    now: DateTime<Utc>,
) -> Result<&'s mut Merchant, TupayError> {
    let cap = tupay.config().max_tenants.max(1);
    if !store.merchants.contains_key(tenant) && !store.dormant.contains_key(tenant) {
        if !store.make_room(cap - 1, tenant) {
            return Err(TupayError::Full);
        }
        let stream = format!("{tenant}#history");
        let seed = tupay.engine().ids().range(&stream, 0, u64::MAX);
        let plan = tupay.config().plan();
        let Store {
            merchants, blocks, ..
        } = store;
        let claim = |wanted| state::claim_block(blocks, wanted, tenant);
        merchants.insert(
            tenant.to_string(),
            history::generate(seed, tenant, username, now, plan, claim),
        );
    }
    resident(tupay, store, tenant)
}

/// Tenant `tenant`'s merchant, now the most recently used: drawn again if it was evicted (room
/// made as for a new one, [`TupayError::Full`] if there is none; it stays evicted then).
pub(crate) fn resident<'s>(
    tupay: &Tupay,
    store: &'s mut Store,
    tenant: &str,
) -> Result<&'s mut Merchant, TupayError> {
    let cap = tupay.config().max_tenants.max(1);
    if store.dormant.contains_key(tenant) && !store.make_room(cap - 1, tenant) {
        return Err(TupayError::Full);
    }
    store.restore(tenant);
    store.mark_used(tenant);
    (store.merchants.get_mut(tenant))
        .ok_or_else(|| TupayError::Internal(format!("no merchant for {tenant}")))
}
