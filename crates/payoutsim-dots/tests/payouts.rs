//! Payouts: each platform's sandbox and production timings on the simulated clock, the wallet
//! drawn on (`fund: true` or the user's), money returned on failure, magic amounts, a fault
//! rule's forced outcome, ACH's `account_id`, the `default` platform, a seen idempotency key,
//! and the back office's `POST /transfers/{id}/status`.

mod common;

use common::{
    DotsSim, Keys, NOBODY, PRODUCTION, SANDBOX, SANDBOX_FUNDING, Sim, assert_error, faulty_sim,
    key, sim,
};
use serde_json::{Value, json};

/// A user with `cents` in their wallet.
async fn funded_user(sim: &Sim, keys: Keys, name: &str, cents: i64) -> String {
    let user = sim.user(keys, name).await;
    sim.give(keys, &user, cents).await;
    user
}

fn id_of(r: &common::Resp) -> String {
    r.json["id"].as_str().expect("an id").to_string()
}

/// `POST /__admin/providers/dots/transfers/{id}/status`.
async fn force(sim: &Sim, transfer: &str, status: &str) -> common::Resp {
    let path = format!("/transfers/{transfer}/status");
    sim.back_office("POST", &path, Some(json!({"status": status})))
        .await
}

#[tokio::test]
async fn instant_rails_are_pending_after_5_s_and_completed_5_min_later_in_both_environments() {
    for keys in [SANDBOX, PRODUCTION] {
        for platform in ["paypal", "venmo", "cash_app"] {
            let sim = sim(20);
            if keys.client_id == PRODUCTION.client_id {
                sim.fund(&keys.tenant(), json!(50)).await;
            }
            let ana = funded_user(&sim, keys, "ana", 1000).await;

            let r = sim.payout(keys, &ana, 400, platform, json!({})).await;

            assert_eq!(r.status, 201, "{platform}: {}", r.json);
            assert_eq!(r.json["type"], "payout");
            assert_eq!(r.json["status"], "created");
            assert_eq!(r.json["external_data"]["platform"], platform);
            let id = id_of(&r);
            sim.advance(4.0).await;
            assert_eq!(sim.status_of(keys, &id).await, "created", "{platform}");
            sim.advance(1.0).await;
            assert_eq!(sim.status_of(keys, &id).await, "pending", "{platform}");
            sim.advance(299.0).await;
            assert_eq!(sim.status_of(keys, &id).await, "pending", "{platform}");
            sim.advance(1.0).await;
            assert_eq!(sim.status_of(keys, &id).await, "completed", "{platform}");
            assert_eq!(sim.user_wallet(keys, &ana).await, 600, "{platform}");
            let app = sim.app_view(keys).await;
            assert_eq!(app["money_out"], 400, "{platform}");
        }
    }
}

#[tokio::test]
async fn a_sandbox_ach_payout_stays_pending_however_long_one_waits() {
    let sim = sim(21);
    let ana = funded_user(&sim, SANDBOX, "ana", 1000).await;
    let account = sim.ach(SANDBOX, &ana).await;

    let r = sim
        .payout(SANDBOX, &ana, 700, "ach", json!({"account_id": account}))
        .await;

    assert_eq!(r.status, 201, "{}", r.json);
    assert_eq!(r.json["external_data"]["account_id"], account.as_str());
    let id = id_of(&r);
    sim.advance(30.0 * 86_400.0).await;
    assert_eq!(sim.status_of(SANDBOX, &id).await, "pending");
    assert_eq!(sim.user_wallet(SANDBOX, &ana).await, 300);
}

