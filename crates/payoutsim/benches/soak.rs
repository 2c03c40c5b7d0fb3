//! The soak run (figures, not pass/fail tests; not part of CI's default run, which only builds
//! it): the release binary with default flags, driven for `--minutes` (default 10) by every
//! load shape that once made memory grow, all at once, over loopback, while its resident memory
//! is sampled every second from `/proc/<pid>/status` (Linux).
//!
//! ```sh
//! cargo bench -p payoutsim --bench soak -- --minutes 10
//! ```
//!
//! Shapes (each a loop with a fixed number of clients, bounded in time):
//! - `create`: OnePay cashouts with fresh idempotency keys, a new tenant every 5,000 (objects,
//!   timelines, idempotency keys, tenants);
//! - `tenants`: a new OnePay key on every `GET /v1/balances` (tenants);
//! - `inbox`: 2 MiB messages to `POST /__admin/inbox/{name}` over 50 names (inbox);
//! - `error-logs`: refused OnSpot `Create Payouts` of about 1 MiB (Error Logs);
//! - `headers`: OnePay reads with 64 KiB of headers (journal bytes);
//! - `dumps`: `GET /__admin/providers/onepay/objects` and `GET /__admin/requests` (admin dumps);
//! - `webhooks`: cashouts of a tenant whose webhook points at a closed port (the outbox);
//! - `faults`: non-matching fault rules added (fault rules);
//! - `idle`: 1,000 connections opened and left idle, opened again when closed (connections).
//!
//! It prints, per minute, the resident memory (last, max) and each shape's request count, and
//! ends with the verdict the hardening issue asks for: under 256 MiB throughout, and flat (the
//! last third's median within 10% of the middle third's).
#![allow(clippy::unwrap_used)] // a benchmark that cannot set itself up should stop loudly

#[path = "../tests/common/onepay.rs"]
mod onepay;
#[path = "../tests/common/process.rs"]
mod process;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tokio::io::AsyncWriteExt;

/// The bound the hardening issue sets for default flags.
const LIMIT_MIB: f64 = 256.0;

fn rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn minutes() -> f64 {
    let args: Vec<String> = std::env::args().collect();
    let at = args.iter().position(|a| a == "--minutes");
    (at.and_then(|i| args.get(i + 1))
        .and_then(|m| m.parse().ok()))
    .unwrap_or(10.0)
}

type Counts = Arc<BTreeMap<&'static str, AtomicU64>>;

fn count(counts: &Counts, shape: &str) {
    if let Some(c) = counts.get(shape) {
        c.fetch_add(1, Ordering::Relaxed);
    }
}

const SHAPES: [&str; 9] = [
    "create",
    "tenants",
    "inbox",
    "error-logs",
    "headers",
    "dumps",
    "webhooks",
    "faults",
    "idle",
];

struct Urls {
    admin: String,
    onepay: String,
    onspot: String,
}

/// OnePay cashouts with fresh keys; a new tenant (and fixture) every 5,000.
async fn create(
    http: reqwest::Client,
    urls: Arc<Urls>,
    client: usize,
    until: Instant,
    counts: Counts,
) {
    let mut n = 0u64;
    while Instant::now() < until {
        let key = format!("sk_test_soak_{client}_{}", n / 5000);
        let fixture = onepay::fixture(&http, &urls.onepay, &key).await;
        while Instant::now() < until && n % 5000 != 4999 {
            let resp = http
                .post(format!("{}/v1/cashouts", urls.onepay))
                .bearer_auth(&key)
                .header("x-idempotency", format!("soak-{client}-{n}"))
                .json(&onepay::cashout_body(&fixture, 1000))
                .send()
                .await;
            if let Ok(r) = resp {
                let _ = r.bytes().await;
            }
            count(&counts, "create");
            n += 1;
        }
        n += 1;
    }
}

async fn tenants(
    http: reqwest::Client,
    urls: Arc<Urls>,
    client: usize,
    until: Instant,
    counts: Counts,
) {
    let mut n = 0u64;
    while Instant::now() < until {
        let resp = (http.get(format!("{}/v1/balances", urls.onepay)))
            .bearer_auth(format!("sk_test_tenant_{client}_{n}"))
            .send()
            .await;
        if let Ok(r) = resp {
            let _ = r.bytes().await;
        }
        count(&counts, "tenants");
        n += 1;
    }
}

