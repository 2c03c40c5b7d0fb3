//! Router tests: auth, customers, accounts, banks, bad input and the error envelope.

#![allow(clippy::unwrap_used)] // helpers outside #[test] fns: a failed unwrap is a failed test

mod support;

use http::StatusCode;
use payoutsim_core::testkit::read;
use serde_json::json;
use support::*;

// ---- auth -------------------------------------------------------------------------------------

#[tokio::test]
async fn a_test_key_is_accepted_and_makes_test_objects() {
    let sim = sim(1);

    let r = sim.post(TEST_KEY, "/v1/customers", customer_body()).await;

    assert_eq!(r.status, 201);
    assert_eq!(r.json["is_test"], true);
}

#[tokio::test]
async fn a_live_key_is_accepted_and_makes_live_objects() {
    let sim = sim(1);

    let r = sim.post(LIVE_KEY, "/v1/customers", customer_body()).await;

    assert_eq!(r.status, 201);
    assert_eq!(r.json["is_test"], false);
}

#[tokio::test]
async fn missing_or_malformed_keys_are_refused_in_the_envelope() {
    let sim = sim(1);
    let cases: [&[(&str, &str)]; 5] = [
        &[],
        &[("authorization", "sk_test_abc")],
        &[("authorization", "Basic sk_test_abc")],
        &[("authorization", "Bearer pk_test_abc")],
        &[("authorization", "Bearer sk_test_a-b")],
    ];
    for headers in cases {
        let r = sim
            .call_as("GET", "/v1/customers", None, headers, None)
            .await;

        r.assert_envelope(401, "401", "unauthenticated");
        assert_eq!(r.json["message"], "Unauthenticated.");
        assert_eq!(r.json["errors"], json!([]));
    }
}

#[tokio::test]
async fn test_and_live_keys_are_separate_tenants_with_different_balances() {
    let sim = sim(1);
    let id = sim.customer(TEST_KEY).await;

    let live = sim.get(LIVE_KEY, &format!("/v1/customers/{id}")).await;
    let test_balance = sim.get(TEST_KEY, "/v1/balances").await;
    let live_balance = sim.get(LIVE_KEY, "/v1/balances").await;

    live.assert_envelope(404, "404", "not_found");
    assert_eq!(test_balance.json["data"]["available"], START);
    assert_eq!(test_balance.json["data"]["is_test"], true);
    assert_eq!(live_balance.json["data"]["available"], 0);
    assert_eq!(live_balance.json["data"]["is_test"], false);
}

#[tokio::test]
async fn the_journal_records_the_tenant_named_by_the_key() {
    let sim = sim(1);

    sim.get(TEST_KEY, "/v1/banks").await;

    let (entries, _) = sim.engine.journal().query(&Default::default());
    assert_eq!(entries[0].tenant.as_deref(), Some("onepay:sk_test_alpha"));
}

// ---- banks ------------------------------------------------------------------------------------

#[tokio::test]
async fn banks_are_a_laravel_page_on_both_paths() {
    let sim = sim(1);

    let a = sim.get(TEST_KEY, "/v1/banks").await;
    let b = sim
        .get(TEST_KEY, "/v1/accounts/banks?page=1&per_page=200")
        .await;

    assert_eq!(a.status, 200);
    assert_eq!(a.json["total"], 8);
    assert_eq!(a.json["data"][0]["name"], "Bancolombia");
    assert!(
        a.json["data"][0]["logo"]
            .as_str()
            .unwrap()
            .starts_with("https://")
    );
    assert_eq!(b.json["per_page"], 200);
    assert_eq!(b.json["data"].as_array().unwrap().len(), 8);
}

// ---- customers --------------------------------------------------------------------------------

#[tokio::test]
async fn a_customer_is_created_and_read_back() {
    let sim = sim(1);

    let created = sim.post(TEST_KEY, "/v1/customers", customer_body()).await;
    let id = created.json["id"].as_str().unwrap();
    let shown = sim.get(TEST_KEY, &format!("/v1/customers/{id}")).await;
    let listed = sim.get(TEST_KEY, "/v1/customers").await;

    assert_eq!(created.status, 201);
    assert_eq!(created.json["document_type"], "CC");
    assert_eq!(created.json["birthdate"], "1990-04-01");
    assert_eq!(created.json["created_at"], "2026-01-05T14:00:00.000000Z");
    assert_eq!(shown.json, created.json);
    assert_eq!(listed.json["total"], 1);
    assert_eq!(listed.json["data"][0], created.json);
}

#[tokio::test]
async fn customer_validation_lists_every_failing_field() {
    let sim = sim(1);
    let body = json!({"user_type": "robot", "email": "nope", "document_number": "12"});

    let r = sim.post(TEST_KEY, "/v1/customers", body).await;

    r.assert_envelope(422, "422", "validation_error");
    assert_eq!(
        r.error_keys(),
        ["user_type", "email", "document_type", "document_number"]
    );
    assert_eq!(r.json["message"], r.json["errors"][0]["description"]);
}

