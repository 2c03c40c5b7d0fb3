//! The built-in client's policies against an in-process simulator: each failure a resilience
//! scenario injects, and what the client must end with. Waiting goes through the sleeper, which
//! advances the simulated clock, so no test waits in real time for a transition.

mod support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use payoutsim::suite::InProcess;
use payoutsim_contract::adapter::ErrorKind;
use payoutsim_contract::builtin::{BuiltIn, Configured};
use payoutsim_contract::{Simulator, Starter};
use serde_json::{Value, json};
use support::clock_sleeper;

struct Fixture {
    sim: Box<dyn Simulator>,
    http: reqwest::Client,
}

impl Fixture {
    async fn new() -> Self {
        let sim = InProcess.start().await.expect("a simulator");
        Self {
            sim,
            http: reqwest::Client::new(),
        }
    }

    fn url(&self, name: &str) -> String {
        self.sim.urls()[name].clone()
    }

    async fn post(&self, url: String, body: Value, auth: Option<&str>) -> (u16, Value) {
        let mut r = self.http.post(url).json(&body);
        if let Some(key) = auth {
            r = r.bearer_auth(key);
        }
        let resp = r.send().await.expect("an answer");
        let status = resp.status().as_u16();
        (status, resp.json().await.unwrap_or(Value::Null))
    }

    async fn get(&self, url: String, key: &str) -> Value {
        let resp = self
            .http
            .get(url)
            .bearer_auth(key)
            .send()
            .await
            .expect("an answer");
        resp.json().await.expect("JSON")
    }

    async fn fault(&self, rule: Value) {
        let (status, body) = self
            .post(format!("{}/__admin/faults", self.url("admin")), rule, None)
            .await;
        assert_eq!(status, 201, "{body}");
    }

    /// A OnePay customer with an account: the beneficiary of a payout.
    async fn onepay_beneficiary(&self, key: &str) -> Value {
        let base = self.url("onepay");
        let (_, c) = self
            .post(
                format!("{base}/v1/customers"),
                json!({"user_type": "natural", "first_name": "Ana",
                "last_name": "Ruiz", "email": "ana@example.com", "document_type": "CC",
                "document_number": "1020304050", "phone": "+573001112233"}),
                Some(key),
            )
            .await;
        let banks = self.get(format!("{base}/v1/banks"), key).await;
        let (_, a) = self
            .post(
                format!("{base}/v1/accounts"),
                json!({"subtype": "SAVINGS", "authorization": true,
                "re-enrollment": false, "account_number": "12345678", "customer_id": c["id"],
                "bank_id": banks["data"][0]["id"]}),
                Some(key),
            )
            .await;
        json!({"customer_id": c["id"], "account_id": a["id"], "method": "TURBO"})
    }

    fn onepay_client(&self, key: &str) -> BuiltIn {
        let config = Configured {
            base_url: self.url("onepay"),
            credentials: json!({"api_key": key}),
            webhook_secret: Some("wh_tok_secret".into()),
        };
        BuiltIn::new("onepay", config, Duration::from_secs(2))
    }

    async fn cashouts_under(&self, key: &str, reference: &str) -> u64 {
        let page = self
            .get(
                format!(
                    "{}/v1/cashouts?filter%5Bexternal_id%5D={reference}",
                    self.url("onepay")
                ),
                key,
            )
            .await;
        page["total"].as_u64().expect("a total")
    }
}

#[tokio::test]
async fn a_429_is_waited_out_for_its_retry_after_on_the_simulated_clock() {
    let f = Fixture::new().await;
    let key = "sk_test_builtin429";
    let beneficiary = f.onepay_beneficiary(key).await;
    f.fault(
        json!({"match": {"provider": "onepay", "method": "POST", "path": "/v1/cashouts"},
        "fault": {"kind": "rate_limit", "retry_after_s": 30}, "times": 1}),
    )
    .await;
    let asked = Arc::new(Mutex::new(Vec::new()));
    let mut sleeper = clock_sleeper(f.url("admin"), asked.clone());
    let params = json!({"reference": "rl-1", "amount": "50000", "currency": "COP", "beneficiary": beneficiary});
    let created = f
        .onepay_client(key)
        .perform("payout.create", &params, &mut sleeper)
        .await;
    assert_eq!(created.expect("created")["status"], "pending");
    assert_eq!(*asked.lock().expect("not poisoned"), [30.0]);
    assert_eq!(f.cashouts_under(key, "rl-1").await, 1);
}

