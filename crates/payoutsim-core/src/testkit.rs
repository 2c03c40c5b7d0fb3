//! Helpers for provider crates' tests (feature `testkit`): an engine with a manual clock, a
//! provider mounted behind the journal exactly as a provider port serves it, requests sent with
//! `oneshot` (no socket) or over a real one, and one webhook receiver.
//!
//! - [`Sim`]: a provider on the kit, its engine, its public and admin routers, and verbs to call
//!   them, advance time, read the back office and its answer to an expired session
//! - [`manual_config`]: an engine configuration with a frozen clock and a given seed
//! - [`sim_config`]: the one [`Sim::new`] runs on, for a test to change
//! - [`mount`]: registers a provider with the engine and journals its router
//! - [`request`]: a request with headers and an optional body
//! - [`send`], [`read`] and [`Resp`]: the answer, with its body as bytes and as JSON
//! - [`spawn`]: serves a router on `127.0.0.1:0` and answers its base URL
//! - [`Receiver`]: a webhook receiver on a real socket that records what it is sent
//! - [`any_json`], [`with_fields`] and [`block_on`]: for property tests (arbitrary JSON, bodies
//!   whose fields are each there or not, an async body in a synchronous proptest)
//! - [`assert_reproducible`]: the same seed and requests give byte-identical answers
//! - [`allocated_while`] and [`assert_page_costs_are_flat`]: what a request costs in heap bytes
//!   (from a test binary's counting allocator), and a list page's cost checked against the size
//!   of its table
//!
//! Test support only: it panics when a request cannot be built or a body cannot be read.

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Body;
use axum::response::Response;
use bytes::Bytes;
use http::{HeaderMap, Request};
use http_body_util::BodyExt;
use serde_json::{Map, Value};
use tower::ServiceExt;

use crate::clock::ClockMode;
use crate::kit::{Kit, Spec};
use crate::{Engine, EngineConfig, Provider};

/// A provider on the kit under test: a manual clock, the provider registered, its router behind
/// the journal, and the admin API beside it.
pub struct Sim<S: Spec> {
    pub engine: Engine,
    pub kit: Kit<S>,
    pub provider: Arc<dyn Provider>,
    pub app: Router,
    pub admin: Router,
}

impl<S: Spec> Sim<S> {
    /// `seed`, a manual clock, webhook attempts that give up after 2 s ([`sim_config`]), and
    /// `config`.
    pub fn new(seed: u64, config: S::Config) -> Self {
        Self::with_engine(Engine::new(sim_config(seed)), config)
    }

    /// The provider on an engine of the caller's.
    pub fn with_engine(engine: Engine, config: S::Config) -> Self {
        let kit = Kit::<S>::new(engine.clone(), config);
        let provider: Arc<dyn Provider> = Arc::new(kit.clone());
        let app = mount(&engine, &provider);
        let admin = crate::admin::router(engine.clone(), Default::default());
        Self {
            engine,
            kit,
            provider,
            app,
            admin,
        }
    }

    pub async fn send(&self, req: Request<Body>) -> Resp {
        send(&self.app, req).await
    }

    /// `method path` with `headers`, and a JSON content type when there is a body and `headers`
    /// name none.
    pub async fn call(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<&[u8]>,
    ) -> Resp {
        let mut all: Vec<(&str, &str)> = headers.to_vec();
        let typed = headers
            .iter()
            .any(|(h, _)| h.eq_ignore_ascii_case("content-type"));
        if body.is_some() && !typed {
            all.push(("content-type", "application/json"));
        }
        self.send(request(method, path, &all, body)).await
    }

    /// An admin call (`/__admin/...`), with a JSON body when given.
    pub async fn admin(&self, method: &str, path: &str, body: Option<Value>) -> Resp {
        let bytes = body.map(|b| b.to_string());
        let headers: &[(&str, &str)] = match bytes {
            Some(_) => &[("content-type", "application/json")],
            None => &[],
        };
        let req = request(method, path, headers, bytes.as_deref().map(str::as_bytes));
        send(&self.admin, req).await
    }

    /// Moves simulated time for everyone and settles what fell due.
    pub async fn advance(&self, seconds: f64) {
        self.engine.advance(seconds, None).await;
    }

