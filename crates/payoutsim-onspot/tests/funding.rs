//! Funding and activation on the simulated clock: live payouts wait for bank transfers, activate
//! in creation order, are paid after a business day or fail with a credit back; test payouts
//! activate at once. The back office's transfer, force and delay actions, and the cause each move
//! is logged with.

mod support;

use payoutsim_core::machine::Delay;
use serde_json::json;
use support::*;

/// Live tenant with three payouts of 100, 300 and 50, created unfunded.
async fn three_live_payouts(sim: &Sim) -> String {
    let token = sim.token_ok("live", PK).await;
    let body = json!([individual("100"), individual("300"), individual("50")]);
    sim.create(&token, "live", &body).await.entries();
    tenant("live", PK)
}

#[tokio::test]
async fn live_payouts_wait_for_funds() {
    let sim = sim(1);

    let t = three_live_payouts(&sim).await;

    assert_eq!(sim.statuses(&t).await, ["pending_funding"; 3]);
    assert_eq!(sim.balance(&t).await["pending_funding"], "450.00");
}

#[tokio::test]
async fn a_transfer_activates_payouts_in_creation_order_while_it_covers_them() {
    let sim = sim(1);
    let t = three_live_payouts(&sim).await;

    let r = sim.transfer(&t, "350.00").await;

    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(r.json["activated"].as_array().unwrap().len(), 1);
    // The 300 does not fit in the 250 left, and the 50 behind it waits its turn.
    assert_eq!(
        sim.statuses(&t).await,
        ["active", "pending_funding", "pending_funding"]
    );
    let balance = sim.balance(&t).await;
    assert_eq!(balance["available"], "250.00");
    assert_eq!(balance["in_flight"], "100.00");
    assert_eq!(balance["funded"], "350.00");
}

#[tokio::test]
async fn more_funds_activate_the_rest() {
    let sim = sim(1);
    let t = three_live_payouts(&sim).await;
    sim.transfer(&t, "350").await;

    sim.transfer(&t, "100").await;

    assert_eq!(sim.statuses(&t).await, ["active"; 3]);
    assert_eq!(sim.balance(&t).await["available"], "0.00");
}

#[tokio::test]
async fn active_live_payouts_are_paid_one_business_day_later() {
    let sim = sim(1);
    let t = three_live_payouts(&sim).await;
    sim.transfer(&t, "1000").await;

    sim.engine.advance(86_399.0, None).await;
    let before = sim.statuses(&t).await;
    sim.engine.advance(3.0 * 86_400.0, None).await;

    assert_eq!(before, ["active"; 3]);
    assert_eq!(sim.statuses(&t).await, ["paid"; 3]);
    let balance = sim.balance(&t).await;
    assert_eq!(balance["paid"], "450.00");
    assert_eq!(balance["available"], "550.00");
}

#[tokio::test]
async fn test_payouts_activate_at_once_and_are_paid_after_five_minutes() {
    let sim = sim(1);
    let (token, t) = sim.signed_in("test", PK).await;

    sim.create(&token, "test", &json!([individual("100")]))
        .await;
    let at_once = sim.statuses(&t).await;
    sim.engine.advance(300.0, None).await;

    assert_eq!(at_once, ["active"]);
    assert_eq!(sim.statuses(&t).await, ["paid"]);
    assert_eq!(sim.balance(&t).await["available"], "0.00");
}

#[tokio::test]
async fn a_magic_document_fails_and_its_amount_funds_the_next_payout() {
    let sim = sim(1);
    let (token, t) = sim.signed_in("live", PK).await;
    let failing = with_document("100", "4000000001");
    sim.create(&token, "live", &json!([failing, individual("100")]))
        .await;
    sim.transfer(&t, "100").await;

    sim.engine.advance(4.0 * 86_400.0, None).await;

    let view = sim.payouts(&t).await;
    let payouts = view["payouts"].as_array().unwrap();
    assert_eq!(payouts[0]["status"], "failed");
    assert_eq!(payouts[0]["reason"], "BENEFICIARY_NOT_FOUND");
    // The credit back activated the second payout, which was then paid.
    assert_eq!(payouts[1]["status"], "paid");
    assert_eq!(view["balances"][&t]["available"], "0.00");
}

