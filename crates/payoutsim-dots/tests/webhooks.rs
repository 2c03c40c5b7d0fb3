//! Webhooks to a real receiver (`testkit::Receiver`): the events and payloads `src/webhooks.rs`
//! lists, the Svix headers with a signature this file verifies itself (HMAC-SHA256 keyed by the
//! base64-decoded `whsec_` secret over `"{id}.{timestamp}.{body}"`), event filters, and retries
//! after a failing receiver under the same `svix-id`.

mod common;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use common::{DotsSim, SANDBOX, Sim, sim};
use hmac::{Hmac, Mac};
use payoutsim_core::testkit::{Received, Receiver};
use serde_json::{Value, json};
use sha2::Sha256;

/// Registers `url` for the sandbox app (`events` and `secret` when given); the stored target.
async fn subscribe(sim: &Sim, url: &str, extra: Value) -> Value {
    let mut body = json!({"provider": "dots", "tenant": SANDBOX.tenant(), "url": url});
    if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
        b.extend(e.clone());
    }
    let r = sim.admin("POST", "/__admin/webhooks", Some(body)).await;
    assert_eq!(r.status, 201, "{}", r.json);
    r.json
}

fn header<'a>(r: &'a Received, name: &str) -> &'a str {
    let value = r
        .headers
        .get(name)
        .unwrap_or_else(|| panic!("no {name} header"));
    value.to_str().expect("a text header")
}

/// Whether `r`'s `svix-signature` holds a `v1` signature of its id, timestamp and raw body
/// under `secret`, computed here from the Svix scheme alone.
fn signed_with(r: &Received, secret: &str) -> bool {
    let key = STANDARD
        .decode(secret.strip_prefix("whsec_").expect("a whsec_ secret"))
        .expect("a base64 secret");
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).expect("any key length");
    let content = format!("{}.{}.", header(r, "svix-id"), header(r, "svix-timestamp"));
    mac.update(content.as_bytes());
    mac.update(&r.raw);
    let expected = format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()));
    header(r, "svix-signature")
        .split(' ')
        .any(|s| s == expected)
}

async fn paid_user(sim: &Sim) -> String {
    let ana = sim.user(SANDBOX, "ana").await;
    sim.give(SANDBOX, &ana, 5000).await;
    ana
}

#[tokio::test]
async fn a_payout_sends_transfer_updated_on_each_change_and_transfer_completed_at_the_end() {
    let sim = sim(90);
    let rx = Receiver::start().await;
    subscribe(&sim, &rx.url, json!({})).await;
    let ana = paid_user(&sim).await;
    let r = sim.payout(SANDBOX, &ana, 1200, "paypal", json!({})).await;
    let id = r.json["id"].as_str().unwrap().to_string();

    sim.advance(5.0).await;
    assert_eq!(
        rx.bodies(),
        [json!({"event": "transfer.updated", "transfer_id": id})]
    );
    sim.advance(300.0).await;
    let got = rx.bodies();

    assert_eq!(got.len(), 3, "{got:?}");
    assert_eq!(
        got[1],
        json!({"event": "transfer.updated", "transfer_id": id})
    );
    let completed = &got[2];
    assert_eq!(completed["transfer_id"], id.as_str());
    assert_eq!(completed["transfer"]["id"], id.as_str());
    assert_eq!(completed["transfer"]["status"], "completed");
    assert_eq!(completed["transfer"]["amount"], 1200);
    assert_eq!(completed["transfer"]["type"], "payout");
    let log = sim
        .admin("GET", "/__admin/webhooks/deliveries?provider=dots", None)
        .await;
    let names: Vec<&str> = (log.json["deliveries"].as_array().unwrap().iter())
        .map(|d| d["event"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["transfer.updated", "transfer.updated", "transfer.completed"]
    );
}

#[tokio::test]
async fn a_failed_payout_sends_transfer_failed_with_the_full_transfer() {
    let sim = sim(91);
    let rx = Receiver::start().await;
    subscribe(&sim, &rx.url, json!({"events": ["transfer.failed"]})).await;
    let ana = paid_user(&sim).await;
    let id = sim
        .payout(SANDBOX, &ana, 666, "venmo", json!({}))
        .await
        .json["id"]
        .clone();

    sim.advance(305.0).await;

    let got = rx.bodies();
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0].as_object().unwrap().len(), 2);
    assert_eq!(got[0]["transfer_id"], id);
    assert_eq!(got[0]["transfer"]["status"], "failed");
    assert_eq!(got[0]["transfer"]["external_data"]["platform"], "venmo");
}

