//! The fault layer against `tower_test::mock` (no HTTP): what reaches the provider, when, and
//! what comes back. Time is paused, so latency is measured on tokio's clock without waiting.
#![allow(clippy::unwrap_used)] // tests: an unexpected error should fail loudly

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::response::{IntoResponse, Response};
use http::{HeaderMap, Request, StatusCode};
use http_body_util::BodyExt;
use payoutsim_core::clock::{ClockConfig, ClockMode};
use payoutsim_core::machine::{Machines, StateMachine};
use payoutsim_core::timeline::Scheduled;
use payoutsim_core::{Engine, EngineConfig, Provider};
use payoutsim_faults::{FaultLayer, Faults, load};
use serde_json::{Value, json};
use tower::{Layer, Service, ServiceExt};
use tower_test::mock;

/// A provider with one machine and a plain-text error format.
struct Stub(Machines);

impl Stub {
    fn new() -> Self {
        Self(Machines::new(vec![StateMachine::new(
            "payout",
            "",
            "pending",
            &["paid", "failed"],
        )]))
    }
}

impl Provider for Stub {
    fn name(&self) -> &'static str {
        "stub"
    }
    fn router(&self) -> Router {
        Router::new()
    }
    fn machine_table(&self) -> &Machines {
        &self.0
    }
    fn apply(&self, _: &Scheduled) {}
    fn objects(&self, _: Option<&str>, _: Option<&str>) -> Value {
        Value::Null
    }
    fn reset(&self) {}
    fn error_response(&self, status: StatusCode, message: &str) -> Response {
        (status, format!("stub error: {message}")).into_response()
    }
    fn tenant_hint(&self, headers: &HeaderMap, _: &[u8]) -> Option<String> {
        let key = headers.get("x-key")?.to_str().ok()?;
        Some(format!("stub:{key}"))
    }
}

struct Setup {
    engine: Engine,
    faults: Faults,
    _provider: Arc<dyn Provider>,
    layer: FaultLayer,
}

fn setup(seed: u64) -> Setup {
    let engine = Engine::new(EngineConfig {
        seed,
        clock: ClockConfig {
            mode: ClockMode::Manual,
            ..ClockConfig::default()
        },
        ..EngineConfig::default()
    });
    let provider: Arc<dyn Provider> = Arc::new(Stub::new());
    engine.register(&provider);
    let faults = payoutsim_faults::install(&engine);
    let layer = FaultLayer::new(faults.clone(), engine.clone(), provider.clone());
    Setup {
        engine,
        faults,
        _provider: provider,
        layer,
    }
}

impl Setup {
    fn rule(&self, rule: Value) {
        let rule = serde_json::from_value(rule).unwrap();
        load::load(&self.engine, &self.faults, vec![rule]).unwrap();
    }
}

fn request(path: &str, body: Value) -> Request<Body> {
    Request::post(path)
        .header("x-key", "k1")
        .body(Body::from(body.to_string()))
        .unwrap()
}

/// Sends `req` through the layer around a mock provider that answers 200 `provider saw <path>`;
/// returns the status, the body, and whether the provider saw the request.
async fn send(layer: &FaultLayer, req: Request<Body>) -> (StatusCode, String, bool) {
    let (mock, mut handle) = mock::pair::<Request<Body>, Response>();
    let mut svc = layer.layer(mock);
    let call = tokio::spawn(async move { svc.ready().await.unwrap().call(req).await });
    let provider = tokio::spawn(async move {
        let Some((req, reply)) = handle.next_request().await else {
            return false;
        };
        let path = req.uri().path().to_string();
        reply.send_response(format!("provider saw {path}").into_response());
        true
    });
    let response = call.await.unwrap().unwrap();
    let saw = provider.await.unwrap();
    let status = response.status();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8_lossy(&body).into_owned(), saw)
}

#[tokio::test(start_paused = true)]
async fn with_no_rule_the_request_and_answer_pass_untouched() {
    let s = setup(1);

    let (status, body, saw) = send(&s.layer, request("/v1/payouts", json!({}))).await;

    assert_eq!(
        (status, body.as_str(), saw),
        (StatusCode::OK, "provider saw /v1/payouts", true)
    );
}

#[tokio::test(start_paused = true)]
async fn a_rule_for_another_path_changes_nothing() {
    let s = setup(1);
    s.rule(json!({"match": {"path": "/v1/other/*"}, "fault": {"kind": "status", "status": 500}}));

    let (status, _, saw) = send(&s.layer, request("/v1/payouts", json!({}))).await;

    assert_eq!((status, saw), (StatusCode::OK, true));
}

#[tokio::test(start_paused = true)]
async fn fixed_latency_waits_before_the_provider_sees_the_request() {
    let s = setup(1);
    s.rule(json!({"fault": {"kind": "latency", "fixed_ms": 250}}));
    let started = tokio::time::Instant::now();

    let (status, _, saw) = send(&s.layer, request("/v1/payouts", json!({}))).await;

    assert!(started.elapsed() >= Duration::from_millis(250));
    assert_eq!((status, saw), (StatusCode::OK, true));
}

