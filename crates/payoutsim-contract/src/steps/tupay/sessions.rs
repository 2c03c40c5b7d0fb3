//! Tupay sessions: `POST /v1/auth/login` {accessKey, secretKey} and its `BEARER_TOKEN` cookie,
//! the token sent as a cookie, a Bearer token or the seed's `BEARER_TOKEN=` header, logout
//! (`DELETE /v1/auth/session/destroy`), and Tupay's error envelope `{code, description}`.

use cucumber::gherkin::Step;
use cucumber::{given, then, when};
use serde_json::json;

use super::{Carrier, TupayState, build, last_days};
use crate::params::ProviderName;
use crate::steps::docstring;
use crate::world::ContractWorld;

const LOGIN: &str = "/v1/auth/login";
const DESTROY: &str = "/v1/auth/session/destroy";

#[given("a Tupay API user")]
fn a_user(w: &mut ContractWorld) {
    let user = TupayState::new_user(w);
    w.tupay.users = vec![user];
}

async fn login_with(w: &mut ContractWorld, secret: Option<&str>) {
    let user = w.tupay.user().clone();
    let body = json!({"accessKey": user.access_key, "secretKey": secret.unwrap_or(&user.secret)});
    let request = build(
        w,
        "POST",
        LOGIN,
        Some(body.to_string()),
        Carrier::None,
        None,
    );
    w.exchange(request).await;
    let cookie = w
        .last()
        .header("set-cookie")
        .unwrap_or_default()
        .to_string();
    let token = (cookie.split(';').next())
        .and_then(|pair| pair.strip_prefix("BEARER_TOKEN="))
        .map(str::to_string);
    if w.last().status == 200 {
        w.tupay.user_mut().token = token;
    }
}

#[given("I am logged in to Tupay")]
async fn logged_in(w: &mut ContractWorld) {
    relogin(w).await;
}

/// Logs in again as the user in use; its new token replaces the last.
pub(super) async fn relogin(w: &mut ContractWorld) {
    login_with(w, None).await;
    assert_eq!(w.last().status, 200, "login answered {:?}", w.last());
}

#[when("I log in to Tupay")]
#[when("I log in to Tupay again")]
async fn log_in(w: &mut ContractWorld) {
    login_with(w, None).await;
}

#[when(expr = "I log in to Tupay with the secret {string}")]
async fn log_in_with_secret(w: &mut ContractWorld, secret: String) {
    login_with(w, Some(&secret)).await;
}

/// A raw login body (placeholders `{access_key}`, `{secret}`).
#[when("I send Tupay's login the body:")]
async fn raw_login(w: &mut ContractWorld, step: &Step) {
    let body = w.resolve_for(ProviderName::Tupay, &docstring(step));
    let request = build(w, "POST", LOGIN, Some(body), Carrier::None, None);
    w.exchange(request).await;
}

/// A second API user, logged in, becomes the one in use (the first stays in the scenario).
#[given("a second Tupay API user, logged in")]
#[when("a second Tupay API user, logged in")]
async fn second_user(w: &mut ContractWorld) {
    let user = TupayState::new_user(w);
    w.tupay.users.insert(0, user);
    logged_in(w).await;
}

#[when("I switch back to the first Tupay API user")]
fn switch_back(w: &mut ContractWorld) {
    let first = w.tupay.users.remove(1);
    w.tupay.users.insert(0, first);
}

#[then("the Tupay session cookie is BEARER_TOKEN with Path=/ and HttpOnly, and no expiry")]
fn cookie_is_set(w: &mut ContractWorld) {
    let last = w.last();
    let cookie = last.header("set-cookie").unwrap_or_default();
    let mut parts = cookie.split(';').map(str::trim);
    let pair = parts.next().unwrap_or_default();
    let token = pair.strip_prefix("BEARER_TOKEN=").unwrap_or_default();
    assert!(!token.is_empty(), "{last:?} {cookie}");
    let attributes: Vec<&str> = parts.collect();
    assert!(
        attributes.contains(&"Path=/") && attributes.contains(&"HttpOnly"),
        "{cookie}"
    );
    for absent in ["Max-Age", "Expires", "Secure"] {
        assert!(
            !attributes.iter().any(|a| a.starts_with(absent)),
            "{cookie}"
        );
    }
}

#[when(expr = "I read the Tupay balance sending the token as {string}")]
async fn balance_with_carrier(w: &mut ContractWorld, carrier: String) {
    let token = w.tupay.token().to_string();
    let request = build(
        w,
        "GET",
        "/v1/balance",
        None,
        Carrier::named(&carrier),
        Some(&token),
    );
    w.exchange(request).await;
}

#[when("I read the Tupay balance")]
async fn balance(w: &mut ContractWorld) {
    balance_with_carrier(w, "a cookie".into()).await;
}

#[when("I read the Tupay balance without a token")]
async fn balance_without_token(w: &mut ContractWorld) {
    let request = build(w, "GET", "/v1/balance", None, Carrier::None, None);
    w.exchange(request).await;
}

#[when(expr = "I read the Tupay balance with the token {string}")]
async fn balance_with_token(w: &mut ContractWorld, token: String) {
    let request = build(w, "GET", "/v1/balance", None, Carrier::Cookie, Some(&token));
    w.exchange(request).await;
}

#[when(expr = "I log out of Tupay sending the token as {string}")]
async fn log_out_with(w: &mut ContractWorld, carrier: String) {
    let token = w.tupay.token().to_string();
    let request = build(
        w,
        "DELETE",
        DESTROY,
        None,
        Carrier::named(&carrier),
        Some(&token),
    );
    w.exchange(request).await;
}

#[when("I log out of Tupay")]
async fn log_out(w: &mut ContractWorld) {
    log_out_with(w, "a cookie".into()).await;
}

/// A call refused for its parameters, still made in the session (it counts as use).
#[when("I send Tupay a deposits request with a bad range")]
async fn bad_range(w: &mut ContractWorld) {
    let range = last_days(w, 1).await.replace("from=", "from=x");
    let request = super::signed(w, "GET", &format!("/v1/deposits?{range}"));
    w.exchange(request).await;
}

#[then(expr = "the Tupay error is code {int}")]
fn error_is(w: &mut ContractWorld, code: u64) {
    let body = w.last_json();
    let last = w.last();
    assert_eq!(body["code"], code, "{last:?}");
    let fields = body.as_object().map(|o| o.len());
    assert_eq!(fields, Some(2), "only code and description: {last:?}");
    let description = body["description"].as_str().unwrap_or_default();
    assert!(!description.is_empty(), "{last:?}");
}

#[then(expr = "the Tupay error description is {string}")]
fn description_is(w: &mut ContractWorld, text: String) {
    let body = w.last_json();
    assert_eq!(body["description"], text.as_str(), "{:?}", w.last());
}
