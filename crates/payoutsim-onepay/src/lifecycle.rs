//! Status changes and their side effects, whether the timeline or the back office caused them.
//!
//! - [`decide_outcome`]: the terminal status a new payout is destined for
//! - [`apply`]: a timed transition fell due (`Provider::apply`)
//! - [`force`]: a back-office status change (`POST /__admin/providers/onepay/.../status`)
//! - side effects, the same for both: `updated_at`, `processed_at`, credit back on `failed`
//!   (debit again when forced out of `failed`), `remarks`, and the webhook of the new status.

use chrono::{DateTime, Utc};
use payoutsim_core::admin::AdminError;
use payoutsim_core::forced::{Destiny, OutcomeSlot, destiny};
use payoutsim_core::machine::{Lifecycle, StateMachine};
use payoutsim_core::timeline::{Action, Scheduled};
use serde::Serialize;
use serde_json::Value;

use crate::OnePay;
use crate::state::{ACCOUNT, BALANCE_CASHOUT, CASHOUT, TenantData, magic_for, remarks_for};

/// Where a new payout is destined, in DESIGN.md's order ([`destiny`]): the request's forced
/// outcome (taken here, so only the first payout created gets it), a magic value of
/// [`crate::state::MAGIC`], success.
fn decide_outcome(
    machine: &StateMachine,
    forced: Option<&OutcomeSlot>,
    account_number: &str,
    amount: i64,
) -> Destiny {
    let forced = forced.and_then(OutcomeSlot::take);
    destiny(machine, forced, magic_for(account_number, amount), |_| None)
}

/// A new payout of `amount` cents to `account_number`: its id, and its lifecycle started on
/// `machine` at `now`, destined for the outcome [`decide_outcome`] picks (the forcing rule, if any,
/// noted in the transitions log).
pub(crate) fn start_payout(
    onepay: &OnePay,
    tenant: &str,
    machine: &StateMachine,
    forced: Option<&OutcomeSlot>,
    (account_number, amount): (&str, i64),
    now: DateTime<Utc>,
) -> (String, Lifecycle) {
    let engine = onepay.engine();
    let Destiny { outcome, forced_by } = decide_outcome(machine, forced, account_number, amount);
    let id = engine.ids.uuid(tenant);
    let lc = engine.start_lifecycle_forced(
        "onepay",
        tenant,
        machine,
        &id,
        outcome,
        forced_by.as_deref(),
        now,
    );
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

fn lifecycle_mut<'a>(t: &'a mut TenantData, kind: &str, id: &str) -> Option<&'a mut Lifecycle> {
    match kind {
        CASHOUT => t.cashouts.get_mut(id).map(|c| &mut c.lc),
        BALANCE_CASHOUT => t.balance_cashouts.get_mut(id).map(|b| &mut b.lc),
        ACCOUNT => t.accounts.get_mut(id).map(|a| &mut a.lc),
        _ => None,
    }
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

/// Side effects of `id` moving `from` -> `to` at `at`; returns the webhook to send, if any.
/// `forced` is the remarks code of a back-office failure.
fn after_change(
    t: &mut TenantData,
    kind: &str,
    id: &str,
    (from, to): (&str, &str),
    at: DateTime<Utc>,
    forced: Option<&str>,
) -> Option<(&'static str, Value)> {
    let amount = payout_amount(t, kind, id)?;
    if from == to {
        return None;
    }
    let remarks = match (from, to) {
        (f, "failed") if f != "failed" => {
            t.available += amount;
            let reason = lifecycle_mut(t, kind, id).and_then(|lc| lc.reason.clone());
            Some(remarks_for(
                forced.or(reason.as_deref()).unwrap_or("FAILED"),
            ))
        }
        ("failed", _) => {
            t.available -= amount;
            None
        }
        _ => lifecycle_remarks(t, kind, id),
    };
    let processed_at = (to == "processed").then_some(at);
    match kind {
        CASHOUT => {
            let c = t.cashouts.get_mut(id)?;
            c.updated_at = at;
            c.remarks = remarks;
        }
        _ => {
            let b = t.balance_cashouts.get_mut(id)?;
            b.processed_at = processed_at;
            b.remarks = remarks;
        }
    }
    Some((event_for(to)?, wire(t, kind, id)?))
}

