//! Dots key pairs (`pk_dev_`/`sk_dev_` sandbox, `pk_prod_`/`sk_prod_` production), apps acted for
//! with `Api-App-Id`, and raw requests: any method and path (placeholders resolved), with or
//! without a body, with the pair's credentials, other credentials or none. `When I try to …`
//! keeps a transport error as the outcome instead of failing the step (faults).

use cucumber::gherkin::Step;
use cucumber::{given, when};
use serde_json::{Value, json};

use super::{App, Credentials, KeyPair, basic, build, keep, request, resolve};
use crate::params::Verb;
use crate::steps::{arranged, docstring};
use crate::world::{ContractWorld, unique};

/// A key pair for `env` (`sandbox` or `production`): a fresh one on a simulator; on the real
/// sandbox, the pair we were given (a fresh app is not ours to make there).
fn new_pair(w: &ContractWorld, env: &str) -> KeyPair {
    let prefix = match env {
        "sandbox" => "dev",
        "production" => "prod",
        other => panic!("a Dots key pair is for sandbox or production, not {other:?}"),
    };
    if w.target.is_simulator() {
        return KeyPair {
            client_id: format!("pk_{prefix}_{}", unique(29)),
            api_key: format!("sk_{prefix}_{}", unique(29)),
        };
    }
    assert_eq!(
        env, "sandbox",
        "this scenario needs a Dots production key pair, which the sandbox target has not: tag \
         it @sim"
    );
    let var = |name: &str| {
        let value = w.target.credential(name).unwrap_or_else(|| {
            panic!(
                "the sandbox target has no Dots key pair: set {} and {}",
                super::CLIENT_ID,
                super::API_KEY
            )
        });
        value.to_string()
    };
    KeyPair {
        client_id: var(super::CLIENT_ID),
        api_key: var(super::API_KEY),
    }
}

/// A key pair for `env` named `name`, made current (the client steps' fresh tenant too).
pub fn add_pair(w: &mut ContractWorld, env: &str, name: &str) {
    let pair = new_pair(w, env);
    w.dots.pairs.insert(name.to_string(), pair);
    w.dots.current = Some(name.to_string());
    w.dots.acting_for = None;
}

#[given(expr = "a Dots {word} key pair")]
#[when(expr = "I switch to a new Dots {word} key pair")]
fn a_pair(w: &mut ContractWorld, env: String) {
    add_pair(w, &env, &env);
}

#[given(expr = "a Dots {word} key pair {string}")]
fn a_named_pair(w: &mut ContractWorld, env: String, name: String) {
    add_pair(w, &env, &name);
}

#[given(expr = "I use the Dots key pair {string}")]
#[when(expr = "I use the Dots key pair {string}")]
fn use_pair(w: &mut ContractWorld, name: String) {
    assert!(
        w.dots.pairs.contains_key(&name),
        "no Dots key pair named {name:?} in this scenario"
    );
    w.dots.current = Some(name);
    w.dots.acting_for = None;
}

/// `POST /v2/apps`: an app of the current pair's organisation, named `name` in the scenario.
#[given(expr = "a Dots app {string}")]
#[when(expr = "I create a Dots app {string}")]
async fn an_app(w: &mut ContractWorld, step: &Step, name: String) {
    let previous = w.dots.acting_for.take();
    let body = json!({"name": format!("contract {name} {}", unique(6))});
    request(w, "POST", "/api/v2/apps", Some(&body)).await;
    w.dots.acting_for = previous;
    arranged(w, step, 201, "creating the Dots app");
    if w.last().status == 201 {
        let id = w.last_json()["id"].as_str().map(str::to_string);
        let id = id.unwrap_or_else(|| panic!("no app id in {:?}", w.last()));
        let client_id = w.dots.pair().client_id.clone();
        w.dots.apps.insert(name, App { id, client_id });
    }
}

#[given(expr = "I act for the Dots app {string}")]
#[when(expr = "I act for the Dots app {string}")]
fn act_for(w: &mut ContractWorld, name: String) {
    assert!(
        w.dots.apps.contains_key(&name),
        "no Dots app named {name:?} in this scenario"
    );
    w.dots.acting_for = Some(name);
}

#[when("I act for the Dots key pair's own app")]
fn act_for_own(w: &mut ContractWorld) {
    w.dots.acting_for = None;
}

