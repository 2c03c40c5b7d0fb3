//! Payouts on the simulated clock: creation, funding, activation, timed and forced transitions,
//! and their effect on the balance.
//!
//! - [`create`]: the items of one request -> payouts and error-log entries, in request order
//! - [`activate`]: live payouts activate in creation order while the balance covers them
//!   (debiting it), test payouts at once
//! - [`apply`]: a timed transition fell due (`Provider::apply`)
//! - [`force`]: a back-office status change
//!
//! Money: a payout holds its amount while `active` or `paid` ([`debited`]); leaving those
//! statuses credits it back (and may activate waiting payouts). Test tenants keep no balance.

use chrono::{DateTime, Utc};
use payoutsim_core::admin::AdminError;
use payoutsim_core::forced::{Destiny, OutcomeSlot, destiny};
use payoutsim_core::machine::StateMachine;
use payoutsim_core::timeline::{Action, Scheduled};
use serde::Serialize;
use serde_json::{Map, Value};

use crate::OnSpot;
use crate::error::OnSpotError;
use crate::state::{
    ACTIVE, ErrorLogEntry, FAILED, PAYOUT, PENDING_FUNDING, PayoutRec, Store, TenantData, debited,
    magic_for,
};
use crate::validation::{NewPayout, validate};

/// One entry of the Create Payouts answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ItemResult {
    pub uuid: String,
    pub email: Option<String>,
    pub action: &'static str,
    pub message: String,
}

/// The reason of a failure forced without one.
pub const FORCED: &str = "FORCED";

/// Creates the payouts of one request for `tenant`, in order; items that fail validation go to
/// the error log. The first payout created takes the request's forced outcome, if any.
pub(crate) fn create(
    onspot: &OnSpot,
    tenant: &str,
    items: Vec<Map<String, Value>>,
    forced: Option<&OutcomeSlot>,
) -> Result<Vec<ItemResult>, OnSpotError> {
    let engine = onspot.engine();
    let now = engine.now_for(tenant);
    let (env, key) = crate::auth::parse_tenant(tenant)
        .ok_or_else(|| OnSpotError::Internal(format!("`{tenant}` is not a tenant name")))?;
    let machine = onspot
        .machine(env)
        .ok_or_else(|| OnSpotError::Internal(format!("no payout machine for {env:?}")))?;
    let mut store = onspot.store();
    let t = onspot.tenant_data(&mut store, env, key);
    let mut results = Vec::with_capacity(items.len());
    for (index, item) in items.into_iter().enumerate() {
        let uuid = engine.ids.uuid(tenant);
        let email = item
            .get("customerEmail")
            .and_then(Value::as_str)
            .map(str::to_string);
        match validate(&item) {
            Ok(new) => {
                let Destiny { outcome, forced_by } = decide_outcome(&machine, &new, forced);
                let lc = engine.start_lifecycle_forced(
                    "onspot",
                    tenant,
                    &machine,
                    &uuid,
                    outcome,
                    forced_by.as_deref(),
                    now,
                );
                t.push_payout(PayoutRec {
                    uuid: uuid.clone(),
                    item: new,
                    created_at: now,
                    updated_at: now,
                    forced_by,
                    lc,
                });
                results.push(ItemResult {
                    uuid,
                    email,
                    action: "success",
                    message: "created successfully".into(),
                });
            }
            Err(errors) => {
                let message = errors.join(", ");
                t.error_log.push(ErrorLogEntry {
                    uuid: uuid.clone(),
                    at: now,
                    index,
                    item: Value::Object(item),
                    message: message.clone(),
                    errors,
                });
                results.push(ItemResult {
                    uuid,
                    email,
                    action: "error",
                    message,
                });
            }
        }
    }
    activate(onspot, tenant, t, &machine, now);
    Ok(results)
}

/// The outcome a new payout is destined for (`None`: success), and the fault rule behind it: a
/// forced outcome first (taken once per request), then a magic value.
fn decide_outcome(
    machine: &StateMachine,
    new: &NewPayout,
    forced: Option<&OutcomeSlot>,
) -> Destiny {
    let forced = forced.and_then(OutcomeSlot::take);
    let magic = magic_for(&new.document_number, new.amount_cents);
    destiny(machine, forced, magic, |status| {
        (status == FAILED).then(|| FORCED.into())
    })
}

/// Moves `rec` along `from -> to` now, through the engine (journaled with the timeline's
/// transitions), and schedules its next timed edge.
fn step(
    onspot: &OnSpot,
    tenant: &str,
    machine: &StateMachine,
    rec: &mut PayoutRec,
    to: &str,
    at: DateTime<Utc>,
) {
    let due = Scheduled {
        seq: 0,
        due: at,
        provider: "onspot".into(),
        tenant: tenant.into(),
        action: Action::Transition {
            kind: PAYOUT.into(),
            object_id: rec.uuid.clone(),
            from: rec.lc.status.clone(),
            to: to.into(),
        },
    };
    if onspot
        .engine()
        .step_lifecycle(&mut rec.lc, machine, &due)
        .is_some()
    {
        rec.updated_at = at;
    }
}

