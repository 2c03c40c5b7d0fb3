//! The Node reference adapters (`adapters/node`: OnSpot on Node's fetch, Dots through its
//! official SDK) driven through [`AdapterProcess`] against the in-process simulator, one
//! simulator per test, waiting only on its manual clock.
//!
//! They need Node.js (18 or later) and npm, so a plain `cargo test` lists them as ignored;
//! `.ci/run` runs `cargo test -p payoutsim-contract --test node_adapters -- --ignored`. The
//! adapters' packages are installed once per run of this binary (`npm ci`, pinned by
//! `adapters/node/package-lock.json`). A missing `node` or `npm` fails these tests: it never
//! passes them.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use cucumber::cli::Parser as _;
use futures::FutureExt;
use futures::future::BoxFuture;
use hmac::{Hmac, Mac};
use payoutsim::suite::InProcess;
use payoutsim_contract::adapter::{AdapterProcess, ErrorKind, Outcome, SleepMode};
use payoutsim_contract::{CucumberCli, Features, Options, Simulator, Starter, Summary, Target};
use serde_json::{Value, json};

const ONSPOT_PUBLIC: &str = "5f0c1d2e3a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5";
const ONSPOT_SECRET: &str = "sk-node-adapter-onspot";
const DOTS_CLIENT: &str = "pk_dev_nodeadapter";
const DOTS_KEY: &str = "sk_dev_nodeadapter";
/// A Svix endpoint secret: `whsec_` and the base64 of the signing key.
const DOTS_WEBHOOK_SECRET: &str = "whsec_bm9kZS1hZGFwdGVyLXNpZ25pbmcta2V5LTMyYnl0ZXM=";

fn adapters_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../adapters/node")
}

