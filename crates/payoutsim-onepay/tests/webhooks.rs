//! The webhooks API and signed deliveries to a real receiver on 127.0.0.1.

#![allow(clippy::unwrap_used)] // helpers outside #[test] fns: a failed unwrap is a failed test

mod support;

use payoutsim_core::testkit::Receiver;
use serde_json::{Value, json};
use support::*;

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
        .call_as("PATCH", &path, Some(TEST_KEY), &[], Some(patch.as_bytes()))
        .await;
    let other = sim.get(OTHER_KEY, &path).await;
    let deleted = sim
        .call_as("DELETE", &path, Some(TEST_KEY), &[], None)
        .await;
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

/// The simulator's admin listener, as `payoutsim serve` tells the engine once it is bound.
fn admin_listener_at(sim: &Sim, addr: &str) {
    let addr = addr.parse().unwrap();
    let listener = payoutsim_core::surface::AdminListener { addr, token: None };
    sim.engine.set_admin_listener(listener);
}

#[tokio::test]
async fn a_webhook_to_the_admin_listener_is_a_validation_error_but_its_inbox_is_not() {
    let sim = sim(1);
    admin_listener_at(&sim, "127.0.0.1:4700");
    let reset = webhook_body("http://localhost:4700/__admin/reset");
    let inbox = webhook_body("http://127.0.0.1:4700/__admin/inbox/my-app");

    let refused = sim.post(TEST_KEY, "/v1/webhooks", reset).await;
    let allowed = sim.post(TEST_KEY, "/v1/webhooks", inbox).await;
    let id = allowed.json["data"]["id"].as_str().unwrap().to_string();
    let patch = json!({"url": "http://[::1]:4700/__admin/faults"}).to_string();
    let patched = sim
        .call_as(
            "PATCH",
            &format!("/v1/webhooks/{id}"),
            Some(TEST_KEY),
            &[],
            Some(patch.as_bytes()),
        )
        .await;

    refused.assert_envelope(422, "422", "validation_error");
    assert_eq!(refused.error_keys(), ["url"]);
    assert!(
        refused.json.to_string().contains("admin listener"),
        "{}",
        refused.json
    );
    assert_eq!(allowed.status, 201, "{}", allowed.json);
    patched.assert_envelope(422, "422", "validation_error");
    let targets = sim.engine.webhook_targets(Some("onepay"), None);
    assert_eq!(targets.len(), 1);
    assert!(
        targets[0].url.ends_with("/__admin/inbox/my-app"),
        "{}",
        targets[0].url
    );
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
    let receiver = Receiver::start().await;
    let hook = sim
        .post(TEST_KEY, "/v1/webhooks", webhook_body(&receiver.url))
        .await;
    let secret = hook.json["data"]["secret"].as_str().unwrap().to_string();
    let token = hook.json["data"]["header"].as_str().unwrap().to_string();
    let (_, _, created) = sim.pay("0012345678", json!(1000), "TURBO").await;

    sim.engine.advance(60.0, None).await;
    sim.engine.advance(1800.0, None).await;
    sim.engine.settle(None).await;

    let got = receiver.received();
    let events: Vec<&str> = got
        .iter()
        .map(|r| r.json["event"].as_str().unwrap())
        .collect();
    assert_eq!(
        events,
        ["cashout.created", "cashout.approved", "cashout.processed"]
    );
    for r in &got {
        let expected = payoutsim_onepay::signature(&secret, &r.raw);
        assert_eq!(r.headers["x-signature"], expected.as_str());
        assert_eq!(expected.len(), 64);
        assert_eq!(r.headers["x-webhook-token"], token.as_str());
        assert_eq!(r.json["data"]["id"], created.json["id"]);
    }
    assert_eq!(got[2].json["data"]["status"], "processed");
}

#[tokio::test]
async fn a_failed_cashout_is_announced_as_rejected_with_its_remarks() {
    let sim = sim(1);
    let receiver = Receiver::start().await;
    let mut body = webhook_body(&receiver.url);
    body["events"] = json!(["cashout.rejected"]);
    sim.post(TEST_KEY, "/v1/webhooks", body).await;
    sim.pay("1111111110", json!(1000), "TURBO").await;

    sim.engine.advance(3600.0, None).await;
    sim.engine.settle(None).await;

    let got = receiver.bodies();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0]["event"], "cashout.rejected");
    assert_eq!(got[0]["data"]["remarks"]["code"], "ACCOUNT_CLOSED");
}
