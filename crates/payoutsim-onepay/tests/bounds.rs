//! The engine's bounds as OnePay answers them: a tenant's objects (`--max-objects-per-tenant`)
//! and its webhooks (`--max-webhook-targets`).

#![allow(clippy::unwrap_used)] // helpers outside #[test] fns: a failed unwrap is a failed test

mod support;

use payoutsim_core::{Engine, testkit};
use payoutsim_onepay::OnePayConfig;
use serde_json::json;
use support::*;

/// OnePay on an engine whose tenants hold at most `objects` objects and `targets` webhooks.
fn bounded(objects: usize, targets: usize) -> Sim {
    let mut config = testkit::sim_config(1);
    config.max_objects_per_tenant = objects;
    config.max_webhook_targets = targets;
    Sim::with_engine(Engine::new(config), OnePayConfig::default())
}

/// OnePay on an engine whose tenants hold at most `per_tenant` objects, and all of them `total`.
fn budgeted(per_tenant: usize, total: usize) -> Sim {
    let mut config = testkit::sim_config(1);
    config.max_objects_per_tenant = per_tenant;
    config.max_objects = total;
    Sim::with_engine(Engine::new(config), OnePayConfig::default())
}

fn id_of(r: &Resp) -> String {
    assert_eq!(r.status, 201, "{}", r.json);
    r.json["id"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn a_replay_after_its_cashout_was_dropped_is_still_the_first_answer_byte_for_byte() {
    let sim = bounded(4, 100);
    let (c, a) = sim.payee(TEST_KEY, "0012345678").await;
    let body = || cashout_body(&c, &a, json!(1000), "TURBO");
    let first = sim.cashout(TEST_KEY, "k1", body()).await;
    let first_id = id_of(&first);
    id_of(&sim.cashout(TEST_KEY, "k2", body()).await);
    sim.advance(3600.0).await;
    id_of(&sim.cashout(TEST_KEY, "k3", body()).await);
    let gone = sim.get(TEST_KEY, &format!("/v1/cashouts/{first_id}")).await;

    let replay = sim.cashout(TEST_KEY, "k1", body()).await;

    gone.assert_envelope(404, "404", "not_found");
    assert_eq!(replay.status, 201);
    assert_eq!(replay.bytes, first.bytes);
    assert_eq!(replay.headers["idempotent-replayed"], "true");
    assert_eq!(sim.available_cents(TEST_KEY).await, (START - 3000) * 100);
}

#[tokio::test]
async fn a_cashout_past_the_cap_drops_the_oldest_settled_one_which_is_then_not_found() {
    // The customer, the account and two cashouts fill the tenant.
    let sim = bounded(4, 100);
    let (c, a) = sim.payee(TEST_KEY, "0012345678").await;
    let body = || cashout_body(&c, &a, json!(1000), "TURBO");
    let first = id_of(&sim.cashout(TEST_KEY, "k1", body()).await);
    let second = id_of(&sim.cashout(TEST_KEY, "k2", body()).await);
    sim.advance(3600.0).await;

    let third = id_of(&sim.cashout(TEST_KEY, "k3", body()).await);

    let gone = sim.get(TEST_KEY, &format!("/v1/cashouts/{first}")).await;
    gone.assert_envelope(404, "404", "not_found");
    assert_eq!(gone.json["message"], "Cashout not found.");
    assert_eq!(sim.status_of(TEST_KEY, &second).await, "processed");
    assert_eq!(sim.status_of(TEST_KEY, &third).await, "pending");
    let listed = sim.get(TEST_KEY, "/v1/cashouts").await;
    let ids: Vec<&str> = (listed.json["data"].as_array().unwrap().iter())
        .filter_map(|c| c["id"].as_str())
        .collect();
    assert_eq!(ids.len(), 2, "{ids:?}");
    assert!(!ids.contains(&first.as_str()));
    // The money the dropped cashout paid out stays paid out.
    assert_eq!(sim.available_cents(TEST_KEY).await, (START - 3000) * 100);
}

#[tokio::test]
async fn a_pass_past_a_bound_of_64_drops_two_settled_cashouts_more_than_it_needs_so_the_next_two_drop_none()
 {
    // The customer, the account and 62 cashouts fill the tenant; one pass may drop 64 / 32 = 2
    // more than the creation needs, so the one after it and the next do not look for room again.
    let sim = bounded(64, 100);
    let (c, a) = sim.payee(TEST_KEY, "0012345678").await;
    let body = || cashout_body(&c, &a, json!(1), "TURBO");
    let mut ids = Vec::new();
    for k in 0..62 {
        ids.push(id_of(
            &sim.cashout(TEST_KEY, &format!("k{k}"), body()).await,
        ));
    }
    sim.advance(3600.0).await;
    let found = |id: &String| {
        let sim = &sim;
        let path = format!("/v1/cashouts/{id}");
        async move { sim.get(TEST_KEY, &path).await.status }
    };

    id_of(&sim.cashout(TEST_KEY, "past-1", body()).await);
    let dropped = [
        found(&ids[0]).await,
        found(&ids[1]).await,
        found(&ids[2]).await,
    ];
    id_of(&sim.cashout(TEST_KEY, "past-2", body()).await);
    id_of(&sim.cashout(TEST_KEY, "past-3", body()).await);
    let kept = found(&ids[3]).await;
    id_of(&sim.cashout(TEST_KEY, "past-4", body()).await);

    assert_eq!(dropped, [404, 404, 404]);
    assert_eq!(
        kept, 200,
        "the two spare places took the next two creations"
    );
    assert_eq!(
        found(&ids[3]).await,
        404,
        "the next pass drops the oldest left"
    );
    assert_eq!(found(&ids[6]).await, 200);
    assert_eq!(found(&ids[5]).await, 404);
}

#[tokio::test]
async fn with_every_object_in_flight_a_creation_past_the_cap_is_refused_with_429() {
    let sim = bounded(3, 100);
    let (c, a) = sim.payee(TEST_KEY, "0012345678").await;
    let body = || cashout_body(&c, &a, json!(1000), "TURBO");
    let first = id_of(&sim.cashout(TEST_KEY, "k1", body()).await);

    let refused = sim.cashout(TEST_KEY, "k2", body()).await;
    let customer = sim.post(TEST_KEY, "/v1/customers", customer_body()).await;

    refused.assert_envelope(429, "429", "too_many_requests");
    assert!(refused.json["message"].as_str().unwrap().contains('3'));
    customer.assert_envelope(429, "429", "too_many_requests");
    assert_eq!(sim.status_of(TEST_KEY, &first).await, "pending");
    assert_eq!(sim.available_cents(TEST_KEY).await, (START - 1000) * 100);
    // Once the cashout settles there is room again, under the same key too.
    sim.advance(3600.0).await;
    let after = sim.cashout(TEST_KEY, "k2", body()).await;
    assert_eq!(after.status, 201, "{}", after.json);
}

#[tokio::test]
async fn a_webhook_past_the_tenants_cap_is_refused_naming_the_limit() {
    let sim = bounded(100, 2);
    let hook = |n: u32| {
        json!({
            "name": format!("hook {n}"),
            "url": format!("https://example.com/hooks/{n}"),
            "events": ["cashout.created"]
        })
    };
    for n in 0..2 {
        let made = sim.post(TEST_KEY, "/v1/webhooks", hook(n)).await;
        assert_eq!(made.status, 201, "{}", made.json);
    }

    let third = sim.post(TEST_KEY, "/v1/webhooks", hook(2)).await;
    let other_tenant = sim.post(OTHER_KEY, "/v1/webhooks", hook(3)).await;

    third.assert_envelope(422, "422", "validation_error");
    assert_eq!(third.error_keys(), ["url"]);
    let message = third.json["errors"][0]["description"].as_str().unwrap();
    assert!(message.contains("at most 2 webhooks"), "{message}");
    assert_eq!(other_tenant.status, 201, "{}", other_tenant.json);
    let listed = sim.get(TEST_KEY, "/v1/webhooks").await;
    assert_eq!(listed.json["data"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn past_the_global_object_budget_the_least_recently_used_tenant_is_evicted() {
    let sim = budgeted(3, 3);
    let first = sim.customer(TEST_KEY).await;
    sim.customer(TEST_KEY).await;
    sim.customer(OTHER_KEY).await;
    sim.customer(OTHER_KEY).await; // four objects in all: the next request settles it

    let theirs = sim.get(OTHER_KEY, "/v1/customers").await;

    assert_eq!(theirs.json["data"].as_array().map(Vec::len), Some(2));
    let listed = sim.admin("GET", "/__admin/tenants", None).await;
    let names: Vec<&str> = (listed.json["tenants"]["onepay"].as_array().unwrap().iter())
        .filter_map(|t| t["tenant"].as_str())
        .collect();
    assert_eq!(names, ["onepay:sk_test_beta"]);
    // The evicted key starts afresh: its customers are gone.
    let gone = sim.get(TEST_KEY, &format!("/v1/customers/{first}")).await;
    gone.assert_envelope(404, "404", "not_found");
    assert_eq!(sim.available_cents(TEST_KEY).await, START * 100);
}

/// The engine's running count of objects and the count made by visiting every tenant.
fn counts(sim: &Sim) -> (usize, usize) {
    (sim.engine.object_count(), sim.engine.object_total())
}

#[tokio::test]
async fn the_engines_object_count_stays_equal_to_the_objects_held() {
    let sim = budgeted(4, 6);
    let (c, a) = sim.payee(TEST_KEY, "0012345678").await;
    let body = || cashout_body(&c, &a, json!(1000), "TURBO");
    assert_eq!(counts(&sim), (2, 2), "created");
    id_of(&sim.cashout(TEST_KEY, "k1", body()).await);
    id_of(&sim.cashout(TEST_KEY, "k2", body()).await);
    assert_eq!(counts(&sim), (4, 4), "created");
    sim.advance(3600.0).await;

    // Past the tenant's cap: its oldest settled cashout is dropped for the new one.
    id_of(&sim.cashout(TEST_KEY, "k3", body()).await);
    assert_eq!(counts(&sim), (4, 4), "one dropped, one created");
    id_of(&sim.cashout(TEST_KEY, "k4", body()).await);
    assert_eq!(counts(&sim), (4, 4), "the other settled one dropped");
    // With every cashout in flight a creation is refused, and counts nothing.
    let refused = sim.cashout(TEST_KEY, "k5", body()).await;
    refused.assert_envelope(429, "429", "too_many_requests");
    assert_eq!(counts(&sim), (4, 4), "refused");
    // Past the engine's budget the other tenant's requests evict this one.
    for _ in 0..3 {
        sim.customer(OTHER_KEY).await;
    }
    sim.get(OTHER_KEY, "/v1/customers").await;
    assert_eq!(counts(&sim), (3, 3), "evicted");

    let reset = sim.admin("POST", "/__admin/reset", None).await;
    assert_eq!(reset.status, 200, "{}", reset.json);
    assert_eq!(counts(&sim), (0, 0), "reset");
}
