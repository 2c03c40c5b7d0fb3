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
//! - [`drifted_document`] and [`Resp::violations_of`]: a provider's document with one schema
//!   changed, and an answer checked against a document, for tests that show a drift is caught
//! - [`OpenApiChecks`]: every answer a [`Sim`] receives is checked against the provider's OpenAPI
//!   document (and an admin answer against the admin API's); the `Sim` fails the test at its end
//!   with the list of violations
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
    /// What [`Sim::send`] and [`Sim::admin`] found against the documents.
    pub openapi: OpenApiChecks,
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
        Self::from_parts(engine, kit, provider, app, admin)
    }

    /// A `Sim` over routers the caller composed (a fault layer in front, say); `provider` is
    /// registered with `engine` already. Its answers are checked as [`Sim::new`]'s are, except
    /// those the journal marks as made by a fault.
    pub fn from_parts(
        engine: Engine,
        kit: Kit<S>,
        provider: Arc<dyn Provider>,
        app: Router,
        admin: Router,
    ) -> Self {
        let openapi = OpenApiChecks::new(S::NAME, S::OPENAPI);
        Self {
            engine,
            kit,
            provider,
            app,
            admin,
            openapi,
        }
    }

    /// Sends `req` to the provider's router and checks the answer against its document.
    pub async fn send(&self, req: Request<Body>) -> Resp {
        let (method, path) = (req.method().to_string(), req.uri().path().to_owned());
        let resp = send(&self.app, req).await;
        if !last_answer_faulted(&self.engine) {
            self.openapi.check_provider(&method, &path, &resp);
        }
        resp
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
        let resp = send(&self.admin, req).await;
        self.openapi.check_admin(&self.engine, method, path, &resp);
        resp
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

impl<S: Spec> Drop for Sim<S> {
    /// Fails the test with every answer that departed from its document (unless it is failing
    /// already), and adds the count of checked answers to the tally file, when
    /// `PAYOUTSIM_OPENAPI_TALLY` names one.
    fn drop(&mut self) {
        self.openapi.finish();
    }
}

/// The documents a [`Sim`] checks its answers against, and what it found: every answer of the
/// provider's router against the provider's document ([`Spec::OPENAPI`]; none, nothing
/// checked), every admin answer against the admin API's (`payoutsim-core/openapi.yaml`).
///
/// Not checked, by design: a 404 or 405 to a path the document has no operation for (the
/// provider's own envelope, or the admin one, for unknown routes, which OpenAPI cannot
/// template), the back office of a provider without a document, and answers the journal marks
/// as made by a fault (a `Sim` with a fault layer in front: [`Sim::from_parts`]).
pub struct OpenApiChecks {
    provider: &'static str,
    document: Option<&'static payoutsim_openapi::Document>,
    admin: &'static payoutsim_openapi::Document,
    found: Mutex<Found>,
}

#[derive(Default)]
struct Found {
    checked: usize,
    violations: Vec<String>,
    /// The provider's operations answered, as `METHOD /template`.
    exercised: std::collections::BTreeSet<String>,
}

impl OpenApiChecks {
    fn new(provider: &'static str, text: Option<&'static str>) -> Self {
        Self {
            provider,
            document: text.map(|text| document(provider, text)),
            admin: document("__admin", crate::admin::openapi::ADMIN_OPENAPI),
            found: Mutex::new(Found::default()),
        }
    }

    /// How many answers were checked so far.
    pub fn checked(&self) -> usize {
        self.lock().checked
    }

    /// The violations found so far, one line each.
    pub fn violations(&self) -> Vec<String> {
        self.lock().violations.clone()
    }

    /// The operations of the provider's document that no answer checked so far was for, as
    /// `METHOD /template`: a coverage test's gaps.
    pub fn unexercised(&self) -> Vec<String> {
        let Some(document) = self.document else {
            return Vec::new();
        };
        let state = self.lock();
        document
            .operations()
            .map(|op| format!("{} {}", op.method, op.template))
            .filter(|op| !state.exercised.contains(op))
            .collect()
    }

    /// Forgets the violations found so far: for a test that sends what no document describes
    /// on purpose, and says so where it calls this.
    pub fn forgive(&self) -> Vec<String> {
        std::mem::take(&mut self.lock().violations)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Found> {
        self.found.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn check_provider(&self, method: &str, path: &str, resp: &Resp) {
        let Some(document) = self.document else {
            return;
        };
        match document.operation(method, path) {
            None if matches!(resp.status, 404 | 405) => return,
            None => {}
            Some(op) => {
                let op = format!("{} {}", op.method, op.template);
                self.lock().exercised.insert(op);
            }
        }
        self.check(document, method, path, resp);
    }

    fn check_admin(&self, engine: &Engine, method: &str, path: &str, resp: &Resp) {
        let undocumented = path
            .strip_prefix("/__admin/providers/")
            .and_then(|rest| rest.split('/').next())
            .and_then(|name| engine.provider(name))
            .is_some_and(|p| p.openapi().is_none());
        let unknown = self.admin.operation(method, path).is_none();
        if undocumented || (unknown && matches!(resp.status, 404 | 405)) {
            return;
        }
        self.check(self.admin, method, path, resp);
    }

    fn check(&self, document: &payoutsim_openapi::Document, method: &str, path: &str, resp: &Resp) {
        let content_type = resp
            .headers
            .get(http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok());
        let found = document.check_response(method, path, resp.status, content_type, &resp.bytes);
        let mut state = self.lock();
        state.checked += 1;
        for v in found {
            let body = String::from_utf8_lossy(&resp.bytes);
            let body: String = body.chars().take(200).collect();
            state
                .violations
                .push(format!("{method} {path}: {v} (body: {body})"));
        }
    }

    fn finish(&self) {
        let state = self.lock();
        if let Some(file) = std::env::var_os("PAYOUTSIM_OPENAPI_TALLY") {
            use std::io::Write as _;
            let line = format!("{} {}\n", self.provider, state.checked);
            let opened = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(file);
            if let Ok(mut f) = opened {
                let _ = f.write_all(line.as_bytes());
            }
        }
        if !state.violations.is_empty() && !std::thread::panicking() {
            panic!(
                "{} answers departed from their OpenAPI document:\n{}",
                state.violations.len(),
                state.violations.join("\n")
            );
        }
    }
}

/// Whether the newest journal entry is an answer a fault made (a placeholder, an outage's 503, a
/// 429): not the provider's, so not checked against its document.
fn last_answer_faulted(engine: &Engine) -> bool {
    let newest = crate::journal::JournalQuery {
        limit: Some(1),
        ..Default::default()
    };
    let hits = engine.journal().hits(&newest);
    hits.entries.last().is_some_and(|(_, e)| e.fault.is_some())
}

/// The document `text` of `name`, loaded once per test process (its validators compiled once,
/// kept for the process's life).
fn document(name: &'static str, text: &'static str) -> &'static payoutsim_openapi::Document {
    use std::collections::HashMap;
    use std::sync::OnceLock;
    static LOADED: OnceLock<Mutex<HashMap<&'static str, &'static payoutsim_openapi::Document>>> =
        OnceLock::new();
    let mut loaded = LOADED
        .get_or_init(Mutex::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    loaded.entry(name).or_insert_with(|| {
        let document = payoutsim_openapi::Document::from_yaml_str(text)
            .unwrap_or_else(|e| panic!("the OpenAPI document of {name} does not load: {e}"));
        let problems = document.schema_problems();
        assert!(
            problems.is_empty(),
            "unusable schemas in {name}'s document: {problems:?}"
        );
        Box::leak(Box::new(document))
    })
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

/// `S`'s OpenAPI document with the value at `pointer` (a JSON Pointer into it, e.g.
/// `/components/schemas/Customer/properties/email`) replaced by `schema`: a document that drifted
/// from the code, for a test that shows the drift is caught.
pub fn drifted_document<S: Spec>(pointer: &str, schema: Value) -> payoutsim_openapi::Document {
    let text = S::OPENAPI.unwrap_or_else(|| panic!("{} has no OpenAPI document", S::NAME));
    let mut document = crate::admin::openapi::to_json(text)
        .unwrap_or_else(|e| panic!("{}'s document does not parse: {e}", S::NAME));
    match document.pointer_mut(pointer) {
        Some(slot) => *slot = schema,
        None => panic!("{}'s document has nothing at {pointer}", S::NAME),
    }
    payoutsim_openapi::Document::from_json(document)
        .unwrap_or_else(|e| panic!("the drifted document does not load: {e}"))
}

impl Resp {
    /// This answer checked against `document` as the answer to `method path`.
    pub fn violations_of(
        &self,
        document: &payoutsim_openapi::Document,
        method: &str,
        path: &str,
    ) -> Vec<payoutsim_openapi::Violation> {
        let content_type =
            (self.headers.get(http::header::CONTENT_TYPE)).and_then(|v| v.to_str().ok());
        document.check_response(method, path, self.status, content_type, &self.bytes)
    }

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
