//! The built-in client's OnSpot operation against an in-process simulator. OnSpot has no
//! idempotency and no read: a lost answer must end `unknown` or `timeout`, never a second
//! request. Every wait advances the simulated clock.

mod support;

use std::sync::Arc;
use std::time::Duration;

use payoutsim_contract::adapter::ErrorKind;
use payoutsim_contract::builtin::{BuiltIn, Configured};
use serde_json::{Value, json};
use support::{Fixture, asked};

struct OnSpot {
    f: Fixture,
    public_key: String,
}

impl OnSpot {
    async fn new(name: &str) -> Self {
        Self {
            f: Fixture::new().await,
            public_key: format!("pk_builtin_{name}"),
        }
    }

    fn credentials(&self, secret: &str) -> Value {
        json!({"public_key": self.public_key, "secret_key": secret, "environment": "test"})
    }

    fn client(&self) -> BuiltIn {
        self.f
            .client("onspot", self.credentials("sk_builtin"), None)
    }

    /// The test environment's payouts of this key pair (the back office's "Payouts").
    async fn payouts(&self) -> u64 {
        let path = format!(
            "/__admin/providers/onspot/payouts?tenant=onspot:test:{}",
            self.public_key
        );
        self.f.admin_get(&path).await["total"]
            .as_u64()
            .expect("a total")
    }

    /// Token requests the simulator has seen.
    async fn logins(&self) -> u64 {
        let path = "/__admin/requests?provider=onspot&path=/platform/generate-token-api";
        self.f.admin_get(path).await["total"]
            .as_u64()
            .expect("a total")
    }

    async fn fault_on_create(&self, fault: Value, times: u32) {
        self.f
            .fault(json!({"match": {"provider": "onspot", "method": "POST",
                "path": "/accreditation/payouts/create"}, "fault": fault, "times": times}))
            .await;
    }
}

fn payout(amount: &str) -> Value {
    json!({"reference": "ord-1", "amount": amount, "currency": "USD", "beneficiary": {
        "type": "INDIVIDUAL", "document_type": "CC", "document_number": "1020304050",
        "first_name": "Ana", "last_name": "Ruiz", "email": "ana@example.com"}})
}

#[tokio::test]
async fn onspot_payouts_are_created_under_one_token_until_it_expires_then_it_is_renewed_once() {
    let o = OnSpot::new("expiry").await;
    let mut client = o.client();
    let mut sleeper = o.f.sleeper(Arc::default());
    let first = client
        .perform("payout.create", &payout("67.00"), &mut sleeper)
        .await
        .expect("created");
    assert_eq!(first["status"], "success");
    assert!(first["id"].is_string(), "{first}");
    client
        .perform("payout.create", &payout("10"), &mut sleeper)
        .await
        .expect("created");
    assert_eq!(o.logins().await, 1);
    o.f.advance(3601.0).await;
    client
        .perform("payout.create", &payout("12.50"), &mut sleeper)
        .await
        .expect("created after a new token");
    assert_eq!(o.logins().await, 2);
    assert_eq!(o.payouts().await, 3);
}

#[tokio::test]
async fn a_lost_answer_to_an_onspot_payout_is_reported_unknown_and_never_sent_again() {
    let o = OnSpot::new("lost").await;
    o.fault_on_create(json!({"kind": "reset", "stage": "after"}), 1)
        .await;
    let log = Arc::default();
    let mut sleeper = o.f.sleeper(Arc::clone(&log));
    let got = o
        .client()
        .perform("payout.create", &payout("5"), &mut sleeper)
        .await
        .expect_err("no answer");
    assert_eq!(got.kind, ErrorKind::Unknown, "{got:?}");
    assert_eq!(o.payouts().await, 1, "made once, and not again");
    assert!(asked(&log).is_empty(), "no back-off, no retry");
}

#[tokio::test]
async fn an_onspot_create_past_the_clients_timeout_is_reported_timeout_and_never_sent_again() {
    let o = OnSpot::new("timeout").await;
    o.fault_on_create(json!({"kind": "hang", "stage": "after", "max_s": 2}), 1)
        .await;
    let config = Configured {
        base_url: o.f.url("onspot"),
        credentials: o.credentials("sk_builtin"),
        webhook_secret: None,
    };
    // The client's own timeout, shorter than the hang: the outcome is unknown to it.
    let mut client = BuiltIn::new("onspot", config, Duration::from_millis(300));
    let mut sleeper = o.f.sleeper(Arc::default());
    let got = client
        .perform("payout.create", &payout("5"), &mut sleeper)
        .await
        .expect_err("timed out");
    assert_eq!(got.kind, ErrorKind::Timeout, "{got:?}");
    assert_eq!(o.payouts().await, 1);
}

#[tokio::test]
async fn an_onspot_429_is_waited_out_and_an_outage_backed_off_each_making_one_payout() {
    let o = OnSpot::new("429").await;
    let mut client = o.client();
    o.fault_on_create(json!({"kind": "rate_limit", "retry_after_s": 20}), 1)
        .await;
    let log = Arc::default();
    let mut sleeper = o.f.sleeper(Arc::clone(&log));
    client
        .perform("payout.create", &payout("5"), &mut sleeper)
        .await
        .expect("created");
    assert_eq!(asked(&log), [20.0]);
    assert_eq!(o.payouts().await, 1);
    o.fault_on_create(json!({"kind": "status", "status": 503}), 2)
        .await;
    client
        .perform("payout.create", &payout("6"), &mut sleeper)
        .await
        .expect("created");
    assert_eq!(asked(&log), [20.0, 0.5, 1.0]);
    assert_eq!(o.payouts().await, 2);
}

#[tokio::test]
async fn an_invalid_onspot_item_and_a_wrong_secret_are_rejected_with_onspots_words() {
    let o = OnSpot::new("refused").await;
    let mut sleeper = o.f.sleeper(Arc::default());
    let refused = o
        .client()
        .perform("payout.create", &payout("98l00"), &mut sleeper)
        .await
        .expect_err("refused");
    assert_eq!(refused.kind, ErrorKind::Rejected);
    assert_eq!(refused.code, Some(json!("error")));
    assert!(refused.message.contains("amount"), "{}", refused.message);
    let mut stranger = o.f.client("onspot", o.credentials("sk_other"), None);
    let denied = stranger
        .perform("payout.create", &payout("5"), &mut sleeper)
        .await
        .expect_err("denied");
    assert_eq!(
        (denied.kind, denied.status),
        (ErrorKind::Rejected, Some(401))
    );
    assert_eq!(denied.code, Some(json!("Unauthorized")));
    let balance = o
        .client()
        .perform("balance.get", &json!({}), &mut sleeper)
        .await
        .expect_err("not an OnSpot operation");
    assert_eq!(balance.kind, ErrorKind::Unsupported);
    assert_eq!(o.payouts().await, 0);
}
