//! Benchmark of Dots' largest request (figures, not pass/fail), in process through the
//! journaled router (`testkit::Sim`, no socket): a payout batch of 5000 items, the most the
//! document allows, made and advanced to `completed` on the simulated clock.
//!
//! - the batch's creation (validating 5000 items), against creating 100 users (a reference
//!   request of the same crate);
//! - each step of its lifecycle: `processing` (every item's user checked), `paying_out` (5000
//!   payouts made, each debiting the app wallet), `completed`, and the payouts settling;
//! - its results with `include_request=true` (every item and its request in one answer);
//! - memory, over [`ROUNDS`] rounds of the whole run (users, batch, settling, results), each
//!   ended by `POST /__admin/reset` and `DELETE /__admin/requests`: the heap in use (a counting
//!   global allocator: bytes allocated and not yet freed) and resident memory
//!   (`/proc/self/statm`, Linux; 0 elsewhere) at start, after each round completed, and after
//!   each reset. The heap shows what the simulator holds; resident memory also holds the pages
//!   the allocator keeps for reuse, which is why it is read over rounds: it must stay flat.
//!
//! `cargo bench -p payoutsim-dots --bench batch` prints a Markdown report. Every loop is
//! bounded in count.
#![allow(clippy::unwrap_used)] // a benchmark that cannot set itself up should stop loudly

use std::alloc::System;
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use cap::Cap;
use payoutsim_core::testkit::{Resp, Sim, block_on};
use payoutsim_dots::{DotsConfig, DotsSpec, MAX_BATCH_ITEMS};
use serde_json::{Value, json};

const USERS: usize = 100;
const CLIENT: &str = "pk_dev_benchbatch";
const TENANT: &str = "dots:pk_dev_benchbatch";
/// Each item pays this many cents.
const ITEM_CENTS: i64 = 150;

/// Whole runs, each ended by a reset.
const ROUNDS: usize = 3;

/// The system allocator, counting the bytes allocated and not yet freed (no limit set).
#[global_allocator]
static ALLOCATOR: Cap<System> = Cap::new(System, usize::MAX);

/// Heap bytes in use, in KiB.
fn heap_kib() -> i64 {
    (ALLOCATOR.allocated() / 1024) as i64
}

/// Resident memory in KiB: `/proc/self/statm`'s resident pages times the page size (Linux; 0
/// elsewhere).
fn rss_kib() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: u64 = (statm.split_whitespace().nth(1))
        .and_then(|p| p.parse().ok())
        .unwrap_or(0);
    pages * page_kib()
}

/// The page size in KiB, from `/proc/self/smaps` (4 when it does not say).
fn page_kib() -> u64 {
    let smaps = std::fs::read_to_string("/proc/self/smaps").unwrap_or_default();
    let line = smaps.lines().find(|l| l.starts_with("KernelPageSize:"));
    let kib = line.and_then(|l| l.split_whitespace().nth(1));
    kib.and_then(|k| k.parse().ok()).unwrap_or(4)
}

fn ms(d: Duration) -> String {
    format!("{:.1}", d.as_secs_f64() * 1e3)
}

async fn call(sim: &Sim<DotsSpec>, method: &str, path: &str, body: Option<&Value>) -> Resp {
    let auth = format!(
        "Basic {}",
        STANDARD.encode(format!("{CLIENT}:sk_dev_benchsecret"))
    );
    let headers = [("authorization", auth.as_str())];
    let path = format!("/api{path}");
    match body {
        Some(b) => sim.call_json(method, &path, &headers, b).await,
        None => sim.call(method, &path, &headers, None).await,
    }
}

async fn status(sim: &Sim<DotsSpec>, batch: &str) -> String {
    let r = call(sim, "GET", &format!("/v2/payout-batches/{batch}"), None).await;
    r.json["status"].as_str().unwrap().to_string()
}

/// Advances `seconds` and answers the wall time it took.
async fn advance(sim: &Sim<DotsSpec>, seconds: f64) -> Duration {
    let t = Instant::now();
    sim.advance(seconds).await;
    t.elapsed()
}

/// What one round measured.
struct Round {
    made_users: Duration,
    request_bytes: usize,
    created: Duration,
    processing: Duration,
    paying_out: Duration,
    completed: Duration,
    settled: Duration,
    read: Duration,
    results_bytes: usize,
    done: usize,
    /// (heap KiB, resident KiB) before the batch, after it completed, after the reset.
    before: (i64, u64),
    after: (i64, u64),
    reset: (i64, u64),
}

fn memory() -> (i64, u64) {
    (heap_kib(), rss_kib())
}

