//! Dots held to its users' own client libraries on real sockets: Dots's official Node SDK
//! (`tests/node/sdk.mjs`) and Svix's verifier (`tests/node/svix.mjs`); see `tests/node/README.md`.
//!
//! They need Node.js (18 or later) and npm, so a plain `cargo test` lists them as ignored; `.ci/run`
//! installs both and runs `cargo test -p payoutsim-dots --test sdk -- --ignored`. The harness's
//! packages are installed once per run of this binary (`npm ci`, pinned by its lock file). A
//! missing `node` or `npm` fails these tests: it never passes them.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use axum::Router;
use axum::routing::post;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use bytes::Bytes;
use http::{HeaderMap, StatusCode};
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

/// `Authorization: Basic base64(client_id:api_key)`.
fn basic(client_id: &str, api_key: &str) -> String {
    format!(
        "Basic {}",
        STANDARD.encode(format!("{client_id}:{api_key}"))
    )
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

/// One request the endpoint got, and what it answered.
#[derive(Clone)]
struct Got {
    headers: HeaderMap,
    raw: Bytes,
    answered: u16,
}

/// A webhook endpoint that refuses the first attempt of each message (the first request with a
/// given `svix-id`) with 500 and accepts every later one, recording each request as received.
struct FailsFirstAttempt {
    url: String,
    got: Arc<Mutex<Vec<Got>>>,
}

impl FailsFirstAttempt {
    async fn start() -> Self {
        let got: Arc<Mutex<Vec<Got>>> = Arc::default();
        let log = got.clone();
        let hook = move |headers: HeaderMap, raw: Bytes| {
            let log = log.clone();
            async move {
                let mut log = log.lock().unwrap_or_else(|e| e.into_inner());
                let id = headers.get("svix-id");
                let seen = log.iter().any(|g| g.headers.get("svix-id") == id);
                let status = if seen {
                    StatusCode::OK
                } else {
                    StatusCode::INTERNAL_SERVER_ERROR
                };
                let answered = status.as_u16();
                log.push(Got {
                    headers,
                    raw,
                    answered,
                });
                status
            }
        };
        let base = testkit::spawn(Router::new().route("/hook", post(hook))).await;
        Self {
            url: format!("{base}/hook"),
            got,
        }
    }

    fn got(&self) -> Vec<Got> {
        self.got.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

/// One line of `DELIVERIES_FILE`: a request as received, with the simulator's message number.
fn delivery_line(got: &Got, message: &Value) -> String {
    let headers: serde_json::Map<String, Value> = (got.headers.iter())
        .map(|(name, value)| {
            let text = value
                .to_str()
                .unwrap_or_else(|e| panic!("header {name}: {e}"));
            (name.as_str().to_string(), json!(text))
        })
        .collect();
    let body = std::str::from_utf8(&got.raw).unwrap_or_else(|e| panic!("a body not UTF-8: {e}"));
    json!({"headers": headers, "body": body, "message": message}).to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Node.js and npm: run by .ci/run"]
async fn every_webhook_delivery_verifies_with_svix_and_a_retry_keeps_its_svix_id() {
    harness().await;
    let sim = Sim::<DotsSpec>::new(43, DotsConfig::default());
    let endpoint = FailsFirstAttempt::start().await;
    let (client_id, api_key) = ("pk_dev_svixharness", "sk_dev_svixharness");
    let tenant = format!("dots:{client_id}");
    let auth = basic(client_id, api_key);
    let headers = [("authorization", auth.as_str())];

    // Every transfer event: `transfer.updated` at each status change (the same body each time,
    // yet a message of its own, with an svix-id of its own), and the terminal one.
    let subscribe = json!({"provider": "dots", "tenant": tenant, "url": endpoint.url,
                           "events": ["transfer.updated", "transfer.completed", "transfer.failed"]});
    let target = sim
        .admin("POST", "/__admin/webhooks", Some(subscribe))
        .await;
    assert_eq!(target.status, 201, "{}", target.json);
    let secret = target.json["secret"].as_str().expect("the target's secret");
    assert!(secret.starts_with("whsec_"), "{secret}");

    let new_user = json!({"first_name": "Ada", "last_name": "Lovelace",
                          "email": "ada@example.com", "country_code": "1",
                          "phone_number": "4155550123"});
    let user = sim
        .call_json("POST", "/api/v2/users", &headers, &new_user)
        .await;
    assert_eq!(user.status, 201, "{}", user.json);
    // Two that complete, and the magic 666 that fails.
    for (amount, platform) in [(500, "paypal"), (700, "venmo"), (666, "paypal")] {
        let pay = json!({"user_id": user.json["id"], "amount": amount, "platform": platform,
                         "fund": true});
        let payout = sim
            .call_json("POST", "/api/v2/payouts", &headers, &pay)
            .await;
        assert_eq!(payout.status, 201, "{}", payout.json);
    }

    // Pending after 5 s: one transfer.updated per payout, each first attempt refused.
    sim.advance(5.0).await;
    let first = endpoint.got();
    assert_eq!(first.len(), 3, "one first attempt per payout");
    assert!(first.iter().all(|g| g.answered == 500));
    // Done 300 s later; the retries fall due on the simulated clock (a minute covers the first
    // backoff), and nothing is sent again once they were accepted.
    sim.advance(300.0).await;
    sim.advance(60.0).await;
    sim.advance(86_400.0).await;

    let got = endpoint.got();
    let query = format!("/__admin/webhooks/deliveries?provider=dots&tenant={tenant}");
    let listing = sim.admin("GET", &query, None).await;
    let deliveries = listing.json["deliveries"].as_array().expect("deliveries");
    assert_eq!(
        deliveries.len(),
        got.len(),
        "every attempt reached the endpoint"
    );
    let mut attempts: BTreeMap<u64, (String, Vec<u16>)> = BTreeMap::new();
    let mut lines = String::new();
    for (d, g) in deliveries.iter().zip(&got) {
        // Attempts are made one at a time, in order: the n-th recorded is the n-th received.
        assert_eq!(d["status"], g.answered, "{d}");
        let body: Value = serde_json::from_slice(&g.raw).expect("a JSON body");
        assert_eq!(d["body"], body, "the recorded body is the one received");
        let message = d["message"].as_u64().expect("a message number");
        let event = d["event"].as_str().expect("an event").to_string();
        let entry = attempts.entry(message).or_insert((event, Vec::new()));
        entry.1.push(g.answered);
        lines.push_str(&delivery_line(g, &d["message"]));
        lines.push('\n');
    }
    let seen: Vec<(&str, &[u16])> = (attempts.values())
        .map(|(event, statuses)| (event.as_str(), statuses.as_slice()))
        .collect();
    let mut events: Vec<&str> = seen.iter().map(|(event, _)| *event).collect();
    events.sort_unstable();
    let mut expected = vec!["transfer.completed"; 2];
    expected.push("transfer.failed");
    expected.extend(["transfer.updated"; 6]);
    assert_eq!(events, expected, "two changes and one outcome per payout");
    assert!(
        seen.iter().all(|(_, statuses)| *statuses == [500, 200]),
        "each message refused once, then accepted: {seen:?}"
    );

    let file = Path::new(env!("CARGO_TARGET_TMPDIR")).join("dots-svix-deliveries.jsonl");
    std::fs::write(&file, lines).expect("the deliveries file is written");
    let run = run_script(
        "node",
        &["svix.mjs"],
        &[
            ("WEBHOOK_SECRET", secret.to_string()),
            ("DELIVERIES_FILE", file.to_string_lossy().into_owned()),
        ],
    )
    .await;

    // Svix verified all 18 attempts, refused each altered, and found 9 messages, each retried.
    assert_eq!(run.step("deliveries.load")["detail"]["count"], 18);
    let verified: Vec<&Value> = (run.steps.iter())
        .filter(|s| s["step"].as_str().is_some_and(|n| n.starts_with("verify ")))
        .collect();
    assert_eq!(verified.len(), 18);
    for v in verified {
        assert!(
            v["detail"]["tampered"].is_string(),
            "an altered body refused: {v}"
        );
        assert!(
            v["detail"]["foreign_secret"].is_string(),
            "another secret refused: {v}"
        );
    }
    let retries = &run.step("retries.share-svix-id")["detail"];
    assert_eq!(retries["messages"], 9, "{retries}");
    let retried = retries["retried"].as_array().expect("retried messages");
    assert!(retried.iter().all(|r| r["attempts"] == 2), "{retries}");
    assert_eq!(retried.len(), 9, "{retries}");
    println!(
        "svix.mjs: {} steps passed in {:.2} s",
        run.steps.len(),
        run.elapsed.as_secs_f64()
    );
}
