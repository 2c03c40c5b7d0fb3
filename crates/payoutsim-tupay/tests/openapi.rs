//! Tupay's OpenAPI document (`openapi.yaml`) against the router: every documented operation is
//! exercised here, each answer checked by `testkit::Sim` (which fails the test on any
//! violation); and a document that drifts from the code (a field's type changed) is caught.

#![allow(clippy::unwrap_used)] // tests: an unexpected error should fail loudly

mod support;

use payoutsim_core::testkit::drifted_document;

use payoutsim_openapi::{Document, ViolationKind};
use payoutsim_tupay::TupaySpec;
use serde_json::json;
use support::*;

#[tokio::test]
async fn every_documented_operation_is_exercised_and_answers_as_documented() {
    let sim = sim(1);
    let token = sim.token().await;
    let (from, to) = (now(&sim) - 30 * DAY, now(&sim));
    for list in [
        "/v1/deposits",
        "/v1/cashout",
        "/v1/cashouts",
        "/v1/balance/report",
    ] {
        let page = sim
            .get(&format!("{list}?from={from}&to={to}"), &token)
            .await;
        assert_eq!(page.status, 200, "{list}: {}", page.json);
        assert!(!page.json["data"].as_array().unwrap().is_empty(), "{list}");
    }
    let balance = sim.get("/v1/balance", &token).await;
    assert_eq!(balance.status, 200, "{}", balance.json);
    // A refusal in the documented envelope: a list without its range.
    let refused = sim.get("/v1/deposits", &token).await;
    assert_eq!(refused.status, 400, "{}", refused.json);
    let cookie = format!("BEARER_TOKEN={token}");
    let destroyed = sim
        .call(
            "DELETE",
            "/v1/auth/session/destroy",
            &[("cookie", &cookie)],
            None,
        )
        .await;
    assert_eq!(destroyed.status, 200);
    sim.get("/v1/balance", &token).await.assert_error(401, 21);

    assert_eq!(sim.openapi.unexercised(), Vec::<String>::new());
    assert_eq!(sim.openapi.violations(), Vec::<String>::new());
    assert_eq!(sim.openapi.checked(), 9, "every answer checked");
}

/// Tupay's document with a deposit's `amount` said to be a string.
fn drifted() -> Document {
    drifted_document::<TupaySpec>(
        "/components/schemas/Deposit/properties/amount",
        json!({"type": "string"}),
    )
}

#[tokio::test]
async fn a_document_whose_field_type_drifted_from_the_code_is_caught() {
    let sim = sim(1);
    let token = sim.token().await;
    let (from, to) = (now(&sim) - 30 * DAY, now(&sim));
    let path = format!("/v1/deposits?from={from}&to={to}");
    let page = sim.get(&path, &token).await;
    let rows = page.json["data"].as_array().unwrap().len();
    assert!(rows > 0, "{}", page.json);
    let found = page.violations_of(&drifted(), "GET", &path);

    assert!(!found.is_empty(), "the drift is not caught");
    assert!(
        found.iter().all(|v| v.kind == ViolationKind::Schema),
        "{found:?}"
    );
    assert!(
        found.iter().any(|v| v.instance_path == "/data/0/amount"),
        "{found:?}"
    );
}
