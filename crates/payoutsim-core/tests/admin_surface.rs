//! The admin surface's security: who may call the admin API (`Host`, `Origin`, the token, the
//! content type), webhook URLs that would reach it, masked secrets, and JSON for every error.
#![allow(clippy::unwrap_used)] // tests: an unexpected error should fail loudly

mod support;

use payoutsim_core::admin::{self, AdminOptions};
use payoutsim_core::surface::AdminListener;
use payoutsim_core::testkit::{self, Receiver, Resp, Sim};
use payoutsim_core::{Engine, EngineConfig};
use serde_json::json;
use support::{ToyExt, ToySpec, admin_raw, order, target};

/// The toy, its admin API built with `options`, the admin listener said to be at 127.0.0.1:4700.
fn with_options(options: AdminOptions) -> Sim<ToySpec> {
    let mut sim = Sim::new(1, ());
    sim.admin = admin::router(sim.engine.clone(), options);
    let addr = "127.0.0.1:4700".parse().unwrap();
    sim.engine
        .set_admin_listener(AdminListener { addr, token: None });
    sim
}

fn assert_error(r: &Resp, status: u16, says: &str) {
    assert_eq!(r.status, status, "{}", r.json);
    let error = r.json["error"].as_str().unwrap_or_default();
    assert!(error.contains(says), "`{says}` not in {}", r.json);
}

#[tokio::test]
async fn a_foreign_origin_cannot_reset_the_simulator() {
    let sim = with_options(AdminOptions::default());
    let id = order(&sim, "a").await;
    let evil = [("origin", "http://evil.example")];

    let r = admin_raw(&sim, "POST", "/__admin/reset", &evil, None).await;
    let null = admin_raw(
        &sim,
        "GET",
        "/__admin/requests",
        &[("origin", "null")],
        None,
    )
    .await;

    assert_error(&r, 403, "Origin: http://evil.example");
    assert_eq!(null.status, 403, "{}", null.json);
    assert!(sim.kit.status("toy:a", &id).is_some(), "nothing was reset");
}

#[tokio::test]
async fn a_foreign_host_is_refused_and_the_listener_s_own_names_are_not() {
    let sim = with_options(AdminOptions::default());
    let host = |h: &'static str| [("host", h)];

    let rebound = admin_raw(
        &sim,
        "GET",
        "/__admin/health",
        &host("evil.example:4700"),
        None,
    )
    .await;
    let other_port = admin_raw(
        &sim,
        "GET",
        "/__admin/health",
        &host("127.0.0.1:4702"),
        None,
    )
    .await;
    let loopback = admin_raw(
        &sim,
        "GET",
        "/__admin/health",
        &host("127.0.0.1:4700"),
        None,
    )
    .await;
    let named = admin_raw(
        &sim,
        "GET",
        "/__admin/health",
        &host("localhost:4700"),
        None,
    )
    .await;
    let v6 = admin_raw(&sim, "GET", "/__admin/health", &host("[::1]:4700"), None).await;

    assert_error(&rebound, 403, "Host: evil.example:4700");
    assert_eq!(other_port.status, 403, "{}", other_port.json);
    assert_eq!((loopback.status, named.status, v6.status), (200, 200, 200));
}

#[tokio::test]
async fn an_allowed_origin_and_host_and_the_admin_s_own_origin_may_call() {
    let options = AdminOptions {
        allow_origins: vec!["http://localhost:3000/".into()],
        allow_hosts: vec!["payoutsim".into()],
        ..AdminOptions::default()
    };
    let sim = with_options(options);
    let json = ("content-type", "application/json");
    let advance = br#"{"seconds": 1}"#.as_slice();
    let post = |origin: &'static str| {
        let headers = [("origin", origin), json];
        let sim = &sim;
        async move {
            admin_raw(
                sim,
                "POST",
                "/__admin/clock/advance",
                &headers,
                Some(advance),
            )
            .await
        }
    };

    let dashboard = post("http://localhost:3000").await;
    let own = post("http://127.0.0.1:4700").await;
    let other = post("http://localhost:3001").await;
    let container = admin_raw(
        &sim,
        "GET",
        "/__admin/health",
        &[("host", "payoutsim:4700")],
        None,
    )
    .await;

    assert_eq!(dashboard.status, 200, "{}", dashboard.json);
    assert_eq!(own.status, 200, "{}", own.json);
    assert_eq!(other.status, 403, "{}", other.json);
    assert_eq!(container.status, 200, "{}", container.json);
}

