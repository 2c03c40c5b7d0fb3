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
//! fields), `lifecycle.rs` (what a status change does to the money and the operations, and
//! when the back office may not make it), `error.rs` (the envelope).
//!
//! Kashpay runs on the engine's provider kit: [`KashpaySpec`] is its own logic, [`Kashpay`]
//! (`Kit<KashpaySpec>`) the handle its handlers take. See README.md for the contract.

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

use axum::Router;
use axum::response::{IntoResponse, Response};
use http::{HeaderMap, StatusCode};
use payoutsim_core::error::AdminError;
use payoutsim_core::jwt::{Algorithm, Signer};
use payoutsim_core::kit::{self, Event, Kit, Spec, Tenants};
use payoutsim_core::machine::StateMachine;
use payoutsim_core::{Engine, Transition};
use serde_json::Value;

use catalog::ORDER;
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

/// The Kashpay emulation: a cheap, clonable handle (`Kashpay::new(engine, config)`).
pub type Kashpay = Kit<KashpaySpec>;

/// Kashpay's own logic on the kit, and its one runtime part: the session tokens' signer.
pub struct KashpaySpec {
    signer: Signer,
}

impl KashpaySpec {
    pub(crate) fn signer(&self) -> &Signer {
        &self.signer
    }
}

impl Spec for KashpaySpec {
    const NAME: &'static str = "kashpay";
    const OPENAPI: Option<&'static str> = Some(include_str!("../openapi.yaml"));
    type Config = KashpayConfig;
    type Store = Store;
    type Error = KashpayError;

    fn new(engine: &Engine, _config: &KashpayConfig) -> Self {
        // Kashpay's tokens start `eyJhbGciOiJIUzUxMiJ9.`: a header of `alg` alone.
        let signer = Signer::seeded(Algorithm::HS512, engine.ids(), "kashpay:jwt").without_typ();
        Self { signer }
    }

    fn machines(_config: &KashpayConfig) -> Vec<StateMachine> {
        catalog::machines()
    }

    /// The public API on Kashpay's paths; unknown paths and methods in Kashpay's envelope.
    fn routes() -> Router<Kashpay> {
        let routes = Router::new()
            .merge(auth::routes())
            .merge(orders::routes())
            .merge(entities::routes());
        kit::unknown_routes(routes, "Recurso no encontrado", "Método no permitido")
    }

    fn admin_routes() -> Router<Kashpay> {
        admin::routes()
    }

    fn error_response(status: StatusCode, message: &str) -> Response {
        error::envelope(status, message)
    }

    fn tenants(store: &Store) -> Option<&dyn Tenants> {
        Some(&store.entities)
    }

    fn tenants_mut(store: &mut Store) -> Option<&mut dyn Tenants> {
        Some(&mut store.entities)
    }

    fn forget_tenant(_kit: &Kashpay, store: &mut Store, tenant: &str) -> bool {
        store.forget(tenant);
        true
    }

    fn object_total(store: &Store) -> usize {
        kit::object_total(&store.entities)
    }

    fn on_transition(_kit: &Kashpay, store: &mut Store, change: &Transition) -> Vec<Event> {
        lifecycle::on_transition(store, change);
        // Kashpay documents no webhooks for payouts.
        Vec::new()
    }

    fn check_move(store: &Store, change: &Transition) -> Result<(), AdminError> {
        lifecycle::check_move(store, change)
    }

    fn default_reason(kind: &str, status: &str) -> Option<String> {
        (kind == ORDER && status == "returned").then(|| lifecycle::DEFAULT_RETURN_REASON.into())
    }

    fn objects(store: &Store, tenant: Option<&str>, kind: Option<&str>) -> Value {
        admin::objects(store, tenant, kind)
    }

    fn tenant_hint(headers: &HeaderMap, body: &[u8]) -> Option<String> {
        auth::tenant_hint(headers, body)
    }

    fn fund(kashpay: &Kashpay, tenant: &str, amount: &str) -> Result<Value, AdminError> {
        admin::fund(kashpay, tenant, amount)
    }

    fn check_tenant(_kashpay: &Kashpay, tenant: &str) -> Result<(), AdminError> {
        admin::entity_of(tenant).map(|_| ())
    }

    fn provision(kashpay: &Kashpay, tenant: &str) -> Result<Value, AdminError> {
        admin::provision(kashpay, tenant)
    }

    fn expired_token_response(_kashpay: &Kashpay) -> Response {
        KashpayError::TokenExpired.into_response()
    }
}

/// The tenant of an entity.
pub fn tenant_name(entity: &str) -> String {
    format!("kashpay:{entity}")
}

/// Runs `f` on entity `entity`'s data (tenant `kashpay:<entity>`), creating it on first use
/// with the sandbox starting balance and seeded account numbers.
pub(crate) fn with_entity<R>(
    kashpay: &Kashpay,
    entity: &str,
    f: impl FnOnce(&mut EntityData) -> R,
) -> R {
    let tenant = tenant_name(entity);
    let starting = kashpay
        .config()
        .sandbox_starting_balance
        .saturating_mul(100);
    let mut store = kashpay.store();
    let data = (store.entities.entry(tenant.clone()))
        .or_insert_with(|| EntityData::new(kashpay.engine().ids(), &tenant, entity, starting));
    f(data)
}
