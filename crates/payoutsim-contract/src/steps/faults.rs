//! Faults (`@sim`), for any provider: `Given a fault rule for OnePay:` loads the docstring's rule
//! through payoutsim's admin API, with the provider's placeholders (its `{tenant}`) replaced; then
//! what the client observes, down to the transport errors a reset, an empty reply or a cut body
//! leave (a provider's `When I try to …` steps keep them as the outcome, `w.transport_error`,
//! instead of failing), and how often the rules hit.

use cucumber::gherkin::Step;
use cucumber::{given, then};
use serde_json::{Value, json};

use super::docstring;
use crate::params::ProviderName;
use crate::world::ContractWorld;

/// Loads the docstring's rule (JSON) with `provider`'s placeholders replaced: `{tenant}` is the
/// tenant in use there (`onepay:<key>`, `onspot:<environment>:<publicKey>`, `kashpay:<entity>`),
/// and so on for each provider's own (Kashpay's `{entity}`, OnePay's `{customer:ana}`, …).
#[given(expr = "a fault rule for {provider}:")]
async fn fault_rule(w: &mut ContractWorld, step: &Step, provider: ProviderName) {
    let text = w.resolve_for(provider, &docstring(step));
    let rule: Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("bad rule JSON: {e}: {text}"));
    w.admin("POST", "/__admin/faults", Some(rule)).await;
}

/// Asserts the last request got no whole answer but a transport error naming `mark`, as `what`
/// does.
fn assert_transport_error(w: &ContractWorld, mark: &str, what: &str) {
    let error = w.transport_error.as_deref().unwrap_or_else(|| {
        panic!(
            "the request got a whole answer, not a transport error: {:?}",
            w.last
        )
    });
    assert!(error.contains(mark), "not {what}: {error}");
}

#[then("the request fails with a connection reset")]
async fn fails_with_reset(w: &mut ContractWorld) {
    assert_transport_error(w, "reset", "a reset");
}

#[then("the request fails without a response")]
async fn fails_without_response(w: &mut ContractWorld) {
    assert!(w.last.is_none(), "a response arrived: {:?}", w.last);
    assert_transport_error(w, "error sending request", "a request that got no answer");
}

#[then("the response body is cut short")]
async fn body_cut_short(w: &mut ContractWorld) {
    assert_transport_error(w, "body", "a body error");
}

#[then("the response body is not JSON, though its content type says so")]
async fn body_not_json(w: &mut ContractWorld) {
    let last = w.last();
    assert_eq!(last.header("content-type"), Some("application/json"));
    assert!(
        serde_json::from_slice::<Value>(&last.body).is_err(),
        "{last:?}"
    );
}

/// Counts the hits of the rules scoped to `provider`'s tenant in use.
#[then(expr = "the fault rules for {provider} have hit {int} time(s)")]
async fn rules_hit(w: &mut ContractWorld, provider: ProviderName, hits: u64) {
    let tenant = w.state(provider).tenant();
    let rules = w.admin("GET", "/__admin/faults", None).await;
    let total: u64 = rules["rules"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|r| r["match"]["tenant"] == json!(tenant))
        .filter_map(|r| r["hits"].as_u64())
        .sum();
    assert_eq!(total, hits, "{rules}");
}
