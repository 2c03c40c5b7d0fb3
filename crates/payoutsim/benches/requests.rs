//! The cost of one OnePay request through the whole provider stack (journal, fault layer with no
//! rule, the provider), in process and without a socket: `POST /v1/cashouts` and
//! `GET /v1/cashouts/{id}`.
//!
//! Run it as `cargo bench -p payoutsim --bench requests -- <post|get> <count>` for wall time per
//! request, or under `valgrind --tool=callgrind` for instruction counts, which do not move with
//! the machine's load: the difference between a run of N requests and a run of 0, divided by N,
//! is the instructions one request costs. BENCHMARKS.md compares builds this way. No network.
#![allow(clippy::unwrap_used)] // a benchmark that cannot set itself up should stop loudly

use std::time::Instant;

use axum::Router;
use axum::body::Body;
use http::Request;
use http_body_util::BodyExt;
use payoutsim::{App, ServeConfig};
use serde_json::{Value, json};
use tower::ServiceExt;

const KEY: &str = "sk_test_bench";

async fn call(
    app: &Router,
    method: &str,
    path: &str,
    extra: Option<(&str, String)>,
    body: Option<Value>,
) -> Value {
    let mut req = Request::builder()
        .method(method)
        .uri(path)
        .header("authorization", format!("Bearer {KEY}"));
    if let Some((name, value)) = extra {
        req = req.header(name, value);
    }
    let body = match body {
        Some(b) => {
            req = req.header("content-type", "application/json");
            Body::from(b.to_string())
        }
        None => Body::empty(),
    };
    let resp = app.clone().oneshot(req.body(body).unwrap()).await.unwrap();
    let status = resp.status();
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    assert!(status.is_success(), "{method} {path}: {status} {bytes:?}");
    serde_json::from_slice(&bytes).unwrap()
}

/// A customer, an account and one cashout: `(customer, account, cashout)` ids.
async fn fixture(app: &Router) -> (String, String, String) {
    let banks = call(app, "GET", "/v1/banks", None, None).await;
    let bank = banks["data"][0]["id"].as_str().unwrap().to_string();
    let customer = call(app, "POST", "/v1/customers", None, Some(json!({
        "user_type": "natural", "first_name": "Ana", "last_name": "Gómez", "email": "ana@example.com",
        "document_type": "CC", "document_number": "1020304050"}))).await;
    let customer = customer["id"].as_str().unwrap().to_string();
    let account = call(
        app,
        "POST",
        "/v1/accounts",
        None,
        Some(json!({
        "subtype": "SAVINGS", "authorization": true, "account_number": "1234567890",
        "customer_id": customer, "bank_id": bank})),
    )
    .await;
    let account = account["id"].as_str().unwrap().to_string();
    let idem = Some(("x-idempotency", "fixture".to_string()));
    let cashout = call(
        app,
        "POST",
        "/v1/cashouts",
        idem,
        Some(cashout(&customer, &account)),
    )
    .await;
    (
        customer,
        account,
        cashout["id"].as_str().unwrap().to_string(),
    )
}

fn cashout(customer: &str, account: &str) -> Value {
    json!({"amount": 1, "currency": "COP", "method": "TURBO", "description": "bench",
           "customer_id": customer, "account_id": account})
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    // `cargo bench` passes `--bench`; the mode and count are the first other arguments.
    let rest: Vec<&str> = args[1..]
        .iter()
        .map(String::as_str)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let mode = rest.first().copied().unwrap_or("post");
    let count: usize = rest.get(1).and_then(|n| n.parse().ok()).unwrap_or(2000);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let app = App::new(&ServeConfig::for_tests());
        let (_, onepay) = app
            .providers()
            .find(|(id, _)| id.name() == "onepay")
            .unwrap();
        let router = app.provider_router(onepay);
        let (customer, account, id) = fixture(&router).await;
        let body = cashout(&customer, &account);
        let path = format!("/v1/cashouts/{id}");
        let started = Instant::now();
        for i in 0..count {
            match mode {
                "get" => call(&router, "GET", &path, None, None).await,
                _ => {
                    let idem = Some(("x-idempotency", format!("bench-{i}")));
                    call(&router, "POST", "/v1/cashouts", idem, Some(body.clone())).await
                }
            };
        }
        let spent = started.elapsed();
        let per = spent.as_secs_f64() * 1e6 / count.max(1) as f64;
        println!(
            "{mode} x{count}: {:.1} µs per request (wall time, in process)",
            per
        );
    });
}