    /// `method path` with `headers` and `body` sent as JSON (the content type as [`Sim::call`]
    /// sets it).
    pub async fn call_json(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &Value,
    ) -> Resp {
        let bytes = body.to_string();
        self.call(method, path, headers, Some(bytes.as_bytes()))
            .await
    }

    /// A call to the provider's own back office: `path` under `/__admin/providers/{name}`.
    pub async fn back_office(&self, method: &str, path: &str, body: Option<Value>) -> Resp {
        let path = format!("/__admin/providers/{}{path}", S::NAME);
        self.admin(method, &path, body).await
    }

    /// The back office's view of the provider's objects (`GET /__admin/providers/{p}/objects`).
    pub fn objects(&self, tenant: Option<&str>, kind: Option<&str>) -> Value {
        self.provider.objects(tenant, kind)
    }

    /// [`Sim::objects`]' list of entries (`{kind, tenant, id, object, lifecycle?}`).
    pub fn object_list(&self, tenant: Option<&str>, kind: Option<&str>) -> Vec<Value> {
        let view = self.objects(tenant, kind);
        let list = view["objects"].as_array();
        list.expect("the objects view lists its objects").clone()
    }

    /// What the provider answers a request whose session has expired (the `token_expired`
    /// fault sends it: `Provider::expired_token_response`).
    pub async fn expired_token(&self) -> Resp {
        read(self.provider.expired_token_response()).await
    }

    /// Serves the provider's journaled router on a real socket; answers its base URL.
    pub async fn serve(&self) -> String {
        spawn(self.app.clone()).await
    }
}

/// Serves `app` on `127.0.0.1:0` until the test's runtime ends; answers `http://127.0.0.1:<port>`.
/// Requests carry the client's address as `ConnectInfo<SocketAddr>`, as on payoutsim's own
/// listeners.
pub async fn spawn(app: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a test can bind a loopback port");
    let addr = listener
        .local_addr()
        .expect("a bound listener has an address");
    let app = app.into_make_service_with_connect_info::<std::net::SocketAddr>();
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{addr}")
}

/// One request a [`Receiver`] got.
#[derive(Clone, Debug)]
pub struct Received {
    pub headers: HeaderMap,
    /// The body exactly as sent (signatures are over these bytes).
    pub raw: Bytes,
    /// The body as JSON (`Null` when it is not).
    pub json: Value,
}

/// A webhook receiver on a real socket: answers the scripted statuses in turn (then 200) and
/// records every request, so tests see what a client's endpoint would.
#[derive(Clone)]
pub struct Receiver {
    /// Where to point a webhook: `http://127.0.0.1:<port>/hook`.
    pub url: String,
    received: Arc<Mutex<Vec<Received>>>,
}

impl Receiver {
    /// A receiver that answers 200 to everything.
    pub async fn start() -> Self {
        Self::scripted(Vec::new()).await
    }

    /// A receiver that answers `statuses` in turn, then 200.
    pub async fn scripted(statuses: Vec<u16>) -> Self {
        let received: Arc<Mutex<Vec<Received>>> = Arc::default();
        let script = Arc::new(Mutex::new(statuses.into_iter()));
        let rec = received.clone();
        let hook = move |headers: HeaderMap, raw: Bytes| {
            let (rec, script) = (rec.clone(), script.clone());
            async move {
                let json = serde_json::from_slice(&raw).unwrap_or(Value::Null);
                let mut got = rec.lock().unwrap_or_else(|e| e.into_inner());
                got.push(Received { headers, raw, json });
                let code = script.lock().unwrap_or_else(|e| e.into_inner()).next();
                http::StatusCode::from_u16(code.unwrap_or(200)).unwrap_or(http::StatusCode::OK)
            }
        };
        let app = Router::new().route("/hook", axum::routing::post(hook));
        let base = spawn(app).await;
        Self {
            url: format!("{base}/hook"),
            received,
        }
    }

