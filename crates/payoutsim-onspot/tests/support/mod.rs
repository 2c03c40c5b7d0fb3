//! Test harness: an engine with a manual clock, OnSpot registered with it, its router wrapped in
//! the journal layer exactly as payoutsim serves it, and the admin API; requests go through
//! `oneshot`.

#![allow(dead_code)]
#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use bytes::Bytes;
use http::Request;
use http_body_util::BodyExt;
use payoutsim_core::admin::AdminOptions;
use payoutsim_core::{Engine, Provider, testkit};
use payoutsim_onspot::{OnSpot, OnSpotConfig};
use serde_json::{Value, json};

/// The sample token's publicKey (seed).
pub const PK: &str = "2903d3d5f7a46ec84c62de7885caad38131e9daa0b5492daa95aa85619ac367d";
pub const SK: &str = "secret-of-the-sample-key";
pub const TOKEN_PATH: &str = "/platform/generate-token-api";
pub const CREATE_PATH: &str = "/accreditation/payouts/create";

pub struct Sim {
    pub engine: Engine,
    pub onspot: OnSpot,
    pub provider: Arc<dyn Provider>,
    pub app: Router,
    pub admin: Router,
}

pub use payoutsim_core::testkit::{Resp, manual_config};

pub fn sim(seed: u64) -> Sim {
    let engine = Engine::new(manual_config(seed));
    let onspot = OnSpot::new(engine.clone(), OnSpotConfig::default());
    let provider: Arc<dyn Provider> = Arc::new(onspot.clone());
    let app = testkit::mount(&engine, &provider);
    let admin = payoutsim_core::admin::router(engine.clone(), AdminOptions::default());
    Sim {
        engine,
        onspot,
        provider,
        app,
        admin,
    }
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

impl Sim {
    pub async fn send(&self, req: Request<Body>) -> Resp {
        testkit::send(&self.app, req).await
    }

    /// A request with these headers and an optional body.
    pub async fn call(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<&[u8]>,
    ) -> Resp {
        self.send(testkit::request(method, path, headers, body))
            .await
    }

    /// Generate Token with a key pair in `env`.
    pub async fn token(&self, env: &str, pk: &str, sk: &str) -> Resp {
        let headers = [("publicKey", pk), ("secretKey", sk), ("environment", env)];
        self.call("POST", TOKEN_PATH, &headers, None).await
    }

    /// A token that must be issued.
    pub async fn token_ok(&self, env: &str, pk: &str) -> String {
        let r = self.token(env, pk, SK).await;
        assert_eq!(r.status, 201, "{:?}", r.bytes);
        r.json.as_str().unwrap().to_string()
    }

    /// Create Payouts with a token in `env`.
    pub async fn create(&self, token: &str, env: &str, body: &Value) -> Resp {
        let auth = format!("Bearer {token}");
        let headers = [
            ("authorization", auth.as_str()),
            ("environment", env),
            ("content-type", "application/json"),
        ];
        let bytes = body.to_string();
        self.call("POST", CREATE_PATH, &headers, Some(bytes.as_bytes()))
            .await
    }

    pub async fn admin_call(&self, method: &str, path: &str, body: Option<Value>) -> Resp {
        let body = body.map(|b| b.to_string());
        let headers: &[(&str, &str)] = match body {
            Some(_) => &[("content-type", "application/json")],
            None => &[],
        };
        let req = testkit::request(method, path, headers, body.as_deref().map(str::as_bytes));
        testkit::send(&self.admin, req).await
    }

    /// Records a bank transfer of `amount` to `tenant` through the back office.
    pub async fn transfer(&self, tenant: &str, amount: &str) -> Resp {
        let body = json!({ "tenant": tenant, "amount": amount });
        self.admin_call("POST", "/__admin/providers/onspot/transfers", Some(body))
            .await
    }

    /// The back office's "Payouts" for one tenant.
    pub async fn payouts(&self, tenant: &str) -> Value {
        let path = format!("/__admin/providers/onspot/payouts?tenant={tenant}");
        let r = self.admin_call("GET", &path, None).await;
        assert_eq!(r.status, 200, "{}", r.json);
        r.json
    }

    /// Statuses of a tenant's payouts, in creation order.
    pub async fn statuses(&self, tenant: &str) -> Vec<String> {
        let view = self.payouts(tenant).await;
        view["payouts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["status"].as_str().unwrap().to_string())
            .collect()
    }

    /// What OnSpot answers for a token past its `exp` (`Provider::expired_token_response`).
    pub async fn expired_body(&self) -> Bytes {
        let resp = self.provider.expired_token_response();
        resp.into_body().collect().await.unwrap().to_bytes()
    }

    pub async fn balance(&self, tenant: &str) -> Value {
        self.payouts(tenant).await["balances"][tenant].clone()
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
