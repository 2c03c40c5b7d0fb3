//! Over a real socket: the seed's curl examples, sent as raw HTTP/1.1 to OnSpot served on
//! `127.0.0.1:0`, answer as the docs say.

#![allow(clippy::unwrap_used)]

mod support;

use serde_json::Value;
use support::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Serves the journaled router on a free port; returns its address.
async fn serve(sim: &Sim) -> std::net::SocketAddr {
    let base = sim.serve().await;
    base.strip_prefix("http://").unwrap().parse().unwrap()
}

/// One request with `Connection: close`; `(status, body)`.
async fn exchange(addr: std::net::SocketAddr, head: &str, body: &str) -> (u16, Value) {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let request = format!(
        "{head}\r\nHost: {addr}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await.unwrap();
    let text = String::from_utf8(raw).unwrap();
    let (head, body) = text.split_once("\r\n\r\n").unwrap();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    (status, serde_json::from_str(body).unwrap_or(Value::Null))
}

#[tokio::test]
async fn the_seeds_curl_examples_work_over_the_wire() {
    let sim = sim(1);
    let addr = serve(&sim).await;

    let (status, token) = exchange(
        addr,
        "POST /auth/generate-token HTTP/1.1\r\npublicKey: your-public-key\r\nsecretKey: your-secret-key\r\nenvironment: live",
        "",
    )
    .await;
    let token = token.as_str().unwrap().to_string();
    let (status2, answer) = exchange(
        addr,
        &format!(
            "POST /accreditation/payouts/create HTTP/1.1\r\nAuthorization: Bearer {token}\r\nenvironment: live\r\nContent-Type: application/json"
        ),
        &seed_body().to_string(),
    )
    .await;

    assert_eq!(status, 201);
    assert_eq!(status2, 201);
    assert_eq!(answer[0][0]["action"], "success");
    assert_eq!(answer[0][1]["action"], "error");
}

#[tokio::test]
async fn a_refusal_over_the_wire_is_a_nestjs_body() {
    let sim = sim(1);
    let addr = serve(&sim).await;

    let (status, body) = exchange(
        addr,
        "POST /accreditation/payouts/create HTTP/1.1\r\nAuthorization: Bearer x.y.z\r\nenvironment: live",
        "[]",
    )
    .await;

    assert_eq!(status, 401);
    assert_eq!(
        body,
        serde_json::json!({"statusCode": 401, "message": "Unauthorized", "error": "Unauthorized"})
    );
}
