//! A few calls on a real socket: the cookie round trip as a client's cookie jar makes it, JSON
//! content types, and the location allow-list judged on the connection's address.

#![allow(clippy::unwrap_used)]

mod support;

use payoutsim_tupay::TupayConfig;
use reqwest::StatusCode;
use serde_json::{Value, json};
use support::*;

async fn login(base: &str) -> reqwest::Response {
    (reqwest::Client::new().post(format!("{base}/v1/auth/login")))
        .json(&json!({"accessKey": KEY, "secretKey": SECRET}))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn the_cookie_set_at_login_is_what_the_next_request_sends_back() {
    let sim = sim(1);
    let base = sim.serve().await;

    let logged_in = login(&base).await;
    let set = logged_in.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .to_string();
    let jar_sends = set.split(';').next().unwrap().to_string();
    let to = now(&sim);
    let listed = (reqwest::Client::new()
        .get(format!("{base}/v1/cashout?from={}&to={to}", to - DAY * 30)))
    .header("cookie", jar_sends)
    .send()
    .await
    .unwrap();

    assert_eq!(listed.status(), StatusCode::OK);
    assert_eq!(listed.headers()["content-type"], "application/json");
    let body: Value = listed.json().await.unwrap();
    assert_eq!(body["maxRows"], 50);
}

#[tokio::test]
async fn the_allow_list_judges_the_address_the_client_connects_from() {
    let allow = |ip: &str| TupayConfig {
        allowed_ips: vec![ip.parse().unwrap()],
        ..TupayConfig::default()
    };
    let (here, elsewhere) = (
        sim_with(1, allow("127.0.0.1")),
        sim_with(1, allow("10.1.2.3")),
    );
    let (here_url, elsewhere_url) = (here.serve().await, elsewhere.serve().await);

    let accepted = login(&here_url).await;
    let refused = login(&elsewhere_url).await;

    assert_eq!(accepted.status(), StatusCode::OK);
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["code"], 83);
}
