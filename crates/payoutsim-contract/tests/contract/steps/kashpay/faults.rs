//! Fault rules against Kashpay (`@sim`): `POST /__admin/faults` with the scenario's tenant.

use cucumber::gherkin::Step;
use cucumber::given;
use serde_json::Value;

use crate::params::Provider;
use crate::world::ContractWorld;

/// Loads the docstring's rule; `{tenant}` is the scenario's `kashpay:<entity>`.
#[given("the Kashpay fault rule:")]
async fn fault_rule(w: &mut ContractWorld, step: &Step) {
    let text = step.docstring.as_deref().unwrap_or_default();
    let text = w.resolve_for(Provider::Kashpay, text);
    let rule: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("bad rule JSON: {e}"));
    w.admin("POST", "/__admin/faults", Some(rule)).await;
}
