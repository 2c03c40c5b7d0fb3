//! A tenant's payouts, bounded (`--max-objects-per-tenant`): paid and failed payouts are
//! dropped oldest first and the books still balance; with none settled, NestJS's 429.

#![allow(clippy::unwrap_used)] // helpers outside #[test] fns: a failed unwrap is a failed test

mod support;

use payoutsim_core::{Engine, testkit};
use payoutsim_onspot::OnSpotConfig;
use serde_json::{Value, json};
use support::*;

/// OnSpot on an engine whose tenants hold at most `objects` objects.
fn bounded(objects: usize) -> Sim {
    let mut config = testkit::sim_config(1);
    config.max_objects_per_tenant = objects;
    Sim::with_engine(Engine::new(config), OnSpotConfig::default())
}

fn created(r: &Resp) -> Vec<String> {
    (r.entries().iter())
        .map(|e| e["uuid"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn a_payout_past_the_cap_drops_the_oldest_paid_one_and_the_books_still_balance() {
    let sim = bounded(2);
    let (token, live) = sim.signed_in("live", PK).await;
    assert_eq!(sim.transfer(&live, "100").await.status, 200);
    let two = json!([individual("10"), individual("20")]);
    let first = created(&sim.create(&token, "live", &two).await);
    sim.advance(5.0 * 86_400.0).await;
    assert_eq!(sim.statuses(&live).await, ["paid", "paid"]);

    let token = sim.token_ok("live", PK).await; // the first one expired meanwhile
    let third = created(&sim.create(&token, "live", &json!([individual("5")])).await);

    let mut kept = vec![first[1].clone()];
    kept.extend(third);
    assert_eq!(sim.uuids(&live).await, kept);
    let gone = sim.force(&first[0], json!({"status": "failed"})).await;
    assert_eq!(gone.status, 404, "{}", gone.json);
    let b: Value = sim.balance(&live).await;
    assert_eq!(b["paid"], "30.00", "{b}");
    assert_eq!(b["funded"], "100.00", "{b}");
    assert_eq!(b["in_flight"], "5.00", "{b}");
    assert_eq!(b["available"], "65.00", "{b}");
}

#[tokio::test]
async fn with_every_payout_in_flight_a_request_past_the_cap_is_refused_with_nests_429() {
    let sim = bounded(2);
    let (token, test) = sim.signed_in("test", PK).await;
    let first = sim.create(&token, "test", &json!([individual("10")])).await;
    assert_eq!(first.status, 201, "{}", first.json);

    let two_more = json!([individual("10"), individual("20")]);
    let refused = sim.create(&token, "test", &two_more).await;

    refused.assert_nest(429, "Too Many Requests");
    assert_eq!(
        refused.json["message"],
        "ThrottlerException: Too Many Requests"
    );
    assert_eq!(sim.uuids(&test).await.len(), 1);
    let one_more = sim.create(&token, "test", &json!([individual("5")])).await;
    assert_eq!(one_more.status, 201, "{}", one_more.json);
}
