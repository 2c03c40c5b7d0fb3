//! OnSpot's test helpers on the core harness (`payoutsim_core::testkit::Sim`: a manual clock,
//! OnSpot registered and journaled as payoutsim serves it, the admin API beside it): its key
//! pairs and paths, its request bodies, its login and create calls, its back-office reads, and
//! its NestJS envelope assertions.

#![allow(dead_code)]
#![allow(async_fn_in_trait)] // a test crate's own trait: no Send bound is needed
#![allow(clippy::unwrap_used)]

use payoutsim_onspot::{OnSpotConfig, OnSpotSpec};
use serde_json::{Value, json};

pub use payoutsim_core::testkit::Resp;

/// The sample token's publicKey (seed).
pub const PK: &str = "2903d3d5f7a46ec84c62de7885caad38131e9daa0b5492daa95aa85619ac367d";
pub const SK: &str = "secret-of-the-sample-key";
pub const TOKEN_PATH: &str = "/platform/generate-token-api";
pub const CREATE_PATH: &str = "/accreditation/payouts/create";

pub type Sim = payoutsim_core::testkit::Sim<OnSpotSpec>;

/// OnSpot with its default settings on a fresh engine seeded `seed`.
pub fn sim(seed: u64) -> Sim {
    Sim::new(seed, OnSpotConfig::default())
}

pub fn tenant(env: &str, pk: &str) -> String {
    format!("onspot:{env}:{pk}")
}

/// OnSpot's reading of an answer.
pub trait OnSpotResp {
    /// Asserts a NestJS error body with this status and `error`.
    fn assert_nest(&self, status: u16, error: &str);
    /// The validation messages of a 400.
    fn messages(&self) -> Vec<String>;
    /// The entries of a Create Payouts answer (the inner array).
    fn entries(&self) -> Vec<Value>;
}

impl OnSpotResp for Resp {
    fn assert_nest(&self, status: u16, error: &str) {
        assert_eq!(self.status, status, "body: {:?}", self.bytes);
        assert_eq!(self.json["statusCode"], status, "body: {}", self.json);
        assert_eq!(self.json["error"], error, "body: {}", self.json);
        let m = &self.json["message"];
        assert!(m.is_string() || m.is_array(), "body: {}", self.json);
        assert_eq!(
            self.json.as_object().unwrap().len(),
            3,
            "body: {}",
            self.json
        );
    }

    fn messages(&self) -> Vec<String> {
        self.json["message"]
            .as_array()
            .map(|a| a.iter().map(|m| m.as_str().unwrap().to_string()).collect())
            .unwrap_or_default()
    }

    fn entries(&self) -> Vec<Value> {
        assert_eq!(self.status, 201, "{:?}", self.bytes);
        let outer = self.json.as_array().unwrap();
        assert_eq!(outer.len(), 1, "{}", self.json);
        outer[0].as_array().unwrap().clone()
    }
}

/// OnSpot's calls and back-office reads on the harness.
pub trait OnSpotSim {
    fn sim(&self) -> &Sim;

    /// Generate Token with exactly these headers.
    async fn token_with(&self, headers: &[(&str, &str)]) -> Resp {
        self.sim().call("POST", TOKEN_PATH, headers, None).await
    }

    /// Generate Token with a key pair in `env`.
    async fn token(&self, env: &str, pk: &str, sk: &str) -> Resp {
        let headers = [("publicKey", pk), ("secretKey", sk), ("environment", env)];
        self.token_with(&headers).await
    }

    /// A token that must be issued.
    async fn token_ok(&self, env: &str, pk: &str) -> String {
        let r = self.token(env, pk, SK).await;
        assert_eq!(r.status, 201, "{:?}", r.bytes);
        r.json.as_str().unwrap().to_string()
    }

    /// A token that must be issued for `pk` in `env`, and the tenant it is for.
    async fn signed_in(&self, env: &str, pk: &str) -> (String, String) {
        (self.token_ok(env, pk).await, tenant(env, pk))
    }

