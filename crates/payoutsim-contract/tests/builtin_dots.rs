//! The built-in client's Dots operations against an in-process simulator, with the fault layer
//! injecting each failure a resilience scenario does; every wait advances the simulated clock.

mod support;

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use payoutsim_contract::adapter::{ErrorKind, Outcome};
use payoutsim_contract::builtin::BuiltIn;
use payoutsim_core::svix;
use serde_json::{Value, json};
use support::{Fixture, asked};

const SECRET: &str = "whsec_c2VjcmV0IG9mIHRoZSBidWlsdC1pbiBjbGllbnQgdGVzdHM=";

struct Dots {
    f: Fixture,
    client_id: String,
    api_key: String,
}

impl Dots {
    /// A fresh sandbox key pair (its app's wallet starts at $100).
    async fn new(name: &str) -> Self {
        Self {
            f: Fixture::new().await,
            client_id: format!("pk_dev_builtin{name}"),
            api_key: format!("sk_dev_builtin{name}"),
        }
    }

    fn client(&self) -> BuiltIn {
        let credentials = json!({"client_id": self.client_id, "api_key": self.api_key});
        self.f.client("dots", credentials, Some(SECRET))
    }

    fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        let url = format!("{}/api{path}", self.f.url("dots"));
        (self.f.http.request(method, url)).basic_auth(&self.client_id, Some(&self.api_key))
    }

    /// A user to pay, and the payout's beneficiary for them.
    async fn beneficiary(&self) -> Value {
        let body = json!({"first_name": "Ana", "last_name": "Ruiz", "email": "ana@example.com",
            "country_code": "1", "phone_number": "5555550100"});
        let (status, user) = self
            .f
            .send(self.request(reqwest::Method::POST, "/v2/users").json(&body))
            .await;
        assert_eq!(status, 201, "{user}");
        json!({"user_id": user["id"], "platform": "paypal"})
    }

    /// The app's payouts made under `reference`.
    async fn payouts_under(&self, reference: &str) -> Vec<Value> {
        let path = "/v2/transfers?type=payout&limit=100";
        let (status, page) = self.f.send(self.request(reqwest::Method::GET, path)).await;
        assert_eq!(status, 200, "{page}");
        let rows = page["data"].as_array().expect("a page").iter();
        rows.filter(|t| t["metadata"]["reference"] == reference)
            .cloned()
            .collect()
    }

    /// The app wallet, in cents.
    async fn wallet(&self) -> i64 {
        let path = format!(
            "/__admin/providers/dots/objects?tenant=dots:{}&kind=app",
            self.client_id
        );
        let objects = self.f.admin_get(&path).await;
        objects["objects"][0]["object"]["wallet"]
            .as_i64()
            .expect("a wallet")
    }

    async fn fault_on_payouts(&self, fault: Value, times: u32) {
        self.f
            .fault(json!({"match": {"provider": "dots", "method": "POST",
                "path": "/api/v2/payouts"}, "fault": fault, "times": times}))
            .await;
    }
}

impl Dots {
    /// A payout of `amount` dollars under `KEY_1` to a new user, with `fault` on the first
    /// `times` creates: what the client answered, and the waits it asked for.
    async fn create_through(&self, fault: Value, times: u32, amount: &str) -> (Outcome, Vec<f64>) {
        let beneficiary = self.beneficiary().await;
        self.fault_on_payouts(fault, times).await;
        let log = Arc::default();
        let mut sleeper = self.f.sleeper(Arc::clone(&log));
        let params = payout(KEY_1, amount, &beneficiary);
        let created = self
            .client()
            .perform("payout.create", &params, &mut sleeper)
            .await;
        (created, asked(&log))
    }
}

impl Dots {
    /// A payout of $2 under `KEY_1` made by `client` to a new user, 5 s later (`pending`).
    async fn pending_payout(&self, client: &mut BuiltIn) -> String {
        let beneficiary = self.beneficiary().await;
        let mut sleeper = self.f.sleeper(Arc::default());
        let params = payout(KEY_1, "2", &beneficiary);
        let created = client.perform("payout.create", &params, &mut sleeper).await;
        let created = created.expect("created");
        self.f.advance(5.0).await;
        created["id"].as_str().expect("an id").to_string()
    }
}

fn payout(reference: &str, amount: &str, beneficiary: &Value) -> Value {
    json!({"reference": reference, "amount": amount, "currency": "USD", "beneficiary": beneficiary})
}

const KEY_1: &str = "5b0e2c1a-8f3d-4e6b-9a7c-1d2e3f4a5b6c";
const KEY_2: &str = "6c1f3d2b-9a4e-4f7c-8b8d-2e3f4a5b6c7d";

