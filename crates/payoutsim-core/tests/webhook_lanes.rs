//! The webhook sender's lanes and bounds: a receiver that hangs holds up only its own messages,
//! the queue is capped (oldest pending dropped and counted), `advance` waits a bounded time and
//! says what is still pending, and stopping the sender says what was left per target.
#![allow(clippy::unwrap_used)] // tests: an unexpected error should fail loudly

mod support;

use std::time::{Duration, Instant};

use bytes::Bytes;
use payoutsim_core::testkit::{Receiver, Sim, sim_config};
use payoutsim_core::{Engine, EngineConfig};
use serde_json::json;
use support::{ToySpec, target};

/// A toy simulator on `config`.
fn sim(config: EngineConfig) -> Sim<ToySpec> {
    Sim::<ToySpec>::with_engine(Engine::new(config), ())
}

/// A URL on a listener that accepts connections and never answers (kept open while it lives).
async fn hanging() -> (tokio::net::TcpListener, String) {
    let hang = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", hang.local_addr().unwrap());
    (hang, url)
}

/// A URL where nothing listens: every connection is refused.
fn dead() -> String {
    let free = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/hook", free.local_addr().unwrap());
    drop(free);
    url
}

/// Emits `count` events of the toy's `tenant`, numbered in their bodies.
fn emit(sim: &Sim<ToySpec>, tenant: &str, count: usize) {
    let now = sim.engine.now_for(tenant);
    for n in 0..count {
        let body = Bytes::from(json!({ "n": n }).to_string());
        sim.engine.emit_webhook("toy", tenant, "ping", &body, now);
    }
}

/// `POST /__admin/clock/advance` by one second: the answer.
async fn advance_one_second(sim: &Sim<ToySpec>) -> payoutsim_core::testkit::Resp {
    let advance = json!({ "seconds": 1 });
    sim.admin("POST", "/__admin/clock/advance", Some(advance))
        .await
}

#[tokio::test]
async fn a_receiver_that_hangs_does_not_delay_another_targets_webhook() {
    let mut config = sim_config(1);
    config.settle_wait = Duration::from_millis(500);
    config.webhooks.timeout = Duration::from_secs(3);
    let sim = sim(config);
    let (_hang, hang_url) = hanging().await;
    let answers = Receiver::start().await;
    sim.engine
        .add_webhook_target(target("toy:a", &hang_url))
        .unwrap();
    sim.engine
        .add_webhook_target(target("toy:b", &answers.url))
        .unwrap();
    emit(&sim, "toy:a", 2);
    emit(&sim, "toy:b", 2);

    let started = Instant::now();
    let settled = sim.engine.settle(None).await;

    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    let got: Vec<_> = answers.bodies().iter().map(|b| b["n"].clone()).collect();
    assert_eq!(
        got,
        [json!(0), json!(1)],
        "the other target's messages, in order"
    );
    assert!(!settled.settled);
    assert_eq!((settled.attempts, settled.pending), (2, 2), "{settled:?}");
}

#[tokio::test]
async fn advance_with_20000_due_deliveries_to_a_dead_receiver_answers_within_the_bounded_wait_and_reports_pending()
 {
    let mut config = sim_config(1);
    config.settle_wait = Duration::from_millis(300);
    config.webhook_queue_cap = 20_000;
    let sim = sim(config);
    sim.engine
        .add_webhook_target(target("toy:a", &dead()))
        .unwrap();
    emit(&sim, "toy:a", 20_000);

    let started = Instant::now();
    let r = advance_one_second(&sim).await;
    let took = started.elapsed();

    assert_eq!(r.status, 200, "{}", r.json);
    assert!(took < Duration::from_secs(2), "answered after {took:?}");
    assert_eq!(r.json["settled"], false);
    let webhooks = &r.json["webhooks"];
    let pending = webhooks["pending"].as_u64().unwrap();
    let retrying = webhooks["retrying"].as_u64().unwrap();
    assert!(pending > 0, "{webhooks}");
    assert!(webhooks["attempts"].as_u64().is_some(), "{webhooks}");
    assert_eq!(pending + retrying, 20_000, "{webhooks}");
    sim.engine.stop_webhooks();
}

#[tokio::test]
async fn an_advance_wait_of_zero_answers_at_once_with_what_is_pending() {
    let mut config = sim_config(1);
    config.settle_wait = Duration::ZERO;
    let sim = sim(config);
    let (_hang, hang_url) = hanging().await;
    sim.engine
        .add_webhook_target(target("toy:a", &hang_url))
        .unwrap();
    emit(&sim, "toy:a", 3);

    let r = advance_one_second(&sim).await;

    assert_eq!(r.json["settled"], false, "{}", r.json);
    assert_eq!(r.json["webhooks"]["pending"], 3, "{}", r.json);
    assert_eq!(r.json["webhooks"]["attempts"], 0, "{}", r.json);
    sim.engine.stop_webhooks();
}

#[tokio::test]
async fn the_queue_cap_drops_the_oldest_pending_message_and_the_count_is_visible() {
    let mut config = sim_config(1);
    config.webhook_queue_cap = 3;
    let sim = sim(config);
    sim.engine
        .add_webhook_target(target("toy:a", &dead()))
        .unwrap();

    emit(&sim, "toy:a", 5);

    let listing = sim.admin("GET", "/__admin/webhooks", None).await;
    let health = sim.admin("GET", "/__admin/health", None).await;
    let queue = &listing.json["queue"];
    assert_eq!(
        (queue["pending"].clone(), queue["dropped"].clone()),
        (json!(3), json!(2)),
        "{queue}"
    );
    assert_eq!(queue["cap"], 3);
    assert_eq!(health.json["webhooks"]["dropped"], 2, "{}", health.json);
    let records = sim.engine.deliveries(None, None);
    let dropped: Vec<_> = records.iter().map(|d| d.body["n"].clone()).collect();
    assert_eq!(dropped, [json!(0), json!(1)], "the oldest two, recorded");
    assert!(
        records[0]
            .error
            .as_deref()
            .unwrap()
            .contains("--webhook-queue-cap")
    );
}

#[tokio::test]
async fn stopping_the_sender_says_what_was_left_unsent_per_target_and_sends_nothing_more() {
    let mut config = sim_config(1);
    config.settle_wait = Duration::from_millis(100);
    let sim = sim(config);
    let (_hang, hang_url) = hanging().await;
    let answers = Receiver::start().await;
    let a = sim
        .engine
        .add_webhook_target(target("toy:a", &hang_url))
        .unwrap();
    emit(&sim, "toy:a", 3);
    sim.engine.settle(None).await;

    let unsent = sim.engine.stop_webhooks();
    sim.engine
        .add_webhook_target(target("toy:b", &answers.url))
        .unwrap();
    emit(&sim, "toy:b", 1);
    let after = sim.engine.settle(None).await;

    assert_eq!(unsent.queue.in_flight, 1, "{unsent:?}");
    assert_eq!(unsent.queue.ready, 2, "{unsent:?}");
    assert_eq!(unsent.targets.len(), 1, "{unsent:?}");
    assert_eq!(
        (unsent.targets[0].target.as_str(), unsent.targets[0].pending),
        (a.id.as_str(), 3)
    );
    assert!(answers.received().is_empty());
    assert!(!after.settled);
}
