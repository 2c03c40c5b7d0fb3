//! The engine driven through a minimal provider: lifecycles on the timeline, per-tenant time,
//! webhooks with retries on the simulated clock, reset.
#![allow(clippy::unwrap_used)] // tests: an unexpected error should fail loudly

mod support;

use payoutsim_core::Engine;
use payoutsim_core::testkit::{Receiver, Sim, request, sim_config};
use support::{ToyExt, ToySpec, order, post_order, target};

#[tokio::test]
async fn an_object_moves_through_its_machine_as_time_is_advanced() {
    let sim = Sim::<ToySpec>::new(1, ());
    let created = post_order(&sim, "a", 1).await;
    let id = created["id"].as_str().unwrap();
    assert_eq!(created["status"], "new");

    sim.advance(9.0).await;
    assert_eq!(sim.kit.status("toy:a", id).as_deref(), Some("new"));
    sim.advance(1.0).await;
    assert_eq!(sim.kit.status("toy:a", id).as_deref(), Some("working"));
    sim.advance(20.0).await;
    assert_eq!(sim.kit.status("toy:a", id).as_deref(), Some("done"));
}

#[tokio::test]
async fn one_large_advance_applies_every_step_in_order_at_its_own_time() {
    let sim = Sim::<ToySpec>::new(1, ());
    let failing = post_order(&sim, "a", 13).await;
    let id = failing["id"].as_str().unwrap().to_string();

    sim.advance(3600.0).await;

    assert_eq!(sim.kit.status("toy:a", &id).as_deref(), Some("failed"));
    let log = sim.engine.transitions(Some("toy"), Some(&id));
    let steps: Vec<(&str, String)> = log
        .iter()
        .map(|t| (t.to.as_str(), payoutsim_core::clock::rfc3339(t.at)))
        .collect();
    assert_eq!(
        steps,
        [
            ("new", "2026-01-05T14:00:00.000000Z".to_string()),
            ("working", "2026-01-05T14:00:10.000000Z".to_string()),
            ("failed", "2026-01-05T14:00:30.000000Z".to_string())
        ]
    );
}

#[tokio::test]
async fn advancing_one_tenant_leaves_the_others_where_they_were() {
    let sim = Sim::<ToySpec>::new(1, ());
    let a = order(&sim, "a").await;
    let b = order(&sim, "b").await;

    sim.engine.advance(60.0, Some("toy:a")).await;

    assert_eq!(sim.kit.status("toy:a", &a).as_deref(), Some("done"));
    assert_eq!(sim.kit.status("toy:b", &b).as_deref(), Some("new"));
    assert_eq!(
        (sim.engine.now_for("toy:a") - sim.engine.clock().now()).num_seconds(),
        60
    );
}

#[tokio::test]
async fn tenants_draw_ids_from_their_own_streams() {
    let (one, two) = (Sim::<ToySpec>::new(5, ()), Sim::<ToySpec>::new(5, ()));

    let _ = order(&one, "noise").await;
    let first = order(&one, "a").await;
    let second = order(&two, "a").await;

    assert_eq!(first, second);
}

