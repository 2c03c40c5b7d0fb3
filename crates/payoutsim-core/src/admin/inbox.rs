//! `POST`/`GET`/`DELETE /__admin/inbox/{name}`: a built-in webhook receiver.
//!
//! Point a provider's webhook URL at `http://<admin>/__admin/inbox/<name>` to see what your app
//! would receive without running a receiver: every POST is kept (raw body as received, headers,
//! simulated time) and answered 200. Bounded: the newest `history_cap` messages across inboxes.
//! With `--admin-token`, an inbox needs the token like every admin route: the simulator's own
//! deliveries to its inboxes carry it.

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex};

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::get;
use axum::{Json, Router};
use bytes::Bytes;
use serde::Serialize;
use serde_json::{Value, json};

use crate::Engine;

#[derive(Clone, Debug, Serialize)]
pub struct InboxMessage {
    pub inbox: String,
    pub at: String,
    pub headers: BTreeMap<String, String>,
    /// The body exactly as received (signatures are computed over these bytes).
    pub raw_body: String,
    /// The body parsed as JSON, or null.
    pub body: Value,
}

#[derive(Debug, Default)]
pub struct Inboxes {
    messages: Mutex<VecDeque<InboxMessage>>,
}

impl Inboxes {
    pub fn push(&self, message: InboxMessage, cap: usize) {
        let mut m = self.messages.lock().unwrap_or_else(|e| e.into_inner());
        if m.len() >= cap.max(1) {
            m.pop_front();
        }
        m.push_back(message);
    }

    pub fn list(&self, inbox: &str) -> Vec<InboxMessage> {
        let m = self.messages.lock().unwrap_or_else(|e| e.into_inner());
        m.iter().filter(|x| x.inbox == inbox).cloned().collect()
    }

    pub fn clear(&self, inbox: Option<&str>) {
        let mut m = self.messages.lock().unwrap_or_else(|e| e.into_inner());
        m.retain(|x| inbox.is_some_and(|i| x.inbox != i));
    }
}

/// The inboxes' state: their messages (owned here, not by the engine) and the engine's clock.
#[derive(Clone)]
struct Inbox {
    engine: Engine,
    inboxes: Arc<Inboxes>,
}

/// The inbox routes, with inboxes of their own that a full reset empties.
pub(super) fn routes(engine: &Engine) -> Router {
    let inboxes = Arc::new(Inboxes::default());
    let on_reset = inboxes.clone();
    engine.on_reset(Arc::new(move |provider| {
        if provider.is_none() {
            on_reset.clear(None);
        }
    }));
    let state = Inbox {
        engine: engine.clone(),
        inboxes,
    };
    Router::new()
        .route(
            "/__admin/inbox/{name}",
            get(list).post(receive).delete(clear),
        )
        .with_state(state)
}

async fn receive(
    State(Inbox { engine, inboxes }): State<Inbox>,
    Path(name): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let message = InboxMessage {
        inbox: name,
        at: crate::clock::rfc3339(engine.clock().now()),
        headers: headers
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_string(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect(),
        raw_body: String::from_utf8_lossy(&body).into_owned(),
        body: serde_json::from_slice(&body).unwrap_or(Value::Null),
    };
    inboxes.push(message, engine.config().history_cap);
    StatusCode::OK
}

async fn list(State(inbox): State<Inbox>, Path(name): Path<String>) -> Json<Value> {
    Json(json!({ "messages": inbox.inboxes.list(&name) }))
}

async fn clear(State(inbox): State<Inbox>, Path(name): Path<String>) -> StatusCode {
    inbox.inboxes.clear(Some(&name));
    StatusCode::NO_CONTENT
}
