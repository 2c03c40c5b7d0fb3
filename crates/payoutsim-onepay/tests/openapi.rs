//! OnePay's OpenAPI document (`openapi.yaml`) against the router: every documented operation is
//! exercised here, each answer checked by `testkit::Sim` (which fails the test on any violation);
//! and a document that drifts from the code (a field's type changed) is caught.

#![allow(clippy::unwrap_used)] // tests: an unexpected error should fail loudly

mod support;

use payoutsim_core::testkit::drifted_document;

use payoutsim_core::testkit::Receiver;
use payoutsim_onepay::OnePaySpec;
use payoutsim_openapi::{Document, ViolationKind};
use serde_json::{Value, json};
use support::*;

#[tokio::test]
async fn every_documented_operation_is_exercised_and_answers_as_documented() {
    let sim = sim(1);
    let hook = Receiver::start().await;
    sim.get(TEST_KEY, "/v1/banks").await;
    sim.get(TEST_KEY, "/v1/accounts/banks").await;
    let customer = sim.customer(TEST_KEY).await;
    sim.get(TEST_KEY, "/v1/customers").await;
    sim.get(TEST_KEY, &format!("/v1/customers/{customer}"))
        .await;
    let account = sim.account(TEST_KEY, &customer, "0012345678").await;
    sim.get(TEST_KEY, &format!("/v1/customers/{customer}/accounts"))
        .await;
    sim.get(TEST_KEY, &format!("/v1/accounts/{account}")).await;
    sim.post(
        TEST_KEY,
        &format!("/v1/accounts/{account}/validate"),
        json!({}),
    )
    .await;
    let body = cashout_body(&customer, &account, json!(1000), "ACH");
    let cashout = sim.cashout(TEST_KEY, "k-1", body).await;
    assert_eq!(cashout.status, 201, "{}", cashout.json);
    let id = cashout.json["id"].as_str().unwrap_or_default().to_owned();
    sim.get(TEST_KEY, "/v1/cashouts").await;
    sim.get(TEST_KEY, &format!("/v1/cashouts/{id}")).await;
    sim.get(TEST_KEY, "/v1/balances").await;
    let payout = json!({"amount": 1000, "account_id": account});
    sim.post_idem(TEST_KEY, "/v1/balances/cashout", "k-2", payout.clone())
        .await;
    sim.post(TEST_KEY, "/v1/balances", payout).await;
    let webhook = json!({"name": "n", "url": hook.url, "events": ["cashout.created"]});
    let made = sim.post(TEST_KEY, "/v1/webhooks", webhook).await;
    let webhook_id = made.json["data"]["id"].as_str().unwrap_or_default();
    sim.get(TEST_KEY, "/v1/webhooks").await;
    sim.get(TEST_KEY, &format!("/v1/webhooks/{webhook_id}"))
        .await;
    let patch = serde_json::to_vec(&json!({"name": "renamed"})).unwrap_or_default();
    let bearer = format!("Bearer {TEST_KEY}");
    let auth = [("authorization", bearer.as_str())];
    let path = format!("/v1/webhooks/{webhook_id}");
    sim.call("PATCH", &path, &auth, Some(&patch)).await;
    sim.call("DELETE", &path, &auth, None).await;

    assert_eq!(sim.openapi.unexercised(), Vec::<String>::new());
    let operations = drifted().operations().count();
    assert_eq!(
        sim.openapi.checked(),
        operations,
        "one answer per operation"
    );
}

/// OnePay's document with the customer's `email` said to be an integer.
fn drifted() -> Document {
    drifted_document::<OnePaySpec>(
        "/components/schemas/Customer/properties/email",
        json!({"type": "integer"}),
    )
}

#[tokio::test]
async fn a_document_whose_field_type_drifted_from_the_code_is_caught() {
    let sim = sim(1);
    let body = customer_body();
    let created = sim.post(TEST_KEY, "/v1/customers", body).await;

    let found = created.violations_of(&drifted(), "POST", "/v1/customers");

    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].kind, ViolationKind::Schema);
    assert_eq!(found[0].instance_path, "/email");
    assert_eq!(created.json["email"].as_str().map(|_| ()), Some(()));
    assert!(matches!(created.json, Value::Object(_)));
}
