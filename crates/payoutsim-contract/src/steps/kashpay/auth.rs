//! Kashpay sessions: `POST /AuthenticationService/authenticate` {entity, password, user}, then
//! `Authorization: Bearer <token>` and `Entity-i` on every later call; and Kashpay's envelope
//! `{"success":false,"error":{"name","message","code"},"totalItems":0,…}`.

use base64::Engine as _;
use cucumber::gherkin::Step;
use cucumber::{given, then, when};
use serde_json::{Value, json};

use super::{KashpayState, Session, build, send};
use crate::params::{ProviderName, Verb};
use crate::steps::docstring;
use crate::world::ContractWorld;

const AUTHENTICATE: &str = "/AuthenticationService/authenticate";

#[given("a Kashpay entity")]
fn an_entity(w: &mut ContractWorld) {
    w.kashpay = KashpayState::new_entity(w);
}

fn credentials(w: &ContractWorld, password: Option<&str>) -> Value {
    let k = &w.kashpay;
    json!({
        "entity": k.entity(),
        "password": password.unwrap_or(&k.password),
        "user": k.user,
    })
}

async fn authenticate(w: &mut ContractWorld, password: Option<&str>, extra: &[(String, String)]) {
    let body = credentials(w, password);
    let mut request = build(
        w,
        "POST",
        AUTHENTICATE,
        Some(&body),
        Session::Anonymous,
        extra,
    );
    request.headers.retain(|(k, _)| k != "entity-i");
    w.exchange(request).await;
}

#[given("I am signed in to Kashpay")]
async fn signed_in(w: &mut ContractWorld) {
    authenticate(w, None, &[]).await;
    let body = w.last_json();
    let token = body["authenticationResponse"]["token"].as_str();
    let token = token.unwrap_or_else(|| panic!("authenticate answered {:?}", w.last()));
    w.kashpay.token = Some(token.to_string());
}

#[when("I authenticate with Kashpay")]
async fn authenticate_plain(w: &mut ContractWorld) {
    authenticate(w, None, &[]).await;
}

#[when(expr = "I authenticate with Kashpay sending the Authorization header {string}")]
async fn authenticate_with_header(w: &mut ContractWorld, value: String) {
    authenticate(w, None, &[("authorization".into(), value)]).await;
}

#[when(expr = "I authenticate with Kashpay with the password {string}")]
async fn authenticate_with_password(w: &mut ContractWorld, password: String) {
    authenticate(w, Some(&password), &[]).await;
}

#[when(expr = "I send a Kashpay {verb} to {string}")]
async fn send_signed(w: &mut ContractWorld, verb: Verb, path: String) {
    send(w, &verb.0, &path, None, Session::Signed, &[]).await;
}

#[when(expr = "I send a Kashpay {verb} to {string} without a token")]
async fn send_anonymous(w: &mut ContractWorld, verb: Verb, path: String) {
    send(w, &verb.0, &path, None, Session::Anonymous, &[]).await;
}

#[when(expr = "I send a Kashpay {verb} to {string} with the Authorization header {string}")]
async fn send_with_authorization(w: &mut ContractWorld, verb: Verb, path: String, value: String) {
    send(w, &verb.0, &path, None, Session::Authorization(&value), &[]).await;
}

#[when(expr = "I send a Kashpay {verb} to {string} without Entity-i")]
async fn send_without_entity(w: &mut ContractWorld, verb: Verb, path: String) {
    send(w, &verb.0, &path, None, Session::NoEntity, &[]).await;
}

#[when(expr = "I send a Kashpay {verb} to {string} with Entity-i {string}")]
async fn send_with_entity(w: &mut ContractWorld, verb: Verb, path: String, entity: String) {
    send(w, &verb.0, &path, None, Session::Entity(&entity), &[]).await;
}

/// A raw body (placeholders `{entity}`, `{user}`, `{password}`), signed unless it is
/// authenticate's.
#[when(expr = "I send a Kashpay {verb} to {string} with body:")]
async fn send_with_body(w: &mut ContractWorld, step: &Step, verb: Verb, path: String) {
    let text = w.resolve_for(ProviderName::Kashpay, &docstring(step));
    let session = if path == AUTHENTICATE || w.kashpay.token.is_none() {
        Session::Anonymous
    } else {
        Session::Signed
    };
    let request = build(w, &verb.0, &path, None, session, &[]);
    w.exchange(request.json_body(Some(text.into_bytes()))).await;
}

#[then(expr = "the Kashpay error is {string} with code {int}")]
fn error_is(w: &mut ContractWorld, name: String, code: u64) {
    let body = w.last_json();
    let last = w.last();
    assert_eq!(body["success"], false, "{last:?}");
    assert_eq!(body["error"]["name"], name.as_str(), "{last:?}");
    assert_eq!(body["error"]["code"], code, "{last:?}");
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "{last:?}"
    );
    for k in ["totalItems", "totalPages", "currentPage"] {
        assert_eq!(body[k], 0, "{k} of {last:?}");
    }
}

#[then(expr = "the Kashpay error message mentions {string}")]
fn error_mentions(w: &mut ContractWorld, text: String) {
    let body = w.last_json();
    let message = body["error"]["message"].as_str().unwrap_or_default();
    assert!(message.contains(&text), "{text:?} not in {message:?}");
}

#[then("the Kashpay token is an HS512 JWT of the user and entity, valid for 5976 seconds")]
fn token_is_a_jwt(w: &mut ContractWorld) {
    let body = w.last_json();
    let token = body["authenticationResponse"]["token"]
        .as_str()
        .unwrap_or_default();
    let part = |i: usize| -> Value {
        let text = token.split('.').nth(i).unwrap_or_default();
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(text);
        serde_json::from_slice(&bytes.unwrap_or_default()).unwrap_or(Value::Null)
    };
    let (header, claims) = (part(0), part(1));
    assert_eq!(header["alg"], "HS512", "{header}");
    assert_eq!(claims["sub"], w.kashpay.user.as_str(), "{claims}");
    assert_eq!(claims["entity"], w.kashpay.entity(), "{claims}");
    let lifetime = claims["exp"]
        .as_i64()
        .zip(claims["iat"].as_i64())
        .map(|(e, i)| e - i);
    assert_eq!(lifetime, Some(5976), "{claims}");
}