async fn inbox(
    http: reqwest::Client,
    urls: Arc<Urls>,
    client: usize,
    until: Instant,
    counts: Counts,
) {
    let filler = "x".repeat(2 << 20);
    let body = format!("{{\"filler\":\"{filler}\"}}");
    let mut n = 0u64;
    while Instant::now() < until {
        let resp = http
            .post(format!(
                "{}/__admin/inbox/soak-{}",
                urls.admin,
                (n + client as u64) % 50
            ))
            .header("content-type", "application/json")
            .body(body.clone())
            .send()
            .await;
        if let Ok(r) = resp {
            let _ = r.bytes().await;
        }
        count(&counts, "inbox");
        n += 1;
    }
}

async fn error_logs(http: reqwest::Client, urls: Arc<Urls>, until: Instant, counts: Counts) {
    let token = (http.post(format!("{}/platform/generate-token-api", urls.onspot)))
        .header("publicKey", "soak-public")
        .header("secretKey", "soak-secret")
        .header("environment", "test")
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap();
    let token = token.as_str().unwrap().to_string();
    // About 1 MiB of items whose amounts OnSpot refuses.
    let item = json!({"type": "INDIVIDUAL", "documentType": "CC", "documentNumber": "1017209836",
        "legalName": "", "firstName": "Aries", "lastName": "Studio",
        "customerEmail": "soak@example.com", "amount": "98l00", "currency": "USD",
        "description": "x".repeat(900)});
    let body = Value::Array(vec![item; 1000]).to_string();
    while Instant::now() < until {
        let resp = (http.post(format!("{}/accreditation/payouts/create", urls.onspot)))
            .bearer_auth(&token)
            .header("environment", "test")
            .header("content-type", "application/json")
            .body(body.clone())
            .send()
            .await;
        if let Ok(r) = resp {
            let _ = r.bytes().await;
        }
        count(&counts, "error-logs");
    }
}

async fn headers(http: reqwest::Client, urls: Arc<Urls>, until: Instant, counts: Counts) {
    let big = "h".repeat(8 << 10);
    while Instant::now() < until {
        let mut req = http
            .get(format!("{}/v1/banks", urls.onepay))
            .bearer_auth("sk_test_headers");
        for i in 0..8 {
            req = req.header(format!("x-soak-{i}"), big.as_str());
        }
        if let Ok(r) = req.send().await {
            let _ = r.bytes().await;
        }
        count(&counts, "headers");
    }
}

