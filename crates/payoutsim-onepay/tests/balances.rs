//! Router tests of the balance endpoints and the back office (`/__admin/providers/onepay/…`).

#![allow(clippy::unwrap_used)] // helpers outside #[test] fns: a failed unwrap is a failed test

mod support;

use serde_json::{Value, json};
use support::*;

#[tokio::test]
async fn the_balance_shows_available_and_in_transit_amounts() {
    let sim = sim(1);
    sim.pay("0012345678", json!(250000), "ACH").await;

    let r = sim.get(TEST_KEY, "/v1/balances").await;

    assert_eq!(
        r.json,
        json!({"data": {
            "available": START - 250000,
            "available_label": "$999.750.000",
            "in_transit": 250000,
            "currency": "COP",
            "is_test": true
        }})
    );
}

#[tokio::test]
async fn a_balance_cashout_is_created_pending_and_processed_on_the_ach_timeline() {
    let sim = sim(1);
    let (_, a) = sim.payee(TEST_KEY, "0012345678").await;
    let body = json!({"amount": 500000, "account_id": a});

    let r = sim
        .post_idem(TEST_KEY, "/v1/balances/cashout", "b1", body)
        .await;
    sim.engine.advance(600.0 + 86_400.0, None).await;
    let objects = sim.object_list(None, Some("balance_cashout"));

    assert_eq!(r.status, 201, "{}", r.json);
    assert_eq!(r.json["amount_label"], "$500.000");
    assert_eq!(r.json["status"], "pending");
    assert_eq!(r.json["type"], "ACH");
    assert_eq!(r.json["processed_at"], Value::Null);
    assert_eq!(r.json["account"]["subtype"], "SAVINGS");
    assert_eq!(r.json["account"]["bank"]["name"], "Bancolombia");
    assert!(r.json["account"]["bank"].get("base64_logo").is_none());
    let done = &objects[0]["object"];
    assert_eq!(done["status"], "processed");
    assert_eq!(done["processed_at"], "2026-01-06T14:10:00.000000Z");
    assert_eq!(sim.available_cents(TEST_KEY).await, (START - 500000) * 100);
}

#[tokio::test]
async fn a_balance_cashout_needs_its_key_and_a_known_account() {
    let sim = sim(1);

    let no_key = sim
        .post(
            TEST_KEY,
            "/v1/balances/cashout",
            json!({"amount": 1, "account_id": "x"}),
        )
        .await;
    let unknown = sim
        .post_idem(
            TEST_KEY,
            "/v1/balances/cashout",
            "b",
            json!({"amount": 1, "account_id": "x"}),
        )
        .await;

    no_key.assert_envelope(400, "400", "idempotency_key_required");
    unknown.assert_envelope(422, "422", "validation_error");
    assert_eq!(unknown.error_keys(), ["account_id"]);
}

#[tokio::test]
async fn paying_out_the_whole_balance_answers_204_and_empties_it() {
    let sim = sim(1);
    sim.payee(TEST_KEY, "0012345678").await;

    let r = sim.post(TEST_KEY, "/v1/balances", json!({})).await;
    let balance = sim.get(TEST_KEY, "/v1/balances").await;

    assert_eq!(r.status, 204);
    assert!(r.bytes.is_empty());
    assert_eq!(balance.json["data"]["available"], 0);
    assert_eq!(balance.json["data"]["in_transit"], START);
}

#[tokio::test]
async fn paying_out_the_balance_reports_the_documented_business_errors() {
    let sim = sim(1);

    let no_account = sim
        .post(TEST_KEY, "/v1/balances", json!({"amount": 10}))
        .await;
    sim.payee(TEST_KEY, "0012345678").await;
    let unknown_account = sim
        .post(TEST_KEY, "/v1/balances", json!({"account_id": "nope"}))
        .await;
    let too_much = sim
        .post(TEST_KEY, "/v1/balances", json!({"amount": START + 1}))
        .await;
    sim.payee(LIVE_KEY, "0012345678").await;
    let empty = sim.post(LIVE_KEY, "/v1/balances", json!({})).await;

    no_account.assert_envelope(422, "10809", "company_account_not_found");
    unknown_account.assert_envelope(422, "10809", "company_account_not_found");
    too_much.assert_envelope(401, "10501", "insufficient_funds");
    empty.assert_envelope(401, "10500", "balance_is_empty");
}

