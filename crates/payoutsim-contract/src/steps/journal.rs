//! payoutsim's request journal (`@sim`), for any provider: what it was asked for the scenario's
//! tenant there, what it answered, and which injected fault, if any, answered instead.
//! `Then OnePay's journal recorded POST "/v1/cashouts" answered with 201`.

use cucumber::then;
use serde_json::{Value, json};

use crate::params::{ProviderName, Verb};
use crate::world::ContractWorld;

/// The journal's entries of `verb path` at `provider` for the scenario's tenant there, newest
/// last; `path` may hold the provider's placeholders.
pub async fn entries(
    w: &ContractWorld,
    provider: ProviderName,
    verb: &Verb,
    path: &str,
) -> Vec<Value> {
    let path = w.resolve_for(provider, path);
    let query = format!(
        "/__admin/requests?provider={}&tenant={}&method={}&path={path}",
        provider.id(),
        w.state(provider).tenant(),
        verb.0
    );
    let journal = w.admin("GET", &query, None).await;
    journal["requests"].as_array().cloned().unwrap_or_default()
}

/// The newest entry of `verb path`; panics when there is none.
pub async fn newest(w: &ContractWorld, provider: ProviderName, verb: &Verb, path: &str) -> Value {
    let entries = entries(w, provider, verb, path).await;
    entries
        .last()
        .cloned()
        .unwrap_or_else(|| panic!("no {} {path} in {provider}'s journal", verb.0))
}

#[then(expr = "{provider}'(s) journal recorded {verb} {string} answered with {int}")]
async fn recorded(
    w: &mut ContractWorld,
    provider: ProviderName,
    verb: Verb,
    path: String,
    status: u16,
) {
    let entries = entries(w, provider, &verb, &path).await;
    assert!(
        entries.iter().any(|e| e["status"] == json!(status)),
        "no {} {path} answered {status} in {provider}'s journal: {entries:?}",
        verb.0
    );
}

fn assert_fault(entry: &Value, fault: &str) {
    let named = entry["fault"].as_str().unwrap_or_default();
    assert!(
        named.ends_with(fault),
        "fault `{named}`, expected `{fault}`: {entry}"
    );
}

/// Status 0: the client got no answer.
#[then(expr = "{provider}'(s) journal recorded {verb} {string} unanswered, by the fault {string}")]
async fn unanswered_by_fault(
    w: &mut ContractWorld,
    provider: ProviderName,
    verb: Verb,
    path: String,
    fault: String,
) {
    let entry = newest(w, provider, &verb, &path).await;
    assert_eq!(entry["status"], 0, "no answer reached the client: {entry}");
    assert_fault(&entry, &fault);
}

#[then(
    expr = "{provider}'(s) journal recorded {verb} {string} answered with {int}, by the fault {string}"
)]
async fn answered_by_fault(
    w: &mut ContractWorld,
    provider: ProviderName,
    verb: Verb,
    path: String,
    status: u16,
    fault: String,
) {
    let entry = newest(w, provider, &verb, &path).await;
    assert_eq!(entry["status"], status, "{entry}");
    assert_fault(&entry, &fault);
}
