//! Webhook faults as a receiver sees them (the built-in admin inbox, over real sockets), and as
//! the delivery records show them.
#![allow(clippy::unwrap_used)] // tests: an unexpected error should fail loudly

mod common;

use common::{Fixture, Sim};
use serde_json::{Value, json};

/// Subscribes the tenant's cashout events to the inbox `name`, and makes a customer and account.
async fn subscribed(sim: &Sim, name: &str) -> Fixture {
    sim.subscribe_inbox(name).await;
    sim.fixture().await
}

async fn deliveries(sim: &Sim) -> Vec<Value> {
    let (_, body) = sim.admin("GET", "/__admin/webhooks/deliveries", None).await;
    body["deliveries"].as_array().cloned().unwrap_or_default()
}

fn on_event(kind: &str, event: &str, extra: Value) -> Value {
    let mut fault = json!({"kind": kind});
    if let (Some(f), Some(e)) = (fault.as_object_mut(), extra.as_object()) {
        f.extend(e.clone());
    }
    json!({"match": {"provider": "onepay", "event": event}, "fault": fault})
}

#[tokio::test]
async fn a_dropped_webhook_never_arrives_and_the_records_say_so() {
    let sim = Sim::start().await;
    let fixture = subscribed(&sim, "drop").await;
    sim.rule(on_event("webhook_drop", "cashout.created", json!({})))
        .await;

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
    let sim = Sim::start().await;
    let fixture = subscribed(&sim, "dup").await;
    sim.rule(on_event("webhook_duplicate", "cashout.created", json!({})))
        .await;

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
    let sim = Sim::start().await;
    let fixture = subscribed(&sim, "late").await;
    sim.rule(on_event(
        "webhook_delay",
        "cashout.created",
        json!({"delay_s": 120}),
    ))
    .await;

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
    let sim = Sim::start().await;
    let fixture = subscribed(&sim, "order").await;
    sim.rule(on_event("webhook_reorder", "cashout.created", json!({})))
        .await;

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
