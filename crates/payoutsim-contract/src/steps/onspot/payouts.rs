//! OnSpot's Create Payouts: `POST /accreditation/payouts/create` with the scenario's token and
//! environment, a docstring body or generated items; checks of the `[[{uuid, email, action,
//! message}]]` answer and of OnSpot's NestJS-style error bodies.

use cucumber::gherkin::Step;
use cucumber::{given, then, when};
use serde_json::{Value, json};

use super::{entries, header, replace, request};
use crate::params::{Names, Verb};
use crate::steps::docstring;
use crate::world::ContractWorld;

pub const CREATE_PATH: &str = "/accreditation/payouts/create";

/// A valid INDIVIDUAL payout of `amount` USD to `document`.
pub fn item(amount: &str, document: &str) -> Value {
    json!({
        "type": "INDIVIDUAL",
        "documentType": "CC",
        "documentNumber": document,
        "firstName": "Aries",
        "lastName": "Studio",
        "customerEmail": "aries@example.com",
        "amount": amount,
        "currency": "USD",
        "description": "Payout"
    })
}

/// Create Payouts with `body`, the scenario's token and environment, changed by `edit`.
async fn create(
    w: &mut ContractWorld,
    body: Vec<u8>,
    edit: impl FnOnce(&mut Vec<(String, String)>),
) {
    let env = w.onspot.pair().environment.clone();
    let token = w.onspot.token.clone().unwrap_or_default();
    let mut headers = vec![
        header("authorization", &format!("Bearer {token}")),
        header("environment", &env),
        header("content-type", "application/json"),
    ];
    edit(&mut headers);
    let req = request(w, CREATE_PATH, headers, Some(body));
    w.exchange(req).await;
}

#[when("I create OnSpot payouts:")]
async fn create_payouts(w: &mut ContractWorld, step: &Step) {
    create(w, docstring(step).into_bytes(), |_| {}).await;
}

#[when(expr = "I create OnSpot payouts in the {string} environment:")]
async fn create_in(w: &mut ContractWorld, step: &Step, environment: String) {
    create(w, docstring(step).into_bytes(), |h| {
        replace(h, "environment", &environment)
    })
    .await;
}

#[when("I create OnSpot payouts without the environment header:")]
async fn create_without_environment(w: &mut ContractWorld, step: &Step) {
    create(w, docstring(step).into_bytes(), |h| {
        h.retain(|(k, _)| k != "environment")
    })
    .await;
}

#[when(expr = "I create OnSpot payouts with the Authorization header {string}:")]
async fn create_with_authorization(w: &mut ContractWorld, step: &Step, auth: String) {
    create(w, docstring(step).into_bytes(), |h| {
        h.retain(|(k, _)| k != "authorization");
        if !auth.is_empty() {
            h.push(header("authorization", &auth));
        }
    })
    .await;
}

#[when(expr = "I create OnSpot payouts with content type {string}:")]
async fn create_with_type(w: &mut ContractWorld, step: &Step, ty: String) {
    create(w, docstring(step).into_bytes(), |h| {
        replace(h, "content-type", &ty)
    })
    .await;
}

#[given(expr = "I create OnSpot payouts for the amounts {names}")]
#[when(expr = "I create OnSpot payouts for the amounts {names}")]
async fn create_amounts(w: &mut ContractWorld, amounts: Names) {
    let items: Vec<Value> = amounts.0.iter().map(|a| item(a, "1017209836")).collect();
    create(w, json!(items).to_string().into_bytes(), |_| {}).await;
    assert_eq!(w.last().status, 201, "Create Payouts: {:?}", w.last());
}

#[given(expr = "I create an OnSpot payout of {string} USD to document {string}")]
#[when(expr = "I create an OnSpot payout of {string} USD to document {string}")]
async fn create_to_document(w: &mut ContractWorld, amount: String, document: String) {
    let body = json!([item(&amount, &document)]).to_string();
    create(w, body.into_bytes(), |_| {}).await;
    assert_eq!(w.last().status, 201, "Create Payouts: {:?}", w.last());
}

#[when(expr = "I create an OnSpot payout whose {string} is {json}")]
async fn create_with_field(w: &mut ContractWorld, field: String, value: crate::params::JsonLit) {
    let mut one = item("100", "1017209836");
    one[field.as_str()] = value.0;
    create(w, json!([one]).to_string().into_bytes(), |_| {}).await;
}

#[when(expr = "I {verb} OnSpot's {string}")]
async fn send_to(w: &mut ContractWorld, verb: Verb, path: String) {
    let mut req = request(w, &path, Vec::new(), None);
    req.method = verb.0;
    w.exchange(req).await;
}

// ---- answers ------------------------------------------------------------------------------

#[then(expr = "OnSpot answers {int} entr(y)(ies) with the actions {names}")]
fn actions(w: &mut ContractWorld, n: usize, expected: Names) {
    let entries = entries(w);
    assert_eq!(entries.len(), n, "entries of {:?}", w.last());
    let actions: Vec<&str> = entries
        .iter()
        .map(|e| e["action"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(actions, expected.0, "actions of {:?}", w.last());
    for e in &entries {
        let keys = e.as_object().map(|m| m.len());
        assert_eq!(
            keys,
            Some(4),
            "entry {e} is not {{uuid, email, action, message}}"
        );
        assert_eq!(e["uuid"].as_str().map(str::len), Some(36), "uuid of {e}");
    }
}

#[then(expr = "OnSpot's message for entry {int} names {string}")]
fn entry_message_names(w: &mut ContractWorld, index: usize, field: String) {
    let entries = entries(w);
    let message = entries
        .get(index)
        .and_then(|e| e["message"].as_str())
        .unwrap_or_default();
    assert!(
        message.contains(&field),
        "entry {index}'s message {message:?} does not name {field}"
    );
}

#[then(expr = "the response is an OnSpot error with status {int} and error {string}")]
fn nest_error(w: &mut ContractWorld, status: u16, error: String) {
    let last = w.last();
    let body = last.json();
    assert_eq!(last.status, status, "{last:?}");
    assert_eq!(body["statusCode"], json!(status), "{last:?}");
    assert_eq!(body["error"].as_str(), Some(error.as_str()), "{last:?}");
    let message_ok = body["message"].is_string()
        || body["message"]
            .as_array()
            .is_some_and(|m| m.iter().all(Value::is_string));
    assert!(message_ok, "message of {last:?}");
    assert_eq!(body.as_object().map(|m| m.len()), Some(3), "{last:?}");
}

#[then(expr = "OnSpot's error messages include {string}")]
fn messages_include(w: &mut ContractWorld, message: String) {
    let body = w.last_json();
    let listed = body["message"]
        .as_array()
        .is_some_and(|m| m.iter().any(|x| x.as_str() == Some(message.as_str())));
    assert!(listed, "message list of {:?} lacks {message:?}", w.last());
}
