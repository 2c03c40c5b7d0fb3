//! Step definitions, one file per concept of the payments domain:
//!
//! - `auth`: OnePay keys and tenants
//! - `http`: raw requests, statuses, fields, headers, OnePay's error envelope
//! - `customers`, `accounts`, `cashouts`: the objects a payout needs
//! - `balances`: available, in transit, balance cashouts and withdrawals
//! - `clock`: simulated time (`@sim`)
//! - `webhooks`: the receiver, registrations, deliveries and their signatures
//! - `backoffice`: payoutsim's back office and request journal (`@sim`)
//! - `faults`: fault rules against OnePay and what the client observes (`@sim`)
//! - `kashpay`: Kashpay's sessions, orders, balance, operations and back office
//! - `onspot`: OnSpot's key pairs, tokens, Create Payouts and back office (its own folder)

mod accounts;
mod auth;
mod backoffice;
mod balances;
mod cashouts;
mod clock;
mod customers;
mod faults;
mod http;
mod journal;
pub mod kashpay;
pub mod onepay;
pub mod onspot;
mod webhooks;

use cucumber::gherkin::Step;
use serde_json::Value;

/// The step's docstring; panics when it has none.
pub fn docstring(step: &Step) -> String {
    step.docstring
        .clone()
        .unwrap_or_else(|| panic!("this step needs a docstring body"))
}

/// The value at a dotted path (`data.0.id`), `None` if any step is missing.
pub fn field<'a>(value: &'a Value, path: &str) -> Option<&'a Value> {
    if path.is_empty() {
        return Some(value);
    }
    path.split('.').try_fold(value, |v, part| match v {
        Value::Array(items) => part.parse::<usize>().ok().and_then(|i| items.get(i)),
        Value::Object(map) => map.get(part),
        _ => None,
    })
}
