//! What a page of the users and transfers lists costs, in heap bytes (counted by this binary's
//! allocator, so the measure does not depend on the machine): the same page, from the start and
//! from a cursor, filtered and not, over an app of 1,000 users and transfers and of 100,000,
//! built straight in the store. A list that gathers or renders every object before cutting its
//! page costs a pointer an object more at the larger size. One test in the binary: the
//! allocator's count is global.
#![allow(clippy::unwrap_used)] // a test that cannot set itself up should stop loudly

mod common;

use std::alloc::System;

use cap::Cap;
use common::{DotsSim, SANDBOX, sim};
use payoutsim_core::testkit::{allocated_while, assert_page_costs_are_flat};
use serde_json::json;

#[global_allocator]
static ALLOCATOR: Cap<System> = Cap::new(System, usize::MAX);

const SMALL: usize = 1_000;
const LARGE: usize = 100_000;

const CASES: [&str; 6] = [
    "/v2/users",
    "/v2/users?limit=100&starting_after=00000000-0000-4000-8000-{mid}",
    "/v2/users?status={status}&ending_before=00000000-0000-4000-8000-{mid}",
    "/v2/transfers",
    "/v2/transfers?reverse_order=true&starting_after=00000000-0000-4000-9000-{mid}",
    "/v2/transfers?user_id={user}&limit=100",
];

/// Object `n`'s id, UUID-shaped as Dots' document requires (`variant` 8: users, 9: transfers).
fn uuid(variant: u8, n: usize) -> String {
    format!("00000000-0000-4000-{variant}000-{n:012}")
}

/// An app with `rows` users and `rows` transfers (copies of one of each, ids [`uuid`]),
/// and the heap bytes of `GET` of each of [`CASES`] (`{user}` and `{mid}` replaced by the
/// first user's id and the middle object's number (12 digits), `{status}` by the users' status), each
/// after one warm-up call.
async fn page_costs(rows: usize) -> Vec<usize> {
    let sim = sim(9);
    let ana = sim.user(SANDBOX, "ana").await;
    let r = sim
        .post(
            SANDBOX,
            "/v2/transfers",
            &json!({"amount": -10, "user_id": ana}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.json);
    let status = {
        let mut store = sim.kit.store();
        let app = store.apps.get_mut(&SANDBOX.tenant()).unwrap();
        let user = app.users.iter().next().unwrap().clone();
        let transfer = app.transfers.iter().next().unwrap().clone();
        for n in 1..rows {
            let (mut u, mut t) = (user.clone(), transfer.clone());
            (u.id, t.id) = (uuid(8, n), uuid(9, n).parse().unwrap());
            app.users.insert(u.id.clone(), u);
            app.transfers.insert(t.id.to_string(), t);
        }
        user.status
    };
    let mut costs = Vec::new();
    for path in CASES {
        let path = (path.replace("{user}", &ana))
            .replace("{mid}", &format!("{:012}", rows / 2))
            .replace("{status}", &status);
        sim.get(SANDBOX, &path).await;
        let (r, bytes) =
            allocated_while(|| ALLOCATOR.total_allocated(), sim.get(SANDBOX, &path)).await;
        assert_eq!(r.status, 200, "{path}: {}", r.json);
        assert!(!r.json["data"].as_array().unwrap().is_empty(), "{path}");
        costs.push(bytes);
    }
    costs
}

#[test]
fn a_page_of_users_or_transfers_costs_the_same_over_a_thousand_and_a_hundred_thousand() {
    assert_page_costs_are_flat(&CASES, (SMALL, LARGE), page_costs);
}