#[tokio::test]
async fn a_lost_answer_to_a_dots_payout_is_read_back_and_makes_one_payout_and_one_debit() {
    let d = Dots::new("lost").await;
    let fault = json!({"kind": "reset", "stage": "after"});
    let (created, _) = d.create_through(fault, 1, "12.50").await;
    let created = created.expect("created");
    let made = d.payouts_under(KEY_1).await;
    assert_eq!(made.len(), 1);
    assert_eq!(created["id"], made[0]["id"]);
    assert_eq!(made[0]["amount"], 1250, "dollars go out as cents");
    assert_eq!(d.wallet().await, 10_000 - 1250);
}

#[tokio::test]
async fn a_dots_payout_whose_request_never_arrived_is_sent_again_under_the_same_key() {
    let d = Dots::new("before").await;
    let fault = json!({"kind": "reset", "stage": "before"});
    let (created, asked) = d.create_through(fault, 1, "3").await;
    assert!(created.is_ok(), "{created:?}");
    assert!(
        asked.is_empty(),
        "read back, found nothing, sent again at once: {asked:?}"
    );
    assert_eq!(d.payouts_under(KEY_1).await.len(), 1);
    assert_eq!(d.wallet().await, 10_000 - 300);
}

#[tokio::test]
async fn a_dots_429_is_waited_out_for_its_retry_after_and_the_payout_made_once() {
    let d = Dots::new("429").await;
    let fault = json!({"kind": "rate_limit", "retry_after_s": 30});
    let (created, asked) = d.create_through(fault, 1, "5").await;
    assert_eq!(created.expect("created")["status"], "created");
    assert_eq!(asked, [30.0]);
    assert_eq!(d.payouts_under(KEY_1).await.len(), 1);
    assert_eq!(d.wallet().await, 10_000 - 500);
}

#[tokio::test]
async fn a_dots_outage_is_backed_off_and_the_payout_made_when_it_ends() {
    let d = Dots::new("503").await;
    let fault = json!({"kind": "status", "status": 503});
    let (created, asked) = d.create_through(fault, 3, "1.00").await;
    assert!(created.is_ok(), "{created:?}");
    assert_eq!(asked, [0.5, 1.0, 2.0]);
    assert_eq!(d.payouts_under(KEY_1).await.len(), 1);
}

#[tokio::test]
async fn a_dots_payout_is_found_by_its_reference_and_read_by_its_id_in_dollars() {
    let d = Dots::new("find").await;
    let beneficiary = d.beneficiary().await;
    let mut client = d.client();
    let mut sleeper = d.f.sleeper(Arc::default());
    let first = client
        .perform(
            "payout.create",
            &payout(KEY_1, "0.07", &beneficiary),
            &mut sleeper,
        )
        .await
        .expect("created");
    client
        .perform(
            "payout.create",
            &payout(KEY_2, "3.10", &beneficiary),
            &mut sleeper,
        )
        .await
        .expect("created");
    let found = client
        .perform("payout.find", &json!({"reference": KEY_1}), &mut sleeper)
        .await
        .expect("found");
    assert_eq!(found["id"], first["id"]);
    let missing = "7d2a4e3c-0b5f-4a8d-9c9e-3f4a5b6c7d8e";
    let none = client
        .perform("payout.find", &json!({"reference": missing}), &mut sleeper)
        .await
        .expect("an answer");
    assert_eq!(none, json!({"found": false}));
    d.f.advance(5.0).await;
    let got = client
        .perform("payout.get", &json!({"id": first["id"]}), &mut sleeper)
        .await
        .expect("read");
    assert_eq!(
        got,
        json!({"id": first["id"], "status": "pending", "amount": "0.07", "currency": "USD"})
    );
}

#[tokio::test]
async fn a_dots_payout_the_wallet_cannot_cover_is_rejected_with_its_error_code() {
    let d = Dots::new("short").await;
    let beneficiary = d.beneficiary().await;
    let mut sleeper = d.f.sleeper(Arc::default());
    let refused = d
        .client()
        .perform(
            "payout.create",
            &payout(KEY_1, "100.01", &beneficiary),
            &mut sleeper,
        )
        .await
        .expect_err("refused");
    assert_eq!(refused.kind, ErrorKind::Rejected);
    assert_eq!(refused.status, Some(400));
    assert_eq!(refused.code, Some(json!("transaction-insufficient-funds")));
    let bad = d
        .client()
        .perform(
            "payout.create",
            &payout(KEY_2, "1.005", &beneficiary),
            &mut sleeper,
        )
        .await
        .expect_err("not sent");
    assert_eq!(
        bad.kind,
        ErrorKind::Unknown,
        "more than cents is never rounded"
    );
    assert_eq!(d.wallet().await, 10_000);
}

