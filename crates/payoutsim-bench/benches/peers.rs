//! payoutsim side by side with its peers (issue 14): a bare axum static handler (the floor),
//! httpmock's static stub (its server started in process, as a test starts it), and the create
//! and read of every provider's main object through its real auth, each under the same load
//! generator, rounds interleaved (every target once per round, in the same order), ratios to
//! the bare handler and to httpmock printed per target (the median of the rounds' ratios).
//!
//! ```sh
//! # in process: reqwest clients on the bench's runtime, payoutsim::start in the same process
//! cargo bench -p payoutsim-bench --features httpmock --bench peers
//! # wrk (Debian's): the release binary and the peers, wrk -t2 -c32 over loopback
//! cargo build --release -p payoutsim
//! cargo bench -p payoutsim-bench --features httpmock --bench peers -- --wrk
//! ```
//!
//! Options: `--rounds N` (3), `--secs N` (window per target and round: 2 in process, 3 with
//! wrk), `--conns N` (32), `--only TEXT` (only targets whose name holds TEXT, beside the peers),
//! `--bin PATH` (the release binary; default: `payoutsim` beside this bench's directory).
//! With wrk, each window also reads the serving process's CPU time before and after
//! (`/proc/<pid>/task/*/schedstat`: the release binary for the simulator's targets, the bench
//! itself for the peers, which it serves), and a second table gives the server's CPU per
//! request: on a box the load generator shares, a steadier figure than the rate.
//! The simulator runs with a manual clock (`--clock manual`), as the other benches do: the
//! create path does all its work (lifecycle scheduled on the timeline), and nothing settles.
#![allow(clippy::unwrap_used)] // a benchmark that cannot set itself up should stop loudly

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Result;
use httpmock::Method::{GET, POST};
use httpmock::MockServer;
use payoutsim_bench::{
    Binary, CpuRounds, Rounds, STATIC_CASHOUT, Target, bare_server, cpu_ns, cpu_table, load,
    median, provider_targets, release_binary, rss_kib, static_targets, table, urls_of, wrk,
};

/// Whether a target is one of the peers this bench serves itself.
fn is_peer(name: &str) -> bool {
    name.starts_with("bare axum") || name.starts_with("httpmock")
}

struct Options {
    wrk: bool,
    rounds: usize,
    secs: Option<u64>,
    conns: usize,
    only: Option<String>,
    bin: Option<PathBuf>,
}

fn options() -> Options {
    let args: Vec<String> = std::env::args().collect();
    let value = |flag: &str| {
        let at = args.iter().position(|a| a == flag)?;
        args.get(at + 1).cloned()
    };
    Options {
        wrk: args.iter().any(|a| a == "--wrk"),
        rounds: value("--rounds").and_then(|v| v.parse().ok()).unwrap_or(3),
        secs: value("--secs").and_then(|v| v.parse().ok()),
        conns: value("--conns").and_then(|v| v.parse().ok()).unwrap_or(32),
        only: value("--only"),
        bin: value("--bin").map(PathBuf::from),
    }
}

/// httpmock's static stub: the same answers as the bare handler.
async fn httpmock_server() -> MockServer {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(POST).path("/v1/cashouts");
            then.status(201)
                .header("content-type", "application/json")
                .body(STATIC_CASHOUT);
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(GET).path_prefix("/v1/cashouts/");
            then.status(200)
                .header("content-type", "application/json")
                .body(STATIC_CASHOUT);
        })
        .await;
    server
}

