//! Webhooks sent the Svix way through the engine: a provider that signs with `svix::headers`,
//! ids its messages with `svix::message_id` and retries on `RetryPolicy::svix()`. Every attempt
//! is signed afresh, with the same `svix-id`, on the schedule of simulated time.
#![allow(clippy::unwrap_used)] // tests: an unexpected error should fail loudly

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::Router;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use http::StatusCode;
use payoutsim_core::clock::manual_epoch;
use payoutsim_core::kit::{Event, Kit, Spec};
use payoutsim_core::machine::StateMachine;
use payoutsim_core::svix::{self, DEFAULT_TOLERANCE_S, Headers, Secret, Timestamps, VerifyError};
use payoutsim_core::testkit::{Receiver, Sim};
use payoutsim_core::webhooks::{Attempt, Delivery, RetryPolicy, WebhookFault, WebhookFaults};
use payoutsim_core::{Engine, Transition};
use serde_json::json;

/// A provider that only sends webhooks, Svix's way; its config is the `svix-timestamp` clock.
struct RelaySpec;

impl Spec for RelaySpec {
    const NAME: &'static str = "relay";
    type Config = Timestamps;
    type Store = ();
    type Error = Response;

    fn new(_engine: &Engine, _config: &Timestamps) -> Self {
        RelaySpec
    }
    fn machines(_config: &Timestamps) -> Vec<StateMachine> {
        Vec::new()
    }
    fn routes() -> Router<Kit<Self>> {
        Router::new()
    }
    fn error_response(status: StatusCode, message: &str) -> Response {
        (status, message.to_string()).into_response()
    }
    fn on_transition(_kit: &Kit<Self>, _store: &mut (), _change: &Transition) -> Vec<Event> {
        Vec::new()
    }
    fn webhook_events() -> &'static [&'static str] {
        &["thing.happened"]
    }
    fn new_webhook_secret(kit: &Kit<Self>, tenant: &str) -> (String, BTreeMap<String, String>) {
        let secret = svix::new_secret(kit.engine().ids(), &svix::stream(tenant));
        (secret, BTreeMap::new())
    }
    fn check_webhook_secret(secret: &str) -> Result<(), String> {
        Secret::parse(secret).map(drop).map_err(|e| e.to_string())
    }
    fn webhook_message_id(kit: &Kit<Self>, tenant: &str, _event: &str) -> Option<String> {
        Some(svix::message_id(kit.engine().ids(), &svix::stream(tenant)))
    }
    fn webhook_retry() -> Option<RetryPolicy> {
        Some(RetryPolicy::svix())
    }
    fn sign_webhook(kit: &Kit<Self>, attempt: &Attempt<'_>) -> Vec<(String, String)> {
        svix::headers(attempt, *kit.config())
    }
}

const TENANT: &str = "relay:a";

/// A target for `TENANT` at `url`, made through the admin API: its minted secret.
async fn subscribe(sim: &Sim<RelaySpec>, url: &str) -> Secret {
    let body = json!({"provider": "relay", "tenant": TENANT, "url": url});
    let r = sim.admin("POST", "/__admin/webhooks", Some(body)).await;
    assert_eq!(r.status, 201, "{}", r.json);
    Secret::parse(r.json["secret"].as_str().unwrap()).unwrap()
}

/// Emits one `thing.happened` for `TENANT` now.
fn emit(sim: &Sim<RelaySpec>, n: u32) {
    let event = Event::json("thing.happened", &json!({ "n": n }));
    let now = sim.kit.now_for(TENANT);
    sim.kit.emit(TENANT, event.into_iter().collect(), now);
}

fn seconds_after_epoch(at: &str) -> i64 {
    let at: DateTime<Utc> = at.parse().unwrap();
    (at - manual_epoch()).num_seconds()
}

/// Fault rules that decide the same for every message.
struct Every(WebhookFault);

impl WebhookFaults for Every {
    fn decide(&self, _provider: &str, _tenant: &str, _event: &str) -> WebhookFault {
        self.0.clone()
    }
}

fn deliveries(sim: &Sim<RelaySpec>) -> Vec<Delivery> {
    sim.engine.deliveries(Some("relay"), None)
}

