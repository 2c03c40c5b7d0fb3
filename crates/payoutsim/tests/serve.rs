//! `payoutsim::start` on real sockets: listeners, ready file, journal, shutdown.
#![allow(clippy::unwrap_used)] // tests: an unexpected error should fail loudly

mod common;

use std::collections::BTreeMap;

use common::{get_json, send_json};
use payoutsim::{ProviderId, REGISTRY, Running, ServeConfig};
use serde_json::{Value, json};

fn temp_path(name: &str) -> std::path::PathBuf {
    std::env::temp_dir().join(format!("payoutsim-{}-{name}", std::process::id()))
}

/// A test configuration writing its ready file to a fresh temporary path.
fn with_ready_file(name: &str) -> (std::path::PathBuf, ServeConfig) {
    let ready = temp_path(name);
    let config = ServeConfig {
        ready_file: Some(ready.clone()),
        ..ServeConfig::for_tests()
    };
    (ready, config)
}

#[tokio::test]
async fn start_binds_every_listener_and_writes_the_ready_file() {
    let (ready, config) = with_ready_file("ready.json");

    let running = payoutsim::start(config).await.unwrap();

    let file: Value = serde_json::from_slice(&std::fs::read(&ready).unwrap()).unwrap();
    assert_eq!(file["admin"], running.url("admin").unwrap());
    assert_eq!(file["onepay"], running.url("onepay").unwrap());
    let health = health(&running).await;
    assert_eq!(health["status"], "ok");
    assert_eq!(
        health["providers"],
        json!(["dots", "kashpay", "onepay", "onspot", "tupay"])
    );
    for name in ["onspot", "kashpay", "tupay", "dots"] {
        assert_eq!(file[name], running.url(name).unwrap());
    }
    running.shutdown().await.unwrap();
    std::fs::remove_file(ready).ok();
}

#[tokio::test]
async fn the_ready_file_is_gone_after_a_clean_stop() {
    let (ready, config) = with_ready_file("ready-gone.json");
    let running = payoutsim::start(config).await.unwrap();
    let written = ready.exists();

    running.shutdown().await.unwrap();

    assert!(
        written,
        "the ready file is written once every listener is bound"
    );
    assert!(!ready.exists(), "{} is left behind", ready.display());
}

/// What the admin API's health check answers.
async fn health(running: &Running) -> Value {
    get_json(&format!("{}/__admin/health", running.url("admin").unwrap())).await
}

/// Starts `config` on a real port base (not 0, which picks any ports), trying another base while
/// one of its ports is taken. Returns the base.
async fn start_on_a_free_port_base(config: ServeConfig) -> (u16, Running) {
    for _ in 0..20 {
        let free = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let base = free.local_addr().unwrap().port().min(u16::MAX - 8);
        drop(free);
        let config = ServeConfig {
            port_base: base,
            ..config.clone()
        };
        match payoutsim::start(config).await {
            Ok(running) => return (base, running),
            Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => continue,
            Err(e) => panic!("{e}"),
        }
    }
    panic!("no free port base found in 20 tries");
}

/// Each listener's port, by name.
fn ports(running: &Running) -> BTreeMap<String, u16> {
    let port = |url: &str| url.rsplit(':').next().unwrap().parse().unwrap();
    running
        .urls
        .iter()
        .map(|(name, url)| (name.clone(), port(url)))
        .collect()
}

#[tokio::test]
async fn start_serves_exactly_the_registered_providers_on_base_plus_their_offset() {
    let (base, running) = start_on_a_free_port_base(ServeConfig::for_tests()).await;

    let served = ports(&running);
    running.shutdown().await.unwrap();

    let mut expected: BTreeMap<String, u16> = REGISTRY
        .iter()
        .map(|e| (e.name.to_string(), base + e.port_offset))
        .collect();
    expected.insert("admin".into(), base);
    assert_eq!(served, expected);
}

#[tokio::test]
async fn start_serves_only_the_providers_asked_for_on_their_own_ports() {
    let config = ServeConfig {
        providers: vec!["kashpay".parse().unwrap(), "onepay".parse().unwrap()],
        ..ServeConfig::for_tests()
    };
    let onepay: ProviderId = "onepay".parse().unwrap();

    let (base, running) = start_on_a_free_port_base(config).await;
    let health = health(&running).await;
    let served = ports(&running);
    running.shutdown().await.unwrap();

    assert_eq!(health["providers"], json!(["kashpay", "onepay"]));
    assert_eq!(
        served.keys().collect::<Vec<_>>(),
        ["admin", "kashpay", "onepay"]
    );
    assert_eq!(served["onepay"], base + onepay.port_offset());
}

#[tokio::test]
async fn requests_to_a_provider_port_are_journaled_for_the_admin_api() {
    let running = payoutsim::start(ServeConfig::for_tests()).await.unwrap();
    let client = reqwest::Client::new();

    let resp = client
        .get(format!("{}/v1/cashouts", running.url("onepay").unwrap()))
        .header("authorization", "Bearer sk_test_journal")
        .send()
        .await
        .unwrap();
    let admin = running.url("admin").unwrap();
    let journal = send_json(client.get(format!("{admin}/__admin/requests?provider=onepay"))).await;

    assert_eq!(resp.status(), 200);
    assert_eq!(journal["total"], 1);
    let entry = &journal["requests"][0];
    assert_eq!(entry["path"], "/v1/cashouts");
    assert_eq!(entry["tenant"], "onepay:sk_test_journal");
    assert_eq!(entry["status"], 200);
    running.shutdown().await.unwrap();
}