#[tokio::test]
async fn a_lost_answer_is_retried_under_the_same_reference_and_makes_one_cashout() {
    let f = Fixture::new().await;
    let key = "sk_test_builtinlost";
    let beneficiary = f.onepay_beneficiary(key).await;
    f.fault(
        json!({"match": {"provider": "onepay", "method": "POST", "path": "/v1/cashouts"},
        "fault": {"kind": "reset", "stage": "after"}, "times": 1}),
    )
    .await;
    let mut sleeper = clock_sleeper(f.url("admin"), Arc::default());
    let params = json!({"reference": "lost-1", "amount": "50000", "currency": "COP", "beneficiary": beneficiary});
    let created = f
        .onepay_client(key)
        .perform("payout.create", &params, &mut sleeper)
        .await;
    assert!(created.is_ok(), "{created:?}");
    assert_eq!(f.cashouts_under(key, "lost-1").await, 1);
    let balance = f.get(format!("{}/v1/balances", f.url("onepay")), key).await;
    assert_eq!(balance["data"]["available"], json!(1_000_000_000 - 50_000));
}

#[tokio::test]
async fn an_outage_is_backed_off_and_the_create_succeeds_when_it_ends() {
    let f = Fixture::new().await;
    let key = "sk_test_builtin503";
    let beneficiary = f.onepay_beneficiary(key).await;
    f.fault(
        json!({"match": {"provider": "onepay", "method": "POST", "path": "/v1/cashouts"},
        "fault": {"kind": "status", "status": 503}, "times": 3}),
    )
    .await;
    let asked = Arc::new(Mutex::new(Vec::new()));
    let mut sleeper = clock_sleeper(f.url("admin"), asked.clone());
    let params = json!({"reference": "down-1", "amount": "100", "currency": "COP", "beneficiary": beneficiary});
    let created = f
        .onepay_client(key)
        .perform("payout.create", &params, &mut sleeper)
        .await;
    assert!(created.is_ok(), "{created:?}");
    assert_eq!(*asked.lock().expect("not poisoned"), [0.5, 1.0, 2.0]);
}

#[tokio::test]
async fn a_refusal_is_reported_as_rejected_with_the_providers_status_and_code() {
    let f = Fixture::new().await;
    let mut sleeper = clock_sleeper(f.url("admin"), Arc::default());
    let got = f
        .onepay_client("sk_test_builtin404")
        .perform("payout.get", &json!({"id": "missing"}), &mut sleeper)
        .await
        .expect_err("refused");
    assert_eq!(got.kind, ErrorKind::Rejected);
    assert_eq!(got.status, Some(404));
    assert_eq!(got.code, Some(json!("not_found")));
}

#[tokio::test]
async fn a_forged_webhook_is_rejected_a_duplicate_ignored_and_a_late_one_changes_nothing() {
    use hmac::{Hmac, Mac};
    let f = Fixture::new().await;
    let mut client = f.onepay_client("sk_test_builtinwh");
    let sign = |body: &str| {
        let mut mac = Hmac::<sha2::Sha256>::new_from_slice(b"wh_tok_secret").expect("a key");
        mac.update(body.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    };
    let processed = r#"{"event":"cashout.processed","data":{"id":"c1","status":"processed"}}"#;
    let pending = r#"{"event":"cashout.created","data":{"id":"c1","status":"pending"}}"#;
    let mut sleeper = clock_sleeper(f.url("admin"), Arc::default());
    let mut receive = async |body: &str, signature: String| {
        let params = json!({"headers": {"x-signature": signature}, "body": body});
        let got = client
            .perform("webhook.receive", &params, &mut sleeper)
            .await
            .expect("a verdict");
        got["verdict"].as_str().expect("a verdict").to_string()
    };
    assert_eq!(receive(processed, "00".repeat(32)).await, "rejected");
    assert_eq!(receive(processed, sign(processed)).await, "accepted");
    assert_eq!(receive(processed, sign(processed)).await, "duplicate");
    assert_eq!(receive(pending, sign(pending)).await, "accepted");
    let known = client
        .perform("payout.known_status", &json!({"id": "c1"}), &mut sleeper)
        .await
        .expect("a status");
    assert_eq!(known["status"], "processed");
}
