//! Webhook faults as a receiver sees them (the built-in admin inbox, over real sockets), and as
//! the delivery records show them.
#![allow(clippy::unwrap_used)] // tests: an unexpected error should fail loudly

mod common;

use common::{Fixture, Sim};
use serde_json::{Value, json};

/// A simulator whose tenant's events go to the inbox `inbox`, with a customer and an account,
/// and the webhook fault `fault` on OnePay's `cashout.created`.
async fn with_webhook_fault(inbox: &str, fault: Value) -> (Sim, Fixture) {
    let sim = Sim::start().await;
    sim.subscribe_inbox(inbox).await;
    let fixture = sim.fixture().await;
    let on = json!({"provider": "onepay", "event": "cashout.created"});
    sim.rule(json!({"match": on, "fault": fault})).await;
    (sim, fixture)
}

async fn deliveries(sim: &Sim) -> Vec<Value> {
    let (_, body) = sim.admin("GET", "/__admin/webhooks/deliveries", None).await;
    body["deliveries"].as_array().cloned().unwrap_or_default()
}

#[tokio::test]
async fn a_dropped_webhook_never_arrives_and_the_records_say_so() {
    let (sim, fixture) = with_webhook_fault("drop", json!({"kind": "webhook_drop"})).await;

    sim.cashout(&fixture, "k1").send().await.unwrap();
    sim.advance(60).await;

    assert_eq!(sim.inbox("drop").await, ["cashout.approved"]);
    let dropped = deliveries(&sim)
        .await
        .into_iter()
        .find(|d| d["event"] == "cashout.created")
        .unwrap();
    assert_eq!(dropped["error"], "dropped by fault rule rule-1");
    assert_eq!(dropped["fault"], "rule-1: webhook_drop");
    sim.stop().await;
}

#[tokio::test]
async fn a_duplicated_webhook_arrives_twice() {
    let (sim, fixture) = with_webhook_fault("dup", json!({"kind": "webhook_duplicate"})).await;

    sim.cashout(&fixture, "k1").send().await.unwrap();
    sim.advance(0).await;

    assert_eq!(
        sim.inbox("dup").await,
        ["cashout.created", "cashout.created"]
    );
    sim.stop().await;
}

#[tokio::test]
async fn a_delayed_webhook_arrives_later_on_the_simulated_clock() {
    let (sim, fixture) =
        with_webhook_fault("late", json!({"kind": "webhook_delay", "delay_s": 120})).await;

    sim.cashout(&fixture, "k1").send().await.unwrap();
    sim.advance(30).await;
    let early = sim.inbox("late").await;
    sim.advance(90).await;

    assert!(early.is_empty(), "{early:?}");
    assert_eq!(
        sim.inbox("late").await,
        ["cashout.approved", "cashout.created"]
    );
    let created = deliveries(&sim)
        .await
        .into_iter()
        .find(|d| d["event"] == "cashout.created")
        .unwrap();
    assert_eq!(created["at"], "2026-01-05T14:02:00.000000Z", "{created}");
    sim.stop().await;
}

#[tokio::test]
async fn a_reordered_webhook_arrives_after_the_next_one() {
    let (sim, fixture) = with_webhook_fault("order", json!({"kind": "webhook_reorder"})).await;

    sim.cashout(&fixture, "k1").send().await.unwrap();
    sim.advance(0).await;
    let held = sim.inbox("order").await;
    sim.advance(60).await;

    assert!(held.is_empty(), "held until the next event: {held:?}");
    assert_eq!(
        sim.inbox("order").await,
        ["cashout.approved", "cashout.created"]
    );
    sim.stop().await;
}
