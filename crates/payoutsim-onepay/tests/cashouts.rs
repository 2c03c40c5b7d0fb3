//! Router tests of `POST /v1/cashouts` and friends: shape, idempotency, lifecycles, magic values,
//! balance checks, listing, tenant isolation.

#![allow(clippy::unwrap_used)] // helpers outside #[test] fns: a failed unwrap is a failed test

mod support;

use serde_json::{Value, json};
use support::*;

async fn turbo(sim: &Sim, account_number: &str, amount: Value) -> (Value, String) {
    let (_, _, r) = sim.pay(account_number, amount, "TURBO").await;
    assert_eq!(r.status, 201, "{}", r.json);
    let id = r.json["id"].as_str().unwrap().to_string();
    (r.json, id)
}

#[tokio::test]
async fn a_cashout_is_created_pending_with_the_documented_fields() {
    let sim = sim(1);
    let (c, a) = sim.payee(TEST_KEY, "0012345678").await;

    let r = sim
        .cashout(
            TEST_KEY,
            "cashout-001",
            cashout_body(&c, &a, json!(1000000), "ACH"),
        )
        .await;

    assert_eq!(r.status, 201);
    let keys = r.keys();
    let mut expected = vec![
        "id",
        "customer_id",
        "account_id",
        "is_test",
        "amount",
        "status",
        "scheduled_at",
        "created_at",
        "external_id",
        "method",
        "currency",
        "description",
        "updated_at",
        "remarks",
    ];
    expected.sort();
    assert_eq!(keys, expected);
    assert_eq!(r.json["status"], "pending");
    assert_eq!(r.json["amount"], 1000000);
    assert_eq!(r.json["scheduled_at"], Value::Null);
    assert_eq!(r.json["remarks"], Value::Null);
    assert_eq!(r.json["external_id"], "PAYROLL-2391");
    assert_eq!(r.json["created_at"], "2026-01-05T14:00:00.000000Z");
    assert!(r.bytes.starts_with(b"{\"id\":"), "documented field order");
    assert_eq!(sim.available_cents(TEST_KEY).await, (START - 1000000) * 100);
}

#[tokio::test]
async fn decimal_amounts_are_kept_to_the_cent() {
    let sim = sim(1);

    let (body, _) = turbo(&sim, "0012345678", json!(1000.5)).await;

    assert_eq!(body["amount"], json!(1000.5));
    assert_eq!(sim.available_cents(TEST_KEY).await, START * 100 - 100_050);
}

#[tokio::test]
async fn a_cashout_without_x_idempotency_is_a_400() {
    let sim = sim(1);
    let (c, a) = sim.payee(TEST_KEY, "0012345678").await;

    let r = sim
        .post(
            TEST_KEY,
            "/v1/cashouts",
            cashout_body(&c, &a, json!(1000), "ACH"),
        )
        .await;

    r.assert_envelope(400, "400", "idempotency_key_required");
}

#[tokio::test]
async fn a_repeated_key_and_body_replays_the_first_answer_byte_for_byte() {
    let sim = sim(1);
    let (c, a) = sim.payee(TEST_KEY, "0012345678").await;
    let body = cashout_body(&c, &a, json!(1000), "ACH");

    let first = sim.cashout(TEST_KEY, "k", body.clone()).await;
    sim.engine.advance(700.0, None).await;
    let second = sim.cashout(TEST_KEY, "k", body).await;

    assert_eq!(second.status, 201);
    assert_eq!(second.bytes, first.bytes);
    assert_eq!(second.headers["idempotent-replayed"], "true");
    assert!(first.headers.get("idempotent-replayed").is_none());
    let list = sim.get(TEST_KEY, "/v1/cashouts").await;
    assert_eq!(list.json["total"], 1);
    assert_eq!(sim.available_cents(TEST_KEY).await, (START - 1000) * 100);
}

#[tokio::test]
async fn a_replay_after_the_cashout_failed_with_remarks_is_still_the_first_answer() {
    let sim = sim(1);
    let (c, a) = sim.payee(TEST_KEY, "1111111110").await;
    let body = cashout_body(&c, &a, json!(1000), "TURBO");
    let first = sim.cashout(TEST_KEY, "k", body.clone()).await;
    let id = first.json["id"].as_str().unwrap().to_string();
    sim.engine.advance(3600.0, None).await;
    let now = sim.get(TEST_KEY, &format!("/v1/cashouts/{id}")).await;

    let replay = sim.cashout(TEST_KEY, "k", body).await;

    assert_eq!(now.json["status"], "failed");
    assert_eq!(now.json["remarks"]["code"], "ACCOUNT_CLOSED");
    assert_eq!(first.json["status"], "pending");
    assert_eq!(replay.status, 201);
    assert_eq!(replay.bytes, first.bytes);
    assert_eq!(replay.headers["idempotent-replayed"], "true");
}

