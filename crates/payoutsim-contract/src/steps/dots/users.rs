//! Dots users: `POST /v2/users` (a fresh e-mail address and US phone number unless the step
//! names one), reading and deleting them, their payout methods (`PUT …/payout-methods`), and
//! the verification flow: `send-verification-token` puts a 6-digit code in the SMS outbox of
//! payoutsim's back office (`@sim`), `verify` takes it.

use cucumber::gherkin::Step;
use cucumber::{given, then, when};
use serde_json::{Value, json};

use super::backoffice::sms_codes;
use super::{Credentials, build, make, path_of, read, request};
use crate::params::Rail;
use crate::steps::arranged;
use crate::world::{ContractWorld, unique};

/// A US phone number of ten digits: `415` and seven random ones (no other scenario's, but by
/// chance).
fn fresh_phone() -> String {
    let digits: String = unique(40).chars().filter(char::is_ascii_digit).collect();
    let mut number = format!("415{digits}0000000");
    number.truncate(10);
    number
}

/// The body of a new user `name`: its e-mail address and phone number as given, or fresh ones.
fn user_body(name: &str, email: Option<String>, phone: Option<String>) -> Value {
    let email = email.unwrap_or_else(|| format!("{name}-{}@contract.test", unique(10)));
    json!({
        "first_name": capitalised(name),
        "last_name": "Contract",
        "email": email,
        "country_code": "1",
        "phone_number": phone.unwrap_or_else(fresh_phone),
    })
}

fn capitalised(name: &str) -> String {
    let mut chars = name.chars();
    chars.next().map_or_else(String::new, |c| {
        c.to_uppercase()
            .chain(chars.filter(char::is_ascii_alphabetic))
            .collect()
    })
}

async fn create_user(
    w: &mut ContractWorld,
    step: &Step,
    name: &str,
    email: Option<String>,
    phone: Option<String>,
) {
    let body = user_body(name, email, phone);
    make(
        w,
        step,
        ("POST", "/api/v2/users"),
        &body,
        ("user", name),
        &[201],
    )
    .await;
}

#[given(expr = "a Dots user {string}")]
#[when(expr = "I create a Dots user {string}")]
async fn a_user(w: &mut ContractWorld, step: &Step, name: String) {
    create_user(w, step, &name, None, None).await;
}

#[given(expr = "a Dots user {string} with the phone number {string}")]
#[when(expr = "I create a Dots user {string} with the phone number {string}")]
async fn a_user_with_phone(w: &mut ContractWorld, step: &Step, name: String, phone: String) {
    let phone = super::resolve(w, &phone);
    create_user(w, step, &name, None, Some(phone)).await;
}

/// A second user with the e-mail address of user `other`.
#[when(expr = "I create a Dots user {string} with the e-mail address of {string}")]
async fn a_user_with_email_of(w: &mut ContractWorld, step: &Step, name: String, other: String) {
    let email = read(w, &path_of(w, "user", &other)).await["email"].clone();
    let email = email.as_str().map(str::to_string);
    create_user(w, step, &name, email, None).await;
}

/// A fresh phone number the scenario calls `name`, `{phone:name}` in the steps after it (two
/// users may then be given the same one).
#[given(expr = "a fresh Dots phone number {string}")]
fn a_phone(w: &mut ContractWorld, name: String) {
    w.dots.name("phone", &name, fresh_phone());
}

/// `GET` of a user, payout, payout link or payout batch the scenario named.
#[when(expr = "I fetch Dots {word} {string}")]
async fn fetch(w: &mut ContractWorld, kind: String, name: String) {
    let path = path_of(w, &kind, &name);
    request(w, "GET", &path, None).await;
}

#[when(expr = "I delete Dots user {string}")]
async fn delete(w: &mut ContractWorld, name: String) {
    let path = path_of(w, "user", &name);
    request(w, "DELETE", &path, None).await;
}

#[then(expr = "Dots user {string} is {string}")]
async fn user_status(w: &mut ContractWorld, name: String, status: String) {
    let user = read(w, &path_of(w, "user", &name)).await;
    assert_eq!(user["status"], json!(status), "user {name:?}: {user}");
}

/// The body of a payout method on `rail` (ACH: a checking account; PayPal: an e-mail address;
/// Venmo: a phone number; Cash App: a cash tag).
fn method_body(rail: Rail) -> Value {
    match rail {
        Rail::Ach => json!({"platform": "ach", "routing_number": "011000015",
            "account_number": "000123456789", "account_type": "checking"}),
        Rail::PayPal => {
            json!({"platform": "paypal", "email": format!("pp-{}@contract.test", unique(8))})
        }
        Rail::Venmo => json!({"platform": "venmo", "phone_number": fresh_phone()}),
        Rail::CashApp => {
            json!({"platform": "cash_app", "cash_tag": format!("$contract{}", unique(6))})
        }
        other => panic!("no payout method is added for {other:?}"),
    }
}

