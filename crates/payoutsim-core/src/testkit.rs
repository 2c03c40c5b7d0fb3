//! Helpers for provider crates' router tests (feature `testkit`): an engine with a manual clock,
//! a provider mounted behind the journal exactly as a provider port serves it, and requests sent
//! with `oneshot`, no socket.
//!
//! - [`manual_config`]: an engine configuration with a frozen clock and a given seed
//! - [`mount`]: registers a provider with the engine and journals its router
//! - [`request`]: a request with headers and an optional body
//! - [`send`] and [`Resp`]: the answer, with its body as bytes and as JSON
//! - [`any_json`]: a proptest strategy for arbitrary JSON bodies
//!
//! Test support only: it panics when a request cannot be built or a body cannot be read.

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use bytes::Bytes;
use http::{HeaderMap, Request};
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

use crate::clock::ClockMode;
use crate::{Engine, EngineConfig, Provider};

/// The default configuration with a `manual` clock (time moves only when advanced) and `seed`.
pub fn manual_config(seed: u64) -> EngineConfig {
    let mut config = EngineConfig {
        seed,
        ..EngineConfig::default()
    };
    config.clock.mode = ClockMode::Manual;
    config
}

/// Registers `provider` with `engine` (so its transitions run and the admin API reaches it) and
/// answers its router behind the journal. The engine keeps only a weak reference: the caller
/// keeps `provider` alive.
pub fn mount(engine: &Engine, provider: &Arc<dyn Provider>) -> Router {
    engine.register(provider);
    crate::journal::journaled(provider.router(), engine, provider)
}

/// A request with exactly `headers` (a body gets no content type unless `headers` gives one,
/// so tests can send a body the provider must refuse for its type).
pub fn request(
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&[u8]>,
) -> Request<Body> {
    let mut req = Request::builder().method(method).uri(path);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let body = body.map_or_else(Body::empty, |b| Body::from(b.to_vec()));
    req.body(body).expect("a test request must be well formed")
}

/// An answer: status, headers, the body's bytes, and the body as JSON (`Null` when it is not).
#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub headers: HeaderMap,
    pub bytes: Bytes,
    pub json: Value,
}

/// Sends `req` through `app` and reads the whole answer.
pub async fn send(app: &Router, req: Request<Body>) -> Resp {
    let resp = app
        .clone()
        .oneshot(req)
        .await
        .expect("a router is infallible");
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let bytes = resp
        .into_body()
        .collect()
        .await
        .expect("a test answer's body must be readable")
        .to_bytes();
    let json = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    Resp {
        status,
        headers,
        bytes,
        json,
    }
}

/// Any JSON value, nested up to three levels: nulls, booleans, integers, floats, short strings
/// (letters, digits, spaces, `.`, `@`) and objects with short field names. What the providers'
/// property tests throw at their endpoints.
pub fn any_json() -> impl proptest::strategy::Strategy<Value = Value> {
    use proptest::prelude::*;
    use serde_json::json;
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|i| json!(i)),
        (-1e6f64..1e15).prop_map(|f| json!(f)),
        "[a-zA-Z0-9 .@]{0,8}".prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map("[a-zA-Z_]{1,10}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}