#[tokio::test]
async fn shutdown_closes_every_listener() {
    let running = payoutsim::start(ServeConfig::for_tests()).await.unwrap();
    let admin = running.url("admin").unwrap().to_string();

    running.shutdown().await.unwrap();

    let err = reqwest::get(format!("{admin}/__admin/health"))
        .await
        .unwrap_err();
    assert!(err.is_connect(), "{err}");
}

#[tokio::test]
async fn a_taken_port_is_reported_with_the_listener_that_could_not_bind() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    let config = ServeConfig {
        port_base: port,
        ..ServeConfig::for_tests()
    };

    let err = payoutsim::start(config).await.err().unwrap();

    assert!(
        err.to_string().contains("cannot bind the admin listener"),
        "{err}"
    );
}

#[tokio::test]
async fn a_webhook_target_for_a_provider_without_webhooks_is_refused() {
    let running = payoutsim::start(ServeConfig::for_tests()).await.unwrap();
    let admin = running.url("admin").unwrap().to_string();
    let http = reqwest::Client::new();
    let target = |provider: &str, tenant: &str| json!({"provider": provider, "tenant": tenant, "url": "http://127.0.0.1:9/hooks"});

    let mut answers = Vec::new();
    for (provider, tenant) in [("onspot", "onspot:test:pk"), ("kashpay", "kashpay:com.x")] {
        let resp = http
            .post(format!("{admin}/__admin/webhooks"))
            .json(&target(provider, tenant))
            .send()
            .await
            .unwrap();
        answers.push((resp.status().as_u16(), resp.json::<Value>().await.unwrap()));
    }
    let onepay = http
        .post(format!("{admin}/__admin/webhooks"))
        .json(&target("onepay", "onepay:sk_test_x"))
        .send()
        .await
        .unwrap();
    running.shutdown().await.unwrap();

    for ((status, body), name) in answers.iter().zip(["onspot", "kashpay"]) {
        assert_eq!(*status, 400, "{body}");
        assert_eq!(
            body["error"],
            format!("`provider`: {name} sends no webhooks")
        );
    }
    assert_eq!(onepay.status().as_u16(), 201);
}

#[tokio::test]
async fn a_onepay_client_cannot_point_a_webhook_at_the_admin_listener_to_reset_everyone() {
    let running = payoutsim::start(ServeConfig::for_tests()).await.unwrap();
    let admin = running.url("admin").unwrap().to_string();
    let onepay = running.url("onepay").unwrap().to_string();
    let http = reqwest::Client::new();
    let subscribe = |url: String| {
        http.post(format!("{onepay}/v1/webhooks"))
            .bearer_auth("sk_test_attacker")
            .json(&json!({"name": "x", "url": url, "events": ["cashout.created"]}))
            .send()
    };

    let reset = subscribe(format!("{admin}/__admin/reset")).await.unwrap();
    let inbox = subscribe(format!("{admin}/__admin/inbox/mine"))
        .await
        .unwrap();
    let (reset_status, reset_body) = (
        reset.status().as_u16(),
        reset.json::<Value>().await.unwrap(),
    );
    let inbox_status = inbox.status().as_u16();
    running.shutdown().await.unwrap();

    assert_eq!(reset_status, 422, "{reset_body}");
    assert!(
        reset_body.to_string().contains("admin listener"),
        "{reset_body}"
    );
    assert_eq!(inbox_status, 201);
}

#[tokio::test]
async fn a_web_page_cannot_call_the_admin_api_and_its_own_inbox_gets_the_token() {
    let config = ServeConfig {
        admin_token: Some("t0k".into()),
        ..ServeConfig::for_tests()
    };
    let running = payoutsim::start(config).await.unwrap();
    let admin = running.url("admin").unwrap().to_string();
    let http = reqwest::Client::new();
    let from_page = http
        .post(format!("{admin}/__admin/reset"))
        .bearer_auth("t0k")
        .header("origin", "http://evil.example")
        .send()
        .await
        .unwrap();
    let text_plain = http
        .post(format!("{admin}/__admin/faults"))
        .bearer_auth("t0k")
        .header("content-type", "text/plain")
        .body(r#"{"match":{"provider":"onepay"},"fault":{"kind":"status","status":503}}"#)
        .send()
        .await
        .unwrap();
    let target = json!({"provider": "onepay", "tenant": "onepay:sk_test_x",
        "url": format!("{admin}/__admin/inbox/mine")});
    let created = http
        .post(format!("{admin}/__admin/webhooks"))
        .bearer_auth("t0k")
        .json(&target)
        .send()
        .await
        .unwrap();
    let created_status = created.status().as_u16();
    let engine = &running.app.engine;
    let now = engine.clock().now();
    let body = axum::body::Bytes::from_static(br#"{"event":"cashout.created"}"#);
    engine.emit_webhook("onepay", "onepay:sk_test_x", "cashout.created", &body, now);
    engine.settle(None).await;
    let deliveries = engine.deliveries(None, None);
    running.shutdown().await.unwrap();

    assert_eq!(from_page.status().as_u16(), 403);
    assert_eq!(text_plain.status().as_u16(), 415);
    assert_eq!(created_status, 201);
    assert!(
        !deliveries.is_empty() && deliveries.iter().all(|d| d.status == Some(200)),
        "inbox deliveries carry the admin token: {deliveries:?}"
    );
}
