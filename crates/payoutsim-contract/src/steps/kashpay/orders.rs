//! Kashpay orders and money: `POST /OKPay/createOrder` with the newer docs' full field set,
//! `POST /OKPay/searchReference`, `GET /EntitiesServices/getBalance`, `GET
//! /EntitiesServices/getOperations` (paging and filters as headers), and the back office
//! (`@sim`): funding and forcing an order's status.

use cucumber::gherkin::Step;
use cucumber::{given, then, when};
use serde_json::{Value, json};

use super::{Session, call, send};
use crate::params::{JsonLit, ProviderName};
use crate::steps::{arranges, docstring};
use crate::world::{ContractWorld, ProviderState};

const CREATE: &str = "/OKPay/createOrder";
const SEARCH: &str = "/OKPay/searchReference";
const OPERATIONS: &str = "/EntitiesServices/getOperations";

fn amount(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("amount {text:?} is not a number: {e}"))
}

/// The newer docs' createOrder example, to `account` (bank: a CLABE's first 3 digits, else 002).
fn order_body(reference: &str, amount: Value, account: &str) -> Value {
    json!({
        "alphanumericReference": reference,
        "amount": amount,
        "beneficiaryAcount": account,
        "beneficiaryAcountSPEI": account,
        "beneficiaryAddress1": "Vicente G 132 Mz5 Lt14",
        "beneficiaryAddress2": "Vicente G 132 Mz5 Lt14",
        "beneficiaryCity": "CDMX",
        "beneficiaryName": "Florentino Eter",
        "beneficiaryTypeAcount": "40",
        "codeInstituteBank": if account.len() == 18 { &account[..3] } else { "002" },
        "concept": "Deposito Maria",
        "currency": 484,
        "dataAccreditationBeneficiary": 99,
        "dateTransaction": "030421",
        "description": "prueba",
        "email": "testrest@gmail.com",
        "idBank": 4177,
        "idEntity": 4177,
        "numericReference": 4322312,
        "observation": "test@gmail.com",
        "orderingAccount": 111,
        "orderingTypeAcount": "string",
        "postalCode": 57800,
        "referenceCreatedPayment": 811111112,
        "rfc": "ROPL951201091",
        "typeTransaction": 1
    })
}

async fn create(w: &mut ContractWorld, body: &Value) {
    send(w, "POST", CREATE, Some(body), Session::Signed, &[]).await;
}

/// Kashpay answers a refused order with `"success": false`, so that is what a `Given` checks.
#[given(expr = "a Kashpay order {string} of {word} MXN to {string}")]
#[when(expr = "I create a Kashpay order {string} of {word} MXN to {string}")]
async fn an_order(
    w: &mut ContractWorld,
    step: &Step,
    reference: String,
    mxn: String,
    account: String,
) {
    create(w, &order_body(&reference, amount(&mxn), &account)).await;
    if arranges(step) {
        let body = w.last_json();
        assert_eq!(body["success"], true, "createOrder answered {:?}", w.last());
    }
}

#[when(
    expr = "I create a Kashpay order {string} of {word} MXN to {string} with {string} set to {json}"
)]
async fn create_with_field(
    w: &mut ContractWorld,
    reference: String,
    mxn: String,
    account: String,
    field: String,
    value: JsonLit,
) {
    let mut body = order_body(&reference, amount(&mxn), &account);
    body[field.as_str()] = value.0;
    create(w, &body).await;
}

#[when(expr = "I create a Kashpay order {string} of {word} MXN to {string} without {string}")]
async fn create_without_field(
    w: &mut ContractWorld,
    reference: String,
    mxn: String,
    account: String,
    field: String,
) {
    let mut body = order_body(&reference, amount(&mxn), &account);
    if let Some(map) = body.as_object_mut() {
        map.remove(&field);
    }
    create(w, &body).await;
}

#[when("I create a Kashpay order with:")]
async fn create_raw(w: &mut ContractWorld, step: &Step) {
    let text = w.resolve_for(ProviderName::Kashpay, &docstring(step));
    let body: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("bad JSON: {e}"));
    create(w, &body).await;
}

#[then(expr = "the Kashpay balance is {word} MXN")]
async fn balance_is(w: &mut ContractWorld, mxn: String) {
    let body = call(w, "GET", "/EntitiesServices/getBalance", None).await;
    let balance = body["onsignaEntity"]["balance"].as_f64();
    assert_eq!(balance, amount(&mxn).as_f64(), "getBalance: {body}");
}

async fn search(w: &ContractWorld, reference: &str) -> Value {
    let query = json!({ "alphanumericReference": reference });
    call(w, "POST", SEARCH, Some(&query)).await
}

#[then(expr = "the Kashpay order {string} has status {int}")]
async fn order_status(w: &mut ContractWorld, reference: String, status: u64) {
    let body = search(w, &reference).await;
    assert_eq!(
        body["orderEntityResponse"]["status"], status,
        "searchReference: {body}"
    );
}

#[when(expr = "I search Kashpay for the order {string}")]
async fn search_order(w: &mut ContractWorld, reference: String) {
    let query = json!({ "alphanumericReference": reference });
    send(w, "POST", SEARCH, Some(&query), Session::Signed, &[]).await;
}

#[when("I list my Kashpay operations")]
async fn list_operations(w: &mut ContractWorld) {
    send(w, "GET", OPERATIONS, None, Session::Signed, &[]).await;
}

/// Headers from a table of `| header | value |` rows.
#[when("I list my Kashpay operations with the headers:")]
async fn list_operations_with(w: &mut ContractWorld, step: &Step) {
    let rows = step
        .table
        .as_ref()
        .map(|t| t.rows.clone())
        .unwrap_or_default();
    let headers: Vec<(String, String)> = rows
        .into_iter()
        .filter_map(|r| Some((r.first()?.clone(), r.get(1)?.clone())))
        .collect();
    send(w, "GET", OPERATIONS, None, Session::Signed, &headers).await;
}

// ---- back office (@sim) --------------------------------------------------------------------

#[given(expr = "the back office funds the Kashpay entity with {word} MXN")]
#[when(expr = "the back office funds the Kashpay entity with {word} MXN")]
async fn fund(w: &mut ContractWorld, mxn: String) {
    let body = json!({ "tenant": w.kashpay.tenant(), "amount": amount(&mxn) });
    w.admin("POST", "/__admin/providers/kashpay/fund", Some(body))
        .await;
}

#[when(expr = "the back office forces the Kashpay order {string} to {string}")]
async fn force(w: &mut ContractWorld, reference: String, status: String) {
    let found = search(w, &reference).await;
    let id = found["orderEntityResponse"]["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let body = json!({ "status": status, "tenant": w.kashpay.tenant() });
    let path = format!("/__admin/providers/kashpay/orders/{id}/status");
    w.admin("POST", &path, Some(body)).await;
}
