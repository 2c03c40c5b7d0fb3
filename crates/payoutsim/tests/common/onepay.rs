//! What a OnePay cashout needs, made over HTTP as a client makes it: the first bank OnePay lists,
//! a customer, and an account of that customer at that bank.
//!
//! Shared by the fault and scenario tests (through [`Sim`](super::Sim)) and by the benchmark
//! (`benches/serve.rs` includes this file by path), each with its own key.
#![allow(dead_code)] // each includer uses a part
#![allow(clippy::unwrap_used)] // test support: a fixture that cannot be made should fail loudly

use serde_json::{Value, json};

/// The ids of a customer and of an account of theirs: what a cashout is sent to.
pub type Fixture = (String, String);

/// Makes a customer and an account of theirs at OnePay `base` with `key` (each create with an
/// idempotency key of its own) and answers their ids.
pub async fn fixture(http: &reqwest::Client, base: &str, key: &str) -> Fixture {
    let banks = send_json(http.get(format!("{base}/v1/banks")).bearer_auth(key)).await;
    let bank = banks["data"][0]["id"].as_str().unwrap().to_string();
    let customer = json!({"user_type": "natural", "first_name": "Ana", "last_name": "Gómez",
        "email": "ana@example.com", "document_type": "CC", "document_number": "1020304050"});
    let customer = create(
        http,
        &format!("{base}/v1/customers"),
        key,
        "fixture-customer",
        &customer,
    )
    .await;
    let account = json!({"subtype": "SAVINGS", "authorization": true,
        "account_number": "1234567890", "customer_id": customer["id"], "bank_id": bank});
    let account = create(
        http,
        &format!("{base}/v1/accounts"),
        key,
        "fixture-account",
        &account,
    )
    .await;
    (id_of(&customer), id_of(&account))
}

/// A TURBO cashout of `amount` COP to the fixture's account.
pub fn cashout_body(fixture: &Fixture, amount: u64) -> Value {
    json!({"amount": amount, "currency": "COP", "method": "TURBO",
        "customer_id": fixture.0, "account_id": fixture.1})
}

/// `POST url` with `key` and the idempotency key `idempotency`; asserts OnePay created it and
/// answers what it created.
pub async fn create(
    http: &reqwest::Client,
    url: &str,
    key: &str,
    idempotency: &str,
    body: &Value,
) -> Value {
    let resp = http
        .post(url)
        .bearer_auth(key)
        .header("x-idempotency", idempotency)
        .json(body)
        .send()
        .await
        .unwrap();
    assert!(resp.status().is_success(), "{url}: {}", resp.status());
    resp.json().await.unwrap()
}

/// Sends `request` and reads its JSON answer, whatever the status.
pub async fn send_json(request: reqwest::RequestBuilder) -> Value {
    request.send().await.unwrap().json().await.unwrap()
}

/// The `id` of a OnePay object.
pub fn id_of(object: &Value) -> String {
    object["id"].as_str().unwrap().to_string()
}
