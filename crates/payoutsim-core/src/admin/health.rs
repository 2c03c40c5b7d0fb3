//! `GET /__admin/health`, `POST /__admin/reset`, `GET /__admin/clock`, `POST /__admin/clock/advance`.

use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{AdminError, AdminJson, AdminQuery, ProviderParam};
use crate::Engine;
use crate::clock::ClockSnapshot;

pub(super) fn routes() -> Router<Engine> {
    Router::new()
        .route("/__admin/health", get(health))
        .route("/__admin/reset", post(reset))
        .route("/__admin/clock", get(clock))
        .route("/__admin/clock/advance", post(advance))
}

async fn health(State(engine): State<Engine>) -> Json<Value> {
    let providers: Vec<&str> = engine.providers().iter().map(|p| p.name()).collect();
    Json(json!({
        "status": "ok",
        "version": env!("CARGO_PKG_VERSION"),
        "providers": providers,
        "seed": engine.ids().seed(),
        "clock": engine.clock().snapshot(None),
        "journal": { "entries": engine.journal().len(), "cap": engine.journal().cap() },
        "webhooks": engine.webhook_queue(),
        // The threads serving requests (`--workers`; one on a current-thread runtime).
        "workers": tokio::runtime::Handle::current().metrics().num_workers(),
    }))
}

async fn reset(
    State(engine): State<Engine>,
    AdminQuery(q): AdminQuery<ProviderParam>,
) -> Result<Json<Value>, AdminError> {
    if let Some(p) = &q.provider
        && engine.provider(p).is_none()
    {
        return Err(AdminError::not_found(format!(
            "provider `{p}` is not served"
        )));
    }
    engine.reset(q.provider.as_deref());
    Ok(Json(
        json!({ "reset": q.provider.as_deref().unwrap_or("all") }),
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TenantParam {
    tenant: Option<String>,
}

async fn clock(
    State(engine): State<Engine>,
    AdminQuery(q): AdminQuery<TenantParam>,
) -> Json<ClockSnapshot> {
    Json(engine.clock().snapshot(q.tenant.as_deref()))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Advance {
    seconds: f64,
    tenant: Option<String>,
}

/// Answers the clock after the advance, with `settled`: `true` when every webhook attempt that
/// fell due was made before the answer, `false` when receivers kept the senders busy past the
/// engine's `settle_wait` (`--advance-wait`; the attempts go on in the background), and
/// `webhooks`: the attempts made while it waited, the messages still `pending` (due, or being
/// sent) and those `retrying` later on the simulated clock. Due transitions are always applied
/// before the answer. Refused (400, naming the limit) when `seconds` is not a number
/// >= 0, is more than 100 years, or would take the clock past year 9999 (`clock::max_time`).
async fn advance(
    State(engine): State<Engine>,
    AdminJson(body): AdminJson<Advance>,
) -> Result<Json<Value>, AdminError> {
    (engine.clock())
        .check_advance(body.seconds, body.tenant.as_deref())
        .map_err(AdminError::bad_request)?;
    let settled = engine.advance(body.seconds, body.tenant.as_deref()).await;
    let mut answer = json!(engine.clock().snapshot(body.tenant.as_deref()));
    answer["settled"] = json!(settled.settled);
    answer["webhooks"] = json!({
        "attempts": settled.attempts,
        "pending": settled.pending,
        "retrying": settled.retrying,
    });
    Ok(Json(answer))
}
