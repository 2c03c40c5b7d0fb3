//! Benchmarks of payoutsim as its users meet it (figures, not pass/fail):
//!
//! - start-up: `payoutsim::start` until every listener is bound, in process; and the release
//!   binary from spawn until its `--ready-file` appears;
//! - OnePay `POST /v1/cashouts` and `GET /v1/cashouts/{id}` throughput and p50/p99 latency with
//!   several concurrent keep-alive clients over loopback, each beside a bare axum handler of the
//!   same shape measured in the same run (the floor of what this machine can do);
//! - the fault layer's overhead: OnePay `POST /v1/cashouts` throughput with 100 fault rules loaded
//!   that match none of the requests, against none, in adjacent windows;
//! - resident memory of the idle binary, and as requests fill the journal and go past its cap.
//!
//! `cargo bench -p payoutsim --bench serve` prints a Markdown report (BENCHMARKS.md holds one).
//! Traffic goes to 127.0.0.1 only; every loop is bounded in count and time.
//! Starting the binary and the OnePay fixture are the tests' own (`tests/common/process.rs`,
//! `tests/common/onepay.rs`, included by path), so start-up is waited for and timed one way.
#![allow(clippy::unwrap_used)] // a benchmark that cannot set itself up should stop loudly

#[path = "../tests/common/onepay.rs"]
mod onepay;
#[path = "../tests/common/process.rs"]
mod process;

use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::routing::{get, post};
use axum::{Json, Router};
use payoutsim::ServeConfig;
use serde_json::{Value, json};

use crate::process::{Ready, serve_manual, spawn_ready};

const CLIENTS: usize = 8;
const WINDOW: Duration = Duration::from_secs(2);
/// Bare and simulator windows alternate this many times. Each round's ratio compares adjacent
/// windows, and the median round is reported, so a slow moment of the machine weighs on both
/// sides alike.
const ROUNDS: usize = 5;
const KEY: &str = "sk_test_bench";

struct Stats {
    requests: usize,
    per_s: f64,
    p50_us: u128,
    p99_us: u128,
}

type MakeRequest =
    Arc<dyn Fn(&reqwest::Client, usize, usize) -> reqwest::RequestBuilder + Send + Sync>;

/// `CLIENTS` concurrent loops for `WINDOW`, each waiting for its answer before the next request.
async fn load(make: MakeRequest, expect: u16) -> Stats {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(CLIENTS)
        .build()
        .unwrap();
    let start = Instant::now();
    let tasks: Vec<_> = (0..CLIENTS)
        .map(|c| {
            let (client, make) = (client.clone(), make.clone());
            tokio::spawn(async move {
                let mut lat = Vec::new();
                let mut i = 0;
                while start.elapsed() < WINDOW && i < 1_000_000 {
                    let t = Instant::now();
                    let resp = make(&client, c, i).send().await.unwrap();
                    assert_eq!(resp.status().as_u16(), expect, "unexpected status");
                    resp.bytes().await.unwrap();
                    lat.push(t.elapsed().as_micros());
                    i += 1;
                }
                lat
            })
        })
        .collect();
    let mut all: Vec<u128> = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    let secs = start.elapsed().as_secs_f64();
    all.sort_unstable();
    let pct = |p: f64| all[((all.len() as f64 * p) as usize).min(all.len() - 1)];
    Stats {
        requests: all.len(),
        per_s: all.len() as f64 / secs,
        p50_us: pct(0.50),
        p99_us: pct(0.99),
    }
}

/// A bare axum server with handlers of the same shape as OnePay's (parse JSON, answer JSON).
async fn bare_server() -> String {
    let cashout = || {
        json!({"id": "9d44ce43-a227-4566-b107-5a6bc01cbcdf", "customer_id": "9b7c5f38-b2b5-4b0d-8e4c-458192e88eae",
               "account_id": "9d0ac58c-2226-4f1c-b305-15e6dc3b47f6", "is_test": true, "amount": 1, "status": "pending",
               "scheduled_at": null, "created_at": "2026-01-05T14:00:00.000000Z", "external_id": null, "method": "TURBO"})
    };
    let app = Router::new()
        .route(
            "/v1/cashouts",
            post(move |Json(_): Json<Value>| async move {
                (axum::http::StatusCode::CREATED, Json(cashout()))
            }),
        )
        .route(
            "/v1/cashouts/{id}",
            get(move || async move { Json(cashout()) }),
        );
    payoutsim_core::testkit::spawn(app).await
}

/// Creates a customer, an account and one cashout; returns (customer, account, cashout) ids.
async fn onepay_fixture(base: &str) -> (String, String, String) {
    let http = reqwest::Client::new();
    let fixture = onepay::fixture(&http, base, KEY).await;
    let url = format!("{base}/v1/cashouts");
    let body = onepay::cashout_body(&fixture, 1);
    let cashout = onepay::create(&http, &url, KEY, "setup", &body).await;
    (fixture.0, fixture.1, onepay::id_of(&cashout))
}

