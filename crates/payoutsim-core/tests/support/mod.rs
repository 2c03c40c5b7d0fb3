//! A minimal provider on the kit, for testing the engine on its own: `POST /orders` (tenant
//! from the `x-tenant` header) creates an order that moves new -(10 s)-> working -(20 s)-> done |
//! failed (an `amount` of 13 fails), emitting `order.<status>` webhooks signed with the target
//! secret. `POST /__admin/providers/toy/orders/{id}/status` moves one now.
//!
//! The tests run it on `testkit::Sim<ToySpec>` and share their arrange steps from here:
//! [`post_order`] and [`order`] (a created order), [`target`] (a webhook target for the toy).

#![allow(dead_code)]
#![allow(clippy::unwrap_used)] // test fixture: a bad fixture should fail loudly

use std::collections::{BTreeMap, HashMap};

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use http::request::Parts;
use payoutsim_core::admin::{AdminError, AdminJson};
use payoutsim_core::forced::{Forced, Magic};
use payoutsim_core::kit::{Auth, Authenticate, Event, Kit, Spec};
use payoutsim_core::machine::{Delay, Lifecycle, StateMachine};
use payoutsim_core::testkit::{self, Resp, Sim, request};
use payoutsim_core::webhooks::{Attempt, WebhookTarget};
use payoutsim_core::{Engine, Transition};
use serde_json::{Value, json};

pub fn machine() -> StateMachine {
    StateMachine::new("order", "", "new", &["done", "failed"])
        .edge("new", "working", Delay::Seconds(10))
        .edge("working", "done", Delay::Seconds(20))
        .edge("working", "failed", Delay::Seconds(20))
}

/// The toy's one magic value: an amount of 13 fails.
const UNLUCKY: Magic<i64> = Magic {
    trigger: 13,
    outcome: "failed",
    reason: "unlucky",
    description: "an amount of 13 fails",
};

pub struct ToySpec;

/// Orders by (tenant, id).
#[derive(Default)]
pub struct Orders(pub HashMap<(String, String), Lifecycle>);

/// The caller: whoever the `x-tenant` header names.
pub struct Caller(String);

impl Authenticate<ToySpec> for Caller {
    fn authenticate(_kit: &Kit<ToySpec>, parts: &Parts) -> Result<Self, Response> {
        let tenant = (parts.headers.get("x-tenant")).and_then(|v| v.to_str().ok());
        match tenant {
            Some(t) => Ok(Caller(format!("toy:{t}"))),
            None => Err(ToySpec::error_response(
                StatusCode::UNAUTHORIZED,
                "no tenant",
            )),
        }
    }
    fn tenant(&self) -> &str {
        &self.0
    }
}

impl Spec for ToySpec {
    const NAME: &'static str = "toy";
    type Config = ();
    type Store = Orders;
    type Error = Response;

    fn new(_engine: &Engine, _config: &()) -> Self {
        ToySpec
    }
    fn machines(_config: &()) -> Vec<StateMachine> {
        vec![machine()]
    }
    fn routes() -> Router<Kit<Self>> {
        Router::new()
            .route("/orders", post(create))
            .route("/orders/{id}", get(show))
    }
    fn admin_routes() -> Router<Kit<Self>> {
        Router::new().route("/orders/{id}/status", post(force))
    }
    fn error_response(status: StatusCode, message: &str) -> Response {
        (status, Json(json!({"toy_error": message}))).into_response()
    }
    fn lifecycle<'s>(
        store: &'s mut Orders,
        tenant: &str,
        _kind: &str,
        id: &str,
    ) -> Option<&'s mut Lifecycle> {
        store.0.get_mut(&(tenant.to_string(), id.to_string()))
    }
    fn holders(store: &Orders, _kinds: &[&str], id: &str) -> Vec<(String, String)> {
        (store.0.keys())
            .filter(|(_, i)| i == id)
            .map(|(t, _)| (t.clone(), "order".to_string()))
            .collect()
    }
    fn on_transition(_kit: &Kit<Self>, _store: &mut Orders, change: &Transition) -> Vec<Event> {
        let payload = json!({"id": change.object_id, "status": change.to});
        let name = match change.to.as_str() {
            "working" => "order.working",
            "done" => "order.done",
            "failed" => "order.failed",
            _ => return Vec::new(),
        };
        Event::json(name, &payload).into_iter().collect()
    }
    fn default_reason(_kind: &str, status: &str) -> Option<String> {
        (status == "failed").then(|| "forced".to_string())
    }
    fn objects(store: &Orders, tenant: Option<&str>, _kind: Option<&str>) -> Value {
        let mut list: Vec<(&String, &String, &Lifecycle)> = (store.0.iter())
            .filter(|((t, _), _)| tenant.is_none_or(|want| want == t))
            .map(|((t, id), lc)| (t, id, lc))
            .collect();
        list.sort_by_key(|(_, id, _)| *id);
        // Into the kit's sink, so the admin API's pages apply.
        let mut out = payoutsim_core::kit::Objects::current();
        out.extend(list.into_iter().map(
            |(t, id, lc)| json!({"tenant": t, "id": id, "status": lc.status, "reason": lc.reason}),
        ));
        out.into_view()
    }
    fn webhook_events() -> &'static [&'static str] {
        &["order.new", "order.working", "order.done", "order.failed"]
    }
    fn new_webhook_secret(kit: &Kit<Self>, tenant: &str) -> (String, BTreeMap<String, String>) {
        (
            kit.engine().ids().token(tenant, "toy_", 16),
            BTreeMap::new(),
        )
    }
    fn sign_webhook(_kit: &Kit<Self>, attempt: &Attempt<'_>) -> Vec<(String, String)> {
        vec![("x-toy-secret".into(), attempt.target.secret.clone())]
    }
}

