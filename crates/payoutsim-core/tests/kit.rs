//! The provider kit, through the toy provider on `testkit::Sim`: auth enters the tenant, the
//! forced outcome is logged with the creation, back-office moves go through the engine with
//! "back on the way", and settling is bounded when a receiver hangs.
#![allow(clippy::unwrap_used)] // tests: an unexpected error should fail loudly

mod support;

use std::time::Duration;

use payoutsim_core::clock::ClockMode;
use payoutsim_core::forced::{ForcedOutcome, OutcomeSlot};
use payoutsim_core::testkit::{Receiver, Sim, request, sim_config};
use payoutsim_core::{Engine, EngineConfig};
use serde_json::{Value, json};
use support::{ToyExt, ToySpec, order, target};

async fn move_to(sim: &Sim<ToySpec>, id: &str, status: &str) -> (u16, Value) {
    let path = format!("/__admin/providers/toy/orders/{id}/status");
    let r = sim
        .admin("POST", &path, Some(json!({ "status": status })))
        .await;
    (r.status, r.json)
}

#[tokio::test]
async fn an_authenticated_request_is_journaled_under_its_tenant() {
    let sim = Sim::<ToySpec>::new(1, ());
    order(&sim, "a").await;
    let (entries, _) = sim.engine.journal().query(&Default::default());
    assert_eq!(entries[0].tenant.as_deref(), Some("toy:a"));
}

#[tokio::test]
async fn a_refused_request_answers_in_the_providers_envelope() {
    let sim = Sim::<ToySpec>::new(1, ());
    let r = sim.call("POST", "/orders", &[], Some(b"{}")).await;
    assert_eq!((r.status, r.json), (401, json!({"toy_error": "no tenant"})));
}

#[tokio::test]
async fn with_a_real_clock_a_request_sees_what_fell_due_before_it() {
    let mut config = EngineConfig::default();
    config.clock.mode = ClockMode::Real;
    config.clock.time_scale = 1e6; // ten simulated seconds pass in ten microseconds
    let sim = Sim::<ToySpec>::with_engine(Engine::new(config), ());
    let id = order(&sim, "a").await;
    // No background ticker runs here: only entering the tenant can apply the due edges.
    let r = sim
        .call("GET", &format!("/orders/{id}"), &[("x-tenant", "a")], None)
        .await;
    assert_eq!(r.json["status"], "done", "{}", r.json);
}

#[tokio::test]
async fn a_forced_outcome_is_logged_with_the_creation_in_one_record() {
    let sim = Sim::<ToySpec>::new(1, ());
    let mut req = request("POST", "/orders", &[("x-tenant", "a")], Some(b"{}"));
    let forced = ForcedOutcome {
        status: "failed".into(),
        reason: None,
        rule: "rule-7".into(),
    };
    req.extensions_mut().insert(OutcomeSlot::new(forced));
    let r = sim.send(req).await;
    let id = r.json["id"].as_str().unwrap();

    let log = sim.engine.transitions(Some("toy"), Some(id));
    assert_eq!(log.len(), 1);
    assert_eq!(
        (log[0].cause, log[0].forced_by.as_deref()),
        ("created", Some("rule-7"))
    );
    sim.advance(30.0).await;
    assert_eq!(sim.kit.status("toy:a", id).as_deref(), Some("failed"));
    // A forced failure without a reason gets the provider's default reason.
    assert_eq!(sim.objects(None, None)["objects"][0]["reason"], "forced");
}

