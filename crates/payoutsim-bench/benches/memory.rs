//! Bytes per object (issue 14's target: at most 600 per settled object): for each provider's
//! main object, the heap the simulator holds (bytes allocated and not freed, counted by this
//! binary's global allocator, the `cap` crate) after `--count` creations through the public API
//! (default 20,000), divided by the count, measured twice: once they are created (the object,
//! its lifecycle on the timeline, its idempotency key, its first transition record) and once
//! simulated time has moved an hour on, every one settled (its transition records; the timeline
//! entry gone), and a third time once the idempotency keys are forgotten (`IdempotencyStore::reset`
//! on the engine), which splits the settled figure into the keys' share and the rest (the object,
//! its lifecycle and history, its provider's indexes, and the transitions log's share: that log
//! is capped at 1,000 records for all providers). The request journal is emptied (`DELETE /__admin/requests`) before each reading,
//! so its bounded 1,000 entries are not counted.
//!
//! ```sh
//! cargo bench -p payoutsim-bench --bench memory -- --count 20000 [--only OnePay]
//! ```
//!
//! The simulator is served in this process on loopback (`payoutsim::start`, manual clock) and
//! driven by one reqwest client, whose own buffers stay the same from one reading to the next.
#![allow(clippy::unwrap_used)] // a benchmark that cannot set itself up should stop loudly

use std::alloc::System;

use anyhow::{Result, bail};
use cap::Cap;
use payoutsim_bench::{Target, provider_targets, urls_of};
use serde_json::{Value, json};

#[global_allocator]
static ALLOCATOR: Cap<System> = Cap::new(System, usize::MAX);

fn arg(flag: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    let at = args.iter().position(|a| a == flag)?;
    args.get(at + 1).cloned()
}

fn count() -> u64 {
    arg("--count")
        .and_then(|n| n.parse().ok())
        .unwrap_or(20_000)
}

async fn admin(http: &reqwest::Client, url: &str, method: &str, body: Option<Value>) -> Result<()> {
    let method = reqwest::Method::from_bytes(method.as_bytes())?;
    let mut req = http.request(method, url);
    if let Some(b) = body {
        req = req.json(&b);
    }
    let resp = req.send().await?;
    if !resp.status().is_success() {
        bail!("{url}: {}", resp.status());
    }
    resp.bytes().await?;
    Ok(())
}

/// The heap in use once the journal is emptied.
async fn held(http: &reqwest::Client, admin_url: &str) -> Result<usize> {
    admin(
        http,
        &format!("{admin_url}/__admin/requests"),
        "DELETE",
        None,
    )
    .await?;
    Ok(ALLOCATOR.allocated())
}

async fn send(http: &reqwest::Client, t: &Target, round: usize, n: u64) -> Result<()> {
    let key = t.key_of(round, 0, n);
    let resp = t.request(http, key.as_deref()).send().await?;
    let status = resp.status().as_u16();
    let body = resp.bytes().await?;
    if status != t.expect {
        bail!("{}: {status}: {}", t.name, String::from_utf8_lossy(&body));
    }
    Ok(())
}

async fn run() -> Result<()> {
    let n = count();
    // The object bounds raised past the count (the defaults, 10,000 per tenant, refuse a
    // 20,000-creation run before anything settles), as the peers bench raises them.
    let mut config = payoutsim::ServeConfig::for_tests();
    let bound: usize = payoutsim_bench::HELD.parse()?;
    config.engine.max_objects_per_tenant = bound;
    config.engine.max_objects = bound;
    let sim = payoutsim::start(config).await?;
    let admin_url = sim.url("admin").unwrap_or_default().to_string();
    let targets = provider_targets(&urls_of(&sim)).await?;
    let http = reqwest::Client::new();
    println!("## Bytes per object ({n} creations each, heap held, journal emptied)\n");
    println!(
        "| object | created: bytes each | settled (an hour on): bytes each | of which idempotency keys | the rest | target |\n|---|---|---|---|---|---|"
    );
    // Creations only: the reads hold nothing.
    // `--only TEXT`: the targets whose name holds it. Sessions made at the start expire as the
    // clock moves on, so a provider measured after another may need a run of its own.
    let only = arg("--only");
    let creates = (targets.iter())
        .filter(|t| t.method == "POST" && !t.name.contains("search"))
        .filter(|t| only.as_ref().is_none_or(|o| t.name.contains(o)));
    for t in creates {
        // A first hundred sets up what lives as long as the tenant (its tables, its maps' first
        // growth), then the reading starts.
        for i in 0..100 {
            send(&http, t, 1, i).await?;
        }
        let before = held(&http, &admin_url).await?;
        for i in 0..n {
            send(&http, t, 2, i).await?;
        }
        let created = held(&http, &admin_url).await?;
        for _ in 0..6 {
            let advance = json!({"seconds": 600});
            admin(
                &http,
                &format!("{admin_url}/__admin/clock/advance"),
                "POST",
                Some(advance),
            )
            .await?;
        }
        let settled = held(&http, &admin_url).await?;
        sim.app.engine.idempotency().reset(None);
        let keyless = held(&http, &admin_url).await?;
        let each = |after: usize| (after as f64 - before as f64) / n as f64;
        let verdict = if each(settled) <= 600.0 {
            "≤ 600: met"
        } else {
            "≤ 600: missed"
        };
        println!(
            "| {} | {:.0} | {:.0} | {:.0} | {:.0} | {verdict} |",
            t.name,
            each(created),
            each(settled),
            each(settled) - each(keyless),
            each(keyless)
        );
    }
    sim.shutdown().await?;
    Ok(())
}

fn main() -> Result<()> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    rt.block_on(run())
}
