//! What a status change does, whether the timeline, the back office or a creation caused it.
//!
//! - [`start_payout`]: a new payout's id and lifecycle, destined by the kit's decision (forced
//!   outcome, a magic value of [`crate::state::MAGIC`], success)
//! - [`on_transition`] (`Spec::on_transition`): the side effects, the same for every cause:
//!   `updated_at`, `processed_at`, credit back on `failed` (debit again when moved out of
//!   `failed`), `remarks` (`FORCED` when the back office fails a payout), and the webhook of the
//!   new status
//! - [`check_move`] (`Spec::check_move`): leaving `failed` debits again, so the balance must
//!   cover it
//! - [`announce`]: a webhook outside a transition (`cashout.created`)

use chrono::{DateTime, Utc};
use payoutsim_core::admin::AdminError;
use payoutsim_core::forced::Forced;
use payoutsim_core::ids::Uid;
use payoutsim_core::kit::{Event, Records};
use payoutsim_core::machine::{Lifecycle, StateMachine};
use payoutsim_core::{Cause, Transition};
use serde::Serialize;
use serde_json::Value;
use serde_json::value::RawValue;

use crate::OnePay;
use crate::model::Remarks;
use crate::state::{ACCOUNT, BALANCE_CASHOUT, CASHOUT, Magic, Store, TenantData, remarks_for};

/// A new payout: its id, and its lifecycle started on `machine` at `now`, destined as the kit
/// decides from the request's `forced` outcome (taken here, so only the first payout created
/// gets it) and the `magic` value its account number or amount names ([`magic_for`]); the
/// forcing rule, if any, is noted in the transitions log.
///
/// [`magic_for`]: crate::state::magic_for
pub(crate) fn start_payout(
    onepay: &OnePay,
    tenant: &str,
    machine: &StateMachine,
    forced: &Forced,
    magic: Option<&'static Magic>,
    now: DateTime<Utc>,
) -> (Uid, Lifecycle) {
    let destiny = onepay.decide(machine, forced.take(), magic);
    let id = onepay.engine().ids().uid(tenant);
    let lc = onepay.start(tenant, machine, id.text().as_str(), destiny, now);
    (id, lc)
}

/// A delivery's body: `{"event": "...", "data": {…}}` (the newer documented shape).
#[derive(Serialize)]
struct WebhookPayload<'a, T> {
    event: &'a str,
    data: &'a T,
}

/// The webhook event of a payout entering `status`.
pub fn event_for(status: &str) -> Option<&'static str> {
    match status {
        "processing" => Some("cashout.approved"),
        "processed" => Some("cashout.processed"),
        "failed" => Some("cashout.rejected"),
        _ => None,
    }
}

/// Event `name` of `tenant` about the object `data` makes, if some webhook of the tenant wants
/// it (`data` is not made when none does).
fn event<T: Serialize>(
    onepay: &OnePay,
    tenant: &str,
    name: &'static str,
    data: impl FnOnce() -> Option<T>,
) -> Option<Event> {
    if !onepay.wants(tenant, name) {
        return None;
    }
    let data = data()?;
    Event::json(
        name,
        &WebhookPayload {
            event: name,
            data: &data,
        },
    )
}

/// Sends `{"event": name, "data": data}` to the tenant's webhooks that want `name`.
pub(crate) fn announce<T: Serialize>(
    onepay: &OnePay,
    tenant: &str,
    name: &'static str,
    data: &T,
    at: DateTime<Utc>,
) {
    let events = event(onepay, tenant, name, || Some(data))
        .into_iter()
        .collect();
    onepay.emit(tenant, events, at);
}

/// [`announce`] of an object already serialised (the answer's bytes, `body`): the payload holds
/// those bytes as they are, the bytes the object itself would serialise to.
pub(crate) fn announce_serialised(
    onepay: &OnePay,
    tenant: &str,
    name: &'static str,
    body: &[u8],
    at: DateTime<Utc>,
) {
    let data = || serde_json::from_slice::<&RawValue>(body).ok();
    let events = event(onepay, tenant, name, data).into_iter().collect();
    onepay.emit(tenant, events, at);
}

