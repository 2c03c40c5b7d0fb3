//! Bank accounts: `Given a SAVINGS account "ana-savings" for "ana" with number "1234567890"`.
//! A new account is `PENDING`; OnePay activates it after 300 s, or at once on `validate`.

use cucumber::gherkin::Step;
use cucumber::{given, then, when};
use serde_json::{Value, json};

use super::{Account, bank_id, call, request, resolve};
use crate::params::Subtype;
use crate::steps::arranged;
use crate::world::ContractWorld;

async fn create(w: &mut ContractWorld, subtype: Subtype, name: &str, customer: &str, number: &str) {
    let body = json!({
        "subtype": subtype.wire(),
        "authorization": true,
        "re-enrollment": false,
        "account_number": number,
        "customer_id": w.onepay.customer_id(customer),
        "bank_id": bank_id(w).await,
    });
    let resp = request(w, "POST", "/v1/accounts", Some(&body), &[]).await;
    if resp.status == 201 {
        let id = resp.json()["id"].clone();
        assert!(!id.is_null(), "a created account has an id: {resp:?}");
        let account = Account {
            id,
            customer: customer.to_string(),
        };
        w.onepay.accounts.insert(name.to_string(), account);
    }
}

#[given(expr = "a(n) {subtype} account {string} for {string} with number {string}")]
#[when(expr = "I create a(n) {subtype} account {string} for {string} with number {string}")]
async fn an_account(
    w: &mut ContractWorld,
    step: &Step,
    subtype: Subtype,
    name: String,
    customer: String,
    number: String,
) {
    create(w, subtype, &name, &customer, &number).await;
    arranged(w, step, 201, &format!("creating account {name:?}"));
}

#[when(expr = "I fetch account {string}")]
async fn fetch_account(w: &mut ContractWorld, name: String) {
    let id = resolve(w, &format!("{{account:{name}}}"));
    request(w, "GET", &format!("/v1/accounts/{id}"), None, &[]).await;
}

#[given(expr = "account {string} is validated")]
#[when(expr = "I validate account {string}")]
async fn validate_account(w: &mut ContractWorld, name: String) {
    let id = resolve(w, &format!("{{account:{name}}}"));
    request(w, "POST", &format!("/v1/accounts/{id}/validate"), None, &[]).await;
    let last = w.last();
    assert!(
        (200..300).contains(&last.status),
        "validating account {name:?}: {last:?}"
    );
}

#[then(expr = "account {string} is {string}")]
async fn account_status(w: &mut ContractWorld, name: String, status: String) {
    let id = resolve(w, &format!("{{account:{name}}}"));
    let resp = call(w, "GET", &format!("/v1/accounts/{id}"), None, &[]).await;
    assert_eq!(resp.status, 200, "GET account {name:?}: {resp:?}");
    let actual = resp.json()["status"].clone();
    assert_eq!(actual, Value::String(status), "account {name:?}: {resp:?}");
}
