//! The `payoutsim` binary as a user starts it: `payoutsim serve` in a child process, ready once it
//! has written its `--ready-file` (the ready file's JSON names every listener's URL).
//!
//! Shared by the CLI tests and the benchmark (`benches/serve.rs` includes this file by path), so
//! the start-up they wait for and time is the same.
#![allow(dead_code)] // each includer uses a part
#![allow(clippy::unwrap_used)] // test support: a binary that cannot start should fail loudly

use std::process::{Child, Command};
use std::time::{Duration, Instant};

use serde_json::Value;

/// How long the binary may take to write its ready file before the caller gives up on it.
const START_UP: Duration = Duration::from_secs(20);

/// How often the ready file is looked for: fine enough for the benchmark to time start-up.
const POLL: Duration = Duration::from_micros(200);

/// The binary under test, with no arguments yet.
pub fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_payoutsim"))
}

/// `payoutsim serve` on free ports (`--port-base 0`) followed by `args`.
pub fn serve(args: &[&str]) -> Command {
    let mut command = bin();
    command.args(["serve", "--port-base", "0"]).args(args);
    command
}

/// [`serve`] with a manual clock and `seed`, then `args`: a simulator whose time stands still.
pub fn serve_manual(seed: u64, args: &[&str]) -> Command {
    let seed = seed.to_string();
    let mut command = serve(&["--clock", "manual", "--seed", &seed]);
    command.args(args);
    command
}

/// A binary that has written its ready file.
pub struct Ready {
    pub child: Child,
    /// The ready file: `{"admin": url, "<provider>": url, …}`.
    pub urls: Value,
    /// From spawning the process to seeing its ready file.
    pub took: Duration,
}

/// Spawns `command` with `--ready-file` (a fresh temporary file, named after `tag` so that tests
/// running at once keep apart) and waits for the binary to write it. Process start-up, not
/// simulated time: it polls the file system. Kills the child if it is not ready in 20 s.
#[allow(clippy::zombie_processes)] // the child goes back to the caller, which stops and waits for it
pub fn spawn_ready(mut command: Command, tag: &str) -> Ready {
    let ready = std::env::temp_dir().join(format!("payoutsim-{tag}-{}.json", std::process::id()));
    let _ = std::fs::remove_file(&ready);
    let started = Instant::now();
    let mut child = command.arg("--ready-file").arg(&ready).spawn().unwrap();
    while started.elapsed() < START_UP {
        if let Ok(bytes) = std::fs::read(&ready) {
            let took = started.elapsed();
            let _ = std::fs::remove_file(&ready);
            let urls = serde_json::from_slice(&bytes).unwrap();
            return Ready { child, urls, took };
        }
        std::thread::sleep(POLL);
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("no ready file at {} within {START_UP:?}", ready.display());
}