/// A delivery of `body` as Svix signs it, `age_s` seconds old on the wall clock.
fn delivery(id: &str, body: &str, age_s: i64, secret: &str) -> Value {
    // Svix stamps deliveries with wall time, and the client judges them by its own wall clock.
    #[allow(clippy::disallowed_methods)]
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("after 1970")
        .as_secs() as i64;
    let at = now - age_s;
    let key = svix::Secret::parse(secret).expect("a secret");
    let signature = svix::sign(&key, id, at, body.as_bytes());
    json!({"headers": {"svix-id": id, "svix-timestamp": at.to_string(),
        "svix-signature": signature}, "body": body})
}

async fn verdict(client: &mut BuiltIn, f: &Fixture, delivery: &Value) -> String {
    let mut sleeper = f.sleeper(Arc::default());
    let got = client
        .perform("webhook.receive", delivery, &mut sleeper)
        .await
        .expect("a verdict");
    got["verdict"].as_str().expect("a verdict").to_string()
}

#[tokio::test]
async fn a_forged_or_stale_dots_delivery_is_rejected_and_a_repeated_svix_id_is_a_duplicate() {
    let d = Dots::new("whsig").await;
    let mut client = d.client();
    let body =
        r#"{"event":"transfer.updated","transfer_id":"00000000-0000-4000-8000-000000000001"}"#;
    let other = format!("whsec_{}", STANDARD.encode("another endpoint's secret"));
    let forged = delivery("msg_forged", body, 0, &other);
    assert_eq!(verdict(&mut client, &d.f, &forged).await, "rejected");
    let mut tampered = delivery("msg_tampered", body, 0, SECRET);
    tampered["body"] = json!(body.replace("001", "002"));
    assert_eq!(verdict(&mut client, &d.f, &tampered).await, "rejected");
    let stale = delivery("msg_stale", body, 301, SECRET);
    assert_eq!(verdict(&mut client, &d.f, &stale).await, "rejected");
    let genuine = delivery("msg_genuine", body, 0, SECRET);
    assert_eq!(verdict(&mut client, &d.f, &genuine).await, "accepted");
    let retried = delivery("msg_genuine", body, 0, SECRET);
    assert_eq!(verdict(&mut client, &d.f, &retried).await, "duplicate");
}

#[tokio::test]
async fn dots_deliveries_out_of_order_leave_the_payout_in_its_final_status() {
    let d = Dots::new("whorder").await;
    let mut client = d.client();
    let mut sleeper = d.f.sleeper(Arc::default());
    let id = d.pending_payout(&mut client).await;
    let id = id.as_str();
    let updated = format!(r#"{{"event":"transfer.updated","transfer_id":"{id}"}}"#);
    let completed = format!(
        r#"{{"transfer":{{"id":"{id}","status":"completed","amount":200}},"transfer_id":"{id}"}}"#
    );
    // The completion arrives first; the earlier update, read back as `pending`, changes nothing.
    assert_eq!(
        verdict(&mut client, &d.f, &delivery("msg_2", &completed, 0, SECRET)).await,
        "accepted"
    );
    assert_eq!(
        verdict(&mut client, &d.f, &delivery("msg_1", &updated, 0, SECRET)).await,
        "accepted"
    );
    let known = client
        .perform("payout.known_status", &json!({"id": id}), &mut sleeper)
        .await
        .expect("a status");
    assert_eq!(known["status"], "completed");
    let unknown = client
        .perform(
            "payout.known_status",
            &json!({"id": "no-such"}),
            &mut sleeper,
        )
        .await
        .expect("a status");
    assert_eq!(unknown["status"], Value::Null);
}

#[tokio::test]
async fn a_dots_update_names_only_the_payout_and_its_status_is_read_back() {
    let d = Dots::new("whread").await;
    let mut client = d.client();
    let mut sleeper = d.f.sleeper(Arc::default());
    let id = d.pending_payout(&mut client).await;
    let id = id.as_str();
    let updated = format!(r#"{{"event":"transfer.updated","transfer_id":"{id}"}}"#);
    let got = verdict(&mut client, &d.f, &delivery("msg_a", &updated, 0, SECRET)).await;
    assert_eq!(got, "accepted");
    let known = client
        .perform("payout.known_status", &json!({"id": id}), &mut sleeper)
        .await
        .expect("a status");
    assert_eq!(known["status"], "pending");
}