fn lifecycle_remarks(t: &TenantData, kind: &str, id: &str) -> Option<crate::model::Remarks> {
    match kind {
        CASHOUT => t.cashouts.get(id)?.remarks.clone(),
        _ => t.balance_cashouts.get(id)?.remarks.clone(),
    }
}

/// A timed transition fell due.
pub(crate) fn apply(onepay: &OnePay, due: &Scheduled) {
    let Action::Transition {
        kind, object_id, ..
    } = &due.action
    else {
        return;
    };
    let webhook = {
        let mut store = onepay.store();
        let Some(t) = store.tenants.get_mut(&due.tenant) else {
            return;
        };
        let Some(lc) = lifecycle_mut(t, kind, object_id) else {
            return;
        };
        let Some(machine) = onepay.machine(kind, &lc.variant) else {
            return;
        };
        let Some((from, to, at)) = onepay.engine().step_lifecycle(lc, &machine, due) else {
            return;
        };
        after_change(t, kind, object_id, (&from, &to), at, None)
    };
    if let Some((event, data)) = webhook {
        onepay.emit(&due.tenant, event, &data, due.due);
    }
}

/// A back-office status change of object `id` (of one of `kinds`, in whichever tenant has it).
/// Returns the object's wire form after the change.
pub(crate) fn force(
    onepay: &OnePay,
    kinds: &[&str],
    id: &str,
    to: &str,
) -> Result<Value, AdminError> {
    let engine = onepay.engine();
    let (tenant, webhook, now, object) = {
        let mut store = onepay.store();
        let found = store.tenants.iter_mut().find_map(|(name, t)| {
            let kind = kinds.iter().find(|k| lifecycle_mut(t, k, id).is_some())?;
            Some((name.clone(), *kind, t))
        });
        let Some((tenant, kind, t)) = found else {
            return Err(AdminError::not_found(format!(
                "no {} `{id}`",
                kinds.join(" or ")
            )));
        };
        let now = engine.now_for(&tenant);
        let amount = payout_amount(t, kind, id);
        let available = t.available;
        let lc = lifecycle_mut(t, kind, id).ok_or_else(|| AdminError::not_found(id.to_string()))?;
        let machine = onepay
            .machine(kind, &lc.variant)
            .ok_or_else(|| AdminError::bad_request(format!("no machine for {kind}")))?;
        if lc.status == "failed" && to != "failed" && amount.is_some_and(|a| a > available) {
            return Err(AdminError(
                http::StatusCode::CONFLICT,
                format!("leaving `failed` debits {kind} `{id}` again, and the balance is too low"),
            ));
        }
        if machine.is_terminal(&lc.status) && machine.knows(to) && !machine.is_terminal(to) {
            // Back on the way: towards success unless told otherwise.
            lc.outcome = machine.success().to_string();
            lc.reason = None;
        }
        let from = engine
            .force_lifecycle("onepay", &tenant, &machine, id, lc, to, now)
            .map_err(AdminError::bad_request)?;
        let webhook = after_change(t, kind, id, (&from, to), now, Some("FORCED"));
        let object = wire(t, kind, id).unwrap_or(Value::Null);
        (tenant, webhook, now, object)
    };
    if let Some((event, data)) = webhook {
        onepay.emit(&tenant, event, &data, now);
    }
    Ok(object)
}

impl OnePay {
    /// Sends `{"event": event, "data": data}` to the tenant's webhooks that want `event`.
    pub(crate) fn emit<T: Serialize>(
        &self,
        tenant: &str,
        event: &str,
        data: &T,
        at: DateTime<Utc>,
    ) {
        let payload = WebhookPayload { event, data };
        self.engine()
            .emit_webhook(self, tenant, event, &payload, at);
    }
}
