//! `GET`/`DELETE /__admin/requests`, `GET /__admin/transitions`, `GET /__admin/timeline`.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{AdminQuery, ProviderParam};
use crate::Engine;
use crate::clock::rfc3339;
use crate::journal::JournalQuery;

pub(super) fn routes() -> Router<Engine> {
    Router::new()
        .route("/__admin/requests", get(requests).delete(clear_requests))
        .route("/__admin/transitions", get(transitions))
        .route("/__admin/timeline", get(timeline))
}

async fn requests(
    State(engine): State<Engine>,
    AdminQuery(q): AdminQuery<JournalQuery>,
) -> Json<Value> {
    let (entries, total) = engine.journal().query(&q);
    Json(json!({ "requests": entries, "total": total }))
}

async fn clear_requests(
    State(engine): State<Engine>,
    AdminQuery(q): AdminQuery<ProviderParam>,
) -> StatusCode {
    engine.journal().clear(q.provider.as_deref());
    StatusCode::NO_CONTENT
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TransitionParams {
    provider: Option<String>,
    object: Option<String>,
}

async fn transitions(
    State(engine): State<Engine>,
    AdminQuery(q): AdminQuery<TransitionParams>,
) -> Json<Value> {
    let list = engine.transitions(q.provider.as_deref(), q.object.as_deref());
    Json(json!({ "transitions": list }))
}

/// What is scheduled to happen, in due order per tenant.
async fn timeline(
    State(engine): State<Engine>,
    AdminQuery(q): AdminQuery<ProviderParam>,
) -> Json<Value> {
    let pending: Vec<Value> = engine.pending(q.provider.as_deref())
        .into_iter()
        .map(|e| {
            json!({ "due": rfc3339(e.due), "provider": e.provider, "tenant": e.tenant, "action": e.action })
        })
        .collect();
    Json(json!({ "scheduled": pending }))
}