#[tokio::test]
async fn natural_customers_need_names_and_companies_do_not() {
    let sim = sim(1);
    let mut natural = customer_body();
    natural.as_object_mut().unwrap().remove("first_name");
    let mut company = natural.clone();
    company["user_type"] = json!("company");
    company["document_type"] = json!("NIT");

    let a = sim.post(TEST_KEY, "/v1/customers", natural).await;
    let b = sim.post(TEST_KEY, "/v1/customers", company).await;

    assert_eq!(a.error_keys(), ["first_name"]);
    assert_eq!(b.status, 201);
}

// ---- accounts ---------------------------------------------------------------------------------

#[tokio::test]
async fn an_account_is_created_pending_with_its_bank_and_customer() {
    let sim = sim(1);
    let customer = sim.customer(TEST_KEY).await;

    let r = sim.new_account(TEST_KEY, &customer, "0012345678").await;

    assert_eq!(r.status, 201);
    assert_eq!(r.json["status"], "PENDING");
    assert_eq!(r.json["title"], "Bancolombia ****5678");
    assert_eq!(r.json["re_enroll"], false);
    assert_eq!(r.json["external_id"], json!(null));
    assert_eq!(r.json["bank"]["base64_logo"], json!(null));
    assert_eq!(r.json["customer"]["id"], customer.as_str());
    let accounts = sim
        .get(
            TEST_KEY,
            &format!("/v1/customers/{customer}/accounts?page=1"),
        )
        .await;
    assert_eq!(accounts.json["data"][0]["id"], r.json["id"]);
}

#[tokio::test]
async fn an_account_keeps_its_external_id_in_the_answer_and_every_later_read() {
    let sim = sim(1);
    let customer = sim.customer(TEST_KEY).await;
    let mut body = account_body(&customer, "0012345678");
    body["external_id"] = json!("crm-acct-42");

    let created = sim.post(TEST_KEY, "/v1/accounts", body).await;
    let id = created.json["id"].as_str().unwrap();
    let shown = sim.get(TEST_KEY, &format!("/v1/accounts/{id}")).await;
    let listed = sim
        .get(TEST_KEY, &format!("/v1/customers/{customer}/accounts"))
        .await;

    assert_eq!(created.status, 201, "{}", created.json);
    assert_eq!(created.json["external_id"], "crm-acct-42");
    assert_eq!(shown.json["external_id"], "crm-acct-42");
    assert_eq!(listed.json["data"][0]["external_id"], "crm-acct-42");
    assert_eq!(shown.json, created.json);
}

#[tokio::test]
async fn an_account_external_id_must_be_a_short_string() {
    let sim = sim(1);
    let customer = sim.customer(TEST_KEY).await;
    let mut not_text = account_body(&customer, "0012345678");
    not_text["external_id"] = json!(["x"]);
    let mut too_long = account_body(&customer, "0012345678");
    too_long["external_id"] = json!("x".repeat(256));

    let a = sim.post(TEST_KEY, "/v1/accounts", not_text).await;
    let b = sim.post(TEST_KEY, "/v1/accounts", too_long).await;

    a.assert_envelope(422, "422", "validation_error");
    assert_eq!(a.error_keys(), ["external_id"]);
    assert_eq!(a.json["message"], "The external id field must be a string.");
    assert_eq!(b.error_keys(), ["external_id"]);
}

#[tokio::test]
async fn an_account_becomes_active_after_three_hundred_seconds() {
    let sim = sim(1);
    let (_, account) = sim.payee(TEST_KEY, "0012345678").await;
    let path = format!("/v1/accounts/{account}");

    sim.engine.advance(299.0, None).await;
    let before = sim.get(TEST_KEY, &path).await;
    sim.engine.advance(1.0, None).await;
    let after = sim.get(TEST_KEY, &path).await;

    assert_eq!(before.json["status"], "PENDING");
    assert_eq!(after.json["status"], "ACTIVE");
}

#[tokio::test]
async fn validating_an_account_activates_it_at_once() {
    let sim = sim(1);
    let (_, account) = sim.payee(TEST_KEY, "0012345678").await;

    let r = sim
        .post(
            TEST_KEY,
            &format!("/v1/accounts/{account}/validate"),
            json!({"otp": "123456"}),
        )
        .await;
    sim.engine.advance(600.0, None).await;
    let later = sim.get(TEST_KEY, &format!("/v1/accounts/{account}")).await;

    assert_eq!(r.status, 200);
    assert_eq!(r.json["status"], "ACTIVE");
    assert_eq!(later.json["status"], "ACTIVE");
}

#[tokio::test]
async fn account_validation_checks_formats_and_references() {
    let sim = sim(1);
    let body = json!({
        "subtype": "BITCOIN",
        "authorization": false,
        "re-enrollment": "yes",
        "account_number": "12ab",
        "customer_id": "00000000-0000-4000-8000-000000000000",
        "bank_id": "nope"
    });

    let r = sim.post(TEST_KEY, "/v1/accounts", body).await;

    r.assert_envelope(422, "422", "validation_error");
    assert_eq!(
        r.error_keys(),
        [
            "subtype",
            "authorization",
            "re-enrollment",
            "account_number",
            "bank_id",
            "customer_id"
        ]
    );
    let customer_error = &r.json["errors"][5]["description"];
    assert_eq!(customer_error, "The selected customer id is invalid.");
}