#[tokio::test]
async fn every_delivery_carries_svix_headers_signed_with_the_targets_secret() {
    let sim = sim(92);
    let rx = Receiver::start().await;
    let target = subscribe(&sim, &rx.url, json!({})).await;
    let secret = target["secret"].as_str().unwrap().to_string();
    assert!(secret.starts_with("whsec_"), "{target}");
    let ana = paid_user(&sim).await;
    sim.payout(SANDBOX, &ana, 100, "paypal", json!({})).await;

    sim.advance(305.0).await;

    let got = rx.received();
    assert_eq!(got.len(), 3);
    for r in &got {
        assert_eq!(header(r, "content-type"), "application/json");
        assert!(!header(r, "svix-id").is_empty());
        assert!(
            header(r, "svix-timestamp")
                .parse::<i64>()
                .is_ok_and(|t| t > 1_600_000_000)
        );
        assert!(header(r, "svix-signature").starts_with("v1,"));
        assert!(signed_with(r, &secret), "{:?}", r.headers);
        assert!(!signed_with(r, "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"));
    }
    let mut tampered = got[0].clone();
    tampered.raw = bytes::Bytes::from(got[0].raw.to_vec().repeat(2));
    assert!(!signed_with(&tampered, &secret));
}

#[tokio::test]
async fn a_target_registered_with_its_own_secret_is_signed_with_it() {
    let sim = sim(93);
    let rx = Receiver::start().await;
    let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    let target = subscribe(&sim, &rx.url, json!({"secret": secret})).await;
    assert_eq!(target["secret"], secret);
    let ana = sim.user(SANDBOX, "ana").await;

    sim.method(
        SANDBOX,
        &ana,
        json!({"platform": "paypal", "email": "ana@example.com"}),
    )
    .await;
    sim.advance(0.0).await;

    let got = rx.received();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].json, json!({"user_id": ana}));
    assert!(signed_with(&got[0], secret));
}

