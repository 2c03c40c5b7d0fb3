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
//! - `client`: the `@client` scenarios' steps: operations performed by the client under test
//!   (the built-in client or a team's adapter), its answers, and the provider's end state
//!
//! Per provider:
//! - `onepay`: keys, raw requests, answers and the error envelope, customers, accounts,
//!   cashouts, balances, webhook registrations, back office
//! - `onspot`: key pairs, tokens, Create Payouts, back office
//! - `kashpay`: sessions, orders, balance, operations, back office
//! - `tupay`: sessions and token carriers, lists and every page, the report against the lists,
//!   back office
//! - `dots`: key pairs and apps, users and verification, transfers and payouts, cursor pages,
//!   payout links, batches, Svix-signed webhooks, back office
//!
//! A `{provider}'s` phrase is also written `{provider}'` (`Dots' journal recorded …`).

pub mod client;
mod clock;
pub mod dots;
mod faults;
mod http;
mod journal;
pub mod kashpay;
pub mod onepay;
pub mod onspot;
pub mod tupay;
mod webhooks;

use cucumber::gherkin::{Step, StepType};
use serde_json::Value;

use crate::world::ContractWorld;

/// The step's docstring; panics when it has none.
pub fn docstring(step: &Step) -> String {
    step.docstring
        .clone()
        .unwrap_or_else(|| panic!("this step needs a docstring body"))
}

/// Whether `step` sets the scene: a `Given` (or an `And` after one). One step function serves
/// both `Given a customer "ana"` and `When I create a customer "ana"`: as the action under test
/// it takes whatever comes back, but a scene must be what the scenario says it is.
pub fn arranges(step: &Step) -> bool {
    step.ty == StepType::Given
}

/// When `step` [`arranges`], asserts the last answer has `status`: what `doing` made exists.
pub fn arranged(w: &ContractWorld, step: &Step, status: u16, doing: &str) {
    let last = w.last();
    if arranges(step) {
        assert_eq!(last.status, status, "{doing}: {last:?}");
    }
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

/// The text at the dotted `path` of the last answer's JSON (empty when it is missing or not a
/// string).
pub fn field_text(w: &ContractWorld, path: &str) -> String {
    let body = w.last_json();
    let text = field(&body, path).and_then(Value::as_str);
    text.unwrap_or_default().to_string()
}