#[tokio::test]
async fn a_state_changing_call_with_a_body_must_be_json_or_yaml() {
    let sim = with_options(AdminOptions::default());
    let body = br#"{"seconds": 60}"#.as_slice();
    let call = |content_type: &'static str| {
        let sim = &sim;
        async move {
            let headers = [("content-type", content_type)];
            admin_raw(sim, "POST", "/__admin/clock/advance", &headers, Some(body)).await
        }
    };

    let plain = call("text/plain").await;
    let form = call("application/x-www-form-urlencoded").await;
    let untyped = admin_raw(&sim, "POST", "/__admin/clock/advance", &[], Some(body)).await;
    let json = call("application/json; charset=utf-8").await;
    let bodyless = admin_raw(&sim, "DELETE", "/__admin/requests", &[], None).await;

    assert_error(&plain, 415, "JSON or YAML");
    assert_eq!(form.status, 415, "{}", form.json);
    assert_eq!(untyped.status, 415, "{}", untyped.json);
    assert_eq!(json.status, 200, "{}", json.json);
    assert_eq!(json.json["now"], "2026-01-05T14:01:00.000000Z");
    assert_eq!(bodyless.status, 204);
}

#[tokio::test]
async fn the_inbox_obeys_the_admin_token() {
    let options = AdminOptions {
        token: Some("t0k".into()),
        ..AdminOptions::default()
    };
    let sim = with_options(options);
    let json = [("content-type", "application/json")];
    let with_token = [
        ("content-type", "application/json"),
        ("authorization", "Bearer t0k"),
    ];

    let anonymous = admin_raw(&sim, "POST", "/__admin/inbox/a", &json, Some(b"{}")).await;
    let read = admin_raw(&sim, "GET", "/__admin/inbox/a", &[], None).await;
    let delivered = admin_raw(&sim, "POST", "/__admin/inbox/a", &with_token, Some(b"{}")).await;

    assert_error(&anonymous, 401, "admin token");
    assert_eq!(read.status, 401);
    assert_eq!(delivered.status, 200);
}

#[tokio::test]
async fn every_admin_error_is_json_405_413_and_bad_utf_8_included() {
    let sim = with_options(AdminOptions::default());
    let big = vec![b'x'; 2 * 1024 * 1024 + 1];

    let not_allowed = admin_raw(&sim, "PUT", "/__admin/health", &[], None).await;
    let too_large = admin_raw(&sim, "POST", "/__admin/inbox/a", &[], Some(&big)).await;
    let bad_path = admin_raw(&sim, "GET", "/__admin/inbox/%FF%FE", &[], None).await;

    for (r, status) in [(&not_allowed, 405), (&too_large, 413), (&bad_path, 400)] {
        assert_eq!(r.status, status, "{}", r.json);
        let error = r.json["error"].as_str().unwrap_or_default();
        assert!(!error.is_empty(), "{status}: {}", r.json);
    }
    assert!(
        not_allowed.json["error"]
            .as_str()
            .unwrap()
            .contains("PUT /__admin/health"),
        "{}",
        not_allowed.json
    );
}

#[tokio::test]
async fn a_webhook_target_may_not_name_the_admin_listener_but_its_inbox() {
    let sim = with_options(AdminOptions::default());
    let new = |url: &str| json!({"provider": "toy", "tenant": "toy:a", "url": url});

    let reset = sim
        .admin(
            "POST",
            "/__admin/webhooks",
            Some(new("http://127.0.0.1:4700/__admin/reset")),
        )
        .await;
    let faults = sim
        .admin(
            "POST",
            "/__admin/webhooks",
            Some(new("http://0x7f.0.0.1:4700/__admin/faults")),
        )
        .await;
    let inbox = sim
        .admin(
            "POST",
            "/__admin/webhooks",
            Some(new("http://localhost:4700/__admin/inbox/x")),
        )
        .await;

    assert_error(&reset, 400, "admin listener");
    assert_error(&faults, 400, "admin listener");
    assert_eq!(inbox.status, 201, "{}", inbox.json);
}

