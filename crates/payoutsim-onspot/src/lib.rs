//! payoutsim-onspot: an emulation of OnSpot on the payoutsim engine (skeleton; being built).

use std::collections::BTreeMap;

use axum::Router;
use axum::response::{IntoResponse, Response};
use http::StatusCode;
use payoutsim_core::machine::{Delay, StateMachine};
use payoutsim_core::timeline::Scheduled;
use payoutsim_core::webhooks::WebhookTarget;
use payoutsim_core::{Engine, Provider};
use serde_json::{Value, json};

/// OnSpot's settings.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct OnSpotConfig {}

/// The OnSpot emulation: a cheap, clonable handle.
#[derive(Clone, Debug)]
pub struct OnSpot {
    #[allow(dead_code)]
    engine: Engine,
}

impl OnSpot {
    pub fn new(engine: Engine, _config: OnSpotConfig) -> Self {
        Self { engine }
    }
}

impl Provider for OnSpot {
    fn name(&self) -> &'static str {
        "onspot"
    }
    fn router(&self) -> Router {
        Router::new()
    }
    fn machines(&self) -> Vec<StateMachine> {
        Vec::new()
    }
    fn set_delay(&self, _: &str, _: &str, _: &str, _: &str, _: Delay) -> bool {
        false
    }
    fn apply(&self, _due: &Scheduled) {}
    fn objects(&self, _tenant: Option<&str>, _kind: Option<&str>) -> Value {
        json!({"objects": []})
    }
    fn reset(&self) {}
    fn error_response(&self, status: StatusCode, message: &str) -> Response {
        (status, message.to_string()).into_response()
    }
    fn new_webhook_secret(&self, _tenant: &str) -> (String, BTreeMap<String, String>) {
        (String::new(), BTreeMap::new())
    }
    fn sign_webhook(&self, _target: &WebhookTarget, _body: &[u8]) -> Vec<(String, String)> {
        Vec::new()
    }
    fn webhook_events(&self) -> Vec<&'static str> {
        Vec::new()
    }
}
