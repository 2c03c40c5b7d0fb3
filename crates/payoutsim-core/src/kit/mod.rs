//! The provider kit: everything a provider crate would otherwise rebuild around its own logic.
//!
//! A provider implements [`Spec`] (its name, config, store, machines, routes, error envelope,
//! and the one [`Spec::on_transition`] hook that says what a status change does to its money and
//! records) and gets [`Kit<S>`]: the handle its handlers take as state, which owns the engine,
//! the config, the store behind its lock, and the machines, and implements [`Provider`] for it.
//!
//! - `mod.rs` (here): [`Spec`], [`Kit`], [`Event`]
//! - `auth.rs`: [`Authenticate`] and the [`Auth`] extractor, the one way a request enters a
//!   tenant (journal notes, then due transitions)
//! - `changes.rs`: the engine-driven status changes: a new object's start, timed edges, moves
//!   by the provider's own rules, back-office moves with "back on the way", and the webhooks
//!   they emit
//! - `provider.rs`: `impl Provider for Kit<S>`
//! - `records.rs`: [`Records`], where a tenant's lifecycles live, and [`Tenants`], the store's
//!   tenants, where the default [`Spec::lifecycle`] and [`Spec::holders`] look
//! - `bounds.rs`: [`Kit::make_room`], a tenant's objects bounded: its oldest settled ones dropped
//!   (the provider's [`Bounded`] records) or the creation refused ([`TooManyObjects`])
//! - `back_office.rs`: [`Kit::declare`] (a tenant listed ahead of use), the [`fund`] route, and
//!   the objects view ([`objects_view`], [`entry`])
//! - `web.rs`: unknown routes in the provider's envelope ([`unknown_routes`]), [`RawBody`], and
//!   reading a JSON body ([`is_blank`], [`is_json`], [`json_object`])
//!
//! See `docs/adding-a-provider.md` for the contract and a walk-through.

mod auth;
mod back_office;
mod bounds;
mod changes;
mod provider;
mod records;
mod web;

use std::collections::BTreeMap;
use std::fmt::Debug;
use std::sync::{Arc, Mutex, MutexGuard};

use axum::Router;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use http::{HeaderMap, StatusCode};
use serde::Serialize;
use serde_json::Value;

use crate::Engine;
use crate::engine::Transition;
use crate::error::AdminError;
use crate::fastmap::FastMap;
use crate::machine::{Lifecycle, Machines, StateMachine};
use crate::name::Name;
use crate::webhooks::{Attempt, RetryPolicy};

pub use auth::{Auth, Authenticate};
pub use back_office::{Objects, Page, entry, fund, objects_view, with_page};
pub use bounds::{Bounded, FrozenAnswer, SPARE_PLACES, TooManyObjects, is_settled, object_total};
pub use changes::Found;
pub use records::{Records, Tenants};
pub use web::{
    ExactObject, NotAnObject, RawBody, Written, exact_object, is_blank, is_json, json_object,
    unknown_routes, written_numbers,
};

/// A webhook event a status change emits: its name and its body, serialised in the provider's
/// own field order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Event {
    pub name: &'static str,
    pub body: Bytes,
}

impl Event {
    /// `payload` serialised as JSON (`None` if it cannot be, which is logged).
    pub fn json<T: Serialize + ?Sized>(name: &'static str, payload: &T) -> Option<Self> {
        match serde_json::to_vec(payload) {
            Ok(body) => Some(Self {
                name,
                body: body.into(),
            }),
            Err(e) => {
                tracing::error!(event = name, error = %e, "webhook payload did not serialise");
                None
            }
        }
    }
}

