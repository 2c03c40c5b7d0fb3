//! Benchmarks of Tupay as a reconciling client meets it (figures, not pass/fail), in process
//! through the journaled router (`testkit::Sim`, no socket), each beside a reference measured in
//! the same run:
//!
//! - the first login of a new tenant (its 90-day history is made then), against a login of a
//!   tenant already known; a thousand tenants in a row, one simulator;
//! - a 50-row page of deposits for 60 days, against serialising 50 deposits of the same shape
//!   (the floor of answering a page);
//! - a 60-day balance report, every page, against the same floor;
//! - resident memory (Linux `VmRSS`) before and after the thousand histories.
//!
//! `cargo bench -p payoutsim-tupay --bench reconciliation` prints a Markdown report
//! (BENCHMARKS.md holds one). Every loop is bounded in count.
#![allow(clippy::unwrap_used)] // a benchmark that cannot set itself up should stop loudly

use std::time::{Duration, Instant};

use payoutsim_core::testkit::Sim;
use payoutsim_tupay::{TupayConfig, TupaySpec};
use serde_json::{Value, json};

const TENANTS: usize = 1_000;
const ROUNDS: usize = 2_000;

struct Stats {
    median: Duration,
    p99: Duration,
    max: Duration,
}

fn stats(mut samples: Vec<Duration>) -> Stats {
    samples.sort_unstable();
    let at = |p: f64| samples[((samples.len() as f64 * p) as usize).min(samples.len() - 1)];
    Stats {
        median: at(0.5),
        p99: at(0.99),
        max: samples[samples.len() - 1],
    }
}

fn us(d: Duration) -> String {
    format!("{:.1}", d.as_secs_f64() * 1e6)
}

fn row(what: &str, s: &Stats, reference: Option<&Stats>, target: &str) {
    let ratio = reference.map_or("1.00×".to_string(), |r| {
        format!("{:.2}×", s.median.as_secs_f64() / r.median.as_secs_f64())
    });
    println!(
        "| {what} | {} | {} | {} | {ratio} | {target} |",
        us(s.median),
        us(s.p99),
        us(s.max)
    );
}

/// Resident memory in KiB (Linux; 0 elsewhere).
fn rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let line = status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .unwrap_or_default();
    let kib = line.split_whitespace().nth(1).unwrap_or("0");
    kib.parse().unwrap_or(0)
}

async fn login(sim: &Sim<TupaySpec>, key: &str) -> (u16, String) {
    let body = json!({"accessKey": key, "secretKey": "bench"}).to_string();
    let r = sim
        .call("POST", "/v1/auth/login", &[], Some(body.as_bytes()))
        .await;
    let cookie = r.headers["set-cookie"].to_str().unwrap();
    (r.status, cookie.split(';').next().unwrap().to_string())
}

async fn get(sim: &Sim<TupaySpec>, path: &str, cookie: &str) -> Value {
    let r = sim.call("GET", path, &[("cookie", cookie)], None).await;
    assert_eq!(r.status, 200, "{path}: {}", r.json);
    r.json
}

fn main() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let sim = Sim::<TupaySpec>::new(1, TupayConfig::default());

        // First logins of new tenants, alternating with logins of a known one.
        let (_, _) = login(&sim, "known@bench.test").await;
        let rss_before = rss_kib();
        let (mut first, mut again) = (Vec::new(), Vec::new());
        for i in 0..TENANTS {
            let key = format!("ops{i}@merchant{i}.test");
            let t = Instant::now();
            let (status, _) = login(&sim, &key).await;
            first.push(t.elapsed());
            assert_eq!(status, 200);
            let t = Instant::now();
            login(&sim, "known@bench.test").await;
            again.push(t.elapsed());
        }
        let rss_after = rss_kib();
        let objects = sim.objects(None, Some("merchant"));
        let made = objects["objects"].as_array().map_or(0, Vec::len);

        let (_, cookie) = login(&sim, "known@bench.test").await;
        let to = sim.engine.clock().now().timestamp();
        let range = format!("from={}&to={to}", to - 60 * 86_400);
        let page_path = format!("/v1/deposits?{range}&page=0");
        let page = get(&sim, &page_path, &cookie).await;
        let deposits: Vec<Value> = page["data"].as_array().unwrap().clone();
        let mut report_pages = 0;
        loop {
            let path = format!("/v1/balance/report?{range}&page={report_pages}");
            let body = get(&sim, &path, &cookie).await;
            report_pages += 1;
            if body["rows"].as_u64() < Some(50) {
                break;
            }
        }

        let (mut pages, mut reports, mut floor) = (Vec::new(), Vec::new(), Vec::new());
        for _ in 0..ROUNDS {
            let t = Instant::now();
            let body = serde_json::to_vec(&json!({"page": 0, "rows": 50, "maxRows": 50, "data": deposits})).unwrap();
            floor.push(t.elapsed());
            assert!(body.len() > 10_000);

            let t = Instant::now();
            get(&sim, &page_path, &cookie).await;
            pages.push(t.elapsed());

            let t = Instant::now();
            for p in 0..report_pages {
                get(&sim, &format!("/v1/balance/report?{range}&page={p}"), &cookie).await;
            }
            reports.push(t.elapsed());
        }

        let (first, again) = (stats(first), stats(again));
        let (pages, reports, floor) = (stats(pages), stats(reports), stats(floor));
        println!("### Tupay, in process (`oneshot` through the journal), {TENANTS} tenants, {ROUNDS} rounds\n");
        println!("| what | median µs | p99 µs | max µs | of reference | target |");
        println!("|---|---|---|---|---|---|");
        row("login of a known tenant (reference)", &again, None, "");
        row(
            "first login of a new tenant: its 90-day history made",
            &first,
            Some(&again),
            if first.max < Duration::from_millis(50) { "< 50 ms: met (max)" } else { "< 50 ms: NOT met" },
        );
        row("serialising 50 deposits (reference)", &floor, None, "");
        row("a 50-row page of deposits, 60 days", &pages, Some(&floor), "");
        row(
            &format!("a 60-day balance report, every page ({report_pages})"),
            &reports,
            Some(&floor),
            "",
        );
        println!("\n{made} merchants held after the run (one per tenant that logged in).");
        let per_tenant = rss_after.saturating_sub(rss_before) as f64 / TENANTS as f64;
        println!(
            "Resident memory: {rss_before} KiB before the {TENANTS} first logins, {rss_after} KiB after \
             ({per_tenant:.0} KiB a tenant)."
        );
    });
}
