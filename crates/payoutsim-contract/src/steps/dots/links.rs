//! Dots payout links: `POST /v2/payout-links` (201 when the app wallet covers the amount, else
//! 202 `funds_pending`), `POST /v2/payouts/send-payout` (a link sent by SMS), reading,
//! canceling (`DELETE`) and redelivering them (at most 5 deliveries, the first included).

use cucumber::gherkin::Step;
use cucumber::{given, then, when};
use serde_json::{Value, json};

use super::{keep, make, path_of, read, request};
use crate::params::{Names, WithKey};
use crate::world::ContractWorld;

/// The body of a link of `cents` for user `user`, delivered by `method` (`link`, `sms`,
/// `email`, `all`).
fn link_body(w: &ContractWorld, cents: i64, user: &str, method: &str) -> Value {
    json!({
        "amount": cents,
        "user_id": w.dots.id("user", user),
        "delivery": {"method": method},
    })
}

/// `POST /v2/payout-links`, named `name` when it is accepted (201, or 202 waiting for funds).
async fn create(w: &mut ContractWorld, step: &Step, name: &str, body: Value) {
    let at = ("POST", "/api/v2/payout-links");
    make(w, step, at, &body, ("link", name), &[201, 202]).await;
}

#[given(expr = "a Dots payout link {string} of {int} cents for {string}{idempotency}")]
#[when(expr = "I create a Dots payout link {string} of {int} cents for {string}{idempotency}")]
async fn a_link(
    w: &mut ContractWorld,
    step: &Step,
    name: String,
    cents: i64,
    user: String,
    key: WithKey,
) {
    let body = key.on(&w.dots, link_body(w, cents, &user, "link"));
    create(w, step, &name, body).await;
}

#[given(expr = "a Dots payout link {string} of {int} cents for {string}, delivered by {word}")]
#[when(
    expr = "I create a Dots payout link {string} of {int} cents for {string}, delivered by {word}"
)]
async fn a_delivered_link(
    w: &mut ContractWorld,
    step: &Step,
    name: String,
    cents: i64,
    user: String,
    method: String,
) {
    let body = link_body(w, cents, &user, &method);
    create(w, step, &name, body).await;
}

/// `POST /v2/payouts/send-payout` to the user's phone, named as a link.
#[when(expr = "I send a Dots payout {string} of {int} cents to {string} by SMS")]
async fn send_payout(w: &mut ContractWorld, name: String, cents: i64, user: String) {
    let body = json!({"amount": cents, "user_id": w.dots.id("user", &user)});
    request(w, "POST", "/api/v2/payouts/send-payout", Some(&body)).await;
    keep(w, &[201], "link", &name, "id");
}

fn link_path(w: &ContractWorld, name: &str) -> String {
    path_of(w, "link", name)
}

#[when(expr = "I cancel Dots payout link {string}")]
async fn cancel(w: &mut ContractWorld, name: String) {
    let path = link_path(w, &name);
    request(w, "DELETE", &path, None).await;
}

#[when(expr = "I redeliver Dots payout link {string}")]
async fn redeliver(w: &mut ContractWorld, name: String) {
    let path = format!("{}/redeliver", link_path(w, &name));
    request(w, "POST", &path, None).await;
}

/// Redelivers `n` times; each answer's status is kept (`Then the Dots redeliveries answered …`).
#[when(expr = "I redeliver Dots payout link {string} {int} times")]
async fn redeliver_times(w: &mut ContractWorld, name: String, n: usize) {
    w.dots.statuses.clear();
    for _ in 0..n {
        redeliver(w, name.clone()).await;
        let status = w.last().status;
        w.dots.statuses.push(status);
    }
}

#[then(expr = "the Dots redeliveries answered {names}")]
fn redeliveries_answered(w: &mut ContractWorld, statuses: Names) {
    let got: Vec<String> = w.dots.statuses.iter().map(u16::to_string).collect();
    assert_eq!(got, statuses.0, "redeliveries, the last {:?}", w.last());
}

#[then(expr = "Dots payout link {string} is {string}")]
async fn link_is(w: &mut ContractWorld, name: String, status: String) {
    let link = read(w, &link_path(w, &name)).await;
    assert_eq!(
        link["status"],
        json!(status),
        "payout link {name:?}: {link}"
    );
}

#[then(expr = "Dots payout link {string} was claimed by {string}")]
async fn claimed_by(w: &mut ContractWorld, name: String, user: String) {
    let link = read(w, &link_path(w, &name)).await;
    let user_id = w.dots.id("user", &user);
    assert_eq!(link["status"], json!("claimed"), "{link}");
    assert_eq!(link["claimed_user_id"], json!(user_id), "{link}");
}