async fn dumps(http: reqwest::Client, urls: Arc<Urls>, until: Instant, counts: Counts) {
    let mut n = 0u64;
    while Instant::now() < until {
        let path = if n.is_multiple_of(2) {
            "/__admin/providers/onepay/objects"
        } else {
            "/__admin/requests"
        };
        if let Ok(r) = http.get(format!("{}{path}", urls.admin)).send().await {
            let _ = r.bytes().await;
        }
        count(&counts, "dumps");
        n += 1;
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

async fn webhooks(http: reqwest::Client, urls: Arc<Urls>, until: Instant, counts: Counts) {
    let key = "sk_test_soak_webhooks";
    let hook = json!({"name": "down", "url": "http://127.0.0.1:9/hook",
        "events": ["cashout.created", "cashout.approved", "cashout.processed"]});
    let r = (http.post(format!("{}/v1/webhooks", urls.onepay)))
        .bearer_auth(key)
        .json(&hook)
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "webhook: {}", r.status());
    let fixture = onepay::fixture(&http, &urls.onepay, key).await;
    let mut n = 0u64;
    while Instant::now() < until {
        let resp = http
            .post(format!("{}/v1/cashouts", urls.onepay))
            .bearer_auth(key)
            .header("x-idempotency", format!("soak-webhook-{n}"))
            .json(&onepay::cashout_body(&fixture, 1000))
            .send()
            .await;
        if let Ok(r) = resp {
            let _ = r.bytes().await;
        }
        count(&counts, "webhooks");
        n += 1;
    }
}

async fn faults(http: reqwest::Client, urls: Arc<Urls>, until: Instant, counts: Counts) {
    let mut n = 0u64;
    while Instant::now() < until {
        let rule = json!({"provider": "onepay", "fault": {"type": "status", "status": 503},
            "match": {"path": format!("/soak/never/{n}")}});
        let resp = (http.post(format!("{}/__admin/faults", urls.admin)))
            .json(&rule)
            .send()
            .await;
        if let Ok(r) = resp {
            let _ = r.bytes().await;
        }
        count(&counts, "faults");
        n += 1;
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// 1,000 connections that send nothing (or half a request), opened again once the server
/// closes them.
async fn idle(urls: Arc<Urls>, until: Instant, counts: Counts) {
    let addr = urls.onepay.trim_start_matches("http://").to_string();
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..1000 {
        let addr = addr.clone();
        let counts = counts.clone();
        tasks.spawn(async move {
            while Instant::now() < until {
                let Ok(mut s) = tokio::net::TcpStream::connect(&addr).await else {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                };
                count(&counts, "idle");
                if i % 2 == 0 {
                    let _ = s
                        .write_all(b"POST /v1/cashouts HTTP/1.1\r\nhost: x\r\n")
                        .await;
                }
                let mut buf = [0u8; 512];
                let left = until.saturating_duration_since(Instant::now());
                let _ = tokio::time::timeout(left, tokio::io::AsyncReadExt::read(&mut s, &mut buf))
                    .await;
            }
        });
    }
    while tasks.join_next().await.is_some() {}
}

fn median(v: &mut [u64]) -> u64 {
    v.sort_unstable();
    v.get(v.len() / 2).copied().unwrap_or(0)
}

fn main() {
    let minutes = minutes();
    let mut command = process::serve(&["--seed", "1"]);
    command.stdout(std::process::Stdio::null());
    let mut ready = process::spawn_ready(command, "soak");
    let pid = ready.child.id();
    let url = |name: &str| ready.urls[name].as_str().unwrap().to_string();
    let urls = Arc::new(Urls {
        admin: url("admin"),
        onepay: url("onepay"),
        onspot: url("onspot"),
    });
    let counts: Counts = Arc::new(SHAPES.iter().map(|s| (*s, AtomicU64::new(0))).collect());
    let start_rss = rss_kib(pid).unwrap_or(0);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let samples = runtime.block_on(async {
        let until = Instant::now() + Duration::from_secs_f64(minutes * 60.0);
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()
            .unwrap();
        let mut set = tokio::task::JoinSet::new();
        for client in 0..4 {
            set.spawn(create(
                http.clone(),
                urls.clone(),
                client,
                until,
                counts.clone(),
            ));
        }
        for client in 0..2 {
            set.spawn(tenants(
                http.clone(),
                urls.clone(),
                client,
                until,
                counts.clone(),
            ));
            set.spawn(inbox(
                http.clone(),
                urls.clone(),
                client,
                until,
                counts.clone(),
            ));
        }
        set.spawn(error_logs(
            http.clone(),
            urls.clone(),
            until,
            counts.clone(),
        ));
        set.spawn(headers(http.clone(), urls.clone(), until, counts.clone()));
        set.spawn(dumps(http.clone(), urls.clone(), until, counts.clone()));
        set.spawn(webhooks(http.clone(), urls.clone(), until, counts.clone()));
        set.spawn(faults(http.clone(), urls.clone(), until, counts.clone()));
        set.spawn(idle(urls.clone(), until, counts.clone()));
        let mut samples = Vec::new();
        let mut minute = Vec::new();
        let started = Instant::now();
        println!(
            "| minute | resident MiB (last) | resident MiB (max) | {} |",
            SHAPES.join(" | ")
        );
        println!("|---|---|---|{}", "---|".repeat(SHAPES.len()));
        while Instant::now() < until {
            tokio::time::sleep(Duration::from_secs(1)).await;
            let Some(rss) = rss_kib(pid) else {
                panic!("the simulator (pid {pid}) is gone");
            };
            samples.push(rss);
            minute.push(rss);
            if minute.len() == 60 || Instant::now() >= until {
                let done: Vec<String> = (counts.values())
                    .map(|c| c.load(Ordering::Relaxed).to_string())
                    .collect();
                println!(
                    "| {:.0} | {:.1} | {:.1} | {} |",
                    started.elapsed().as_secs_f64() / 60.0,
                    rss as f64 / 1024.0,
                    minute.iter().max().copied().unwrap_or(0) as f64 / 1024.0,
                    done.join(" | ")
                );
                minute.clear();
            }
        }
        set.abort_all();
        samples
    });
    let _ = ready.child.kill();
    let _ = ready.child.wait();

    let max = samples.iter().max().copied().unwrap_or(0) as f64 / 1024.0;
    let third = samples.len() / 3;
    let mut middle = samples[third..2 * third].to_vec();
    let mut last = samples[2 * third..].to_vec();
    let (middle, last) = (median(&mut middle) as f64, median(&mut last) as f64);
    let growth = if middle > 0.0 {
        (last - middle) / middle
    } else {
        0.0
    };
    println!(
        "\nResident memory: {:.1} MiB at start, {max:.1} MiB at most (limit {LIMIT_MIB}: {}); \
         median {:.1} MiB in the middle third, {:.1} MiB in the last ({:+.1}%: {}).",
        start_rss as f64 / 1024.0,
        if max < LIMIT_MIB { "under" } else { "OVER" },
        middle / 1024.0,
        last / 1024.0,
        growth * 100.0,
        if growth.abs() <= 0.10 {
            "flat"
        } else {
            "NOT flat"
        }
    );
}
