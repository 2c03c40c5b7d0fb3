//! The webhooks API and signed deliveries to a real receiver on 127.0.0.1.

#![allow(clippy::unwrap_used)] // helpers outside #[test] fns: a failed unwrap is a failed test

mod support;

use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::State;
use axum::routing::post;
use bytes::Bytes;
use http::HeaderMap;
use serde_json::{Value, json};
use support::*;

type Inbox = Arc<Mutex<Vec<(HeaderMap, Bytes)>>>;

/// A tiny receiver: every POST to `/hook` is kept and answered 200.
async fn receiver() -> (String, Inbox) {
    let inbox: Inbox = Arc::default();
    let app = Router::new()
        .route(
            "/hook",
            post(
                |State(inbox): State<Inbox>, headers: HeaderMap, body: Bytes| async move {
                    inbox.lock().unwrap().push((headers, body));
                },
            ),
        )
        .with_state(inbox.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}/hook"), inbox)
}

fn webhook_body(url: &str) -> Value {
    json!({
        "name": "payouts",
        "description": "cashout events",
        "url": url,
        "events": ["cashout.created", "cashout.approved", "cashout.processed", "cashout.rejected"]
    })
}

#[tokio::test]
async fn a_webhook_is_created_listed_updated_and_deleted() {
    let sim = sim(1);

    let created = sim
        .post(
            TEST_KEY,
            "/v1/webhooks",
            webhook_body("http://127.0.0.1:9/h"),
        )
        .await;
    let id = created.json["data"]["id"].as_str().unwrap().to_string();
    let path = format!("/v1/webhooks/{id}");
    let listed = sim.get(TEST_KEY, "/v1/webhooks").await;
    let patch = json!({"name": "renamed", "events": ["cashout.processed"]}).to_string();
    let patched = sim
        .call("PATCH", &path, Some(TEST_KEY), &[], Some(patch.as_bytes()))
        .await;
    let other = sim.get(OTHER_KEY, &path).await;
    let deleted = sim.call("DELETE", &path, Some(TEST_KEY), &[], None).await;
    let gone = sim.get(TEST_KEY, &path).await;

    assert_eq!(created.status, 201);
    let data = &created.json["data"];
    assert!(data["secret"].as_str().unwrap().starts_with("wh_tok_"));
    assert_eq!(data["secret"].as_str().unwrap().len(), "wh_tok_".len() + 32);
    assert!(data["header"].as_str().unwrap().starts_with("wh_hdr_"));
    assert_eq!(data["is_test"], true);
    assert_eq!(data["created_at"], "2026-01-05T14:00:00.000000Z");
    assert_eq!(listed.json["total"], 1);
    assert_eq!(patched.status, 200);
    assert_eq!(patched.json["data"]["name"], "renamed");
    assert_eq!(patched.json["data"]["events"], json!(["cashout.processed"]));
    assert_eq!(patched.json["data"]["secret"], data["secret"]);
    assert_eq!(other.status, 404);
    assert_eq!(deleted.status, 204);
    assert_eq!(gone.status, 404);
}

#[tokio::test]
async fn webhook_validation_rejects_bad_urls_and_unknown_events() {
    let sim = sim(1);
    let body = json!({"url": "ftp://x", "events": ["cashout.created", "payment.created"]});

    let r = sim.post(TEST_KEY, "/v1/webhooks", body).await;
    let empty = sim
        .post(
            TEST_KEY,
            "/v1/webhooks",
            json!({"name": "n", "url": "http://h/", "events": []}),
        )
        .await;

    r.assert_envelope(422, "422", "validation_error");
    assert_eq!(r.error_keys(), ["name", "url", "events.1"]);
    assert_eq!(empty.error_keys(), ["events"]);
}

#[tokio::test]
async fn deliveries_arrive_in_order_signed_with_the_secret_and_the_header_token() {
    let sim = sim(1);
    let (url, inbox) = receiver().await;
    let hook = sim.post(TEST_KEY, "/v1/webhooks", webhook_body(&url)).await;
    let secret = hook.json["data"]["secret"].as_str().unwrap().to_string();
    let token = hook.json["data"]["header"].as_str().unwrap().to_string();
    let (c, a) = sim.payee(TEST_KEY, "0012345678").await;
    let created = sim
        .cashout(TEST_KEY, "k", cashout_body(&c, &a, json!(1000), "TURBO"))
        .await;

    sim.engine.advance(60.0, None).await;
    sim.engine.advance(1800.0, None).await;
    sim.engine.settle(None).await;

    let got = inbox.lock().unwrap().clone();
    let events: Vec<String> = got
        .iter()
        .map(|(_, b)| {
            serde_json::from_slice::<Value>(b).unwrap()["event"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(
        events,
        ["cashout.created", "cashout.approved", "cashout.processed"]
    );
    for (headers, body) in &got {
        let expected = payoutsim_onepay::signature(&secret, body);
        assert_eq!(headers["x-signature"], expected.as_str());
        assert_eq!(expected.len(), 64);
        assert_eq!(headers["x-webhook-token"], token.as_str());
        let payload: Value = serde_json::from_slice(body).unwrap();
        assert_eq!(payload["data"]["id"], created.json["id"]);
    }
    let last: Value = serde_json::from_slice(&got[2].1).unwrap();
    assert_eq!(last["data"]["status"], "processed");
}

#[tokio::test]
async fn a_failed_cashout_is_announced_as_rejected_with_its_remarks() {
    let sim = sim(1);
    let (url, inbox) = receiver().await;
    let mut body = webhook_body(&url);
    body["events"] = json!(["cashout.rejected"]);
    sim.post(TEST_KEY, "/v1/webhooks", body).await;
    let (c, a) = sim.payee(TEST_KEY, "1111111110").await;
    sim.cashout(TEST_KEY, "k", cashout_body(&c, &a, json!(1000), "TURBO"))
        .await;

    sim.engine.advance(3600.0, None).await;
    sim.engine.settle(None).await;

    let got = inbox.lock().unwrap().clone();
    assert_eq!(got.len(), 1);
    let payload: Value = serde_json::from_slice(&got[0].1).unwrap();
    assert_eq!(payload["event"], "cashout.rejected");
    assert_eq!(payload["data"]["remarks"]["code"], "ACCOUNT_CLOSED");
}
