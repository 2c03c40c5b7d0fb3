//! OnSpot's platform, through payoutsim's back office (`@sim`): bank transfers, the "Payouts"
//! and "Error Logs" sections of the scenario's key pair, forced statuses.

use cucumber::{given, then, when};
use serde_json::{Value, json};

use super::entries;
use crate::params::Names;
use crate::world::ContractWorld;

const ONSPOT: &str = "/__admin/providers/onspot";

#[given(expr = "the back office records a bank transfer of {string} USD to OnSpot")]
#[when(expr = "the back office records a bank transfer of {string} USD to OnSpot")]
async fn transfer(w: &mut ContractWorld, amount: String) {
    let body = json!({ "tenant": w.onspot.pair().tenant(), "amount": amount });
    w.admin("POST", &format!("{ONSPOT}/transfers"), Some(body))
        .await;
}

/// The platform's "Payouts" section for the scenario's key pair.
async fn payouts(w: &ContractWorld) -> (Vec<Value>, Value) {
    let tenant = w.onspot.pair().tenant();
    let view = w
        .admin("GET", &format!("{ONSPOT}/payouts?tenant={tenant}"), None)
        .await;
    let list = view["payouts"].as_array().cloned().unwrap_or_default();
    (list, view["balances"][&tenant].clone())
}

#[then(expr = "OnSpot's Payouts section shows the statuses {names}")]
async fn statuses(w: &mut ContractWorld, expected: Names) {
    let (list, _) = payouts(w).await;
    let shown: Vec<&str> = list
        .iter()
        .map(|p| p["status"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(shown, expected.0, "Payouts section: {list:?}");
}

#[then(expr = "OnSpot's Payouts section shows payout {int} failed with reason {string}")]
async fn failed_with(w: &mut ContractWorld, index: usize, reason: String) {
    let (list, _) = payouts(w).await;
    let p = list.get(index).cloned().unwrap_or_default();
    assert_eq!(
        (&p["status"], &p["reason"]),
        (&json!("failed"), &json!(reason)),
        "{p}"
    );
}

#[then(expr = "OnSpot's {string} balance is {string}")]
async fn balance_is(w: &mut ContractWorld, field: String, amount: String) {
    let (_, balance) = payouts(w).await;
    assert_eq!(balance[field.as_str()], json!(amount), "balance {balance}");
}

#[then(expr = "the Payouts section lists the uuid OnSpot answered for entry {int}")]
async fn lists_uuid(w: &mut ContractWorld, index: usize) {
    let uuid = entries(w)
        .get(index)
        .map(|e| e["uuid"].clone())
        .unwrap_or_default();
    let (list, _) = payouts(w).await;
    assert!(
        list.iter().any(|p| p["uuid"] == uuid),
        "{uuid} not in {list:?}"
    );
}

#[then(expr = "OnSpot's Error Logs show entry {int} of the request with a message naming {string}")]
async fn error_log_shows(w: &mut ContractWorld, index: usize, field: String) {
    let uuid = entries(w)
        .get(index)
        .map(|e| e["uuid"].clone())
        .unwrap_or_default();
    let tenant = w.onspot.pair().tenant();
    let view = w
        .admin("GET", &format!("{ONSPOT}/error-logs?tenant={tenant}"), None)
        .await;
    let logs = view["error_logs"].as_array().cloned().unwrap_or_default();
    let entry = logs
        .iter()
        .find(|l| l["uuid"] == uuid)
        .unwrap_or_else(|| panic!("entry {index} ({uuid}) not in the Error Logs: {logs:?}"));
    assert_eq!(entry["index"], json!(index), "{entry}");
    assert!(entry["item"].is_object(), "{entry}");
    let message = entry["message"].as_str().unwrap_or_default();
    assert!(
        message.contains(&field),
        "{message:?} does not name {field}"
    );
}

#[then(expr = "OnSpot's Error Logs are empty")]
async fn error_logs_empty(w: &mut ContractWorld) {
    let tenant = w.onspot.pair().tenant();
    let view = w
        .admin("GET", &format!("{ONSPOT}/error-logs?tenant={tenant}"), None)
        .await;
    assert_eq!(view["error_logs"], json!([]), "{view}");
}

#[when(expr = "the back office forces OnSpot payout {int} to {string}")]
async fn force(w: &mut ContractWorld, index: usize, status: String) {
    let (list, _) = payouts(w).await;
    let uuid = list
        .get(index)
        .and_then(|p| p["uuid"].as_str())
        .unwrap_or_else(|| panic!("no payout {index} in {list:?}"))
        .to_string();
    let body = json!({ "status": status });
    w.admin(
        "POST",
        &format!("{ONSPOT}/payouts/{uuid}/status"),
        Some(body),
    )
    .await;
}