#[tokio::test]
async fn the_back_office_funds_a_live_tenant() {
    let sim = sim(1);

    let (status, body) = sim
        .admin_post(
            "/fund",
            json!({"tenant": "onepay:sk_live_alpha", "amount": 1500.5}),
        )
        .await;
    let balance = sim.get(LIVE_KEY, "/v1/balances").await;
    let bad = sim
        .admin_post("/fund", json!({"tenant": "onepay:nope", "amount": 1}))
        .await;

    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body,
        json!({"tenant": "onepay:sk_live_alpha", "available": 1500.5})
    );
    assert_eq!(balance.json["data"]["available"], 1500.5);
    assert_eq!(balance.json["data"]["available_label"], "$1.500,50");
    assert_eq!(bad.0, 400);
    assert!(bad.1["error"].is_string());
}

#[tokio::test]
async fn funding_with_more_decimals_than_cop_has_is_refused_not_rounded() {
    let sim = sim(1);
    let fund = |amount: &'static str| {
        let body = format!(r#"{{"tenant": "onepay:sk_live_alpha", "amount": {amount}}}"#);
        let req = payoutsim_core::testkit::request(
            "POST",
            "/__admin/providers/onepay/fund",
            &[("content-type", "application/json")],
            Some(body.as_bytes()),
        );
        payoutsim_core::testkit::send(&sim.admin, req)
    };

    let tiny = fund("1000.0000000000001").await;
    let below = fund("999.99999999999999999").await;
    let text = fund(r#""1000""#).await;
    let exponent = fund("1.5e3").await;

    for refused in [&tiny, &below, &text] {
        assert_eq!(refused.status, 400, "{}", refused.json);
        let error = refused.json["error"].as_str().unwrap_or_default();
        assert!(error.contains("`amount`"), "{error}");
    }
    assert_eq!(exponent.status, 200, "{}", exponent.json);
    assert_eq!(
        exponent.json["available"], 1500,
        "only the exact 1500 was credited"
    );
}

#[tokio::test]
async fn forcing_a_cashout_to_failed_credits_it_back_with_forced_remarks() {
    let sim = sim(1);
    let (_, id) = sim.cashout_to_payee("TURBO").await;

    let (status, body) = sim
        .admin_post(
            &format!("/cashouts/{id}/status"),
            json!({"status": "failed"}),
        )
        .await;
    sim.engine.advance(3600.0, None).await;
    let after = sim.get(TEST_KEY, &format!("/v1/cashouts/{id}")).await;
    let unknown = sim
        .admin_post(&format!("/cashouts/{id}/status"), json!({"status": "lost"}))
        .await;

    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "failed");
    assert_eq!(after.json["status"], "failed");
    assert_eq!(after.json["remarks"]["code"], "FORCED");
    assert_eq!(sim.available_cents(TEST_KEY).await, START * 100);
    assert_eq!(unknown.0, 400);
}

#[tokio::test]
async fn forcing_an_account_status_is_a_back_office_action() {
    let sim = sim(1);
    let (_, a) = sim.payee(TEST_KEY, "0012345678").await;

    let (status, body) = sim
        .admin_post(
            &format!("/accounts/{a}/status"),
            json!({"status": "ACTIVE"}),
        )
        .await;
    let missing = sim
        .admin_post("/accounts/nope/status", json!({"status": "ACTIVE"}))
        .await;

    assert_eq!(status, 200, "{body}");
    assert_eq!(body["status"], "ACTIVE");
    assert_eq!(missing.0, 404);
}