pub type Toy = Kit<ToySpec>;

/// The toy's test-facing reads.
pub trait ToyExt {
    fn status(&self, tenant: &str, id: &str) -> Option<String>;
}

impl ToyExt for Toy {
    fn status(&self, tenant: &str, id: &str) -> Option<String> {
        let store = self.store();
        (store.0.get(&(tenant.to_string(), id.to_string()))).map(|lc| lc.status.to_string())
    }
}

async fn create(
    State(toy): State<Toy>,
    Auth(caller): Auth<Caller>,
    forced: Forced,
    body: String,
) -> Response {
    let tenant = caller.0;
    let amount = serde_json::from_str::<Value>(&body)
        .ok()
        .and_then(|v| v["amount"].as_i64())
        .unwrap_or(1);
    let now = toy.now_for(&tenant);
    let id = toy.engine().ids().uuid(&tenant);
    let machine = toy.machine("order", "").unwrap();
    let magic = (amount == UNLUCKY.trigger).then_some(&UNLUCKY);
    let destiny = toy.decide(&machine, forced.take(), magic);
    let lc = toy.start(&tenant, &machine, &id, destiny, now);
    let status = lc.status;
    toy.store().0.insert((tenant.clone(), id.clone()), lc);
    let created = Event::json("order.new", &json!({"id": id, "status": status}));
    toy.emit(&tenant, created.into_iter().collect(), now);
    let answer = Json(json!({"id": id, "status": status}));
    (StatusCode::CREATED, answer).into_response()
}

async fn show(
    State(toy): State<Toy>,
    Auth(caller): Auth<Caller>,
    Path(id): Path<String>,
) -> Response {
    match toy.status(&caller.0, &id) {
        Some(status) => Json(json!({"id": id, "status": status})).into_response(),
        None => ToySpec::error_response(StatusCode::NOT_FOUND, "no such order"),
    }
}

#[derive(serde::Deserialize)]
struct Move {
    status: String,
    tenant: Option<String>,
}

async fn force(
    State(toy): State<Toy>,
    Path(id): Path<String>,
    AdminJson(body): AdminJson<Move>,
) -> Result<Json<Value>, AdminError> {
    let render = |store: &mut Orders, found: &payoutsim_core::kit::Found| {
        let lc = &store.0[&(found.tenant.clone(), id.clone())];
        json!({"id": id, "tenant": found.tenant, "status": lc.status, "reason": lc.reason})
    };
    let tenant = body.tenant.as_deref();
    toy.force(tenant, &["order"], &id, &body.status, render)
        .map(Json)
}

/// `POST /orders` as `tenant` (the `x-tenant` header) for `amount`; asserts the order was
/// created and answers it.
pub async fn post_order(sim: &Sim<ToySpec>, tenant: &str, amount: i64) -> Value {
    let body = json!({ "amount": amount }).to_string();
    let r = sim
        .call(
            "POST",
            "/orders",
            &[("x-tenant", tenant)],
            Some(body.as_bytes()),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.json);
    r.json
}

/// An ordinary order (an amount of 1) for `tenant`: its id.
pub async fn order(sim: &Sim<ToySpec>, tenant: &str) -> String {
    let created = post_order(sim, tenant, 1).await;
    created["id"].as_str().unwrap().to_string()
}

/// A webhook target for the toy: `tenant`'s events, all of them, to `url`, with the secret
/// `s3cret` (sent back as `x-toy-secret`).
pub fn target(tenant: &str, url: &str) -> WebhookTarget {
    WebhookTarget {
        id: String::new(),
        provider: "toy".into(),
        tenant: tenant.into(),
        url: url.into(),
        events: vec![],
        secret: "s3cret".into(),
        extra: BTreeMap::new(),
        created_at: String::new(),
    }
}

/// `method path` on the admin API with `headers` and an optional raw body.
pub async fn admin_raw(
    sim: &Sim<ToySpec>,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&[u8]>,
) -> Resp {
    testkit::send(&sim.admin, request(method, path, headers, body)).await
}
