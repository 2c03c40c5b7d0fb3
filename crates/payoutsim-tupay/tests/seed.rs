//! The seed's own examples (`shared/seeds/003_…`), with `merchants-api-stg.tupayonline.com`
//! swapped for the simulator on a real socket: each behaves as the seed's text says.

#![allow(clippy::unwrap_used)]

mod support;

use reqwest::{Client, StatusCode};
use serde_json::{Value, json};
use support::*;

struct Staging {
    base: String,
    http: Client,
    _sim: Sim,
    now: i64,
}

async fn staging() -> Staging {
    let sim = sim(3);
    let base = sim.serve().await;
    let now = now(&sim);
    Staging {
        base,
        http: Client::new(),
        _sim: sim,
        now,
    }
}

impl Staging {
    /// "This request must include the access key (email) and secret key (password) in JSON
    /// format"; "The response will include a header field called Set-Cookie … BEARER_TOKEN".
    async fn login(&self) -> String {
        let resp = (self.http.post(format!("{}/v1/auth/login", self.base)))
            .header("Content-Type", "application/json")
            .json(&json!({"accessKey": KEY, "secretKey": SECRET}))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::OK);
        let cookie = resp.headers()["set-cookie"].to_str().unwrap().to_string();
        let body: Value = resp.json().await.unwrap();
        assert_eq!(body["username"], KEY);
        let pair = cookie.split(';').next().unwrap();
        pair.strip_prefix("BEARER_TOKEN=").unwrap().to_string()
    }

    async fn get(&self, path: &str, header: (&str, String)) -> (StatusCode, Value) {
        let resp = (self.http.get(format!("{}{path}", self.base)))
            .header("Content-Type", "application/json")
            .header(header.0, header.1)
            .send()
            .await
            .unwrap();
        (resp.status(), resp.json().await.unwrap())
    }
}

#[tokio::test]
async fn the_token_goes_back_as_the_seeds_cookie_or_its_authorization_header() {
    let s = staging().await;
    let token = s.login().await;
    let range = format!("from={}&to={}", s.now - 30 * DAY, s.now);

    // "Cookie: BEARER_TOKEN=U3dc…" and "Authorization: BEARER_TOKEN=U3dc…" (the seed's table).
    let cookie = s
        .get(
            &format!("/v1/deposits?{range}"),
            ("Cookie", format!("BEARER_TOKEN={token}")),
        )
        .await;
    let header = s
        .get(
            &format!("/v1/deposits?{range}"),
            ("Authorization", format!("BEARER_TOKEN={token}")),
        )
        .await;

    assert_eq!(cookie.0, StatusCode::OK);
    assert_eq!(cookie, header);
}

#[tokio::test]
async fn pages_hold_at_most_fifty_and_a_client_asks_for_the_next_while_rows_equals_max_rows() {
    let s = staging().await;
    let token = s.login().await;
    let cookie = || ("Cookie", format!("BEARER_TOKEN={token}"));
    let range = format!("from={}&to={}", s.now - 60 * DAY, s.now);

    // "Always start with page = 0 … Repeat this until the rows value is lesser than the maxRows one."
    let mut page = 0;
    let mut seen = 0;
    loop {
        let (status, body) = s
            .get(&format!("/v1/deposits?{range}&page={page}"), cookie())
            .await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body["maxRows"], 50);
        let rows = body["rows"].as_u64().unwrap();
        assert_eq!(rows, body["data"].as_array().unwrap().len() as u64);
        seen += rows;
        if rows < 50 {
            break;
        }
        page += 1;
    }
    assert!(page >= 4 && seen > 200, "{page} pages, {seen} deposits");
}

#[tokio::test]
async fn the_seeds_parameters_and_status_values_are_accepted_on_both_lists() {
    let s = staging().await;
    let token = s.login().await;
    let cookie = || ("Cookie", format!("BEARER_TOKEN={token}"));
    let range = format!("from={}&to={}&page=0", s.now - 60 * DAY, s.now);

    for extra in [
        "&country=PE",
        "&paymentMethod=XA",
        "&paymentMethod=XAQR",
        "&clienteDocument=12345678",
    ] {
        assert_eq!(
            s.get(&format!("/v1/deposits?{range}{extra}"), cookie())
                .await
                .0,
            StatusCode::OK,
            "{extra}"
        );
    }
    for status in ["PENDING", "APPROVED", "COMPLETED", "CANCELLED", "DECLINED"] {
        let r = s
            .get(&format!("/v1/deposits?{range}&status={status}"), cookie())
            .await;
        assert_eq!(r.0, StatusCode::OK, "{status}");
    }
    for status in [
        "ON_HOLD",
        "PENDING",
        "DELIVERED",
        "COMPLETED",
        "REJECTED",
        "CANCELLED",
        "DECLINED",
    ] {
        let r = s
            .get(&format!("/v1/cashout?{range}&status={status}"), cookie())
            .await;
        assert_eq!(r.0, StatusCode::OK, "{status}");
    }
    let report = s
        .get(&format!("/v1/balance/report?{range}"), cookie())
        .await;
    let balance = s.get("/v1/balance", cookie()).await;
    assert_eq!((report.0, balance.0), (StatusCode::OK, StatusCode::OK));
}

#[tokio::test]
async fn from_and_to_are_at_most_sixty_days_apart_and_from_cannot_exceed_to() {
    let s = staging().await;
    let token = s.login().await;
    let cookie = || ("Cookie", format!("BEARER_TOKEN={token}"));

    let long = s
        .get(
            &format!("/v1/deposits?from={}&to={}", s.now - 61 * DAY, s.now),
            cookie(),
        )
        .await;
    let reversed = s
        .get(
            &format!("/v1/deposits?from={}&to={}", s.now, s.now - DAY),
            cookie(),
        )
        .await;

    assert_eq!(long.0, StatusCode::BAD_REQUEST);
    assert_eq!(reversed.0, StatusCode::BAD_REQUEST);
    assert_eq!(reversed.1["code"], 17);
}

#[tokio::test]
async fn once_the_token_is_invalidated_a_new_login_is_needed() {
    let s = staging().await;
    let token = s.login().await;

    // "DELETE …/v1/auth/session/destroy" with "Cookie*: BEARER_TOKEN=…".
    let destroyed = (s.http.delete(format!("{}/v1/auth/session/destroy", s.base)))
        .header("Cookie", format!("BEARER_TOKEN={token}"))
        .send()
        .await
        .unwrap();
    let after = s
        .get("/v1/balance", ("Cookie", format!("BEARER_TOKEN={token}")))
        .await;
    let again = s.login().await;
    let fresh = s
        .get("/v1/balance", ("Cookie", format!("BEARER_TOKEN={again}")))
        .await;

    assert_eq!(destroyed.status(), StatusCode::OK);
    assert_eq!(after.0, StatusCode::UNAUTHORIZED);
    assert_eq!(fresh.0, StatusCode::OK);
}
