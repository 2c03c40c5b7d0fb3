//! Tupay's back office (`@sim`): insert a deposit or cashout, move its status, record a note or
//! settlement; and the balance before and after.

use cucumber::gherkin::Step;
use cucumber::{then, when};
use serde_json::{Value, json};

use super::signed;
use crate::params::ProviderName;
use crate::steps::docstring;
use crate::world::{ContractWorld, ProviderState};

const BACK_OFFICE: &str = "/__admin/providers/tupay";

/// The docstring's fields, for the user in use (`tenant` added).
fn fields(w: &ContractWorld, step: &Step) -> Value {
    let text = w.resolve_for(ProviderName::Tupay, &docstring(step));
    let mut body: Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("bad JSON: {e}: {text}"));
    body["tenant"] = json!(w.tupay.tenant());
    body
}

#[when(expr = "the back office inserts a Tupay {word}:")]
async fn insert(w: &mut ContractWorld, step: &Step, kind: String) {
    let path = match kind.as_str() {
        "deposit" => "/deposits",
        "cashout" => "/cashouts",
        other => panic!("the back office inserts deposits and cashouts, not {other:?}"),
    };
    let body = fields(w, step);
    let created = w
        .admin("POST", &format!("{BACK_OFFICE}{path}"), Some(body))
        .await;
    w.tupay.inserted = Some(created);
}

fn inserted_id(w: &ContractWorld) -> (String, &'static str) {
    let inserted = w
        .tupay
        .inserted
        .as_ref()
        .unwrap_or_else(|| panic!("nothing inserted yet"));
    match (&inserted["idDeposit"], &inserted["idCashout"]) {
        (Value::Number(id), _) => (id.to_string(), "deposits"),
        (_, Value::Number(id)) => (id.to_string(), "cashouts"),
        _ => panic!("not a deposit or cashout: {inserted}"),
    }
}

#[when(expr = "the back office moves the inserted Tupay transaction to {string}")]
async fn move_it(w: &mut ContractWorld, status: String) {
    let (id, kind) = inserted_id(w);
    let body = json!({"status": status, "tenant": w.tupay.tenant()});
    let moved = w
        .admin(
            "POST",
            &format!("{BACK_OFFICE}/{kind}/{id}/status"),
            Some(body),
        )
        .await;
    w.tupay.inserted = Some(moved);
}

#[when(expr = "the back office records a Tupay {word} of {float} {word}")]
async fn record(w: &mut ContractWorld, kind: String, amount: f64, currency: String) {
    let body = json!({"tenant": w.tupay.tenant(), "kind": kind, "amount": format!("{amount:.2}"), "currency": currency});
    w.admin("POST", &format!("{BACK_OFFICE}/entries"), Some(body))
        .await;
}

#[then(expr = "the newest Tupay item listed is the inserted one, {string}")]
async fn newest_is_inserted(w: &mut ContractWorld, status: String) {
    let (id, kind) = inserted_id(w);
    let path = if kind == "deposits" {
        "/v1/deposits"
    } else {
        "/v1/cashout"
    };
    let range = super::last_days(w, 5).await;
    let request = signed(w, "GET", &format!("{path}?{range}"));
    let first = w.send(request).await.json()["data"][0].clone();
    let field = if kind == "deposits" {
        "idDeposit"
    } else {
        "idCashout"
    };
    assert_eq!(first[field].to_string(), id, "{first}");
    assert_eq!(first["status"], status.as_str(), "{first}");
}

async fn balance(w: &ContractWorld, currency: &str) -> i64 {
    let request = signed(w, "GET", "/v1/balance");
    let rows = w.send(request).await.json();
    let row = (rows.as_array().into_iter().flatten()).find(|r| r["currency"] == currency);
    row.map(|r| (r["totalBalance"].as_f64().unwrap_or(0.0) * 100.0).round() as i64)
        .unwrap_or(0)
}

#[when(expr = "I note the Tupay balance in {word}")]
async fn note_balance(w: &mut ContractWorld, currency: String) {
    let b = balance(w, &currency).await;
    w.tupay.noted_balance = Some(b);
}

#[then(expr = "the Tupay balance in {word} has moved by {float}")]
async fn balance_moved(w: &mut ContractWorld, currency: String, by: f64) {
    let before = w
        .tupay
        .noted_balance
        .unwrap_or_else(|| panic!("note the Tupay balance first"));
    let now = balance(w, &currency).await;
    assert_eq!(
        now - before,
        (by * 100.0).round() as i64,
        "{currency}: {before} then {now}"
    );
}
