//! payoutsim-core: the engine every emulated provider runs on. It knows no provider.
//!
//! - [`clock`]: simulated time, `real` or `manual`, global and per-tenant advance
//! - [`ids`]: seeded ids, tokens and random draws, one stream per tenant
//! - [`tenants`]: credentials as tenants, provisioned on first use or declared ahead of it
//! - [`machine`]: state machines as data, and the [`machine::Lifecycle`] objects carry
//! - [`money`]: amounts in minor units, written as JSON numbers of major units
//! - [`ordered`]: objects in creation order, found by id, listed in cursor pages
//! - [`rows`]: a provider's records in insertion order, in chunks (little spare room)
//! - [`page`]: pages of admin listings (`limit`, `after`), written item by item
//! - [`timeline`]: what falls due when, per tenant
//! - [`idempotency`]: keys, request fingerprints, stored responses, expiry
//! - [`json_out`]: JSON objects written straight into a buffer, byte for byte as serde_json
//!   writes them, for the hot answers
//! - [`journal`]: the bounded request journal and the layer that fills it
//! - [`webhooks`]: targets, the outbox, retry policy, delivery records
//! - [`jwt`]: JSON Web Tokens judged on the simulated clock (session providers)
//! - [`sessions`]: sliding sessions (opaque token -> tenant, ending N simulated seconds after
//!   their last use)
//! - [`svix`]: webhooks signed the Svix way: secrets, message ids, signatures, verification,
//!   and a ready signer for a provider's attempts
//! - [`surface`]: the admin surface's guards (what names the admin listener, which webhook URLs
//!   are allowed)
//! - [`secrets`]: masking credentials and signing secrets in the journal and admin listings
//! - [`forced`]: the seam through which a fault rule forces a payout's terminal outcome
//! - [`error`]: [`error::AdminError`], the engine's own error, on the ground floor
//! - [`kit`]: the provider kit: [`kit::Spec`] (a provider's own logic) and [`kit::Kit`] (the
//!   handle, store, machines, auth entry and engine-driven status changes around it)
//! - [`provider`]: the object-safe [`Provider`] trait the engine sees (the kit implements it)
//! - [`admin`]: the `/__admin` API
//! - `testkit` (feature `testkit`): an engine with a manual clock, a provider mounted behind the
//!   journal, and `oneshot` requests, for provider crates' router tests
//! - [`Engine`]: the handle that ties them together

pub mod admin;
pub mod clock;
mod engine;
pub mod error;
pub mod fastmap;
pub mod forced;
pub mod idempotency;
pub mod ids;
pub mod inline;
pub mod journal;
pub mod json_out;
pub mod jwt;
pub mod kit;
pub mod machine;
pub mod money;
pub mod name;
pub mod ordered;
pub mod page;
pub mod provider;
pub mod rows;
pub mod secrets;
pub mod sessions;
pub mod surface;
pub mod svix;
pub mod tenants;
#[cfg(feature = "testkit")]
pub mod testkit;
pub mod timeline;
pub mod webhooks;

pub use engine::{
    Cause, DEFAULT_MAX_OBJECTS, DEFAULT_MAX_OBJECTS_PER_TENANT, DEFAULT_MAX_TENANTS,
    DEFAULT_MAX_WEBHOOK_TARGETS, DEFAULT_WEBHOOK_QUEUE_CAP, Engine, EngineConfig, MessageProgress,
    Recorder, ResetHook, Settled, Transition, TransitionRecord, Unsent, WeakEngine,
};
pub use provider::Provider;
