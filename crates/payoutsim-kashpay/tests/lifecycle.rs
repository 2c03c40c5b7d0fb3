//! Router tests of an order's life on the simulated clock: settlement, returns (devolución) with
//! their credit and type-2 operation, magic values, forced outcomes, and the back office.

mod support;

use axum::body::Body;
use http::Request;
use payoutsim_core::forced::{ForcedOutcome, OutcomeSlot};
use payoutsim_core::machine::Delay;
use serde_json::{Value, json};
use support::*;

const UNKNOWN_ACCOUNT: &str = "646180000000000012";
const STUCK: &str = "646180000000000041";

/// An order to `account` at STP (bank 646), where the magic CLABEs are.
fn stp_order(reference: &str, amount: Value, account: &str) -> Value {
    with(
        order_body(reference, amount, account),
        json!({"codeInstituteBank": "646"}),
    )
}

fn order_id(r: &Resp) -> String {
    r.json["orderEntityResponse"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

#[tokio::test]
async fn an_order_settles_after_sixty_simulated_seconds() {
    // Arrange
    let (sim, auth) = signed_in(3).await;
    sim.order(&auth, order_body("S1", json!(100), CLABE)).await;

    // Act
    sim.advance(59.0).await;
    let before = sim.status_of(&auth, "S1").await;
    sim.advance(1.0).await;
    let after = sim
        .search(&auth, json!({"alphanumericReference": "S1"}))
        .await;

    // Assert
    assert_eq!(before, 25);
    let o = &after.json["orderEntityResponse"];
    assert_eq!(o["status"], 26);
    assert_eq!(o["uptadedAt"], "2026-01-05T14:01:00.000+0000");
    assert_eq!(sim.balance_cents(&auth).await, (START - 100) * 100);
}

#[tokio::test]
async fn a_magic_clabe_is_returned_and_the_amount_credited_back_as_a_type_2_operation() {
    let (sim, auth) = signed_in(3).await;
    sim.order(&auth, stp_order("R1", json!(40.5), UNKNOWN_ACCOUNT))
        .await;

    sim.advance(300.0).await;

    assert_eq!(sim.status_of(&auth, "R1").await, 27);
    assert_eq!(sim.balance_cents(&auth).await, START * 100);
    let ops = sim.operations(&auth, &[]).await;
    let newest = &ops.json["operations"][0];
    assert_eq!(newest["type"], 2);
    assert_eq!(newest["transactionType"], "DEVOLUCIÓN SPEI");
    assert_eq!(newest["responseCode"], "CUENTA_INEXISTENTE");
    assert_eq!(newest["amount"], json!(40.5));
    assert_eq!(newest["finalBalance"], START);
    assert_eq!(ops.json["operations"][1]["type"], 1);
    assert_eq!(ops.json["operations"][1]["status"], 27);
}

#[tokio::test]
async fn the_magic_amount_666_is_returned_and_the_stuck_clabe_stays_at_25() {
    let (sim, auth) = signed_in(3).await;
    sim.order(&auth, order_body("M666", json!(666), CLABE))
        .await;
    sim.order(&auth, stp_order("STUCK", json!(1), STUCK)).await;

    sim.advance(3_600.0).await;

    assert_eq!(sim.status_of(&auth, "M666").await, 27);
    assert_eq!(sim.status_of(&auth, "STUCK").await, 25);
}

#[tokio::test]
async fn a_forced_outcome_in_the_request_extensions_decides_the_order() {
    let (sim, auth) = signed_in(3).await;
    let slot = OutcomeSlot::new(ForcedOutcome {
        status: "returned".into(),
        reason: Some("CUENTA_BLOQUEADA".into()),
        rule: "rule-1".into(),
    });
    let mut req = Request::post("/OKPay/createOrder")
        .header("authorization", format!("Bearer {}", auth.token))
        .header("entity-i", ENTITY)
        .header("content-type", "application/json")
        .body(Body::from(order_body("F1", json!(10), CLABE).to_string()))
        .unwrap();
    req.extensions_mut().insert(slot.clone());

    let r = sim.send(req).await;
    sim.advance(300.0).await;

    assert_eq!(r.json["success"], true, "{}", r.json);
    assert!(slot.is_taken());
    assert_eq!(sim.status_of(&auth, "F1").await, 27);
    let ops = sim.operations(&auth, &[("type", "2")]).await;
    assert_eq!(
        ops.json["operations"][0]["responseCode"],
        "CUENTA_BLOQUEADA"
    );
    let created = &sim.engine.transitions(Some("kashpay"), None)[0];
    assert_eq!(created.forced_by.as_deref(), Some("rule-1"));
}

#[tokio::test]
async fn a_refused_order_leaves_the_forced_outcome_for_the_next_one() {
    let (sim, auth) = signed_in(3).await;
    let slot = OutcomeSlot::new(ForcedOutcome {
        status: "returned".into(),
        reason: None,
        rule: "rule-2".into(),
    });
    let mut req = Request::post("/OKPay/createOrder")
        .header("authorization", format!("Bearer {}", auth.token))
        .header("entity-i", ENTITY)
        .body(Body::from(r#"{"amount": 10}"#))
        .unwrap();
    req.extensions_mut().insert(slot.clone());

    let r = sim.send(req).await;

    assert_eq!(r.json["success"], false);
    assert!(!slot.is_taken());
}

#[tokio::test]
async fn delays_are_data_and_can_be_changed() {
    let (sim, auth) = signed_in(3).await;
    assert!(
        sim.provider
            .set_delay("order", "", "accepted", "settled", Delay::Seconds(5))
    );
    assert!(
        !sim.provider
            .set_delay("order", "", "settled", "accepted", Delay::Seconds(5))
    );
    sim.order(&auth, order_body("D1", json!(1), CLABE)).await;

    sim.advance(5.0).await;

    assert_eq!(sim.status_of(&auth, "D1").await, 26);
    let machines = sim.provider.machines();
    assert_eq!(machines[0].kind, "order");
    assert_eq!(machines[0].terminal, vec!["settled", "returned"]);
}

#[tokio::test]
async fn the_back_office_funds_forces_a_return_and_lists_objects() {
    let (sim, auth) = signed_in(3).await;
    let created = sim.order(&auth, order_body("B1", json!(500), CLABE)).await;
    let id = order_id(&created);
    let amount = "250";

    let funded = sim.provider.fund("kashpay:com.onsigna", amount).unwrap();
    let forced = sim.force(&id, "27").await;
    let again = sim.force(&id, "settled").await;
    let unknown = sim.force("nope", "settled").await;
    let bad_tenant = sim.provider.fund("onepay:x", amount);
    let too_precise = sim.provider.fund("kashpay:com.onsigna", "0.001");

    assert_eq!(funded["balance"], START - 500 + 250);
    assert_eq!(forced.status, 200, "{}", forced.json);
    assert_eq!(forced.json["status"], 27);
    assert_eq!(again.json["status"], 26);
    assert_eq!(unknown.status, 404);
    assert!(unknown.json["error"].is_string());
    assert!(bad_tenant.is_err());
    assert!(too_precise.is_err());
    assert_eq!(sim.balance_cents(&auth).await, (START - 500 + 250) * 100);
    let objects = sim
        .provider
        .objects(Some("kashpay:com.onsigna"), Some("entity"));
    let money = &objects["objects"][0]["money"];
    assert_eq!(money["funded"], START + 250);
    assert_eq!(money["paid_out"], 500);
    let types: Vec<Value> = sim.operations(&auth, &[]).await.json["operations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["type"].clone())
        .collect();
    assert_eq!(types, vec![json!(1), json!(2), json!(3), json!(1)]);
}

#[tokio::test]
async fn leaving_returned_is_refused_when_the_balance_cannot_cover_the_debit_again() {
    // Arrange: an entity of 100 MXN whose first order is returned and whose second spends it all
    let (sim, auth) = signed_in_with(3, starting_with(100)).await;
    let first = order_id(&sim.order(&auth, order_body("L1", json!(100), CLABE)).await);
    let returned = sim.force(&first, "returned").await;
    let second = order_id(&sim.order(&auth, order_body("L2", json!(100), CLABE)).await);

    // Act
    let refused = sim.force(&first, "settled").await;
    sim.advance(60.0).await;

    // Assert
    assert_eq!(returned.status, 200, "{}", returned.json);
    assert_eq!(refused.status, 409, "{}", refused.json);
    assert!(
        refused.json["error"]
            .as_str()
            .is_some_and(|e| e.contains("leaving `returned`")),
        "{}",
        refused.json
    );
    assert_eq!(sim.status_of(&auth, "L1").await, 27);
    assert_eq!(sim.status_of(&auth, "L2").await, 26);
    assert_eq!(sim.balance_cents(&auth).await, 0);
    let log: Vec<(String, &str)> = (sim.engine.transitions(Some("kashpay"), None).iter())
        .map(|t| (t.object_id.clone(), t.cause))
        .collect();
    assert_eq!(
        log,
        vec![
            (first.clone(), "created"),
            (first, "admin"),
            (second.clone(), "created"),
            (second, "timeline"),
        ]
    );
}

#[tokio::test]
async fn get_operations_pages_and_filters_by_headers() {
    let (sim, auth) = signed_in(3).await;
    for i in 0..5 {
        sim.order(&auth, order_body(&format!("P{i}"), json!(1), CLABE))
            .await;
    }
    sim.advance(60.0).await;
    sim.order(&auth, order_body("P5", json!(1), CLABE)).await;

    let page1 = sim.operations(&auth, &[("page", "1"), ("size", "2")]).await;
    let accepted = sim
        .operations(&auth, &[("status", "25"), ("type", "1")])
        .await;
    let bad = sim.operations(&auth, &[("size", "many")]).await;
    let unknown_type = sim.operations(&auth, &[("type", "5")]).await;

    assert_eq!(page1.json["success"], true);
    assert_eq!(page1.json["totalItems"], 6);
    assert_eq!(page1.json["totalPages"], 3);
    assert_eq!(page1.json["currentPage"], 1);
    assert_eq!(page1.json["operations"][0]["alphanumericReference"], "P3");
    assert_eq!(accepted.json["totalItems"], 1);
    assert_eq!(
        accepted.json["operations"][0]["alphanumericReference"],
        "P5"
    );
    bad.assert_error(200, "ValidationException", 1010);
    unknown_type.assert_error(200, "ValidationException", 1010);
}

#[tokio::test]
async fn get_balance_shows_the_documented_entity_with_a_valid_seeded_clabe() {
    let (sim, auth) = signed_in(3).await;

    let r = sim.balance(&auth).await;

    assert_eq!(r.status, 200);
    let e = &r.json["onsignaEntity"];
    assert_eq!(e["id"], ENTITY);
    assert_eq!(e["prefix"], "on");
    assert_eq!(e["name"], "Onsigna");
    assert_eq!(e["balance"], START);
    assert_eq!(e["warrantyBalance"], 0);
    assert_eq!(e["assignClabeAccount"], true);
    let clabe = e["clabeAccount"].as_str().unwrap();
    assert!(payoutsim_kashpay::clabe::is_valid(clabe), "{clabe}");
    for k in [
        "fiscalID",
        "branchAcount",
        "webhookURL",
        "fatherID",
        "feeID",
        "liquidationLevel",
    ] {
        assert!(e.get(k).is_some(), "{k} missing from {e}");
    }
    assert_eq!(r.json["totalItems"], 0);
}

#[tokio::test]
async fn an_order_due_past_year_9999_is_kept_whole_with_its_debit_and_the_admin_refuses_that_delay()
{
    let (sim, auth) = signed_in(11).await;
    let edge = json!({"kind": "order", "variant": "SPEI", "from": "accepted", "to": "settled"});
    let mut refused = Vec::new();
    for (field, value) in [
        ("seconds", json!(9_223_372_036_854_775_807_i64)),
        ("seconds", json!(8_000_000_000_000_000_i64)),
    ] {
        let mut body = edge.clone();
        body[field] = value;
        let path = "/__admin/providers/kashpay/machines";
        refused.push(sim.admin("POST", path, Some(body)).await);
    }
    // Past the admin API's check (code can still set it), the engine schedules it at the latest time.
    let huge = Delay::Seconds(i64::MAX);
    assert!(
        sim.provider
            .set_delay("order", "SPEI", "accepted", "settled", huge)
    );

    let created = sim
        .order(&auth, order_body("HUGE1", json!(250), CLABE))
        .await;
    let found = sim
        .search(&auth, json!({"alphanumericReference": "HUGE1"}))
        .await;

    for r in &refused {
        assert_eq!(r.status, 400, "{}", r.json);
        let error = r.json["error"].as_str().unwrap();
        assert!(
            error.starts_with("`seconds` must be between 0 and 3153600000"),
            "{error}"
        );
    }
    assert_eq!(created.status, 200, "{}", created.json);
    assert_eq!(sim.balance_cents(&auth).await, (START - 250) * 100);
    assert_eq!(found.status, 200, "{}", found.json);
    assert_eq!(sim.status_of(&auth, "HUGE1").await, 25);
}
