//! Every request fault as an ordinary HTTP client (reqwest, real sockets) observes it, and what
//! it leaves behind in the simulator (objects, journal).
#![allow(clippy::unwrap_used)] // tests: an unexpected error should fail loudly

mod common;

use std::time::{Duration, Instant};

use common::{Sim, TENANT, chain};
use serde_json::{Value, json};

fn on_banks(fault: Value) -> Value {
    json!({"match": {"path": "/v1/banks"}, "fault": fault})
}

fn on_cashouts(fault: Value) -> Value {
    json!({"match": {"provider": "onepay", "method": "POST", "path": "/v1/cashouts"}, "fault": fault})
}

#[tokio::test]
async fn a_status_fault_answers_in_onepays_own_error_envelope() {
    let sim = Sim::start().await;
    let fixture = sim.fixture().await;
    sim.rule(on_cashouts(json!({"kind": "status", "status": 503})))
        .await;

    let resp = sim.cashout(&fixture, "k-503").send().await.unwrap();

    assert_eq!(resp.status(), 503);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["message"], "Service Unavailable");
    assert!(body["errors"].is_array(), "OnePay's envelope: {body}");
    assert!(sim.cashouts().await.is_empty(), "the provider never saw it");
    sim.stop().await;
}

#[tokio::test]
async fn a_status_fault_with_a_custom_body_sends_that_body() {
    let sim = Sim::with_rule(json!({"match": {"path": "/v1/banks"},
        "fault": {"kind": "status", "status": 502, "body": {"oops": true}}}))
    .await;

    let resp = sim.get("/v1/banks").send().await.unwrap();

    assert_eq!(resp.status(), 502);
    assert_eq!(resp.json::<Value>().await.unwrap(), json!({"oops": true}));
    sim.stop().await;
}

#[tokio::test]
async fn a_rate_limit_is_a_429_with_retry_after() {
    let sim = Sim::with_rule(json!({"match": {"path": "/v1/banks"},
        "fault": {"kind": "rate_limit", "retry_after_s": 7}, "times": 1}))
    .await;

    let limited = sim.get("/v1/banks").send().await.unwrap();
    let next = sim.get("/v1/banks").send().await.unwrap();

    assert_eq!(limited.status(), 429);
    assert_eq!(limited.headers()["retry-after"], "7");
    assert_eq!(next.status(), 200, "times: 1 spends the rule");
    sim.stop().await;
}

#[tokio::test]
async fn token_expired_is_onepays_own_401() {
    let sim = Sim::with_rule(on_banks(json!({"kind": "token_expired"}))).await;

    let resp = sim.get("/v1/banks").send().await.unwrap();

    assert_eq!(resp.status(), 401);
    let body: Value = resp.json().await.unwrap();
    assert!(
        body["message"].is_string() && body["errors"].is_array(),
        "{body}"
    );
    sim.stop().await;
}

#[tokio::test]
async fn a_reset_before_the_handler_is_a_connection_error_and_creates_nothing() {
    let sim = Sim::start().await;
    let fixture = sim.fixture().await;
    sim.rule(on_cashouts(json!({"kind": "reset"}))).await;

    let err = sim.cashout(&fixture, "k-reset").send().await.unwrap_err();

    let text = chain(&err);
    assert!(err.is_request(), "{text}");
    assert!(text.contains("reset"), "a connection reset: {text}");
    assert!(sim.cashouts().await.is_empty());
    let journal = sim.journal("/v1/cashouts").await;
    let entry = journal.iter().find(|e| e["method"] == "POST").unwrap();
    assert_eq!(entry["status"], 0, "no answer: {entry}");
    assert_eq!(entry["fault"], "rule-1: reset (before)");
    assert_eq!(
        entry["tenant"], TENANT,
        "named from the request, auth never ran"
    );
    sim.stop().await;
}