#[tokio::test]
async fn objects_and_machines_are_shown_to_the_admin_api() {
    let sim = sim(1);
    sim.payee(TEST_KEY, "0012345678").await;

    let customers = sim
        .admin_get("/__admin/providers/onepay/objects?kind=customer")
        .await;
    let balances = sim
        .admin_get("/__admin/providers/onepay/objects?kind=balance")
        .await;
    let machines = sim.admin_get("/__admin/providers/onepay/machines").await;

    assert_eq!(customers["objects"].as_array().unwrap().len(), 1);
    assert_eq!(balances["objects"][0]["object"]["available"], START);
    let kinds: Vec<&str> = machines["machines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["cashout", "cashout", "balance_cashout", "account"]);
}

#[tokio::test]
async fn a_changed_delay_applies_to_new_cashouts() {
    let sim = sim(1);
    let changed = sim.provider.set_delay(
        "cashout",
        "",
        "pending",
        "processing",
        payoutsim_core::machine::Delay::Seconds(5),
    );
    let (_, _, r) = sim.pay("0012345678", json!(1000), "ACH").await;

    sim.engine.advance(5.0, None).await;

    assert!(changed);
    assert_eq!(
        sim.status_of(TEST_KEY, r.json["id"].as_str().unwrap())
            .await,
        "processing"
    );
}

#[tokio::test]
async fn reset_forgets_every_tenant() {
    let sim = sim(1);
    let c = sim.customer(TEST_KEY).await;

    sim.engine.reset(Some("onepay"));
    let r = sim.get(TEST_KEY, &format!("/v1/customers/{c}")).await;

    assert_eq!(r.status, 404);
    assert_eq!(sim.available_cents(TEST_KEY).await, START * 100);
}

#[tokio::test]
async fn a_provisioned_tenant_is_listed_with_its_starting_balance_before_any_request() {
    let sim = sim(1);

    let test = sim.provider.provision("onepay:sk_test_alpha").unwrap();
    let live = sim.provider.provision("onepay:sk_live_alpha").unwrap();
    let tenants = sim.admin_get("/__admin/tenants").await;
    let balances = sim
        .admin_get("/__admin/providers/onepay/objects?kind=balance")
        .await;

    assert_eq!(
        test,
        json!({"tenant": "onepay:sk_test_alpha", "available": START})
    );
    assert_eq!(
        live,
        json!({"tenant": "onepay:sk_live_alpha", "available": 0})
    );
    let listed: Vec<(&Value, &Value)> = tenants["tenants"]["onepay"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (&t["tenant"], &t["environment"]))
        .collect();
    assert_eq!(
        listed,
        [
            (&json!("onepay:sk_live_alpha"), &json!("live")),
            (&json!("onepay:sk_test_alpha"), &json!("test"))
        ]
    );
    assert_eq!(balances["objects"][1]["tenant"], "onepay:sk_test_alpha");
    assert_eq!(balances["objects"][1]["object"]["available"], START);
}

#[tokio::test]
async fn a_key_whose_first_request_reads_no_data_is_provisioned_then_and_again_after_a_reset() {
    let sim = sim(1);
    let balance_objects = || async {
        let view = sim
            .admin_get("/__admin/providers/onepay/objects?kind=balance")
            .await;
        let objects = view["objects"].as_array().unwrap().clone();
        (objects.iter())
            .map(|o| (o["tenant"].clone(), o["object"]["available"].clone()))
            .collect::<Vec<_>>()
    };

    let first = sim.get(TEST_KEY, "/v1/accounts/banks").await;
    let after_first = balance_objects().await;
    let again = sim.get(TEST_KEY, "/v1/accounts/banks").await;
    sim.engine.reset(Some("onepay"));
    let after_reset = balance_objects().await;
    sim.get(TEST_KEY, "/v1/accounts/banks").await;
    let after_next = balance_objects().await;

    let tenant = json!(format!("onepay:{TEST_KEY}"));
    assert_eq!((first.status, again.status), (200, 200));
    assert_eq!(after_first, [(tenant.clone(), json!(START))]);
    assert_eq!(after_reset, []);
    assert_eq!(after_next, [(tenant, json!(START))]);
}

#[tokio::test]
async fn a_provisioned_key_then_works_and_provisioning_it_again_changes_nothing() {
    let sim = sim(1);
    sim.provider.provision("onepay:sk_test_alpha").unwrap();
    let (_, _, created) = sim.pay("0012345678", json!(250000), "ACH").await;

    let again = sim.provider.provision("onepay:sk_test_alpha").unwrap();

    assert_eq!(created.status, 201, "{}", created.json);
    assert_eq!(again["available"], START - 250000);
    assert_eq!(sim.available_cents(TEST_KEY).await, (START - 250000) * 100);
}

#[tokio::test]
async fn provisioning_refuses_a_malformed_key_and_creates_nothing() {
    let sim = sim(1);

    let refused: Vec<u16> = [
        "onepay:sk_test_",
        "onepay:pk_test_a",
        "sk_test_a",
        "onepay:sk_test_a-b",
    ]
    .iter()
    .map(|t| sim.provider.provision(t).unwrap_err().0.as_u16())
    .collect();
    let checked = sim.provider.check_tenant("onepay:nope").unwrap_err();
    let tenants = sim.admin_get("/__admin/tenants").await;

    assert_eq!(refused, [400, 400, 400, 400]);
    assert!(checked.1.contains("`onepay:nope`"), "{}", checked.1);
    assert_eq!(tenants["tenants"]["onepay"], json!([]));
    assert_eq!(sim.object_list(None, Some("balance")), Vec::<Value>::new());
}

#[tokio::test]
async fn the_back_office_lists_webhooks_made_through_either_api() {
    let sim = sim(1);
    let own = json!({"name": "w", "url": "http://127.0.0.1:9/h", "events": ["cashout.created"]});
    let made = sim.post(TEST_KEY, "/v1/webhooks", own).await;
    let target = json!({
        "provider": "onepay",
        "tenant": "onepay:sk_test_alpha",
        "url": "http://127.0.0.1:9/admin"
    });

    let admin_made = sim.admin("POST", "/__admin/webhooks", Some(target)).await;
    let webhooks = sim.object_list(None, Some("webhook"));

    assert_eq!(made.status, 201, "{}", made.json);
    assert_eq!(admin_made.status, 201, "{}", admin_made.json);
    let ids: Vec<&Value> = webhooks.iter().map(|w| &w["id"]).collect();
    assert_eq!(ids, [&made.json["data"]["id"], &admin_made.json["id"]]);
    assert!(
        webhooks
            .iter()
            .all(|w| w["tenant"] == "onepay:sk_test_alpha")
    );
}

#[tokio::test]
async fn transitions_are_logged_as_created_timeline_or_admin() {
    let sim = sim(1);
    let (a, cashout) = sim.cashout_to_payee("TURBO").await;
    let validate = format!("/v1/accounts/{a}/validate");

    sim.post(TEST_KEY, &validate, json!({})).await;
    sim.advance(60.0).await;
    let path = format!("/cashouts/{cashout}/status");
    sim.admin_post(&path, json!({"status": "processed"})).await;

    let causes = |id: &str| -> Vec<(Option<String>, String, &'static str)> {
        (sim.engine.transitions(Some("onepay"), Some(id)).into_iter())
            .map(|t| (t.from.map(String::from), t.to.into(), t.cause))
            .collect()
    };
    let some = |s: &str| Some(s.to_string());
    assert_eq!(
        causes(&a),
        [
            (None, "PENDING".to_string(), "created"),
            (some("PENDING"), "ACTIVE".to_string(), "admin")
        ]
    );
    assert_eq!(
        causes(&cashout),
        [
            (None, "pending".to_string(), "created"),
            (some("pending"), "processing".to_string(), "timeline"),
            (some("processing"), "processed".to_string(), "admin")
        ]
    );
}