#[tokio::test]
async fn a_receiver_failing_everything_sees_eight_attempts_on_the_svix_schedule() {
    let sim = Sim::<RelaySpec>::new(1, Timestamps::Simulated);
    let rx = Receiver::scripted(vec![500; 20]).await;
    let secret = subscribe(&sim, &rx.url).await;

    emit(&sim, 1);
    sim.engine.settle(None).await;
    let mut seen = vec![rx.received().len()];
    for wait in [5.0, 300.0, 1800.0, 7200.0, 18000.0, 36000.0, 36000.0] {
        sim.advance(wait - 1.0).await;
        seen.push(rx.received().len());
        sim.advance(1.0).await;
        seen.push(rx.received().len());
    }
    sim.advance(30.0 * 86400.0).await;

    assert_eq!(seen, [1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8]);
    let got = rx.received();
    assert_eq!(got.len(), 8, "no ninth attempt");
    let offsets: Vec<i64> = deliveries(&sim)
        .iter()
        .map(|d| seconds_after_epoch(&d.at))
        .collect();
    assert_eq!(offsets, [0, 5, 305, 2105, 9305, 27305, 63305, 99305]);
    let id = got[0].headers.header("svix-id").unwrap().to_string();
    assert!(id.starts_with("msg_") && id.len() == 31, "{id}");
    for (received, offset) in got.iter().zip(offsets) {
        let ts = manual_epoch().timestamp() + offset;
        assert_eq!(received.headers.header("svix-id"), Some(id.as_str()));
        assert_eq!(
            received.headers.header("svix-timestamp"),
            Some(ts.to_string().as_str())
        );
        assert_eq!(
            svix::verify(&secret, &received.headers, &received.raw, ts, 0),
            Ok(())
        );
    }
}

#[tokio::test]
async fn each_delivery_record_shows_the_headers_its_own_attempt_was_sent_with() {
    let sim = Sim::<RelaySpec>::new(1, Timestamps::Simulated);
    let rx = Receiver::scripted(vec![503]).await;
    subscribe(&sim, &rx.url).await;

    emit(&sim, 1);
    sim.advance(5.0).await;

    let records = deliveries(&sim);
    let got = rx.received();
    assert_eq!((records.len(), got.len()), (2, 2));
    for (record, received) in records.iter().zip(&got) {
        for name in ["svix-id", "svix-timestamp", "svix-signature"] {
            assert_eq!(
                record.headers.header(name),
                received.headers.header(name),
                "{name}"
            );
        }
        assert_eq!(
            record.message_id.as_deref(),
            record.headers.header("svix-id")
        );
    }
    let signatures: Vec<_> = records
        .iter()
        .map(|r| &r.headers["svix-signature"])
        .collect();
    assert_ne!(
        signatures[0], signatures[1],
        "another timestamp, another signature"
    );
    assert_eq!((records[0].attempt, records[1].attempt), (1, 2));
}

#[tokio::test]
async fn by_default_the_timestamp_is_wall_clock_time_so_a_receiver_far_behind_in_simulated_time_accepts_it()
 {
    let sim = Sim::<RelaySpec>::new(1, Timestamps::default());
    let rx = Receiver::start().await;
    let secret = subscribe(&sim, &rx.url).await;
    sim.advance(400.0 * 86400.0).await;

    emit(&sim, 1);
    sim.engine.settle(None).await;

    let got = &rx.received()[0];
    let wall = sim.engine.clock().wall().timestamp();
    let check = |now| svix::verify(&secret, &got.headers, &got.raw, now, DEFAULT_TOLERANCE_S);
    assert_eq!(check(wall), Ok(()));
    let simulated = sim.kit.now_for(TENANT).timestamp();
    assert!(matches!(
        check(simulated),
        Err(VerifyError::TooOld | VerifyError::TooNew)
    ));
}

#[tokio::test]
async fn a_duplicated_message_arrives_twice_with_one_id() {
    let sim = Sim::<RelaySpec>::new(1, Timestamps::Simulated);
    let rx = Receiver::start().await;
    let secret = subscribe(&sim, &rx.url).await;
    let rule = WebhookFault::Duplicate { rule: "r".into() };
    sim.engine.set_webhook_faults(Arc::new(Every(rule)));

    emit(&sim, 1);
    sim.engine.settle(None).await;

    let got = rx.received();
    assert_eq!(got.len(), 2);
    let ids: Vec<_> = got
        .iter()
        .map(|r| r.headers.header("svix-id").unwrap())
        .collect();
    assert_eq!(ids[0], ids[1]);
    let ts = manual_epoch().timestamp();
    assert!(
        got.iter()
            .all(|r| svix::verify(&secret, &r.headers, &r.raw, ts, 0).is_ok())
    );
    let records = deliveries(&sim);
    assert!(
        records
            .iter()
            .all(|d| d.message_id.as_deref() == Some(ids[0]))
    );
}

