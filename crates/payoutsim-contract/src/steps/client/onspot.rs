//! OnSpot for the client steps: a fresh `test` key pair (its own tenant; test payouts activate
//! at once and touch no balance), and a beneficiary: an individual with a CC document and an
//! e-mail. OnSpot documents no read, no idempotency and no webhooks, so the client's payouts are
//! the tenant's payouts in the back office ("Payouts").

use serde_json::{Value, json};

use super::Tenant;
use crate::params::ProviderName;
use crate::steps::onspot::add_pair;
use crate::world::ContractWorld;

pub fn fresh_tenant(w: &mut ContractWorld) -> Tenant {
    add_pair(w, "test", "client");
    let pair = w.onspot.pair();
    Tenant {
        base_url: w.url(ProviderName::OnSpot).to_string(),
        credentials: json!({"public_key": pair.public_key, "secret_key": pair.secret_key,
            "environment": pair.environment}),
        webhook_secret: None,
    }
}

pub fn beneficiary(name: &str) -> Value {
    json!({"type": "INDIVIDUAL", "document_type": "CC", "document_number": "1020304050",
        "first_name": name, "last_name": "Client", "email": format!("{name}@example.com")})
}

/// The tenant's payouts, as the back office shows them.
pub fn payouts(objects: &[Value]) -> Vec<Value> {
    objects.iter().map(|o| o["object"].clone()).collect()
}
