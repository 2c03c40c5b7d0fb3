//! Dots payout batches: `POST /v2/payout-batches` with 1 to 5000 items (each a payout with its
//! own `idempotency_key` and `fund: true`), built by a step rather than spelled out; the batch
//! (`created` → `processing` → `paying_out` → `completed`, with its counters) and its per-item
//! results (`GET /v2/payout-batches/{id}/results`).

use cucumber::gherkin::Step;
use cucumber::{given, then, when};
use serde_json::{Value, json};

use super::{make, path_of, random_uuid, read, request};
use crate::params::{Rail, Unknowns};
use crate::world::ContractWorld;

/// `n` items paying `cents` on `rail` to user `user`, the last `unknown` of them to users the
/// app does not have; each with a fresh key.
fn items(
    w: &ContractWorld,
    n: usize,
    rail: Rail,
    cents: i64,
    user: &str,
    unknown: usize,
) -> Vec<Value> {
    assert!(unknown <= n, "{unknown} of {n} items");
    let user_id = w.dots.id("user", user);
    (0..n)
        .map(|i| {
            let to = if i >= n - unknown {
                random_uuid()
            } else {
                user_id.clone()
            };
            json!({
                "user_id": to,
                "amount": cents,
                "platform": rail.wire(),
                "fund": true,
                "idempotency_key": random_uuid(),
            })
        })
        .collect()
}

async fn create(w: &mut ContractWorld, step: &Step, name: &str, items: Vec<Value>) {
    let body = json!({"items": items, "idempotency_key": w.dots.idempotency_key(name)});
    make(
        w,
        step,
        ("POST", "/api/v2/payout-batches"),
        &body,
        ("batch", name),
        &[200],
    )
    .await;
    w.dots.batch_items.insert(name.to_string(), items);
}

#[given(
    expr = "a Dots payout batch {string} of {int} {rail} payouts of {int} cent(s) each to {string}{unknowns}"
)]
#[when(
    expr = "I create a Dots payout batch {string} of {int} {rail} payouts of {int} cent(s) each to {string}{unknowns}"
)]
#[allow(clippy::too_many_arguments)] // a step's arguments are its captures
async fn a_batch(
    w: &mut ContractWorld,
    step: &Step,
    name: String,
    n: usize,
    rail: Rail,
    cents: i64,
    user: String,
    unknown: Unknowns,
) {
    let items = items(w, n, rail, cents, &user, unknown.0);
    create(w, step, &name, items).await;
}

/// The same batch request again, under the batch's own key.
#[when(expr = "I create Dots payout batch {string} again")]
async fn again(w: &mut ContractWorld, name: String) {
    let items = w.dots.batch_items.get(&name).cloned();
    let items = items.unwrap_or_else(|| panic!("no Dots batch named {name:?} was sent"));
    let body = json!({"items": items, "idempotency_key": w.dots.idempotency_key(&name)});
    request(w, "POST", "/api/v2/payout-batches", Some(&body)).await;
}

fn batch_path(w: &ContractWorld, name: &str) -> String {
    path_of(w, "batch", name)
}

#[then(
    expr = "Dots payout batch {string} is {string}, with {int} items processed, {int} succeeded and {int} failed"
)]
async fn batch_is(
    w: &mut ContractWorld,
    name: String,
    status: String,
    processed: u64,
    succeeded: u64,
    failed: u64,
) {
    let b = read(w, &batch_path(w, &name)).await;
    let got = (
        b["status"].clone(),
        b["items_processed"].clone(),
        b["items_succeeded"].clone(),
        b["items_failed"].clone(),
    );
    let expected = (
        json!(status),
        json!(processed),
        json!(succeeded),
        json!(failed),
    );
    assert_eq!(got, expected, "payout batch {name:?}: {b}");
}

/// The batch's results; asserts one per item sent, in the order sent.
async fn results(w: &ContractWorld, name: &str, include_request: bool) -> Vec<Value> {
    let path = format!(
        "{}/results?include_request={include_request}",
        batch_path(w, name)
    );
    let body = read(w, &path).await;
    let items = body["items"].as_array().cloned().unwrap_or_default();
    let sent = &w.dots.batch_items[name];
    let keys = |list: &[Value]| -> Vec<Value> {
        list.iter().map(|i| i["idempotency_key"].clone()).collect()
    };
    assert_eq!(
        keys(&items),
        keys(sent),
        "one result per item, in the order sent"
    );
    items
}

#[then(
    expr = "the results of Dots payout batch {string} hold {int} payouts {string} to {string} and {int} failures {string} naming the user"
)]
async fn results_hold(
    w: &mut ContractWorld,
    name: String,
    paid: usize,
    status: String,
    user: String,
    failed: usize,
    code: String,
) {
    let items = results(w, &name, false).await;
    let user_id = json!(w.dots.id("user", &user));
    let (ok, bad): (Vec<&Value>, Vec<&Value>) =
        items.iter().partition(|i| i["transfer"].is_object());
    assert_eq!((ok.len(), bad.len()), (paid, failed), "results of {name:?}");
    for item in ok {
        assert_eq!(item["user_id"], user_id, "{item}");
        assert_eq!(item["transfer"]["status"], json!(status), "{item}");
        assert!(item.get("error_code").is_none_or(Value::is_null), "{item}");
        assert!(
            item.get("request").is_none_or(Value::is_null),
            "no request asked for: {item}"
        );
    }
    for item in bad {
        let message = format!(
            "User not found: {}",
            item["user_id"].as_str().unwrap_or_default()
        );
        assert_eq!(item["error_code"], json!(code), "{item}");
        assert_eq!(item["error_message"], json!(message), "{item}");
    }
}

#[then(
    expr = "the results of Dots payout batch {string} with include_request repeat each item as sent"
)]
async fn results_with_request(w: &mut ContractWorld, name: String) {
    let items = results(w, &name, true).await;
    let sent = w.dots.batch_items[&name].clone();
    for (item, sent) in items.iter().zip(&sent) {
        assert_eq!(&item["request"], sent, "{item}");
    }
}

/// A sample of the batch's payouts read one by one: each a payout of the item's amount, in the
/// status the results give it.
#[then(expr = "every {int}th payout of Dots payout batch {string} reads as its result says")]
async fn payouts_read(w: &mut ContractWorld, every: usize, name: String) {
    let items = results(w, &name, false).await;
    let sent = w.dots.batch_items[&name].clone();
    for (item, sent) in items.iter().zip(&sent).step_by(every.max(1)) {
        let Some(id) = item["transfer"]["id"].as_str() else {
            continue;
        };
        let t = read(w, &format!("/api/v2/transfers/{id}")).await;
        assert_eq!(t["type"], json!("payout"), "{t}");
        assert_eq!(t["amount"], sent["amount"], "{t}");
        assert_eq!(t["status"], item["transfer"]["status"], "{t}");
    }
}
