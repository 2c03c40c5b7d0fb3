//! The engine driven through a minimal provider: lifecycles on the timeline, per-tenant time,
//! webhooks with retries on the simulated clock, reset.
#![allow(clippy::unwrap_used)] // tests: an unexpected error should fail loudly

mod support;

use std::collections::BTreeMap;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use payoutsim_core::testkit::Receiver;
use payoutsim_core::webhooks::WebhookTarget;
use serde_json::Value;
use support::{ToyExt, manual_config, public_app, toy};
use tower::ServiceExt;

async fn post_order(app: &axum::Router, tenant: &str, amount: i64) -> Value {
    let req = Request::post("/orders")
        .header("x-tenant", tenant)
        .body(Body::from(format!("{{\"amount\":{amount}}}")))
        .unwrap();
    let resp = app.clone().oneshot(req).await.unwrap();
    assert_eq!(resp.status(), StatusCode::CREATED);
    serde_json::from_slice(&resp.into_body().collect().await.unwrap().to_bytes()).unwrap()
}

fn target(tenant: &str, url: &str) -> WebhookTarget {
    WebhookTarget {
        id: String::new(),
        provider: "toy".into(),
        tenant: tenant.into(),
        url: url.into(),
        events: vec![],
        secret: "s3cret".into(),
        extra: BTreeMap::new(),
        created_at: String::new(),
    }
}

#[tokio::test]
async fn an_object_moves_through_its_machine_as_time_is_advanced() {
    let (toy, provider) = toy(manual_config(1));
    let app = public_app(&toy, &provider);
    let order = post_order(&app, "a", 1).await;
    let id = order["id"].as_str().unwrap();
    assert_eq!(order["status"], "new");

    toy.engine().advance(9.0, None).await;
    assert_eq!(toy.status("toy:a", id).as_deref(), Some("new"));
    toy.engine().advance(1.0, None).await;
    assert_eq!(toy.status("toy:a", id).as_deref(), Some("working"));
    toy.engine().advance(20.0, None).await;
    assert_eq!(toy.status("toy:a", id).as_deref(), Some("done"));
}

#[tokio::test]
async fn one_large_advance_applies_every_step_in_order_at_its_own_time() {
    let (toy, provider) = toy(manual_config(1));
    let app = public_app(&toy, &provider);
    let id = post_order(&app, "a", 13).await["id"]
        .as_str()
        .unwrap()
        .to_string();

    toy.engine().advance(3600.0, None).await;

    assert_eq!(toy.status("toy:a", &id).as_deref(), Some("failed"));
    let log = toy.engine().transitions(Some("toy"), Some(&id));
    let steps: Vec<(&str, String)> = log
        .iter()
        .map(|t| (t.to.as_str(), payoutsim_core::clock::rfc3339(t.at)))
        .collect();
    assert_eq!(
        steps,
        [
            ("new", "2026-01-05T14:00:00.000000Z".to_string()),
            ("working", "2026-01-05T14:00:10.000000Z".to_string()),
            ("failed", "2026-01-05T14:00:30.000000Z".to_string())
        ]
    );
}

#[tokio::test]
async fn advancing_one_tenant_leaves_the_others_where_they_were() {
    let (toy, provider) = toy(manual_config(1));
    let app = public_app(&toy, &provider);
    let a = post_order(&app, "a", 1).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let b = post_order(&app, "b", 1).await["id"]
        .as_str()
        .unwrap()
        .to_string();

    toy.engine().advance(60.0, Some("toy:a")).await;

    assert_eq!(toy.status("toy:a", &a).as_deref(), Some("done"));
    assert_eq!(toy.status("toy:b", &b).as_deref(), Some("new"));
    assert_eq!(
        (toy.engine().now_for("toy:a") - toy.engine().clock().now()).num_seconds(),
        60
    );
}

#[tokio::test]
async fn tenants_draw_ids_from_their_own_streams() {
    let (one, p1) = toy(manual_config(5));
    let (two, p2) = toy(manual_config(5));
    let (app1, app2) = (public_app(&one, &p1), public_app(&two, &p2));

    let _ = post_order(&app1, "noise", 1).await;
    let first = post_order(&app1, "a", 1).await;
    let second = post_order(&app2, "a", 1).await;

    assert_eq!(first["id"], second["id"]);
}

