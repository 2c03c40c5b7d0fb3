//! `--data-dir`: the real binary restarted on the same directory, after a clean stop or
//! `kill -9`, keeps what it answered; a directory it cannot trust refuses the start; without the
//! flag nothing is written.
#![allow(clippy::unwrap_used)] // tests fail loudly

mod common;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::onepay::{Fixture, cashout_body, create, fixture, id_of, send_json};
use common::process::{Ready, serve_manual, spawn_ready};
use serde_json::{Value, json};

const KEY: &str = "sk_test_persist";

/// A fresh directory under the system's temporary one, named after `tag`.
fn fresh_dir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("payoutsim-data-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// `payoutsim serve --clock manual --seed <seed> --data-dir <dir>`, ready.
fn start(dir: &Path, seed: u64, tag: &str) -> Sim {
    start_with(dir, seed, tag, &[])
}

/// [`start`] with more flags.
fn start_with(dir: &Path, seed: u64, tag: &str, more: &[&str]) -> Sim {
    let dir = dir.to_str().unwrap();
    let mut args = vec!["--data-dir", dir];
    args.extend_from_slice(more);
    let ready = spawn_ready(serve_manual(seed, &args), tag);
    Sim {
        ready,
        http: reqwest::Client::new(),
    }
}

struct Sim {
    ready: Ready,
    http: reqwest::Client,
}

impl Sim {
    fn url(&self, listener: &str, path: &str) -> String {
        format!("{}{path}", self.ready.urls[listener].as_str().unwrap())
    }

    /// SIGKILL: no shutdown of any kind.
    fn kill_9(mut self) {
        self.ready.child.kill().unwrap();
        self.ready.child.wait().unwrap();
    }

    async fn admin(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut req = self.http.request(method, self.url("admin", path));
        if let Some(body) = body {
            req = req.json(&body);
        }
        let resp = req.send().await.unwrap();
        assert!(resp.status().is_success(), "{path}: {}", resp.status());
        resp.json().await.unwrap()
    }

    async fn advance(&self, seconds: u64) -> Value {
        let body = json!({"seconds": seconds});
        self.admin("POST", "/__admin/clock/advance", Some(body))
            .await
    }

    fn onepay(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        (self.http.request(method, self.url("onepay", path))).bearer_auth(KEY)
    }

    async fn cashout(&self, id: &str) -> Value {
        send_json(self.onepay(reqwest::Method::GET, &format!("/v1/cashouts/{id}"))).await
    }

    /// A TURBO cashout of `amount` under `idempotency`, asserted created.
    async fn create_cashout(&self, fix: &Fixture, idempotency: &str, amount: u64) -> Value {
        let url = self.url("onepay", "/v1/cashouts");
        create(
            &self.http,
            &url,
            KEY,
            idempotency,
            &cashout_body(fix, amount),
        )
        .await
    }

    async fn balances(&self) -> Value {
        send_json(self.onepay(reqwest::Method::GET, "/v1/balances")).await
    }

    async fn deliveries(&self) -> Vec<Value> {
        let body = self
            .admin("GET", "/__admin/webhooks/deliveries", None)
            .await;
        body["deliveries"].as_array().cloned().unwrap()
    }

    async fn objects(&self, provider: &str) -> Value {
        let path = format!("/__admin/providers/{provider}/objects?limit=1000");
        self.admin("GET", &path, None).await["objects"].clone()
    }
}

/// A webhook receiver on `port` counting the events it was sent (answers 200 to each).
async fn receiver(port: u16) -> Arc<std::sync::Mutex<Vec<Value>>> {
    let got = Arc::new(std::sync::Mutex::new(Vec::new()));
    let keep = got.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |body: axum::body::Bytes| {
            let keep = keep.clone();
            async move {
                let event: Value = serde_json::from_slice(&body).unwrap();
                keep.lock().unwrap().push(event);
                "ok"
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    got
}

/// A loopback port nobody listens on (bound, then let go).
fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

#[tokio::test]
async fn a_cashout_accepted_before_a_restart_settles_on_time_after_it_and_its_webhook_arrives_once()
{
    let dir = fresh_dir("acceptance");
    let port = free_port();
    let sim = start(&dir, 11, "persist-acceptance-1");
    let hook = json!({"name": "app", "url": format!("http://127.0.0.1:{port}/hook"),
        "events": ["cashout.created", "cashout.processed"]});
    let req = sim.onepay(reqwest::Method::POST, "/v1/webhooks");
    assert!(req.json(&hook).send().await.unwrap().status().is_success());
    let fix = fixture(&sim.http, sim.ready.urls["onepay"].as_str().unwrap(), KEY).await;
    let created = sim.create_cashout(&fix, "payroll-1", 50_000).await;
    let id = id_of(&created);
    // Waits for the first attempt of `cashout.created`, which the receiver (down) refuses.
    sim.advance(0).await;
    let before = sim.deliveries().await;
    assert_eq!(before.len(), 1, "{before:?}");
    assert!(before[0]["status"].is_null(), "{:?}", before[0]);
    sim.kill_9();

    let sim = start(&dir, 11, "persist-acceptance-2");
    let got = receiver(port).await;
    assert_eq!(sim.cashout(&id).await["status"], "pending");
    assert_eq!(sim.deliveries().await, before);
    sim.advance(1859).await;
    assert_eq!(sim.cashout(&id).await["status"], "processing");
    sim.advance(1).await;
    assert_eq!(sim.cashout(&id).await["status"], "processed");

    let events: Vec<(String, String)> = (got.lock().unwrap().iter())
        .map(|e| {
            let event = e["event"].as_str().unwrap().to_string();
            (event, e["data"]["id"].as_str().unwrap().to_string())
        })
        .collect();
    let expected = [
        ("cashout.created".to_string(), id.clone()),
        ("cashout.processed".to_string(), id.clone()),
    ];
    assert_eq!(events, expected);
    let delivered: Vec<(String, u64, Value)> = (sim.deliveries().await.iter())
        .map(|d| {
            let event = d["event"].as_str().unwrap().to_string();
            (event, d["attempt"].as_u64().unwrap(), d["status"].clone())
        })
        .collect();
    let expected = [
        ("cashout.created".to_string(), 1, Value::Null),
        ("cashout.created".to_string(), 2, json!(200)),
        ("cashout.processed".to_string(), 1, json!(200)),
    ];
    assert_eq!(delivered, expected);
    sim.kill_9();
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A createOrder body to a CLABE of bank 002 with `reference`.
fn order(reference: &str) -> Value {
    json!({
        "alphanumericReference": reference, "amount": 150.5,
        "beneficiaryAcount": "002028650641359744", "beneficiaryName": "Florentino Eter",
        "beneficiaryTypeAcount": "40", "codeInstituteBank": "002", "concept": "Pago",
        "numericReference": 4322312, "typeTransaction": 1
    })
}

const PER_PROVIDER: usize = 100;

#[tokio::test]
async fn every_creation_acknowledged_before_a_kill_9_is_there_after_the_restart_with_its_ids_and_balances()
 {
    let dir = fresh_dir("kill9");
    let sim = start(&dir, 12, "persist-kill9-1");
    let base = sim.ready.urls["onepay"].as_str().unwrap().to_string();
    let fix = fixture(&sim.http, &base, KEY).await;
    let mut cashouts = Vec::new();
    for i in 0..PER_PROVIDER {
        let key = format!("k-{i}");
        cashouts.push(sim.create_cashout(&fix, &key, 1000 + i as u64).await);
    }
    let login = json!({"entity": "com.persist", "user": "ops@persist.example",
        "password": "persist-password"});
    let url = sim.url("kashpay", "/AuthenticationService/authenticate");
    let auth = send_json(sim.http.post(url).json(&login)).await;
    let token = auth["authenticationResponse"]["token"]
        .as_str()
        .unwrap()
        .to_string();
    let mut orders = Vec::new();
    for i in 0..PER_PROVIDER {
        let req = (sim.http.post(sim.url("kashpay", "/OKPay/createOrder")))
            .bearer_auth(&token)
            .header("Entity-i", "com.persist");
        let resp = send_json(req.json(&order(&format!("REF{i:04}")))).await;
        assert_eq!(resp["success"], true, "{resp}");
        orders.push(resp["orderEntityResponse"]["id"].clone());
    }
    let onepay_objects = sim.objects("onepay").await;
    let kashpay_objects = sim.objects("kashpay").await;
    let balances = sim.balances().await;
    sim.kill_9();

    let sim = start(&dir, 12, "persist-kill9-2");
    assert_eq!(sim.objects("onepay").await, onepay_objects);
    assert_eq!(sim.objects("kashpay").await, kashpay_objects);
    let kinds = |objects: &Value, kind: &str| {
        (objects.as_array().unwrap().iter())
            .filter(|o| o["kind"] == kind)
            .count()
    };
    assert_eq!(kinds(&onepay_objects, "cashout"), PER_PROVIDER);
    assert_eq!(kinds(&kashpay_objects, "order"), PER_PROVIDER);
    assert_eq!(sim.balances().await, balances);
    for (i, cashout) in cashouts.iter().enumerate() {
        assert_eq!(&sim.cashout(&id_of(cashout)).await, cashout);
        let key = format!("k-{i}");
        let again = sim.create_cashout(&fix, &key, 1000 + i as u64).await;
        assert_eq!(&again, cashout, "the idempotent retry of cashout {i}");
    }
    assert_eq!(orders.len(), PER_PROVIDER);
    sim.kill_9();
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Runs `payoutsim serve` on `dir` expecting it to refuse: its exit code and stderr.
fn refused(dir: &Path, seed: u64) -> (Option<i32>, String) {
    let mut command = serve_manual(seed, &["--data-dir", dir.to_str().unwrap()]);
    command.stdout(std::process::Stdio::null());
    command.stderr(std::process::Stdio::piped());
    let mut child = command.spawn().unwrap();
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > Duration::from_secs(20) {
            child.kill().unwrap();
            panic!("payoutsim served on {} instead of refusing", dir.display());
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

#[test]
fn a_corrupt_file_a_foreign_directory_and_another_seed_each_refuse_to_start_saying_why() {
    let corrupt = fresh_dir("corrupt");
    std::fs::create_dir_all(&corrupt).unwrap();
    std::fs::write(corrupt.join("payoutsim.db"), vec![0x5a; 8192]).unwrap();
    let (code, stderr) = refused(&corrupt, 1);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains("is not a payoutsim data file (corrupt or foreign)"),
        "{stderr}"
    );

    let foreign = fresh_dir("foreign");
    std::fs::create_dir_all(&foreign).unwrap();
    std::fs::write(foreign.join("notes.txt"), "mine").unwrap();
    let (code, stderr) = refused(&foreign, 1);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains("holds files that are not payoutsim's (notes.txt)"),
        "{stderr}"
    );
    assert_eq!(
        std::fs::read_to_string(foreign.join("notes.txt")).unwrap(),
        "mine"
    );

    let seeded = fresh_dir("seeded");
    start(&seeded, 1, "persist-seeded").kill_9();
    let (code, stderr) = refused(&seeded, 2);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("seed: recorded 1, now 2"), "{stderr}");

    for dir in [corrupt, foreign, seeded] {
        std::fs::remove_dir_all(dir).unwrap();
    }
}

#[tokio::test]
async fn without_data_dir_nothing_is_written_to_the_working_directory() {
    let cwd = fresh_dir("stateless");
    std::fs::create_dir_all(&cwd).unwrap();
    let mut command = serve_manual(3, &[]);
    command.current_dir(&cwd);
    let ready = spawn_ready(command, "persist-stateless");
    let sim = Sim {
        ready,
        http: reqwest::Client::new(),
    };
    let base = sim.ready.urls["onepay"].as_str().unwrap().to_string();
    let fix = fixture(&sim.http, &base, KEY).await;
    sim.create_cashout(&fix, "one", 1000).await;
    sim.advance(60).await;
    sim.kill_9();
    let left: Vec<_> = std::fs::read_dir(&cwd).unwrap().collect();
    assert!(left.is_empty(), "{left:?}");
    std::fs::remove_dir_all(&cwd).unwrap();
}

#[tokio::test]
async fn a_body_past_the_limit_is_refused_in_the_providers_envelope_and_not_logged() {
    let dir = fresh_dir("too-large");
    let sim = start(&dir, 3, "persist-too-large");
    let big = format!(
        "{{\"amount\": 1000, \"description\": \"{}\"}}",
        "x".repeat(2 << 20)
    );
    let resp = (sim.http.post(sim.url("onepay", "/v1/cashouts")))
        .header("authorization", format!("Bearer {KEY}"))
        .header("content-type", "application/json")
        .header("x-idempotency", "big-1")
        .body(big)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 413);
    let body: Value = resp.json().await.unwrap();
    // OnePay's own error envelope, not the admin API's {"error"}.
    assert_eq!(body["code"], "413", "{body}");
    assert!(
        body["message"].as_str().unwrap().contains("larger than"),
        "{body}"
    );
    assert!(body.get("error").is_none(), "{body}");
    sim.kill_9();
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The smallest `--data-dir-max-bytes`.
const SMALL_BOUND: &str = "65536";

/// A header that makes each logged input fill about one 4 KiB page of the database, to reach
/// [`SMALL_BOUND`] (16 pages, 5 of them the empty schema's) in about ten.
fn padding() -> String {
    "p".repeat(3 << 10)
}

impl Sim {
    /// `POST /v1/cashouts` of `amount` under `idempotency`, padded: the answer's status and body.
    async fn padded_cashout(&self, fix: &Fixture, idempotency: &str, amount: u64) -> (u16, Value) {
        let resp = (self.onepay(reqwest::Method::POST, "/v1/cashouts"))
            .header("x-idempotency", idempotency)
            .header("x-padding", padding())
            .json(&cashout_body(fix, amount))
            .send()
            .await
            .unwrap();
        (resp.status().as_u16(), resp.json().await.unwrap())
    }

    /// Every answer a client reads of this state: the objects, the balances, the deliveries,
    /// and each of `ids`' cashouts.
    async fn answers(&self, ids: &[String]) -> Value {
        let mut cashouts = Vec::new();
        for id in ids {
            cashouts.push(self.cashout(id).await);
        }
        json!({
            "objects": self.objects("onepay").await,
            "balances": self.balances().await,
            "deliveries": self.deliveries().await,
            "webhooks": send_json(self.onepay(reqwest::Method::GET, "/v1/webhooks")).await,
            "cashouts": cashouts,
        })
    }
}

/// The log of `dir` once the process is gone: how many inputs it holds, and the reset it starts
/// at, if compacted.
fn log_of(dir: &Path) -> (i64, Option<i64>) {
    let (store, meta) = payoutsim::persist::Store::open(dir).unwrap();
    assert!(meta.is_some(), "{} holds no log", dir.display());
    let base = store.base().unwrap().map(|b| b.seq);
    (store.input_count().unwrap(), base)
}

#[tokio::test]
async fn past_the_bound_the_log_is_compacted_to_the_last_full_reset_and_a_restart_keeps_every_answer()
 {
    let dir = fresh_dir("compact");
    let sim = start_with(
        &dir,
        21,
        "persist-compact-1",
        &["--data-dir-max-bytes", SMALL_BOUND],
    );
    let base = sim.ready.urls["onepay"].as_str().unwrap().to_string();
    let before_reset = fixture(&sim.http, &base, KEY).await;
    for i in 0..7 {
        let (status, body) = sim
            .padded_cashout(&before_reset, &format!("a-{i}"), 1000)
            .await;
        assert_eq!(status, 201, "{body}");
    }
    sim.admin("POST", "/__admin/reset", None).await;

    // After a full reset the id streams start again from the seed: the same customer and
    // account ids as the first time, so what follows depends on the settings and clock alone.
    let fix = fixture(&sim.http, &base, KEY).await;
    assert_eq!(fix, before_reset);
    let hook = json!({"name": "app", "url": format!("http://127.0.0.1:{}/hook", free_port()),
        "events": ["cashout.created"]});
    let req = sim.onepay(reqwest::Method::POST, "/v1/webhooks");
    assert!(req.json(&hook).send().await.unwrap().status().is_success());
    let mut ids = Vec::new();
    for i in 0..4 {
        let (status, body) = sim.padded_cashout(&fix, &format!("b-{i}"), 2000 + i).await;
        assert_eq!(status, 201, "cashout {i} after the reset: {body}");
        ids.push(id_of(&body));
    }
    sim.advance(90).await;
    let answers = sim.answers(&ids).await;
    assert!(!answers["deliveries"].as_array().unwrap().is_empty());
    sim.kill_9();
    // The ten inputs before the reset (the bank list, a customer, an account, seven cashouts)
    // were dropped: the log starts at the reset, input #11.
    let (inputs, base_seq) = log_of(&dir);
    assert_eq!(base_seq, Some(11), "the log was not compacted to the reset");
    assert!(inputs > 10, "{inputs} inputs kept");

    let sim = start_with(
        &dir,
        21,
        "persist-compact-2",
        &["--data-dir-max-bytes", SMALL_BOUND],
    );
    assert_eq!(sim.answers(&ids).await, answers);
    let (status, again) = sim.padded_cashout(&fix, "b-0", 2000).await;
    assert_eq!(status, 201, "the idempotent replay: {again}");
    assert_eq!(id_of(&again), ids[0]);
    sim.kill_9();
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn at_the_bound_with_nothing_to_drop_creations_are_refused_with_the_providers_503_and_nothing_is_lost()
 {
    let dir = fresh_dir("full");
    let sim = start_with(
        &dir,
        22,
        "persist-full-1",
        &["--data-dir-max-bytes", SMALL_BOUND],
    );
    let base = sim.ready.urls["onepay"].as_str().unwrap().to_string();
    let fix = fixture(&sim.http, &base, KEY).await;
    let mut ids = Vec::new();
    let refusal = loop {
        let (status, body) = sim
            .padded_cashout(&fix, &format!("k-{}", ids.len()), 1000)
            .await;
        if status != 201 {
            break (status, body);
        }
        ids.push(id_of(&body));
        assert!(ids.len() < 40, "never refused");
    };
    assert!(ids.len() >= 5, "refused early, after {}", ids.len());
    // OnePay's own envelope, as its other errors are.
    assert_eq!(refusal.0, 503, "{}", refusal.1);
    assert_eq!(refusal.1["code"], "503", "{}", refusal.1);
    let message = refusal.1["message"].as_str().unwrap();
    assert!(message.contains("--data-dir-max-bytes"), "{message}");
    let advance =
        (sim.http.post(sim.url("admin", "/__admin/clock/advance"))).json(&json!({"seconds": 1}));
    let advance = advance.send().await.unwrap();
    assert_eq!(advance.status(), 503, "a state-changing admin call");
    let answers = sim.answers(&ids).await;
    sim.kill_9();

    let sim = start_with(
        &dir,
        22,
        "persist-full-2",
        &["--data-dir-max-bytes", SMALL_BOUND],
    );
    assert_eq!(
        sim.answers(&ids).await,
        answers,
        "every acknowledged creation is kept"
    );
    let (status, _) = sim.padded_cashout(&fix, "after-restart", 1000).await;
    assert_eq!(status, 503, "still full after the restart");
    // A full reset is accepted at the bound, and frees the log.
    sim.admin("POST", "/__admin/reset", None).await;
    let fix = fixture(&sim.http, &base_of(&sim), KEY).await;
    let (status, body) = sim.padded_cashout(&fix, "after-reset", 1000).await;
    assert_eq!(status, 201, "{body}");
    sim.kill_9();
    std::fs::remove_dir_all(&dir).unwrap();
}

fn base_of(sim: &Sim) -> String {
    sim.ready.urls["onepay"].as_str().unwrap().to_string()
}
