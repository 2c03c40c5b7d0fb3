//! OnePay's own test helpers on the core harness (`payoutsim_core::testkit::Sim`, which mounts
//! OnePay behind the journal exactly as payoutsim serves it; requests go through `oneshot`):
//! its keys, request bodies, bearer-key calls and envelope assertions.

#![allow(dead_code)]
#![allow(clippy::unwrap_used)]

use payoutsim_core::testkit;
use payoutsim_onepay::{OnePayConfig, OnePaySpec};
use serde_json::{Value, json};

pub use payoutsim_core::testkit::Resp;

pub const TEST_KEY: &str = "sk_test_alpha";
pub const OTHER_KEY: &str = "sk_test_beta";
pub const LIVE_KEY: &str = "sk_live_alpha";
pub const BANCOLOMBIA: &str = "9a1f6a52-3b8e-4c1d-9a53-0c7d2e6b1a01";
/// The default test balance, in whole COP.
pub const START: i64 = 1_000_000_000;

/// OnePay on a manual clock, webhook deliveries giving up after 2 s.
pub type Sim = testkit::Sim<OnePaySpec>;

pub fn sim(seed: u64) -> Sim {
    Sim::new(seed, OnePayConfig::default())
}

pub fn sim_with(seed: u64, config: OnePayConfig) -> Sim {
    Sim::new(seed, config)
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

/// Calls as a OnePay client makes them: a bearer key, and the objects a test needs first.
#[allow(async_fn_in_trait)]
pub trait OnePaySim {
    fn sim(&self) -> &Sim;

    /// A request with a bearer key (if any), JSON content type when there is a body, and extra
    /// headers.
    async fn call_as(
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
        all.extend_from_slice(headers);
        self.sim().call(method, path, &all, body).await
    }

    async fn get(&self, key: &str, path: &str) -> Resp {
        self.call_as("GET", path, Some(key), &[], None).await
    }

    async fn post(&self, key: &str, path: &str, body: Value) -> Resp {
        self.post_raw(key, path, body.to_string().as_bytes()).await
    }

    /// A POST of `body` as it is (broken JSON, say), as JSON.
    async fn post_raw(&self, key: &str, path: &str, body: &[u8]) -> Resp {
        self.call_as("POST", path, Some(key), &[], Some(body)).await
    }

    async fn post_idem(&self, key: &str, path: &str, idem: &str, body: Value) -> Resp {
        let bytes = body.to_string();
        let headers = [("x-idempotency", idem)];
        self.call_as("POST", path, Some(key), &headers, Some(bytes.as_bytes()))
            .await
    }

    async fn customer(&self, key: &str) -> String {
        let r = self.post(key, "/v1/customers", customer_body()).await;
        assert_eq!(r.status, 201, "{}", r.json);
        r.json["id"].as_str().unwrap().to_string()
    }

    /// `POST /v1/accounts` of [`account_body`]: the answer.
    async fn new_account(&self, key: &str, customer_id: &str, account_number: &str) -> Resp {
        let body = account_body(customer_id, account_number);
        self.post(key, "/v1/accounts", body).await
    }

    async fn account(&self, key: &str, customer_id: &str, account_number: &str) -> String {
        let r = self.new_account(key, customer_id, account_number).await;
        assert_eq!(r.status, 201, "{}", r.json);
        r.json["id"].as_str().unwrap().to_string()
    }

    /// A customer and an account of theirs: `(customer_id, account_id)`.
    async fn payee(&self, key: &str, account_number: &str) -> (String, String) {
        let c = self.customer(key).await;
        let a = self.account(key, &c, account_number).await;
        (c, a)
    }

    async fn cashout(&self, key: &str, idem: &str, body: Value) -> Resp {
        self.post_idem(key, "/v1/cashouts", idem, body).await
    }

    /// A payee of `TEST_KEY` with account `account_number`, and a cashout of `amount` to them
    /// by `method` (key `k`): `(customer_id, account_id, the cashout's answer)`.
    async fn pay(
        &self,
        account_number: &str,
        amount: Value,
        method: &str,
    ) -> (String, String, Resp) {
        let (c, a) = self.payee(TEST_KEY, account_number).await;
        let body = cashout_body(&c, &a, amount, method);
        let r = self.cashout(TEST_KEY, "k", body).await;
        (c, a, r)
    }

    /// [`OnePaySim::pay`] of 1000 COP to account `0012345678`, which must be accepted:
    /// `(account_id, cashout_id)`.
    async fn cashout_to_payee(&self, method: &str) -> (String, String) {
        let (_, a, r) = self.pay("0012345678", json!(1000), method).await;
        assert_eq!(r.status, 201, "{}", r.json);
        (a, r.json["id"].as_str().unwrap().to_string())
    }

    /// The tenant's available balance, in cents.
    async fn available_cents(&self, key: &str) -> i64 {
        let r = self.get(key, "/v1/balances").await;
        (r.json["data"]["available"].as_f64().unwrap() * 100.0).round() as i64
    }

    async fn status_of(&self, key: &str, cashout_id: &str) -> String {
        let r = self.get(key, &format!("/v1/cashouts/{cashout_id}")).await;
        r.json["status"].as_str().unwrap().to_string()
    }

    /// A back-office call under `/__admin/providers/onepay`: `(status, body)`.
    async fn admin_post(&self, path: &str, body: Value) -> (u16, Value) {
        let r = self.sim().back_office("POST", path, Some(body)).await;
        (r.status, r.json)
    }

    /// An admin API read: its JSON body.
    async fn admin_get(&self, path: &str) -> Value {
        self.sim().admin("GET", path, None).await.json
    }
}

impl OnePaySim for Sim {
    fn sim(&self) -> &Sim {
        self
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