#[tokio::test]
async fn a_repeated_key_with_another_body_is_a_409() {
    let sim = sim(1);
    let (c, a, _) = sim.pay("0012345678", json!(1000), "ACH").await;

    let r = sim
        .cashout(TEST_KEY, "k", cashout_body(&c, &a, json!(2000), "ACH"))
        .await;

    r.assert_envelope(409, "409", "idempotency_key_conflict");
}

#[tokio::test]
async fn a_rejected_request_does_not_burn_its_key() {
    let sim = sim(1);
    let (c, a, bad) = sim.pay("0012345678", json!(-5), "ACH").await;

    let good = sim
        .cashout(TEST_KEY, "k", cashout_body(&c, &a, json!(5), "ACH"))
        .await;

    bad.assert_envelope(422, "422", "validation_error");
    assert_eq!(good.status, 201);
}

#[tokio::test]
async fn instant_is_rejected_listing_the_allowed_methods() {
    let sim = sim(1);

    let (_, _, r) = sim.pay("0012345678", json!(5), "INSTANT").await;

    r.assert_envelope(422, "422", "validation_error");
    assert_eq!(r.error_keys(), ["method"]);
    let msg = r.json["message"].as_str().unwrap();
    assert!(msg.contains("ACH") && msg.contains("TURBO"), "{msg}");
}

#[tokio::test]
async fn cashout_validation_lists_every_failing_field() {
    let sim = sim(1);
    let body = json!({"amount": 10.001, "currency": "USD", "description": 5, "external_id": []});

    let r = sim.cashout(TEST_KEY, "k", body).await;

    assert_eq!(
        r.error_keys(),
        [
            "amount",
            "account_id",
            "customer_id",
            "method",
            "currency",
            "description",
            "external_id"
        ]
    );
}

#[tokio::test]
async fn the_account_must_belong_to_the_customer() {
    let sim = sim(1);
    let (c1, _) = sim.payee(TEST_KEY, "0012345678").await;
    let (_, a2) = sim.payee(TEST_KEY, "0087654321").await;

    let r = sim
        .cashout(TEST_KEY, "k", cashout_body(&c1, &a2, json!(5), "ACH"))
        .await;

    assert_eq!(r.status, 422);
    assert_eq!(r.error_keys(), ["account_id"]);
}

#[tokio::test]
async fn an_amount_over_the_balance_is_10501_and_creates_nothing() {
    let sim = sim_with(
        1,
        payoutsim_onepay::OnePayConfig {
            test_starting_balance: 100,
        },
    );

    let (_, _, r) = sim.pay("0012345678", json!(100.01), "ACH").await;

    r.assert_envelope(401, "10501", "insufficient_funds");
    assert_eq!(sim.get(TEST_KEY, "/v1/cashouts").await.json["total"], 0);
    assert_eq!(sim.available_cents(TEST_KEY).await, 10_000);
}

#[tokio::test]
async fn a_turbo_cashout_is_processing_after_a_minute_and_processed_after_thirty_more() {
    let sim = sim(1);
    let (_, id) = turbo(&sim, "0012345678", json!(1000)).await;

    sim.engine.advance(59.0, None).await;
    let s0 = sim.status_of(TEST_KEY, &id).await;
    sim.engine.advance(1.0, None).await;
    let s1 = sim.status_of(TEST_KEY, &id).await;
    sim.engine.advance(1800.0, None).await;
    let done = sim.get(TEST_KEY, &format!("/v1/cashouts/{id}")).await;

    assert_eq!((s0.as_str(), s1.as_str()), ("pending", "processing"));
    assert_eq!(done.json["status"], "processed");
    assert_eq!(done.json["updated_at"], "2026-01-05T14:31:00.000000Z");
    assert_eq!(sim.available_cents(TEST_KEY).await, (START - 1000) * 100);
}

#[tokio::test]
async fn an_ach_cashout_is_processed_one_business_day_after_processing() {
    let sim = sim(1);
    let (_, id) = sim.cashout_to_payee("ACH").await;

    sim.engine.advance(600.0, None).await;
    let s1 = sim.status_of(TEST_KEY, &id).await;
    sim.engine.advance(86_399.0, None).await;
    let s2 = sim.status_of(TEST_KEY, &id).await;
    sim.engine.advance(1.0, None).await;
    let s3 = sim.status_of(TEST_KEY, &id).await;

    assert_eq!([s1, s2, s3], ["processing", "processing", "processed"]);
}

