//! Step definitions. Each provider has its own folder, one file per concept of its API; the
//! files at the top hold the steps that work the same for every provider (a `{provider}`
//! parameter says which, where it matters).
//!
//! Shared:
//! - `http`: the status, fields and headers of the last answer; sending it again
//! - `clock`: simulated time, a provider's clock (`@sim`)
//! - `journal`: what a provider's journal recorded (`@sim`)
//! - `faults`: `Given a fault rule for {provider}:`, transport errors, rule hits (`@sim`)
//! - `webhooks`: the receiver, the events that arrived, the delivery log
//!
//! Per provider:
//! - `onepay`: keys, raw requests, answers and the error envelope, customers, accounts,
//!   cashouts, balances, webhook registrations, back office
//! - `onspot`: key pairs, tokens, Create Payouts, back office
//! - `kashpay`: sessions, orders, balance, operations, back office
//! - `tupay`: sessions and token carriers, lists and every page, the report against the lists,
//!   back office

mod clock;
mod faults;
mod http;
mod journal;
pub mod kashpay;
pub mod onepay;
pub mod onspot;
pub mod tupay;
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
