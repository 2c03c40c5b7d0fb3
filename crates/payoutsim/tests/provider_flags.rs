//! Provider settings given on the command line reach the providers the binary serves.
#![allow(clippy::unwrap_used)] // tests: an unexpected error should fail loudly

mod common;

use std::process::{Child, Stdio};

use common::process::{Ready, bin, serve_manual, spawn_ready};
use common::send_json;
use serde_json::{Value, json};

/// Starts `payoutsim serve` on free ports with `extra` flags and waits for its ready file.
fn serve(extra: &[&str]) -> (Child, Value) {
    serve_with(extra, &[])
}

/// [`serve`], with `env` set in the process's environment.
fn serve_with(extra: &[&str], env: &[(&str, &str)]) -> (Child, Value) {
    let name: Vec<&str> = extra
        .iter()
        .chain(env.iter().map(|(k, _)| k))
        .copied()
        .collect();
    let tag = format!("flags-{}", name.join("_").replace(['-', '/'], ""));
    let mut command = serve_manual(9, extra);
    command.envs(env.iter().copied()).stderr(Stdio::null());
    let Ready { child, urls, .. } = spawn_ready(command, &tag);
    (child, urls)
}

/// Stops a simulator started by [`serve`].
fn stop(mut child: Child) {
    child.kill().unwrap();
    let _ = child.wait();
}

#[tokio::test]
async fn the_kashpay_sandbox_balance_flag_sets_a_new_entitys_balance() {
    let (child, urls) = serve(&["--kashpay-sandbox-balance", "4321"]);
    let kp = urls["kashpay"].as_str().unwrap().to_string();
    let http = reqwest::Client::new();

    let auth = send_json(
        http.post(format!("{kp}/AuthenticationService/authenticate"))
            .json(&json!({"entity": "com.flags", "user": "ops@flags.test", "password": "pw"})),
    )
    .await;
    let token = auth["authenticationResponse"]["token"].as_str().unwrap();
    let balance = send_json(
        http.get(format!("{kp}/EntitiesServices/getBalance"))
            .bearer_auth(token)
            .header("Entity-i", "com.flags"),
    )
    .await;
    stop(child);

    assert_eq!(balance["success"], true, "{balance}");
    assert_eq!(
        balance["onsignaEntity"]["balance"],
        json!(4321),
        "{balance}"
    );
}

#[test]
fn a_negative_starting_balance_is_refused_before_anything_starts() {
    let out = bin()
        .args(["serve", "--kashpay-sandbox-balance=-1"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("kashpay-sandbox-balance"), "{stderr}");
}

/// The balance OnePay answers for a fresh test tenant of the simulator at `urls`, then stops it.
async fn onepay_test_balance(child: Child, urls: &Value) -> Value {
    let op = urls["onepay"].as_str().unwrap();
    let request = reqwest::Client::new()
        .get(format!("{op}/v1/balances"))
        .bearer_auth("sk_test_flags");
    let balance = send_json(request).await;
    stop(child);
    balance
}

#[tokio::test]
async fn the_onepay_test_balance_flag_sets_a_test_tenants_balance() {
    let (child, urls) = serve(&["--onepay-test-balance", "4321"]);

    let balance = onepay_test_balance(child, &urls).await;

    assert_eq!(balance["data"]["available"], json!(4321), "{balance}");
}

#[tokio::test]
async fn the_onepay_test_balance_is_read_from_its_environment_variable() {
    let (child, urls) = serve_with(&[], &[("PAYOUTSIM_ONEPAY_TEST_BALANCE", "8765")]);

    let balance = onepay_test_balance(child, &urls).await;

    assert_eq!(balance["data"]["available"], json!(8765), "{balance}");
}

/// A Tupay login to `url` (the simulator's Tupay listener): its status and JSON.
async fn tupay_login(url: &str) -> (u16, Value) {
    let resp = reqwest::Client::new()
        .post(format!("{url}/v1/auth/login"))
        .json(&json!({"accessKey": "ops@flags.test", "secretKey": "pw"}))
        .send()
        .await
        .unwrap();
    (resp.status().as_u16(), resp.json().await.unwrap())
}

#[tokio::test]
async fn the_tupay_allow_list_flag_refuses_a_login_from_elsewhere_with_code_83() {
    let (elsewhere, urls) = serve(&["--tupay-allowed-ips", "10.9.9.9"]);
    let refused = tupay_login(urls["tupay"].as_str().unwrap()).await;
    stop(elsewhere);
    let (here, urls) = serve_with(
        &[],
        &[("PAYOUTSIM_TUPAY_ALLOWED_IPS", "10.9.9.9,127.0.0.1")],
    );
    let accepted = tupay_login(urls["tupay"].as_str().unwrap()).await;
    stop(here);

    assert_eq!(refused.0, 403, "{}", refused.1);
    assert_eq!(refused.1["code"], 83);
    assert_eq!(accepted.0, 200, "{}", accepted.1);
}

#[tokio::test]
async fn the_tupay_tenant_cap_is_read_from_its_environment_variable() {
    let (child, urls) = serve_with(&[], &[("PAYOUTSIM_TUPAY_MAX_TENANTS", "1")]);
    let tupay = urls["tupay"].as_str().unwrap();
    let first = tupay_login(tupay).await;
    let note = reqwest::Client::new()
        .post(format!(
            "{}/__admin/providers/tupay/entries",
            urls["admin"].as_str().unwrap()
        ))
        .json(&json!({"tenant": "tupay:ops@flags.test", "kind": "note", "amount": 1, "currency": "USD"}))
        .send()
        .await
        .unwrap()
        .status();
    let second = reqwest::Client::new()
        .post(format!("{tupay}/v1/auth/login"))
        .json(&json!({"accessKey": "finance@flags.test", "secretKey": "pw"}))
        .send()
        .await
        .unwrap();
    let status = second.status().as_u16();
    let body: Value = second.json().await.unwrap();
    stop(child);

    assert_eq!(first.0, 200, "{}", first.1);
    assert_eq!(note.as_u16(), 201);
    assert_eq!(status, 503, "{body}");
    assert_eq!(body["code"], 105);
}
