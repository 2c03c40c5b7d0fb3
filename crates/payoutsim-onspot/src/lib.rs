//! payoutsim-onspot: an emulation of OnSpot ("API OnSpot PLATFORMS", onspotintl.com) on the
//! payoutsim engine.
//!
//! Endpoints emulated (OnSpot's own paths; each also under the API Gateway stage prefix `/v1`):
//! - `POST /platform/generate-token-api` and its documented alias `POST /auth/generate-token`:
//!   headers `publicKey`, `secretKey`, `environment` -> the bare JSON string of an HS256 JWT
//!   (`token.rs`)
//! - `POST /accreditation/payouts/create`: `Authorization: Bearer <jwt>`, `environment`, an
//!   array of payouts -> `[[{uuid, email, action, message}, …]]` (`payouts.rs`)
//!
//! Back office under `/__admin/providers/onspot/` (`admin.rs`): the platform's "Payouts" and
//! "Error Logs" per environment, bank transfers, forced statuses. The other modules: `auth.rs`
//! (environment header, key pairs, tokens, the [`Session`] caller), `model.rs` (wire types), `validation.rs` (the body
//! and each item), `state.rs` (store, state machines, magic values), `lifecycle.rs` (creation,
//! activation, and what a status change does to the balance), `error.rs` (NestJS-style bodies).
//! See README.md.
//!
//! Here: [`OnSpotConfig`], and [`OnSpotSpec`], OnSpot on the engine's provider kit: [`OnSpot`]
//! is `Kit<OnSpotSpec>`, the handle its handlers take as state.

mod admin;
pub mod auth;
pub mod error;
mod lifecycle;
pub mod model;
mod payouts;
pub mod state;
mod token;
pub mod validation;

use axum::Router;
use axum::extract::Request;
use axum::response::{IntoResponse, Response};
use http::{HeaderMap, StatusCode};
use payoutsim_core::error::AdminError;
use payoutsim_core::jwt::{Algorithm, Signer};
use payoutsim_core::kit::{Event, Kit, Spec, Tenants};
use payoutsim_core::machine::StateMachine;
use payoutsim_core::{Engine, Transition};
use serde_json::Value;

pub use auth::{Claims, Session};
pub use error::OnSpotError;
use state::Store;

/// OnSpot's settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OnSpotConfig {
    /// How long a session token is valid, in simulated seconds. Default 3600 (the seed's hour).
    pub token_ttl_s: i64,
    /// Most payouts accepted in one Create Payouts request. Default 1000.
    pub max_items: usize,
    /// Error Logs entries kept per tenant (oldest dropped first). Default 1000
    /// ([`DEFAULT_ERROR_LOG_CAP`], `--onspot-error-log-cap`).
    pub error_log_cap: usize,
}

/// Error Logs entries a tenant keeps when no other number is given.
pub const DEFAULT_ERROR_LOG_CAP: usize = 1000;

impl Default for OnSpotConfig {
    fn default() -> Self {
        Self {
            token_ttl_s: 3600,
            max_items: 1000,
            error_log_cap: DEFAULT_ERROR_LOG_CAP,
        }
    }
}

/// The OnSpot emulation: a cheap, clonable handle (`OnSpot::new(engine, OnSpotConfig)`).
pub type OnSpot = Kit<OnSpotSpec>;

/// OnSpot's own runtime parts: the signer of its session tokens.
pub struct OnSpotSpec {
    /// HS256 with a secret drawn from the seed (`onspot:jwt`).
    pub(crate) signer: Signer,
}

impl Spec for OnSpotSpec {
    const NAME: &'static str = "onspot";
    const OPENAPI: Option<&'static str> = Some(include_str!("../openapi.yaml"));
    type Config = OnSpotConfig;
    type Store = Store;
    type Error = OnSpotError;

    fn new(engine: &Engine, _config: &OnSpotConfig) -> Self {
        Self {
            signer: Signer::seeded(Algorithm::HS256, engine.ids(), "onspot:jwt"),
        }
    }

    fn machines(_config: &OnSpotConfig) -> Vec<StateMachine> {
        state::machines()
    }

    /// The public API, on OnSpot's paths and under `/v1`; unknown routes answer like Express.
    fn routes() -> Router<OnSpot> {
        let api = || {
            Router::new()
                .merge(token::routes())
                .merge(payouts::routes())
        };
        Router::new()
            .merge(api())
            .nest("/v1", api())
            .method_not_allowed_fallback(no_route)
            .fallback(no_route)
    }

    fn admin_routes() -> Router<OnSpot> {
        admin::routes()
    }

    fn error_response(status: StatusCode, message: &str) -> Response {
        if status == StatusCode::UNAUTHORIZED {
            return OnSpotError::Unauthorized.into_response();
        }
        error::nest(status, message)
    }

    fn tenants(store: &Store) -> Option<&dyn Tenants> {
        Some(&store.tenants)
    }

    fn tenants_mut(store: &mut Store) -> Option<&mut dyn Tenants> {
        Some(&mut store.tenants)
    }

    fn forget_tenant(_kit: &OnSpot, store: &mut Store, tenant: &str) -> bool {
        store.forget(tenant);
        true
    }

    fn object_total(store: &Store) -> usize {
        payoutsim_core::kit::object_total(&store.tenants)
    }

    fn on_transition(onspot: &OnSpot, store: &mut Store, change: &Transition) -> Vec<Event> {
        lifecycle::on_transition(onspot, store, change)
    }

    fn check_move(store: &Store, change: &Transition) -> Result<(), AdminError> {
        lifecycle::check_move(store, change)
    }

    fn default_reason(_kind: &str, status: &str) -> Option<String> {
        (status == state::FAILED).then(|| lifecycle::FORCED.into())
    }

    fn objects(store: &Store, tenant: Option<&str>, kind: Option<&str>) -> Value {
        admin::objects(store, tenant, kind)
    }

    fn tenant_hint(headers: &HeaderMap, _body: &[u8]) -> Option<String> {
        auth::tenant_hint(headers)
    }

    fn fund(onspot: &OnSpot, tenant: &str, amount: &str) -> Result<Value, AdminError> {
        admin::fund(onspot, tenant, amount)
    }

    fn check_tenant(onspot: &OnSpot, tenant: &str) -> Result<(), AdminError> {
        admin::check_tenant(onspot, tenant)
    }

    fn provision(onspot: &OnSpot, tenant: &str) -> Result<Value, AdminError> {
        admin::provision(onspot, tenant)
    }

    fn expired_token_response(_onspot: &OnSpot) -> Response {
        OnSpotError::Unauthorized.into_response()
    }
}

/// Express's answer to an unknown route, also for a known path with another method.
async fn no_route(req: Request) -> Response {
    let err = OnSpotError::NoRoute {
        method: req.method().to_string(),
        path: req.uri().path().to_string(),
    };
    err.into_response()
}
