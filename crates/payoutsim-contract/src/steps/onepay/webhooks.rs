//! OnePay's webhooks: the scenario's receiver registered with `POST /v1/webhooks`; deliveries are
//! `{"event","data":{cashout}}` signed with `x-signature` = hex HMAC-SHA256 of the raw body under
//! the registration's `secret`, and carry `x-webhook-token` = its `header`.

use cucumber::gherkin::Step;
use cucumber::{given, then, when};
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;

use super::request;
use crate::params::Names;
use crate::receiver::Received;
use crate::steps::arranged;
use crate::steps::webhooks::{delivered, ensure_receiver, receiver, settle};
use crate::world::ContractWorld;

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

pub(crate) async fn register(w: &mut ContractWorld, events: &Names) {
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

#[given(expr = "a webhook for {names}")]
#[when(expr = "I register a webhook for {names}")]
async fn a_webhook(w: &mut ContractWorld, step: &Step, events: Names) {
    register(w, &events).await;
    arranged(w, step, 201, "registering the webhook");
}

#[then("every webhook is signed with the webhook's secret")]
async fn signed(w: &mut ContractWorld) {
    let secret = webhook_field(w, "secret");
    for delivery in delivered(w).await {
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
    for delivery in delivered(w).await {
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
