//! The tenant store's cap (`max_tenants`): past it, the least recently used tenant the back
//! office never changed is evicted and drawn again identically when it comes back; when every
//! tenant was changed, a new one is refused with 503 code 105.

#![allow(clippy::unwrap_used)] // helpers outside #[test] fns: a failed unwrap is a failed test

mod support;

use payoutsim_tupay::TupayConfig;
use serde_json::json;
use support::*;

const THIRD_KEY: &str = "treasury@third.pe";

fn capped(max_tenants: usize) -> Sim {
    let config = TupayConfig {
        max_tenants,
        ..TupayConfig::default()
    };
    sim_with(7, config)
}

/// Every page a client reads of a tenant over `range`, as the bytes it gets (the balance but
/// for its date).
async fn pages(sim: &Sim, token: &str, (from, to): (i64, i64)) -> Vec<Vec<u8>> {
    let mut all = Vec::new();
    for list in ["/v1/deposits", "/v1/cashout", "/v1/balance/report"] {
        for page in 0..3 {
            let path = format!("{list}?from={from}&to={to}&page={page}");
            let r = sim.get(&path, token).await;
            assert_eq!(r.status, 200, "{path}: {}", r.json);
            all.push(r.bytes.to_vec());
        }
    }
    // The balance, but for its `date` (now, which has moved on).
    let mut r = sim.get("/v1/balance", token).await;
    assert_eq!(r.status, 200, "{}", r.json);
    for row in r.json.as_array_mut().unwrap() {
        row.as_object_mut().unwrap().remove("date");
    }
    all.push(r.json.to_string().into_bytes());
    all
}

fn resident(sim: &Sim) -> Vec<String> {
    sim.kit.store().merchants.keys().cloned().collect()
}

fn dormant(sim: &Sim) -> Vec<String> {
    sim.kit.store().dormant.keys().cloned().collect()
}

#[tokio::test]
async fn past_the_cap_the_least_recently_used_untouched_tenant_is_evicted_and_drawn_again_identically()
 {
    let sim = capped(2);
    let first = sim.token().await;
    let range = (now(&sim) - 60 * DAY, now(&sim));
    let before = pages(&sim, &first, range).await;
    sim.advance(300.0).await;
    sim.token_for(OTHER_KEY).await;
    sim.advance(300.0).await;

    sim.token_for(THIRD_KEY).await;

    assert_eq!(dormant(&sim), [TENANT]);
    assert_eq!(resident(&sim).len(), 2);
    // Its session stayed valid: its first use draws the history again, as it was first seen.
    assert_eq!(pages(&sim, &first, range).await, before);
    assert!(resident(&sim).contains(&TENANT.to_string()));
    assert_eq!(dormant(&sim), [format!("tupay:{OTHER_KEY}")]);
    let again = sim.token().await;
    assert_eq!(pages(&sim, &again, range).await, before);
}

#[tokio::test]
async fn a_tenant_the_back_office_changed_is_kept_and_when_all_are_changed_a_new_login_gets_503() {
    let sim = capped(2);
    let token = sim.token().await;
    let other = sim.token_for(OTHER_KEY).await;
    let (from, to) = (now(&sim) - 60 * DAY, now(&sim));
    let list = format!("/v1/deposits?from={from}&to={to}&status=COMPLETED");
    let target = sim.get(&list, &other).await.json["data"][0]["idDeposit"].clone();
    sim.office(
        "/entries",
        json!({"tenant": TENANT, "kind": "note", "amount": 100, "currency": "USD"}),
    )
    .await;

    // The changed tenant is the least recently used, yet the other one goes.
    sim.token_for(THIRD_KEY).await;
    assert_eq!(dormant(&sim), [format!("tupay:{OTHER_KEY}")]);
    // A status move finds an evicted tenant's record by its id, and brings it back for good.
    let moved = sim
        .office(
            &format!("/deposits/{target}/status"),
            json!({"status": "CANCELLED"}),
        )
        .await;
    assert_eq!(moved["status"], "CANCELLED");

    let refused = sim.login_as("late@fourth.pe", SECRET).await;
    refused.assert_error(503, 105);
    // The refused login bound nothing: another secret is judged as a first login too.
    let retried = sim.login_as("late@fourth.pe", "another-secret").await;
    retried.assert_error(503, 105);
    let third = sim.login_as(THIRD_KEY, SECRET).await;
    third.assert_error(503, 105);
    assert_eq!(dormant(&sim), [format!("tupay:{THIRD_KEY}")]);
    assert_eq!(resident(&sim).len(), 2);
    assert_eq!(sim.get("/v1/balance", &token).await.status, 200);
    let cancelled = (sim.all_pages("/v1/deposits", &other, (from, to), "&status=CANCELLED")).await;
    assert!(cancelled.iter().any(|d| d["idDeposit"] == target));
}
