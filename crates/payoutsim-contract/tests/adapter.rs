//! The suite's side of the adapter protocol against scripted adapters (`sh`, no other runtime):
//! what a well-behaved adapter gets, and a clear error, never a hang or a panic, for each way an
//! adapter can break the protocol.

use std::time::Duration;

use futures::FutureExt;
use payoutsim_contract::adapter::{AdapterProcess, ErrorKind, SleepMode};
use serde_json::{Value, json};

const HELLO: &str = r#"{"type":"hello","protocol":1,"adapter":{"name":"scripted","version":"0.1"},"operations":{"onepay":["payout.create","payout.get"]},"sleep":"suite"}"#;

/// An adapter that says hello and then prints `lines` one per line read from its stdin.
fn scripted(lines: &[&str]) -> String {
    let mut script = format!("printf '%s\\n' '{HELLO}'; ");
    for line in lines {
        script.push_str(&format!("read -r l; printf '%s\\n' '{line}'; "));
    }
    script.push_str("cat > /dev/null");
    script
}

fn no_sleep() -> impl FnMut(f64) -> futures::future::BoxFuture<'static, String> + Send {
    |_| async { panic!("this adapter does not sleep") }.boxed()
}

#[tokio::test]
async fn the_hello_says_which_operations_each_provider_supports() {
    let adapter = AdapterProcess::start(&scripted(&[]))
        .await
        .expect("it starts");
    assert_eq!(adapter.hello().name, "scripted");
    assert_eq!(adapter.hello().sleep, SleepMode::Suite);
    assert!(adapter.supports("onepay", "payout.create"));
    assert!(!adapter.supports("onepay", "webhook.receive"));
    assert!(!adapter.supports("kashpay", "payout.create"));
    adapter.shutdown().await;
}

#[tokio::test]
async fn a_result_and_a_rejected_error_are_read_back_by_their_ids() {
    let mut adapter = AdapterProcess::start(&scripted(&[
        r#"{"type":"result","id":"s1","result":{}}"#,
        r#"{"type":"result","id":"s2","result":{"id":"c-1","status":"pending"}}"#,
        r#"{"type":"error","id":"s3","error":{"kind":"rejected","status":422,"code":"validation_error","message":"bad"}}"#,
    ]))
    .await
    .expect("it starts");
    let configured = adapter
        .configure(
            "onepay",
            "http://127.0.0.1:1",
            json!({"api_key": "sk_test_x"}),
            None,
            10.0,
        )
        .await;
    assert!(configured.is_ok(), "{configured:?}");
    let mut sleeper = no_sleep();
    let created = adapter
        .perform(
            "onepay",
            "payout.create",
            json!({"reference": "r"}),
            &mut sleeper,
        )
        .await
        .expect("an answer");
    assert_eq!(created, Ok(json!({"id": "c-1", "status": "pending"})));
    let refused = adapter
        .perform("onepay", "payout.get", json!({"id": "x"}), &mut sleeper)
        .await
        .expect("an answer")
        .expect_err("a refusal");
    assert_eq!(refused.kind, ErrorKind::Rejected);
    assert_eq!(refused.status, Some(422));
    assert_eq!(refused.code, Some(json!("validation_error")));
    adapter.shutdown().await;
}

#[tokio::test]
async fn a_sleep_is_waited_through_the_suite_and_answered_with_slept() {
    // After the request the adapter asks for 30 s, then echoes the `slept` it got as its result.
    let script = format!(
        "printf '%s\\n' '{HELLO}'; read -r l; \
         printf '%s\\n' '{{\"type\":\"sleep\",\"id\":\"a1\",\"seconds\":30}}'; read -r l; \
         printf '{{\"type\":\"result\",\"id\":\"s1\",\"result\":{{\"slept\":%s}}}}\\n' \"$l\"; \
         cat > /dev/null"
    );
    let mut adapter = AdapterProcess::start(&script).await.expect("it starts");
    let mut asked = Vec::new();
    let mut sleeper = |s: f64| {
        asked.push(s);
        async { "2026-12-01T10:00:30Z".to_string() }.boxed()
    };
    let outcome = adapter
        .perform("onepay", "payout.create", json!({}), &mut sleeper)
        .await
        .expect("an answer")
        .expect("a result");
    assert_eq!(asked, [30.0]);
    let slept: &Value = &outcome["slept"];
    assert_eq!(slept["type"], "slept");
    assert_eq!(slept["id"], "a1");
    assert_eq!(slept["at"], "2026-12-01T10:00:30Z");
    adapter.shutdown().await;
}

