//! Test harness: an engine with a manual clock, OnePay registered with it, and its router wrapped
//! in the journal layer exactly as payoutsim serves it; requests go through `oneshot`.

#![allow(dead_code)]
#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use http::Request;
use payoutsim_core::{Engine, EngineConfig, Provider, testkit};
use payoutsim_onepay::{OnePay, OnePayConfig};
use serde_json::{Value, json};

pub const TEST_KEY: &str = "sk_test_alpha";
pub const OTHER_KEY: &str = "sk_test_beta";
pub const LIVE_KEY: &str = "sk_live_alpha";
pub const BANCOLOMBIA: &str = "9a1f6a52-3b8e-4c1d-9a53-0c7d2e6b1a01";
/// The default test balance, in whole COP.
pub const START: i64 = 1_000_000_000;

pub struct Sim {
    pub engine: Engine,
    pub onepay: OnePay,
    pub provider: Arc<dyn Provider>,
    pub app: Router,
}

pub use payoutsim_core::testkit::Resp;

/// A manual clock, and webhook deliveries that give up after 2 s.
pub fn manual_config(seed: u64) -> EngineConfig {
    let mut c = testkit::manual_config(seed);
    c.webhooks.timeout = std::time::Duration::from_secs(2);
    c
}

pub fn sim(seed: u64) -> Sim {
    sim_with(seed, OnePayConfig::default())
}

pub fn sim_with(seed: u64, config: OnePayConfig) -> Sim {
    let engine = Engine::new(manual_config(seed));
    let onepay = OnePay::new(engine.clone(), config);
    let provider: Arc<dyn Provider> = Arc::new(onepay.clone());
    let app = testkit::mount(&engine, &provider);
    Sim {
        engine,
        onepay,
        provider,
        app,
    }
}

/// OnePay's reading of an answer.
pub trait OnePayResp {
    /// The `key`s of a validation error's `errors`.
    fn error_keys(&self) -> Vec<String>;
    /// Asserts the body is OnePay's envelope with this status, code and code name.
    fn assert_envelope(&self, status: u16, code: &str, code_name: &str);
}

impl OnePayResp for Resp {
    fn error_keys(&self) -> Vec<String> {
        self.json["errors"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|e| e["key"].as_str().unwrap().to_string())
                    .collect()
            })
            .unwrap_or_default()
    }

    fn assert_envelope(&self, status: u16, code: &str, code_name: &str) {
        assert_eq!(self.status, status, "body: {}", self.json);
        assert_eq!(self.json["code"], code, "body: {}", self.json);
        assert_eq!(self.json["code_name"], code_name, "body: {}", self.json);
        assert!(self.json["message"].as_str().is_some_and(|m| !m.is_empty()));
        assert!(self.json["errors"].is_array());
    }
}

impl Sim {
    pub async fn send(&self, req: Request<Body>) -> Resp {
        testkit::send(&self.app, req).await
    }

    /// A request with a bearer key, JSON content type when there is a body, and extra headers.
    pub async fn call(
        &self,
        method: &str,
        path: &str,
        key: Option<&str>,
        headers: &[(&str, &str)],
        body: Option<&[u8]>,
    ) -> Resp {
        let bearer = key.map(|k| format!("Bearer {k}"));
        let mut all: Vec<(&str, &str)> = Vec::new();
        if let Some(b) = &bearer {
            all.push(("authorization", b));
        }
        if body.is_some()
            && !headers
                .iter()
                .any(|(h, _)| h.eq_ignore_ascii_case("content-type"))
        {
            all.push(("content-type", "application/json"));
        }
        all.extend_from_slice(headers);
        self.send(testkit::request(method, path, &all, body)).await
    }

    pub async fn get(&self, key: &str, path: &str) -> Resp {
        self.call("GET", path, Some(key), &[], None).await
    }

    pub async fn post(&self, key: &str, path: &str, body: Value) -> Resp {
        let bytes = body.to_string();
        self.call("POST", path, Some(key), &[], Some(bytes.as_bytes()))
            .await
    }

    pub async fn post_idem(&self, key: &str, path: &str, idem: &str, body: Value) -> Resp {
        let bytes = body.to_string();
        self.call(
            "POST",
            path,
            Some(key),
            &[("x-idempotency", idem)],
            Some(bytes.as_bytes()),
        )
        .await
    }

    pub async fn customer(&self, key: &str) -> String {
        let r = self.post(key, "/v1/customers", customer_body()).await;
        assert_eq!(r.status, 201, "{}", r.json);
        r.json["id"].as_str().unwrap().to_string()
    }

    pub async fn account(&self, key: &str, customer_id: &str, account_number: &str) -> String {
        let r = self
            .post(
                key,
                "/v1/accounts",
                account_body(customer_id, account_number),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.json);
        r.json["id"].as_str().unwrap().to_string()
    }

    /// A customer and an account of theirs: `(customer_id, account_id)`.
    pub async fn payee(&self, key: &str, account_number: &str) -> (String, String) {
        let c = self.customer(key).await;
        let a = self.account(key, &c, account_number).await;
        (c, a)
    }

    pub async fn cashout(&self, key: &str, idem: &str, body: Value) -> Resp {
        self.post_idem(key, "/v1/cashouts", idem, body).await
    }

    /// The tenant's available balance, in cents.
    pub async fn available_cents(&self, key: &str) -> i64 {
        let r = self.get(key, "/v1/balances").await;
        (r.json["data"]["available"].as_f64().unwrap() * 100.0).round() as i64
    }

    pub async fn status_of(&self, key: &str, cashout_id: &str) -> String {
        let r = self.get(key, &format!("/v1/cashouts/{cashout_id}")).await;
        r.json["status"].as_str().unwrap().to_string()
    }
}

pub fn customer_body() -> Value {
    json!({
        "user_type": "natural",
        "first_name": "Ana",
        "last_name": "Gómez",
        "email": "ana@example.co",
        "phone": "+573001234567",
        "document_type": "CC",
        "document_number": "1020304050",
        "nationality": "CO",
        "birthdate": "1990-04-01",
        "enable_notifications": true
    })
}

pub fn account_body(customer_id: &str, account_number: &str) -> Value {
    json!({
        "subtype": "SAVINGS",
        "authorization": true,
        "re-enrollment": false,
        "account_number": account_number,
        "customer_id": customer_id,
        "bank_id": BANCOLOMBIA
    })
}

pub fn cashout_body(customer_id: &str, account_id: &str, amount: Value, method: &str) -> Value {
    json!({
        "amount": amount,
        "currency": "COP",
        "customer_id": customer_id,
        "account_id": account_id,
        "description": "Pago de nómina",
        "method": method,
        "external_id": "PAYROLL-2391"
    })
}
