//! OnePay for the client steps: a fresh `sk_test_` key (its own tenant) with a webhook for every
//! cashout event registered to the scenario's receiver (its secret is the client's), and a
//! beneficiary: a customer with a savings account, paid by TURBO.

use serde_json::{Value, json};

use super::Tenant;
use crate::params::{Env, Names, ProviderName, Subtype};
use crate::steps::onepay::{add_key, create_account, create_customer, register_webhook};
use crate::world::ContractWorld;

const EVENTS: &str = "cashout.created, cashout.approved, cashout.processed, cashout.rejected";

pub async fn fresh_tenant(w: &mut ContractWorld) -> Tenant {
    add_key(w, Env::Test, "client");
    let events: Names = EVENTS.parse().unwrap_or_else(|e| panic!("{e}"));
    register_webhook(w, &events).await;
    let secret = (w.onepay.webhook.as_ref())
        .and_then(|hook| hook["secret"].as_str())
        .map(str::to_string);
    assert!(secret.is_some(), "registering the webhook: {:?}", w.last);
    Tenant {
        base_url: w.url(ProviderName::OnePay).to_string(),
        credentials: json!({ "api_key": w.onepay.current_key() }),
        webhook_secret: secret,
    }
}

pub async fn beneficiary(w: &mut ContractWorld, name: &str) -> Value {
    create_customer(w, name).await;
    let account = format!("{name}-savings");
    create_account(w, Subtype::Savings, &account, name, "1234567890").await;
    json!({
        "customer_id": w.onepay.customer_id(name),
        "account_id": w.onepay.account(&account).id,
        "method": "TURBO",
    })
}