async fn run(o: Options) -> Result<()> {
    let bare = bare_server().await?;
    let mock = httpmock_server().await;
    let mut targets = static_targets("bare axum", &bare);
    targets.extend(static_targets("httpmock 0.9", &mock.base_url()));

    let (binary, in_process) = if o.wrk {
        let bin = match o.bin.clone() {
            Some(b) => b,
            None => release_binary()?,
        };
        // Start-up to every listener ready (the ready file is written once all are bound) and
        // idle memory, over ten starts.
        let mut starts = Vec::new();
        for i in 0..10 {
            let b = Binary::start(&bin, &format!("start{i}"))?;
            std::thread::sleep(Duration::from_millis(300));
            starts.push((
                b.took.as_secs_f64() * 1e3,
                rss_kib(b.pid()).unwrap_or(0) as f64 / 1024.0,
            ));
        }
        let (ms, mib): (Vec<f64>, Vec<f64>) = starts.into_iter().unzip();
        let listeners = Binary::start(&bin, "count")?
            .urls
            .as_object()
            .map_or(0, |o| o.len());
        println!(
            "start-up of the release binary to its ready file ({listeners} listeners), 10 starts: median {:.2} ms (min {:.2}, max {:.2}); idle RSS median {:.1} MiB (max {:.1})",
            median(&ms),
            ms.iter().copied().fold(f64::INFINITY, f64::min),
            ms.iter().copied().fold(0.0, f64::max),
            median(&mib),
            mib.iter().copied().fold(0.0, f64::max)
        );
        let binary = Binary::start(&bin, "peers")?;
        println!(
            "release binary {} (pid {}): ready in {:.2} ms, idle RSS {:.1} MiB",
            bin.display(),
            binary.pid(),
            binary.took.as_secs_f64() * 1e3,
            rss_kib(binary.pid()).unwrap_or(0) as f64 / 1024.0
        );
        (Some(binary), None)
    } else {
        let mut config = payoutsim::ServeConfig::for_tests();
        let held = payoutsim_bench::HELD.parse()?;
        config.engine.max_objects_per_tenant = held;
        config.engine.max_objects = held;
        let sim = payoutsim::start(config).await?;
        (None, Some(sim))
    };
    let urls = match (&binary, &in_process) {
        (Some(b), _) => b.urls.clone(),
        (_, Some(sim)) => urls_of(sim),
        _ => anyhow::bail!("neither the binary nor an in-process simulator was started"),
    };
    let sims: Vec<Target> = provider_targets(&urls).await?;
    targets.extend(
        sims.into_iter()
            .filter(|t| o.only.as_ref().is_none_or(|only| t.name.contains(only))),
    );

    let window = Duration::from_secs(o.secs.unwrap_or(if o.wrk { 3 } else { 2 }));
    let dir = std::env::temp_dir().join(format!("payoutsim-peers-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let mut rounds = Rounds::new();
    let mut cpu = CpuRounds::new();
    for round in 1..=o.rounds {
        for t in &targets {
            let stats = if o.wrk {
                // The process serving the target: the release binary for the simulator's, this
                // one for the peers' (bare axum and httpmock run here, and nothing else of
                // note does while wrk runs).
                let pid = binary
                    .as_ref()
                    .filter(|_| !is_peer(&t.name))
                    .map(Binary::pid);
                let before = cpu_ns(pid);
                let target = t.clone();
                let dir = dir.clone();
                let stats = tokio::task::spawn_blocking(move || {
                    wrk(&target, round, (2, o.conns), window, &dir)
                })
                .await??;
                if let (Some(a), Some(b)) = (before, cpu_ns(pid)) {
                    let us = b.saturating_sub(a) as f64 / 1e3 / stats.requests.max(1) as f64;
                    cpu.entry(t.name.clone()).or_default().push(us);
                }
                stats
            } else {
                load(t, round, o.conns, window).await?
            };
            eprintln!("round {round}: {}: {:.0} req/s", t.name, stats.per_s);
            rounds.entry(t.name.clone()).or_default().push(stats);
        }
    }
    let _ = std::fs::remove_dir_all(&dir);

    let generator = if o.wrk {
        format!("wrk -t2 -c{}", o.conns)
    } else {
        format!("{} in-process reqwest clients", o.conns)
    };
    println!(
        "\n## Side by side ({generator}, loopback, {} rounds of {} s per target, interleaved)\n",
        o.rounds,
        window.as_secs()
    );
    let order: Vec<String> = targets.iter().map(|t| t.name.clone()).collect();
    let names = |peer: &str| {
        let of = |verb: &str| {
            order
                .iter()
                .find(|n| n.starts_with(peer) && n.contains(verb))
                .cloned()
                .unwrap_or_default()
        };
        (of("`POST "), of("`GET "))
    };
    let (bare, peer) = (names("bare axum"), names("httpmock"));
    print!(
        "{}",
        table(&order, &rounds, (&bare.0, &bare.1), (&peer.0, &peer.1))
    );
    println!(
        "\nCreates are read against the peers' POST, reads (GET, Kashpay's searchReference) against their GET."
    );
    if !cpu.is_empty() {
        println!(
            "\n## Server CPU per request (user and kernel, the serving process only; lower is better)\n"
        );
        print!(
            "{}",
            cpu_table(&order, &cpu, (&bare.0, &bare.1), (&peer.0, &peer.1))
        );
    }
    if let Some(b) = &binary {
        println!(
            "\nRSS of the release binary after the run: {:.1} MiB",
            rss_kib(b.pid()).unwrap_or(0) as f64 / 1024.0
        );
    }
    if let Some(sim) = in_process {
        sim.shutdown().await?;
    }
    Ok(())
}

fn main() -> Result<()> {
    let o = options();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    rt.block_on(run(o))
}