/// `PUT /v2/users/{id}/payout-methods`; the method is named `<user>-<platform>` (the ACH one's
/// id is a payout's `account_id`).
async fn add_method(w: &mut ContractWorld, step: &Step, rail: Rail, name: &str) {
    let path = format!("{}/payout-methods", path_of(w, "user", name));
    let method = format!("{name}-{}", rail.wire());
    let at = ("PUT", path.as_str());
    make(w, step, at, &method_body(rail), ("method", &method), &[200]).await;
}

#[given(expr = "Dots user {string} has a(n) {rail} payout method")]
async fn has_method(w: &mut ContractWorld, step: &Step, name: String, rail: Rail) {
    add_method(w, step, rail, &name).await;
}

#[when(expr = "I add a(n) {rail} payout method for Dots user {string}")]
async fn a_method(w: &mut ContractWorld, step: &Step, rail: Rail, name: String) {
    add_method(w, step, rail, &name).await;
}

// ---- verification --------------------------------------------------------------------------

#[given(expr = "Dots sent a verification code to {string}")]
#[when(expr = "I ask Dots to send a verification code to {string}")]
async fn send_code(w: &mut ContractWorld, step: &Step, name: String) {
    let path = format!("{}/send-verification-token", path_of(w, "user", &name));
    request(w, "POST", &path, Some(&json!({"use_voice": false}))).await;
    arranged(w, step, 202, "sending the verification code");
}

/// As the official Node SDK asks: no body, and axios' default form content type.
#[when(expr = "I ask Dots to send a verification code to {string} as the Node SDK does")]
async fn send_code_like_the_sdk(w: &mut ContractWorld, name: String) {
    let path = format!("{}/send-verification-token", path_of(w, "user", &name));
    let mut request = build(w, "POST", &path, None, Credentials::Pair);
    request = request.header("content-type", "application/x-www-form-urlencoded");
    request.body = Some(Vec::new());
    w.exchange(request).await;
}

async fn verify(w: &mut ContractWorld, name: &str, code: &str) {
    let path = format!("{}/verify", path_of(w, "user", name));
    request(w, "POST", &path, Some(&json!({"token": code}))).await;
}

#[when(expr = "I verify Dots user {string} with the code {string}")]
async fn verify_with(w: &mut ContractWorld, name: String, code: String) {
    verify(w, &name, &code).await;
}

/// The newest code the back office's SMS outbox holds for the user (`@sim`).
async fn code_sent(w: &ContractWorld, name: &str) -> String {
    let codes = sms_codes(w, name).await;
    let newest = codes.last().and_then(|m| m["token"].as_str());
    let newest = newest.unwrap_or_else(|| panic!("no code sent to {name:?}: {codes:?}"));
    newest.to_string()
}

#[given(expr = "I verified Dots user {string} with the code from the SMS outbox")]
#[when(expr = "I verify Dots user {string} with the code from the SMS outbox")]
async fn verify_with_sent(w: &mut ContractWorld, step: &Step, name: String) {
    let code = code_sent(w, &name).await;
    verify(w, &name, &code).await;
    arranged(w, step, 200, "verifying the user");
}

/// The code sent with its last digit changed: a code that is surely wrong.
#[when(expr = "I verify Dots user {string} with a code other than the one sent")]
async fn verify_with_other(w: &mut ContractWorld, name: String) {
    let code = code_sent(w, &name).await;
    let (head, last) = code.split_at(code.len() - 1);
    let other = if last == "0" { "1" } else { "0" };
    verify(w, &name, &format!("{head}{other}")).await;
}

#[then(
    expr = "the Dots SMS outbox holds {int} code(s) for {string}, each of 6 digits, sent to its phone"
)]
async fn outbox_holds(w: &mut ContractWorld, n: usize, name: String) {
    let id = w.dots.id("user", &name);
    let user = read(w, &path_of(w, "user", &name)).await;
    let phone = format!(
        "+{}{}",
        user["phone_number"]["country_code"]
            .as_str()
            .unwrap_or_default(),
        user["phone_number"]["phone_number"]
            .as_str()
            .unwrap_or_default()
    );
    let codes = sms_codes(w, &name).await;
    assert_eq!(codes.len(), n, "codes sent to {name:?}: {codes:?}");
    for m in &codes {
        let token = m["token"].as_str().unwrap_or_default();
        assert!(
            token.len() == 6 && token.bytes().all(|b| b.is_ascii_digit()),
            "{m}"
        );
        assert_eq!(m["phone_number"], json!(phone), "{m}");
        assert_eq!(m["user_id"], json!(id), "{m}");
    }
}

#[then(expr = "Dots users {string} and {string} have the same phone number")]
async fn same_phone(w: &mut ContractWorld, a: String, b: String) {
    let phone = |u: Value| u["phone_number"].clone();
    let pa = phone(read(w, &path_of(w, "user", &a)).await);
    let pb = phone(read(w, &path_of(w, "user", &b)).await);
    assert!(pa["phone_number"].is_string(), "{pa}");
    assert_eq!(pa, pb, "the phone numbers of {a:?} and {b:?}");
}