/// The amount held by payout `id` of `kind`, if it is one.
fn payout_amount(t: &TenantData, kind: &str, id: &str) -> Option<i64> {
    match kind {
        CASHOUT => t.cashouts.get(id).map(|c| c.amount),
        BALANCE_CASHOUT => t.balance_cashouts.get(id).map(|b| b.amount),
        _ => None,
    }
}

/// The wire form of object `id` of `kind`.
pub(crate) fn wire(t: &TenantData, kind: &str, id: &str) -> Option<Value> {
    let value = match kind {
        CASHOUT => serde_json::to_value(t.cashout_wire(t.cashouts.get(id)?)),
        BALANCE_CASHOUT => {
            serde_json::to_value(t.balance_cashout_wire(t.balance_cashouts.get(id)?))
        }
        ACCOUNT => serde_json::to_value(t.account_wire(t.accounts.get(id)?)?),
        _ => return None,
    };
    value.ok()
}

/// The one hook: the side effects of `change`, and the webhook of the new status if someone
/// wants it. Accounts have none.
pub(crate) fn on_transition(onepay: &OnePay, store: &mut Store, change: &Transition) -> Vec<Event> {
    let t = store.tenants.get_mut(&change.tenant);
    t.and_then(|t| transition_event(onepay, t, change))
        .into_iter()
        .collect()
}

fn transition_event(onepay: &OnePay, t: &mut TenantData, change: &Transition) -> Option<Event> {
    let (kind, id) = (change.kind.as_str(), change.object_id.as_str());
    let forced = (change.cause == Cause::Admin).then_some("FORCED");
    let name = after_change(t, kind, id, (change.from(), &change.to), change.at, forced)?;
    event(onepay, &change.tenant, name, || wire(t, kind, id))
}

/// Side effects of payout `id` moving `from` -> `to` at `at`; returns the event to announce, if
/// any. `forced` is the remarks code of a back-office failure.
fn after_change(
    t: &mut TenantData,
    kind: &str,
    id: &str,
    (from, to): (&str, &str),
    at: DateTime<Utc>,
    forced: Option<&str>,
) -> Option<&'static str> {
    let amount = payout_amount(t, kind, id)?;
    if from == to {
        return None;
    }
    let remarks = match (from, to) {
        (f, "failed") if f != "failed" => {
            t.available += amount;
            let reason = t.lifecycle(kind, id).and_then(|lc| lc.reason.clone());
            Some(remarks_for(
                forced.or(reason.as_deref()).unwrap_or("FAILED"),
            ))
        }
        ("failed", _) => {
            t.available -= amount;
            None
        }
        _ => payout_remarks(t, kind, id),
    };
    let processed_at = (to == "processed").then_some(at);
    match kind {
        CASHOUT => {
            let c = t.cashouts.get_mut(id)?;
            c.updated_at = at;
            c.remarks = remarks.map(Box::new);
        }
        _ => {
            let b = t.balance_cashouts.get_mut(id)?;
            b.processed_at = processed_at;
            b.remarks = remarks;
        }
    }
    event_for(to)
}

fn payout_remarks(t: &TenantData, kind: &str, id: &str) -> Option<Remarks> {
    match kind {
        CASHOUT => t.cashouts.get(id)?.remarks.as_deref().cloned(),
        _ => t.balance_cashouts.get(id)?.remarks.clone(),
    }
}

/// A back-office move out of `failed` debits the payout again: refused (409) when the balance
/// does not cover it.
pub(crate) fn check_move(store: &Store, change: &Transition) -> Result<(), AdminError> {
    let Some(t) = store.tenants.get(&change.tenant) else {
        return Ok(());
    };
    let (kind, id) = (&change.kind, &change.object_id);
    let amount = payout_amount(t, kind, id);
    if change.from() == "failed" && change.to != "failed" && amount.is_some_and(|a| a > t.available)
    {
        return Err(AdminError::conflict(format!(
            "leaving `failed` debits {kind} `{id}` again, and the balance is too low"
        )));
    }
    Ok(())
}
