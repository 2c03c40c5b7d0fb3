//! payoutsim-faults: make a provider misbehave on purpose, reproducibly.
//!
//! - [`rule`]: the rule format (matcher, fault, `probability`, `times`, `after`, `window`)
//! - [`values`]: its checked values (latency shapes, error statuses, probabilities, windows)
//! - [`matcher`]: pure matching of a rule against a request or a webhook message
//! - [`store`]: [`Faults`], the loaded rules with their counters, and which rule hits
//! - [`layer`]: [`FaultLayer`] / [`Fault`], the tower layer between the journal and a provider
//! - [`wire`]: connection-level faults (reset, empty reply, hang, truncated and slow bodies)
//! - [`webhook`]: the rules as the engine's webhook fault hook (drop, duplicate, delay, reorder)
//! - [`load`]: checking rules against the providers served, and loading them
//! - [`scenario`]: scenario files (name, description, setup, rules)
//! - [`admin`]: `/__admin/faults` and `/__admin/scenarios`
//!
//! [`install`] wires it into an engine: webhook hook, reset hook, and the store the layer and
//! the admin routes share.

pub mod admin;
pub mod layer;
pub mod load;
pub mod matcher;
pub mod rule;
pub mod scenario;
pub mod store;
pub mod values;
pub mod webhook;
pub mod wire;

use std::sync::Arc;

use payoutsim_core::Engine;

pub use layer::{Fault, FaultLayer};
pub use rule::Rule;
pub use scenario::Scenario;
pub use store::Faults;
pub use wire::WireFault;

/// A new, empty rule store installed on `engine`: `webhook_*` rules act on its webhook messages,
/// and `POST /__admin/reset` clears the rules (`?provider=p`: those matching `p` only).
pub fn install(engine: &Engine) -> Faults {
    let faults = Faults::new();
    engine.set_webhook_faults(Arc::new(webhook::WebhookRules {
        faults: faults.clone(),
        engine: engine.downgrade(),
    }));
    let on_reset = faults.clone();
    engine.on_reset(Arc::new(move |provider| on_reset.clear(provider)));
    faults
}
