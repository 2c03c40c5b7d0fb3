//! OnePay's answers: its error envelope
//! `{"message","code","code_name","errors":[{"key","description"}]}`, its timestamps
//! (`YYYY-MM-DDTHH:MM:SS.ffffffZ`), and fields holding the ids of the scenario's named objects.

use cucumber::then;
use serde_json::Value;

use crate::params::Names;
use crate::steps::{field, field_text};
use crate::world::ContractWorld;

#[then(expr = "the response field {string} is a OnePay timestamp")]
fn field_is_timestamp(w: &mut ContractWorld, path: String) {
    let text = field_text(w, &path);
    assert!(
        is_onepay_timestamp(&text),
        "field {path:?} is {text:?}, not YYYY-MM-DDTHH:MM:SS.ffffffZ"
    );
}

#[then(expr = "the response field {string} is the id of {word} {string}")]
fn field_is_id_of(w: &mut ContractWorld, path: String, kind: String, name: String) {
    let expected = match kind.as_str() {
        "customer" => w.onepay.customer_id(&name),
        "account" => w.onepay.account(&name).id,
        "cashout" => w.onepay.cashout_id(&name),
        other => panic!("unknown object kind {other}"),
    };
    let body = w.last_json();
    assert_eq!(
        field(&body, &path),
        Some(&expected),
        "field {path:?} of {:?}",
        w.last()
    );
}

#[then(expr = "the response is an error envelope with code {string} and code_name {string}")]
fn error_envelope(w: &mut ContractWorld, code: String, code_name: String) {
    let body = w.last_json();
    let last = w.last();
    assert!(
        body["message"].as_str().is_some_and(|m| !m.is_empty()),
        "no message: {last:?}"
    );
    assert_text(w, "code", &code);
    assert_text(w, "code_name", &code_name);
    assert!(body["errors"].is_array(), "errors is not a list: {last:?}");
}

#[then(expr = "the error code is {string}")]
fn error_code(w: &mut ContractWorld, code: String) {
    assert_text(w, "code", &code);
}

#[then(expr = "the error code_name is {string}")]
fn error_code_name(w: &mut ContractWorld, code_name: String) {
    assert_text(w, "code_name", &code_name);
}

/// Asserts the envelope's `key` (`code`, `code_name`) is the text `expected`.
fn assert_text(w: &ContractWorld, key: &str, expected: &str) {
    let body = w.last_json();
    assert_eq!(
        body[key].as_str(),
        Some(expected),
        "{key} of {:?}",
        w.last()
    );
}

#[then(expr = "the error code is {string} and the errors name {names}")]
fn error_code_and_keys(w: &mut ContractWorld, code: String, keys: Names) {
    error_code(w, code);
    errors_name(w, keys);
}

#[then(expr = "the errors name {names}")]
fn errors_name(w: &mut ContractWorld, keys: Names) {
    let body = w.last_json();
    let named = error_keys(&body);
    let missing: Vec<&String> = keys.0.iter().filter(|k| !named.contains(k)).collect();
    assert!(
        missing.is_empty(),
        "errors do not name {missing:?}: {:?}",
        w.last()
    );
    let described = body["errors"]
        .as_array()
        .into_iter()
        .flatten()
        .all(|e| e["description"].as_str().is_some_and(|d| !d.is_empty()));
    assert!(described, "every error needs a description: {:?}", w.last());
}

#[then(expr = "the errors do not name {names}")]
fn errors_do_not_name(w: &mut ContractWorld, keys: Names) {
    let named = error_keys(&w.last_json());
    let wrong: Vec<&String> = keys.0.iter().filter(|k| named.contains(k)).collect();
    assert!(
        wrong.is_empty(),
        "errors name {wrong:?} but should not: {:?}",
        w.last()
    );
}

/// The `key`s of a OnePay error envelope's `errors`.
fn error_keys(body: &Value) -> Vec<String> {
    body["errors"]
        .as_array()
        .map(|errs| {
            errs.iter()
                .filter_map(|e| e["key"].as_str())
                .map(String::from)
                .collect()
        })
        .unwrap_or_default()
}

/// Whether `text` is a OnePay timestamp, `YYYY-MM-DDTHH:MM:SS.ffffffZ`: the shape below, each
/// `9` standing for any digit.
fn is_onepay_timestamp(text: &str) -> bool {
    const SHAPE: &[u8] = b"9999-99-99T99:99:99.999999Z";
    text.len() == SHAPE.len()
        && (text.bytes().zip(SHAPE)).all(|(c, &s)| match s {
            b'9' => c.is_ascii_digit(),
            literal => c == literal,
        })
}