#[tokio::test]
async fn an_account_cannot_name_another_tenants_customer() {
    let sim = sim(1);
    let customer = sim.customer(OTHER_KEY).await;

    let r = sim.new_account(TEST_KEY, &customer, "0012345678").await;

    assert_eq!(r.status, 422);
    assert_eq!(r.error_keys(), ["customer_id"]);
}

// ---- bad input --------------------------------------------------------------------------------

#[tokio::test]
async fn malformed_json_is_a_400_envelope() {
    let sim = sim(1);

    let r = sim
        .post_raw(TEST_KEY, "/v1/customers", b"{\"user_type\": ")
        .await;

    r.assert_envelope(400, "400", "invalid_json");
}

#[tokio::test]
async fn a_body_that_is_not_an_object_is_a_400_envelope() {
    let sim = sim(1);
    for body in ["[1,2]", "\"text\"", "42", "null"] {
        let r = sim
            .post_raw(TEST_KEY, "/v1/customers", body.as_bytes())
            .await;

        r.assert_envelope(400, "400", "invalid_json");
    }
}

#[tokio::test]
async fn wrong_types_are_listed_as_validation_errors() {
    let sim = sim(1);
    let body = json!({
        "user_type": 1, "first_name": [], "last_name": {}, "email": true,
        "document_type": "CC", "document_number": "1020304050", "enable_notifications": "yes"
    });

    let r = sim.post(TEST_KEY, "/v1/customers", body).await;

    assert_eq!(
        r.error_keys(),
        [
            "user_type",
            "first_name",
            "last_name",
            "email",
            "enable_notifications"
        ]
    );
}

#[tokio::test]
async fn a_wrong_content_type_is_a_415_envelope() {
    let sim = sim(1);

    let r = sim
        .call_as(
            "POST",
            "/v1/customers",
            Some(TEST_KEY),
            &[("content-type", "text/plain")],
            Some(customer_body().to_string().as_bytes()),
        )
        .await;

    r.assert_envelope(415, "415", "unsupported_media_type");
}

#[tokio::test]
async fn a_body_over_one_mebibyte_is_a_413_envelope() {
    let sim = sim(1);
    let big = format!("{{\"description\": \"{}\"}}", "x".repeat(1024 * 1024 + 10));

    let r = sim
        .post_raw(TEST_KEY, "/v1/customers", big.as_bytes())
        .await;

    r.assert_envelope(413, "413", "payload_too_large");
}

#[tokio::test]
async fn unknown_paths_and_ids_are_404_envelopes() {
    let sim = sim(1);

    let path = sim.get(TEST_KEY, "/v1/charges").await;
    let id = sim.get(TEST_KEY, "/v1/cashouts/does-not-exist").await;

    path.assert_envelope(404, "404", "not_found");
    id.assert_envelope(404, "404", "not_found");
}

#[tokio::test]
async fn a_wrong_method_is_a_405_envelope() {
    let sim = sim(1);

    let r = sim
        .call_as("DELETE", "/v1/cashouts", Some(TEST_KEY), &[], None)
        .await;

    r.assert_envelope(405, "405", "method_not_allowed");
}

#[tokio::test]
async fn error_response_renders_the_envelope_for_fault_statuses() {
    let sim = sim(1);
    for (status, name) in [(429, "too_many_requests"), (503, "service_unavailable")] {
        let status = StatusCode::from_u16(status).unwrap();

        let r = read(sim.provider.error_response(status, "Try again later.")).await;

        assert_eq!(r.status, status.as_u16());
        assert_eq!(
            r.json,
            json!({"message": "Try again later.", "code": status.as_str(), "code_name": name, "errors": []})
        );
    }
}

#[tokio::test]
async fn a_fault_placeholder_is_a_pending_object_in_a_data_wrapper() {
    let sim = sim(1);

    let r = read(sim.provider.placeholder()).await;

    assert_eq!(r.status, 200);
    assert_eq!(r.headers["content-type"], "application/json");
    assert_eq!(
        r.bytes,
        r#"{"data":{"id":"00000000-0000-4000-8000-000000000000","status":"pending"}}"#
    );
}

#[tokio::test]
async fn the_router_works_without_the_journal_layer() {
    use tower::ServiceExt;
    let engine = payoutsim_core::Engine::new(payoutsim_core::testkit::manual_config(1));
    let onepay = payoutsim_onepay::OnePay::new(engine, Default::default());
    let req = http::Request::post("/v1/customers")
        .header("authorization", format!("Bearer {TEST_KEY}"))
        .header("content-type", "application/json")
        .body(axum::body::Body::from(customer_body().to_string()))
        .unwrap();

    let resp = onepay.router().oneshot(req).await.unwrap();

    assert_eq!(resp.status(), 201);
}
