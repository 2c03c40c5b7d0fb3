//! Kashpay's OpenAPI document (`openapi.yaml`) against the router: every documented operation
//! is exercised here, each answer checked by `testkit::Sim` (which fails the test on any
//! violation), a business error answered with HTTP 200 included; and a document that drifts
//! from the code (a field's type changed) is caught.

#![allow(clippy::unwrap_used)] // tests: an unexpected error should fail loudly

mod support;

use payoutsim_core::testkit::drifted_document;

use payoutsim_kashpay::KashpaySpec;
use payoutsim_openapi::{Document, ViolationKind};
use serde_json::json;
use support::*;

#[tokio::test]
async fn every_documented_operation_is_exercised_and_answers_as_documented() {
    let (sim, auth) = signed_in(1).await;
    let placed = sim.order(&auth, order_body("ref1", json!(10), CLABE)).await;
    assert_eq!(
        placed.json["orderEntityResponse"]["status"], 25,
        "{}",
        placed.json
    );
    let again = sim.order(&auth, order_body("ref1", json!(10), CLABE)).await;
    assert_eq!(
        again.status, 200,
        "a duplicate is a business error: {}",
        again.json
    );
    assert_eq!(again.json["success"], false, "{}", again.json);
    assert_eq!(sim.status_of(&auth, "ref1").await, 25);
    let unknown = sim
        .search(&auth, json!({"alphanumericReference": "no-such"}))
        .await;
    assert_eq!(unknown.json["success"], false, "{}", unknown.json);
    let balance = sim.balance(&auth).await;
    assert_eq!(balance.status, 200, "{}", balance.json);
    let page = sim.operations(&auth, &[("page", "0"), ("size", "5")]).await;
    assert_eq!(page.status, 200, "{}", page.json);
    let refused = sim.authenticate(ENTITY, USER, "wrong").await;
    assert!(refused.status >= 400, "{}", refused.json);
    let anonymous = sim.balance(&Auth::of("not-a-token")).await;
    assert_eq!(anonymous.status, 401, "{}", anonymous.json);

    assert_eq!(sim.openapi.unexercised(), Vec::<String>::new());
    assert_eq!(sim.openapi.violations(), Vec::<String>::new());
    assert_eq!(sim.openapi.checked(), 9, "every answer checked");
}

/// Kashpay's document with an operation's `amount` said to be a string.
fn drifted() -> Document {
    drifted_document::<KashpaySpec>(
        "/components/schemas/Operation/properties/amount",
        json!({"type": "string"}),
    )
}

#[tokio::test]
async fn a_document_whose_field_type_drifted_from_the_code_is_caught() {
    let (sim, auth) = signed_in(1).await;
    sim.order(&auth, order_body("ref1", json!(10), CLABE)).await;
    let page = sim.operations(&auth, &[]).await;
    let operations = page.json["operations"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(!operations.is_empty(), "{}", page.json);
    let found = page.violations_of(&drifted(), "GET", "/EntitiesServices/getOperations");

    assert!(!found.is_empty(), "the drift is not caught");
    assert!(
        found.iter().all(|v| v.kind == ViolationKind::Schema),
        "{found:?}"
    );
}
