//! What a page of getOperations costs, in heap bytes (counted by this binary's allocator, so the
//! measure does not depend on the machine): the same page over an entity of 1,000 operations
//! and of 100,000, built straight in the store. A list that gathers every matching operation
//! before cutting its page costs a pointer an operation more at the larger size.
//! One test in the binary: the allocator's count is global.
#![allow(clippy::unwrap_used)] // a test that cannot set itself up should stop loudly

mod support;

use std::alloc::System;

use cap::Cap;
use payoutsim_core::testkit::{allocated_while, assert_page_costs_are_flat};
use payoutsim_kashpay::tenant_name;
use serde_json::json;
use support::*;

#[global_allocator]
static ALLOCATOR: Cap<System> = Cap::new(System, usize::MAX);

const SMALL: usize = 1_000;
const LARGE: usize = 100_000;

/// What a case asks for: getOperations with these headers, or the back office's listing of
/// operations with this query.
#[derive(Clone, Copy, Debug)]
enum Ask {
    Api(&'static [(&'static str, &'static str)]),
    BackOffice(&'static str),
}

const CASES: [Ask; 5] = [
    Ask::Api(&[]),
    Ask::Api(&[("page", "7"), ("size", "100")]),
    Ask::Api(&[("type", "1")]),
    Ask::BackOffice(""),
    Ask::BackOffice("&offset=500&limit=20"),
];

/// An entity with `rows` operations (copies of its first order's), and the heap bytes of each
/// of [`CASES`], each after one warm-up call.
async fn page_costs(rows: usize) -> Vec<usize> {
    let (sim, auth) = signed_in(11).await;
    let r = sim
        .order(&auth, order_body("COST1", json!(10), CLABE))
        .await;
    assert_eq!(r.status, 200, "{}", r.json);
    {
        let mut store = sim.kit.store();
        let t = store.entities.get_mut(&tenant_name(ENTITY)).unwrap();
        let op = t.operations[0].clone();
        for _ in 1..rows {
            t.record(op.clone());
        }
    }
    let mut costs = Vec::new();
    for ask in CASES {
        let call = || async {
            match ask {
                Ask::Api(headers) => {
                    let r = sim.operations(&auth, headers).await;
                    (
                        r.status,
                        r.json["totalItems"].clone(),
                        r.json["operations"].clone(),
                    )
                }
                Ask::BackOffice(query) => {
                    let path = format!("/operations?tenant={}{query}", tenant_name(ENTITY));
                    let r = sim.back_office("GET", &path, None).await;
                    (
                        r.status,
                        r.json["total"].clone(),
                        r.json["operation"].clone(),
                    )
                }
            }
        };
        call().await;
        let ((status, total, page), bytes) =
            allocated_while(|| ALLOCATOR.total_allocated(), call()).await;
        assert_eq!((status, total), (200, rows.into()), "{ask:?}");
        assert!(!page.as_array().unwrap().is_empty(), "{ask:?}");
        costs.push(bytes);
    }
    costs
}

#[test]
fn a_page_of_operations_costs_the_same_over_a_thousand_and_a_hundred_thousand() {
    assert_page_costs_are_flat(&CASES, (SMALL, LARGE), page_costs);
}
