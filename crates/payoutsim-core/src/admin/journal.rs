//! `GET`/`DELETE /__admin/requests`, `GET /__admin/transitions`, `GET /__admin/timeline`.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use axum::response::Response;

use super::{AdminError, AdminQuery, ProviderParam};
use crate::Engine;
use crate::clock::rfc3339;
use crate::journal::JournalQuery;
use crate::page::{self, Items};

pub(super) fn routes() -> Router<Engine> {
    Router::new()
        .route("/__admin/requests", get(requests).delete(clear_requests))
        .route("/__admin/transitions", get(transitions))
        .route("/__admin/timeline", get(timeline))
}

/// A page of the journal (see [`JournalQuery`]; `limit` defaults to [`page::DEFAULT_LIMIT`]),
/// each entry rendered as it is written.
async fn requests(
    State(engine): State<Engine>,
    AdminQuery(mut q): AdminQuery<JournalQuery>,
) -> Result<Response, AdminError> {
    q.limit = Some(page::limit(q.limit)?);
    let journal = engine.journal();
    let hits = journal.hits(&q);
    let render = |(id, e)| journal.render(id, e);
    Ok(page::json(&RequestsPage {
        requests: Items::new(hits.entries, render),
        total: hits.total,
        next_after: hits.next_after,
    }))
}

#[derive(Serialize)]
struct RequestsPage<R> {
    requests: R,
    total: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_after: Option<u64>,
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
