//! Webhook deliveries, for any provider: a receiver the World starts on `127.0.0.1:0` (its URL is
//! `{receiver}`), the status it answers, the events that arrived (a delivery's JSON `event`), and
//! payoutsim's delivery log (`@sim`). Registering the receiver and checking signatures is each provider's own (OnePay's
//! in `onepay/webhooks.rs`).

use std::time::Duration;

use cucumber::{given, then, when};
use serde_json::json;

use crate::params::{Names, ProviderName};
use crate::receiver::{Received, Receiver};
use crate::world::ContractWorld;

/// How long a delivery may take to reach the receiver (wall time; on a simulator deliveries have
/// arrived once [`settle`] returns, so the bound only matters on the real sandbox).
const ARRIVAL: Duration = Duration::from_secs(5);

/// The receiver's URL, starting it first if the scenario has none yet.
pub async fn ensure_receiver(w: &mut ContractWorld) -> String {
    if w.receiver.is_none() {
        let receiver = Receiver::start()
            .await
            .unwrap_or_else(|e| panic!("receiver: {e}"));
        w.receiver = Some(receiver);
    }
    w.receiver
        .as_ref()
        .map(|r| r.url.clone())
        .unwrap_or_default()
}

/// The scenario's receiver; panics when it has none.
pub fn receiver(w: &ContractWorld) -> &Receiver {
    w.receiver
        .as_ref()
        .unwrap_or_else(|| panic!("no webhook receiver: `Given a webhook receiver`"))
}

#[given("a webhook receiver")]
async fn a_receiver(w: &mut ContractWorld) {
    ensure_receiver(w).await;
}

#[given(expr = "the webhook receiver answers {int}")]
#[when(expr = "the webhook receiver answers {int}")]
fn receiver_answers(w: &mut ContractWorld, status: u16) {
    receiver(w).answer(status);
}

/// On a simulator, advancing the clock by 0 s is a barrier: it answers once every delivery that
/// is due has been attempted and logged. No sleeping, no polling.
pub async fn settle(w: &ContractWorld) {
    if w.target.is_simulator() {
        w.advance(0).await;
    }
}

/// Every delivery the receiver got once the due ones were sent; asserts there is one.
pub async fn delivered(w: &ContractWorld) -> Vec<Received> {
    settle(w).await;
    let got = receiver(w).received();
    assert!(!got.is_empty(), "no webhook arrived");
    got
}

async fn arrived(w: &ContractWorld, n: usize) -> Vec<Received> {
    settle(w).await;
    receiver(w).wait_for(n, ARRIVAL).await
}

#[then(expr = "webhook events {names} arrive in order")]
async fn arrive_in_order(w: &mut ContractWorld, events: Names) {
    let got: Vec<String> = arrived(w, events.0.len())
        .await
        .iter()
        .map(Received::event)
        .collect();
    assert_eq!(got, events.0, "webhook events received");
}

#[then("no webhook arrives")]
async fn none_arrived(w: &mut ContractWorld) {
    settle(w).await;
    let got: Vec<String> = receiver(w).received().iter().map(Received::event).collect();
    assert!(got.is_empty(), "webhooks arrived: {got:?}");
}

#[then(
    expr = "{provider}'(s) delivery log shows {int} attempt(s) of {string}, the last answered {int}"
)]
async fn delivery_log(
    w: &mut ContractWorld,
    provider: ProviderName,
    n: usize,
    event: String,
    status: u16,
) {
    let query = format!(
        "/__admin/webhooks/deliveries?provider={}&tenant={}&event={event}",
        provider.id(),
        w.state(provider).tenant()
    );
    settle(w).await;
    let log = w.admin("GET", &query, None).await;
    let attempts = log["deliveries"].as_array().cloned().unwrap_or_default();
    assert_eq!(attempts.len(), n, "delivery attempts of {event}: {log}");
    let last = attempts
        .iter()
        .max_by_key(|d| d["attempt"].as_u64())
        .cloned()
        .unwrap_or_default();
    assert_eq!(
        last["status"],
        json!(status),
        "last attempt of {event}: {log}"
    );
}