#[tokio::test]
async fn a_back_office_move_is_logged_emitted_and_answered_in_one_step() {
    let sim = Sim::<ToySpec>::new(1, ());
    let rx = Receiver::start().await;
    sim.engine
        .add_webhook_target(target("toy:a", &rx.url))
        .unwrap();
    let id = order(&sim, "a").await;

    let (status, body) = move_to(&sim, &id, "failed").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        (body["status"].as_str(), body["tenant"].as_str()),
        (Some("failed"), Some("toy:a"))
    );
    let log = sim.engine.transitions(Some("toy"), Some(&id));
    let last = log.last().unwrap();
    assert_eq!(
        (last.cause, last.from.as_deref(), last.to.as_str()),
        ("admin", Some("new"), "failed")
    );
    sim.engine.settle(None).await;
    let events: Vec<Value> = rx
        .bodies()
        .into_iter()
        .map(|b| b["status"].clone())
        .collect();
    assert_eq!(events, [json!("new"), json!("failed")]);
    // Moved, its pending edges are gone: nothing else happens to it.
    sim.advance(3600.0).await;
    assert_eq!(sim.kit.status("toy:a", &id).as_deref(), Some("failed"));
}

#[tokio::test]
async fn moved_back_from_a_terminal_status_an_object_goes_on_to_success() {
    let sim = Sim::<ToySpec>::new(1, ());
    let id = order(&sim, "a").await;
    assert_eq!(move_to(&sim, &id, "failed").await.0, 200);
    assert_eq!(move_to(&sim, &id, "working").await.0, 200);
    sim.advance(20.0).await;
    assert_eq!(sim.kit.status("toy:a", &id).as_deref(), Some("done"));
}

#[tokio::test]
async fn a_back_office_move_to_an_unknown_status_or_object_changes_nothing() {
    let sim = Sim::<ToySpec>::new(1, ());
    let id = order(&sim, "a").await;
    let (status, body) = move_to(&sim, &id, "lost").await;
    assert_eq!(status, 400);
    assert!(
        body["error"]
            .as_str()
            .unwrap()
            .contains("known: new, working, done, failed"),
        "{body}"
    );
    assert_eq!(move_to(&sim, "nope", "done").await.0, 404);
    assert_eq!(sim.kit.status("toy:a", &id).as_deref(), Some("new"));
    assert_eq!(sim.engine.transitions(Some("toy"), Some(&id)).len(), 1);
}

#[tokio::test]
async fn an_object_id_two_tenants_hold_needs_the_tenant_named() {
    let sim = Sim::<ToySpec>::new(1, ());
    let id = order(&sim, "a").await;
    let copy = sim.kit.store().0[&("toy:a".to_string(), id.clone())].clone();
    sim.kit
        .store()
        .0
        .insert(("toy:b".to_string(), id.clone()), copy);

    let (status, body) = move_to(&sim, &id, "done").await;
    assert_eq!(status, 409, "{body}");
    let path = format!("/__admin/providers/toy/orders/{id}/status");
    let named = json!({"status": "done", "tenant": "toy:b"});
    let r = sim.admin("POST", &path, Some(named)).await;
    assert_eq!((r.status, r.json["tenant"].as_str()), (200, Some("toy:b")));
    assert_eq!(sim.kit.status("toy:a", &id).as_deref(), Some("new"));
}

#[tokio::test]
async fn advancing_past_a_hanging_receiver_answers_within_the_settle_wait() {
    let mut config = sim_config(1);
    config.settle_wait = Duration::from_millis(200);
    config.webhooks.timeout = Duration::from_secs(3);
    let sim = Sim::<ToySpec>::with_engine(Engine::new(config), ());
    // Accepts connections and never answers.
    let hang = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", hang.local_addr().unwrap());
    sim.engine
        .add_webhook_target(target("toy:a", &url))
        .unwrap();
    order(&sim, "a").await;

    let started = std::time::Instant::now();
    let settled = sim.engine.advance(10.0, None).await;
    assert!(
        !settled.settled,
        "a hanging receiver cannot have been settled"
    );
    assert!(settled.pending >= 1, "the attempt under way: {settled:?}");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    // The transition itself was applied before the answer.
    let objects = sim.objects(None, None);
    assert_eq!(objects["objects"][0]["status"], "working");
    drop(hang);
}
