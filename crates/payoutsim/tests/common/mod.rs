//! Shared by the binary crate's tests: a simulator on real sockets, its admin API, a OnePay
//! fixture; and, in submodules, what the benchmark shares with them.
//!
//! - [`Sim`]: `payoutsim::start` in process, with verbs for OnePay, the admin API and fault rules
//! - [`onepay`]: a customer and an account over HTTP, the fixture every cashout needs
//! - [`process`]: `payoutsim serve` as a child process, ready once it wrote its ready file
//! - [`send_json`], [`get_json`], [`chain`]: a request's JSON answer, an error's sources
#![allow(dead_code, clippy::unwrap_used)] // each test file uses a part; tests fail loudly

pub mod onepay;
pub mod process;

use std::time::Duration;

use payoutsim::{Running, ServeConfig};
use serde_json::{Value, json};

pub use onepay::{Fixture, send_json};

pub const KEY: &str = "sk_test_faults";
pub const TENANT: &str = "onepay:sk_test_faults";

pub struct Sim {
    pub running: Running,
    pub http: reqwest::Client,
}

impl Sim {
    pub async fn start() -> Self {
        Self::with(ServeConfig::for_tests()).await
    }

    /// [`start`](Self::start), then loads `rule` (asserting it was accepted).
    pub async fn with_rule(rule: Value) -> Self {
        let sim = Self::start().await;
        sim.rule(rule).await;
        sim
    }

    pub async fn with(config: ServeConfig) -> Self {
        let running = payoutsim::start(config).await.unwrap();
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(5))
            .build()
            .unwrap();
        Self { running, http }
    }

    pub fn onepay(&self, path: &str) -> String {
        format!("{}{path}", self.running.url("onepay").unwrap())
    }

    pub fn admin_url(&self, path: &str) -> String {
        format!("{}{path}", self.running.url("admin").unwrap())
    }

    /// An admin call: status and JSON body.
    pub async fn admin(&self, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut req = self.http.request(method, self.admin_url(path));
        if let Some(body) = body {
            req = req.json(&body);
        }
        let resp = req.send().await.unwrap();
        let status = resp.status().as_u16();
        (status, resp.json().await.unwrap_or(Value::Null))
    }

    /// Loads one rule; asserts it was accepted.
    pub async fn rule(&self, rule: Value) -> Value {
        let (status, body) = self.admin("POST", "/__admin/faults", Some(rule)).await;
        assert_eq!(status, 201, "rule refused: {body}");
        body
    }

    /// `POST /__admin/faults` with fault rules in YAML, the answer not yet read.
    pub async fn post_rules(&self, yaml: impl Into<reqwest::Body>) -> reqwest::Response {
        self.post_yaml("/__admin/faults", yaml).await
    }

    /// `POST /__admin/scenarios` with a scenario in YAML, the answer not yet read.
    pub async fn post_scenario(&self, yaml: impl Into<reqwest::Body>) -> reqwest::Response {
        self.post_yaml("/__admin/scenarios", yaml).await
    }

    async fn post_yaml(&self, path: &str, yaml: impl Into<reqwest::Body>) -> reqwest::Response {
        let req = self.http.post(self.admin_url(path));
        let req = req.header("content-type", "application/yaml").body(yaml);
        req.send().await.unwrap()
    }

    /// `GET` on OnePay with `key`, not yet sent.
    pub fn get_as(&self, key: &str, path: &str) -> reqwest::RequestBuilder {
        self.http.get(self.onepay(path)).bearer_auth(key)
    }

    /// `GET` on OnePay with [`KEY`], not yet sent.
    pub fn get(&self, path: &str) -> reqwest::RequestBuilder {
        self.get_as(KEY, path)
    }

    /// `GET` on OnePay with [`KEY`], the answer's JSON.
    pub async fn get_json(&self, path: &str) -> Value {
        send_json(self.get(path)).await
    }

    /// A customer and an account of [`KEY`]; returns their ids.
    pub async fn fixture(&self) -> Fixture {
        self.fixture_of(KEY).await
    }

    /// A customer and an account of `key`'s tenant; returns their ids.
    pub async fn fixture_of(&self, key: &str) -> Fixture {
        onepay::fixture(&self.http, &self.onepay(""), key).await
    }

    /// `POST /v1/cashouts` of 50,000 COP TURBO with idempotency key `key`, not yet sent.
    pub fn cashout(&self, fixture: &Fixture, key: &str) -> reqwest::RequestBuilder {
        self.cashout_as(KEY, fixture, key)
    }

    /// [`cashout`](Self::cashout), sent with the API key `api_key`.
    pub fn cashout_as(
        &self,
        api_key: &str,
        fixture: &Fixture,
        key: &str,
    ) -> reqwest::RequestBuilder {
        self.http
            .post(self.onepay("/v1/cashouts"))
            .bearer_auth(api_key)
            .header("x-idempotency", key)
            .json(&onepay::cashout_body(fixture, 50_000))
    }

    /// Sends [`cashout`](Self::cashout) and reads its JSON answer (whatever the status).
    pub async fn create_cashout(&self, fixture: &Fixture, key: &str) -> Value {
        send_json(self.cashout(fixture, key)).await
    }

    /// The tenant's cashouts, as OnePay lists them.
    pub async fn cashouts(&self) -> Vec<Value> {
        let list = self.get_json("/v1/cashouts").await;
        list["data"].as_array().cloned().unwrap_or_default()
    }

    /// `GET /v1/cashouts/{id}`.
    pub async fn cashout_by_id(&self, id: &Value) -> Value {
        self.get_json(&format!("/v1/cashouts/{}", id.as_str().unwrap()))
            .await
    }

    /// Subscribes [`TENANT`]'s events to the admin API's inbox `name`; asserts it was accepted.
    pub async fn subscribe_inbox(&self, name: &str) {
        let url = self.admin_url(&format!("/__admin/inbox/{name}"));
        let target = json!({"provider": "onepay", "tenant": TENANT, "url": url});
        let (status, body) = self.admin("POST", "/__admin/webhooks", Some(target)).await;
        assert_eq!(status, 201, "{body}");
    }

    /// The events the inbox `name` received, in order.
    pub async fn inbox(&self, name: &str) -> Vec<String> {
        let (_, body) = self
            .admin("GET", &format!("/__admin/inbox/{name}"), None)
            .await;
        let messages = body["messages"].as_array().cloned().unwrap_or_default();
        messages
            .iter()
            .map(|m| m["body"]["event"].as_str().unwrap_or_default().to_string())
            .collect()
    }

    /// The journal's entries for `path` (newest last).
    pub async fn journal(&self, path: &str) -> Vec<Value> {
        let (_, body) = self
            .admin(
                "GET",
                &format!("/__admin/requests?provider=onepay&path={path}"),
                None,
            )
            .await;
        body["requests"].as_array().cloned().unwrap_or_default()
    }

    pub async fn advance(&self, seconds: u64) {
        let (status, _) = self
            .admin(
                "POST",
                "/__admin/clock/advance",
                Some(json!({"seconds": seconds})),
            )
            .await;
        assert_eq!(status, 200);
    }

    pub async fn stop(self) {
        self.running.shutdown().await.unwrap();
    }
}

/// `GET url` with a fresh client, the answer's JSON.
pub async fn get_json(url: &str) -> Value {
    send_json(reqwest::Client::new().get(url)).await
}

/// The chain of sources of an error, as text (what a client would log).
pub fn chain(e: &reqwest::Error) -> String {
    let mut out = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        out.push_str(": ");
        out.push_str(&s.to_string());
        source = s.source();
    }
    out
}
