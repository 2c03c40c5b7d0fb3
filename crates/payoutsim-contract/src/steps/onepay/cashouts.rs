//! OnePay's cashouts: payouts from the company balance to a customer's account.
//! `When I create a TURBO cashout "c1" of 50000 COP to "ana-savings"` sends a valid
//! `POST /v1/cashouts` (customer taken from the account's owner, a fresh `x-idempotency` unless
//! one is named); `Then cashout "c1" is "processed"` reads it back.

use cucumber::gherkin::Step;
use cucumber::{given, then, when};
use serde_json::{Value, json};

use super::customers::listed_ids;
use super::{build, read, request, resolve};
use crate::params::{Amount, Method};
use crate::steps::arranged;
use crate::world::{ContractWorld, unique};

/// The fields a valid cashout of `amount` to `account` needs (its owner is the customer).
fn body(w: &ContractWorld, method: Method, amount: Amount, account: &str) -> Value {
    let acct = w.onepay.account(account);
    json!({
        "amount": amount.0,
        "account_id": acct.id,
        "customer_id": w.onepay.customer_id(&acct.customer),
        "method": method.wire(),
        "currency": "COP",
    })
}

/// Sends a valid cashout; keeps its id under `name` when OnePay accepts it.
async fn create(
    w: &mut ContractWorld,
    name: &str,
    method: Method,
    amount: Amount,
    account: &str,
    key: &str,
) {
    let external_id = format!("{name}-{}", unique(10));
    let mut body = body(w, method, amount, account);
    body["description"] = json!(format!("contract cashout {name}"));
    body["external_id"] = json!(external_id);
    let resp = request(
        w,
        "POST",
        "/v1/cashouts",
        Some(&body),
        &[("x-idempotency", key)],
    )
    .await;
    if resp.status == 201 {
        let id = resp.json()["id"].clone();
        assert!(!id.is_null(), "a created cashout has an id: {resp:?}");
        w.onepay.cashouts.insert(name.to_string(), id);
        w.onepay.cashout_order.push(name.to_string());
        w.onepay.external_ids.insert(name.to_string(), external_id);
    }
}

#[given(expr = "a(n) {method} cashout {string} of {amount} COP to {string}")]
#[when(expr = "I create a(n) {method} cashout {string} of {amount} COP to {string}")]
async fn a_cashout(
    w: &mut ContractWorld,
    step: &Step,
    method: Method,
    name: String,
    amount: Amount,
    to: String,
) {
    create(w, &name, method, amount, &to, &unique(16)).await;
    arranged(w, step, 201, &format!("creating cashout {name:?}"));
}

/// The cashout is named after its idempotency key.
#[when(
    expr = "I create a(n) {method} cashout of {amount} COP to {string} with idempotency key {string}"
)]
async fn create_with_key(
    w: &mut ContractWorld,
    method: Method,
    amount: Amount,
    to: String,
    key: String,
) {
    let sent = w.idempotency_key(&key);
    create(w, &key, method, amount, &to, &sent).await;
}

#[given(expr = "{int} {method} cashouts of {amount} COP to {string}")]
#[when(expr = "I create {int} {method} cashouts of {amount} COP to {string}")]
async fn create_many(w: &mut ContractWorld, n: usize, method: Method, amount: Amount, to: String) {
    for _ in 0..n {
        let name = format!("#{}", w.onepay.cashout_order.len() + 1);
        create(w, &name, method, amount, &to, &unique(16)).await;
        let last = w.last();
        assert_eq!(last.status, 201, "creating cashout {name:?}: {last:?}");
    }
}

/// Like `I create a … cashout … with idempotency key …`, but a transport error is the outcome
/// (faults), and the cashout is not named.
#[when(
    expr = "I try to create a(n) {method} cashout of {amount} COP to {string} with idempotency key {string}"
)]
async fn try_create(
    w: &mut ContractWorld,
    method: Method,
    amount: Amount,
    to: String,
    key: String,
) {
    let body = body(w, method, amount, &to).to_string().into_bytes();
    let key = w.idempotency_key(&key);
    let request = build(
        w,
        "POST",
        "/v1/cashouts",
        Some(body),
        &[("x-idempotency", &key)],
    );
    w.try_exchange(request).await;
}

#[when("I list cashouts")]
async fn list(w: &mut ContractWorld) {
    request(w, "GET", "/v1/cashouts", None, &[]).await;
}

#[when(expr = "I list cashouts with {string}")]
async fn list_with(w: &mut ContractWorld, query: String) {
    let query = resolve(w, &query);
    request(w, "GET", &format!("/v1/cashouts?{query}"), None, &[]).await;
}

#[then(expr = "cashout {string} is {string}")]
async fn status_is(w: &mut ContractWorld, name: String, status: String) {
    let cashout = read(w, "cashout", &name).await;
    assert_eq!(
        cashout["status"],
        json!(status),
        "cashout {name:?}: {cashout}"
    );
}

#[then(expr = "cashout {string} failed with remarks {string}")]
async fn failed_with(w: &mut ContractWorld, name: String, code: String) {
    let cashout = read(w, "cashout", &name).await;
    assert_eq!(
        cashout["status"],
        json!("failed"),
        "cashout {name:?}: {cashout}"
    );
    assert_eq!(
        cashout["remarks"]["code"],
        json!(code),
        "remarks of {name:?}: {cashout}"
    );
    let described = cashout["remarks"]["description"]
        .as_str()
        .is_some_and(|d| !d.is_empty());
    assert!(described, "remarks need a description: {cashout}");
}

#[then(expr = "cashout {string} has no remarks")]
async fn no_remarks(w: &mut ContractWorld, name: String) {
    let cashout = read(w, "cashout", &name).await;
    assert_eq!(
        cashout["remarks"],
        Value::Null,
        "cashout {name:?}: {cashout}"
    );
}

#[then(expr = "the listed cashouts are {names}")]
fn listed_are(w: &mut ContractWorld, names: crate::params::Names) {
    let expected: Vec<Value> = names.0.iter().map(|n| w.onepay.cashout_id(n)).collect();
    let listed = listed_ids(&w.last_json());
    assert_eq!(listed, expected, "listed cashouts (expected {:?})", names.0);
}

#[then(expr = "the page holds {int} cashout(s)")]
fn page_holds(w: &mut ContractWorld, n: usize) {
    let listed = listed_ids(&w.last_json());
    assert_eq!(listed.len(), n, "cashouts on the page: {:?}", w.last());
}

#[then(expr = "every listed cashout has {word} {string}")]
fn every_listed_has(w: &mut ContractWorld, key: String, value: String) {
    let body = w.last_json();
    let items = body["data"].as_array().cloned().unwrap_or_default();
    assert!(!items.is_empty(), "no cashout listed: {:?}", w.last());
    for item in items {
        assert_eq!(item[&key], json!(value), "listed cashout {}", item["id"]);
    }
}

#[then(expr = "the listed cashouts include {string}")]
fn listed_include(w: &mut ContractWorld, name: String) {
    let id = w.onepay.cashout_id(&name);
    let listed = listed_ids(&w.last_json());
    assert!(
        listed.contains(&id),
        "cashout {name:?} ({id}) not in {listed:?}"
    );
}
