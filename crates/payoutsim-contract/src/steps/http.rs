//! HTTP for any provider: sending the last request again, and checks of the last answer: its
//! status, its JSON fields (dotted paths like `data.0.id`), its headers, and whether it repeats
//! the previous one. Each provider's own answers (OnePay's error envelope, OnSpot's NestJS
//! bodies, Kashpay's envelope) are checked in its folder.

use cucumber::{then, when};
use serde_json::Value;

use super::{field, field_text};
use crate::params::{JsonLit, Names};
use crate::world::ContractWorld;

#[when("I send the same request again")]
async fn send_again(w: &mut ContractWorld) {
    let request = w
        .last_request
        .clone()
        .unwrap_or_else(|| panic!("no request to repeat"));
    w.exchange(request).await;
}

#[then(expr = "the response status is {int}")]
fn status_is(w: &mut ContractWorld, status: u16) {
    let last = w.last();
    assert_eq!(last.status, status, "expected HTTP {status}, got {last:?}");
}

#[then("the response status is a success")]
fn status_is_success(w: &mut ContractWorld) {
    let last = w.last();
    assert!(
        (200..300).contains(&last.status),
        "expected a 2xx answer, got {last:?}"
    );
}

#[then(expr = "the response field {string} is {json}")]
fn field_is(w: &mut ContractWorld, path: String, expected: JsonLit) {
    let expected = match expected.0 {
        Value::String(text) => JsonLit(Value::String(w.resolve(&text))),
        other => JsonLit(other),
    };
    let body = w.last_json();
    let actual = field(&body, &path);
    assert_eq!(
        actual,
        Some(&expected.0),
        "field {path:?} of {:?}",
        w.last()
    );
}

#[then(expr = "the response field {string} starts with {string}")]
fn field_starts_with(w: &mut ContractWorld, path: String, prefix: String) {
    let text = field_text(w, &path);
    assert!(
        text.starts_with(&prefix),
        "field {path:?} is {text:?}, expected it to start with {prefix:?}"
    );
}

#[then(expr = "the response field {string} has {int} item(s)")]
fn field_has_items(w: &mut ContractWorld, path: String, n: usize) {
    let body = w.last_json();
    let len = field(&body, &path).and_then(Value::as_array).map(Vec::len);
    assert_eq!(len, Some(n), "field {path:?} of {:?}", w.last());
}

#[then(expr = "the response has the fields {names}")]
fn has_fields(w: &mut ContractWorld, names: Names) {
    let body = w.last_json();
    let missing: Vec<&String> = names
        .0
        .iter()
        .filter(|n| field(&body, n).is_none())
        .collect();
    assert!(
        missing.is_empty(),
        "missing fields {missing:?} in {:?}",
        w.last()
    );
}

#[then(expr = "the response header {string} is {string}")]
fn header_is(w: &mut ContractWorld, name: String, value: String) {
    let last = w.last();
    assert_eq!(
        last.header(&name),
        Some(value.as_str()),
        "header {name} of {:?}",
        last.headers
    );
}

#[then(expr = "the response has no header {string}")]
fn header_absent(w: &mut ContractWorld, name: String) {
    let last = w.last();
    assert_eq!(
        last.header(&name),
        None,
        "header {name} of {:?}",
        last.headers
    );
}

#[then("the response is identical to the previous one")]
fn identical_to_previous(w: &mut ContractWorld) {
    let previous = w
        .previous
        .as_ref()
        .unwrap_or_else(|| panic!("only one response so far"));
    let last = w.last();
    assert_eq!(
        last.status, previous.status,
        "status differs: {previous:?} then {last:?}"
    );
    assert_eq!(
        last.json(),
        previous.json(),
        "body differs: {previous:?} then {last:?}"
    );
}