#[tokio::test]
async fn verifying_a_user_sends_user_updated_ide_verified() {
    let sim = sim(94);
    let rx = Receiver::start().await;
    subscribe(
        &sim,
        &rx.url,
        json!({"events": ["user.updated.ide_verified"]}),
    )
    .await;
    let ana = sim.user(SANDBOX, "ana").await;
    let sent = sim
        .post(
            SANDBOX,
            &format!("/v2/users/{ana}/send-verification-token"),
            &json!({}),
        )
        .await;
    assert_eq!(sent.status, 202, "{}", sent.json);
    let outbox = sim
        .back_office(
            "GET",
            &format!("/sms?tenant={}&user_id={ana}", SANDBOX.tenant()),
            None,
        )
        .await;
    let token = outbox.json["messages"][0]["token"]
        .as_str()
        .unwrap()
        .to_string();

    let r = sim
        .post(
            SANDBOX,
            &format!("/v2/users/{ana}/verify"),
            &json!({"token": token}),
        )
        .await;
    sim.advance(0.0).await;

    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(rx.bodies(), [json!({"user_id": ana})]);
    let log = sim
        .admin(
            "GET",
            "/__admin/webhooks/deliveries?event=user.updated.ide_verified",
            None,
        )
        .await;
    assert_eq!(log.json["deliveries"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn a_link_sends_payout_link_updated_and_the_full_link_when_sent_redelivered_and_claimed() {
    let sim = sim(95);
    let rx = Receiver::start().await;
    subscribe(&sim, &rx.url, json!({})).await;
    let ana = sim.user(SANDBOX, "ana").await;
    let made = sim
        .post(SANDBOX, "/v2/payout-links", &json!({"amount": 700}))
        .await;
    let id = made.json["id"].as_str().unwrap().to_string();
    let updated = json!({"event": "payout_link.updated", "payout_link_id": id});

    sim.advance(1.0).await;
    let delivered = rx.bodies();
    assert_eq!(delivered.len(), 2, "{delivered:?}");
    assert_eq!(delivered[0], updated);
    assert_eq!(delivered[1]["id"], id.as_str());
    assert_eq!(delivered[1]["status"], "delivered");
    assert_eq!(delivered[1]["link"], made.json["link"]);

    let again = sim
        .post(
            SANDBOX,
            &format!("/v2/payout-links/{id}/redeliver"),
            &json!({}),
        )
        .await;
    assert_eq!(again.status, 200);
    sim.advance(0.0).await;
    let path = format!("/payout-links/{id}/status");
    let claim = json!({"status": "claimed", "user_id": ana});
    assert_eq!(
        sim.back_office("POST", &path, Some(claim)).await.status,
        200
    );
    sim.advance(0.0).await;

    let got = rx.bodies();
    assert_eq!(got.len(), 6, "{got:?}");
    assert_eq!(got[2], updated);
    assert_eq!(got[3]["id"], id.as_str());
    assert_eq!(got[4], updated);
    assert_eq!(got[5]["status"], "claimed");
    let names: Vec<String> = (sim
        .admin("GET", "/__admin/webhooks/deliveries", None)
        .await
        .json["deliveries"])
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["event"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        names,
        [
            "payout_link.updated",
            "payout_link.sent",
            "payout_link.updated",
            "payout_link.sent",
            "payout_link.updated",
            "payout_link.claimed"
        ]
    );
}

#[tokio::test]
async fn a_target_gets_only_the_events_it_subscribed_to() {
    let sim = sim(96);
    let all = Receiver::start().await;
    let some = Receiver::start().await;
    subscribe(&sim, &all.url, json!({})).await;
    subscribe(&sim, &some.url, json!({"events": ["transfer.completed"]})).await;
    let ana = paid_user(&sim).await;
    sim.method(
        SANDBOX,
        &ana,
        json!({"platform": "venmo", "handle": "@ana"}),
    )
    .await;
    sim.payout(SANDBOX, &ana, 100, "default", json!({})).await;

    sim.advance(305.0).await;

    assert_eq!(all.received().len(), 4, "{:?}", all.bodies());
    let got = some.bodies();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0]["transfer"]["status"], "completed");
}

// Svix receivers deduplicate on `svix-id`: a payout's two `transfer.updated` carry the same
// body and must still be two messages.
#[tokio::test]
async fn two_messages_with_the_same_body_get_distinct_svix_ids() {
    let sim = sim(98);
    let rx = Receiver::start().await;
    subscribe(&sim, &rx.url, json!({"events": ["transfer.updated"]})).await;
    let ana = paid_user(&sim).await;
    sim.payout(SANDBOX, &ana, 100, "paypal", json!({})).await;

    sim.advance(305.0).await;

    let got = rx.received();
    assert_eq!(got.len(), 2);
    assert_eq!(got[0].raw, got[1].raw, "the same payload twice");
    assert_ne!(header(&got[0], "svix-id"), header(&got[1], "svix-id"));
}

#[tokio::test]
async fn a_failing_receiver_is_retried_on_the_simulated_clock_with_the_same_svix_id() {
    let sim = sim(97);
    let rx = Receiver::scripted(vec![500]).await;
    let target = subscribe(&sim, &rx.url, json!({"events": ["transfer.updated"]})).await;
    let secret = target["secret"].as_str().unwrap();
    let ana = paid_user(&sim).await;
    sim.payout(SANDBOX, &ana, 100, "paypal", json!({})).await;

    sim.advance(5.0).await;
    assert_eq!(rx.received().len(), 1);
    sim.advance(60.0).await;

    let got = rx.received();
    assert_eq!(got.len(), 2, "one retry");
    assert_eq!(header(&got[0], "svix-id"), header(&got[1], "svix-id"));
    assert_eq!(got[0].raw, got[1].raw);
    assert!(got.iter().all(|r| signed_with(r, secret)));
    let log = sim
        .admin("GET", "/__admin/webhooks/deliveries?provider=dots", None)
        .await;
    let attempts: Vec<(u64, u64)> = (log.json["deliveries"].as_array().unwrap().iter())
        .map(|d| {
            (
                d["attempt"].as_u64().unwrap(),
                d["status"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(attempts, [(1, 500), (2, 200)]);
}
