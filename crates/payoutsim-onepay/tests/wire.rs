//! Over a real socket: OnePay served on `127.0.0.1:0` behind the journal, exactly as its port
//! serves it, called with an ordinary HTTP client on one keep-alive connection.

#![allow(clippy::unwrap_used)]

mod support;

use serde_json::{Value, json};
use support::*;

struct Client {
    http: reqwest::Client,
    base: String,
}

impl Client {
    async fn of(sim: &Sim) -> Self {
        let http = reqwest::Client::builder()
            .pool_max_idle_per_host(1)
            .build()
            .unwrap();
        Self {
            http,
            base: sim.serve().await,
        }
    }

    async fn post(&self, path: &str, idem: Option<&str>, body: String) -> (u16, String) {
        let mut req = (self.http.post(format!("{}{path}", self.base)))
            .bearer_auth(TEST_KEY)
            .header("content-type", "application/json")
            .body(body);
        if let Some(key) = idem {
            req = req.header("x-idempotency", key);
        }
        let resp = req.send().await.unwrap();
        (resp.status().as_u16(), resp.text().await.unwrap())
    }

    async fn get(&self, path: &str) -> (u16, Value) {
        let resp = (self.http.get(format!("{}{path}", self.base)))
            .bearer_auth(TEST_KEY)
            .send()
            .await
            .unwrap();
        (resp.status().as_u16(), resp.json().await.unwrap())
    }
}

fn id_of(body: &str) -> String {
    let v: Value = serde_json::from_str(body).unwrap();
    v["id"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn a_payout_made_over_the_wire_replays_byte_for_byte_and_settles() {
    let sim = sim(1);
    let client = Client::of(&sim).await;
    let (_, customer) = client
        .post("/v1/customers", None, customer_body().to_string())
        .await;
    let customer = id_of(&customer);
    let account = account_body(&customer, "0012345678").to_string();
    let (status, account) = client.post("/v1/accounts", None, account).await;
    assert_eq!(status, 201, "{account}");
    let body = cashout_body(&customer, &id_of(&account), json!(50000), "TURBO").to_string();

    let (first, created) = client
        .post("/v1/cashouts", Some("wire-1"), body.clone())
        .await;
    let (again, replayed) = client.post("/v1/cashouts", Some("wire-1"), body).await;

    assert_eq!((first, again), (201, 201), "{created}");
    assert_eq!(created, replayed, "a replay answers the stored bytes");
    sim.advance(3600.0).await;
    let (_, shown) = client
        .get(&format!("/v1/cashouts/{}", id_of(&created)))
        .await;
    assert_eq!(shown["status"], "processed", "{shown}");
}

#[tokio::test]
async fn an_oversized_body_is_refused_in_onepays_envelope_and_the_connection_serves_on() {
    let sim = sim(1);
    let client = Client::of(&sim).await;
    let big = format!("{{\"description\": \"{}\"}}", "x".repeat(1024 * 1024 + 10));

    let (status, body) = client.post("/v1/customers", None, big).await;
    let (after, banks) = client.get("/v1/banks").await;

    assert_eq!(status, 413, "{body}");
    let envelope: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        (envelope["code"].as_str(), envelope["code_name"].as_str()),
        (Some("413"), Some("payload_too_large"))
    );
    assert_eq!(after, 200);
    assert!(
        banks["data"].as_array().is_some_and(|b| !b.is_empty()),
        "{banks}"
    );
}
