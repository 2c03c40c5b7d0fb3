//! A webhook receiver the World starts on `127.0.0.1:0`: it records every delivery (headers and
//! raw body) and answers with a status the scenario can change.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use serde_json::Value;
use tokio::sync::Notify;
use tokio::task::JoinHandle;

use crate::client::header_map;

/// One delivery as it arrived (header names lower-case, as [`header_map`] gives them).
#[derive(Clone, Debug)]
pub struct Received {
    pub headers: BTreeMap<String, String>,
    pub body: Vec<u8>,
}

impl Received {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }

    pub fn event(&self) -> String {
        self.json()["event"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    }
}

#[derive(Default)]
struct Inbox {
    received: Mutex<Vec<Received>>,
    answer: AtomicU16,
    arrived: Notify,
}

/// A running receiver; stops when dropped.
pub struct Receiver {
    pub url: String,
    inbox: Arc<Inbox>,
    task: JoinHandle<()>,
}

impl Receiver {
    pub async fn start() -> std::io::Result<Self> {
        let inbox = Arc::new(Inbox {
            answer: AtomicU16::new(200),
            ..Inbox::default()
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let url = format!("http://{}/hooks", listener.local_addr()?);
        let app = Router::new()
            .route("/hooks", post(receive))
            .with_state(inbox.clone());
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(Self { url, inbox, task })
    }

    /// Makes the receiver answer `status` from now on.
    pub fn answer(&self, status: u16) {
        self.inbox.answer.store(status, Ordering::SeqCst);
    }

    pub fn received(&self) -> Vec<Received> {
        self.inbox
            .received
            .lock()
            .map(|r| r.clone())
            .unwrap_or_default()
    }

    /// Waits (wall time, bounded by `timeout`) until at least `n` deliveries arrived, and returns
    /// everything received by then. Deliveries come from the simulator's background sender, so
    /// this is a wait for a socket, not for simulated time.
    pub async fn wait_for(&self, n: usize, timeout: Duration) -> Vec<Received> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let notified = self.inbox.arrived.notified();
            let got = self.received();
            if got.len() >= n {
                return got;
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                return self.received();
            }
        }
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn receive(State(inbox): State<Arc<Inbox>>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let headers = header_map(&headers);
    if let Ok(mut received) = inbox.received.lock() {
        received.push(Received {
            headers,
            body: body.to_vec(),
        });
    }
    inbox.arrived.notify_waiters();
    StatusCode::from_u16(inbox.answer.load(Ordering::SeqCst)).unwrap_or(StatusCode::OK)
}