fn post_cashouts(base: String, customer: String, account: String) -> MakeRequest {
    Arc::new(move |client, c, i| {
        client
            .post(format!("{base}/v1/cashouts"))
            .bearer_auth(KEY)
            .header("x-idempotency", format!("bench-{c}-{i}"))
            .json(
                &json!({"amount": 1, "currency": "COP", "method": "TURBO", "description": "bench",
                          "customer_id": customer, "account_id": account}),
            )
    })
}

fn get_cashout(base: String, id: String) -> MakeRequest {
    Arc::new(move |client, _, _| {
        client
            .get(format!("{base}/v1/cashouts/{id}"))
            .bearer_auth(KEY)
    })
}

async fn startup_in_process(runs: usize) -> Vec<Duration> {
    let mut times = Vec::new();
    for _ in 0..runs {
        let t = Instant::now();
        let running = payoutsim::start(ServeConfig::for_tests()).await.unwrap();
        times.push(t.elapsed());
        running.shutdown().await.unwrap();
    }
    times
}

/// Spawns the release binary and waits for its ready file; returns the child, the URLs and the
/// time from spawn to ready.
fn spawn_binary(tag: &str) -> Ready {
    let mut command = serve_manual(1, &["--log", "warn"]);
    command.stdout(Stdio::null()).stderr(Stdio::null());
    spawn_ready(command, &format!("bench-{tag}"))
}

fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

fn stop(mut child: std::process::Child) {
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let _ = child.wait();
}

/// RSS after idle start, then after 1k … 32k journaled requests that create nothing
/// (a refused cashout carrying a 4 KiB description): flat once the 1000-entry journal is full.
async fn memory() -> Vec<(usize, u64)> {
    let Ready { child, urls, .. } = spawn_binary("mem");
    let onepay = urls["onepay"].as_str().unwrap().to_string();
    let pid = child.id();
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut samples = vec![(0, rss_kib(pid))];
    let client = reqwest::Client::new();
    let padding = "x".repeat(4096);
    let mut sent = 0;
    for target in [1000, 2000, 4000, 8000, 16000, 32000] {
        while sent < target {
            let batch: Vec<_> = (0..CLIENTS)
                .map(|_| {
                    client
                        .post(format!("{onepay}/v1/cashouts"))
                        .bearer_auth(KEY)
                        .json(&json!({"amount": 1, "description": padding}))
                        .send()
                })
                .collect();
            for r in futures::future::join_all(batch).await {
                assert_eq!(r.unwrap().status().as_u16(), 400);
            }
            sent += CLIENTS;
        }
        samples.push((sent, rss_kib(pid)));
    }
    stop(child);
    samples
}

/// 100 rules that never match a cashout creation but make the layer look: most share its
/// provider and method and fail on the path glob, some match the path and fail on a header.
fn non_matching_rules() -> Value {
    let rules: Vec<Value> = (0..100)
        .map(|i| {
            let matcher = if i % 4 == 0 {
                json!({"provider": "onepay", "method": "POST", "path": "/v1/cashouts",
                       "headers": {"x-idempotency": format!("never-{i}-*")}})
            } else {
                json!({"provider": "onepay", "method": "POST", "path": format!("/v1/cashouts/{i}/*")})
            };
            json!({"match": matcher, "fault": {"kind": "status", "status": 503}})
        })
        .collect();
    Value::Array(rules)
}

/// Rounds of adjacent windows: no rule loaded, then 100 non-matching rules loaded.
async fn fault_layer_overhead(admin: &str, make: MakeRequest) -> Vec<(Stats, Stats)> {
    let client = reqwest::Client::new();
    let mut rounds = Vec::new();
    for _ in 0..ROUNDS {
        let none = load(make.clone(), 201).await;
        let resp = client
            .post(format!("{admin}/__admin/faults"))
            .json(&non_matching_rules())
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status().as_u16(), 201);
        let hundred = load(make.clone(), 201).await;
        let resp = client
            .delete(format!("{admin}/__admin/faults"))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status().as_u16(), 200);
        rounds.push((none, hundred));
    }
    rounds
}

