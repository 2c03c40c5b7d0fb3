//! An app's objects, bounded (`--max-objects-per-tenant`): settled transfers are dropped
//! oldest first and a GET of one is Dots' 404; with nothing settled, Dots' 503; and the heap
//! stays flat however many objects are made past the bound.
#![allow(clippy::unwrap_used)] // a test that cannot set itself up should stop loudly

use std::alloc::System;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use cap::Cap;
use payoutsim_core::testkit::{self, Resp, Sim, block_on};
use payoutsim_core::{Engine, EngineConfig};
use payoutsim_dots::{DotsConfig, DotsSpec};
use serde_json::{Value, json};

#[global_allocator]
static ALLOCATOR: Cap<System> = Cap::new(System, usize::MAX);

const CLIENT: &str = "pk_dev_boundstest";

/// Dots on an engine whose tenants hold at most `objects` objects.
fn bounded(objects: usize, tune: impl FnOnce(&mut EngineConfig)) -> Sim<DotsSpec> {
    let mut config = testkit::sim_config(1);
    config.max_objects_per_tenant = objects;
    tune(&mut config);
    Sim::with_engine(Engine::new(config), DotsConfig::default())
}

async fn call(sim: &Sim<DotsSpec>, method: &str, path: &str, body: Option<&Value>) -> Resp {
    let auth = format!(
        "Basic {}",
        STANDARD.encode(format!("{CLIENT}:sk_dev_bounds"))
    );
    let headers = [("authorization", auth.as_str())];
    let path = format!("/api{path}");
    match body {
        Some(b) => sim.call_json(method, &path, &headers, b).await,
        None => sim.call(method, &path, &headers, None).await,
    }
}

async fn user(sim: &Sim<DotsSpec>, i: usize) -> Resp {
    let body = json!({
        "first_name": "Bound", "last_name": format!("User {i}"),
        "email": format!("user{i}@bounds.test"), "country_code": "1",
        "phone_number": format!("555{i:07}"),
    });
    call(sim, "POST", "/v2/users", Some(&body)).await
}

/// A cent from the app wallet to `user`: a transfer completed at once (settled).
async fn transfer(sim: &Sim<DotsSpec>, user: &str) -> String {
    let body = json!({"amount": -1, "user_id": user});
    let r = call(sim, "POST", "/v2/transfers", Some(&body)).await;
    assert_eq!(r.status, 200, "{}", r.json);
    r.json["id"].as_str().unwrap().to_string()
}

#[test]
fn a_transfer_past_the_cap_drops_the_oldest_settled_one_which_is_then_not_found() {
    block_on(async {
        let sim = bounded(3, |_| {});
        let made = user(&sim, 0).await;
        let u = made.json["id"].as_str().unwrap().to_string();
        let first = transfer(&sim, &u).await;
        let second = transfer(&sim, &u).await;

        let third = transfer(&sim, &u).await;

        let gone = call(&sim, "GET", &format!("/v2/transfers/{first}"), None).await;
        assert_eq!(gone.status, 404, "{}", gone.json);
        assert_eq!(gone.json["error_code"], "not-found");
        for kept in [&second, &third] {
            let r = call(&sim, "GET", &format!("/v2/transfers/{kept}"), None).await;
            assert_eq!(r.status, 200, "{}", r.json);
        }
        let app = &sim.objects(None, Some("app"))["objects"][0]["object"];
        let cents = |f: &str| app[f].as_i64().unwrap();
        assert_eq!(
            cents("user_wallets"),
            3,
            "every cent moved stays moved: {app}"
        );
        assert_eq!(
            cents("wallet") + cents("user_wallets") + cents("in_flight") + cents("money_out"),
            cents("funded"),
            "{app}"
        );
    });
}

#[test]
fn with_nothing_settled_a_creation_past_the_cap_is_refused_with_dots_503() {
    block_on(async {
        let sim = bounded(2, |_| {});
        for i in 0..2 {
            assert_eq!(user(&sim, i).await.status, 201);
        }

        let refused = user(&sim, 2).await;

        assert_eq!(refused.status, 503, "{}", refused.json);
        assert_eq!(refused.json["success"], false);
        assert_eq!(refused.json["error_code"], "service-unavailable");
        let listed = call(&sim, "GET", "/v2/users", None).await;
        assert_eq!(listed.json["data"].as_array().map(Vec::len), Some(2));
    });
}

#[test]
fn creating_three_times_the_cap_keeps_the_heap_flat() {
    block_on(async {
        const CAP: usize = 300;
        // The journal and the transitions log are bounded on their own: keep them small so
        // that what is measured is the app's objects.
        let sim = bounded(CAP, |c| {
            c.journal_cap = 8;
            c.history_cap = 8;
        });
        let made = user(&sim, 0).await;
        let u = made.json["id"].as_str().unwrap().to_string();
        transfer(&sim, &u).await;
        let empty = ALLOCATOR.allocated();
        for _ in 1..CAP {
            transfer(&sim, &u).await;
        }
        let full = ALLOCATOR.allocated();
        for _ in 0..2 * CAP {
            transfer(&sim, &u).await;
        }
        let after = ALLOCATOR.allocated();

        let per_object = (full - empty) / CAP;
        assert!(
            per_object > 256,
            "a transfer holds real memory ({per_object} bytes), so the check is not vacuous"
        );
        let slack = 16 * per_object;
        assert!(
            after <= full + slack,
            "the heap grew from {full} to {after} bytes past the cap ({per_object} per object)"
        );
        let listed = sim.objects(None, Some("transfer"))["objects"]
            .as_array()
            .map_or(0, Vec::len);
        assert_eq!(listed, CAP - 1, "the user and CAP - 1 transfers");
    });
}
