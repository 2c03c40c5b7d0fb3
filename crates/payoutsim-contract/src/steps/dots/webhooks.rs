//! Dots' webhooks, sent the Svix way (`@sim`: the target is registered through payoutsim's
//! admin API, as Dots' dashboard would): each delivery carries `svix-id` (the message's, the
//! same on every retry), `svix-timestamp` (Unix seconds) and `svix-signature` (space-separated
//! `v1,<base64>`), the HMAC-SHA256 of `{svix-id}.{svix-timestamp}.{raw body}` keyed by the
//! base64-decoded `whsec_` secret. The signature is checked here, independently of the
//! simulator's code, as a receiver using Svix's libraries would (5 minutes' tolerance).
//!
//! Dots' payloads do not all name their event (`transfer.completed` is `{transfer,
//! transfer_id}`), so a delivery's event is read from payoutsim's delivery log by its `svix-id`.

use std::collections::BTreeMap;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use cucumber::{given, then};
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;

use crate::params::Names;
use crate::receiver::Received;
use crate::steps::webhooks::{delivered, ensure_receiver, receiver, settle};
use crate::world::{ContractWorld, ProviderState};

/// Svix's libraries refuse a timestamp further than this from their clock.
const TOLERANCE_S: i64 = 5 * 60;

/// Registers the scenario's receiver for `events` (every event when `None`) of the current app.
pub async fn register(w: &mut ContractWorld, events: Option<Vec<String>>) {
    let url = ensure_receiver(w).await;
    let mut body = json!({"provider": "dots", "tenant": w.dots.tenant(), "url": url});
    if let Some(events) = events {
        body["events"] = json!(events);
    }
    let target = w.admin("POST", "/__admin/webhooks", Some(body)).await;
    let secret = target["secret"].as_str().unwrap_or_default();
    assert!(secret.starts_with("whsec_"), "not a Svix secret: {target}");
    w.dots.webhook = Some(target);
}

#[given(expr = "a Dots webhook endpoint for {names}")]
async fn an_endpoint(w: &mut ContractWorld, events: Names) {
    register(w, Some(events.0)).await;
}

#[given("a Dots webhook endpoint for every event")]
async fn an_endpoint_for_all(w: &mut ContractWorld) {
    register(w, None).await;
}

fn secret(w: &ContractWorld) -> String {
    let target = (w.dots.webhook.as_ref()).unwrap_or_else(|| panic!("no Dots webhook endpoint"));
    target["secret"].as_str().unwrap_or_default().to_string()
}

/// The `v1,` signature of `body` for message `id` at `timestamp` under a `whsec_` secret.
fn sign(secret: &str, id: &str, timestamp: &str, body: &[u8]) -> String {
    let b64 = secret.strip_prefix("whsec_").unwrap_or(secret);
    let key = STANDARD
        .decode(b64)
        .unwrap_or_else(|e| panic!("the secret {secret:?} is not base64: {e}"));
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).unwrap_or_else(|e| panic!("HMAC key: {e}"));
    mac.update(format!("{id}.{timestamp}.").as_bytes());
    mac.update(body);
    format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()))
}

/// Why `delivery` would be refused by a Svix receiver holding `secret` at wall time `now`, or
/// `None` when it verifies.
fn refusal(secret: &str, delivery: &Received, now: i64) -> Option<String> {
    let header = |name: &str| delivery.headers.get(name).cloned();
    let (Some(id), Some(timestamp), Some(signatures)) = (
        header("svix-id"),
        header("svix-timestamp"),
        header("svix-signature"),
    ) else {
        return Some(format!("missing Svix headers: {:?}", delivery.headers));
    };
    let Ok(at) = timestamp.parse::<i64>() else {
        return Some(format!("svix-timestamp {timestamp:?} is not Unix seconds"));
    };
    if (now - at).abs() > TOLERANCE_S {
        return Some(format!(
            "svix-timestamp {at} is more than 5 minutes from {now}"
        ));
    }
    let expected = sign(secret, &id, &timestamp, &delivery.body);
    let signed = signatures.split(' ').any(|s| s == expected);
    (!signed).then(|| format!("no signature of {signatures:?} is {expected:?}"))
}

/// The wall clock's Unix seconds: a Svix receiver judges `svix-timestamp` by its own clock.
fn wall_now() -> i64 {
    #[allow(clippy::disallowed_methods)] // the receiver's clock is the wall clock
    let now = std::time::SystemTime::now();
    let since = now
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    since.as_secs() as i64
}

