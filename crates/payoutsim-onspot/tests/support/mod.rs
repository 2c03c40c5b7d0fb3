//! Test harness: an engine with a manual clock, OnSpot registered with it, its router wrapped in
//! the journal layer exactly as payoutsim serves it, and the admin API; requests go through
//! `oneshot`.

#![allow(dead_code)]
#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use bytes::Bytes;
use http::{HeaderMap, Request};
use http_body_util::BodyExt;
use payoutsim_core::admin::AdminOptions;
use payoutsim_core::clock::ClockMode;
use payoutsim_core::journal::{JournalContext, journal_middleware};
use payoutsim_core::{Engine, EngineConfig, Provider};
use payoutsim_onspot::{OnSpot, OnSpotConfig};
use serde_json::{Value, json};
use tower::ServiceExt;

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

pub fn manual_config(seed: u64) -> EngineConfig {
    let mut c = EngineConfig {
        seed,
        ..EngineConfig::default()
    };
    c.clock.mode = ClockMode::Manual;
    c
}

pub fn sim(seed: u64) -> Sim {
    let engine = Engine::new(manual_config(seed));
    let onspot = OnSpot::new(engine.clone(), OnSpotConfig::default());
    let provider: Arc<dyn Provider> = Arc::new(onspot.clone());
    engine.register(&provider);
    let ctx = JournalContext {
        engine: engine.clone(),
        provider: provider.clone(),
    };
    let app = provider
        .router()
        .layer(axum::middleware::from_fn_with_state(
            ctx,
            journal_middleware,
        ));
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

#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub headers: HeaderMap,
    pub bytes: Bytes,
    pub json: Value,
}

impl Resp {
    /// Asserts a NestJS error body with this status and `error`.
    pub fn assert_nest(&self, status: u16, error: &str) {
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

    /// The validation messages of a 400.
    pub fn messages(&self) -> Vec<String> {
        self.json["message"]
            .as_array()
            .map(|a| a.iter().map(|m| m.as_str().unwrap().to_string()).collect())
            .unwrap_or_default()
    }

    /// The entries of a Create Payouts answer (the inner array).
    pub fn entries(&self) -> Vec<Value> {
        assert_eq!(self.status, 201, "{:?}", self.bytes);
        let outer = self.json.as_array().unwrap();
        assert_eq!(outer.len(), 1, "{}", self.json);
        outer[0].as_array().unwrap().clone()
    }
}

async fn collect(resp: axum::response::Response) -> Resp {
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    let json = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    Resp {
        status,
        headers,
        bytes,
        json,
    }
}

impl Sim {
    pub async fn send(&self, req: Request<Body>) -> Resp {
        collect(self.app.clone().oneshot(req).await.unwrap()).await
    }

    /// A request with these headers and an optional body.
    pub async fn call(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<&[u8]>,
    ) -> Resp {
        let mut req = Request::builder().method(method).uri(path);
        for (h, v) in headers {
            req = req.header(*h, *v);
        }
        let body = body
            .map(|b| Body::from(b.to_vec()))
            .unwrap_or_else(Body::empty);
        self.send(req.body(body).unwrap()).await
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
        let mut req = Request::builder().method(method).uri(path);
        if body.is_some() {
            req = req.header("content-type", "application/json");
        }
        let body = body
            .map(|b| Body::from(b.to_string()))
            .unwrap_or_else(Body::empty);
        collect(
            self.admin
                .clone()
                .oneshot(req.body(body).unwrap())
                .await
                .unwrap(),
        )
        .await
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