/// What a provider supplies: its own logic, nothing else. Every method with a default is
/// optional; the defaults say what a provider without the feature does.
pub trait Spec: Sized + Send + Sync + 'static {
    /// Its name in ports, tenants (`<name>:…`) and the admin API.
    const NAME: &'static str;
    /// Its settings (every default named where it is defined).
    type Config: Clone + Debug + Send + Sync + 'static;
    /// Its objects, all tenants', behind the kit's one lock. `Default` is the empty store that
    /// a reset leaves.
    type Store: Default + Send + 'static;
    /// Its client-facing error (its own envelope), what its auth rejects with.
    type Error: IntoResponse;

    /// Builds the provider's own runtime parts (signers and the like) once.
    fn new(engine: &Engine, config: &Self::Config) -> Self;

    /// Its state machines, as data.
    fn machines(config: &Self::Config) -> Vec<StateMachine>;

    /// Its public API on its own paths, unknown paths and methods in its own envelope.
    fn routes() -> Router<Kit<Self>>;

    /// Its OpenAPI 3.1 document, YAML text (`include_str!("../openapi.yaml")`):
    /// [`crate::Provider::openapi`]. Default: none.
    const OPENAPI: Option<&'static str> = None;

    /// Back-office actions, served under `/__admin/providers/{name}/`. Default: none.
    fn admin_routes() -> Router<Kit<Self>> {
        Router::new()
    }

    /// Its error answer for `status`, with `message` where its format has one.
    fn error_response(status: StatusCode, message: &str) -> Response;

    /// What a client gets when a fault cuts an answer off before the provider gave one (the
    /// start of a plausible body). Default: a neutral JSON object.
    fn placeholder_body() -> &'static str {
        r#"{"id":"00000000-0000-4000-8000-000000000000","status":"pending"}"#
    }

    /// Where the store keeps each tenant's records (`Some(&store.tenants)`, a
    /// `BTreeMap<String, TenantData>` whose `TenantData` implements [`Records`]): the default
    /// [`Spec::lifecycle`] and [`Spec::holders`] look there. Default: nowhere, for a store laid
    /// out otherwise, which implements those two itself.
    fn tenants(_store: &Self::Store) -> Option<&dyn Tenants> {
        None
    }

    /// [`Spec::tenants`], to change.
    fn tenants_mut(_store: &mut Self::Store) -> Option<&mut dyn Tenants> {
        None
    }

    /// The lifecycle of object `id` of `kind` held by `tenant`, if there is one. Default: in
    /// [`Spec::tenants_mut`].
    fn lifecycle<'s>(
        store: &'s mut Self::Store,
        tenant: &str,
        kind: &str,
        id: &str,
    ) -> Option<&'s mut Lifecycle> {
        Self::tenants_mut(store)?.lifecycle_mut(tenant, kind, id)
    }

    /// Which tenants hold an object `id` of one of `kinds`, as `(tenant, kind)`: for back-office
    /// moves that do not name the tenant. Default: in [`Spec::tenants`].
    fn holders(store: &Self::Store, kinds: &[&str], id: &str) -> Vec<(String, String)> {
        (Self::tenants(store)).map_or_else(Vec::new, |t| t.holders(kinds, id))
    }

    /// The one hook: `change` just happened to an object in `store` (timed, forced, moved by the
    /// back office or by the provider's own rules; creations are not passed here). Apply its
    /// side effects on money and records, and return the webhook events to emit; the kit signs
    /// and queues them once the store is unlocked.
    fn on_transition(kit: &Kit<Self>, store: &mut Self::Store, change: &Transition) -> Vec<Event>;

    /// Whether the back office may make `change` (e.g. leaving a refunded status debits again,
    /// and the balance may not cover it). Asked before anything moves. Default: always.
    fn check_move(_store: &Self::Store, _change: &Transition) -> Result<(), AdminError> {
        Ok(())
    }

    /// The reason an object of `kind` gets when it is destined for terminal `status` without
    /// one (a fault rule or the back office that named none). Default: none.
    fn default_reason(_kind: &str, _status: &str) -> Option<String> {
        None
    }

    /// Its objects for `GET /__admin/providers/{name}/objects`, optionally one tenant or kind.
    /// Default: none (a provider whose view also reads the engine implements
    /// [`Spec::objects_in`] instead).
    fn objects(_store: &Self::Store, _tenant: Option<&str>, _kind: Option<&str>) -> Value {
        serde_json::json!({ "objects": [] })
    }

    /// [`Spec::objects`] for a view that also shows what the engine keeps for the provider (its
    /// webhook targets, say): it locks the store itself. Default: [`Spec::objects`] of the store.
    fn objects_in(kit: &Kit<Self>, tenant: Option<&str>, kind: Option<&str>) -> Value {
        Self::objects(&kit.store(), tenant, kind)
    }

    /// The events it emits. Default: none; the admin API refuses targets for it.
    fn webhook_events() -> &'static [&'static str] {
        &[]
    }

    /// A fresh signing secret (and extras) for a target made via the admin API.
    fn new_webhook_secret(_kit: &Kit<Self>, _tenant: &str) -> (String, BTreeMap<String, String>) {
        (String::new(), BTreeMap::new())
    }

    /// Why a `secret` given for a new target through the admin API is not one this provider
    /// signs with (the admin API answers 400 with it). Default: any secret will do.
    fn check_webhook_secret(_secret: &str) -> Result<(), String> {
        Ok(())
    }

    /// The stable id of the messages of one `event` of `tenant` (Svix's `svix-id`), made once
    /// when they are queued: every target's message, every attempt and every duplicate carries
    /// it, and [`Spec::sign_webhook`] reads it in [`Attempt::message_id`]. Draw it from the
    /// engine's seeded ids ([`crate::svix::message_id`]). Default: none.
    fn webhook_message_id(_kit: &Kit<Self>, _tenant: &str, _event: &str) -> Option<String> {
        None
    }

    /// Its own retry schedule (e.g. [`RetryPolicy::svix`]). Default: none, the engine's
    /// (`EngineConfig::webhooks`: 6 attempts, 30 s, 2 min, 10 min, 1 h, 6 h apart).
    ///
    /// Beside the engine's: no CLI flag or admin call sets the engine-wide policy; it is set in
    /// code only (`EngineConfig::webhooks`, which tests shorten). A provider's own schedule
    /// replaces it whole for that provider's messages, all three parts (attempts, backoff and
    /// the per-attempt timeout, so Svix's 15 s window holds), because the schedule is part of
    /// the provider's documented contract; the engine-wide policy serves every provider that
    /// declares none. Read once, when the kit is made.
    fn webhook_retry() -> Option<RetryPolicy> {
        None
    }

    /// The headers that sign one attempt of a message: `attempt` holds the target (its secret
    /// and extras), the body, the message's stable id, the attempt's number, and its simulated
    /// and wall-clock times. Called at every attempt, so a scheme that signs a timestamp signs
    /// each attempt's own; the delivery record shows what was sent. A Svix provider's is one
    /// line: [`crate::svix::headers`].
    fn sign_webhook(_kit: &Kit<Self>, _attempt: &Attempt<'_>) -> Vec<(String, String)> {
        Vec::new()
    }

    /// The tenant a request names, read without authenticating it (for fault rules). Default:
    /// it does not say.
    fn tenant_hint(_headers: &HeaderMap, _body: &[u8]) -> Option<String> {
        None
    }

    /// [`Spec::tenant_hint`] for a provider whose requests name their tenant only through its
    /// own state (an opaque session token the store maps to a tenant): it may lock the store.
    /// Default: [`Spec::tenant_hint`].
    fn tenant_hint_in(_kit: &Kit<Self>, headers: &HeaderMap, body: &[u8]) -> Option<String> {
        Self::tenant_hint(headers, body)
    }

    /// Forgets `tenant` whole from `store` (see
    /// [`Provider::forget_tenant`](crate::Provider::forget_tenant)): its records and whatever
    /// else names it (sessions, account bindings), so that its tokens are refused. `false` when
    /// it cannot be forgotten. Default: it cannot (its tenants are never evicted).
    fn forget_tenant(_kit: &Kit<Self>, _store: &mut Self::Store, _tenant: &str) -> bool {
        false
    }

    /// How many objects every tenant in `store` holds (the sum of their
    /// [`Bounded::object_count`]), counted against `--max-objects`. Default: none.
    fn object_total(_store: &Self::Store) -> usize {
        0
    }

    /// The back office's `fund` (see [`Provider::fund`](crate::Provider::fund)): `amount` is
    /// the decimal digits the client wrote, exactly.
    fn fund(_kit: &Kit<Self>, tenant: &str, _amount: &str) -> Result<Value, AdminError> {
        Err(AdminError::bad_request(format!(
            "{} keeps no balance to fund (tenant `{tenant}`)",
            Self::NAME
        )))
    }

    /// See [`Provider::check_tenant`](crate::Provider::check_tenant).
    fn check_tenant(_kit: &Kit<Self>, tenant: &str) -> Result<(), AdminError> {
        Err(crate::provider::cannot_provision(Self::NAME, tenant))
    }

    /// See [`Provider::provision`](crate::Provider::provision).
    fn provision(_kit: &Kit<Self>, tenant: &str) -> Result<Value, AdminError> {
        Err(crate::provider::cannot_provision(Self::NAME, tenant))
    }

    /// The answer to a request whose session has expired (the `token_expired` fault). Default:
    /// its 401.
    fn expired_token_response(_kit: &Kit<Self>) -> Response {
        Self::error_response(StatusCode::UNAUTHORIZED, "Token expired")
    }
}