/// Users, a funded batch of [`MAX_BATCH_ITEMS`] to completion, its results, then a reset and
/// the journal cleared.
async fn round(sim: &Sim<DotsSpec>, n: usize) -> Round {
    let t = Instant::now();
    let mut users = Vec::with_capacity(USERS);
    for i in 0..USERS {
        let body = json!({
            "first_name": "Bench", "last_name": format!("User {i}"),
            "email": format!("user{i}@bench.test"), "country_code": "1",
            "phone_number": format!("555{i:07}"),
        });
        let r = call(sim, "POST", "/v2/users", Some(&body)).await;
        assert_eq!(r.status, 201, "{}", r.json);
        users.push(r.json["id"].as_str().unwrap().to_string());
    }
    let made_users = t.elapsed();
    let dollars = MAX_BATCH_ITEMS as i64 * ITEM_CENTS / 100;
    let funded = sim
        .back_office(
            "POST",
            "/fund",
            Some(json!({"tenant": TENANT, "amount": dollars})),
        )
        .await;
    assert_eq!(funded.status, 200, "{}", funded.json);
    // Before the bench builds its own request.
    let before = memory();
    let items: Vec<Value> = (0..MAX_BATCH_ITEMS)
        .map(|i| {
            json!({
                "user_id": users[i % USERS], "amount": ITEM_CENTS, "platform": "paypal",
                "fund": true, "idempotency_key": format!("5ee0b000-0000-4000-8{n:03}-{i:012}"),
            })
        })
        .collect();
    let body = json!({"items": items, "metadata": {"run": "bench"}});
    let request_bytes = body.to_string().len();

    let t = Instant::now();
    let r = call(sim, "POST", "/v2/payout-batches", Some(&body)).await;
    let created = t.elapsed();
    drop(body);
    assert_eq!(r.status, 200, "{}", r.json);
    let batch = r.json["id"].as_str().unwrap().to_string();
    drop(r);
    let processing = advance(sim, 1.0).await;
    assert_eq!(status(sim, &batch).await, "processing");
    let paying_out = advance(sim, 10.0).await;
    assert_eq!(status(sim, &batch).await, "paying_out");
    let completed = advance(sim, 60.0).await;
    assert_eq!(status(sim, &batch).await, "completed");
    let settled = advance(sim, 300.0).await;

    let t = Instant::now();
    let results = call(
        sim,
        "GET",
        &format!("/v2/payout-batches/{batch}/results?include_request=true"),
        None,
    )
    .await;
    let read = t.elapsed();
    let done = (results.json["items"].as_array().unwrap().iter())
        .filter(|i| i["transfer"]["status"] == "completed")
        .count();
    assert_eq!(
        results.json["items_succeeded"], MAX_BATCH_ITEMS,
        "{}",
        results.json["items_failed"]
    );
    let results_bytes = results.bytes.len();
    drop(results);
    let after = memory();

    let reset = sim.admin("POST", "/__admin/reset", None).await;
    assert_eq!(reset.status, 200, "{}", reset.json);
    let cleared = sim.admin("DELETE", "/__admin/requests", None).await;
    assert!(cleared.status < 300, "{} {}", cleared.status, cleared.json);
    let left = sim.objects(None, Some("transfer"))["objects"]
        .as_array()
        .map_or(0, Vec::len);
    assert_eq!(left, 0, "the reset forgot every payout");
    Round {
        made_users,
        request_bytes,
        created,
        processing,
        paying_out,
        completed,
        settled,
        read,
        results_bytes,
        done,
        before,
        after,
        reset: (0, 0),
    }
}

fn main() {
    block_on(async {
        let sim = Sim::<DotsSpec>::new(1, DotsConfig::default());
        let start = memory();
        let mut rounds = Vec::with_capacity(ROUNDS);
        for n in 0..ROUNDS {
            let mut r = round(&sim, n).await;
            // Measured here, once the round's own values (its requests and answers) are gone.
            r.reset = memory();
            rounds.push(r);
        }
        let r = &rounds[0];

        println!(
            "### Dots, in process (`oneshot` through the journal): one batch of {MAX_BATCH_ITEMS} items, {USERS} users (first round)\n"
        );
        println!("| what | wall ms | per item µs |");
        println!("|---|---|---|");
        let per_item =
            |d: Duration| format!("{:.1}", d.as_secs_f64() * 1e6 / MAX_BATCH_ITEMS as f64);
        println!(
            "| {USERS} users created (reference, per user) | {} | {:.1} |",
            ms(r.made_users),
            r.made_users.as_secs_f64() * 1e6 / USERS as f64
        );
        println!(
            "| `POST /v2/payout-batches` ({} bytes): validated and stored | {} | {} |",
            r.request_bytes,
            ms(r.created),
            per_item(r.created)
        );
        println!(
            "| advance 1 s: `processing`, every item's user checked | {} | {} |",
            ms(r.processing),
            per_item(r.processing)
        );
        println!(
            "| advance 10 s: `paying_out`, {MAX_BATCH_ITEMS} payouts made | {} | {} |",
            ms(r.paying_out),
            per_item(r.paying_out)
        );
        println!(
            "| advance 60 s: `completed` (the payouts go `pending`) | {} | {} |",
            ms(r.completed),
            per_item(r.completed)
        );
        println!(
            "| advance 300 s: the payouts `completed` | {} | {} |",
            ms(r.settled),
            per_item(r.settled)
        );
        println!(
            "| results with `include_request=true` ({} bytes) | {} | {} |",
            r.results_bytes,
            ms(r.read),
            per_item(r.read)
        );
        println!("\n{} of {MAX_BATCH_ITEMS} payouts completed.\n", r.done);

        println!(
            "### Memory over {ROUNDS} rounds, each ended by `POST /__admin/reset` and `DELETE /__admin/requests`\n"
        );
        println!(
            "Heap in use: bytes allocated and not freed (a counting global allocator). Resident: \
             statm, {} KiB pages. At start: heap {} KiB, resident {} KiB.\n",
            page_kib(),
            start.0,
            start.1
        );
        println!(
            "| round | heap before the batch KiB | heap after it completed KiB | heap after the reset KiB | resident after it completed KiB | resident after the reset KiB |"
        );
        println!("|---|---|---|---|---|---|");
        for (n, r) in rounds.iter().enumerate() {
            println!(
                "| {} | {} | {} | {} | {} | {} |",
                n + 1,
                r.before.0,
                r.after.0,
                r.reset.0,
                r.after.1,
                r.reset.1
            );
        }
    });
}
