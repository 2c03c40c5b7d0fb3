//! Raw requests to OnePay: a named object (`I fetch cashout "c1"`), any method and path
//! (placeholders like `{customer:ana}` resolved), with or without a body, key, idempotency key
//! or content type; `When I try to …` keeps a transport error as the outcome instead of failing
//! the step (faults).

use cucumber::gherkin::Step;
use cucumber::when;

use super::{build, object_path, request, resolve, resolve_all};
use crate::params::Verb;
use crate::steps::docstring;
use crate::world::ContractWorld;

/// `GET /v1/{kind}s/{id}` of a customer, an account or a cashout the scenario named.
#[when(expr = "I fetch {word} {string}")]
async fn fetch(w: &mut ContractWorld, kind: String, name: String) {
    let path = object_path(w, &kind, &name);
    request(w, "GET", &path, None, &[]).await;
}

#[when(expr = "I {verb} {string}")]
async fn send_without_body(w: &mut ContractWorld, verb: Verb, path: String) {
    let path = resolve(w, &path);
    request(w, &verb.0, &path, None, &[]).await;
}

#[when(expr = "I {verb} {string} without an API key")]
async fn send_without_key(w: &mut ContractWorld, verb: Verb, path: String) {
    send_authorized(w, &verb, &path, None).await;
}

#[when(expr = "I {verb} {string} with the Authorization header {string}")]
async fn send_with_authorization(w: &mut ContractWorld, verb: Verb, path: String, auth: String) {
    send_authorized(w, &verb, &path, Some(auth)).await;
}

/// `verb path` with no body and `auth` as its `Authorization` header instead of the key's
/// (`None`: no such header).
async fn send_authorized(w: &mut ContractWorld, verb: &Verb, path: &str, auth: Option<String>) {
    let path = resolve(w, path);
    let mut request = build(w, &verb.0, &path, None, &[]);
    request.headers.retain(|(k, _)| k != "authorization");
    request
        .headers
        .extend(auth.map(|a| ("authorization".into(), a)));
    w.exchange(request).await;
}

#[when(expr = "I {verb} to {string} with body:")]
async fn send_with_body(w: &mut ContractWorld, step: &Step, verb: Verb, path: String) {
    send_docstring(w, step, &verb, &path, &[]).await;
}

#[when(expr = "I {verb} to {string} with idempotency key {string} and body:")]
async fn send_idempotent(
    w: &mut ContractWorld,
    step: &Step,
    verb: Verb,
    path: String,
    key: String,
) {
    let key = w.idempotency_key(&resolve(w, &key));
    send_docstring(w, step, &verb, &path, &[("x-idempotency", &key)]).await;
}

#[when(expr = "I {verb} to {string} with content type {string} and body:")]
async fn send_with_type(w: &mut ContractWorld, step: &Step, verb: Verb, path: String, ty: String) {
    send_docstring(w, step, &verb, &path, &[("content-type", &ty)]).await;
}

/// `verb path` with the step's docstring as its body (placeholders resolved in both) and the
/// `extra` headers.
async fn send_docstring(
    w: &mut ContractWorld,
    step: &Step,
    verb: &Verb,
    path: &str,
    extra: &[(&str, &str)],
) {
    let (path, body) = (resolve(w, path), resolve_all(w, &docstring(step)).await);
    let request = build(w, &verb.0, &path, Some(body.into_bytes()), extra);
    w.exchange(request).await;
}

#[when(expr = "I {verb} to {string} a JSON body of {int} KiB")]
async fn send_large(w: &mut ContractWorld, verb: Verb, path: String, kib: usize) {
    let filler = "x".repeat(kib * 1024);
    let body = format!("{{\"description\":\"{filler}\"}}");
    let request = build(w, &verb.0, &resolve(w, &path), Some(body.into_bytes()), &[]);
    w.exchange(request).await;
}

#[when(expr = "I try to {verb} {string}")]
async fn try_request(w: &mut ContractWorld, verb: Verb, path: String) {
    let path = resolve(w, &path);
    let request = build(w, &verb.0, &path, None, &[]);
    w.try_exchange(request).await;
}