/// `verb path` with the docstring, if any, as its body; placeholders resolved in both.
async fn send(
    w: &mut ContractWorld,
    verb: &Verb,
    path: &str,
    body: Option<String>,
    credentials: Credentials,
) {
    let path = resolve(w, path);
    let body: Option<Value> = body.map(|b| {
        let text = resolve(w, &b);
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("bad JSON body: {e}: {text}"))
    });
    let request = build(w, &verb.0, &path, body.as_ref(), credentials);
    w.exchange(request).await;
}

#[when(expr = "I send Dots a {verb} to {string}")]
async fn send_plain(w: &mut ContractWorld, verb: Verb, path: String) {
    send(w, &verb, &path, None, Credentials::Pair).await;
}

#[when(expr = "I send Dots a {verb} to {string} with body:")]
async fn send_body(w: &mut ContractWorld, step: &Step, verb: Verb, path: String) {
    send(w, &verb, &path, Some(docstring(step)), Credentials::Pair).await;
}

/// A body sent as is (not parsed first), with `content_type`: malformed JSON, a form.
#[when(expr = "I send Dots a {verb} to {string} with content type {string} and the raw body:")]
async fn send_raw(w: &mut ContractWorld, step: &Step, verb: Verb, path: String, ty: String) {
    let (path, body) = (resolve(w, &path), docstring(step));
    let mut request = build(w, &verb.0, &path, None, Credentials::Pair);
    request = request.header("content-type", ty);
    request.body = Some(body.into_bytes());
    w.exchange(request).await;
}

#[when(expr = "I send Dots a {verb} to {string} without credentials")]
async fn send_anonymous(w: &mut ContractWorld, verb: Verb, path: String) {
    send(w, &verb, &path, None, Credentials::None).await;
}

#[when(expr = "I send Dots a {verb} to {string} with the Authorization header {string}")]
async fn send_with_header(w: &mut ContractWorld, verb: Verb, path: String, value: String) {
    let value = resolve(w, &value);
    send(w, &verb, &path, None, Credentials::Header(value)).await;
}

/// Basic credentials of `client_id:api_key` (placeholders resolved: `{client_id}`).
#[when(expr = "I send Dots a {verb} to {string} as {string}")]
async fn send_as(w: &mut ContractWorld, verb: Verb, path: String, pair: String) {
    let pair = resolve(w, &pair);
    let (client_id, api_key) = pair.split_once(':').unwrap_or((&pair, ""));
    let header = basic(client_id, api_key);
    send(w, &verb, &path, None, Credentials::Header(header)).await;
}

#[when(expr = "I send Dots a {verb} to {string} with the Api-App-Id {string}")]
async fn send_for_app(w: &mut ContractWorld, verb: Verb, path: String, app: String) {
    let (path, app) = (resolve(w, &path), resolve(w, &app));
    let mut request = build(w, &verb.0, &path, None, Credentials::Pair);
    request.headers.retain(|(k, _)| k != "api-app-id");
    request = request.header("api-app-id", app);
    w.exchange(request).await;
}

#[when(expr = "I try to send Dots a {verb} to {string}")]
async fn try_plain(w: &mut ContractWorld, verb: Verb, path: String) {
    let path = resolve(w, &path);
    let request = build(w, &verb.0, &path, None, Credentials::Pair);
    w.try_exchange(request).await;
}

#[when(expr = "I try to send Dots a {verb} to {string} with body:")]
async fn try_body(w: &mut ContractWorld, step: &Step, verb: Verb, path: String) {
    let (path, text) = (resolve(w, &path), resolve(w, &docstring(step)));
    let body: Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("bad JSON body: {e}: {text}"));
    let request = build(w, &verb.0, &path, Some(&body), Credentials::Pair);
    w.try_exchange(request).await;
}

/// Names the object the last answer is (its `id`): `When I name the Dots user answered "ana"`.
#[given(expr = "I name the Dots {word} answered {string}")]
#[when(expr = "I name the Dots {word} answered {string}")]
fn name_answered(w: &mut ContractWorld, kind: String, name: String) {
    let status = w.last().status;
    assert!(
        (200..300).contains(&status),
        "not an object: {:?}",
        w.last()
    );
    keep(w, &[status], &kind, &name, "id");
}
