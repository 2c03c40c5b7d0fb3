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
//! (environment header, key pairs, tokens), `validation.rs` (the body and each item),
//! `state.rs` (store, state machines, magic values), `lifecycle.rs` (creation, funding,
//! activation, timed and forced transitions), `error.rs` (NestJS-style bodies). See README.md.

mod admin;
pub mod auth;
pub mod error;
mod lifecycle;
mod payouts;
pub mod state;
mod token;
pub mod validation;

use std::sync::{Arc, Mutex, MutexGuard};

use axum::Router;
use axum::extract::Request;
use axum::response::{IntoResponse, Response};
use http::{HeaderMap, StatusCode};
use payoutsim_core::admin::AdminError;
use payoutsim_core::jwt::{Algorithm, JwtError, Signer, peek_claims};
use payoutsim_core::machine::{Machines, StateMachine};
use payoutsim_core::timeline::Scheduled;
use payoutsim_core::{Engine, Provider};
use serde_json::Value;

pub use auth::{Claims, Session};
pub use error::OnSpotError;
use state::{Environment, Store, TenantData};

/// OnSpot's settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OnSpotConfig {
    /// How long a session token is valid, in simulated seconds. Default 3600 (the seed's hour).
    pub token_ttl_s: i64,
    /// Most payouts accepted in one Create Payouts request. Default 1000.
    pub max_items: usize,
}

impl Default for OnSpotConfig {
    fn default() -> Self {
        Self {
            token_ttl_s: 3600,
            max_items: 1000,
        }
    }
}

struct Inner {
    engine: Engine,
    config: OnSpotConfig,
    signer: Signer,
    store: Mutex<Store>,
    machines: Machines,
}

/// The OnSpot emulation: a cheap, clonable handle.
#[derive(Clone)]
pub struct OnSpot(Arc<Inner>);

impl std::fmt::Debug for OnSpot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OnSpot")
            .field("config", &self.0.config)
            .finish_non_exhaustive()
    }
}

impl OnSpot {
    pub fn new(engine: Engine, config: OnSpotConfig) -> Self {
        let signer = Signer::seeded(Algorithm::HS256, &engine.ids, "onspot:jwt");
        Self(Arc::new(Inner {
            engine,
            config,
            signer,
            store: Mutex::new(Store::default()),
            machines: Machines::new(state::machines()),
        }))
    }

    pub fn engine(&self) -> &Engine {
        &self.0.engine
    }

    pub fn config(&self) -> &OnSpotConfig {
        &self.0.config
    }

    /// The public API, on OnSpot's paths and under `/v1`; unknown routes answer like Express.
    pub fn router(&self) -> Router {
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
            .with_state(self.clone())
    }

    /// The store, locked. Never held across an `.await`.
    pub(crate) fn store(&self) -> MutexGuard<'_, Store> {
        self.0.store.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn machine(&self, variant: Environment) -> Option<Arc<StateMachine>> {
        self.0.machines.get(state::PAYOUT, variant.as_str())
    }

    /// Resolves (or provisions) the key pair `public_key`/`secret` in `env`: the publicKey must be
    /// new or bound to `env`, and the secret the one it was first seen with. Returns the tenant.
    pub(crate) fn sign_in(
        &self,
        env: Environment,
        public_key: &str,
        secret: &str,
    ) -> Result<String, OnSpotError> {
        if !auth::well_formed(public_key) || !auth::well_formed(secret) {
            return Err(OnSpotError::Unauthorized);
        }
        let tenant = auth::tenant_name(env, public_key);
        let now = self.engine().now_for(&tenant);
        let mut store = self.store();
        if store
            .bindings
            .get(public_key)
            .is_some_and(|bound| *bound != env)
        {
            return Err(OnSpotError::Unauthorized);
        }
        self.engine()
            .tenants
            .authenticate("onspot", &tenant, secret, Some(env.as_str()), now)
            .map_err(|_| OnSpotError::Unauthorized)?;
        self.tenant_data(&mut store, env, public_key);
        Ok(tenant)
    }

    /// The data of `public_key` in `env`, created (and the key bound to `env`) if new.
    pub(crate) fn tenant_data<'s>(
        &self,
        store: &'s mut Store,
        env: Environment,
        public_key: &str,
    ) -> &'s mut TenantData {
        let tenant = auth::tenant_name(env, public_key);
        let Store {
            tenants,
            bindings,
            accounts,
        } = store;
        bindings.entry(public_key.to_string()).or_insert(env);
        tenants.entry(tenant.clone()).or_insert_with(|| {
            let account_id = self.engine().ids.uuid(&tenant);
            accounts.insert(account_id.clone(), tenant.clone());
            TenantData::new(env, public_key, account_id)
        })
    }

    /// A signed session token for `tenant`, issued at its simulated now.
    pub(crate) fn issue_token(&self, tenant: &str) -> Result<String, OnSpotError> {
        let (public_key, id) = {
            let store = self.store();
            let t = store.tenants.get(tenant).ok_or(OnSpotError::Unauthorized)?;
            (t.public_key.clone(), t.account_id.clone())
        };
        let iat = self.engine().now_for(tenant).timestamp();
        let claims = Claims {
            public_key,
            id,
            iat,
            exp: iat.saturating_add(self.config().token_ttl_s),
        };
        (self.0.signer.issue_with_header(&auth::HEADER, &claims))
            .map_err(|e| OnSpotError::Internal(e.to_string()))
    }

    /// The tenant of a token presented with `environment: env`: ours, not expired on the
    /// tenant's simulated clock, of a known account, and of that environment.
    pub(crate) fn verify_token(
        &self,
        token: &str,
        env: Environment,
    ) -> Result<String, OnSpotError> {
        let id = peek_claims(token)
            .and_then(|c| c.get("id").and_then(Value::as_str).map(str::to_string))
            .ok_or(OnSpotError::Unauthorized)?;
        let (tenant, public_key, bound) = {
            let store = self.store();
            let tenant = store.accounts.get(&id).ok_or(OnSpotError::Unauthorized)?;
            let t = store.tenants.get(tenant).ok_or(OnSpotError::Unauthorized)?;
            (tenant.clone(), t.public_key.clone(), t.environment)
        };
        let now = self.engine().now_for(&tenant);
        let claims: Claims = self
            .0
            .signer
            .verify(token, now)
            .map_err(|_: JwtError| OnSpotError::Unauthorized)?;
        if claims.public_key != public_key || bound != env {
            return Err(OnSpotError::Unauthorized);
        }
        Ok(tenant)
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

impl Provider for OnSpot {
    fn name(&self) -> &'static str {
        "onspot"
    }

    fn router(&self) -> Router {
        OnSpot::router(self)
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
        *self.store() = Store::default();
    }

    fn error_response(&self, status: StatusCode, message: &str) -> Response {
        if status == StatusCode::UNAUTHORIZED {
            return OnSpotError::Unauthorized.into_response();
        }
        error::nest(status, message)
    }

    fn tenant_hint(&self, headers: &HeaderMap, _body: &[u8]) -> Option<String> {
        auth::tenant_hint(headers)
    }

    fn fund(&self, tenant: &str, amount: &serde_json::Number) -> Result<Value, AdminError> {
        admin::fund(self, tenant, &amount.to_string())
    }

    fn check_tenant(&self, tenant: &str) -> Result<(), AdminError> {
        admin::check_tenant(self, tenant)
    }

    fn provision(&self, tenant: &str) -> Result<Value, AdminError> {
        admin::provision(self, tenant)
    }

    fn expired_token_response(&self) -> Response {
        OnSpotError::Unauthorized.into_response()
    }
}
