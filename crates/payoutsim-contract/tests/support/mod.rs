//! What the built-in client's tests share: an in-process simulator, plain HTTP to it and its
//! admin API, fault rules, and a sleeper that advances the simulated clock instead of waiting.

#![allow(dead_code)] // each test file uses its own part

use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::FutureExt;
use payoutsim::suite::InProcess;
use payoutsim_contract::builtin::{BuiltIn, Configured};
use payoutsim_contract::{Simulator, Starter};
use serde_json::{Value, json};

pub struct Fixture {
    pub sim: Box<dyn Simulator>,
    pub http: reqwest::Client,
}

impl Fixture {
    pub async fn new() -> Self {
        let sim = InProcess.start().await.expect("a simulator");
        Self {
            sim,
            http: reqwest::Client::new(),
        }
    }

    pub fn url(&self, name: &str) -> String {
        self.sim.urls()[name].clone()
    }

    /// Sends `request` and returns its status and JSON body (`Null` when it has none).
    pub async fn send(&self, request: reqwest::RequestBuilder) -> (u16, Value) {
        let resp = request.send().await.expect("an answer");
        let status = resp.status().as_u16();
        (status, resp.json().await.unwrap_or(Value::Null))
    }

    /// `GET` of an admin API path (`/__admin/…`), which must answer 200.
    pub async fn admin_get(&self, path: &str) -> Value {
        let url = format!("{}{path}", self.url("admin"));
        let (status, body) = self.send(self.http.get(url)).await;
        assert_eq!(status, 200, "{path}: {body}");
        body
    }

    /// Adds a fault rule (`POST /__admin/faults`).
    pub async fn fault(&self, rule: Value) {
        let url = format!("{}/__admin/faults", self.url("admin"));
        let (status, body) = self.send(self.http.post(url).json(&rule)).await;
        assert_eq!(status, 201, "{body}");
    }

    /// Moves the simulated clock on by `seconds`.
    pub async fn advance(&self, seconds: f64) {
        let url = format!("{}/__admin/clock/advance", self.url("admin"));
        let (status, body) = self
            .send(self.http.post(url).json(&json!({"seconds": seconds})))
            .await;
        assert_eq!(status, 200, "{body}");
    }

    /// The built-in client of `provider`, at the simulator's URL for it.
    pub fn client(&self, provider: &str, credentials: Value, secret: Option<&str>) -> BuiltIn {
        let config = Configured {
            base_url: self.url(provider),
            credentials,
            webhook_secret: secret.map(str::to_string),
        };
        BuiltIn::new(provider, config, Duration::from_secs(2))
    }

    /// A sleeper that advances this simulator's clock and records what it was asked for.
    pub fn sleeper(
        &self,
        asked: Arc<Mutex<Vec<f64>>>,
    ) -> impl FnMut(f64) -> futures::future::BoxFuture<'static, String> + Send + use<> {
        clock_sleeper(self.url("admin"), asked)
    }
}

/// A sleeper that advances the simulated clock at `admin` and records what it was asked for.
pub fn clock_sleeper(
    admin: String,
    asked: Arc<Mutex<Vec<f64>>>,
) -> impl FnMut(f64) -> futures::future::BoxFuture<'static, String> + Send {
    move |seconds| {
        asked.lock().expect("not poisoned").push(seconds);
        let url = format!("{admin}/__admin/clock/advance");
        async move {
            let resp = reqwest::Client::new()
                .post(url)
                .json(&json!({"seconds": seconds}))
                .send()
                .await
                .expect("an advance");
            let body: Value = resp.json().await.expect("JSON");
            body["now"].as_str().unwrap_or_default().to_string()
        }
        .boxed()
    }
}

/// What a sleeper was asked for.
pub fn asked(log: &Arc<Mutex<Vec<f64>>>) -> Vec<f64> {
    log.lock().expect("not poisoned").clone()
}