#[tokio::test]
async fn a_reset_after_the_handler_still_creates_the_cashout_and_a_retry_replays_it() {
    let sim = Sim::start().await;
    let fixture = sim.fixture().await;
    sim.rule(json!({"match": {"path": "/v1/cashouts", "method": "POST"},
        "fault": {"kind": "reset", "stage": "after"}, "times": 1}))
        .await;

    let err = sim.cashout(&fixture, "k-lost").send().await.unwrap_err();
    let retry = sim.cashout(&fixture, "k-lost").send().await.unwrap();

    assert!(err.is_request(), "{}", chain(&err));
    assert_eq!(retry.status(), 201);
    assert_eq!(retry.headers()["idempotent-replayed"], "true");
    let cashouts = sim.cashouts().await;
    assert_eq!(cashouts.len(), 1, "created once, replayed on retry");
    let journal = sim.journal("/v1/cashouts").await;
    let lost = &journal[journal.len() - 3];
    assert_eq!(
        lost["status"], 201,
        "the status the handler produced: {lost}"
    );
    assert_eq!(lost["fault"], "rule-1: reset (after)");
    sim.stop().await;
}

#[tokio::test]
async fn an_empty_reply_is_an_error_without_a_response() {
    let sim = Sim::with_rule(on_banks(json!({"kind": "empty"}))).await;

    let err = sim.get("/v1/banks").send().await.unwrap_err();

    assert!(err.is_request(), "{}", chain(&err));
    assert!(err.status().is_none());
    sim.stop().await;
}

#[tokio::test]
async fn a_truncated_body_is_an_incomplete_body_error() {
    let sim = Sim::with_rule(on_banks(json!({"kind": "truncate", "stage": "after"}))).await;

    let resp = sim.get("/v1/banks").send().await.unwrap();
    let declared = resp.content_length().unwrap();
    let status = resp.status();
    let err = resp.bytes().await.unwrap_err();

    assert_eq!(status, 200, "the headers arrive whole");
    assert!(declared > 16);
    assert!(err.is_body() || err.is_decode(), "{}", chain(&err));
    sim.stop().await;
}

#[tokio::test]
async fn a_hang_is_a_client_timeout() {
    let sim = Sim::with_rule(on_banks(json!({"kind": "hang", "max_s": 2}))).await;
    let started = Instant::now();

    let err = sim
        .get("/v1/banks")
        .timeout(Duration::from_millis(300))
        .send()
        .await
        .unwrap_err();

    assert!(err.is_timeout(), "{}", chain(&err));
    assert!(started.elapsed() < Duration::from_secs(2));
    sim.stop().await;
}

#[tokio::test]
async fn a_hang_closes_without_an_answer_at_its_cap() {
    let sim = Sim::with_rule(on_banks(json!({"kind": "hang", "max_s": 0.2}))).await;

    let err = sim.get("/v1/banks").send().await.unwrap_err();

    assert!(!err.is_timeout() && err.is_request(), "{}", chain(&err));
    sim.stop().await;
}

#[tokio::test]
async fn a_malformed_body_is_invalid_json_sent_as_json() {
    let sim = Sim::with_rule(on_banks(json!({"kind": "malformed", "stage": "after"}))).await;

    let resp = sim.get("/v1/banks").send().await.unwrap();

    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["content-type"], "application/json");
    let text = resp.text().await.unwrap();
    assert!(serde_json::from_str::<Value>(&text).is_err(), "{text}");
    sim.stop().await;
}

#[tokio::test]
async fn a_slow_body_arrives_in_pieces() {
    let sim = Sim::with_rule(json!({"match": {"path": "/v1/cashouts"},
        "fault": {"kind": "slow_body", "chunk_bytes": 8, "delay_ms": 30}}))
    .await;
    let started = Instant::now();

    let mut resp = sim.get("/v1/cashouts").send().await.unwrap();
    let mut pieces = Vec::new();
    while let Some(chunk) = resp.chunk().await.unwrap() {
        pieces.push(chunk);
    }

    let body: Vec<u8> = pieces.concat();
    let parsed: Value = serde_json::from_slice(&body).unwrap();
    assert!(parsed["data"].is_array(), "the whole body arrives");
    assert!(pieces.len() >= 3, "{} pieces", pieces.len());
    assert!(started.elapsed() >= Duration::from_millis(30 * (body.len() as u64 / 8 - 1)));
    sim.stop().await;
}