#[tokio::test]
async fn a_dropped_message_is_recorded_with_the_headers_it_would_have_been_sent_with() {
    let sim = Sim::<RelaySpec>::new(1, Timestamps::Simulated);
    let rx = Receiver::start().await;
    let secret = subscribe(&sim, &rx.url).await;
    sim.engine
        .set_webhook_faults(Arc::new(Every(WebhookFault::Drop { rule: "r".into() })));

    emit(&sim, 1);
    sim.engine.settle(None).await;

    assert!(rx.received().is_empty());
    let dropped = &deliveries(&sim)[0];
    assert_eq!(dropped.fault.as_deref(), Some("r: webhook_drop"));
    let body = serde_json::to_vec(&dropped.body).unwrap();
    let ts = manual_epoch().timestamp();
    assert_eq!(
        svix::verify(&secret, &dropped.headers, &body, ts, 0),
        Ok(())
    );
}

/// A subscribed receiver, and one message emitted under a rule delaying every message by
/// `seconds`.
async fn one_message_delayed_by(seconds: f64) -> (Sim<RelaySpec>, Receiver) {
    let sim = Sim::<RelaySpec>::new(1, Timestamps::Simulated);
    let rx = Receiver::start().await;
    subscribe(&sim, &rx.url).await;
    let delay = WebhookFault::Delay {
        rule: "r".into(),
        seconds,
    };
    sim.engine.set_webhook_faults(Arc::new(Every(delay)));
    emit(&sim, 1);
    (sim, rx)
}

#[tokio::test]
async fn a_delayed_message_is_signed_for_the_time_it_is_sent() {
    let (sim, rx) = one_message_delayed_by(90.0).await;

    sim.advance(90.0).await;

    let sent = rx.received()[0]
        .headers
        .header("svix-timestamp")
        .map(str::to_string);
    assert_eq!(sent, Some((manual_epoch().timestamp() + 90).to_string()));
}

#[tokio::test]
async fn a_message_delayed_by_1e308_seconds_waits_for_the_latest_time_instead_of_panicking() {
    let (sim, rx) = one_message_delayed_by(1e308).await;

    sim.advance(86_400.0).await;

    assert!(rx.received().is_empty());
    let timeline = sim.admin("GET", "/__admin/timeline", None).await.json;
    assert_eq!(
        timeline["scheduled"][0]["due"], "9999-12-31T23:59:59.999999Z",
        "{timeline}"
    );
}

#[tokio::test]
async fn one_event_has_one_id_for_every_target_and_the_next_event_another() {
    let sim = Sim::<RelaySpec>::new(1, Timestamps::Simulated);
    let (one, two) = (Receiver::start().await, Receiver::start().await);
    subscribe(&sim, &one.url).await;
    subscribe(&sim, &two.url).await;

    emit(&sim, 1);
    emit(&sim, 2);
    sim.engine.settle(None).await;

    let ids = |rx: &Receiver| -> Vec<String> {
        let got = rx.received();
        got.iter()
            .map(|r| r.headers.header("svix-id").unwrap().to_string())
            .collect()
    };
    assert_eq!(ids(&one), ids(&two));
    assert_ne!(ids(&one)[0], ids(&one)[1]);
}

#[tokio::test]
async fn whether_anyone_subscribed_never_shifts_the_tenants_own_ids() {
    let (quiet, busy) = (
        Sim::<RelaySpec>::new(3, Timestamps::Simulated),
        Sim::<RelaySpec>::new(3, Timestamps::Simulated),
    );
    let rx = Receiver::start().await;
    subscribe(&busy, &rx.url).await;

    emit(&quiet, 1);
    emit(&busy, 1);

    assert_eq!(
        quiet.engine.ids().uuid(TENANT),
        busy.engine.ids().uuid(TENANT)
    );
}

#[tokio::test]
async fn the_admin_api_refuses_a_secret_the_provider_cannot_sign_with() {
    let sim = Sim::<RelaySpec>::new(1, Timestamps::Simulated);
    let target = |secret: &str| json!({"provider": "relay", "tenant": TENANT, "url": "http://127.0.0.1:9/h", "secret": secret});

    let foreign = sim
        .admin("POST", "/__admin/webhooks", Some(target("s3cret!")))
        .await;
    let own = sim
        .admin(
            "POST",
            "/__admin/webhooks",
            Some(target("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")),
        )
        .await;

    assert_eq!(foreign.status, 400);
    let message = foreign.json["error"].as_str().unwrap();
    assert!(
        message.starts_with("`secret`: a Svix secret is `whsec_`"),
        "{message}"
    );
    assert_eq!(own.status, 201, "{}", own.json);
}
