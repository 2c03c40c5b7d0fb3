//! Dots for the client steps: a fresh sandbox key pair (its own app and tenant, $100 in its
//! wallet) with the scenario's receiver registered for the payout events (its `whsec_` secret
//! is the client's), and a beneficiary: a user paid by PayPal (no payout method needed in the
//! sandbox). The client's payouts are the tenant's transfers of type `payout`; its balance the
//! app wallet, in cents.

use serde_json::{Value, json};

use super::Tenant;
use crate::params::ProviderName;
use crate::steps::dots::{add_pair, call, register};
use crate::world::ContractWorld;

const EVENTS: [&str; 3] = ["transfer.updated", "transfer.completed", "transfer.failed"];

pub async fn fresh_tenant(w: &mut ContractWorld) -> Tenant {
    add_pair(w, "sandbox", "client");
    register(w, Some(EVENTS.map(str::to_string).to_vec())).await;
    let secret = (w.dots.webhook.as_ref())
        .and_then(|hook| hook["secret"].as_str())
        .map(str::to_string);
    let pair = w.dots.pair();
    Tenant {
        base_url: w.url(ProviderName::Dots).to_string(),
        credentials: json!({"client_id": pair.client_id, "api_key": pair.api_key}),
        webhook_secret: secret,
    }
}

pub async fn beneficiary(w: &mut ContractWorld, name: &str) -> Value {
    let body = json!({"first_name": name, "last_name": "Client", "email": format!("{name}@example.com"),
        "country_code": "1", "phone_number": "5555550100"});
    let answer = call(w, "POST", "/api/v2/users", Some(&body)).await;
    let user = answer.json();
    assert_eq!(answer.status, 201, "creating the user {name:?}: {user}");
    json!({"user_id": user["id"], "platform": "paypal"})
}

/// The payouts among the tenant's transfers.
pub fn payouts(transfers: &[Value]) -> Vec<Value> {
    (transfers.iter().map(|t| t["object"].clone()))
        .filter(|t| t["type"] == "payout")
        .collect()
}

/// The app wallet in cents (the steps' minor units), `None` before the app exists.
pub fn wallet_cents(apps: &[Value]) -> Option<i128> {
    let cents = apps.first()?["object"]["wallet"].as_i64()?;
    Some(i128::from(cents))
}
