//! Benchmark of Dots' largest request (figures, not pass/fail), in process through the
//! journaled router (`testkit::Sim`, no socket): a payout batch of 5000 items, the most the
//! document allows, made and advanced to `completed` on the simulated clock.
//!
//! - the batch's creation (validating 5000 items), against creating 100 users (a reference
//!   request of the same crate);
//! - each step of its lifecycle: `processing` (every item's user checked), `paying_out` (5000
//!   payouts made, each debiting the app wallet), `completed`, and the payouts settling;
//! - its results with `include_request=true` (every item and its request in one answer);
//! - resident memory (`/proc/self/statm`, Linux; 0 elsewhere) before the batch, after it
//!   completed, and after `POST /__admin/reset`.
//!
//! `cargo bench -p payoutsim-dots --bench batch` prints a Markdown report. Every loop is
//! bounded in count.
#![allow(clippy::unwrap_used)] // a benchmark that cannot set itself up should stop loudly

use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use payoutsim_core::testkit::{Resp, Sim, block_on};
use payoutsim_dots::{DotsConfig, DotsSpec, MAX_BATCH_ITEMS};
use serde_json::{Value, json};

const USERS: usize = 100;
const CLIENT: &str = "pk_dev_benchbatch";
const TENANT: &str = "dots:pk_dev_benchbatch";
/// Each item pays this many cents.
const ITEM_CENTS: i64 = 150;

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

fn main() {
    block_on(async {
        let sim = Sim::<DotsSpec>::new(1, DotsConfig::default());
        let rss_start = rss_kib();

        let t = Instant::now();
        let mut users = Vec::with_capacity(USERS);
        for i in 0..USERS {
            let body = json!({
                "first_name": "Bench", "last_name": format!("User {i}"),
                "email": format!("user{i}@bench.test"), "country_code": "1",
                "phone_number": format!("555{i:07}"),
            });
            let r = call(&sim, "POST", "/v2/users", Some(&body)).await;
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
        let items: Vec<Value> = (0..MAX_BATCH_ITEMS)
            .map(|n| {
                json!({
                    "user_id": users[n % USERS], "amount": ITEM_CENTS, "platform": "paypal",
                    "fund": true, "idempotency_key": format!("5ee0b000-0000-4000-8000-{n:012}"),
                })
            })
            .collect();
        let body = json!({"items": items, "metadata": {"run": "bench"}});
        let request_bytes = body.to_string().len();
        let rss_before = rss_kib();

        let t = Instant::now();
        let r = call(&sim, "POST", "/v2/payout-batches", Some(&body)).await;
        let created = t.elapsed();
        assert_eq!(r.status, 200, "{}", r.json);
        let batch = r.json["id"].as_str().unwrap().to_string();
        let processing = advance(&sim, 1.0).await;
        assert_eq!(status(&sim, &batch).await, "processing");
        let paying_out = advance(&sim, 10.0).await;
        assert_eq!(status(&sim, &batch).await, "paying_out");
        let completed = advance(&sim, 60.0).await;
        assert_eq!(status(&sim, &batch).await, "completed");
        let settled = advance(&sim, 300.0).await;

        let t = Instant::now();
        let results = call(
            &sim,
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
        let rss_after = rss_kib();

        let reset = sim.admin("POST", "/__admin/reset", None).await;
        assert_eq!(reset.status, 200, "{}", reset.json);
        let rss_reset = rss_kib();
        let left = sim.objects(None, Some("transfer"))["objects"]
            .as_array()
            .map_or(0, Vec::len);
        assert_eq!(left, 0, "the reset forgot every payout");

        println!(
            "### Dots, in process (`oneshot` through the journal): one batch of {MAX_BATCH_ITEMS} items, {USERS} users\n"
        );
        println!("| what | wall ms | per item µs |");
        println!("|---|---|---|");
        let per_item =
            |d: Duration| format!("{:.1}", d.as_secs_f64() * 1e6 / MAX_BATCH_ITEMS as f64);
        println!(
            "| {USERS} users created (reference, per user) | {} | {:.1} |",
            ms(made_users),
            made_users.as_secs_f64() * 1e6 / USERS as f64
        );
        println!(
            "| `POST /v2/payout-batches` ({request_bytes} bytes): validated and stored | {} | {} |",
            ms(created),
            per_item(created)
        );
        println!(
            "| advance 1 s: `processing`, every item's user checked | {} | {} |",
            ms(processing),
            per_item(processing)
        );
        println!(
            "| advance 10 s: `paying_out`, {MAX_BATCH_ITEMS} payouts made | {} | {} |",
            ms(paying_out),
            per_item(paying_out)
        );
        println!(
            "| advance 60 s: `completed` (the payouts go `pending`) | {} | {} |",
            ms(completed),
            per_item(completed)
        );
        println!(
            "| advance 300 s: the payouts `completed` | {} | {} |",
            ms(settled),
            per_item(settled)
        );
        println!(
            "| results with `include_request=true` ({} bytes) | {} | {} |",
            results.bytes.len(),
            ms(read),
            per_item(read)
        );
        println!("\n{done} of {MAX_BATCH_ITEMS} payouts completed.");
        println!(
            "Resident memory (statm, {} KiB pages): {rss_start} KiB at start, {rss_before} KiB before the batch, \
             {rss_after} KiB after it completed ({:.1} KiB an item), {rss_reset} KiB after `POST /__admin/reset` \
             (every object forgotten; the allocator keeps the pages).",
            page_kib(),
            rss_after.saturating_sub(rss_before) as f64 / MAX_BATCH_ITEMS as f64,
        );
    });
}