/// The round whose simulator/bare throughput ratio is the median.
fn median_round(mut v: Vec<(Stats, Stats)>) -> (Stats, Stats) {
    v.sort_by(|(b1, s1), (b2, s2)| (s1.per_s / b1.per_s).total_cmp(&(s2.per_s / b2.per_s)));
    v.swap_remove(v.len() / 2)
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn row(name: &str, s: &Stats, floor: &Stats) -> String {
    format!(
        "| {name} | {} | {:.0} | {:.0}% | {} | {} |",
        s.requests,
        s.per_s,
        100.0 * s.per_s / floor.per_s,
        s.p50_us,
        s.p99_us
    )
}

fn print_fault_overhead(none: &Stats, hundred: &Stats, rounds: &str) {
    println!(
        "\n## Fault layer overhead (OnePay `POST /v1/cashouts`, {CLIENTS} clients, the median of {ROUNDS} rounds of adjacent {}s windows)\n",
        WINDOW.as_secs()
    );
    println!(
        "| rules loaded | requests | per second | of no rules | p50 µs | p99 µs |\n|---|---|---|---|---|---|"
    );
    println!("{}", row("none", none, none));
    println!("{}", row("100, none matching", hundred, none));
    println!("\nRatio of each round: {rounds}.");
}

/// `PAYOUTSIM_BENCH=faults`: only the fault layer's overhead (about 20 s instead of minutes).
async fn faults_only() {
    let sim = payoutsim::start(ServeConfig::for_tests()).await.unwrap();
    let onepay = sim.url("onepay").unwrap().to_string();
    let admin = sim.url("admin").unwrap().to_string();
    let (customer, account, _) = onepay_fixture(&onepay).await;
    let rounds = fault_layer_overhead(&admin, post_cashouts(onepay, customer, account)).await;
    let ratios = rounds
        .iter()
        .map(|(n, h)| format!("{:.0}%", 100.0 * h.per_s / n.per_s))
        .collect::<Vec<_>>()
        .join(", ");
    let (none, hundred) = median_round(rounds);
    print_fault_overhead(&none, &hundred, &ratios);
    sim.shutdown().await.unwrap();
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    if std::env::var("PAYOUTSIM_BENCH").as_deref() == Ok("faults") {
        rt.block_on(faults_only());
        return;
    }
    rt.block_on(async {
        let in_process = startup_in_process(30).await;
        let mut spawned = Vec::new();
        for i in 0..10 {
            let Ready { child, took, .. } = spawn_binary(&format!("start{i}"));
            spawned.push(took);
            stop(child);
        }

        let bare = bare_server().await;
        let sim = payoutsim::start(ServeConfig::for_tests()).await.unwrap();
        let onepay = sim.url("onepay").unwrap().to_string();
        let (customer, account, cashout) = onepay_fixture(&onepay).await;

        let (mut posts, mut gets) = (vec![], vec![]);
        for _ in 0..ROUNDS {
            let bare_post = load(post_cashouts(bare.clone(), customer.clone(), account.clone()), 201).await;
            let sim_post = load(post_cashouts(onepay.clone(), customer.clone(), account.clone()), 201).await;
            posts.push((bare_post, sim_post));
            let bare_get = load(get_cashout(bare.clone(), cashout.clone()), 200).await;
            let sim_get = load(get_cashout(onepay.clone(), cashout.clone()), 200).await;
            gets.push((bare_get, sim_get));
        }
        let ratios = |v: &[(Stats, Stats)]| v.iter().map(|(b, s)| format!("{:.0}%", 100.0 * s.per_s / b.per_s)).collect::<Vec<_>>().join(", ");
        let (post_rounds, get_rounds) = (ratios(&posts), ratios(&gets));
        let (bare_post, sim_post) = median_round(posts);
        let (bare_get, sim_get) = median_round(gets);
        let admin = sim.url("admin").unwrap().to_string();
        let faults = fault_layer_overhead(&admin, post_cashouts(onepay.clone(), customer.clone(), account.clone())).await;
        let fault_rounds = ratios(&faults);
        let (no_rules, hundred_rules) = median_round(faults);
        sim.shutdown().await.unwrap();

        let mem = memory().await;

        println!("## Start-up\n");
        println!("| what | median | min | max |\n|---|---|---|---|");
        for (name, v) in [("`payoutsim::start` until every listener is bound (in process, 30 runs)", in_process), ("release binary, spawn until the ready file exists (10 runs)", spawned)] {
            let (min, max) = (*v.iter().min().unwrap(), *v.iter().max().unwrap());
            println!("| {name} | {:.2} ms | {:.2} ms | {:.2} ms |", median(v).as_secs_f64() * 1e3, min.as_secs_f64() * 1e3, max.as_secs_f64() * 1e3);
        }
        println!(
            "\n## Throughput and latency ({CLIENTS} keep-alive clients, loopback, the median of {ROUNDS} rounds of adjacent {}s windows)\n",
            WINDOW.as_secs()
        );
        println!("| endpoint | requests | per second | of bare handler | p50 µs | p99 µs |\n|---|---|---|---|---|---|");
        println!("{}", row("bare axum `POST /v1/cashouts` (floor)", &bare_post, &bare_post));
        println!("{}", row("OnePay `POST /v1/cashouts`", &sim_post, &bare_post));
        println!("{}", row("bare axum `GET /v1/cashouts/{id}` (floor)", &bare_get, &bare_get));
        println!("{}", row("OnePay `GET /v1/cashouts/{id}`", &sim_get, &bare_get));
        println!("\nRatio of each round: POST {post_rounds}; GET {get_rounds}.");
        print_fault_overhead(&no_rules, &hundred_rules, &fault_rounds);
        println!("\n## Memory (release binary, VmRSS; journal cap 1000 entries)\n");
        println!("| journaled requests (4 KiB bodies) | RSS MiB |\n|---|---|");
        for (n, kib) in mem {
            println!("| {n} | {:.1} |", kib as f64 / 1024.0);
        }
    });
}
