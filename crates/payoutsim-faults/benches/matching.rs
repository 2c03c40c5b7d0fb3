//! What 1,000 loaded fault rules that match none of a request cost that request: the layer's
//! first pass (`Snapshot::any_head_matches`, run for every request when rules are loaded),
//! through the index by provider and path, next to a scan of every rule's head as the layer did
//! before the index, in the same run.
//!
//! `cargo bench -p payoutsim-faults --bench matching [-- <rounds>]`. No network, no sockets.
//! The rules: 600 on other OnePay paths, 300 on other providers, 75 for any provider on other
//! paths, and 25 on the request's own path that fail on an `x-idempotency` header glob (the
//! costliest kind: the index cannot tell them apart from a match); then the same with those 25
//! on other paths.
#![allow(clippy::unwrap_used)] // a benchmark that cannot set itself up should stop loudly

use std::hint::black_box;
use std::time::Instant;

use http::{HeaderMap, Method};
use payoutsim_faults::Faults;
use payoutsim_faults::matcher::Subject;
use payoutsim_faults::rule::parse_rule;

/// The 1,000 rules; `header_rules`: whether 25 of them are on the request's own path.
fn rules(header_rules: bool) -> Vec<String> {
    let mut out = Vec::new();
    for i in 0..600 {
        out.push(format!(
            "{{match: {{provider: onepay, path: /v1/customers/c{i}/*}}, fault: {{kind: reset}}}}"
        ));
    }
    for i in 0..300 {
        let provider = ["kashpay", "onspot", "tupay"][i % 3];
        out.push(format!(
            "{{match: {{provider: {provider}, path: /v1/cashouts}}, fault: {{kind: reset}}}}"
        ));
    }
    for i in 0..75 {
        out.push(format!(
            "{{match: {{path: '/api/v{i}/**'}}, fault: {{kind: reset}}}}"
        ));
    }
    for i in 0..25 {
        if !header_rules {
            out.push(format!(
                "{{match: {{provider: onepay, path: /v1/accounts/a{i}}}, fault: {{kind: reset}}}}"
            ));
            continue;
        }
        out.push(format!(
            "{{match: {{provider: onepay, path: /v1/cashouts, headers: {{x-idempotency: 'zz-{i}-*'}}}}, fault: {{kind: reset}}}}"
        ));
    }
    out
}

/// Nanoseconds per call of `f`, the best of `rounds` rounds of 100,000 calls.
fn per_call(rounds: usize, mut f: impl FnMut() -> bool) -> f64 {
    const CALLS: u32 = 100_000;
    (0..rounds)
        .map(|_| {
            let start = Instant::now();
            for _ in 0..CALLS {
                black_box(f());
            }
            start.elapsed().as_nanos() as f64 / f64::from(CALLS)
        })
        .fold(f64::INFINITY, f64::min)
}

fn main() {
    let rounds = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(5);
    let load = |header_rules| {
        let faults = Faults::new();
        let at = payoutsim_core::clock::manual_epoch();
        let loaded: Vec<_> = rules(header_rules)
            .iter()
            .map(|t| (parse_rule(t).unwrap(), at))
            .collect();
        faults.add(loaded).unwrap();
        faults
    };
    let faults = load(true);
    let elsewhere = load(false);
    let snapshot = faults.snapshot();
    let count = snapshot.len();

    let mut headers = HeaderMap::new();
    headers.insert("x-idempotency", "k-123e4567".parse().unwrap());
    headers.insert("authorization", "Bearer sk_test_bench".parse().unwrap());
    headers.insert("content-type", "application/json".parse().unwrap());
    let head = Subject {
        provider: "onepay",
        method: Some(&Method::POST),
        path: Some("/v1/cashouts"),
        headers: Some(&headers),
        ..Subject::default()
    };
    assert!(
        !snapshot.any_head_matches(&head),
        "no rule matches the request"
    );

    let empty = Faults::new();
    let none = per_call(rounds, || {
        empty.is_empty() || empty.snapshot().any_head_matches(black_box(&head))
    });
    let indexed = per_call(rounds, || {
        faults.snapshot().any_head_matches(black_box(&head))
    });
    let indexed_elsewhere = per_call(rounds, || {
        elsewhere.snapshot().any_head_matches(black_box(&head))
    });
    let scanned = per_call(rounds, || {
        faults
            .snapshot()
            .iter()
            .any(|r| !r.rule.fault.is_webhook() && r.head.matches(black_box(&head)))
    });

    // What a OnePay cashout creation costs in process (BENCHMARKS.md, "Fault-layer overhead").
    const REQUEST_NS: f64 = 35_000.0;
    println!(
        "{count} rules loaded, none matching OnePay POST /v1/cashouts; best of {rounds} rounds"
    );
    println!(
        "| first pass | ns per request | of a {:.0} µs request |",
        REQUEST_NS / 1000.0
    );
    println!("|---|---|---|");
    for (name, ns) in [
        ("no rule loaded", none),
        (
            "1,000 rules, none on the request's path, indexed",
            indexed_elsewhere,
        ),
        (
            "1,000 rules, 25 on its path failing on a header, indexed",
            indexed,
        ),
        ("the same, every head scanned (before the index)", scanned),
    ] {
        println!("| {name} | {ns:.0} | {:.2}% |", 100.0 * ns / REQUEST_NS);
    }
}
