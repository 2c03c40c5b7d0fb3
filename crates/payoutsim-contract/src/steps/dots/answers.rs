//! Dots' answers: its error envelope `{"success": false, "message": "…", "error_code": "…"}`
//! (the documented kebab-case codes: `invalid-input`, `transaction-insufficient-funds`, …), and
//! fields holding the ids of the scenario's named objects.

use cucumber::then;
use serde_json::json;

use crate::steps::field;
use crate::world::ContractWorld;

#[then(expr = "the Dots error is {int} {string}")]
fn error_is(w: &mut ContractWorld, status: u16, code: String) {
    let (last, body) = (w.last(), w.last_json());
    assert_eq!(last.status, status, "{last:?}");
    assert_eq!(body["success"], json!(false), "{last:?}");
    assert_eq!(body["error_code"], json!(code), "{last:?}");
    let message = body["message"].as_str().unwrap_or_default();
    assert!(!message.is_empty(), "no message: {last:?}");
    let fields = body.as_object().map(|o| o.len());
    assert_eq!(
        fields,
        Some(3),
        "success, message, error_code only: {last:?}"
    );
    assert_eq!(last.header("content-type"), Some("application/json"));
}

#[then(expr = "the Dots error message is {string}")]
fn message_is(w: &mut ContractWorld, message: String) {
    let message = super::resolve(w, &message);
    let body = w.last_json();
    assert_eq!(body["message"], json!(message), "{:?}", w.last());
}

#[then(expr = "the Dots error message mentions {string}")]
fn message_mentions(w: &mut ContractWorld, text: String) {
    let text = super::resolve(w, &text);
    let body = w.last_json();
    let message = body["message"].as_str().unwrap_or_default();
    assert!(message.contains(&text), "{text:?} not in {:?}", w.last());
}

/// `the response field "user_id" is the id of Dots user "ana"`.
#[then(expr = "the response field {string} is the id of Dots {word} {string}")]
fn field_is_id_of(w: &mut ContractWorld, path: String, kind: String, name: String) {
    let id = w.dots.id(&kind, &name);
    let body = w.last_json();
    assert_eq!(
        field(&body, &path),
        Some(&json!(id)),
        "{path}: {:?}",
        w.last()
    );
}
