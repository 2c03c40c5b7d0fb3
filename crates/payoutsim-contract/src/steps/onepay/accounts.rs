//! Bank accounts: `Given a SAVINGS account "ana-savings" for "ana" with number "1234567890"`.
//! A new account is `PENDING`; OnePay activates it after 300 s, or at once on `validate`.

use cucumber::gherkin::Step;
use cucumber::{given, then, when};
use serde_json::json;

use super::{Account, bank_id, object_path, read, request};
use crate::params::Subtype;
use crate::steps::arranged;
use crate::world::ContractWorld;

pub(crate) async fn create(
    w: &mut ContractWorld,
    subtype: Subtype,
    name: &str,
    customer: &str,
    number: &str,
) {
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

#[given(expr = "account {string} is validated")]
#[when(expr = "I validate account {string}")]
async fn validate_account(w: &mut ContractWorld, name: String) {
    let path = format!("{}/validate", object_path(w, "account", &name));
    request(w, "POST", &path, None, &[]).await;
    let last = w.last();
    assert!(
        (200..300).contains(&last.status),
        "validating account {name:?}: {last:?}"
    );
}

#[then(expr = "account {string} is {string}")]
async fn account_status(w: &mut ContractWorld, name: String, status: String) {
    let account = read(w, "account", &name).await;
    let actual = &account["status"];
    assert_eq!(actual, &json!(status), "account {name:?}: {account}");
}