#[tokio::test]
async fn magic_values_reach_their_documented_outcomes() {
    let sim = sim(1);
    let (token, t) = sim.signed_in("test", PK).await;
    let body = json!([
        with_document("10", "4000000002"),
        with_document("10", "4000000003"),
        individual("666.66")
    ]);
    sim.create(&token, "test", &body).await;

    sim.engine.advance(7.0 * 86_400.0, None).await;

    let view = sim.payouts(&t).await;
    let p = view["payouts"].as_array().unwrap();
    assert_eq!(
        (&p[0]["status"], &p[0]["reason"]),
        (&json!("failed"), &json!("DOCUMENT_MISMATCH"))
    );
    assert_eq!(p[1]["status"], "active");
    assert_eq!(
        (&p[2]["status"], &p[2]["reason"]),
        (&json!("failed"), &json!("BANK_REJECTED"))
    );
}

#[tokio::test]
async fn the_back_office_forces_a_status_with_its_balance_effect() {
    let sim = sim(1);
    let t = three_live_payouts(&sim).await;
    sim.transfer(&t, "100").await;
    let first = sim.uuids(&t).await.remove(0);

    let r = sim
        .force(&first, json!({"status": "failed", "reason": "RETURNED"}))
        .await;

    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(r.json["payout"]["status"], "failed");
    assert_eq!(r.json["payout"]["reason"], "RETURNED");
    // The 100 credited back is not enough for the 300 next in line.
    assert_eq!(r.json["balance"]["available"], "100.00");
    assert_eq!(
        sim.statuses(&t).await,
        ["failed", "pending_funding", "pending_funding"]
    );
}

#[tokio::test]
async fn forcing_a_payout_active_without_funds_is_a_conflict() {
    let sim = sim(1);
    let t = three_live_payouts(&sim).await;
    let first = sim.uuids(&t).await.remove(0);

    let conflict = sim.force(&first, json!({"status": "paid"})).await;
    let unknown = sim.force(&first, json!({"status": "lost"})).await;
    let missing = sim.force("nope", json!({"status": "paid"})).await;

    assert_eq!(conflict.status, 409);
    assert!(conflict.json["error"].is_string());
    assert_eq!(unknown.status, 400);
    assert_eq!(missing.status, 404);
    assert_eq!(sim.statuses(&t).await, ["pending_funding"; 3]);
}

#[tokio::test]
async fn a_transfer_goes_through_provider_fund_and_refuses_bad_input() {
    let sim = sim(1);
    let t = tenant("live", "fresh-key");

    let funded = sim.provider.fund(&t, "25").unwrap();
    let bad_tenant = sim.transfer("onspot:prod:k", "10").await;
    let bad_amount = sim.transfer(&t, "98l00").await;
    let zero = sim.transfer(&t, "0").await;

    assert_eq!(funded["balance"]["available"], "25.00");
    for r in [bad_tenant, bad_amount, zero] {
        assert_eq!(r.status, 400, "{}", r.json);
        assert!(r.json["error"].is_string());
    }
}

#[tokio::test]
async fn a_funded_key_is_bound_to_its_environment() {
    let sim = sim(1);
    sim.transfer(&tenant("live", PK), "10").await;

    let test_token = sim.token("test", PK, SK).await;
    let other_env_transfer = sim.transfer(&tenant("test", PK), "10").await;
    let live_token = sim.token("live", PK, SK).await;

    test_token.assert_nest(401, "Unauthorized");
    assert_eq!(other_env_transfer.status, 400);
    assert_eq!(live_token.status, 201);
}