#[tokio::test]
async fn fixed_latency_delays_the_answer_and_changes_nothing_else() {
    let sim = Sim::with_rule(on_banks(json!({"kind": "latency", "fixed_ms": 150}))).await;
    let started = Instant::now();

    let resp = sim.get("/v1/banks").send().await.unwrap();

    assert!(started.elapsed() >= Duration::from_millis(150));
    assert_eq!(resp.status(), 200);
    let entry = sim.journal("/v1/banks").await.pop().unwrap();
    assert_eq!(entry["fault"], "rule-1: latency 150ms");
    sim.stop().await;
}

#[tokio::test]
async fn a_forced_outcome_is_accepted_then_fails_with_the_given_reason() {
    let sim = Sim::start().await;
    let fixture = sim.fixture().await;
    sim.rule(
        json!({"id": "bank-down", "match": {"path": "/v1/cashouts", "method": "POST"},
        "fault": {"kind": "outcome", "status": "failed", "reason": "BANK_REJECTED"}, "times": 1}),
    )
    .await;

    let accepted: Value = sim.create_cashout(&fixture, "k-fail").await;
    let normal: Value = sim.create_cashout(&fixture, "k-ok").await;
    sim.advance(1860).await;

    assert_eq!(accepted["status"], "pending");
    let failed = sim.cashout_by_id(&accepted["id"]).await;
    assert_eq!(failed["status"], "failed");
    assert_eq!(failed["remarks"]["code"], "BANK_REJECTED", "{failed}");
    assert_eq!(
        sim.cashout_by_id(&normal["id"]).await["status"],
        "processed",
        "times: 1"
    );
    let (_, log) = sim
        .admin(
            "GET",
            &format!(
                "/__admin/transitions?object={}",
                accepted["id"].as_str().unwrap()
            ),
            None,
        )
        .await;
    assert_eq!(log["transitions"][0]["forced_by"], "bank-down", "{log}");
    sim.stop().await;
}

#[tokio::test]
async fn an_outcome_rule_waits_for_a_request_that_creates_something() {
    let sim = Sim::start().await;
    let fixture = sim.fixture().await;
    sim.rule(json!({"match": {"path": "/v1/cashouts", "method": "POST"},
        "fault": {"kind": "outcome", "status": "failed"}, "times": 1}))
        .await;

    let refused = sim
        .http
        .post(sim.onepay("/v1/cashouts"))
        .bearer_auth(common::KEY)
        .header("x-idempotency", "k-bad")
        .json(&json!({"amount": 1}))
        .send()
        .await
        .unwrap();
    let created: Value = sim.create_cashout(&fixture, "k-next").await;
    sim.advance(1860).await;

    assert_eq!(refused.status(), 422);
    let (_, rules) = sim.admin("GET", "/__admin/faults", None).await;
    assert_eq!(rules["rules"][0]["hits"], 1);
    let cashouts = sim.cashouts().await;
    let status = cashouts.iter().find(|c| c["id"] == created["id"]).unwrap()["status"].clone();
    assert_eq!(status, "failed");
    sim.stop().await;
}

