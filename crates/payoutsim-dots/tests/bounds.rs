//! An app's objects, bounded (`--max-objects-per-tenant`): settled transfers are dropped
//! oldest first and a GET of one is Dots' 404; with nothing settled, Dots' 503; and the heap
//! stays flat however many objects are made past the bound.
#![allow(clippy::unwrap_used)] // a test that cannot set itself up should stop loudly

mod support;

use std::alloc::System;

use cap::Cap;
use payoutsim_core::kit::SPARE_PLACES;
use payoutsim_core::testkit::{self, block_on};
use payoutsim_core::{Engine, EngineConfig};
use payoutsim_dots::DotsConfig;
use support::*;

#[global_allocator]
static ALLOCATOR: Cap<System> = Cap::new(System, usize::MAX);

/// The allocator's count is the whole process's: the tests here run one at a time, so that
/// another test's frees never fall inside the heap test's measurement.
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn one_at_a_time() -> std::sync::MutexGuard<'static, ()> {
    ONE_AT_A_TIME
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Dots on an engine whose tenants hold at most `objects` objects.
fn bounded(objects: usize, tune: impl FnOnce(&mut EngineConfig)) -> Sim {
    let mut config = testkit::sim_config(1);
    config.max_objects_per_tenant = objects;
    tune(&mut config);
    Sim::with_engine(Engine::new(config), DotsConfig::default())
}

/// A cent from the app wallet to `user`: a transfer completed at once (settled); its id.
async fn cent(sim: &Sim, keys: &Keys, user: &str) -> String {
    sim.transfer(keys, user, -1).await["id"]
        .as_str()
        .unwrap()
        .to_string()
}

#[test]
fn a_transfer_past_the_cap_drops_the_oldest_settled_one_which_is_then_not_found() {
    let _alone = one_at_a_time();
    block_on(async {
        let (sim, keys) = (bounded(3, |_| {}), sandbox());
        let u = sim.user(&keys, 0).await;
        let first = cent(&sim, &keys, &u).await;
        let second = cent(&sim, &keys, &u).await;

        let third = cent(&sim, &keys, &u).await;

        let gone = sim.get(&keys, &format!("/v2/transfers/{first}")).await;
        assert_eq!(gone.status, 404, "{}", gone.json);
        assert_eq!(gone.json["error_code"], "not-found");
        for kept in [&second, &third] {
            sim.get(&keys, &format!("/v2/transfers/{kept}"))
                .await
                .ok(200);
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
    let _alone = one_at_a_time();
    block_on(async {
        let (sim, keys) = (bounded(2, |_| {}), sandbox());
        sim.users(&keys, 0, 2).await;

        let refused = sim.create_user(&keys, user_body(2)).await;

        assert_eq!(refused.status, 503, "{}", refused.json);
        assert_eq!(refused.json["success"], false);
        assert_eq!(refused.json["error_code"], "service-unavailable");
        let listed = sim.get(&keys, "/v2/users").await;
        assert_eq!(listed.json["data"].as_array().map(Vec::len), Some(2));
    });
}

#[test]
fn creating_three_times_the_cap_keeps_the_heap_flat() {
    let _alone = one_at_a_time();
    block_on(async {
        const CAP: usize = 300;
        // The journal and the transitions log are bounded on their own: keep them small so
        // that what is measured is the app's objects.
        let sim = bounded(CAP, |c| {
            c.journal_cap = 8;
            c.history_cap = 8;
        });
        let keys = sandbox();
        let u = sim.user(&keys, 0).await;
        cent(&sim, &keys, &u).await;
        let empty = ALLOCATOR.allocated();
        for _ in 1..CAP {
            cent(&sim, &keys, &u).await;
        }
        let full = ALLOCATOR.allocated();
        for _ in 0..2 * CAP {
            cent(&sim, &keys, &u).await;
        }
        let after = ALLOCATOR.allocated();

        let per_object = (full - empty) / CAP;
        eprintln!(
            "heap: {empty} B with one transfer, {full} B at the cap ({per_object} B a \
             transfer), {after} B after 2 x {CAP} more"
        );
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
        // A pass that drops settled transfers makes its spare places at once: right after
        // one the app holds up to CAP / SPARE_PLACES fewer than the cap.
        let fewest = CAP - 1 - CAP / SPARE_PLACES;
        assert!(
            (fewest..=CAP - 1).contains(&listed),
            "the user and {fewest} to CAP - 1 transfers, not {listed}"
        );
    });
}