struct Inner<S: Spec> {
    engine: Engine,
    config: S::Config,
    spec: S,
    store: Mutex<S::Store>,
    machines: Machines,
    /// [`Spec::NAME`], interned once.
    name: Name,
    /// [`Spec::webhook_retry`], read once.
    retry: Option<Arc<RetryPolicy>>,
    /// Each tenant's objects as last counted by [`Kit::make_room`] (their sum is this provider's
    /// share of [`Engine::object_count`]). Locked after the store, never before it.
    counted: Mutex<FastMap<String, bounds::Counted>>,
}

/// A provider on the kit: a cheap, clonable handle, the state of its handlers.
pub struct Kit<S: Spec>(Arc<Inner<S>>);

impl<S: Spec> Clone for Kit<S> {
    fn clone(&self) -> Self {
        Self(self.0.clone())
    }
}

impl<S: Spec> Debug for Kit<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct(S::NAME)
            .field("config", &self.0.config)
            .finish_non_exhaustive()
    }
}

impl<S: Spec> Kit<S> {
    pub fn new(engine: Engine, config: S::Config) -> Self {
        Self(Arc::new(Inner {
            spec: S::new(&engine, &config),
            machines: Machines::new(S::machines(&config)),
            name: Name::from_static(S::NAME),
            store: Mutex::new(S::Store::default()),
            retry: S::webhook_retry().map(Arc::new),
            counted: Mutex::default(),
            engine,
            config,
        }))
    }

    pub fn engine(&self) -> &Engine {
        &self.0.engine
    }

    /// [`Spec::NAME`] as an interned name.
    pub fn name(&self) -> Name {
        self.0.name
    }

    pub fn config(&self) -> &S::Config {
        &self.0.config
    }

    /// The provider's own runtime parts (what [`Spec::new`] built).
    pub fn spec(&self) -> &S {
        &self.0.spec
    }

    /// The store, locked (a poisoned lock is taken over: the store's invariants hold between
    /// statements that can panic). Never held across an `.await`.
    pub fn store(&self) -> MutexGuard<'_, S::Store> {
        self.0.store.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The machine of `kind` and `variant`, as currently configured.
    pub fn machine(&self, kind: &str, variant: &str) -> Option<Arc<StateMachine>> {
        self.0.machines.get(kind, variant)
    }

    /// A tenant's simulated time.
    pub fn now_for(&self, tenant: &str) -> chrono::DateTime<chrono::Utc> {
        self.0.engine.now_for(tenant)
    }

    /// The public API with its state, as a provider port serves it (before the journal and the
    /// fault layer wrap it).
    pub fn router(&self) -> Router {
        S::routes().with_state(self.clone())
    }
}