#[tokio::test]
async fn a_production_ach_payout_completes_one_business_day_after_it_is_pending() {
    let sim = sim(22);
    sim.fund(&PRODUCTION.tenant(), json!(100)).await;
    let ana = funded_user(&sim, PRODUCTION, "ana", 5000).await;
    let account = sim.ach(PRODUCTION, &ana).await;
    // Monday 14:00: pending at 14:00:05, completed on Tuesday at 14:00:05.
    let r = sim
        .payout(
            PRODUCTION,
            &ana,
            2500,
            "ach",
            json!({"account_id": account}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.json);
    let id = id_of(&r);

    sim.advance(5.0).await;
    assert_eq!(sim.status_of(PRODUCTION, &id).await, "pending");
    sim.advance(86_399.0).await;
    assert_eq!(sim.status_of(PRODUCTION, &id).await, "pending");
    sim.advance(1.0).await;
    assert_eq!(sim.status_of(PRODUCTION, &id).await, "completed");
}

#[tokio::test]
async fn a_production_ach_payout_made_on_a_friday_completes_on_monday() {
    let sim = sim(23);
    sim.fund(&PRODUCTION.tenant(), json!(100)).await;
    let ana = funded_user(&sim, PRODUCTION, "ana", 5000).await;
    let account = sim.ach(PRODUCTION, &ana).await;
    sim.advance(4.0 * 86_400.0).await; // Friday 14:00
    let body = json!({"account_id": account});
    let id = id_of(
        &sim.payout(PRODUCTION, &ana, 1000, "bank_transfer", body)
            .await,
    );

    sim.advance(2.0 * 86_400.0 + 5.0).await; // Sunday
    assert_eq!(sim.status_of(PRODUCTION, &id).await, "pending");
    sim.advance(86_400.0).await; // Monday 14:00:05
    assert_eq!(sim.status_of(PRODUCTION, &id).await, "completed");
    let got = sim.get(PRODUCTION, &format!("/v2/transfers/{id}")).await;
    assert_eq!(got.json["external_data"]["platform"], "ach");
}

#[tokio::test]
async fn a_payout_without_fund_draws_on_the_user_wallet_and_is_refused_naming_it_when_short() {
    let sim = sim(24);
    let ana = funded_user(&sim, SANDBOX, "ana", 300).await;
    let app_before = sim.app_wallet(SANDBOX).await;

    let short = sim.payout(SANDBOX, &ana, 301, "paypal", json!({})).await;
    let ok = sim.payout(SANDBOX, &ana, 300, "paypal", json!({})).await;

    let message = assert_error(&short, 400, "transaction-insufficient-funds");
    assert!(message.contains("user wallet"), "{message}");
    assert_eq!(ok.status, 201, "{}", ok.json);
    assert_eq!(ok.json["transactions"][0]["source_name"], "ana Payee");
    assert_eq!(ok.json["transactions"][0]["destination_name"], "paypal");
    assert_eq!(sim.user_wallet(SANDBOX, &ana).await, 0);
    assert_eq!(sim.app_wallet(SANDBOX).await, app_before);
}

#[tokio::test]
async fn a_fund_true_payout_draws_on_the_app_wallet_and_leaves_the_user_wallet_alone() {
    let sim = sim(25);
    let ana = funded_user(&sim, SANDBOX, "ana", 200).await;

    let body = json!({"fund": true, "tax_exempt": true});
    let r = sim.payout(SANDBOX, &ana, 5000, "venmo", body).await;

    assert_eq!(r.status, 201, "{}", r.json);
    assert_eq!(r.json["transactions"][0]["source_name"], "Default App");
    assert_eq!(sim.app_wallet(SANDBOX).await, SANDBOX_FUNDING - 200 - 5000);
    assert_eq!(sim.user_wallet(SANDBOX, &ana).await, 200);
    sim.advance(305.0).await;
    assert_eq!(sim.status_of(SANDBOX, &id_of(&r)).await, "completed");
    assert_eq!(sim.app_view(SANDBOX).await["money_out"], 5000);
}

#[tokio::test]
async fn a_fund_true_payout_the_app_wallet_cannot_cover_is_refused_naming_the_app_wallet() {
    let sim = sim(26);
    let ana = sim.user(PRODUCTION, "ana").await;

    let r = sim
        .payout(PRODUCTION, &ana, 1, "paypal", json!({"fund": true}))
        .await;

    let message = assert_error(&r, 400, "transaction-insufficient-funds");
    assert!(message.contains("app wallet"), "{message}");
    let list = sim.get(PRODUCTION, "/v2/transfers").await;
    assert_eq!(list.json["data"], json!([]));
}

#[tokio::test]
async fn a_failed_fund_true_payout_gives_its_money_back_to_the_app_wallet() {
    let sim = sim(27);
    let ana = sim.user(SANDBOX, "ana").await;

    let r = sim
        .payout(SANDBOX, &ana, 666, "paypal", json!({"fund": true}))
        .await;
    assert_eq!(r.status, 201, "{}", r.json);
    let id = id_of(&r);
    assert_eq!(sim.app_wallet(SANDBOX).await, SANDBOX_FUNDING - 666);

    sim.advance(5.0).await;
    assert_eq!(sim.status_of(SANDBOX, &id).await, "pending");
    sim.advance(300.0).await;
    assert_eq!(sim.status_of(SANDBOX, &id).await, "failed");
    assert_eq!(sim.app_wallet(SANDBOX).await, SANDBOX_FUNDING);
    assert_eq!(sim.user_wallet(SANDBOX, &ana).await, 0);
    assert_eq!(sim.app_view(SANDBOX).await["money_out"], 0);
}

#[tokio::test]
async fn a_failed_payout_from_the_user_wallet_gives_the_money_back_to_the_user() {
    let sim = sim(28);
    let ana = funded_user(&sim, SANDBOX, "ana", 1000).await;

    let id = id_of(&sim.payout(SANDBOX, &ana, 666, "cash_app", json!({})).await);
    assert_eq!(sim.user_wallet(SANDBOX, &ana).await, 334);
    sim.advance(305.0).await;

    assert_eq!(sim.status_of(SANDBOX, &id).await, "failed");
    assert_eq!(sim.user_wallet(SANDBOX, &ana).await, 1000);
    assert_eq!(sim.app_wallet(SANDBOX).await, SANDBOX_FUNDING - 1000);
}

#[tokio::test]
async fn the_magic_amounts_667_and_668_are_flagged_or_canceled_5_s_after_creation() {
    // (amount, status 5 s after creation, the user wallet then and a day later)
    for (amount, status, wallet) in [(667, "flagged", 333), (668, "canceled", 1000)] {
        let sim = sim(29);
        let ana = funded_user(&sim, SANDBOX, "ana", 1000).await;

        let id = id_of(&sim.payout(SANDBOX, &ana, amount, "paypal", json!({})).await);
        sim.advance(4.0).await;
        assert_eq!(sim.status_of(SANDBOX, &id).await, "created", "{amount}");
        assert_eq!(sim.user_wallet(SANDBOX, &ana).await, 1000 - amount);
        sim.advance(1.0).await;
        assert_eq!(sim.status_of(SANDBOX, &id).await, status, "{amount}");
        assert_eq!(sim.user_wallet(SANDBOX, &ana).await, wallet, "{amount}");
        sim.advance(86_400.0).await;

        assert_eq!(sim.status_of(SANDBOX, &id).await, status, "{amount}");
        assert_eq!(sim.user_wallet(SANDBOX, &ana).await, wallet, "{amount}");
    }
}

#[tokio::test]
async fn a_fault_rule_forces_the_outcome_of_the_next_payout_only() {
    let sim = faulty_sim(31);
    let ana = funded_user(&sim, SANDBOX, "ana", 2000).await;
    let rule = json!({
        "match": {"provider": "dots", "method": "POST", "path": "/api/v2/payouts"},
        "fault": {"kind": "outcome", "status": "failed"},
        "times": 1,
    });
    let loaded = sim.admin("POST", "/__admin/faults", Some(rule)).await;
    assert_eq!(loaded.status, 201, "{}", loaded.json);
    let rule_id = loaded.json["id"].as_str().unwrap().to_string();

    // A refused request creates nothing and leaves the outcome for the next one.
    let refused = sim.payout(SANDBOX, &ana, 5000, "paypal", json!({})).await;
    assert_error(&refused, 400, "transaction-insufficient-funds");
    let forced = id_of(&sim.payout(SANDBOX, &ana, 500, "paypal", json!({})).await);
    let free = id_of(&sim.payout(SANDBOX, &ana, 500, "paypal", json!({})).await);
    sim.advance(305.0).await;

    assert_eq!(sim.status_of(SANDBOX, &forced).await, "failed");
    assert_eq!(sim.status_of(SANDBOX, &free).await, "completed");
    assert_eq!(sim.user_wallet(SANDBOX, &ana).await, 1500);
    let log = sim
        .admin(
            "GET",
            &format!("/__admin/transitions?object={forced}"),
            None,
        )
        .await;
    let created = &log.json["transitions"][0];
    assert_eq!(created["cause"], "created");
    assert_eq!(created["forced_by"], rule_id.as_str());
    let rules = sim.admin("GET", "/__admin/faults", None).await;
    assert_eq!(rules.json["rules"][0]["hits"], 1, "{}", rules.json);
}

#[tokio::test]
async fn an_ach_payout_needs_the_account_id_of_the_users_ach_method() {
    let sim = sim(32);
    let ana = funded_user(&sim, SANDBOX, "ana", 1000).await;
    let paypal = sim
        .method(
            SANDBOX,
            &ana,
            json!({"platform": "paypal", "email": "ana@example.com"}),
        )
        .await;
    let account = sim.ach(SANDBOX, &ana).await;

    let missing = sim.payout(SANDBOX, &ana, 100, "ach", json!({})).await;
    let unknown = sim
        .payout(SANDBOX, &ana, 100, "ach", json!({"account_id": NOBODY}))
        .await;
    let not_ach = sim
        .payout(
            SANDBOX,
            &ana,
            100,
            "bank_transfer",
            json!({"account_id": paypal}),
        )
        .await;
    let ok = sim
        .payout(SANDBOX, &ana, 100, "ach", json!({"account_id": account}))
        .await;

    assert_eq!(
        assert_error(&missing, 400, "invalid-input"),
        "account_id: is required for ach"
    );
    assert!(assert_error(&unknown, 404, "not-found").contains(NOBODY));
    assert!(assert_error(&not_ach, 404, "not-found").contains(&paypal));
    assert_eq!(ok.status, 201, "{}", ok.json);
    assert_eq!(ok.json["external_data"]["platform"], "ach");
    assert_eq!(sim.user_wallet(SANDBOX, &ana).await, 900);
}

#[tokio::test]
async fn the_default_platform_pays_out_on_the_users_default_method() {
    let sim = sim(33);
    let ana = funded_user(&sim, SANDBOX, "ana", 1000).await;
    let ben = funded_user(&sim, SANDBOX, "ben", 1000).await;
    sim.method(
        SANDBOX,
        &ana,
        json!({"platform": "venmo", "handle": "@ana"}),
    )
    .await;

    let r = sim.payout(SANDBOX, &ana, 250, "default", json!({})).await;
    let none = sim.payout(SANDBOX, &ben, 250, "default", json!({})).await;

    assert_eq!(r.status, 201, "{}", r.json);
    assert_eq!(r.json["external_data"]["platform"], "venmo");
    assert_eq!(r.json["transactions"][0]["destination_name"], "venmo");
    assert!(assert_error(&none, 400, "user-info-missing").contains(&ben));
    assert_eq!(sim.user_wallet(SANDBOX, &ben).await, 1000);
    sim.advance(305.0).await;
    assert_eq!(sim.status_of(SANDBOX, &id_of(&r)).await, "completed");
}

#[tokio::test]
async fn a_payout_request_is_validated_field_by_field() {
    let sim = sim(34);
    let ana = funded_user(&sim, SANDBOX, "ana", 1000).await;
    let cases = [
        (
            json!({"user_id": ana, "amount": 0, "platform": "paypal"}),
            "amount:",
        ),
        (
            json!({"user_id": ana, "amount": 10, "platform": "zelle"}),
            "platform:",
        ),
        (
            json!({"user_id": ana, "amount": 10}),
            "platform: is required",
        ),
        (
            json!({"user_id": "ana", "amount": 10, "platform": "paypal"}),
            "user_id: must be a UUID",
        ),
        (
            json!({"user_id": ana, "amount": 10, "platform": "paypal", "tax_exempt": true}),
            "tax_exempt:",
        ),
        (
            json!({"user_id": ana, "amount": 10, "platform": "paypal", "fund": "yes"}),
            "fund:",
        ),
        (
            json!({"user_id": ana, "amount": 10, "platform": "paypal", "idempotency_key": "k1"}),
            "idempotency_key:",
        ),
    ];
    for (body, start) in cases {
        let r = sim.post(SANDBOX, "/v2/payouts", &body).await;
        let message = assert_error(&r, 400, "invalid-input");
        assert!(message.starts_with(start), "{body}: {message}");
    }
    assert_eq!(sim.user_wallet(SANDBOX, &ana).await, 1000);
}

#[tokio::test]
async fn a_platform_on_the_users_exclude_list_is_refused() {
    let sim = sim(35);
    let ana = funded_user(&sim, SANDBOX, "ana", 1000).await;
    let path = format!("/v2/users/{ana}");
    let patched = sim
        .dots(
            SANDBOX,
            "PATCH",
            &path,
            Some(&json!({"payout_options_exclude_list": ["venmo"]})),
        )
        .await;
    assert_eq!(patched.status, 200, "{}", patched.json);

    let r = sim.payout(SANDBOX, &ana, 100, "venmo", json!({})).await;

    assert!(assert_error(&r, 400, "invalid-input").contains("venmo is excluded"));
    assert_eq!(sim.user_wallet(SANDBOX, &ana).await, 1000);
}

#[tokio::test]
async fn a_seen_idempotency_key_on_a_payout_is_409_whatever_the_body_and_moves_no_money() {
    let sim = sim(36);
    let ana = funded_user(&sim, SANDBOX, "ana", 1000).await;
    let k = key(10);

    let first = sim
        .payout(SANDBOX, &ana, 100, "paypal", json!({"idempotency_key": k}))
        .await;
    let again = sim
        .payout(SANDBOX, &ana, 100, "paypal", json!({"idempotency_key": k}))
        .await;
    let other = sim
        .payout(SANDBOX, &ana, 300, "venmo", json!({"idempotency_key": k}))
        .await;

    assert_eq!(first.status, 201, "{}", first.json);
    let message = assert_error(&again, 409, "invalid-input");
    assert!(
        message.starts_with("Payout with idempotency_key"),
        "{message}"
    );
    assert_error(&other, 409, "invalid-input");
    assert_eq!(sim.user_wallet(SANDBOX, &ana).await, 900);
    let payouts = sim.get(SANDBOX, "/v2/transfers?type=payout").await;
    assert_eq!(payouts.json["data"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn a_payout_key_may_be_used_again_after_24_hours() {
    let sim = sim(37);
    let ana = funded_user(&sim, SANDBOX, "ana", 1000).await;
    let body = json!({"idempotency_key": key(11)});
    let first = sim.payout(SANDBOX, &ana, 100, "paypal", body.clone()).await;
    assert_eq!(first.status, 201);

    sim.advance(24.0 * 3600.0 - 1.0).await;
    let early = sim.payout(SANDBOX, &ana, 100, "paypal", body.clone()).await;
    sim.advance(1.0).await;
    let late = sim.payout(SANDBOX, &ana, 100, "paypal", body).await;

    assert_error(&early, 409, "invalid-input");
    assert_eq!(late.status, 201, "{}", late.json);
    assert_ne!(late.json["id"], first.json["id"]);
}

#[tokio::test]
async fn the_back_office_forces_a_payout_to_fail_and_its_money_comes_back() {
    let sim = sim(38);
    let ana = sim.user(SANDBOX, "ana").await;
    let account = sim.ach(SANDBOX, &ana).await;
    let body = json!({"account_id": account, "fund": true});
    let id = id_of(&sim.payout(SANDBOX, &ana, 4000, "ach", body).await);
    sim.advance(5.0).await;

    let r = force(&sim, &id, "failed").await;

    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(r.json["id"], id.as_str());
    assert_eq!(r.json["status"], "failed");
    assert_eq!(sim.status_of(SANDBOX, &id).await, "failed");
    assert_eq!(sim.app_wallet(SANDBOX).await, SANDBOX_FUNDING);
}

#[tokio::test]
async fn the_back_office_completes_a_sandbox_ach_payout_and_reverses_it_later() {
    let sim = sim(39);
    let ana = funded_user(&sim, SANDBOX, "ana", 1000).await;
    let account = sim.ach(SANDBOX, &ana).await;
    let id = id_of(&(sim.payout(SANDBOX, &ana, 800, "ach", json!({"account_id": account}))).await);
    sim.advance(5.0).await;

    let done = force(&sim, &id, "completed").await;
    let app = sim.app_view(SANDBOX).await;
    let reversed = force(&sim, &id, "reversed").await;

    assert_eq!(done.json["status"], "completed", "{}", done.json);
    assert_eq!(app["money_out"], 800);
    assert_eq!(reversed.json["status"], "reversed", "{}", reversed.json);
    assert_eq!(sim.app_view(SANDBOX).await["money_out"], 0);
    assert_eq!(sim.user_wallet(SANDBOX, &ana).await, 1000);
    let log = sim
        .admin("GET", &format!("/__admin/transitions?object={id}"), None)
        .await;
    let causes: Vec<(&Value, &Value)> = (log.json["transitions"].as_array().unwrap().iter())
        .map(|t| (&t["to"], &t["cause"]))
        .collect();
    assert_eq!(
        causes,
        [
            (&json!("created"), &json!("created")),
            (&json!("pending"), &json!("timeline")),
            (&json!("completed"), &json!("admin")),
            (&json!("reversed"), &json!("admin")),
        ]
    );
}

#[tokio::test]
async fn a_payout_put_back_on_the_way_is_debited_again_and_then_completes() {
    let sim = sim(40);
    let ana = funded_user(&sim, SANDBOX, "ana", 1000).await;
    let id = id_of(&sim.payout(SANDBOX, &ana, 600, "paypal", json!({})).await);
    force(&sim, &id, "canceled").await;
    assert_eq!(sim.user_wallet(SANDBOX, &ana).await, 1000);

    let back = force(&sim, &id, "pending").await;

    assert_eq!(back.status, 200, "{}", back.json);
    assert_eq!(back.json["status"], "pending");
    assert_eq!(sim.user_wallet(SANDBOX, &ana).await, 400);
    sim.advance(300.0).await;
    assert_eq!(sim.status_of(SANDBOX, &id).await, "completed");
}

#[tokio::test]
async fn leaving_a_refunded_status_the_wallet_no_longer_covers_is_409() {
    let sim = sim(41);
    let ana = funded_user(&sim, SANDBOX, "ana", 1000).await;
    let id = id_of(&sim.payout(SANDBOX, &ana, 600, "paypal", json!({})).await);
    force(&sim, &id, "failed").await;
    let spent = sim.payout(SANDBOX, &ana, 900, "venmo", json!({})).await;
    assert_eq!(spent.status, 201);

    let r = force(&sim, &id, "pending").await;

    assert_eq!(r.status, 409, "{}", r.json);
    assert!(
        r.json["error"].as_str().unwrap().contains("600 cents"),
        "{}",
        r.json
    );
    assert_eq!(sim.status_of(SANDBOX, &id).await, "failed");
    assert_eq!(sim.user_wallet(SANDBOX, &ana).await, 100);
}

#[tokio::test]
async fn the_back_office_refuses_an_unknown_status_an_unknown_payout_and_a_balance_transfer() {
    let sim = sim(42);
    let ana = funded_user(&sim, SANDBOX, "ana", 1000).await;
    let payout = id_of(&sim.payout(SANDBOX, &ana, 100, "paypal", json!({})).await);
    let list = sim.get(SANDBOX, "/v2/transfers?type=balance").await;
    let balance = list.json["data"][0]["id"].as_str().unwrap().to_string();

    let bad_status = force(&sim, &payout, "settled").await;
    let unknown = force(&sim, NOBODY, "failed").await;
    let plain = force(&sim, &balance, "failed").await;

    assert_eq!(bad_status.status, 400, "{}", bad_status.json);
    assert!(
        bad_status.json["error"]
            .as_str()
            .unwrap()
            .contains("settled")
    );
    assert_eq!(unknown.status, 404, "{}", unknown.json);
    assert_eq!(plain.status, 404, "{}", plain.json);
    assert_eq!(sim.status_of(SANDBOX, &payout).await, "created");
    assert_eq!(sim.status_of(SANDBOX, &balance).await, "completed");
}
