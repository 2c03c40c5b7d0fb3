//! Recording inputs as they are handled: one middleware for a provider's router (inside the
//! fault layer, so it sees the request the provider sees) and one for the admin router, and the
//! engine's [`Recorder`] over the store.
//!
//! Each input is handled under the engine's input lock with the clock held at one instant, and
//! written to the log before its answer is returned: the log's order is the order state changed
//! in, and an answer that left was recorded. A write that fails stops the process (exit 74)
//! rather than answer from state the log does not hold.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use payoutsim_core::forced::OutcomeSlot;
use payoutsim_core::webhooks::Delivery;
use payoutsim_core::{Engine, MessageProgress, Recorder};
use sha2::{Digest, Sha256};

use super::store::{Input, Kind, Store};

/// Exit code when the data directory cannot be written (EX_IOERR).
pub const WRITE_FAILED_EXIT: i32 = 74;

/// What a recording middleware needs.
#[derive(Clone)]
pub struct Recording {
    pub store: Arc<Store>,
    pub engine: Engine,
    /// `admin` or the provider's name.
    pub listener: &'static str,
}

/// Holds the clock still for one input; lets it go on however the input ends.
struct Held<'a>(&'a Engine);

impl Drop for Held<'_> {
    fn drop(&mut self) {
        self.0.clock().release();
    }
}

/// Writes `input`, or stops the process: no answer may leave that the log does not hold.
pub fn write_or_stop(store: &Store, input: &Input) {
    if let Err(e) = store.append(input) {
        fail_stop(store, &e);
    }
}

fn fail_stop(store: &Store, e: &rusqlite::Error) -> ! {
    tracing::error!(file = %store.file().display(), error = %e, "cannot write the data directory: stopping rather than answer what it does not hold");
    std::process::exit(WRITE_FAILED_EXIT)
}

/// SHA-256 of an answer's body, hex.
pub fn body_hash(body: &[u8]) -> String {
    hex::encode(Sha256::digest(body))
}

/// Bytes of a request body kept at most: past it the request is refused, unhandled.
fn body_limit(engine: &Engine) -> usize {
    engine.config().max_body_bytes.saturating_add(1)
}

/// The answer to a body past `--max-body-bytes` (or cut off): the provider's own error, the
/// admin API's `{"error"}` JSON for an admin call.
fn refuse_body(rec: &Recording, kind: Kind) -> Response {
    let limit = rec.engine.config().max_body_bytes;
    let msg = format!("The request body is larger than {limit} bytes, or was cut off.");
    match (kind, rec.engine.provider(rec.listener)) {
        (Kind::Provider, Some(provider)) => {
            provider.error_response(StatusCode::PAYLOAD_TOO_LARGE, &msg)
        }
        _ => payoutsim_core::error::AdminError(StatusCode::PAYLOAD_TOO_LARGE, msg).into_response(),
    }
}

/// A provider request: logged whatever its method (a read may apply what fell due).
pub async fn provider(State(rec): State<Recording>, req: Request, next: Next) -> Response {
    handle(&rec, Kind::Provider, req, next).await
}

/// An admin call: logged when it may change state (not a read, not an inbox delivery) and
/// succeeded; a refused call changes nothing.
pub async fn admin(State(rec): State<Recording>, req: Request, next: Next) -> Response {
    let reads = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if reads || req.uri().path().starts_with("/__admin/inbox") {
        return next.run(req).await;
    }
    handle(&rec, Kind::Admin, req, next).await
}