#[tokio::test]
async fn environments_keep_separate_data_and_balances() {
    let sim = sim(1);
    let live = sim.token_ok("live", PK).await;
    let test = sim.token_ok("test", "test-key").await;
    sim.create(&live, "live", &json!([individual("1")])).await;
    sim.transfer(&tenant("live", PK), "5").await;

    sim.create(&test, "test", &json!([individual("2"), individual("3")]))
        .await;

    let live_view = sim.view("/payouts?environment=live").await;
    let test_view = sim.view("/payouts?environment=test").await;
    assert_eq!(live_view["payouts"].as_array().unwrap().len(), 1);
    assert_eq!(test_view["payouts"].as_array().unwrap().len(), 2);
    assert_eq!(
        test_view["balances"][tenant("test", "test-key")]["funded"],
        "0.00"
    );
}

#[tokio::test]
async fn a_changed_delay_applies_to_payouts_activated_afterwards() {
    let sim = sim(1);
    let (token, t) = sim.signed_in("live", PK).await;
    assert!(
        sim.provider
            .set_delay("payout", "live", "active", "paid", Delay::Seconds(60))
    );
    assert!(!sim.provider.set_delay(
        "payout",
        "live",
        "pending_funding",
        "active",
        Delay::Seconds(1)
    ));
    sim.transfer(&t, "10").await;

    sim.create(&token, "live", &json!([individual("10")])).await;
    sim.engine.advance(60.0, None).await;

    assert_eq!(sim.statuses(&t).await, ["paid"]);
}

