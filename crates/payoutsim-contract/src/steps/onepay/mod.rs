//! OnePay steps: the scenario's keys (each `sk_test_…` or `sk_live_…` key its own tenant,
//! `onepay:<key>`), the objects it created by name, and requests with `Authorization: Bearer`.
//!
//! - `auth`: keys and switching between them
//! - `requests`: raw requests (placeholders like `{customer:ana}` resolved); `answers`: the error
//!   envelope, timestamps, ids of named objects
//! - `customers`, `accounts`, `cashouts`: the objects a payout needs
//! - `balances`: available, in transit, balance cashouts and withdrawals
//! - `webhooks`: registrations, signatures, what a delivery is about
//! - `backoffice`: funding, forced statuses, objects, journaled idempotency keys (`@sim`)

mod accounts;
mod answers;
mod auth;
mod backoffice;
mod balances;
mod cashouts;
mod customers;
mod requests;
mod webhooks;

// What the client steps (`steps/client/onepay.rs`) arrange with.
pub(crate) use accounts::create as create_account;
pub(crate) use auth::add_key;
pub(crate) use customers::create as create_customer;
pub(crate) use webhooks::register as register_webhook;

use std::collections::BTreeMap;

use serde_json::Value;

use crate::client::{Request, Response};
use crate::params::ProviderName;
use crate::world::{ContractWorld, ProviderState};

/// A bank account the scenario created, with the customer (by name) who owns it.
#[derive(Clone, Debug)]
pub struct Account {
    pub id: Value,
    pub customer: String,
}

/// What a OnePay scenario holds: its keys, the one in use, the objects it created by the names
/// it gave them, its webhook registration and a noted balance.
#[derive(Debug, Default)]
pub struct OnePayState {
    /// Keys by name (`test`, `live`, or a name the scenario chose).
    pub keys: BTreeMap<String, String>,
    /// The key requests are sent with; `None` sends no `Authorization` header.
    pub key: Option<String>,
    pub customers: BTreeMap<String, Value>,
    pub accounts: BTreeMap<String, Account>,
    pub cashouts: BTreeMap<String, Value>,
    /// Cashout names in creation order.
    pub cashout_order: Vec<String>,
    /// The `external_id` each named cashout was created with.
    pub external_ids: BTreeMap<String, String>,
    /// The first bank OnePay lists, once fetched (`{bank}`).
    pub bank_id: Option<Value>,
    /// The `data` of the webhook the scenario registered (`id`, `secret`, `header`, …).
    pub webhook: Option<Value>,
    pub noted_balance: Option<i64>,
}

impl OnePayState {
    pub fn current_key(&self) -> &str {
        self.key.as_deref().unwrap_or_else(|| {
            panic!("no OnePay key yet: start the scenario with `Given a OnePay test key`")
        })
    }

    /// The simulator's name for a key's tenant.
    pub fn tenant_of(key: &str) -> String {
        format!("onepay:{key}")
    }

    pub fn customer_id(&self, name: &str) -> Value {
        self.customers
            .get(name)
            .cloned()
            .unwrap_or_else(|| panic!("no customer named {name:?} in this scenario"))
    }

    pub fn account(&self, name: &str) -> Account {
        self.accounts
            .get(name)
            .cloned()
            .unwrap_or_else(|| panic!("no account named {name:?} in this scenario"))
    }

    pub fn cashout_id(&self, name: &str) -> Value {
        self.cashouts
            .get(name)
            .cloned()
            .unwrap_or_else(|| panic!("no cashout named {name:?} in this scenario"))
    }
}

impl ProviderState for OnePayState {
    fn tenants(&self) -> Vec<String> {
        self.keys.values().map(|k| Self::tenant_of(k)).collect()
    }

    fn tenant(&self) -> String {
        Self::tenant_of(self.current_key())
    }