#[then("every Dots webhook carries a valid Svix signature")]
async fn every_signed(w: &mut ContractWorld) {
    // First, that the check here is Svix's: its published example verifies.
    let example = sign(
        "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        "msg_p5jXN8AQM9LWM0D4loKWxJek",
        "1614265330",
        br#"{"test": 2432232314}"#,
    );
    assert_eq!(example, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    let (secret, now) = (secret(w), wall_now());
    for delivery in delivered(w).await {
        let refused = refusal(&secret, &delivery, now);
        assert!(
            refused.is_none(),
            "{refused:?}: {}",
            String::from_utf8_lossy(&delivery.body)
        );
    }
}

/// The check is not vacuous: the same deliveries with one byte of the body changed, or under
/// another secret, are refused.
#[then("a Dots webhook altered in transit fails the Svix check")]
async fn altered_fails(w: &mut ContractWorld) {
    let (secret, now) = (secret(w), wall_now());
    for delivery in delivered(w).await {
        let mut altered = delivery.clone();
        altered.body.push(b' ');
        assert!(
            refusal(&secret, &altered, now).is_some(),
            "an altered body verified"
        );
        let other = format!("whsec_{}", STANDARD.encode(b"another secret of 24 bytes"));
        assert!(
            refusal(&other, &delivery, now).is_some(),
            "another secret verified"
        );
    }
}

/// The event of each message payoutsim's delivery log holds for the tenant, by `svix-id`.
async fn events_by_id(w: &ContractWorld) -> BTreeMap<String, String> {
    let query = format!(
        "/__admin/webhooks/deliveries?provider=dots&tenant={}",
        w.dots.tenant()
    );
    let log = w.admin("GET", &query, None).await;
    (log["deliveries"].as_array().into_iter().flatten())
        .filter_map(|d| {
            let id = d["headers"]["svix-id"].as_str()?;
            Some((id.to_string(), d["event"].as_str()?.to_string()))
        })
        .collect()
}

/// The deliveries that arrived, each with its event, in the order they arrived.
async fn arrived(w: &ContractWorld) -> Vec<(String, Received)> {
    settle(w).await;
    let events = events_by_id(w).await;
    (receiver(w).received().into_iter())
        .map(|d| {
            let id = d.headers.get("svix-id").cloned().unwrap_or_default();
            let event = events.get(&id).cloned().unwrap_or_else(|| format!("?{id}"));
            (event, d)
        })
        .collect()
}

#[then(expr = "Dots webhooks {names} arrive in order")]
async fn arrive_in_order(w: &mut ContractWorld, events: Names) {
    let got: Vec<String> = arrived(w).await.into_iter().map(|(e, _)| e).collect();
    assert_eq!(got, events.0, "Dots webhook events received");
}

/// The payload of the first `event` that arrived.
async fn payload(w: &ContractWorld, event: &str) -> Value {
    let found = arrived(w).await.into_iter().find(|(e, _)| e == event);
    let (_, delivery) = found.unwrap_or_else(|| panic!("no {event} webhook arrived"));
    delivery.json()
}

#[then(expr = "the Dots {string} webhook names payout {string}")]
async fn names_payout(w: &mut ContractWorld, event: String, name: String) {
    let body = payload(w, &event).await;
    let id = w.dots.id("payout", &name);
    assert_eq!(body["transfer_id"], json!(id), "{event}: {body}");
    if event == "transfer.updated" {
        assert_eq!(body["event"], json!(event), "{event}: {body}");
    }
}

#[then(expr = "the Dots webhooks that arrived name the payouts {names}, in that order")]
async fn name_payouts(w: &mut ContractWorld, names: Names) {
    let named: Vec<String> = (arrived(w).await.into_iter())
        .map(|(_, d)| {
            let id = d.json()["transfer_id"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            w.dots
                .name_of("payout", &id)
                .unwrap_or_else(|| format!("?{id}"))
        })
        .collect();
    assert_eq!(named, names.0, "the payouts the webhooks name");
}

#[then(expr = "the Dots {string} webhook holds payout {string} with status {string}")]
async fn holds_payout(w: &mut ContractWorld, event: String, name: String, status: String) {
    let body = payload(w, &event).await;
    let id = w.dots.id("payout", &name);
    assert_eq!(body["transfer_id"], json!(id), "{event}: {body}");
    assert_eq!(body["transfer"]["id"], json!(id), "{event}: {body}");
    assert_eq!(body["transfer"]["status"], json!(status), "{event}: {body}");
}

#[then(expr = "the Dots {string} webhook holds payout link {string} with status {string}")]
async fn holds_link(w: &mut ContractWorld, event: String, name: String, status: String) {
    let body = payload(w, &event).await;
    let id = w.dots.id("link", &name);
    assert_eq!(body["id"], json!(id), "{event}: {body}");
    assert_eq!(body["status"], json!(status), "{event}: {body}");
}

#[then(expr = "the Dots {string} webhook names user {string}")]
async fn names_user(w: &mut ContractWorld, event: String, name: String) {
    let body = payload(w, &event).await;
    let id = w.dots.id("user", &name);
    assert_eq!(body, json!({"user_id": id}), "{event}");
}

/// Every message arrived `n` times, with the same `svix-id` and the same body each time.
#[then(expr = "every Dots webhook arrived {int} times, with the same svix-id and body")]
async fn arrived_times(w: &mut ContractWorld, n: usize) {
    let mut by_id: BTreeMap<String, Vec<Vec<u8>>> = BTreeMap::new();
    for (_, d) in arrived(w).await {
        let id = d.headers.get("svix-id").cloned().unwrap_or_default();
        by_id.entry(id).or_default().push(d.body);
    }
    assert!(!by_id.is_empty(), "no Dots webhook arrived");
    for (id, bodies) in &by_id {
        assert_eq!(bodies.len(), n, "deliveries of {id}");
        assert!(
            bodies.windows(2).all(|b| b[0] == b[1]),
            "bodies of {id} differ"
        );
    }
}