/// `program args…` in the adapters' folder: its stdout, or why it could not run or failed.
fn run(program: &str, args: &[&str]) -> Result<String, String> {
    let shown = format!("`{program} {}`", args.join(" "));
    let out = std::process::Command::new(program)
        .args(args)
        .current_dir(adapters_dir())
        .stdin(Stdio::null())
        .output()
        .map_err(|e| {
            format!("cannot run {shown}: {e}: these tests need Node.js 18 or later and npm")
        })?;
    if !out.status.success() {
        return Err(format!(
            "{shown} failed ({}):\n{}{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// Node's and npm's versions, then `npm ci` in `adapters/node`.
fn install() -> Result<String, String> {
    let node = run("node", &["--version"])?;
    let npm = run("npm", &["--version"])?;
    run("npm", &["ci", "--no-audit", "--no-fund"])?;
    Ok(format!("node {node}, npm {npm}"))
}

/// The adapter `script` (a file of `adapters/node`) started, its packages installed once.
async fn start(script: &str) -> AdapterProcess {
    match AdapterProcess::start(&command_for(script).await).await {
        Ok(adapter) => adapter,
        Err(e) => panic!("{e}"),
    }
}

/// The command that starts the adapter `script` (a file of `adapters/node`), its packages
/// installed once.
async fn command_for(script: &str) -> String {
    static INSTALLED: OnceLock<Result<String, String>> = OnceLock::new();
    let ready = tokio::task::spawn_blocking(|| INSTALLED.get_or_init(install).clone()).await;
    match ready.expect("the install task does not panic") {
        Ok(versions) => println!("adapters: {versions}"),
        Err(e) => panic!("{e}"),
    }
    format!("node '{}'", adapters_dir().join(script).display())
}

/// The whole suite's `@client` scenarios of `provider` through the adapter `script`, one run
/// at a time (a run's adapter serves its scenarios in turn).
async fn suite_through(script: &str, provider: &str) -> Summary {
    static ONE_RUN_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
    let _turn = ONE_RUN_AT_A_TIME.lock().await;
    let options = Options {
        target: Target::InProcess,
        features: Features::checkout(),
        providers: vec![provider.to_string()],
        starter: Some(Arc::new(InProcess)),
        junit: None,
        json: None,
        client: Some(command_for(script).await),
    };
    let cli = CucumberCli::parse_from(["contract"]);
    payoutsim_contract::run(options, cli)
        .await
        .expect("the run starts")
}

/// Asserts every `@client` scenario of `provider` ran and passed through the adapter.
fn assert_every_client_scenario_passed(summary: &Summary, provider: &str) {
    assert!(summary.succeeded(), "{summary:?}");
    assert!(summary.scenarios > 0, "no client scenario ran: {summary:?}");
    assert_eq!(summary.passed, summary.scenarios, "{summary:?}");
    for (capability, row) in &summary.capabilities {
        if let Some(tally) = row.get(provider) {
            assert_eq!(tally.failed, 0, "{capability}: {tally:?}");
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs Node.js and npm: run by .ci/run"]
async fn the_suite_runs_every_onspot_client_scenario_through_the_node_onspot_adapter() {
    let summary = suite_through("onspot_adapter.mjs", "onspot").await;
    assert_every_client_scenario_passed(&summary, "onspot");
}

#[tokio::test(flavor = "multi_thread")]
#[ignore = "needs Node.js and npm: run by .ci/run"]
async fn the_suite_runs_every_dots_client_scenario_through_the_node_dots_sdk_adapter() {
    let summary = suite_through("dots_adapter.mjs", "dots").await;
    assert_every_client_scenario_passed(&summary, "dots");
    assert!(summary.not_applicable.is_empty(), "{summary:?}");
}

struct Fixture {
    sim: Box<dyn Simulator>,
    http: reqwest::Client,
    /// Every sleep the adapter asked for, in seconds.
    slept: Arc<Mutex<Vec<f64>>>,
}

impl Fixture {
    async fn new() -> Self {
        Self {
            sim: InProcess.start().await.expect("a simulator"),
            http: reqwest::Client::new(),
            slept: Arc::default(),
        }
    }

    fn url(&self, name: &str) -> String {
        self.sim.urls()[name].clone()
    }

    async fn send(&self, request: reqwest::RequestBuilder) -> (u16, Value) {
        let resp = request.send().await.expect("an answer");
        let status = resp.status().as_u16();
        (status, resp.json().await.unwrap_or(Value::Null))
    }

    async fn admin(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let mut request = self
            .http
            .request(method, format!("{}{path}", self.url("admin")));
        if let Some(body) = body {
            request = request.json(&body);
        }
        let (status, answer) = self.send(request).await;
        assert!((200..300).contains(&status), "{path}: {status} {answer}");
        answer
    }

    async fn fault(&self, rule: Value) {
        self.admin(reqwest::Method::POST, "/__admin/faults", Some(rule))
            .await;
    }

    async fn advance(&self, seconds: u64) {
        let body = json!({"seconds": seconds});
        self.admin(reqwest::Method::POST, "/__admin/clock/advance", Some(body))
            .await;
    }

    /// The journal's requests of `provider` on `method path`, oldest first.
    async fn journal(&self, provider: &str, method: &str, path: &str) -> Vec<Value> {
        let query = format!("/__admin/requests?provider={provider}&method={method}&path={path}");
        let page = self.admin(reqwest::Method::GET, &query, None).await;
        page["requests"].as_array().expect("requests").clone()
    }

    /// A sleeper that advances the simulated clock by what the adapter asks for, and records it.
    fn sleeper(&self) -> impl FnMut(f64) -> BoxFuture<'static, String> + Send + use<> {
        let (slept, http) = (self.slept.clone(), self.http.clone());
        let url = format!("{}/__admin/clock/advance", self.url("admin"));
        move |seconds| {
            slept.lock().expect("not poisoned").push(seconds);
            let advance = http.post(url.clone()).json(&json!({"seconds": seconds}));
            async move {
                let resp = advance.send().await.expect("an advance");
                let body: Value = resp.json().await.expect("JSON");
                body["now"].as_str().unwrap_or_default().to_string()
            }
            .boxed()
        }
    }

    async fn perform(
        &self,
        adapter: &mut AdapterProcess,
        provider: &str,
        op: &str,
        params: Value,
    ) -> Outcome {
        let mut sleeper = self.sleeper();
        match adapter.perform(provider, op, params, &mut sleeper).await {
            Ok(outcome) => outcome,
            Err(e) => panic!("{e}"),
        }
    }

    /// The OnSpot adapter configured with a fresh key pair and a `timeout_s` request timeout.
    async fn onspot(&self, timeout_s: f64) -> AdapterProcess {
        let mut adapter = start("onspot_adapter.mjs").await;
        let credentials = json!({"public_key": ONSPOT_PUBLIC, "secret_key": ONSPOT_SECRET,
            "environment": "test"});
        let configured = adapter
            .configure("onspot", &self.url("onspot"), credentials, None, timeout_s)
            .await;
        assert!(configured.is_ok(), "{configured:?}");
        adapter
    }

    /// The Dots adapter configured with a sandbox key pair, the webhook secret and `timeout_s`.
    async fn dots(&self, timeout_s: f64) -> AdapterProcess {
        let mut adapter = start("dots_adapter.mjs").await;
        let credentials = json!({"client_id": DOTS_CLIENT, "api_key": DOTS_KEY});
        let configured = adapter
            .configure(
                "dots",
                &self.url("dots"),
                credentials,
                Some(DOTS_WEBHOOK_SECRET),
                timeout_s,
            )
            .await;
        assert!(configured.is_ok(), "{configured:?}");
        adapter
    }

    /// `payout.create` through the Dots adapter: `amount` dollars to `beneficiary` under `reference`.
    async fn dots_create(
        &self,
        adapter: &mut AdapterProcess,
        reference: &str,
        amount: &str,
        beneficiary: &Value,
    ) -> Outcome {
        let params = json!({"reference": reference, "amount": amount, "currency": "USD",
            "beneficiary": beneficiary});
        self.perform(adapter, "dots", "payout.create", params).await
    }

    /// `payout.create` through the OnSpot adapter: `amount` dollars to an individual.
    async fn onspot_create(&self, adapter: &mut AdapterProcess, amount: &str) -> Outcome {
        let params = json!({"reference": "ord-1", "amount": amount, "currency": "USD",
            "beneficiary": {"type": "INDIVIDUAL", "document_type": "PASSPORT",
            "document_number": "X1234567", "first_name": "Ana", "last_name": "Ruiz",
            "email": "ana@example.com"}});
        self.perform(adapter, "onspot", "payout.create", params)
            .await
    }

    /// A fault rule on Dots's `POST /api/v2/payouts`, for its next request.
    async fn fault_dots_payouts(&self, fault: Value) {
        self.fault(json!({"match": {"provider": "dots", "method": "POST",
            "path": "/api/v2/payouts"}, "fault": fault, "times": 1}))
            .await;
    }

    /// A Dots user with a PayPal payout method: the beneficiary of a payout.
    async fn dots_beneficiary(&self) -> Value {
        let api = format!("{}/api/v2", self.url("dots"));
        let auth = |r: reqwest::RequestBuilder| r.basic_auth(DOTS_CLIENT, Some(DOTS_KEY));
        let user = json!({"first_name": "Ana", "last_name": "Payee", "email": "ana@example.com",
            "country_code": "1", "phone_number": "5550001234"});
        let (status, user) = self
            .send(auth(self.http.post(format!("{api}/users"))).json(&user))
            .await;
        assert_eq!(status, 201, "{user}");
        let id = user["id"].as_str().expect("a user id");
        let method = json!({"platform": "paypal", "email": "ana@example.com"});
        let put = self.http.put(format!("{api}/users/{id}/payout-methods"));
        let (status, answer) = self.send(auth(put).json(&method)).await;
        assert_eq!(status, 200, "{answer}");
        json!({"user_id": id, "platform": "paypal"})
    }
}

/// A fresh simulator and Dots adapter (`timeout_s`), `fault` on its next `POST /api/v2/payouts`,
/// then a create of `amount` dollars under `reference`: the fixture, the adapter, the
/// beneficiary and the create's outcome.
async fn dots_create_under(
    fault: Value,
    timeout_s: f64,
    reference: &str,
    amount: &str,
) -> (Fixture, AdapterProcess, Value, Outcome) {
    let f = Fixture::new().await;
    let mut adapter = f.dots(timeout_s).await;
    let beneficiary = f.dots_beneficiary().await;
    f.fault_dots_payouts(fault).await;
    let created = f
        .dots_create(&mut adapter, reference, amount, &beneficiary)
        .await;
    (f, adapter, beneficiary, created)
}

fn statuses(requests: &[Value]) -> Vec<u64> {
    requests
        .iter()
        .map(|r| r["status"].as_u64().unwrap_or_default())
        .collect()
}

/// Headers of a Svix delivery of `body` signed with `secret` (its key, base64 after `whsec_`).
/// The timestamp is the wall clock's: Svix's verifier refuses one more than 5 minutes from its
/// own, as the simulator's deliveries do by default.
fn svix_headers(id: &str, body: &str, secret: &str) -> Value {
    let key = STANDARD
        .decode(secret.trim_start_matches("whsec_"))
        .expect("a base64 key");
    #[allow(clippy::disallowed_methods)] // the receiver's clock (Svix's verifier) is the wall clock
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("after 1970");
    let timestamp = now.as_secs().to_string();
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(&key).expect("a key");
    mac.update(format!("{id}.{timestamp}.{body}").as_bytes());
    let signature = STANDARD.encode(mac.finalize().into_bytes());
    json!({"svix-id": id, "svix-timestamp": timestamp, "svix-signature": format!("v1,{signature}")})
}

#[tokio::test]
#[ignore = "needs Node.js and npm: run by .ci/run"]
async fn each_node_adapter_says_hello_with_its_operations_and_suite_driven_sleep() {
    let onspot = start("onspot_adapter.mjs").await;
    assert_eq!(onspot.hello().name, "payoutsim-node-onspot");
    assert_eq!(onspot.hello().sleep, SleepMode::Suite);
    assert!(onspot.supports("onspot", "payout.create"));
    assert!(!onspot.supports("onspot", "payout.get"));
    assert!(!onspot.supports("dots", "payout.create"));
    onspot.shutdown().await;
    let dots = start("dots_adapter.mjs").await;
    assert_eq!(dots.hello().name, "payoutsim-node-dots");
    for op in [
        "payout.create",
        "payout.get",
        "payout.find",
        "webhook.receive",
        "payout.known_status",
    ] {
        assert!(dots.supports("dots", op), "{op}");
    }
    dots.shutdown().await;
}

#[tokio::test]
#[ignore = "needs Node.js and npm: run by .ci/run"]
async fn an_onspot_payout_is_created_with_a_session_token() {
    let f = Fixture::new().await;
    let mut adapter = f.onspot(5.0).await;
    let created = f
        .onspot_create(&mut adapter, "67.00")
        .await
        .expect("created");
    assert_eq!(created["status"], "success");
    let id = created["id"].as_str().expect("an id");
    let tenant = format!("onspot:test:{ONSPOT_PUBLIC}");
    let payouts = f
        .admin(
            reqwest::Method::GET,
            &format!("/__admin/providers/onspot/payouts?tenant={tenant}"),
            None,
        )
        .await;
    assert_eq!(payouts["total"], 1, "{payouts}");
    assert_eq!(payouts["payouts"][0]["uuid"], id);
    assert_eq!(payouts["payouts"][0]["item"]["amount"], "67.00");
    adapter.shutdown().await;
}

#[tokio::test]
#[ignore = "needs Node.js and npm: run by .ci/run"]
async fn after_the_onspot_session_expires_the_adapter_logs_in_again_once_and_goes_on() {
    let f = Fixture::new().await;
    let mut adapter = f.onspot(5.0).await;
    let first = f.onspot_create(&mut adapter, "10.00").await;
    assert!(first.is_ok(), "{first:?}");
    f.advance(3_601).await; // the token lives one hour of simulated time
    let second = f.onspot_create(&mut adapter, "11.00").await;
    assert!(second.is_ok(), "{second:?}");
    let logins = f
        .journal("onspot", "POST", "/platform/generate-token-api")
        .await;
    assert_eq!(statuses(&logins), [201, 201]);
    let creates = f
        .journal("onspot", "POST", "/accreditation/payouts/create")
        .await;
    assert_eq!(statuses(&creates), [201, 401, 201]);
    adapter.shutdown().await;
}

#[tokio::test]
#[ignore = "needs Node.js and npm: run by .ci/run"]
async fn an_onspot_create_whose_answer_is_lost_is_reported_and_never_sent_again() {
    let f = Fixture::new().await;
    let mut adapter = f.onspot(5.0).await;
    f.fault(json!({"match": {"provider": "onspot", "method": "POST",
        "path": "/accreditation/payouts/create"},
        "fault": {"kind": "reset", "stage": "after"}, "times": 1}))
        .await;
    let lost = f
        .onspot_create(&mut adapter, "12.00")
        .await
        .expect_err("the answer was lost");
    assert_eq!(lost.kind, ErrorKind::Connection, "{lost:?}");
    let creates = f
        .journal("onspot", "POST", "/accreditation/payouts/create")
        .await;
    assert_eq!(
        creates.len(),
        1,
        "OnSpot has no idempotency: no blind retry"
    );
    assert!(f.slept.lock().expect("not poisoned").is_empty());
    adapter.shutdown().await;
}

#[tokio::test]
#[ignore = "needs Node.js and npm: run by .ci/run"]
async fn a_dots_payout_is_sent_in_cents_under_its_key_and_read_back_in_dollars() {
    let f = Fixture::new().await;
    let mut adapter = f.dots(5.0).await;
    let beneficiary = f.dots_beneficiary().await;
    let reference = "0b5e8c1a-6d3f-4a27-9c41-2f7e0d9b1a01";
    let created = f
        .dots_create(&mut adapter, reference, "12.50", &beneficiary)
        .await
        .expect("created");
    assert_eq!(created["status"], "created");
    let id = created["id"].as_str().expect("an id");
    let sent = f.journal("dots", "POST", "/api/v2/payouts").await;
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0]["body"]["amount"], 1250, "{}", sent[0]);
    assert_eq!(sent[0]["body"]["idempotency_key"], reference);
    f.advance(5).await;
    let got = f
        .perform(&mut adapter, "dots", "payout.get", json!({"id": id}))
        .await
        .expect("read back");
    assert_eq!(
        got,
        json!({"id": id, "status": "pending", "amount": "12.50", "currency": "USD"})
    );
    let found = f
        .perform(
            &mut adapter,
            "dots",
            "payout.find",
            json!({"reference": reference}),
        )
        .await;
    assert_eq!(found, Ok(json!({"id": id, "status": "pending"})));
    let missing = json!({"reference": "0b5e8c1a-6d3f-4a27-9c41-2f7e0d9b1a99"});
    let none = f
        .perform(&mut adapter, "dots", "payout.find", missing)
        .await;
    assert_eq!(none, Ok(json!({"found": false})));
    adapter.shutdown().await;
}

#[tokio::test]
#[ignore = "needs Node.js and npm: run by .ci/run"]
async fn a_lost_dots_answer_is_read_back_not_sent_again_and_ends_with_one_payout() {
    let reference = "0b5e8c1a-6d3f-4a27-9c41-2f7e0d9b1a02";
    let (f, adapter, beneficiary, created) = dots_create_under(
        json!({"kind": "reset", "stage": "after"}),
        5.0,
        reference,
        "3",
    )
    .await;
    let created = created.expect("created");
    let sent = f.journal("dots", "POST", "/api/v2/payouts").await;
    let keys: Vec<&Value> = sent.iter().map(|r| &r["body"]["idempotency_key"]).collect();
    // The first was made (its answer lost); the read back found it, so nothing was sent again.
    assert_eq!(keys, [reference], "{sent:?}");
    let read_back = f.journal("dots", "GET", "/api/v2/transfers").await;
    assert!(!read_back.is_empty(), "no read back after the lost answer");
    let user = beneficiary["user_id"].as_str().expect("a user");
    let path = format!(
        "{}/api/v2/transfers?user_id={user}&type=payout",
        f.url("dots")
    );
    let (_, listed) = f
        .send(f.http.get(path).basic_auth(DOTS_CLIENT, Some(DOTS_KEY)))
        .await;
    let payouts = listed["data"].as_array().expect("a list");
    assert_eq!(payouts.len(), 1, "{listed}");
    assert_eq!(payouts[0]["id"], created["id"]);
    assert!(f.slept.lock().expect("not poisoned").is_empty());
    adapter.shutdown().await;
}

#[tokio::test]
#[ignore = "needs Node.js and npm: run by .ci/run"]
async fn a_dots_429_has_the_adapter_ask_the_suite_to_sleep_its_retry_after_then_succeed() {
    let reference = "0b5e8c1a-6d3f-4a27-9c41-2f7e0d9b1a03";
    let (f, adapter, _, created) = dots_create_under(
        json!({"kind": "rate_limit", "retry_after_s": 30}),
        5.0,
        reference,
        "1.00",
    )
    .await;
    assert!(created.is_ok(), "{created:?}");
    assert_eq!(*f.slept.lock().expect("not poisoned"), [30.0]);
    let sent = f.journal("dots", "POST", "/api/v2/payouts").await;
    assert_eq!(statuses(&sent), [429, 201]);
    adapter.shutdown().await;
}

#[tokio::test]
#[ignore = "needs Node.js and npm: run by .ci/run"]
async fn a_forged_dots_webhook_is_rejected_a_genuine_one_accepted_and_its_repeat_recognised() {
    let f = Fixture::new().await;
    let mut adapter = f.dots(5.0).await;
    let beneficiary = f.dots_beneficiary().await;
    let made = f
        .dots_create(
            &mut adapter,
            "0b5e8c1a-6d3f-4a27-9c41-2f7e0d9b1a04",
            "2",
            &beneficiary,
        )
        .await
        .expect("created");
    let id = made["id"].as_str().expect("an id");
    let mut receive = async |svix_id: &str, body: String, secret: &str| {
        let params = json!({"headers": svix_headers(svix_id, &body, secret), "body": body});
        let got = f
            .perform(&mut adapter, "dots", "webhook.receive", params)
            .await;
        got.expect("a verdict")["verdict"].clone()
    };
    let completed = json!({"transfer": {"id": id, "status": "completed"}, "transfer_id": id});
    let forger = "whsec_Zm9yZ2VkLWtleS1vZi1zb21lb25lLWVsc2UtMzJieXQ=";
    assert_eq!(
        receive("msg_1", completed.to_string(), forger).await,
        "rejected"
    );
    assert_eq!(
        receive("msg_1", completed.to_string(), DOTS_WEBHOOK_SECRET).await,
        "accepted"
    );
    assert_eq!(
        receive("msg_1", completed.to_string(), DOTS_WEBHOOK_SECRET).await,
        "duplicate"
    );
    // A late `transfer.updated` names the payout only: the client reads its status, which the
    // payout (still `created` on the simulator) does not move back from `completed`.
    let updated = json!({"event": "transfer.updated", "transfer_id": id});
    assert_eq!(
        receive("msg_2", updated.to_string(), DOTS_WEBHOOK_SECRET).await,
        "accepted"
    );
    let known = f
        .perform(
            &mut adapter,
            "dots",
            "payout.known_status",
            json!({"id": id}),
        )
        .await;
    assert_eq!(known, Ok(json!({"status": "completed"})));
    let unknown = f
        .perform(
            &mut adapter,
            "dots",
            "payout.known_status",
            json!({"id": "nobody"}),
        )
        .await;
    assert_eq!(unknown, Ok(json!({"status": null})));
    adapter.shutdown().await;
}

#[tokio::test]
#[ignore = "needs Node.js and npm: run by .ci/run"]
async fn an_onspot_create_that_times_out_is_reported_as_timeout_and_not_sent_again() {
    let f = Fixture::new().await;
    let mut adapter = f.onspot(1.0).await;
    f.fault(json!({"match": {"provider": "onspot", "method": "POST",
        "path": "/accreditation/payouts/create"},
        "fault": {"kind": "hang", "max_s": 10}, "times": 1}))
        .await;
    let timed_out = f
        .onspot_create(&mut adapter, "13.00")
        .await
        .expect_err("no answer in 1 s");
    assert_eq!(timed_out.kind, ErrorKind::Timeout, "{timed_out:?}");
    assert!(f.slept.lock().expect("not poisoned").is_empty());
    let payouts = f
        .admin(
            reqwest::Method::GET,
            "/__admin/providers/onspot/payouts",
            None,
        )
        .await;
    assert_eq!(payouts["total"], 0, "{payouts}");
    adapter.shutdown().await;
}

#[tokio::test]
#[ignore = "needs Node.js and npm: run by .ci/run"]
async fn a_dots_create_that_times_out_is_sent_again_under_its_key_after_a_back_off() {
    let reference = "0b5e8c1a-6d3f-4a27-9c41-2f7e0d9b1a05";
    let (f, adapter, _, created) =
        dots_create_under(json!({"kind": "hang", "max_s": 10}), 1.0, reference, "4").await;
    assert!(created.is_ok(), "{created:?}");
    assert_eq!(*f.slept.lock().expect("not poisoned"), [0.5]);
    let made = f.journal("dots", "POST", "/api/v2/payouts").await;
    assert_eq!(statuses(&made).last(), Some(&201), "{made:?}");
    adapter.shutdown().await;
}
