//! Every listener's connection limits on real sockets: head, body and idle timeouts, the
//! connection limit's 503, and the shutdown deadline after SIGTERM.
//!
//! A connection timeout is wall time by nature: each test here sets its limits well under 2 s.
#![allow(clippy::unwrap_used)] // tests: an unexpected error should fail loudly

mod common;

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::process::{Ready, serve_manual, spawn_ready};
use payoutsim::{ConnectionLimits, Running, ServeConfig};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// A simulator on free ports with `limits`.
async fn start(limits: ConnectionLimits) -> Running {
    let config = ServeConfig {
        connections: limits,
        ..ServeConfig::for_tests()
    };
    payoutsim::start(config).await.unwrap()
}

/// A raw TCP connection to the listener `name`.
async fn connect(running: &Running, name: &str) -> TcpStream {
    let url = running.url(name).unwrap();
    TcpStream::connect(url.trim_start_matches("http://"))
        .await
        .unwrap()
}

/// Everything the server sends until it closes the connection, and when it closed it; fails
/// the test when the connection is still open after `within`.
async fn until_closed(stream: &mut TcpStream, within: Duration) -> (Vec<u8>, Duration) {
    let started = Instant::now();
    let mut got = Vec::new();
    let read = tokio::time::timeout(within, async {
        let mut buf = [0u8; 4096];
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => got.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await;
    assert!(read.is_ok(), "still open after {within:?}; got {got:?}");
    (got, started.elapsed())
}

/// Reads one answer with a `content-length` off a kept-alive connection.
async fn one_answer(stream: &mut TcpStream) -> String {
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let text = String::from_utf8_lossy(&got).into_owned();
        if let Some((head, body)) = text.split_once("\r\n\r\n") {
            let length = head
                .lines()
                .find_map(|l| {
                    l.to_ascii_lowercase()
                        .strip_prefix("content-length: ")
                        .map(str::to_string)
                })
                .and_then(|n| n.trim().parse::<usize>().ok())
                .unwrap_or(0);
            if body.len() >= length {
                return text;
            }
        }
        let n = tokio::time::timeout(Duration::from_secs(2), stream.read(&mut buf))
            .await
            .unwrap()
            .unwrap();
        assert!(n > 0, "closed before a whole answer: {text}");
        got.extend_from_slice(&buf[..n]);
    }
}

/// `GET /__admin/health` as bytes, with the admin listener's own `Host`.
fn health(running: &Running) -> Vec<u8> {
    let host = running.url("admin").unwrap().trim_start_matches("http://");
    format!("GET /__admin/health HTTP/1.1\r\nhost: {host}\r\n\r\n").into_bytes()
}

#[tokio::test]
async fn an_idle_connection_is_closed_after_the_header_timeout() {
    let running = start(ConnectionLimits {
        header_timeout: Duration::from_millis(400),
        ..ConnectionLimits::default()
    })
    .await;
    let mut silent = connect(&running, "onepay").await;
    let mut half = connect(&running, "admin").await;
    half.write_all(b"GET /__admin/health HTTP/1.1\r\nhost: 1")
        .await
        .unwrap();

    let (sent, after) = until_closed(&mut silent, Duration::from_millis(1500)).await;
    let (half_sent, _) = until_closed(&mut half, Duration::from_millis(1500)).await;

    assert!(
        after >= Duration::from_millis(300),
        "closed after {after:?}"
    );
    assert!(sent.is_empty(), "{sent:?}");
    // hyper answers a head that timed out with a 408 before closing; never a 200.
    assert!(!String::from_utf8_lossy(&half_sent).contains(" 200 "));
    running.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_kept_alive_connection_may_wait_past_the_header_timeout_until_the_idle_timeout() {
    let running = start(ConnectionLimits {
        header_timeout: Duration::from_millis(300),
        idle_timeout: Duration::from_millis(900),
        ..ConnectionLimits::default()
    })
    .await;
    let mut conn = connect(&running, "admin").await;
    conn.write_all(&health(&running)).await.unwrap();
    assert!(one_answer(&mut conn).await.starts_with("HTTP/1.1 200"));

    // Longer than the header timeout, shorter than the idle one: still open.
    tokio::time::sleep(Duration::from_millis(500)).await;
    conn.write_all(&health(&running)).await.unwrap();
    let second = one_answer(&mut conn).await;
    let idle_from = Instant::now();
    let (rest, _) = until_closed(&mut conn, Duration::from_millis(1800)).await;

    assert!(second.starts_with("HTTP/1.1 200"), "{second}");
    assert!(rest.is_empty(), "{rest:?}");
    let idle = idle_from.elapsed();
    assert!(
        idle >= Duration::from_millis(800),
        "closed after {idle:?} idle"
    );
    running.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_kept_alive_connection_whose_next_head_stalls_is_closed_a_header_timeout_after_it_began()
{
    let running = start(ConnectionLimits {
        header_timeout: Duration::from_millis(300),
        idle_timeout: Duration::from_secs(5),
        ..ConnectionLimits::default()
    })
    .await;
    let mut conn = connect(&running, "admin").await;
    // Several answered requests first: each wait of the connection moves its deadline.
    for _ in 0..3 {
        conn.write_all(&health(&running)).await.unwrap();
        assert!(one_answer(&mut conn).await.starts_with("HTTP/1.1 200"));
    }
    // Idle past the header timeout (allowed), then a head that begins and never ends.
    tokio::time::sleep(Duration::from_millis(400)).await;
    conn.write_all(b"GET /__admin/health HTTP/1.1\r\nhost: 1")
        .await
        .unwrap();
    let began = Instant::now();

    let (sent, _) = until_closed(&mut conn, Duration::from_secs(3)).await;

    let after = began.elapsed();
    assert!(
        !String::from_utf8_lossy(&sent).contains(" 200 "),
        "{sent:?}"
    );
    assert!(
        after >= Duration::from_millis(250) && after < Duration::from_millis(2500),
        "closed {after:?} after the head began (header timeout 300 ms, idle 5 s)"
    );
    running.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_body_that_does_not_arrive_in_time_closes_the_connection_without_an_answer() {
    let running = start(ConnectionLimits {
        body_timeout: Duration::from_millis(400),
        ..ConnectionLimits::default()
    })
    .await;
    let mut conn = connect(&running, "admin").await;
    let host = running.url("admin").unwrap().trim_start_matches("http://");
    let head = format!(
        "POST /__admin/clock/advance HTTP/1.1\r\nhost: {host}\r\n\
         content-type: application/json\r\ncontent-length: 100\r\n\r\n{{\"seconds\":"
    );
    conn.write_all(head.as_bytes()).await.unwrap();

    let (sent, after) = until_closed(&mut conn, Duration::from_millis(1500)).await;

    assert!(sent.is_empty(), "{}", String::from_utf8_lossy(&sent));
    assert!(
        after >= Duration::from_millis(300),
        "closed after {after:?}"
    );
    running.shutdown().await.unwrap();
}

#[tokio::test]
async fn connections_past_the_limit_get_the_503_refusal_while_the_admin_listener_still_answers() {
    let running = start(ConnectionLimits {
        max_connections: 2,
        ..ConnectionLimits::default()
    })
    .await;
    let _first = connect(&running, "onepay").await;
    let _second = connect(&running, "onepay").await;
    // The listener has taken both before the third arrives.
    tokio::time::sleep(Duration::from_millis(50)).await;

    let mut third = connect(&running, "onepay").await;
    third
        .write_all(b"GET /v1/balances HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n")
        .await
        .unwrap();
    let (answer, _) = until_closed(&mut third, Duration::from_millis(1500)).await;
    let health = reqwest::get(format!("{}/__admin/health", running.url("admin").unwrap()))
        .await
        .unwrap();

    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 503"), "{answer}");
    assert!(answer.contains("--max-connections"), "{answer}");
    assert!(answer.contains("at most 2"), "{answer}");
    assert_eq!(health.status(), 200);
    running.shutdown().await.unwrap();
}

#[tokio::test]
async fn a_freed_connection_slot_is_served_again() {
    let running = start(ConnectionLimits {
        max_connections: 1,
        ..ConnectionLimits::default()
    })
    .await;
    let first = connect(&running, "admin").await;
    drop(first);
    tokio::time::sleep(Duration::from_millis(100)).await;

    let mut next = connect(&running, "admin").await;
    next.write_all(&health(&running)).await.unwrap();

    assert!(one_answer(&mut next).await.starts_with("HTTP/1.1 200"));
    running.shutdown().await.unwrap();
}

#[tokio::test]
async fn shutdown_closes_what_is_left_after_the_deadline() {
    let running = start(ConnectionLimits {
        header_timeout: Duration::from_secs(30),
        shutdown_deadline: Duration::from_millis(300),
        ..ConnectionLimits::default()
    })
    .await;
    let mut half = connect(&running, "onepay").await;
    half.write_all(b"POST /v1/cashouts HTTP/1.1\r\nhost: 12")
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(50)).await;

    let started = Instant::now();
    running.shutdown().await.unwrap();
    let took = started.elapsed();
    let (_, _) = until_closed(&mut half, Duration::from_millis(500)).await;

    assert!(took < Duration::from_millis(1500), "shutdown took {took:?}");
}

#[tokio::test]
async fn a_half_sent_request_does_not_keep_the_server_from_exiting_past_the_shutdown_deadline_after_sigterm()
 {
    let mut command = serve_manual(5, &["--header-timeout", "60", "--shutdown-deadline", "0.5"]);
    command.stderr(Stdio::piped());
    let Ready {
        mut child, urls, ..
    } = spawn_ready(command, "deadline");
    let onepay = urls["onepay"]
        .as_str()
        .unwrap()
        .trim_start_matches("http://");
    let mut half = TcpStream::connect(onepay).await.unwrap();
    half.write_all(b"POST /v1/cashouts HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-le")
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(50)).await;

    let started = Instant::now();
    let kill = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    let mut exited = None;
    while started.elapsed() < Duration::from_secs(5) {
        if let Some(status) = child.try_wait().unwrap() {
            exited = Some((status, started.elapsed()));
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    if exited.is_none() {
        child.kill().unwrap();
    }
    let out = child.wait_with_output().unwrap();

    assert!(kill.success());
    let (status, took) = exited.expect("still running 5 s after SIGTERM");
    assert!(status.success(), "{status:?}");
    assert!(took < Duration::from_millis(1800), "exited after {took:?}");
    let logs = String::from_utf8_lossy(&out.stderr);
    assert!(logs.contains("shutdown deadline passed"), "{logs}");
}