    /// `{customer:ana}`, `{account:ana-savings}`, `{cashout:c1}`, `{external_id:c1}`, `{bank}`,
    /// `{webhook:id}`, `{tenant}`, `{key}`. Ids are written bare (a string id needs quotes around
    /// the placeholder in JSON).
    fn placeholder(&self, kind: &str, name: &str) -> Option<String> {
        let bare = |v: Value| match v {
            Value::String(s) => s,
            other => other.to_string(),
        };
        Some(match kind {
            "customer" => bare(self.customer_id(name)),
            "account" => bare(self.account(name).id),
            "cashout" => bare(self.cashout_id(name)),
            "external_id" => self.external_ids.get(name).cloned().unwrap_or_else(|| {
                panic!("no cashout named {name:?} with an external_id in this scenario")
            }),
            "bank" => bare(self.bank_id.clone().unwrap_or(Value::Null)),
            "webhook" => bare(
                self.webhook
                    .as_ref()
                    .map(|w| w[name].clone())
                    .unwrap_or_default(),
            ),
            "tenant" => self.tenant(),
            "key" => self.current_key().to_string(),
            _ => return None,
        })
    }
}

/// `text` with OnePay's placeholders and the shared ones replaced.
pub fn resolve(w: &ContractWorld, text: &str) -> String {
    w.resolve_for(ProviderName::OnePay, text)
}

/// [`resolve`], after fetching what a placeholder needs from OnePay (`{bank}`).
pub async fn resolve_all(w: &mut ContractWorld, text: &str) -> String {
    if text.contains("{bank}") {
        bank_id(w).await;
    }
    resolve(w, text)
}

/// The path of the object the scenario named `name`, of `kind` (`customer`, `account` or
/// `cashout`): `/v1/{kind}s/{id}`.
pub fn object_path(w: &ContractWorld, kind: &str, name: &str) -> String {
    assert!(
        matches!(kind, "customer" | "account" | "cashout"),
        "a scenario names customers, accounts and cashouts, not a {kind}"
    );
    let id = resolve(w, &format!("{{{kind}:{name}}}"));
    format!("/v1/{kind}s/{id}")
}

/// Reads a named object back with a plain `GET` (not kept as the last response); asserts 200.
pub async fn read(w: &ContractWorld, kind: &str, name: &str) -> Value {
    let resp = call(w, "GET", &object_path(w, kind, name), None, &[]).await;
    assert_eq!(resp.status, 200, "GET {kind} {name:?}: {resp:?}");
    resp.json()
}

/// The id of the first bank OnePay lists (fetched once per scenario).
pub async fn bank_id(w: &mut ContractWorld) -> Value {
    if let Some(id) = &w.onepay.bank_id {
        return id.clone();
    }
    let resp = call(w, "GET", "/v1/banks", None, &[]).await;
    assert_eq!(resp.status, 200, "GET /v1/banks: {resp:?}");
    let id = resp.json()["data"][0]["id"].clone();
    assert!(!id.is_null(), "GET /v1/banks listed no bank: {resp:?}");
    w.onepay.bank_id = Some(id.clone());
    id
}

/// A request to OnePay with the current key (if any) and, with a body, a JSON content type.
pub fn build(
    w: &ContractWorld,
    method: &str,
    path: &str,
    body: Option<Vec<u8>>,
    extra: &[(&str, &str)],
) -> Request {
    let url = format!("{}{path}", w.url(ProviderName::OnePay));
    let mut request = Request::json_api(method, url);
    if let Some(key) = &w.onepay.key {
        request = request.header("authorization", format!("Bearer {key}"));
    }
    request.headers(extra.iter().copied()).json_body(body)
}

/// Sends a request to OnePay with the current key; does not touch the last exchange.
pub async fn call(
    w: &ContractWorld,
    method: &str,
    path: &str,
    body: Option<&Value>,
    extra: &[(&str, &str)],
) -> Response {
    let body = body.map(|b| b.to_string().into_bytes());
    w.send(build(w, method, path, body, extra)).await
}

/// Like [`call`], but the exchange becomes the scenario's last one.
pub async fn request<'w>(
    w: &'w mut ContractWorld,
    method: &str,
    path: &str,
    body: Option<&Value>,
    extra: &[(&str, &str)],
) -> &'w Response {
    let body = body.map(|b| b.to_string().into_bytes());
    let request = build(w, method, path, body, extra);
    w.exchange(request).await
}
