//! A minimal provider for testing the engine on its own: `POST /orders` (tenant from the
//! `x-tenant` header) creates an order that moves new -(10 s)-> working -(20 s)-> done | failed
//! (an `amount` of 13 fails), emitting `order.<status>` webhooks signed with the target secret.

#![allow(dead_code)]
#![allow(clippy::unwrap_used)] // test fixture: a bad fixture should fail loudly

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use payoutsim_core::clock::ClockMode;
use payoutsim_core::journal::{JournalContext, RequestNotes, journal_middleware};
use payoutsim_core::machine::{Delay, Lifecycle, Machines, StateMachine};
use payoutsim_core::timeline::{Action, Scheduled};
use payoutsim_core::webhooks::WebhookTarget;
use payoutsim_core::{Engine, EngineConfig, Provider};
use serde_json::{Value, json};

pub fn machine() -> StateMachine {
    StateMachine::new("order", "", "new", &["done", "failed"])
        .edge("new", "working", Delay::Seconds(10))
        .edge("working", "done", Delay::Seconds(20))
        .edge("working", "failed", Delay::Seconds(20))
}

#[derive(Clone)]
pub struct Toy {
    pub engine: Engine,
    orders: Arc<Mutex<HashMap<(String, String), Lifecycle>>>,
    machines: Arc<Machines>,
}

impl Toy {
    pub fn status(&self, tenant: &str, id: &str) -> Option<String> {
        let orders = self.orders.lock().unwrap();
        orders
            .get(&(tenant.to_string(), id.to_string()))
            .map(|lc| lc.status.clone())
    }

    fn create(&self, tenant: &str, amount: i64) -> (String, String) {
        let now = self.engine.now_for(tenant);
        let id = self.engine.ids.uuid(tenant);
        let outcome = (amount == 13).then(|| ("failed".to_string(), Some("unlucky".to_string())));
        let machine = self.machines.get("order", "").unwrap();
        let lc = self
            .engine
            .start_lifecycle("toy", tenant, &machine, &id, outcome, now);
        let status = lc.status.clone();
        self.orders
            .lock()
            .unwrap()
            .insert((tenant.to_string(), id.clone()), lc);
        self.engine.emit_webhook(
            self,
            tenant,
            "order.new",
            &json!({"id": id, "status": status}),
            now,
        );
        (id, status)
    }
}

pub fn toy(config: EngineConfig) -> (Toy, Arc<dyn Provider>) {
    let engine = Engine::new(config);
    let toy = Toy {
        engine: engine.clone(),
        orders: Arc::default(),
        machines: Arc::new(Machines::new(vec![machine()])),
    };
    let provider: Arc<dyn Provider> = Arc::new(toy.clone());
    engine.register(&provider);
    (toy, provider)
}

pub fn manual_config(seed: u64) -> EngineConfig {
    let mut c = EngineConfig {
        seed,
        ..EngineConfig::default()
    };
    c.clock.mode = ClockMode::Manual;
    c.webhooks.timeout = std::time::Duration::from_secs(2);
    c
}

/// The toy's public router wrapped in the journal layer, as payoutsim serves providers.
pub fn public_app(toy: &Toy, provider: &Arc<dyn Provider>) -> Router {
    let ctx = JournalContext {
        engine: toy.engine.clone(),
        provider: provider.clone(),
    };
    provider
        .router()
        .layer(axum::middleware::from_fn_with_state(
            ctx,
            journal_middleware,
        ))
}

async fn create(
    State(toy): State<Toy>,
    headers: HeaderMap,
    notes: Option<axum::Extension<RequestNotes>>,
    body: String,
) -> Response {
    let Some(tenant) = headers.get("x-tenant").and_then(|v| v.to_str().ok()) else {
        return toy.error_response(StatusCode::UNAUTHORIZED, "no tenant");
    };
    let tenant = format!("toy:{tenant}");
    if let Some(axum::Extension(n)) = notes {
        n.set_tenant(&tenant);
    }
    let amount = serde_json::from_str::<Value>(&body)
        .ok()
        .and_then(|v| v["amount"].as_i64())
        .unwrap_or(1);
    let (id, status) = toy.create(&tenant, amount);
    (
        StatusCode::CREATED,
        Json(json!({"id": id, "status": status})),
    )
        .into_response()
}

