//! An entity's orders, bounded (`--max-objects-per-tenant`): settled and returned orders are
//! dropped oldest first, with their operations, and the books still balance.

#![allow(clippy::unwrap_used)] // helpers outside #[test] fns: a failed unwrap is a failed test

mod support;

use payoutsim_core::{Engine, testkit};
use payoutsim_kashpay::KashpayConfig;
use serde_json::{Value, json};
use support::*;

/// A session of [`ENTITY`] on an engine whose tenants hold at most `objects` objects.
async fn bounded(objects: usize) -> (Sim, Auth) {
    let mut config = testkit::sim_config(3);
    config.max_objects_per_tenant = objects;
    let sim = Sim::with_engine(Engine::new(config), KashpayConfig::default());
    let auth = sim.session(ENTITY).await;
    (sim, auth)
}

/// An entity capped at 2 orders holding A1 and B1, both settled: the next order drops A1.
async fn two_settled() -> (Sim, Auth) {
    let (sim, auth) = bounded(2).await;
    for reference in ["A1", "B1"] {
        let made = sim
            .order(&auth, order_body(reference, json!(100), CLABE))
            .await;
        assert_eq!(made.status, 200, "{}", made.json);
    }
    sim.advance(120.0).await;
    (sim, auth)
}

fn money(sim: &Sim) -> Value {
    let objects = (sim.provider).objects(Some("kashpay:com.onsigna"), Some("entity"));
    objects["objects"][0]["money"].clone()
}

#[tokio::test]
async fn an_order_past_the_cap_drops_the_oldest_settled_one_and_the_books_still_balance() {
    let (sim, auth) = two_settled().await;

    let third = sim.order(&auth, order_body("C1", json!(100), CLABE)).await;

    assert_eq!(third.status, 200, "{}", third.json);
    let gone = sim
        .search(&auth, json!({"alphanumericReference": "A1"}))
        .await;
    gone.assert_error(200, "OrderException", 1030);
    assert_eq!(sim.status_of(&auth, "B1").await, 26);
    let m = money(&sim);
    assert_eq!(m["paid_out"], 200, "{m}");
    assert_eq!(m["in_flight"], 100, "{m}");
    assert_eq!(m["balance"], START - 300, "{m}");
    assert_eq!(m["funded"], START, "{m}");
    let operations = sim.operations(&auth, &[]).await;
    let references: Vec<&Value> = (operations.json["operations"].as_array().unwrap().iter())
        .map(|o| &o["alphanumericReference"])
        .collect();
    assert!(!references.contains(&&json!("A1")), "{references:?}");
}

#[tokio::test]
async fn a_dropped_orders_reference_is_forgotten_with_it_and_a_kept_ones_still_refused() {
    let (sim, auth) = two_settled().await;
    let third = sim.order(&auth, order_body("C1", json!(100), CLABE)).await;
    assert_eq!(third.status, 200, "{}", third.json);

    // B1 and C1 are held: B1 is still a duplicate. A1 was dropped, so its reference is free.
    let repeat = sim.order(&auth, order_body("C1", json!(100), CLABE)).await;
    repeat.assert_error(200, "EntityException", 1023);
    sim.advance(120.0).await;
    let reused = sim.order(&auth, order_body("A1", json!(100), CLABE)).await;
    assert_eq!(reused.status, 200, "{}", reused.json);
    assert_eq!(reused.json["success"], true, "{}", reused.json);
}

#[tokio::test]
async fn with_every_order_in_flight_an_order_past_the_cap_is_refused_with_429_and_no_debit() {
    let (sim, auth) = bounded(1).await;
    let first = sim.order(&auth, order_body("A1", json!(100), CLABE)).await;
    assert_eq!(first.status, 200, "{}", first.json);

    let refused = sim.order(&auth, order_body("B1", json!(100), CLABE)).await;

    refused.assert_error(429, "TooManyRequestsException", 429);
    assert_eq!(sim.balance_cents(&auth).await, (START - 100) * 100);
    assert_eq!(sim.status_of(&auth, "A1").await, 25);
}

#[tokio::test]
async fn refused_while_every_order_is_in_flight_then_accepted_once_one_settles_or_is_moved() {
    let (sim, auth) = bounded(1).await;
    let first = sim.order(&auth, order_body("A1", json!(100), CLABE)).await;
    assert_eq!(first.status, 200, "{}", first.json);

    // Refused, then refused again with nothing moved in between (a pass known to find none
    // settled is not walked again); refused orders take nothing.
    for reference in ["B1", "B2"] {
        let refused = sim
            .order(&auth, order_body(reference, json!(100), CLABE))
            .await;
        refused.assert_error(429, "TooManyRequestsException", 429);
    }
    // A1 settles on the clock: the next order drops it and is taken.
    sim.advance(120.0).await;
    let taken = sim.order(&auth, order_body("B3", json!(100), CLABE)).await;
    assert_eq!(taken.status, 200, "{}", taken.json);
    assert_eq!(sim.balance_cents(&auth).await, (START - 200) * 100);

    // B3 in flight: refused again, until the back office returns it (a terminal status).
    let refused = sim.order(&auth, order_body("B4", json!(100), CLABE)).await;
    refused.assert_error(429, "TooManyRequestsException", 429);
    let id = taken.json["orderEntityResponse"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let moved = sim.force(&id, "returned").await;
    assert_eq!(moved.status, 200, "{}", moved.json);
    let taken = sim.order(&auth, order_body("B5", json!(100), CLABE)).await;
    assert_eq!(taken.status, 200, "{}", taken.json);
}

/// Kashpay on an engine that holds at most `tenants` tenants.
fn few_tenants(tenants: usize) -> Sim {
    let mut config = testkit::sim_config(3);
    config.max_tenants = tenants;
    Sim::with_engine(Engine::new(config), KashpayConfig::default())
}

#[tokio::test]
async fn past_max_tenants_the_least_recently_used_entity_is_evicted_and_its_token_refused() {
    let sim = few_tenants(2);
    let alpha = sim.session("com.alpha").await;
    let beta = sim.session("com.beta").await;
    let spent = sim.order(&alpha, order_body("A1", json!(100), CLABE)).await;
    let made = sim.order(&beta, order_body("B1", json!(100), CLABE)).await;
    assert_eq!((spent.status, made.status), (200, 200));
    assert_eq!(sim.balance(&alpha).await.status, 200); // beta is now the least recently used

    let gamma = sim.session("com.gamma").await;

    let refused = sim.balance(&beta).await;
    refused.assert_error(401, "AuthenticationException", 1003);
    assert_eq!(sim.balance_cents(&alpha).await, (START - 100) * 100);
    assert_eq!(sim.balance_cents(&gamma).await, START * 100);
    let listed = sim.admin("GET", "/__admin/tenants", None).await;
    let names: Vec<&str> = (listed.json["tenants"]["kashpay"].as_array().unwrap().iter())
        .filter_map(|t| t["tenant"].as_str())
        .collect();
    assert_eq!(names, ["kashpay:com.alpha", "kashpay:com.gamma"]);
    // Its credentials again: a new sandbox entity, its old order gone (and the least recently
    // used of the others evicted in turn).
    let again = sim.session("com.beta").await;
    assert_eq!(sim.balance_cents(&again).await, START * 100);
    assert_eq!(
        sim.search(&again, json!({"alphanumericReference": "B1"}))
            .await
            .json["error"]["code"],
        1030
    );
    assert_eq!(
        sim.admin("GET", "/__admin/tenants", None).await.json["totals"]["kashpay"],
        2
    );
}