#[tokio::test(start_paused = true)]
async fn uniform_latency_stays_within_its_range() {
    let s = setup(1);
    s.rule(json!({"fault": {"kind": "latency", "uniform_ms": [100, 200]}}));

    for _ in 0..5 {
        let started = tokio::time::Instant::now();
        send(&s.layer, request("/v1/payouts", json!({}))).await;
        let waited = started.elapsed();
        assert!(
            waited >= Duration::from_millis(100) && waited <= Duration::from_millis(201),
            "{waited:?}"
        );
    }
}

#[tokio::test(start_paused = true)]
async fn a_status_fault_answers_in_the_providers_format_without_reaching_it() {
    let s = setup(1);
    s.rule(json!({"fault": {"kind": "status", "status": 503}}));

    let (status, body, saw) = send(&s.layer, request("/v1/payouts", json!({}))).await;

    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(body, "stub error: Service Unavailable");
    assert!(!saw);
}

#[tokio::test(start_paused = true)]
async fn after_skips_the_first_matches_and_times_spends_the_rule() {
    let s = setup(1);
    s.rule(json!({"fault": {"kind": "status", "status": 500}, "after": 1, "times": 2}));

    let mut statuses = Vec::new();
    for _ in 0..4 {
        statuses.push(send(&s.layer, request("/p", json!({}))).await.0.as_u16());
    }

    assert_eq!(statuses, [200, 500, 500, 200]);
    assert_eq!(s.faults.snapshot()[0].hits(), 2);
}

#[tokio::test(start_paused = true)]
async fn a_window_is_counted_on_the_simulated_clock() {
    let s = setup(1);
    s.rule(
        json!({"fault": {"kind": "status", "status": 503}, "window": {"from_s": 10, "for_s": 60}}),
    );

    let before = send(&s.layer, request("/p", json!({}))).await.0;
    s.engine.advance(30.0, None).await;
    let during = send(&s.layer, request("/p", json!({}))).await.0;
    s.engine.advance(40.0, None).await;
    let after = send(&s.layer, request("/p", json!({}))).await.0;

    assert_eq!([before, during, after].map(|s| s.as_u16()), [200, 503, 200]);
}

#[tokio::test(start_paused = true)]
async fn body_and_tenant_matchers_pick_their_requests() {
    let s = setup(1);
    s.rule(
        json!({"match": {"body": {"beneficiary.amount": 666}, "tenant": "stub:k*"},
        "fault": {"kind": "status", "status": 422}}),
    );

    let hit = send(
        &s.layer,
        request("/p", json!({"beneficiary": {"amount": 666}})),
    )
    .await
    .0;
    let miss = send(
        &s.layer,
        request("/p", json!({"beneficiary": {"amount": 1}})),
    )
    .await
    .0;
    let other_tenant = {
        let mut req = request("/p", json!({"beneficiary": {"amount": 666}}));
        req.headers_mut().insert("x-key", "z9".parse().unwrap());
        send(&s.layer, req).await.0
    };

    assert_eq!(
        [hit, miss, other_tenant].map(|s| s.as_u16()),
        [422, 200, 200]
    );
}

async fn pattern(seed: u64) -> Vec<u16> {
    let s = setup(seed);
    s.rule(json!({"fault": {"kind": "status", "status": 500}, "probability": 0.3}));
    let mut out = Vec::new();
    for _ in 0..40 {
        out.push(send(&s.layer, request("/p", json!({}))).await.0.as_u16());
    }
    out
}

#[tokio::test(start_paused = true)]
async fn a_probabilistic_rule_hits_the_same_requests_with_the_same_seed() {
    let (a, b, other) = (pattern(42).await, pattern(42).await, pattern(43).await);

    assert_eq!(a, b);
    assert_ne!(a, other, "another seed, another pattern");
    let hits = a.iter().filter(|s| **s == 500).count();
    assert!((4..=20).contains(&hits), "about 30% of 40: {hits}");
}

#[tokio::test(start_paused = true)]
async fn an_outcome_status_must_be_terminal_and_named_in_the_error() {
    let s = setup(1);
    let rule =
        serde_json::from_value(json!({"fault": {"kind": "outcome", "status": "lost"}})).unwrap();

    let err = load::load(&s.engine, &s.faults, vec![rule]).unwrap_err();

    assert!(err.starts_with("rules[0].fault.status: `lost`"), "{err}");
    assert!(err.contains("failed, paid"), "{err}");
    assert!(s.faults.is_empty());
}

#[tokio::test(start_paused = true)]
async fn a_reset_of_the_engine_clears_the_rules() {
    let s = setup(1);
    s.rule(json!({"fault": {"kind": "reset"}}));

    s.engine.reset(None);

    assert!(s.faults.is_empty());
}