#[tokio::test]
async fn a_delivery_that_would_reach_the_admin_listener_is_not_sent() {
    // A target made without the registration check (before the listener was bound, say).
    let sim: Sim<ToySpec> = Sim::new(1, ());
    let base = testkit::spawn(sim.admin.clone()).await;
    let addr: std::net::SocketAddr = base.trim_start_matches("http://").parse().unwrap();
    sim.engine
        .set_admin_listener(AdminListener { addr, token: None });
    let url = format!("http://localhost:{}/__admin/reset", addr.port());
    sim.engine
        .add_webhook_target(target("toy:a", &url))
        .unwrap();

    let id = order(&sim, "a").await;
    sim.engine.settle(None).await;

    let deliveries = sim.engine.deliveries(None, None);
    assert_eq!(deliveries.len(), 1);
    let error = deliveries[0].error.as_deref().unwrap_or_default();
    assert!(error.contains("admin listener"), "{error}");
    assert!(sim.kit.status("toy:a", &id).is_some(), "nothing was reset");
}

#[tokio::test]
async fn an_allow_list_limits_webhook_hosts() {
    let config = EngineConfig {
        webhook_allow_hosts: vec!["hooks.example.com".into()],
        ..testkit::sim_config(1)
    };
    let sim: Sim<ToySpec> = Sim::with_engine(Engine::new(config), ());
    let new = |url: &str| json!({"provider": "toy", "tenant": "toy:a", "url": url});

    let listed = sim
        .admin(
            "POST",
            "/__admin/webhooks",
            Some(new("https://hooks.example.com/h")),
        )
        .await;
    let other = sim
        .admin(
            "POST",
            "/__admin/webhooks",
            Some(new("https://other.example.com/h")),
        )
        .await;

    assert_eq!(listed.status, 201, "{}", listed.json);
    assert_error(&other, 400, "--webhook-allow-hosts");
}

#[tokio::test]
async fn secrets_are_masked_in_listings_and_shown_once_when_created() {
    let sim: Sim<ToySpec> = Sim::new(1, ());
    let rx = Receiver::start().await;
    let new = json!({"provider": "toy", "tenant": "toy:a", "url": rx.url, "secret": "s3cret"});

    let created = sim.admin("POST", "/__admin/webhooks", Some(new)).await;
    let listed = sim.admin("GET", "/__admin/webhooks", None).await;
    let objects_headers = [("x-tenant", "toy:a"), ("authorization", "Bearer sk_live_9")];
    sim.call(
        "POST",
        "/orders",
        &objects_headers,
        Some(br#"{"amount": 1, "password": "p"}"#),
    )
    .await;
    let journal = sim.admin("GET", "/__admin/requests", None).await;

    assert_eq!(created.json["secret"], "s3cret");
    assert_eq!(listed.json["webhooks"][0]["secret"], "****");
    let entry = &journal.json["requests"][0];
    assert_eq!(entry["headers"]["authorization"], "Bearer ****");
    assert_eq!(entry["body"]["password"], "****");
    assert_eq!(entry["body"]["amount"], 1);
}

#[tokio::test]
async fn show_secrets_shows_them_in_listings_and_the_journal() {
    let config = EngineConfig {
        show_secrets: true,
        ..testkit::sim_config(1)
    };
    let sim: Sim<ToySpec> = Sim::with_engine(Engine::new(config), ());
    sim.engine
        .add_webhook_target(target("toy:a", "http://127.0.0.1:9/h"))
        .unwrap();
    sim.call(
        "POST",
        "/orders",
        &[("x-tenant", "toy:a"), ("authorization", "Bearer k")],
        Some(b"{}"),
    )
    .await;

    let listed = sim.admin("GET", "/__admin/webhooks", None).await;
    let journal = sim.admin("GET", "/__admin/requests", None).await;

    assert_eq!(listed.json["webhooks"][0]["secret"], "s3cret");
    assert_eq!(
        journal.json["requests"][0]["headers"]["authorization"],
        "Bearer k"
    );
}