#[tokio::test]
async fn webhooks_are_delivered_in_order_with_the_providers_signature() {
    let (toy, provider) = toy(manual_config(1));
    let app = public_app(&toy, &provider);
    let rx = Receiver::start().await;
    toy.engine().add_webhook_target(target("toy:a", &rx.url));

    post_order(&app, "a", 1).await;
    toy.engine().advance(30.0, None).await;

    let got = rx.received();
    let statuses: Vec<&str> = got
        .iter()
        .map(|r| r.json["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["new", "working", "done"]);
    assert_eq!(got[0].headers["x-toy-secret"], "s3cret");
    let deliveries = toy.engine().deliveries(Some("toy"), None);
    assert!(
        deliveries
            .iter()
            .all(|d| d.status == Some(200) && d.attempt == 1)
    );
}

#[tokio::test]
async fn a_failed_delivery_is_retried_after_the_backoff_of_simulated_time() {
    let (toy, provider) = toy(manual_config(1));
    let app = public_app(&toy, &provider);
    let rx = Receiver::scripted(vec![500, 503]).await;
    let mut t = target("toy:a", &rx.url);
    t.events = vec!["order.new".into()];
    toy.engine().add_webhook_target(t);

    post_order(&app, "a", 1).await;
    toy.engine().settle(None).await;
    assert_eq!(rx.received().len(), 1);

    toy.engine().advance(29.0, None).await;
    assert_eq!(rx.received().len(), 1, "not before the 30 s backoff");
    toy.engine().advance(1.0, None).await;
    assert_eq!(rx.received().len(), 2);
    toy.engine().advance(120.0, None).await;

    let attempts: Vec<(u32, Option<u16>, String)> = toy
        .engine()
        .deliveries(None, None)
        .into_iter()
        .map(|d| (d.attempt, d.status, d.at))
        .collect();
    assert_eq!(
        attempts,
        [
            (1, Some(500), "2026-01-05T14:00:00.000000Z".to_string()),
            (2, Some(503), "2026-01-05T14:00:30.000000Z".to_string()),
            (3, Some(200), "2026-01-05T14:02:30.000000Z".to_string()),
        ]
    );
}

#[tokio::test]
async fn an_unreachable_target_records_the_error_and_gives_up_after_the_last_attempt() {
    let mut config = manual_config(1);
    config.webhooks.max_attempts = 2;
    let (toy, provider) = toy(config);
    let app = public_app(&toy, &provider);
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let dead = format!("http://{}/hook", listener.local_addr().unwrap());
    drop(listener);
    toy.engine().add_webhook_target(target("toy:a", &dead));

    post_order(&app, "a", 1).await;
    toy.engine().advance(24.0 * 3600.0, Some("toy:a")).await;

    let new: Vec<_> = toy
        .engine()
        .deliveries(None, None)
        .into_iter()
        .filter(|d| d.event == "order.new")
        .collect();
    assert_eq!(new.len(), 2);
    assert!(
        new.iter()
            .all(|d| d.status.is_none() && d.error.as_deref() == Some("connection refused"))
    );
}

#[tokio::test]
async fn reset_forgets_objects_and_replays_id_streams() {
    let (toy, provider) = toy(manual_config(9));
    let app = public_app(&toy, &provider);
    let first = post_order(&app, "a", 1).await;
    toy.engine().reset(None);

    assert!(toy.engine().journal().is_empty());
    assert!(toy.engine().pending(None).is_empty());
    let again = post_order(&app, "a", 1).await;
    assert_eq!(first["id"], again["id"]);
    assert_eq!(toy.engine().journal().len(), 1);
}

#[tokio::test]
async fn the_journal_records_tenant_bodies_and_status() {
    let (toy, provider) = toy(manual_config(1));
    let app = public_app(&toy, &provider);
    post_order(&app, "a", 7).await;

    let (entries, total) = toy.engine().journal().query(&Default::default());

    assert_eq!(total, 1);
    let e = &entries[0];
    assert_eq!(
        (e.provider.as_str(), e.tenant.as_deref(), e.method.as_str()),
        ("toy", Some("toy:a"), "POST")
    );
    assert_eq!(e.body["amount"], 7);
    assert_eq!(e.status, 201);
    assert_eq!(e.response_body["status"], "new");
}

#[tokio::test]
async fn an_oversized_body_is_refused_in_the_providers_own_format() {
    let (toy, provider) = toy(manual_config(1));
    let app = public_app(&toy, &provider);
    let big = vec![b' '; 1024 * 1024 + 1];

    let req = Request::post("/orders")
        .header("x-tenant", "a")
        .body(Body::from(big))
        .unwrap();
    let resp = app.oneshot(req).await.unwrap();

    assert_eq!(resp.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let body: Value =
        serde_json::from_slice(&resp.into_body().collect().await.unwrap().to_bytes()).unwrap();
    assert!(
        body["toy_error"]
            .as_str()
            .unwrap()
            .contains("larger than 1048576 bytes")
    );
    assert!(
        payoutsim_core::Provider::objects(&toy, None, None)["objects"]
            .as_array()
            .unwrap()
            .is_empty()
    );
}

#[tokio::test(start_paused = true)]
async fn with_a_real_clock_a_request_catches_its_tenant_up_without_waiting_for_the_ticker() {
    let mut config = manual_config(1);
    config.clock.mode = payoutsim_core::clock::ClockMode::Real;
    config.clock.time_scale = 10.0;
    config.clock.start = Some(payoutsim_core::clock::manual_epoch());
    let (toy, provider) = toy(config);
    let app = public_app(&toy, &provider);
    let id = post_order(&app, "a", 1).await["id"]
        .as_str()
        .unwrap()
        .to_string();

    tokio::time::advance(std::time::Duration::from_secs(1)).await; // 10 simulated seconds
    toy.engine().catch_up("toy:b");
    assert_eq!(
        toy.status("toy:a", &id).as_deref(),
        Some("new"),
        "another tenant's catch-up leaves it"
    );
    toy.engine().catch_up("toy:a");

    assert_eq!(toy.status("toy:a", &id).as_deref(), Some("working"));
}