#[tokio::test]
async fn webhooks_are_delivered_in_order_with_the_providers_signature() {
    let sim = Sim::<ToySpec>::new(1, ());
    let rx = Receiver::start().await;
    sim.engine
        .add_webhook_target(target("toy:a", &rx.url))
        .unwrap();

    order(&sim, "a").await;
    sim.advance(30.0).await;

    let got = rx.received();
    let statuses: Vec<&str> = got
        .iter()
        .map(|r| r.json["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["new", "working", "done"]);
    assert_eq!(got[0].headers["x-toy-secret"], "s3cret");
    let deliveries = sim.engine.deliveries(Some("toy"), None);
    assert!(
        deliveries
            .iter()
            .all(|d| d.status == Some(200) && d.attempt == 1)
    );
}

#[tokio::test]
async fn a_failed_delivery_is_retried_after_the_backoff_of_simulated_time() {
    let sim = Sim::<ToySpec>::new(1, ());
    let rx = Receiver::scripted(vec![500, 503]).await;
    let mut t = target("toy:a", &rx.url);
    t.events = vec!["order.new".into()];
    sim.engine.add_webhook_target(t).unwrap();

    order(&sim, "a").await;
    sim.engine.settle(None).await;
    assert_eq!(rx.received().len(), 1);

    sim.advance(29.0).await;
    assert_eq!(rx.received().len(), 1, "not before the 30 s backoff");
    sim.advance(1.0).await;
    assert_eq!(rx.received().len(), 2);
    sim.advance(120.0).await;

    let attempts: Vec<(u32, Option<u16>, String)> = sim
        .engine
        .deliveries(None, None)
        .into_iter()
        .map(|d| (d.attempt, d.status, d.at))
        .collect();
    assert_eq!(
        attempts,
        [
            (1, Some(500), "2026-01-05T14:00:00.000000Z".to_string()),
            (2, Some(503), "2026-01-05T14:00:30.000000Z".to_string()),
            (3, Some(200), "2026-01-05T14:02:30.000000Z".to_string()),
        ]
    );
}

#[tokio::test]
async fn an_unreachable_target_records_the_error_and_gives_up_after_the_last_attempt() {
    let mut config = sim_config(1);
    config.webhooks.max_attempts = 2;
    let sim = Sim::<ToySpec>::with_engine(Engine::new(config), ());
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead = format!("http://{}/hook", listener.local_addr().unwrap());
    drop(listener);
    sim.engine
        .add_webhook_target(target("toy:a", &dead))
        .unwrap();

    order(&sim, "a").await;
    sim.engine.advance(24.0 * 3600.0, Some("toy:a")).await;

    let new: Vec<_> = sim
        .engine
        .deliveries(None, None)
        .into_iter()
        .filter(|d| d.event == "order.new")
        .collect();
    assert_eq!(new.len(), 2);
    assert!(
        new.iter()
            .all(|d| d.status.is_none() && d.error.as_deref() == Some("connection refused"))
    );
}

#[tokio::test]
async fn reset_forgets_objects_and_replays_id_streams() {
    let sim = Sim::<ToySpec>::new(9, ());
    let first = order(&sim, "a").await;
    sim.engine.reset(None);

    assert!(sim.engine.journal().is_empty());
    assert!(sim.engine.pending(None).is_empty());
    let again = order(&sim, "a").await;
    assert_eq!(first, again);
    assert_eq!(sim.engine.journal().len(), 1);
}

#[tokio::test]
async fn the_journal_records_tenant_bodies_and_status() {
    let sim = Sim::<ToySpec>::new(1, ());
    post_order(&sim, "a", 7).await;

    let (entries, total) = sim.engine.journal().query(&Default::default());

    assert_eq!(total, 1);
    let e = &entries[0];
    assert_eq!(
        (e.provider.as_str(), e.tenant.as_deref(), e.method.as_str()),
        ("toy", Some("toy:a"), "POST")
    );
    assert_eq!(e.body["amount"], 7);
    assert_eq!(e.status, 201);
    assert_eq!(e.response_body["status"], "new");
}

#[tokio::test]
async fn an_oversized_body_is_refused_in_the_providers_own_format() {
    let sim = Sim::<ToySpec>::new(1, ());
    let big = vec![b' '; 1024 * 1024 + 1];

    let r = sim
        .send(request("POST", "/orders", &[("x-tenant", "a")], Some(&big)))
        .await;

    assert_eq!(r.status, 413);
    assert!(
        r.json["toy_error"]
            .as_str()
            .unwrap()
            .contains("larger than 1048576 bytes")
    );
    assert!(
        sim.objects(None, None)["objects"]
            .as_array()
            .unwrap()
            .is_empty()
    );
}

#[tokio::test(start_paused = true)]
async fn with_a_real_clock_a_request_catches_its_tenant_up_without_waiting_for_the_ticker() {
    let mut config = sim_config(1);
    config.clock.mode = payoutsim_core::clock::ClockMode::Real;
    config.clock.time_scale = 10.0;
    config.clock.start = Some(payoutsim_core::clock::manual_epoch());
    let sim = Sim::<ToySpec>::with_engine(Engine::new(config), ());
    let id = order(&sim, "a").await;

    tokio::time::advance(std::time::Duration::from_secs(1)).await; // 10 simulated seconds
    sim.engine.catch_up("toy:b");
    assert_eq!(
        sim.kit.status("toy:a", &id).as_deref(),
        Some("new"),
        "another tenant's catch-up leaves it"
    );
    sim.engine.catch_up("toy:a");

    assert_eq!(sim.kit.status("toy:a", &id).as_deref(), Some("working"));
}

/// Keeps an answer under idempotency key `key` of `toy:a`, at the current simulated time.
fn keep_key(sim: &Sim<ToySpec>, key: &str) {
    let now = sim.engine.clock().now();
    let keys = sim.engine.idempotency();
    let held = keys.reserve("toy:a", "orders", key, [1; 32], now).unwrap();
    let answer = payoutsim_core::idempotency::StoredResponse {
        status: 201,
        body: bytes::Bytes::from_static(b"{}"),
    };
    held.keep(answer, now);
}

#[tokio::test]
async fn expired_idempotency_keys_are_swept_by_advancing_the_clock_alone() {
    let sim = Sim::<ToySpec>::new(1, ());
    keep_key(&sim, "k1");
    keep_key(&sim, "k2");
    let keys = sim.engine.idempotency();
    assert_eq!(keys.len(), 2);

    // Nothing is on the timeline: only the clock moves.
    sim.advance(23.0 * 3600.0).await;
    assert_eq!(keys.len(), 2, "not yet expired");
    sim.advance(2.0 * 3600.0).await;
    assert_eq!(keys.len(), 0, "expired keys are gone");
}

#[tokio::test]
async fn a_tenants_own_advance_sweeps_its_expired_keys() {
    let sim = Sim::<ToySpec>::new(1, ());
    keep_key(&sim, "k");

    sim.engine.advance(25.0 * 3600.0, Some("toy:a")).await;
    assert_eq!(sim.engine.idempotency().len_for("toy:a"), 0);
}
