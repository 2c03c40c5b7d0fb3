//! Raw requests to OnePay: any method and path (placeholders like `{customer:ana}` resolved),
//! with or without a body, key, idempotency key or content type; `When I try to …` keeps a
//! transport error as the outcome instead of failing the step (faults).

use cucumber::gherkin::Step;
use cucumber::when;

use super::{build, request, resolve, resolve_all};
use crate::params::Verb;
use crate::steps::docstring;
use crate::world::ContractWorld;

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

#[when(expr = "I try to {verb} {string}")]
async fn try_request(w: &mut ContractWorld, verb: Verb, path: String) {
    let path = resolve(w, &path);
    let request = build(w, &verb.0, &path, None, &[]);
    w.try_exchange(request).await;
}