#[tokio::test]
async fn objects_and_machines_show_the_state_and_the_table() {
    let sim = sim(1);
    let t = three_live_payouts(&sim).await;
    sim.transfer(&t, "100").await;

    let objects = sim.object_list(Some(&t), None);
    let machines = sim.view("/machines").await;
    let transitions = sim.engine.transitions(Some("onspot"), None);

    let kinds: Vec<&str> = (objects.iter())
        .map(|o| o["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["payout", "payout", "payout", "transfer", "balance"]);
    assert_eq!(machines["machines"].as_array().unwrap().len(), 2);
    assert_eq!(machines["machines"][0]["initial"], "pending_funding");
    let moves: Vec<(Option<String>, String)> = transitions
        .iter()
        .map(|r| (r.from.map(String::from), r.to.into()))
        .collect();
    assert_eq!(moves.len(), 4);
    assert_eq!(moves[3], (Some("pending_funding".into()), "active".into()));
}

#[tokio::test]
async fn reset_forgets_payouts_bindings_and_tokens() {
    let sim = sim(1);
    let token = sim.token_ok("live", PK).await;
    sim.create(&token, "live", &json!([individual("1")])).await;

    sim.engine.reset(Some("onspot"));

    let r = sim.create(&token, "live", &json!([individual("1")])).await;
    r.assert_nest(401, "Unauthorized");
    assert_eq!(sim.token("test", PK, SK).await.status, 201);
}

#[tokio::test]
async fn activation_by_funds_is_logged_as_timeline_and_a_forced_status_as_admin() {
    let sim = sim(1);
    let t = three_live_payouts(&sim).await;
    sim.transfer(&t, "100").await;
    let first = sim.uuids(&t).await.remove(0);

    sim.force(&first, json!({"status": "failed"})).await;

    let log: Vec<(&str, Option<String>, String)> = (sim.engine.transitions(Some("onspot"), None))
        .into_iter()
        .skip(3)
        .map(|r| (r.cause, r.from.map(String::from), r.to.into()))
        .collect();
    assert_eq!(
        log,
        [
            ("timeline", Some("pending_funding".into()), "active".into()),
            ("admin", Some("active".into()), "failed".into()),
        ]
    );
}

#[tokio::test]
async fn a_forced_failure_takes_the_reason_given_else_forced_over_a_magic_reason() {
    let sim = sim(1);
    let (token, t) = sim.signed_in("test", PK).await;
    let item = with_document("10", "4000000001");
    sim.create(&token, "test", &json!([item])).await;
    let uuid = sim.uuids(&t).await.remove(0);

    let without = sim.force(&uuid, json!({"status": "failed"})).await;
    let with = sim
        .force(&uuid, json!({"status": "failed", "reason": "RETURNED"}))
        .await;

    assert_eq!(without.json["payout"]["reason"], "FORCED");
    assert_eq!(with.json["payout"]["reason"], "RETURNED");
}

#[tokio::test]
async fn a_payout_parked_in_pending_funding_waits_for_the_next_transfer() {
    let sim = sim(1);
    let (token, t) = sim.signed_in("live", PK).await;
    sim.transfer(&t, "1000").await;
    sim.create(&token, "live", &json!([individual("100")]))
        .await;
    let uuid = sim.uuids(&t).await.remove(0);

    let parked = sim.force(&uuid, json!({"status": "pending_funding"})).await;
    let transfer = sim.transfer(&t, "1").await;

    assert_eq!(parked.json["payout"]["status"], "pending_funding");
    assert_eq!(parked.json["balance"]["available"], "1000.00");
    assert_eq!(parked.json["activated"], json!([]));
    assert_eq!(transfer.json["activated"], json!([uuid]));
    assert_eq!(sim.statuses(&t).await, ["active"]);
}

#[tokio::test]
async fn a_forced_status_reruns_activation_for_a_parked_payout() {
    let sim = sim(1);
    let (token, t) = sim.signed_in("live", PK).await;
    sim.transfer(&t, "1000").await;
    sim.create(
        &token,
        "live",
        &json!([individual("100"), individual("200")]),
    )
    .await;
    let ids = sim.uuids(&t).await;
    sim.force(&ids[0], json!({"status": "pending_funding"}))
        .await;

    // The second payout moves between two debited statuses: no money changes hands, and the
    // parked first one is activated all the same.
    let r = sim.force(&ids[1], json!({"status": "paid"})).await;

    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(r.json["activated"], json!([ids[0]]));
    assert_eq!(sim.statuses(&t).await, ["active", "paid"]);
    assert_eq!(sim.balance(&t).await["available"], "700.00");
}

#[tokio::test]
async fn a_funded_payout_paid_4294967295_business_days_later_is_answered_and_kept_whole() {
    let sim = sim(13);
    let (token, t) = sim.signed_in("live", PK).await;
    sim.transfer(&t, "1000.00").await;
    // Past the admin API's check (code can still set it), the engine schedules it at the latest time.
    let huge = Delay::BusinessDays(u32::MAX);
    assert!(
        sim.provider
            .set_delay("payout", "live", "active", "paid", huge)
    );
    let started = std::time::Instant::now();

    let r = sim
        .create(
            &token,
            "live",
            &json!([individual("100"), individual("98l00")]),
        )
        .await;

    let entries = r.entries();
    assert!(started.elapsed() < std::time::Duration::from_millis(500));
    assert_eq!(entries[0]["action"], "success");
    assert_eq!(entries[1]["action"], "error");
    assert_eq!(sim.uuids(&t).await, [entries[0]["uuid"].as_str().unwrap()]);
    assert_eq!(sim.statuses(&t).await, ["active"]);
    assert_eq!(sim.balance(&t).await["available"], "900.00");
}

#[tokio::test]
async fn a_payout_parked_again_waits_in_its_creation_place_ahead_of_a_newer_one() {
    let sim = sim(1);
    let (token, t) = sim.signed_in("live", PK).await;
    sim.transfer(&t, "1000").await;
    let body = json!([individual("100"), individual("200"), individual("900")]);
    sim.create(&token, "live", &body).await;
    let ids = sim.uuids(&t).await;
    // The 900 does not fit in the 700 left: it waits. Parking the first puts it back in line,
    // in its creation place, ahead of the 900.
    sim.force(&ids[0], json!({"status": "pending_funding"}))
        .await;

    let transfer = sim.transfer(&t, "1").await;

    assert_eq!(transfer.json["activated"], json!([ids[0]]));
    assert_eq!(
        sim.statuses(&t).await,
        ["active", "active", "pending_funding"]
    );
    assert_eq!(sim.balance(&t).await["available"], "701.00");
}
