//! What a page of the back office's "Payouts" and "Error Logs" costs, in heap bytes (counted by
//! this binary's allocator, so the measure does not depend on the machine): the same page over a
//! tenant of 1,000 payouts and error log entries and of 100,000, built straight in the store. A
//! section that renders every row before answering costs a wire object a row more at the
//! larger size. One test in the binary: the allocator's count is global.
#![allow(clippy::unwrap_used)] // a test that cannot set itself up should stop loudly

mod support;

use std::alloc::System;

use cap::Cap;
use payoutsim_core::ids::Uid;
use payoutsim_core::testkit::{allocated_while, assert_page_costs_are_flat};
use support::*;

#[global_allocator]
static ALLOCATOR: Cap<System> = Cap::new(System, usize::MAX);

const SMALL: usize = 1_000;
const LARGE: usize = 100_000;

const CASES: [&str; 4] = [
    "/payouts?",
    "/payouts?offset=500&limit=20",
    "/error-logs?",
    "/error-logs?offset=0&limit=50",
];

/// A test tenant with `rows` payouts and `rows` error log entries (copies of the seed request's
/// one of each), and the heap bytes of the back office's answer to each of [`CASES`] (for that
/// tenant), each after one warm-up call.
async fn page_costs(rows: usize) -> Vec<usize> {
    let sim = sim(5);
    let token = sim.token_ok("test", PK).await;
    let r = sim.create(&token, "test", &seed_body()).await;
    assert_eq!(r.status, 201, "{}", r.json);
    let name = tenant("test", PK);
    {
        let mut store = sim.kit.store();
        let t = store.tenants.get_mut(&name).unwrap();
        let (payout, entry) = (t.payouts[0].clone(), t.error_log[0].clone());
        for n in 1..rows {
            let mut p = payout.clone();
            p.uuid = Uid::from_u128(n as u128);
            t.push_payout(p);
            t.error_log.push(entry.clone());
        }
    }
    let mut costs = Vec::new();
    for case in CASES {
        let path = format!("{case}&tenant={name}");
        sim.view(&path).await;
        let (answer, bytes) =
            allocated_while(|| ALLOCATOR.total_allocated(), sim.view(&path)).await;
        assert_eq!(answer["total"], rows, "{path}");
        costs.push(bytes);
    }
    costs
}

#[test]
fn a_page_of_payouts_or_error_logs_costs_the_same_over_a_thousand_and_a_hundred_thousand() {
    assert_page_costs_are_flat(&CASES, (SMALL, LARGE), page_costs);
}