async fn handle(rec: &Recording, kind: Kind, req: Request, next: Next) -> Response {
    if rec.engine.replaying() {
        // A replayed input is in the log already (replays go through unrecorded routers; this
        // keeps one that did not from logging it twice).
        return next.run(req).await;
    }
    let _input = rec.engine.input_lock().lock().await;
    let at = rec.engine.clock().hold();
    let _held = Held(&rec.engine);
    let (parts, body) = req.into_parts();
    let Ok(body) = axum::body::to_bytes(body, body_limit(&rec.engine)).await else {
        // Refused unhandled, so nothing to log; in the provider's own envelope, as the
        // journal's layer refuses a body past the limit when nothing is recorded.
        return refuse_body(rec, kind);
    };
    let headers: Vec<(String, String)> = (parts.headers.iter())
        .map(|(k, v)| {
            (
                k.as_str().to_string(),
                String::from_utf8_lossy(v.as_bytes()).into(),
            )
        })
        .collect();
    let peer = (parts.extensions.get::<ConnectInfo<SocketAddr>>()).map(|c| c.0.to_string());
    let forced = OutcomeSlot::of(&parts.extensions).and_then(OutcomeSlot::peek);
    let uri = parts.uri.path_and_query().map_or_else(
        || parts.uri.path().to_string(),
        |pq| pq.as_str().to_string(),
    );
    let method = parts.method.to_string();
    let full_reset = kind == Kind::Admin && is_full_reset(&method, &uri);
    if !full_reset && let Some(refusal) = refuse_when_full(rec, kind) {
        return refusal;
    }
    let response = next
        .run(Request::from_parts(parts, Body::from(body.clone())))
        .await;
    let (head, answer) = response.into_parts();
    let answer = match axum::body::to_bytes(answer, usize::MAX).await {
        Ok(bytes) => bytes,
        Err(e) => {
            tracing::error!(error = %e, "cannot read an answer to record it");
            Bytes::new()
        }
    };
    if kind == Kind::Provider || head.status.is_success() {
        let input = Input {
            kind,
            listener: rec.listener.to_string(),
            at,
            method,
            uri,
            headers,
            body: body.to_vec(),
            peer,
            forced,
            status: head.status.as_u16(),
            body_hash: body_hash(&answer),
        };
        if full_reset && head.status.is_success() {
            let numbering = rec.engine.webhook_numbering();
            if let Err(e) = rec.store.append_reset(&input, numbering) {
                fail_stop(&rec.store, &e);
            }
        } else {
            write_or_stop(&rec.store, &input);
        }
    }
    Response::from_parts(head, Body::from(answer))
}

/// Whether `method uri` is `POST /__admin/reset` of every provider (no `provider` parameter).
fn is_full_reset(method: &str, uri: &str) -> bool {
    let (path, query) = uri.split_once('?').unwrap_or((uri, ""));
    let one_provider = query.split('&').any(|pair| pair.starts_with("provider="));
    method == "POST" && path == "/__admin/reset" && !one_provider
}

/// When the log holds `--data-dir-max-bytes`: compacts it (everything before the newest full
/// reset), and if it is still full refuses the input, unhandled, with the provider's own 503
/// (the admin API's `{"error"}` for an admin call), saying why in the log.
fn refuse_when_full(rec: &Recording, kind: Kind) -> Option<Response> {
    let store = &rec.store;
    let full = |store: &Store| store.is_full().unwrap_or_else(|e| fail_stop(store, &e));
    if !full(store) {
        return None;
    }
    match store.compact() {
        Ok(dropped) if dropped.inputs > 0 => {
            tracing::info!(
                file = %store.file().display(),
                inputs = dropped.inputs,
                deliveries = dropped.deliveries,
                messages = dropped.messages,
                "--data-dir-max-bytes reached: dropped what came before the last full reset"
            );
        }
        Ok(_) => {}
        Err(e) => fail_stop(store, &e),
    }
    if !full(store) {
        return None;
    }
    let max = store.max_bytes();
    tracing::warn!(
        file = %store.file().display(),
        max_bytes = max,
        listener = rec.listener,
        "--data-dir-max-bytes reached and nothing can be dropped (no full reset since the log \
         starts): refusing state-changing inputs until POST /__admin/reset, or a restart with a \
         larger bound"
    );
    let msg = format!(
        "The simulator's data directory is full (--data-dir-max-bytes {max}); nothing was changed."
    );
    let status = StatusCode::SERVICE_UNAVAILABLE;
    Some(match (kind, rec.engine.provider(rec.listener)) {
        (Kind::Provider, Some(provider)) => provider.error_response(status, &msg),
        _ => payoutsim_core::error::AdminError(status, msg).into_response(),
    })
}

/// The engine's recorder over the store.
pub struct Persister(pub Arc<Store>);

impl Recorder for Persister {
    fn ticked(&self, at: DateTime<Utc>) {
        let input = Input {
            kind: Kind::Tick,
            listener: "tick".into(),
            at,
            method: String::new(),
            uri: String::new(),
            headers: Vec::new(),
            body: Vec::new(),
            peer: None,
            forced: None,
            status: 0,
            body_hash: String::new(),
        };
        write_or_stop(&self.0, &input);
    }

    fn delivery(&self, delivery: &Delivery) {
        if let Err(e) = self.0.put_delivery(delivery) {
            fail_stop(&self.0, &e);
        }
    }

    fn message(&self, message: u64, progress: MessageProgress) {
        if let Err(e) = self.0.set_message(message, progress) {
            fail_stop(&self.0, &e);
        }
    }
}