/// Activates waiting payouts: all at once in test; in live, in creation order while the
/// available balance covers the next one (a payout too large waits, and so do those after it).
pub(crate) fn activate(
    onspot: &OnSpot,
    tenant: &str,
    t: &mut TenantData,
    machine: &StateMachine,
    at: DateTime<Utc>,
) -> Vec<String> {
    let live = t.is_live();
    let mut available = t.available;
    let mut activated = Vec::new();
    for rec in t
        .payouts
        .iter_mut()
        .filter(|p| p.lc.status == PENDING_FUNDING)
    {
        if live {
            if rec.item.amount_cents > available {
                break;
            }
            available -= rec.item.amount_cents;
        }
        step(onspot, tenant, machine, rec, ACTIVE, at);
        activated.push(rec.uuid.clone());
    }
    t.available = available;
    activated
}

/// The balance effect of a payout of `amount` moving `from -> to` (live only): leaving the
/// debited statuses credits, entering them debits.
fn money(t: &mut TenantData, amount: i64, from: &str, to: &str) {
    if !t.is_live() {
        return;
    }
    match (debited(from), debited(to)) {
        (true, false) => t.available += amount,
        (false, true) => t.available -= amount,
        _ => {}
    }
}

/// A timed transition fell due.
pub(crate) fn apply(onspot: &OnSpot, due: &Scheduled) {
    let Action::Transition { object_id, .. } = &due.action else {
        return;
    };
    let mut store = onspot.store();
    let Some(t) = store.tenants.get_mut(&due.tenant) else {
        return;
    };
    let Some(machine) = onspot.machine(t.environment) else {
        return;
    };
    let Some(rec) = t.payout_mut(object_id) else {
        return;
    };
    let amount = rec.item.amount_cents;
    let Some((from, to, at)) = onspot.engine().step_lifecycle(&mut rec.lc, &machine, due) else {
        return;
    };
    rec.updated_at = at;
    money(t, amount, &from, &to);
    if debited(&from) && !debited(&to) {
        activate(onspot, &due.tenant, t, &machine, at);
    }
}

/// A back-office status change of payout `uuid`, in whichever tenant has it: any status the
/// machine knows, with its balance effect (409 when entering `active`/`paid` needs more than
/// the live balance holds). Returns `(tenant, payouts activated by a credit)`.
pub(crate) fn force(
    onspot: &OnSpot,
    uuid: &str,
    to: &str,
    reason: Option<String>,
) -> Result<(String, Vec<String>), AdminError> {
    let engine = onspot.engine();
    let mut store = onspot.store();
    let Store { tenants, .. } = &mut *store;
    let (tenant, t) = tenants
        .iter_mut()
        .find(|(_, t)| t.has_payout(uuid))
        .ok_or_else(|| AdminError::not_found(format!("no payout `{uuid}`")))?;
    let tenant = tenant.clone();
    let now = engine.now_for(&tenant);
    let machine = onspot
        .machine(t.environment)
        .ok_or_else(|| AdminError::bad_request("no payout machine"))?;
    let (live, available) = (t.is_live(), t.available);
    let rec = t
        .payout_mut(uuid)
        .ok_or_else(|| AdminError::not_found(format!("no payout `{uuid}`")))?;
    let amount = rec.item.amount_cents;
    if live && !debited(&rec.lc.status) && debited(to) && amount > available {
        return Err(AdminError(
            http::StatusCode::CONFLICT,
            format!(
                "`{to}` takes the payout's amount from the balance, and the balance is too low"
            ),
        ));
    }
    if machine.is_terminal(&rec.lc.status) && machine.knows(to) && !machine.is_terminal(to) {
        // Back on the way: towards success unless told otherwise.
        rec.lc.outcome = machine.success().to_string();
        rec.lc.reason = None;
    }
    let from = engine
        .force_lifecycle("onspot", &tenant, &machine, uuid, &mut rec.lc, to, now)
        .map_err(AdminError::bad_request)?;
    rec.updated_at = now;
    if to == FAILED {
        rec.lc.reason = reason.or_else(|| Some(FORCED.into()));
    }
    money(t, amount, &from, to);
    // A payout parked in `pending_funding` waits for the next transfer or creation.
    let activated = if to == PENDING_FUNDING {
        Vec::new()
    } else {
        activate(onspot, &tenant, t, &machine, now)
    };
    Ok((tenant, activated))
}