#[tokio::test]
async fn a_rule_that_matches_nothing_changes_nothing() {
    let plain = Sim::start().await;
    let faulted = Sim::start().await;
    faulted
        .rule(json!({"match": {"path": "/v1/customers/*"}, "fault": {"kind": "reset"}}))
        .await;

    let a = plain.get("/v1/banks").send().await.unwrap();
    let b = faulted.get("/v1/banks").send().await.unwrap();

    assert_eq!(a.status(), b.status());
    let strip = |h: &reqwest::header::HeaderMap| {
        let mut v: Vec<_> = h
            .iter()
            .filter(|(k, _)| *k != "date")
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect();
        v.sort_by(|x, y| x.0.cmp(&y.0));
        v
    };
    assert_eq!(strip(a.headers()), strip(b.headers()));
    assert_eq!(a.bytes().await.unwrap(), b.bytes().await.unwrap());
    assert_eq!(faulted.journal("/v1/banks").await[0]["fault"], Value::Null);
    plain.stop().await;
    faulted.stop().await;
}

#[tokio::test]
async fn the_same_seed_hits_the_same_requests() {
    async fn pattern() -> Vec<u16> {
        let sim = Sim::start().await;
        sim.rule(json!({"match": {"path": "/v1/banks"},
            "fault": {"kind": "status", "status": 500}, "probability": 0.5}))
            .await;
        let mut statuses = Vec::new();
        for _ in 0..24 {
            statuses.push(sim.get("/v1/banks").send().await.unwrap().status().as_u16());
        }
        sim.stop().await;
        statuses
    }

    let (first, second) = (pattern().await, pattern().await);

    assert_eq!(first, second);
    assert!(first.contains(&500) && first.contains(&200), "{first:?}");
}

#[tokio::test]
async fn a_tenant_rule_spares_other_tenants() {
    let sim = Sim::with_rule(
        json!({"match": {"tenant": TENANT}, "fault": {"kind": "status", "status": 503}}),
    )
    .await;

    let mine = sim.get("/v1/banks").send().await.unwrap();
    let other = sim
        .get_as("sk_test_someone_else", "/v1/banks")
        .send()
        .await
        .unwrap();

    assert_eq!(mine.status(), 503);
    assert_eq!(other.status(), 200);
    sim.stop().await;
}

#[tokio::test]
async fn truncated_and_malformed_answers_before_the_handler_create_nothing() {
    let sim = Sim::start().await;
    let fixture = sim.fixture().await;
    sim.rule(json!({"match": {"path": "/v1/cashouts", "method": "POST"},
        "fault": {"kind": "truncate"}, "times": 1}))
        .await;
    sim.rule(json!({"match": {"path": "/v1/cashouts", "method": "POST"},
        "fault": {"kind": "malformed"}, "times": 1}))
        .await;

    let cut = sim.cashout(&fixture, "k-cut").send().await.unwrap();
    let cut_body = cut.bytes().await;
    let garbled = sim.cashout(&fixture, "k-garbled").send().await.unwrap();
    let garbled_body = garbled.text().await.unwrap();

    assert!(cut_body.is_err(), "an incomplete body");
    assert!(
        serde_json::from_str::<Value>(&garbled_body).is_err(),
        "{garbled_body}"
    );
    assert!(
        sim.cashouts().await.is_empty(),
        "OnePay saw neither request"
    );
    let journal = sim.journal("/v1/cashouts").await;
    let faults: Vec<_> = journal.iter().filter_map(|e| e["fault"].as_str()).collect();
    assert_eq!(
        faults,
        ["rule-1: truncate (before)", "rule-2: malformed (before)"]
    );
    sim.stop().await;
}

#[tokio::test]
async fn shutting_down_ends_a_hang_at_once() {
    let sim = Sim::with_rule(on_banks(json!({"kind": "hang", "max_s": 60}))).await;
    let hanging = tokio::spawn(sim.get("/v1/banks").send());
    // The hang is journaled as soon as it is decided: then the request is in the server's hands.
    while sim.journal("/v1/banks").await.is_empty() {
        tokio::task::yield_now().await;
    }
    let started = Instant::now();

    sim.stop().await;

    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    assert!(hanging.await.unwrap().is_err(), "closed without an answer");
}
