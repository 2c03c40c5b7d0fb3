//! What a page of the customer and cashout lists costs, in heap bytes (counted by this binary's
//! allocator, so the measure does not depend on the machine): the same page, filtered and not,
//! over a tenant of 1,000 customers and cashouts and of 100,000, built straight in the store. A
//! list that copies or renders every row before cutting its page costs a row's copy more each
//! at the larger size. One test in the binary: the allocator's count is global.
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

const CASES: [&str; 5] = [
    "/v1/customers?per_page=1",
    "/v1/customers?page=40&per_page=20",
    "/v1/cashouts",
    "/v1/cashouts?sort=created_at&page=3",
    "/v1/cashouts?filter[method]={method}&per_page=50",
];

/// A tenant with `rows` customers and `rows` cashouts (copies of one of each), and the heap
/// bytes of `GET` of each of [`CASES`] (`{method}` replaced by the cashout's method), each
/// after one warm-up call.
async fn page_costs(rows: usize) -> Vec<usize> {
    let sim = sim(4);
    let (_, _cashout) = sim.cashout_to_payee("ACH").await;
    let tenant = format!("onepay:{TEST_KEY}");
    let method = {
        let mut store = sim.kit.store();
        let t = store.tenants.get_mut(&tenant).unwrap();
        let customer = t.customers.iter().next().unwrap().clone();
        let cashout = t.cashouts.iter().next().unwrap().clone();
        for n in 1..rows {
            let (mut c, mut o) = (customer.clone(), cashout.clone());
            // Ids of their own, as UUIDs (the table's index holds them so).
            let (cid, oid) = (
                Uid::from_u128(2 * n as u128),
                Uid::from_u128(2 * n as u128 + 1),
            );
            (c.id, o.id) = (cid.to_string(), oid);
            t.customers.insert(cid, c);
            t.cashouts.insert(oid, o);
        }
        cashout.method.to_string()
    };
    let mut costs = Vec::new();
    for case in CASES {
        let path = case.replace("{method}", &method);
        sim.get(TEST_KEY, &path).await;
        let (r, bytes) =
            allocated_while(|| ALLOCATOR.total_allocated(), sim.get(TEST_KEY, &path)).await;
        assert_eq!(r.status, 200, "{path}: {}", r.json);
        assert_eq!(r.json["total"], rows, "{path}");
        costs.push(bytes);
    }
    costs
}

#[test]
fn a_page_of_customers_or_cashouts_costs_the_same_over_a_thousand_and_a_hundred_thousand() {
    assert_page_costs_are_flat(&CASES, (SMALL, LARGE), page_costs);
}
