//! What a reset gives back: the heap the simulator holds (bytes allocated and not freed, counted
//! by this binary's global allocator) returns to its level once `POST /__admin/reset` and
//! `DELETE /__admin/requests` have run after a batch went to completion. The benchmark
//! (`benches/batch.rs`) measures the same with 5000 items; this test guards it with fewer.
#![allow(clippy::unwrap_used)] // a test that cannot set itself up should stop loudly

use std::alloc::System;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use cap::Cap;
use payoutsim_core::testkit::{Resp, Sim, block_on};
use payoutsim_dots::{DotsConfig, DotsSpec};
use serde_json::{Value, json};

#[global_allocator]
static ALLOCATOR: Cap<System> = Cap::new(System, usize::MAX);

const CLIENT: &str = "pk_dev_memorytest";
const TENANT: &str = "dots:pk_dev_memorytest";
const USERS: usize = 20;

async fn call(sim: &Sim<DotsSpec>, method: &str, path: &str, body: Option<&Value>) -> Resp {
    let auth = format!(
        "Basic {}",
        STANDARD.encode(format!("{CLIENT}:sk_dev_memory"))
    );
    let headers = [("authorization", auth.as_str())];
    let path = format!("/api{path}");
    match body {
        Some(b) => sim.call_json(method, &path, &headers, b).await,
        None => sim.call(method, &path, &headers, None).await,
    }
}

/// Users, a funded batch of `items`, taken to completion and settled, then the reset; answers
/// the heap in use before the reset.
async fn round(sim: &Sim<DotsSpec>, n: usize, items: usize) -> usize {
    let mut users = Vec::new();
    for i in 0..USERS {
        let body = json!({
            "first_name": "Mem", "last_name": format!("User {i}"),
            "email": format!("user{i}@memory.test"), "country_code": "1",
            "phone_number": format!("555{i:07}"),
        });
        let r = call(sim, "POST", "/v2/users", Some(&body)).await;
        assert_eq!(r.status, 201, "{}", r.json);
        users.push(r.json["id"].as_str().unwrap().to_string());
    }
    let fund = json!({"tenant": TENANT, "amount": items});
    let funded = sim.back_office("POST", "/fund", Some(fund)).await;
    assert_eq!(funded.status, 200, "{}", funded.json);
    let items: Vec<Value> = (0..items)
        .map(|i| {
            json!({"user_id": users[i % USERS], "amount": 100, "platform": "paypal", "fund": true,
                   "idempotency_key": format!("3e3e0000-0000-4000-8{n:03}-{i:012}")})
        })
        .collect();
    let r = call(
        sim,
        "POST",
        "/v2/payout-batches",
        Some(&json!({"items": items})),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.json);
    let batch = r.json["id"].as_str().unwrap().to_string();
    for seconds in [1.0, 10.0, 60.0, 300.0] {
        sim.advance(seconds).await;
    }
    let done = call(sim, "GET", &format!("/v2/payout-batches/{batch}"), None).await;
    assert_eq!(done.json["status"], "completed", "{}", done.json);
    let held = ALLOCATOR.allocated();
    assert_eq!(sim.admin("POST", "/__admin/reset", None).await.status, 200);
    assert!(sim.admin("DELETE", "/__admin/requests", None).await.status < 300);
    held
}

#[test]
fn the_heap_returns_to_its_level_after_a_completed_batch_is_reset() {
    block_on(async {
        let sim = Sim::<DotsSpec>::new(1, DotsConfig::default());
        // A round of one item sets up what lives as long as the process (lazily built
        // tables), and no more.
        round(&sim, 0, 1).await;
        let level = ALLOCATOR.allocated();
        let mut held = 0;
        for n in 1..3 {
            held = held.max(round(&sim, n, 1000).await);
        }
        let after = ALLOCATOR.allocated();
        let slack = 64 * 1024;
        assert!(
            after <= level + slack,
            "the heap held {after} bytes after the reset, against {level} before the batches"
        );
        let left = sim.objects(None, None)["objects"]
            .as_array()
            .map_or(0, Vec::len);
        assert_eq!(left, 0, "the reset forgot every object");
        // A completed batch holds real memory, so the check above is not vacuous.
        assert!(
            held > level + (1 << 20),
            "{held} bytes held before the reset, {level} after"
        );
    });
}
