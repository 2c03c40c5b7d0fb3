//! Provider settings given on the command line reach the providers the binary serves.
#![allow(clippy::unwrap_used)] // tests: an unexpected error should fail loudly

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// Starts `payoutsim serve` on free ports with `extra` flags and waits for its ready file.
fn serve(extra: &[&str]) -> (Child, Value) {
    let ready = std::env::temp_dir().join(format!(
        "payoutsim-flags-{}-{}.json",
        std::process::id(),
        extra.join("_").replace(['-', '/'], "")
    ));
    let _ = std::fs::remove_file(&ready);
    let mut child = Command::new(env!("CARGO_BIN_EXE_payoutsim"))
        .args([
            "serve",
            "--port-base",
            "0",
            "--clock",
            "manual",
            "--seed",
            "9",
        ])
        .args(extra)
        .arg("--ready-file")
        .arg(&ready)
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Process start-up, not simulated time: poll for the file the binary writes once bound.
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        if let Ok(bytes) = std::fs::read(&ready) {
            let _ = std::fs::remove_file(&ready);
            return (child, serde_json::from_slice(&bytes).unwrap());
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("no ready file at {}", ready.display());
}

#[tokio::test]
async fn the_kashpay_sandbox_balance_flag_sets_a_new_entitys_balance() {
    let (mut child, urls) = serve(&["--kashpay-sandbox-balance", "4321"]);
    let kp = urls["kashpay"].as_str().unwrap().to_string();
    let http = reqwest::Client::new();

    let auth: Value = http
        .post(format!("{kp}/AuthenticationService/authenticate"))
        .json(&json!({"entity": "com.flags", "user": "ops@flags.test", "password": "pw"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = auth["authenticationResponse"]["token"].as_str().unwrap();
    let balance: Value = http
        .get(format!("{kp}/EntitiesServices/getBalance"))
        .bearer_auth(token)
        .header("Entity-i", "com.flags")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    child.kill().unwrap();
    let _ = child.wait();

    assert_eq!(balance["success"], true, "{balance}");
    assert_eq!(
        balance["onsignaEntity"]["balance"],
        json!(4321),
        "{balance}"
    );
}

#[test]
fn a_negative_starting_balance_is_refused_before_anything_starts() {
    let out = Command::new(env!("CARGO_BIN_EXE_payoutsim"))
        .args(["serve", "--kashpay-sandbox-balance=-1"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("kashpay-sandbox-balance"), "{stderr}");
}
