//! Customers: the people (or companies) payouts go to. `Given a customer "ana"` creates a natural
//! person with valid, unique data; the scenario then refers to her as `"ana"`.

use cucumber::gherkin::Step;
use cucumber::{given, then, when};
use serde_json::{Value, json};

use super::{object_path, request};
use crate::steps::arranged;
use crate::world::{ContractWorld, unique};

/// A valid natural-person customer named after `name`.
fn customer_body(name: &str) -> Value {
    let mut first = name.to_string();
    if let Some(c) = first.get_mut(0..1) {
        c.make_ascii_uppercase();
    }
    let tag = unique(8);
    let digits: String = tag.bytes().map(|b| char::from(b'0' + b % 10)).collect();
    json!({
        "user_type": "natural",
        "first_name": first,
        "last_name": "Contract",
        "email": format!("{name}.{tag}@example.com"),
        "phone": format!("+57300{}", &digits[..7]),
        "document_type": "CC",
        "document_number": format!("10{digits}"),
        "nationality": "CO",
        "birthdate": "1990-01-15",
        "enable_notifications": false,
    })
}

pub(crate) async fn create(w: &mut ContractWorld, name: &str) {
    let resp = request(w, "POST", "/v1/customers", Some(&customer_body(name)), &[]).await;
    if resp.status == 201 {
        let id = resp.json()["id"].clone();
        assert!(!id.is_null(), "a created customer has an id: {resp:?}");
        w.onepay.customers.insert(name.to_string(), id);
    }
}

#[given(expr = "a customer {string}")]
#[when(expr = "I create a customer {string}")]
async fn a_customer(w: &mut ContractWorld, step: &Step, name: String) {
    create(w, &name).await;
    arranged(w, step, 201, &format!("creating customer {name:?}"));
}

#[when(expr = "I list the accounts of customer {string}")]
async fn list_accounts(w: &mut ContractWorld, name: String) {
    let path = format!("{}/accounts", object_path(w, "customer", &name));
    request(w, "GET", &path, None, &[]).await;
}

#[then(expr = "the response lists account {string}")]
fn lists_account(w: &mut ContractWorld, name: String) {
    let (id, listed) = account_and_listed(w, &name);
    assert!(
        listed.contains(&id),
        "account {name:?} ({id}) not in {listed:?}"
    );
}

#[then(expr = "the response does not list account {string}")]
fn does_not_list_account(w: &mut ContractWorld, name: String) {
    let (id, listed) = account_and_listed(w, &name);
    assert!(
        !listed.contains(&id),
        "account {name:?} ({id}) is listed: {listed:?}"
    );
}

/// The id of the account the scenario named `name`, and the ids the last answer lists.
fn account_and_listed(w: &ContractWorld, name: &str) -> (Value, Vec<Value>) {
    (w.onepay.account(name).id, listed_ids(&w.last_json()))
}

/// The ids of a list answer: a Laravel page (`data: [...]`) or a bare array.
pub fn listed_ids(body: &Value) -> Vec<Value> {
    let items = body["data"].as_array().or_else(|| body.as_array());
    items
        .into_iter()
        .flatten()
        .map(|item| item["id"].clone())
        .collect()
}
