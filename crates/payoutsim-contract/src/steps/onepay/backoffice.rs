//! payoutsim's back office for OnePay (`@sim`): fund a balance, force a status, inspect OnePay's
//! objects and the idempotency keys its journal kept.

use cucumber::{given, then, when};
use serde_json::{Value, json};

use super::resolve;
use crate::params::{Amount, ProviderName, Verb};
use crate::steps::journal;
use crate::world::{ContractWorld, ProviderState};

const ONEPAY: &str = "/__admin/providers/onepay";

#[given(expr = "the back office funds the balance with {amount} COP")]
#[when(expr = "the back office funds the balance with {amount} COP")]
async fn fund(w: &mut ContractWorld, amount: Amount) {
    let body = json!({ "tenant": w.onepay.tenant(), "amount": amount.0 });
    w.admin("POST", &format!("{ONEPAY}/fund"), Some(body)).await;
}

/// `the back office forces cashout "c1" to "processed"`, or an account: the same admin route.
#[when(expr = "the back office forces {word} {string} to {string}")]
async fn force(w: &mut ContractWorld, kind: String, name: String, status: String) {
    assert!(
        matches!(kind.as_str(), "cashout" | "account"),
        "the back office forces a cashout or an account, not a {kind}"
    );
    let id = resolve(w, &format!("{{{kind}:{name}}}"));
    let body = json!({ "status": status });
    let path = format!("{ONEPAY}/{kind}s/{id}/status");
    w.admin("POST", &path, Some(body)).await;
}

#[then(expr = "the back office shows cashout {string} as {string}")]
async fn back_office_shows(w: &mut ContractWorld, name: String, status: String) {
    let id = w.onepay.cashout_id(&name);
    let path = format!("{ONEPAY}/objects?kind=cashout&tenant={}", w.onepay.tenant());
    let objects = w.admin("GET", &path, None).await;
    // The objects answer is an inspection view: find the cashout wherever it sits.
    let found = find_object(&objects, &id)
        .unwrap_or_else(|| panic!("cashout {name:?} ({id}) not in the back office: {objects}"));
    // The view wraps the wire object (`object`) with its lifecycle; either carries the status.
    let shown = found["object"].get("status").unwrap_or(&found["status"]);
    assert_eq!(
        shown,
        &json!(status),
        "back office view of {name:?}: {found}"
    );
}

fn find_object<'a>(value: &'a Value, id: &Value) -> Option<&'a Value> {
    match value {
        Value::Object(map) if map.get("id") == Some(id) => Some(value),
        Value::Object(map) => map.values().find_map(|v| find_object(v, id)),
        Value::Array(items) => items.iter().find_map(|v| find_object(v, id)),
        _ => None,
    }
}

/// OnePay's `x-idempotency`, as the journal kept it.
#[then(expr = "the journal's last {verb} {string} carried the idempotency key {string}")]
async fn journal_idempotency(w: &mut ContractWorld, verb: Verb, path: String, key: String) {
    let last = journal::newest(w, ProviderName::OnePay, &verb, &path).await;
    let carried = &last["headers"]["x-idempotency"];
    assert_eq!(
        carried,
        &json!(w.idempotency_key(&key)),
        "x-idempotency of journal entry {last}"
    );
}
