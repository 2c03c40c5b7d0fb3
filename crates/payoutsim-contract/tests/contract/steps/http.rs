//! Raw HTTP: send any request to OnePay (placeholders like `{customer:ana}` resolved), then check
//! the status, fields, headers, and OnePay's error envelope
//! `{"message","code","code_name","errors":[{"key","description"}]}`.

use cucumber::gherkin::Step;
use cucumber::{then, when};
use serde_json::Value;

use super::field;
use super::onepay::{build, error_keys, is_onepay_timestamp, request, resolve, resolve_all};
use crate::params::{JsonLit, Names, Verb};
use crate::world::ContractWorld;

fn docstring(step: &Step) -> String {
    step.docstring
        .clone()
        .unwrap_or_else(|| panic!("this step needs a docstring body"))
}

// ---- requests ------------------------------------------------------------------------------

#[when(expr = "I {verb} {string}")]
async fn send_without_body(w: &mut ContractWorld, verb: Verb, path: String) {
    let path = resolve(w, &path);
    request(w, &verb.0, &path, None, &[]).await;
}

#[when(expr = "I {verb} {string} without an API key")]
async fn send_without_key(w: &mut ContractWorld, verb: Verb, path: String) {
    let path = resolve(w, &path);
    let mut request = build(w, &verb.0, &path, None, &[]);
    request.headers.retain(|(k, _)| k != "authorization");
    w.exchange(request).await;
}

#[when(expr = "I {verb} {string} with the Authorization header {string}")]
async fn send_with_authorization(w: &mut ContractWorld, verb: Verb, path: String, auth: String) {
    let path = resolve(w, &path);
    let mut request = build(w, &verb.0, &path, None, &[]);
    request.headers.retain(|(k, _)| k != "authorization");
    request.headers.push(("authorization".into(), auth));
    w.exchange(request).await;
}

#[when(expr = "I {verb} to {string} with body:")]
async fn send_with_body(w: &mut ContractWorld, step: &Step, verb: Verb, path: String) {
    let (path, body) = (resolve(w, &path), resolve_all(w, &docstring(step)).await);
    let request = build(w, &verb.0, &path, Some(body.into_bytes()), &[]);
    w.exchange(request).await;
}

#[when(expr = "I {verb} to {string} with idempotency key {string} and body:")]
async fn send_idempotent(
    w: &mut ContractWorld,
    step: &Step,
    verb: Verb,
    path: String,
    key: String,
) {
    let (path, key) = (resolve(w, &path), w.idempotency_key(&resolve(w, &key)));
    let body = resolve_all(w, &docstring(step)).await;
    let request = build(
        w,
        &verb.0,
        &path,
        Some(body.into_bytes()),
        &[("x-idempotency", &key)],
    );
    w.exchange(request).await;
}

#[when(expr = "I {verb} to {string} with content type {string} and body:")]
async fn send_with_type(w: &mut ContractWorld, step: &Step, verb: Verb, path: String, ty: String) {
    let (path, body) = (resolve(w, &path), resolve_all(w, &docstring(step)).await);
    let request = build(
        w,
        &verb.0,
        &path,
        Some(body.into_bytes()),
        &[("content-type", &ty)],
    );
    w.exchange(request).await;
}

#[when(expr = "I {verb} to {string} a JSON body of {int} KiB")]
async fn send_large(w: &mut ContractWorld, verb: Verb, path: String, kib: usize) {
    let filler = "x".repeat(kib * 1024);
    let body = format!("{{\"description\":\"{filler}\"}}");
    let request = build(w, &verb.0, &resolve(w, &path), Some(body.into_bytes()), &[]);
    w.exchange(request).await;
}

#[when("I send the same request again")]
async fn send_again(w: &mut ContractWorld) {
    let request = w
        .last_request
        .clone()
        .unwrap_or_else(|| panic!("no request to repeat"));
    w.exchange(request).await;
}

// ---- status and body -----------------------------------------------------------------------

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

#[then(expr = "the response field {string} is a OnePay timestamp")]
fn field_is_timestamp(w: &mut ContractWorld, path: String) {
    let body = w.last_json();
    let text = field(&body, &path)
        .and_then(Value::as_str)
        .unwrap_or_default();
    assert!(
        is_onepay_timestamp(text),
        "field {path:?} is {text:?}, not YYYY-MM-DDTHH:MM:SS.ffffffZ"
    );
}

#[then(expr = "the response field {string} starts with {string}")]
fn field_starts_with(w: &mut ContractWorld, path: String, prefix: String) {
    let body = w.last_json();
    let text = field(&body, &path)
        .and_then(Value::as_str)
        .unwrap_or_default();
    assert!(
        text.starts_with(&prefix),
        "field {path:?} is {text:?}, expected it to start with {prefix:?}"
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

// ---- OnePay's error envelope ---------------------------------------------------------------

#[then(expr = "the response is an error envelope with code {string} and code_name {string}")]
fn error_envelope(w: &mut ContractWorld, code: String, code_name: String) {
    let body = w.last_json();
    let last = w.last();
    assert!(
        body["message"].as_str().is_some_and(|m| !m.is_empty()),
        "no message: {last:?}"
    );
    assert_eq!(
        body["code"].as_str(),
        Some(code.as_str()),
        "code of {last:?}"
    );
    assert_eq!(
        body["code_name"].as_str(),
        Some(code_name.as_str()),
        "code_name of {last:?}"
    );
    assert!(body["errors"].is_array(), "errors is not a list: {last:?}");
}

#[then(expr = "the error code is {string}")]
fn error_code(w: &mut ContractWorld, code: String) {
    let body = w.last_json();
    assert_eq!(
        body["code"].as_str(),
        Some(code.as_str()),
        "code of {:?}",
        w.last()
    );
}

#[then(expr = "the error code_name is {string}")]
fn error_code_name(w: &mut ContractWorld, code_name: String) {
    let body = w.last_json();
    assert_eq!(
        body["code_name"].as_str(),
        Some(code_name.as_str()),
        "code_name of {:?}",
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
