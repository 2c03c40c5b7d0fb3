//! The company balance (`GET /v1/balances`): `available` is debited when a cashout is created
//! and credited back if it fails; `in_transit` holds what is on its way. Exact figures need a
//! fresh tenant (`@sim`); `I note the available balance` and `has gone down by` work anywhere.

use cucumber::{given, then, when};
use serde_json::{Value, json};

use super::{call, request};
use crate::params::Amount;
use crate::world::ContractWorld;

async fn balance(w: &ContractWorld) -> Value {
    let resp = call(w, "GET", "/v1/balances", None, &[]).await;
    assert_eq!(resp.status, 200, "GET /v1/balances: {resp:?}");
    resp.json()["data"].clone()
}

async fn figure(w: &ContractWorld, name: &str) -> i64 {
    let data = balance(w).await;
    data[name]
        .as_i64()
        .unwrap_or_else(|| panic!("balance `{name}` is not an integer: {data}"))
}

#[given(expr = "I note the available balance")]
async fn note(w: &mut ContractWorld) {
    w.onepay.noted_balance = Some(figure(w, "available").await);
}

#[then(expr = "the available balance is {amount}")]
async fn available_is(w: &mut ContractWorld, amount: Amount) {
    assert_eq!(figure(w, "available").await, amount.0, "available balance");
}

#[then(expr = "the amount in transit is {amount}")]
async fn in_transit_is(w: &mut ContractWorld, amount: Amount) {
    assert_eq!(figure(w, "in_transit").await, amount.0, "in_transit");
}

#[then(expr = "the available balance has gone down by {amount}")]
async fn gone_down_by(w: &mut ContractWorld, amount: Amount) {
    let noted = w
        .onepay
        .noted_balance
        .unwrap_or_else(|| panic!("note the available balance first"));
    assert_eq!(
        noted - figure(w, "available").await,
        amount.0,
        "available went from {noted}"
    );
}

#[then("the available balance is as noted")]
async fn as_noted(w: &mut ContractWorld) {
    let noted = w
        .onepay
        .noted_balance
        .unwrap_or_else(|| panic!("note the available balance first"));
    assert_eq!(figure(w, "available").await, noted, "available balance");
}

#[when(
    expr = "I request a balance cashout of {amount} COP to {string} with idempotency key {string}"
)]
async fn balance_cashout(w: &mut ContractWorld, amount: Amount, account: String, key: String) {
    let body = json!({ "amount": amount.0, "account_id": w.onepay.account(&account).id });
    let key = w.idempotency_key(&key);
    request(
        w,
        "POST",
        "/v1/balances/cashout",
        Some(&body),
        &[("x-idempotency", &key)],
    )
    .await;
}

#[when(expr = "I withdraw the whole balance to {string}")]
async fn withdraw_all(w: &mut ContractWorld, account: String) {
    let body = json!({ "account_id": w.onepay.account(&account).id });
    request(w, "POST", "/v1/balances", Some(&body), &[]).await;
}

#[when(expr = "I withdraw {amount} COP of the balance to {string}")]
async fn withdraw(w: &mut ContractWorld, amount: Amount, account: String) {
    let body = json!({ "amount": amount.0, "account_id": w.onepay.account(&account).id });
    request(w, "POST", "/v1/balances", Some(&body), &[]).await;
}
