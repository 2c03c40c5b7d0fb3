//! Dots money: transfers between the app wallet and a user's (`POST /v2/transfers`, a negative
//! amount from the app to the user), payouts (`POST /v2/payouts`, `fund: true` drawing on the
//! app wallet, else on the user's), their statuses (`GET /v2/transfers/{id}`: a payout is a
//! transfer of type `payout`), and the user wallets.

use cucumber::gherkin::Step;
use cucumber::{given, then, when};
use serde_json::{Value, json};

use super::{make, path_of, read};
use crate::params::{Funding, Rail, WithKey};
use crate::world::ContractWorld;

/// The body of a transfer of `cents` between the app and user `user` (`to_user`: app → user).
fn transfer_body(w: &ContractWorld, cents: i64, user: &str, to_user: bool) -> Value {
    let amount = if to_user { -cents } else { cents };
    json!({"amount": amount, "user_id": w.dots.id("user", user)})
}

/// `POST /v2/transfers`, named `name` when it succeeds.
async fn transfer(w: &mut ContractWorld, step: &Step, name: &str, body: Value) {
    let at = ("POST", "/api/v2/transfers");
    make(w, step, at, &body, ("transfer", name), &[200]).await;
}

#[given(expr = "a Dots transfer {string} of {int} cents from the app to {string}{idempotency}")]
#[when(
    expr = "I make a Dots transfer {string} of {int} cents from the app to {string}{idempotency}"
)]
async fn app_to_user(
    w: &mut ContractWorld,
    step: &Step,
    name: String,
    cents: i64,
    user: String,
    key: WithKey,
) {
    let body = key.on(&w.dots, transfer_body(w, cents, &user, true));
    transfer(w, step, &name, body).await;
}

#[given(expr = "a Dots transfer {string} of {int} cents from {string} to the app")]
#[when(expr = "I make a Dots transfer {string} of {int} cents from {string} to the app")]
async fn user_to_app(w: &mut ContractWorld, step: &Step, name: String, cents: i64, user: String) {
    let body = transfer_body(w, cents, &user, false);
    transfer(w, step, &name, body).await;
}

/// The body of a payout of `cents` on `rail` to user `user`, drawn on the app wallet
/// (`fund: true`) or the user's; an ACH payout names the user's ACH method (`Given Dots user
/// "ana" has an ACH payout method`).
fn payout_body(w: &ContractWorld, rail: Rail, cents: i64, user: &str, fund: bool) -> Value {
    let mut body = json!({
        "user_id": w.dots.id("user", user),
        "amount": cents,
        "platform": rail.wire(),
    });
    if fund {
        body["fund"] = json!(true);
    }
    if matches!(rail, Rail::Ach | Rail::BankTransfer) {
        body["account_id"] = json!(w.dots.id("method", &format!("{user}-ach")));
    }
    body
}

/// `POST /v2/payouts`, named `name` when it is accepted.
async fn payout(w: &mut ContractWorld, step: &Step, name: &str, body: Value) {
    let at = ("POST", "/api/v2/payouts");
    make(w, step, at, &body, ("payout", name), &[201]).await;
}

/// `a Dots PayPal payout "p1" of 500 cents to "ana", funded by the app` (or `, from their
/// wallet`), maybe `, with idempotency key "k1"`.
#[given(expr = "a Dots {rail} payout {string} of {int} cents to {string}, {funding}{idempotency}")]
#[when(
    expr = "I create a Dots {rail} payout {string} of {int} cents to {string}, {funding}{idempotency}"
)]
#[allow(clippy::too_many_arguments)] // a step's arguments are its captures
async fn a_payout(
    w: &mut ContractWorld,
    step: &Step,
    rail: Rail,
    name: String,
    cents: i64,
    user: String,
    funding: Funding,
    key: WithKey,
) {
    let body = key.on(&w.dots, payout_body(w, rail, cents, &user, funding.by_app));
    payout(w, step, &name, body).await;
}

/// A payout the scenario named, as `GET /v2/transfers/{id}` answers it.
async fn read_payout(w: &ContractWorld, name: &str) -> Value {
    read(w, &path_of(w, "payout", name)).await
}

#[then(expr = "Dots payout {string} is {string}")]
async fn payout_is(w: &mut ContractWorld, name: String, status: String) {
    let t = read_payout(w, &name).await;
    assert_eq!(t["status"], json!(status), "payout {name:?}: {t}");
}

#[then(expr = "Dots payout {string} is a {word} of {int} cents to {string} on {word}")]
async fn payout_shape(
    w: &mut ContractWorld,
    name: String,
    kind: String,
    cents: i64,
    user: String,
    platform: String,
) {
    let t = read_payout(w, &name).await;
    let user_id = w.dots.id("user", &user);
    assert_eq!(t["type"], json!(kind), "{t}");
    assert_eq!(t["amount"], json!(cents), "{t}");
    assert_eq!(t["user_id"], json!(user_id), "{t}");
    assert_eq!(t["external_data"]["platform"], json!(platform), "{t}");
}

/// The user's wallet, cents.
pub async fn user_wallet(w: &ContractWorld, user: &str) -> i64 {
    let u = read(w, &path_of(w, "user", user)).await;
    let amount = u["wallet"]["amount"].as_i64();
    amount.unwrap_or_else(|| panic!("no wallet amount for {user:?}: {u}"))
}

#[then(expr = "the Dots wallet of {string} holds {int} cents")]
async fn wallet_of(w: &mut ContractWorld, user: String, cents: i64) {
    assert_eq!(user_wallet(w, &user).await, cents, "the wallet of {user:?}");
}

/// The transfers of the user the scenario names `user` (every page), oldest first.
pub async fn transfers_of(w: &ContractWorld, user: &str) -> Vec<Value> {
    let id = w.dots.id("user", user);
    let mut all: Vec<Value> = Vec::new();
    loop {
        let mut path = format!("/api/v2/transfers?user_id={id}&reverse_order=true&limit=100");
        if let Some(last) = all.last().and_then(|t| t["id"].as_str()) {
            path.push_str(&format!("&starting_after={last}"));
        }
        let page = read(w, &path).await;
        let data = page["data"].as_array().cloned().unwrap_or_default();
        all.extend(data);
        if page["has_more"] != json!(true) {
            return all;
        }
    }
}

#[then(expr = "Dots lists {int} payout(s) for {string}")]
async fn payouts_listed(w: &mut ContractWorld, n: usize, user: String) {
    let payouts: Vec<Value> = (transfers_of(w, &user).await.into_iter())
        .filter(|t| t["type"] == json!("payout"))
        .collect();
    assert_eq!(payouts.len(), n, "payouts of {user:?}: {payouts:?}");
}
