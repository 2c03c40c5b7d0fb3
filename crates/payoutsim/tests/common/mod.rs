//! Shared by the fault tests: a simulator on real sockets, its admin API, a OnePay fixture.
#![allow(dead_code, clippy::unwrap_used)] // each test file uses a part; tests fail loudly

use std::time::Duration;

use payoutsim::{Running, ServeConfig};
use serde_json::{Value, json};

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

    /// `GET` on OnePay with [`KEY`], not yet sent.
    pub fn get(&self, path: &str) -> reqwest::RequestBuilder {
        self.http.get(self.onepay(path)).bearer_auth(KEY)
    }

    /// `GET` on OnePay with [`KEY`], the answer's JSON.
    pub async fn get_json(&self, path: &str) -> Value {
        let resp = self.get(path).send().await.unwrap();
        resp.json().await.unwrap()
    }

    /// A customer and an account of [`KEY`]; returns their ids.
    pub async fn fixture(&self) -> (String, String) {
        let banks = self.get_json("/v1/banks").await;
        let bank = banks["data"][0]["id"].as_str().unwrap().to_string();
        let customer = self
            .post_json(
                "/v1/customers",
                json!({"user_type": "natural", "first_name": "Ana",
                "last_name": "Gómez", "email": "ana@example.com", "document_type": "CC",
                "document_number": "1020304050"}),
                "fixture-customer",
            )
            .await;
        let account = self
            .post_json(
                "/v1/accounts",
                json!({"subtype": "SAVINGS", "authorization": true,
                "account_number": "1234567890", "customer_id": customer["id"], "bank_id": bank}),
                "fixture-account",
            )
            .await;
        (
            customer["id"].as_str().unwrap().to_string(),
            account["id"].as_str().unwrap().to_string(),
        )
    }

    async fn post_json(&self, path: &str, body: Value, key: &str) -> Value {
        let resp = self
            .http
            .post(self.onepay(path))
            .bearer_auth(KEY)
            .header("x-idempotency", key)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert!(resp.status().is_success(), "{path}: {}", resp.status());
        resp.json().await.unwrap()
    }

    /// `POST /v1/cashouts` of 50,000 COP TURBO with idempotency key `key`, not yet sent.
    pub fn cashout(&self, fixture: &(String, String), key: &str) -> reqwest::RequestBuilder {
        self.http
            .post(self.onepay("/v1/cashouts"))
            .bearer_auth(KEY)
            .header("x-idempotency", key)
            .json(
                &json!({"amount": 50000, "currency": "COP", "method": "TURBO",
                "customer_id": fixture.0, "account_id": fixture.1}),
            )
    }

    /// Sends [`cashout`](Self::cashout) and reads its JSON answer (whatever the status).
    pub async fn create_cashout(&self, fixture: &(String, String), key: &str) -> Value {
        self.cashout(fixture, key)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
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
