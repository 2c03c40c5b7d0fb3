//! OnSpot's OpenAPI document (`openapi.yaml`) against the router: every documented operation is
//! exercised here (each path bare and under `/v1`), each answer checked by `testkit::Sim` (which
//! fails the test on any violation); and a document that drifts from the code (a field's type
//! changed) is caught.

#![allow(clippy::unwrap_used)] // tests: an unexpected error should fail loudly

mod support;

use payoutsim_core::testkit::drifted_document;

use payoutsim_onspot::OnSpotSpec;
use payoutsim_openapi::{Document, ViolationKind};
use serde_json::json;
use support::*;

#[tokio::test]
async fn every_documented_operation_is_exercised_and_answers_as_documented() {
    let sim = sim(1);
    let keys = [
        ("publicKey", PK),
        ("secretKey", SK),
        ("environment", "test"),
    ];
    for prefix in ["", "/v1"] {
        for token_path in ["/platform/generate-token-api", "/auth/generate-token"] {
            let issued = sim
                .call("POST", &format!("{prefix}{token_path}"), &keys, None)
                .await;
            assert_eq!(issued.status, 201, "{prefix}{token_path}: {}", issued.json);
        }
        let token = sim.token_ok("test", PK).await;
        let auth = format!("Bearer {token}");
        let headers = [("authorization", auth.as_str()), ("environment", "test")];
        let body = serde_json::to_vec(&seed_body()).unwrap();
        let path = format!("{prefix}{CREATE_PATH}");
        let created = sim.call("POST", &path, &headers, Some(&body)).await;
        let entries = created.entries();
        assert_eq!(entries.len(), 2, "{}", created.json);
        assert_eq!(entries[1]["action"], "error", "{}", created.json);
    }
    // Error answers in the documented envelope: an unknown environment (400), no token (401).
    sim.token("production", PK, SK)
        .await
        .assert_nest(400, "Bad Request");
    let body = serde_json::to_vec(&seed_body()).unwrap();
    sim.call("POST", CREATE_PATH, &[("environment", "test")], Some(&body))
        .await
        .assert_nest(401, "Unauthorized");

    assert_eq!(sim.openapi.unexercised(), Vec::<String>::new());
    assert_eq!(sim.openapi.violations(), Vec::<String>::new());
    assert_eq!(sim.openapi.checked(), 2 * 4 + 2, "every answer checked");
}

/// OnSpot's document with an item result's `message` said to be an integer.
fn drifted() -> Document {
    drifted_document::<OnSpotSpec>(
        "/components/schemas/ItemResult/properties/message",
        json!({"type": "integer"}),
    )
}

#[tokio::test]
async fn a_document_whose_field_type_drifted_from_the_code_is_caught() {
    let sim = sim(1);
    let token = sim.token_ok("test", PK).await;
    let created = sim
        .create(&token, "test", &json!([individual("100")]))
        .await;
    assert!(created.entries()[0]["message"].is_string());

    let found = created.violations_of(&drifted(), "POST", CREATE_PATH);

    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].kind, ViolationKind::Schema);
    assert_eq!(found[0].instance_path, "/0/0/message");
}
