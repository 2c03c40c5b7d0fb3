//! payoutsim-kashpay: an emulation of Kashpay / Onsigna (kashplataforma.com, Mexico) on the
//! payoutsim engine. One port serves every Kashpay service by its own paths.
//!
//! Endpoints emulated:
//! - `POST /AuthenticationService/authenticate` (`auth.rs`): HS512 session tokens
//! - `POST /OKPay/createOrder`, `POST /OKPay/searchReference` (`orders.rs`): SPEI payouts
//! - `GET /EntitiesServices/getBalance`, `GET /EntitiesServices/getOperations` (`entities.rs`)
//!
//! Later calls carry `Authorization: Bearer <token>` and `Entity-i: <entity>` (`auth.rs`).
//! Back office under `/__admin/providers/kashpay/` (`admin.rs`). The other modules: `model.rs`
//! (wire types), `state.rs` (store), `catalog.rs` (state machine, statuses, magic values,
//! operation types), `clabe.rs` (CLABE check digit, banks), `validation.rs` (createOrder's
//! fields), `lifecycle.rs` (timed and forced transitions), `error.rs` (the envelope).
//! See README.md for the contract.

mod admin;
pub mod auth;
pub mod catalog;
pub mod clabe;
mod entities;
pub mod error;
mod lifecycle;
pub mod model;
mod orders;
pub mod state;
mod validation;

use std::sync::{Arc, Mutex, MutexGuard};

use axum::Router;
use axum::response::Response;
use chrono::{DateTime, Utc};
use http::StatusCode;
use payoutsim_core::jwt::{Algorithm, Signer};
use payoutsim_core::machine::{Machines, StateMachine};
use payoutsim_core::timeline::Scheduled;
use payoutsim_core::{Engine, Provider};
use serde_json::Value;

pub use error::KashpayError;
use state::{EntityData, Store};

/// Kashpay's settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KashpayConfig {
    /// Balance of a new sandbox entity, in whole MXN. Default 1,000,000.
    pub sandbox_starting_balance: i64,
}

impl Default for KashpayConfig {
    fn default() -> Self {
        Self {
            sandbox_starting_balance: 1_000_000,
        }
    }
}

struct Inner {
    engine: Engine,
    config: KashpayConfig,
    signer: Signer,
    store: Mutex<Store>,
    machines: Machines,
}

/// The Kashpay emulation: a cheap, clonable handle.
#[derive(Clone)]
pub struct Kashpay(Arc<Inner>);

impl std::fmt::Debug for Kashpay {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Kashpay")
            .field("config", &self.0.config)
            .finish_non_exhaustive()
    }
}

impl Kashpay {
    pub fn new(engine: Engine, config: KashpayConfig) -> Self {
        // Kashpay's tokens start `eyJhbGciOiJIUzUxMiJ9.`: a header of `alg` alone.
        let signer = Signer::seeded(Algorithm::HS512, &engine.ids, "kashpay:jwt").without_typ();
        Self(Arc::new(Inner {
            engine,
            config,
            signer,
            store: Mutex::new(Store::default()),
            machines: Machines::new(catalog::machines()),
        }))
    }

    pub fn engine(&self) -> &Engine {
        &self.0.engine
    }

    pub fn config(&self) -> &KashpayConfig {
        &self.0.config
    }

    pub(crate) fn signer(&self) -> &Signer {
        &self.0.signer
    }

    /// The public API on Kashpay's paths; unknown paths and methods in Kashpay's envelope.
    pub fn router(&self) -> Router {
        Router::new()
            .merge(auth::routes())
            .merge(orders::routes())
            .merge(entities::routes())
            .method_not_allowed_fallback(|| async {
                error::envelope(StatusCode::METHOD_NOT_ALLOWED, "Método no permitido")
            })
            .fallback(|| async { error::envelope(StatusCode::NOT_FOUND, "Recurso no encontrado") })
            .with_state(self.clone())
    }

    /// The store, locked. Never held across an `.await`.
    pub(crate) fn store(&self) -> MutexGuard<'_, Store> {
        self.0.store.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn machine(&self, kind: &str, variant: &str) -> Option<Arc<StateMachine>> {
        self.0.machines.get(kind, variant)
    }

    /// Runs `f` on entity `entity`'s data (tenant `kashpay:<entity>`), creating it on first use
    /// with the sandbox starting balance and seeded account numbers.
    pub(crate) fn with_entity<R>(&self, entity: &str, f: impl FnOnce(&mut EntityData) -> R) -> R {
        let tenant = tenant_name(entity);
        let mut store = self.store();
        let data = store
            .entities
            .entry(tenant.clone())
            .or_insert_with(|| self.new_entity(&tenant, entity));
        f(data)
    }

    /// Lists tenant `tenant` in the engine's registry, which keeps no secret for Kashpay: each
    /// user's password is the store's. Answers the tenant's simulated now.
    pub(crate) fn declare(&self, tenant: &str) -> DateTime<Utc> {
        let engine = self.engine();
        let now = engine.now_for(tenant);
        engine.tenants.declare("kashpay", tenant, None, now);
        now
    }

    fn new_entity(&self, tenant: &str, entity: &str) -> EntityData {
        let ids = &self.engine().ids;
        let digits = |n: u64, width: usize| format!("{n:0width$}");
        let account = digits(ids.range(tenant, 0, 99_999_999_999), 11);
        let clabe = clabe::complete(&format!("646180{account}")).unwrap_or_default();
        let virtual_account = format!("6506{}", digits(ids.range(tenant, 0, 999_999_999_999), 12));
        let starting = self.0.config.sandbox_starting_balance.saturating_mul(100);
        EntityData {
            entity: entity.to_string(),
            name: state::name_of(entity),
            prefix: state::prefix_of(entity),
            clabe,
            virtual_account,
            email: String::new(),
            balance: starting,
            funded: starting,
            orders: Vec::new(),
            operations: Vec::new(),
            next_order: ids.range(tenant, 10_000, 99_999),
            next_reference: ids.range(tenant, 10_000, 99_999),
            next_operation: ids.range(tenant, 100_000, 999_999),
        }
    }
}

/// The tenant of an entity.
pub fn tenant_name(entity: &str) -> String {
    format!("kashpay:{entity}")
}

impl Provider for Kashpay {
    fn name(&self) -> &'static str {
        "kashpay"
    }

    fn router(&self) -> Router {
        Kashpay::router(self)
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
        let mut store = self.store();
        store.entities.clear();
        store.users.clear();
    }

    fn error_response(&self, status: StatusCode, message: &str) -> Response {
        error::envelope(status, message)
    }

    fn tenant_hint(&self, headers: &http::HeaderMap, body: &[u8]) -> Option<String> {
        auth::tenant_hint(headers, body)
    }

    fn expired_token_response(&self) -> Response {
        axum::response::IntoResponse::into_response(KashpayError::TokenExpired)
    }

    fn fund(
        &self,
        tenant: &str,
        amount: &serde_json::Number,
    ) -> Result<Value, payoutsim_core::admin::AdminError> {
        admin::fund(self, tenant, amount)
    }

    fn check_tenant(&self, tenant: &str) -> Result<(), payoutsim_core::admin::AdminError> {
        admin::entity_of(tenant).map(|_| ())
    }

    fn provision(&self, tenant: &str) -> Result<Value, payoutsim_core::admin::AdminError> {
        admin::provision(self, tenant)
    }
}