    /// Create Payouts with a token in `env`.
    async fn create(&self, token: &str, env: &str, body: &Value) -> Resp {
        let auth = format!("Bearer {token}");
        let headers = [
            ("authorization", auth.as_str()),
            ("environment", env),
            ("content-type", "application/json"),
        ];
        self.sim()
            .call_json("POST", CREATE_PATH, &headers, body)
            .await
    }

    /// Records a bank transfer of `amount` to `tenant` through the back office.
    async fn transfer(&self, tenant: &str, amount: &str) -> Resp {
        let body = json!({ "tenant": tenant, "amount": amount });
        self.sim()
            .back_office("POST", "/transfers", Some(body))
            .await
    }

    /// Forces payout `uuid`'s status through the back office (`body`: `{status, reason?}`).
    async fn force(&self, uuid: &str, body: Value) -> Resp {
        let path = format!("/payouts/{uuid}/status");
        self.sim().back_office("POST", &path, Some(body)).await
    }

    /// A back-office read (`path` under `/__admin/providers/onspot`) that must succeed.
    async fn view(&self, path: &str) -> Value {
        let r = self.sim().back_office("GET", path, None).await;
        assert_eq!(r.status, 200, "{}", r.json);
        r.json
    }

    /// The back office's "Payouts" for one tenant.
    async fn payouts(&self, tenant: &str) -> Value {
        self.view(&format!("/payouts?tenant={tenant}")).await
    }

    /// Statuses of a tenant's payouts, in creation order.
    async fn statuses(&self, tenant: &str) -> Vec<String> {
        let view = self.payouts(tenant).await;
        view["payouts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["status"].as_str().unwrap().to_string())
            .collect()
    }

    /// The uuids of a tenant's payouts, in creation order.
    async fn uuids(&self, tenant: &str) -> Vec<String> {
        let view = self.payouts(tenant).await;
        (view["payouts"].as_array().unwrap().iter())
            .map(|p| p["uuid"].as_str().unwrap().to_string())
            .collect()
    }

    /// A tenant's balance, as "Payouts" shows it.
    async fn balance(&self, tenant: &str) -> Value {
        self.payouts(tenant).await["balances"][tenant].clone()
    }
}

impl OnSpotSim for Sim {
    fn sim(&self) -> &Sim {
        self
    }
}

/// A valid INDIVIDUAL item of `amount`.
pub fn individual(amount: &str) -> Value {
    json!({
        "type": "INDIVIDUAL",
        "documentType": "CC",
        "documentNumber": "1017209836",
        "legalName": "",
        "firstName": "Aries",
        "lastName": "Studio",
        "customerEmail": "aries@example.com",
        "amount": amount,
        "currency": "USD",
        "description": "Payout"
    })
}

/// A valid INDIVIDUAL item of `amount` with `documentNumber` `doc` (a magic one, say).
pub fn with_document(amount: &str, doc: &str) -> Value {
    let mut item = individual(amount);
    item["documentNumber"] = json!(doc);
    item
}

/// The seed's own Create Payouts body.
pub fn seed_body() -> Value {
    json!([
        {
            "type": "BUSINESS",
            "documentType": "PASSPORT",
            "documentNumber": "75798566878",
            "legalName": "TestStudio",
            "businessRepresentative": {"firstName": "", "lastName": ""},
            "customerEmail": "teststudio@yopmail.com",
            "amount": "6700",
            "currency": "USD",
            "description": "Testing"
        },
        {
            "type": "INDIVIDUAL",
            "documentType": "CC",
            "documentNumber": "1017209836",
            "legalName": "",
            "firstName": "Aries",
            "lastName": "Studio",
            "customerEmail": "eduardmarbell193777@hotmail.com",
            "amount": "98l00",
            "currency": "USD",
            "description": "Testing10"
        }
    ])
}
