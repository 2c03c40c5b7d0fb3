//! Login, the three token carriers, the sliding 15 minutes on the simulated clock, session
//! destroy, the location allow-list, and every refusal in `{code, description}`.

#![allow(clippy::unwrap_used)] // helpers outside #[test] fns: a failed unwrap is a failed test

mod support;

use std::net::SocketAddr;

use axum::extract::ConnectInfo;
use payoutsim_core::testkit::request;
use payoutsim_tupay::TupayConfig;
use support::*;

const DEPOSITS_TODAY: &str = "/v1/deposits?from=1767571200&to=1767657599";

#[tokio::test]
async fn login_answers_the_user_and_merchant_and_sets_the_bearer_token_cookie() {
    let sim = sim(1);

    let r = sim.login_as(KEY, SECRET).await;

    assert_eq!(r.status, 200, "{}", r.json);
    assert_eq!(r.json["username"], KEY);
    assert!(r.json["idUser"].is_u64() && r.json["idMerchant"].is_u64());
    assert_eq!(r.json.as_object().unwrap().len(), 3);
    let cookie = r.headers["set-cookie"].to_str().unwrap();
    let (pair, attributes) = cookie.split_once("; ").unwrap();
    let token = pair.strip_prefix("BEARER_TOKEN=").unwrap();
    assert_eq!(token.len(), 33);
    assert!(token.bytes().all(|b| b.is_ascii_alphanumeric()));
    assert_eq!(attributes, "Path=/; HttpOnly");
}

#[tokio::test]
async fn a_secure_cookie_is_set_only_when_configured() {
    let config = TupayConfig {
        secure_cookie: true,
        ..TupayConfig::default()
    };
    let sim = sim_with(1, config);

    let r = sim.login_as(KEY, SECRET).await;

    assert!(
        r.headers["set-cookie"]
            .to_str()
            .unwrap()
            .ends_with("; HttpOnly; Secure")
    );
}

#[tokio::test]
async fn the_token_is_accepted_in_a_cookie_as_a_bearer_and_in_the_seeds_header_syntax() {
    let sim = sim(1);
    let token = sim.token().await;

    for carrier in [Carrier::Cookie, Carrier::Bearer, Carrier::Seed] {
        let r = sim.get_with(DEPOSITS_TODAY, carrier, &token).await;
        assert_eq!(r.status, 200, "{carrier:?}: {}", r.json);
    }
}

#[tokio::test]
async fn a_session_slides_fifteen_simulated_minutes_from_its_last_use() {
    let sim = sim(1);
    let token = sim.token().await;

    sim.advance(899.0).await;
    let kept = sim.get(DEPOSITS_TODAY, &token).await.status;
    sim.advance(899.0).await;
    let slid = sim.get(DEPOSITS_TODAY, &token).await.status;
    sim.advance(900.0).await;
    let expired = sim.get(DEPOSITS_TODAY, &token).await;

    assert_eq!((kept, slid), (200, 200));
    expired.assert_error(401, 22);
}

#[tokio::test]
async fn a_request_refused_for_its_parameters_still_counts_as_use() {
    let sim = sim(1);
    let token = sim.token().await;

    sim.advance(600.0).await;
    sim.get("/v1/deposits?from=x&to=1", &token)
        .await
        .assert_error(400, 102);
    sim.advance(600.0).await;

    assert_eq!(sim.get(DEPOSITS_TODAY, &token).await.status, 200);
}

#[tokio::test]
async fn every_login_opens_a_new_session_and_destroy_ends_only_its_own() {
    let sim = sim(1);
    let first = sim.token().await;
    let second = sim.token().await;
    assert_ne!(first, second);

    let (name, value) = Carrier::Seed.header(&first);
    let destroyed = sim
        .call(
            "DELETE",
            "/v1/auth/session/destroy",
            &[(name, &value)],
            None,
        )
        .await;

    assert_eq!(destroyed.status, 200);
    assert!(destroyed.bytes.is_empty());
    assert!(
        destroyed.headers["set-cookie"]
            .to_str()
            .unwrap()
            .contains("Max-Age=0")
    );
    sim.get(DEPOSITS_TODAY, &first).await.assert_error(401, 21);
    assert_eq!(sim.get(DEPOSITS_TODAY, &second).await.status, 200);
}