#[tokio::test]
async fn an_adapter_of_another_protocol_version_is_refused_by_name() {
    let hello =
        r#"{"type":"hello","protocol":2,"adapter":{"name":"n","version":"1"},"operations":{}}"#;
    let refused = AdapterProcess::start(&format!("printf '%s\\n' '{hello}'; cat > /dev/null"))
        .await
        .err()
        .expect("refused");
    assert!(refused.what.contains("protocol 2"), "{refused}");
}

#[tokio::test]
async fn a_first_line_that_is_not_json_is_refused_naming_the_line() {
    let refused = AdapterProcess::start("echo 'starting...'; cat > /dev/null")
        .await
        .err()
        .expect("refused");
    assert!(
        refused.what.contains("not a JSON object: starting..."),
        "{refused}"
    );
}

#[tokio::test]
async fn an_adapter_that_dies_at_start_is_refused_with_its_stderr() {
    let script = "echo 'Traceback: ImportError: no module named acme' >&2; exit 1";
    let refused = AdapterProcess::start(script).await.err().expect("refused");
    assert!(
        refused.what.contains("exited before answering its hello"),
        "{refused}"
    );
    assert!(
        refused.stderr.contains("ImportError: no module named acme"),
        "{refused}"
    );
}

#[tokio::test]
async fn an_adapter_that_never_says_hello_fails_within_its_time() {
    let refused = AdapterProcess::start_within("cat > /dev/null", Duration::from_millis(200))
        .await
        .err()
        .expect("refused");
    assert!(refused.what.contains("no answer to its hello"), "{refused}");
}

#[tokio::test]
async fn an_answer_under_another_id_is_a_protocol_error() {
    let mut adapter =
        AdapterProcess::start(&scripted(&[r#"{"type":"result","id":"s9","result":{}}"#]))
            .await
            .expect("it starts");
    let broken = adapter
        .perform("onepay", "payout.get", json!({}), &mut no_sleep())
        .await
        .expect_err("a protocol error");
    assert!(broken.what.contains("while s1 was asked"), "{broken}");
}

#[tokio::test]
async fn an_adapter_that_exits_mid_run_is_reported_not_waited_for() {
    let script = format!("printf '%s\\n' '{HELLO}'; read -r l; echo 'crashed' >&2; exit 3");
    let mut adapter = AdapterProcess::start(&script).await.expect("it starts");
    let broken = adapter
        .perform("onepay", "payout.get", json!({}), &mut no_sleep())
        .await
        .expect_err("a protocol error");
    assert!(broken.what.contains("exited before answering"), "{broken}");
    assert!(broken.stderr.contains("crashed"), "{broken}");
}

#[tokio::test]
async fn a_rejected_error_without_its_status_and_an_unknown_kind_are_protocol_errors() {
    let mut adapter = AdapterProcess::start(&scripted(&[
        r#"{"type":"error","id":"s1","error":{"kind":"rejected"}}"#,
    ]))
    .await
    .expect("it starts");
    let broken = adapter
        .perform("onepay", "payout.get", json!({}), &mut no_sleep())
        .await
        .expect_err("a protocol error");
    assert!(broken.what.contains("without its HTTP status"), "{broken}");
    let mut adapter = AdapterProcess::start(&scripted(&[
        r#"{"type":"error","id":"s1","error":{"kind":"oops"}}"#,
    ]))
    .await
    .expect("it starts");
    let broken = adapter
        .perform("onepay", "payout.get", json!({}), &mut no_sleep())
        .await
        .expect_err("a protocol error");
    assert!(broken.what.contains("no known kind"), "{broken}");
}