    /// Everything received so far, in order.
    pub fn received(&self) -> Vec<Received> {
        self.received
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// The JSON bodies received so far, in order.
    pub fn bodies(&self) -> Vec<Value> {
        self.received().into_iter().map(|r| r.json).collect()
    }
}

/// The default configuration with a `manual` clock (time moves only when advanced) and `seed`.
pub fn manual_config(seed: u64) -> EngineConfig {
    let mut config = EngineConfig {
        seed,
        ..EngineConfig::default()
    };
    config.clock.mode = ClockMode::Manual;
    config
}

/// The engine configuration [`Sim::new`] runs on: [`manual_config`] with webhook attempts that
/// give up after 2 s, so a test never waits long on a receiver. A test that needs more changes it
/// and hands it to [`Sim::with_engine`].
pub fn sim_config(seed: u64) -> EngineConfig {
    let mut config = manual_config(seed);
    config.webhooks.timeout = std::time::Duration::from_secs(2);
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

impl Resp {
    /// The body's top-level field names, sorted.
    pub fn keys(&self) -> Vec<&str> {
        let object = self.json.as_object().expect("the body is a JSON object");
        let mut keys: Vec<&str> = object.keys().map(String::as_str).collect();
        keys.sort_unstable();
        keys
    }
}

/// Sends `req` through `app` and reads the whole answer.
pub async fn send(app: &Router, req: Request<Body>) -> Resp {
    let resp = app
        .clone()
        .oneshot(req)
        .await
        .expect("a router is infallible");
    read(resp).await
}

/// Reads a whole answer.
pub async fn read(resp: Response) -> Resp {
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

/// `object` with each of `fields` set to its value, or removed where it has none: a property
/// test's body whose fields are each there or missing.
pub fn with_fields<'a>(
    mut object: Map<String, Value>,
    fields: impl IntoIterator<Item = (&'a str, Option<Value>)>,
) -> Value {
    for (k, v) in fields {
        match v {
            Some(v) => object.insert(k.to_string(), v),
            None => object.remove(k),
        };
    }
    Value::Object(object)
}

/// Runs `future` to its end on a fresh current-thread runtime: an async body for a proptest,
/// whose cases are synchronous.
pub fn block_on<F: Future>(future: F) -> F::Output {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a test can build a runtime");
    rt.block_on(future)
}

/// Asserts that `script` (requests on a fresh simulator seeded as given, answering every
/// answer's bytes) is reproducible: seed 7 twice gives byte-identical answers, seed 8 others.
pub async fn assert_reproducible<F, Fut>(script: F)
where
    F: Fn(u64) -> Fut,
    Fut: Future<Output = Vec<Bytes>>,
{
    let first = script(7).await;
    let second = script(7).await;
    let other = script(8).await;

    assert_eq!(
        first, second,
        "the same seed and requests gave other answers"
    );
    assert_ne!(first, other, "another seed gave the same answers");
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

/// What `future` returns and the heap bytes allocated while it ran, read from a test binary's
/// counting allocator: `total` answers its running total of bytes ever allocated (for example
/// `cap::Cap::total_allocated`, cap's `stats` feature). Bytes allocated do not depend on the
/// machine's speed, so a cost compared through them is the same on every run of every machine;
/// the count is global, so a test that reads it runs alone in its binary.
pub async fn allocated_while<F: Future>(
    total: impl Fn() -> usize,
    future: F,
) -> (F::Output, usize) {
    let before = total();
    let out = future.await;
    (out, total().saturating_sub(before))
}

/// Asserts that each list page of `cases` costs the same whatever its table holds: `costs(n)`
/// builds a table of `n` rows and answers the heap bytes of each case's page over it, in the
/// order of `cases`; it runs for `rows.0` and for `rows.1` (100 times more, say). A page may
/// cost up to twice as much plus 64 KiB (allocator and journal noise); a list that copies,
/// collects or serialises every row costs at least a pointer a row, which at 100,000 rows is
/// 800 KB beyond that.
pub fn assert_page_costs_are_flat<C, F, Fut>(cases: &[C], rows: (usize, usize), costs: F)
where
    C: std::fmt::Debug,
    F: Fn(usize) -> Fut,
    Fut: Future<Output = Vec<usize>>,
{
    let small = block_on(costs(rows.0));
    let big = block_on(costs(rows.1));
    assert_eq!(
        (small.len(), big.len()),
        (cases.len(), cases.len()),
        "a cost per case"
    );
    for (case, (small, big)) in cases.iter().zip(small.into_iter().zip(big)) {
        assert!(
            big <= small.saturating_mul(2) + 64 * 1024,
            "{case:?}: a page cost {small} heap bytes over {} rows and {big} over {}",
            rows.0,
            rows.1
        );
    }
}