async fn show(State(toy): State<Toy>, headers: HeaderMap, Path(id): Path<String>) -> Response {
    let tenant = format!(
        "toy:{}",
        headers
            .get("x-tenant")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    );
    match toy.status(&tenant, &id) {
        Some(status) => Json(json!({"id": id, "status": status})).into_response(),
        None => toy.error_response(StatusCode::NOT_FOUND, "no such order"),
    }
}

impl Provider for Toy {
    fn name(&self) -> &'static str {
        "toy"
    }
    fn router(&self) -> Router {
        Router::new()
            .route("/orders", post(create))
            .route("/orders/{id}", get(show))
            .with_state(self.clone())
    }
    fn machine_table(&self) -> &Machines {
        &self.machines
    }
    fn apply(&self, due: &Scheduled) {
        let Action::Transition { object_id, .. } = &due.action else {
            return;
        };
        let machine = self.machines.get("order", "").unwrap();
        let moved = {
            let mut orders = self.orders.lock().unwrap();
            let Some(lc) = orders.get_mut(&(due.tenant.clone(), object_id.clone())) else {
                return;
            };
            self.engine.step_lifecycle(lc, &machine, due)
        };
        if let Some((_, to, at)) = moved {
            let payload = json!({"id": object_id, "status": to});
            self.engine
                .emit_webhook(self, &due.tenant, &format!("order.{to}"), &payload, at);
        }
    }
    fn objects(&self, tenant: Option<&str>, _kind: Option<&str>) -> Value {
        let orders = self.orders.lock().unwrap();
        let list: Vec<Value> = orders
            .iter()
            .filter(|((t, _), _)| tenant.is_none_or(|want| want == t))
            .map(|((t, id), lc)| json!({"tenant": t, "id": id, "status": lc.status}))
            .collect();
        json!({ "objects": list })
    }
    fn reset(&self) {
        self.orders.lock().unwrap().clear();
    }
    fn error_response(&self, status: StatusCode, message: &str) -> Response {
        (status, Json(json!({"toy_error": message}))).into_response()
    }
    fn new_webhook_secret(&self, tenant: &str) -> (String, BTreeMap<String, String>) {
        (self.engine.ids.token(tenant, "toy_", 16), BTreeMap::new())
    }
    fn sign_webhook(&self, target: &WebhookTarget, _body: &[u8]) -> Vec<(String, String)> {
        vec![("x-toy-secret".into(), target.secret.clone())]
    }
    fn webhook_events(&self) -> Vec<&'static str> {
        vec!["order.new", "order.working", "order.done", "order.failed"]
    }
}

/// A webhook receiver on 127.0.0.1:0 that answers `statuses` in turn (then 200) and records
/// every body it received.
pub struct Receiver {
    pub url: String,
    pub received: Arc<Mutex<Vec<(HeaderMap, Value)>>>,
}

pub async fn receiver(statuses: Vec<u16>) -> Receiver {
    let received: Arc<Mutex<Vec<(HeaderMap, Value)>>> = Arc::default();
    let script = Arc::new(Mutex::new(statuses.into_iter()));
    let rec = received.clone();
    let app = Router::new().route(
        "/hook",
        post(move |headers: HeaderMap, Json(body): Json<Value>| {
            let rec = rec.clone();
            let script = script.clone();
            async move {
                rec.lock().unwrap().push((headers, body));
                let code = script.lock().unwrap().next().unwrap_or(200);
                StatusCode::from_u16(code).unwrap()
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    Receiver { url, received }
}
