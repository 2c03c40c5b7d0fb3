//! Kashpay for the client steps: a fresh entity (its own tenant) whose user the client signs in
//! as; Kashpay provisions it, funded, at the first sign-in. A beneficiary is a CLABE and a name.
//! Kashpay documents no webhooks for orders, so there is no webhook secret.

use serde_json::{Value, json};

use super::Tenant;
use crate::params::ProviderName;
use crate::steps::kashpay::KashpayState;
use crate::world::ContractWorld;

pub async fn fresh_tenant(w: &mut ContractWorld) -> Tenant {
    w.kashpay = KashpayState::new_entity(w);
    let k = &w.kashpay;
    Tenant {
        base_url: w.url(ProviderName::Kashpay).to_string(),
        credentials: json!({"entity": k.entity(), "user": k.user, "password": k.password}),
        webhook_secret: None,
    }
}

/// A CLABE (Banamex, 002) and the name it is held under.
pub fn beneficiary(name: &str) -> Value {
    json!({ "clabe": "002028650641359744", "name": name })
}