#[tokio::test]
async fn each_magic_value_reaches_its_outcome_and_failures_are_credited_back() {
    let cases = [
        ("1111111110", json!(1000), "failed", Some("ACCOUNT_CLOSED")),
        (
            "1111111111",
            json!(1000),
            "failed",
            Some("ACCOUNT_NOT_FOUND"),
        ),
        ("1111111112", json!(1000), "failed", Some("ACCOUNT_BLOCKED")),
        ("1111111113", json!(1000), "processing", None),
        ("0012345678", json!(666), "failed", Some("BANK_REJECTED")),
    ];
    for (account_number, amount, status, code) in cases {
        let sim = sim(1);
        let (_, id) = turbo(&sim, account_number, amount.clone()).await;

        sim.engine.advance(7.0 * 86_400.0, None).await;
        let r = sim.get(TEST_KEY, &format!("/v1/cashouts/{id}")).await;

        assert_eq!(r.json["status"], status, "{account_number}");
        let cents = (amount.as_f64().unwrap() * 100.0) as i64;
        match code {
            Some(code) => {
                assert_eq!(r.json["remarks"]["code"], code);
                assert!(r.json["remarks"]["description"].is_string());
                assert_eq!(sim.available_cents(TEST_KEY).await, START * 100);
            }
            None => {
                assert_eq!(r.json["remarks"], Value::Null);
                assert_eq!(sim.available_cents(TEST_KEY).await, START * 100 - cents);
                let balance = sim.get(TEST_KEY, "/v1/balances").await;
                assert_eq!(balance.json["data"]["in_transit"], amount);
            }
        }
    }
}

#[tokio::test]
async fn cashouts_are_listed_newest_first_with_laravel_pagination_and_filters() {
    let sim = sim(1);
    let (c, a) = sim.payee(TEST_KEY, "0012345678").await;
    for i in 0..5 {
        let method = if i % 2 == 0 { "ACH" } else { "TURBO" };
        let mut body = cashout_body(&c, &a, json!(100 + i), method);
        body["external_id"] = json!(format!("ext-{i}"));
        let r = sim.cashout(TEST_KEY, &format!("k{i}"), body).await;
        assert_eq!(r.status, 201);
    }

    let page2 = sim.get(TEST_KEY, "/v1/cashouts?page=2&per_page=2").await;
    let oldest = sim
        .get(TEST_KEY, "/v1/cashouts?sort=created_at&per_page=1")
        .await;
    let turbo = sim.get(TEST_KEY, "/v1/cashouts?filter[method]=TURBO").await;
    let by_ext = sim
        .get(TEST_KEY, "/v1/cashouts?filter%5Bexternal_id%5D=ext-3")
        .await;
    let pending = sim
        .get(TEST_KEY, "/v1/cashouts?filter[status]=processed")
        .await;
    let bad = sim.get(TEST_KEY, "/v1/cashouts?per_page=0").await;

    assert_eq!(page2.json["current_page"], 2);
    assert_eq!(page2.json["from"], 3);
    assert_eq!(page2.json["to"], 4);
    assert_eq!(page2.json["last_page"], 3);
    assert_eq!(page2.json["total"], 5);
    assert_eq!(page2.json["data"][0]["external_id"], "ext-2");
    assert_eq!(oldest.json["data"][0]["external_id"], "ext-0");
    assert_eq!(turbo.json["total"], 2);
    assert_eq!(by_ext.json["data"][0]["amount"], 103);
    assert_eq!(pending.json["total"], 0);
    assert_eq!(bad.status, 422);
}

#[tokio::test]
async fn tenants_never_see_each_others_cashouts_customers_or_balances() {
    let sim = sim(1);
    let (c, a, r) = sim.pay("0012345678", json!(1000), "ACH").await;
    let id = r.json["id"].as_str().unwrap();

    let get = sim.get(OTHER_KEY, &format!("/v1/cashouts/{id}")).await;
    let customer = sim.get(OTHER_KEY, &format!("/v1/customers/{c}")).await;
    let list = sim.get(OTHER_KEY, "/v1/cashouts").await;
    let use_it = sim
        .cashout(OTHER_KEY, "k", cashout_body(&c, &a, json!(1), "ACH"))
        .await;

    assert_eq!(get.status, 404);
    assert_eq!(customer.status, 404);
    assert_eq!(list.json["total"], 0);
    assert_eq!(use_it.status, 422);
    assert_eq!(use_it.error_keys(), ["customer_id", "account_id"]);
    assert_eq!(sim.available_cents(OTHER_KEY).await, START * 100);
}

#[tokio::test]
async fn a_cashout_due_past_year_9999_is_created_and_its_key_replays_instead_of_staying_in_use() {
    let sim = sim(12);
    let (c, a) = sim.payee(TEST_KEY, "0012345678").await;
    // Past the admin API's check (code can still set it), the engine schedules it at the latest time.
    let huge = payoutsim_core::machine::Delay::Seconds(8_000_000_000_000_000);
    assert!(
        sim.provider
            .set_delay("cashout", "TURBO", "pending", "processing", huge)
    );
    let body = cashout_body(&c, &a, json!(1000), "TURBO");

    let first = sim.cashout(TEST_KEY, "far-future", body.clone()).await;
    let again = sim.cashout(TEST_KEY, "far-future", body).await;

    assert_eq!(first.status, 201, "{}", first.json);
    assert_eq!(again.status, 201, "{}", again.json);
    assert_eq!(again.bytes, first.bytes);
    assert_eq!(
        again
            .headers
            .get("idempotent-replayed")
            .map(|v| v.to_str().unwrap()),
        Some("true")
    );
    assert_eq!(sim.available_cents(TEST_KEY).await, (START - 1000) * 100);
}
