//! Webhooks: a receiver the World starts on `127.0.0.1:0`, registered with `POST /v1/webhooks`;
//! deliveries are `{"event","data":{cashout}}` signed with `x-signature` = hex HMAC-SHA256 of the
//! raw body under the registration's `secret`, and carry `x-webhook-token` = its `header`.

use std::time::Duration;

use cucumber::{given, then, when};
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;

use super::onepay::request;
use crate::params::{Names, ProviderName};
use crate::receiver::{Received, Receiver};
use crate::world::ContractWorld;

/// How long a delivery may take to reach the receiver (wall time; on a simulator deliveries have
/// arrived once [`settle`] returns, so the bound only matters on the real sandbox).
const ARRIVAL: Duration = Duration::from_secs(5);

async fn ensure_receiver(w: &mut ContractWorld) -> String {
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

fn receiver(w: &ContractWorld) -> &Receiver {
    w.receiver
        .as_ref()
        .unwrap_or_else(|| panic!("no webhook receiver: `Given a webhook receiver`"))
}

fn webhook_field(w: &ContractWorld, name: &str) -> String {
    let hook = w
        .onepay
        .webhook
        .as_ref()
        .unwrap_or_else(|| panic!("no webhook registered yet"));
    hook[name]
        .as_str()
        .unwrap_or_else(|| panic!("webhook `{name}` missing: {hook}"))
        .to_string()
}

async fn register(w: &mut ContractWorld, events: &Names) {
    let url = ensure_receiver(w).await;
    let body = json!({
        "name": "contract receiver",
        "description": "payoutsim contract suite",
        "url": url,
        "events": events.0,
    });
    let resp = request(w, "POST", "/v1/webhooks", Some(&body), &[]).await;
    if resp.status == 201 {
        w.onepay.webhook = Some(resp.json()["data"].clone());
    }
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

#[given(expr = "a webhook for {names}")]
async fn a_webhook(w: &mut ContractWorld, events: Names) {
    register(w, &events).await;
    let last = w.last();
    assert_eq!(last.status, 201, "registering the webhook: {last:?}");
}

#[when(expr = "I register a webhook for {names}")]
async fn register_webhook(w: &mut ContractWorld, events: Names) {
    register(w, &events).await;
}

/// On a simulator, advancing the clock by 0 s is a barrier: it answers once every delivery that
/// is due has been attempted and logged. No sleeping, no polling.
async fn settle(w: &ContractWorld) {
    if w.target.is_simulator() {
        w.advance(0).await;
    }
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

#[then("every webhook is signed with the webhook's secret")]
async fn signed(w: &mut ContractWorld) {
    let secret = webhook_field(w, "secret");
    settle(w).await;
    let got = receiver(w).received();
    assert!(!got.is_empty(), "no webhook arrived");
    for delivery in got {
        let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes())
            .unwrap_or_else(|e| panic!("HMAC key: {e}"));
        mac.update(&delivery.body);
        let expected = hex::encode(mac.finalize().into_bytes());
        let signature = delivery.headers.get("x-signature");
        assert_eq!(
            signature,
            Some(&expected),
            "x-signature of {}",
            delivery.event()
        );
    }
}

#[then("every webhook carries the webhook's header token")]
async fn carries_token(w: &mut ContractWorld) {
    let token = webhook_field(w, "header");
    settle(w).await;
    let got = receiver(w).received();
    assert!(!got.is_empty(), "no webhook arrived");
    for delivery in got {
        let carried = delivery.headers.get("x-webhook-token");
        assert_eq!(
            carried,
            Some(&token),
            "x-webhook-token of {}",
            delivery.event()
        );
    }
}

#[then(expr = "the {string} webhook is about cashout {string} with status {string}")]
async fn webhook_about(w: &mut ContractWorld, event: String, name: String, status: String) {
    let id = w.onepay.cashout_id(&name);
    settle(w).await;
    let got = receiver(w).received();
    let body: Value = got
        .iter()
        .find(|d| d.event() == event)
        .map(Received::json)
        .unwrap_or_else(|| panic!("no {event} webhook arrived"));
    assert_eq!(body["data"]["id"], id, "{event} webhook: {body}");
    assert_eq!(
        body["data"]["status"],
        json!(status),
        "{event} webhook: {body}"
    );
}

#[then(
    expr = "{provider}'s delivery log shows {int} attempt(s) of {string}, the last answered {int}"
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
