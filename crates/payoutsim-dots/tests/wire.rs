//! A few requests on a real socket: Dots served on `127.0.0.1:0` behind the journal, exactly as
//! its port serves it, called with an ordinary HTTP client (its own Basic auth, a pooled
//! keep-alive connection): JSON both ways, the SDK's body-less form POST, an app acted for,
//! and refusals in the envelope.

#![allow(clippy::unwrap_used)]

mod support;

use reqwest::{Method, RequestBuilder};
use serde_json::{Value, json};
use support::*;

struct Client {
    http: reqwest::Client,
    base: String,
    keys: Keys,
}

impl Client {
    async fn of(sim: &Sim, keys: Keys) -> Self {
        // reqwest pools connections: the requests of a test reuse one kept alive.
        let base = sim.serve().await;
        Self {
            http: reqwest::Client::new(),
            base,
            keys,
        }
    }

    /// `method /api<path>` with reqwest's own Basic auth and `Api-App-Id` when acting for an app.
    fn request(&self, method: Method, path: &str) -> RequestBuilder {
        let url = format!("{}/api{path}", self.base);
        let req = (self.http.request(method, url))
            .basic_auth(&self.keys.client_id, Some(&self.keys.api_key));
        match &self.keys.app {
            Some(app) => req.header("Api-App-Id", app),
            None => req,
        }
    }

    /// Sends `req`: status, content type and body as JSON (`Null` when it is not).
    async fn send(req: RequestBuilder) -> (u16, String, Value) {
        let resp = req.send().await.unwrap();
        let status = resp.status().as_u16();
        let ct = resp
            .headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap().to_string());
        let text = resp.text().await.unwrap();
        (
            status,
            ct.unwrap_or_default(),
            serde_json::from_str(&text).unwrap_or(Value::Null),
        )
    }

    async fn get(&self, path: &str) -> (u16, String, Value) {
        Self::send(self.request(Method::GET, path)).await
    }

    async fn post(&self, path: &str, body: &Value) -> (u16, String, Value) {
        Self::send(self.request(Method::POST, path).json(body)).await
    }
}

#[tokio::test]
async fn a_user_created_over_a_socket_is_201_json_and_reads_back_the_same() {
    let sim = sim(1);
    let client = Client::of(&sim, sandbox()).await;

    let (status, ct, created) = client.post("/v2/users", &user_body(1)).await;
    let id = created["id"].as_str().unwrap();
    let (_, _, shown) = client.get(&format!("/v2/users/{id}")).await;
    let (_, _, listed) = client.get("/v2/users?limit=1").await;

    assert_eq!(
        (status, ct.as_str()),
        (201, "application/json"),
        "{created}"
    );
    assert_eq!(created["email"], "bob1@bobloblaw.com");
    assert_eq!(shown, created);
    assert_eq!(listed, json!({"data": [created], "has_more": false}));
}

#[tokio::test]
async fn a_verification_code_sent_as_the_sdk_sends_it_verifies_the_user() {
    let sim = sim(1);
    let keys = sandbox();
    let client = Client::of(&sim, keys.clone()).await;
    let (_, _, user) = client.post("/v2/users", &user_body(1)).await;
    let id = user["id"].as_str().unwrap().to_string();

    let form = client
        .request(
            Method::POST,
            &format!("/v2/users/{id}/send-verification-token"),
        )
        .header("content-type", "application/x-www-form-urlencoded")
        .body("");
    let (sent, _, answer) = Client::send(form).await;
    let token = sim.sms(&keys, &id).await[0]["token"]
        .as_str()
        .unwrap()
        .to_string();
    let (verified, _, _) = client
        .post(&format!("/v2/users/{id}/verify"), &json!({"token": token}))
        .await;
    let (_, _, after) = client.get(&format!("/v2/users/{id}")).await;

    assert_eq!((sent, answer), (202, json!({"success": true})));
    assert_eq!(verified, 200);
    assert_eq!(after["status"], "verified");
}

#[tokio::test]
async fn an_app_is_acted_for_with_the_api_app_id_header() {
    let sim = sim(1);
    let org = Client::of(&sim, sandbox()).await;
    let (status, _, app) = org.post("/v2/apps", &json!({"name": "Payroll"})).await;
    let acting = Client::of(&sim, sandbox().for_app(app["id"].as_str().unwrap())).await;

    let (created, _, user) = acting.post("/v2/users", &user_body(1)).await;
    let (_, _, in_app) = acting.get("/v2/users").await;
    let (_, _, in_org) = org.get("/v2/users").await;

    assert_eq!((status, created), (201, 201), "{app} {user}");
    assert_eq!(in_app["data"][0]["id"], user["id"]);
    assert_eq!(in_org["data"], json!([]));
}

#[tokio::test]
async fn refusals_over_a_socket_are_json_envelopes_and_the_client_keeps_going() {
    let sim = sim(1);
    let client = Client::of(&sim, sandbox()).await;
    let wrong = (client.http.get(format!("{}/api/v2/users", client.base)))
        .basic_auth("pk_dev_alpha", Some("sk_prod_alpha"));
    let oversized = client
        .request(Method::POST, "/v2/users")
        .header("content-type", "application/json")
        .body(vec![b' '; (1 << 20) + 1]);
    let malformed = client
        .request(Method::POST, "/v2/users")
        .header("content-type", "application/json")
        .body("{\"first_name\":");

    let answers = [
        (401, Client::send(wrong).await),
        (404, client.get("/v2/nope").await),
        (
            405,
            Client::send(client.request(Method::DELETE, "/v2/users")).await,
        ),
        (413, Client::send(oversized).await),
        (400, Client::send(malformed).await),
    ];
    let (after, _, _) = client.get("/v2/users").await;

    for (status, (got, ct, body)) in answers {
        assert_eq!((got, ct.as_str()), (status, "application/json"), "{body}");
        assert_eq!(body["success"], false, "{body}");
        assert!(
            body["message"].as_str().is_some_and(|m| !m.is_empty()),
            "{body}"
        );
        assert!(body["error_code"].is_string(), "{body}");
    }
    assert_eq!(after, 200);
}