#[tokio::test]
async fn no_token_an_unknown_one_and_the_seeds_example_token_are_refused() {
    let sim = sim(1);
    sim.token().await;

    let none = sim.call("GET", DEPOSITS_TODAY, &[], None).await;
    let example = sim
        .get(DEPOSITS_TODAY, "U3dcUx8IRJ5nLjb0WYM4cHa3qHFqnrqAk")
        .await;
    let destroy = sim
        .call("DELETE", "/v1/auth/session/destroy", &[], None)
        .await;

    none.assert_error(401, 20);
    example.assert_error(401, 21);
    destroy.assert_error(401, 20);
}

#[tokio::test]
async fn a_wrong_secret_for_a_known_access_key_is_refused_with_d24s_code_11() {
    let sim = sim(1);
    sim.token().await;

    let wrong = sim.login_as(KEY, "not-the-secret").await;
    let not_an_email = sim.login_as("operator", SECRET).await;
    let empty = sim.login_as("a@b.com", "").await;

    wrong.assert_error(401, 11);
    not_an_email.assert_error(401, 11);
    empty.assert_error(401, 11);
}

#[tokio::test]
async fn a_malformed_login_body_is_a_400_in_the_envelope() {
    let sim = sim(1);

    for body in [
        &b"{\"accessKey\":"[..],
        b"[]",
        b"",
        br#"{"accessKey":"a@b.c"}"#,
        br#"{"accessKey":1,"secretKey":"s"}"#,
    ] {
        let r = sim.call("POST", "/v1/auth/login", &[], Some(body)).await;
        r.assert_error(400, 100);
    }
}

#[tokio::test]
async fn the_token_expired_fault_answers_exactly_as_a_really_expired_session() {
    let sim = sim(1);
    let token = sim.token().await;
    sim.advance(900.0).await;
    let real = sim.get(DEPOSITS_TODAY, &token).await;

    let injected = sim.provider.expired_token_response();
    let status = injected.status().as_u16();
    let body = http_body_util::BodyExt::collect(injected.into_body())
        .await
        .unwrap()
        .to_bytes();

    assert_eq!((status, &body[..]), (real.status, &real.bytes[..]));
}

fn from(ip: [u8; 4]) -> ConnectInfo<SocketAddr> {
    ConnectInfo(SocketAddr::from((ip, 40_000)))
}

async fn login_from(sim: &Sim, peer: Option<ConnectInfo<SocketAddr>>) -> Resp {
    let body = format!(r#"{{"accessKey":"{KEY}","secretKey":"{SECRET}"}}"#);
    let mut req = request(
        "POST",
        "/v1/auth/login",
        &[("content-type", "application/json")],
        Some(body.as_bytes()),
    );
    if let Some(peer) = peer {
        req.extensions_mut().insert(peer);
    }
    sim.send(req).await
}

#[tokio::test]
async fn with_an_allow_list_a_login_from_elsewhere_gets_the_documented_code_83() {
    let config = TupayConfig {
        allowed_ips: vec!["10.0.0.7".parse().unwrap()],
        ..TupayConfig::default()
    };
    let sim = sim_with(1, config);

    let allowed = login_from(&sim, Some(from([10, 0, 0, 7]))).await;
    let elsewhere = login_from(&sim, Some(from([192, 168, 1, 2]))).await;
    let unknown = login_from(&sim, None).await;

    assert_eq!(allowed.status, 200, "{}", allowed.json);
    elsewhere.assert_error(403, 83);
    assert_eq!(
        elsewhere.description(),
        "You are not permitted to log in from this location, please contact your account administrator."
    );
    unknown.assert_error(403, 83);
}

#[tokio::test]
async fn without_an_allow_list_a_login_is_accepted_from_anywhere() {
    let sim = sim(1);

    let r = login_from(&sim, Some(from([203, 0, 113, 9]))).await;

    assert_eq!(r.status, 200);
}

#[tokio::test]
async fn unknown_paths_and_wrong_methods_answer_in_the_envelope() {
    let sim = sim(1);
    let token = sim.token().await;

    sim.get("/v1/nothing", &token).await.assert_error(404, 404);
    sim.call("POST", "/v1/deposits", &[], None)
        .await
        .assert_error(405, 405);
    sim.call("GET", "/v1/auth/login", &[], None)
        .await
        .assert_error(405, 405);
}
