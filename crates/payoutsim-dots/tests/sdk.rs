//! Dots held to its users' own client libraries on real sockets: Dots's official Node SDK
//! (`tests/node/sdk.mjs`) and Svix's verifier (`tests/node/svix.mjs`); see `tests/node/README.md`.
//!
//! They need Node.js (18 or later) and npm, so a plain `cargo test` lists them as ignored; `.ci/run`
//! installs both and runs `cargo test -p payoutsim-dots --test sdk -- --ignored`. The harness's
//! packages are installed once per run of this binary (`npm ci`, pinned by its lock file). A
//! missing `node` or `npm` fails these tests: it never passes them.

use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use payoutsim_core::testkit::{self, Sim};
use payoutsim_dots::{DotsConfig, DotsSpec};
use serde_json::{Value, json};

/// The longest a harness script may run before the test kills it and fails.
const SCRIPT_LIMIT: Duration = Duration::from_secs(180);

/// The variables the scripts read: none leaks in from the caller's environment.
const HARNESS_VARS: &[&str] = &[
    "DOTS_BASE_URL",
    "DOTS_CLIENT_ID",
    "DOTS_API_KEY",
    "DOTS_APP_ID",
    "DOTS_INBOX",
    "DOTS_TENANT",
    "PAYOUTSIM_ADMIN_URL",
    "PAYOUTSIM_ADMIN_TOKEN",
    "WEBHOOK_SECRET",
    "DELIVERIES_FILE",
    "SVIX_REQUIRE_RETRY",
];

fn harness_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/node")
}

/// `program args…` in the harness directory, to its end; an error names what could not run.
fn run_blocking(program: &str, args: &[&str]) -> Result<Output, String> {
    std::process::Command::new(program)
        .args(args)
        .current_dir(harness_dir())
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run `{program}`: {e}"))
}

/// Node's and npm's versions, then `npm ci` of the harness, once for every test of this binary.
fn install() -> Result<String, String> {
    let need = "these tests need Node.js 18 or later and npm on PATH (.ci/run installs \
                Debian's nodejs and npm)";
    let mut versions = Vec::new();
    for tool in ["node", "npm"] {
        let out = run_blocking(tool, &["--version"]).map_err(|e| format!("{e}: {need}"))?;
        if !out.status.success() {
            return Err(format!(
                "`{tool} --version` failed ({}): {need}",
                out.status
            ));
        }
        versions.push(format!(
            "{tool} {}",
            String::from_utf8_lossy(&out.stdout).trim()
        ));
    }
    let dir = harness_dir();
    let prefix = dir.to_string_lossy();
    let args = ["ci", "--prefix", &prefix, "--no-audit", "--no-fund"];
    let started = Instant::now();
    let out = run_blocking("npm", &args)?;
    if !out.status.success() {
        return Err(format!(
            "`npm {}` failed ({}):\n{}{}",
            args.join(" "),
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(format!(
        "{}; npm ci took {:.1} s",
        versions.join(", "),
        started.elapsed().as_secs_f64()
    ))
}

/// The harness ready to run (Node and npm present, its packages installed), or a failed test.
async fn harness() {
    static INSTALLED: OnceLock<Result<String, String>> = OnceLock::new();
    let ready = tokio::task::spawn_blocking(|| INSTALLED.get_or_init(install).clone()).await;
    match ready.expect("the install task does not panic") {
        Ok(versions) => println!("harness: {versions}"),
        Err(e) => panic!("{e}"),
    }
}

/// What one run of a harness script printed, parsed: its steps, in order.
struct Run {
    steps: Vec<Value>,
    elapsed: Duration,
}

impl Run {
    /// The step called `name` (its `{step, ok, detail}` line).
    fn step(&self, name: &str) -> &Value {
        let found = self.steps.iter().find(|s| s["step"] == name);
        found.unwrap_or_else(|| panic!("no step {name} among {:?}", self.names()))
    }

    fn names(&self) -> Vec<&str> {
        self.steps
            .iter()
            .filter_map(|s| s["step"].as_str())
            .collect()
    }
}

/// Runs `program args…` (a path relative to the harness, or a command on PATH) in the harness
/// with `env`, and checks it passed: exit status 0, one JSON step line per line of output, every
/// step ok, the last one `done`. Prints what it printed and how long it took.
async fn run_script(program: &str, args: &[&str], env: &[(&str, String)]) -> Run {
    let exe = if program.contains('/') {
        harness_dir().join(program)
    } else {
        PathBuf::from(program)
    };
    let mut command = tokio::process::Command::new(exe);
    command
        .args(args)
        .current_dir(harness_dir())
        .stdin(Stdio::null())
        .kill_on_drop(true);
    for var in HARNESS_VARS {
        command.env_remove(var);
    }
    command.envs(env.iter().map(|(k, v)| (k, v)));
    let shown = format!("{program} {}", args.join(" "));
    let started = Instant::now();
    let child = command.output();
    let out = match tokio::time::timeout(SCRIPT_LIMIT, child).await {
        Ok(done) => done.unwrap_or_else(|e| panic!("cannot run {shown}: {e}")),
        Err(_) => panic!("{shown} did not end within {SCRIPT_LIMIT:?}: killed"),
    };
    let elapsed = started.elapsed();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    println!(
        "== {shown}: {} in {:.2} s\n{stdout}{}",
        out.status,
        elapsed.as_secs_f64(),
        if stderr.is_empty() {
            String::new()
        } else {
            format!("-- stderr\n{stderr}")
        }
    );
    assert!(out.status.success(), "{shown} failed: {}", out.status);
    let steps: Vec<Value> = stdout
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not a step line ({e}): {l}")))
        .collect();
    let failed: Vec<&Value> = steps.iter().filter(|s| s["ok"] != true).collect();
    assert!(failed.is_empty(), "{shown}: failed steps {failed:?}");
    let last = steps.last().map(|s| &s["step"]);
    assert_eq!(
        last,
        Some(&json!("done")),
        "{shown} ended before its last step"
    );
    Run { steps, elapsed }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Node.js and npm: run by .ci/run"]
async fn the_official_node_sdk_gets_every_call_answered_in_the_documented_shapes() {
    harness().await;
    let sim = Sim::<DotsSpec>::new(41, DotsConfig::default());
    let dots = sim.serve().await;
    let admin = testkit::spawn(sim.admin.clone()).await;

    let run = run_script(
        "node_modules/.bin/tsx",
        &["sdk.mjs"],
        &[
            ("DOTS_BASE_URL", format!("{dots}/api")),
            ("DOTS_CLIENT_ID", "pk_dev_sdkharness".into()),
            ("DOTS_API_KEY", "sk_dev_sdkharness".into()),
            ("PAYOUTSIM_ADMIN_URL", admin),
        ],
    )
    .await;

    // The run reached every area of the SDK's scope, the refusals included.
    for step in [
        "users.create",
        "auth.wrong-key-refused",
        "users.verify-wrong-token-refused",
        "users.verify",
        "transfers.create",
        "payouts.create",
        "payouts.send-payout",
        "payout-links.cancel",
        "flows.list",
    ] {
        run.step(step);
    }
    println!(
        "sdk.mjs: {} steps passed in {:.2} s",
        run.steps.len(),
        run.elapsed.as_secs_f64()
    );
}
