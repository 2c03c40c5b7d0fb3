//! Payouts on the simulated clock: creation, activation, and what a status change does to the
//! balance. The kit applies timed edges and back-office moves; OnSpot's side of each is here.
//!
//! - [`create`]: the items of one request -> payouts and error-log entries, in request order
//! - [`activate`]: live payouts activate in creation order while the balance covers them, test
//!   payouts at once (OnSpot's own rule, logged as `timeline` transitions)
//! - [`on_transition`]: a payout changed status (timed, activated, or by the back office)
//! - [`check_move`]: whether the back office may move a payout (the balance must cover it)
//!
//! Money: a payout holds its amount while `active` or `paid` ([`debited`]); leaving those
//! statuses credits it back (and may activate waiting payouts). Test tenants keep no balance.

use chrono::{DateTime, Utc};
use payoutsim_core::admin::AdminError;
use payoutsim_core::forced::Forced;
use payoutsim_core::kit::Event;
use payoutsim_core::{Cause, Transition};
use serde_json::{Map, Value};

use crate::OnSpot;
use crate::error::OnSpotError;
use crate::state::{
    ACTIVE, ErrorLogEntry, PAYOUT, PENDING_FUNDING, PayoutRec, Store, TenantData, debited,
    magic_for,
};
use crate::validation::validate;

pub use crate::model::ItemResult;

/// The reason of a failure forced without one.
pub const FORCED: &str = "FORCED";

/// Creates the payouts of one request for `tenant`, in order; items that fail validation go to
/// the error log. The first payout created takes the request's forced outcome, if any.
pub(crate) fn create(
    onspot: &OnSpot,
    tenant: &str,
    items: Vec<Map<String, Value>>,
    forced: &Forced,
) -> Result<Vec<ItemResult>, OnSpotError> {
    let engine = onspot.engine();
    let now = engine.now_for(tenant);
    let (env, key) = crate::auth::parse_tenant(tenant)
        .ok_or_else(|| OnSpotError::Internal(format!("`{tenant}` is not a tenant name")))?;
    let machine = onspot
        .machine(PAYOUT, env.as_str())
        .ok_or_else(|| OnSpotError::Internal(format!("no payout machine for {env:?}")))?;
    let mut store = onspot.store();
    let t = store.tenant(engine.ids(), env, key);
    // Room for every item, before any is made (an invalid one included: it is not known yet).
    onspot.make_room(tenant, t, items.len())?;
    // Compute, then commit: every item's payout (its lifecycle started) or error-log entry is
    // made first, then all are stored at once, so a request never leaves half its items behind.
    let mut payouts = Vec::new();
    let mut refused = Vec::new();
    let mut results = Vec::with_capacity(items.len());
    for (index, item) in items.into_iter().enumerate() {
        let uid = engine.ids().uid(tenant);
        let uuid = uid.to_string();
        let email = item
            .get("customerEmail")
            .and_then(Value::as_str)
            .map(str::to_string);
        match validate(&item) {
            Ok(new) => {
                let magic = magic_for(&new.document_number, new.amount_cents);
                let destiny = onspot.decide(&machine, forced.take(), magic);
                let forced_by = destiny.forced_by.clone().map(String::into_boxed_str);
                let lc = onspot.start(tenant, &machine, &uuid, destiny, now);
                payouts.push(PayoutRec {
                    uuid: uid,
                    item: new,
                    created_at: now,
                    updated_at: now,
                    forced_by,
                    lc,
                    seq: 0,
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
                let (item, truncated) = crate::state::excerpt(&item);
                refused.push(ErrorLogEntry {
                    uuid: uuid.clone(),
                    at: now,
                    index,
                    item,
                    truncated,
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
    payouts.into_iter().for_each(|p| t.push_payout(p));
    t.log_errors(refused, onspot.config().error_log_cap);
    let (_, events) = activate(onspot, &mut store, tenant, now);
    drop(store);
    onspot.emit(tenant, events, now);
    Ok(results)
}

/// Activates `tenant`'s waiting payouts: all at once in test; in live, in creation order while
/// the available balance covers the next one (a payout too large waits, and so do those after
/// it). Each is moved by the kit under the lock held (`timeline` in the transitions log), its
/// debit booked by [`on_transition`]. Returns the payouts activated and the events to emit.
pub(crate) fn activate(
    onspot: &OnSpot,
    store: &mut Store,
    tenant: &str,
    at: DateTime<Utc>,
) -> (Vec<String>, Vec<Event>) {
    let Some(t) = store.tenants.get(tenant) else {
        return Default::default();
    };
    let live = t.is_live();
    let mut activated = Vec::new();
    let mut events = Vec::new();
    // The waiting payouts oldest first, one at a time: each move may change the balance.
    while let Some(t) = store.tenants.get_mut(tenant) {
        let Some((seq, uuid)) = t.first_waiting().map(|(s, u)| (s, u.to_string())) else {
            break;
        };
        let Some(amount) = (t.payout(&uuid))
            .filter(|p| p.lc.status == PENDING_FUNDING)
            .map(|p| p.item.amount_cents)
        else {
            t.stop_waiting(seq);
            continue;
        };
        if live && amount > t.available {
            break;
        }
        let key = (tenant, PAYOUT, uuid.as_str());
        match onspot.move_locked(store, key, ACTIVE, at, Cause::Timeline) {
            Ok(more) => events.extend(more),
            Err(e) => {
                tracing::error!(%tenant, %uuid, error = %e, "onspot: a payout did not activate");
                break;
            }
        }
        if let Some(t) = store.tenants.get_mut(tenant) {
            t.stop_waiting(seq);
        }
        activated.push(uuid);
    }
    (activated, events)
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

/// A payout changed status: its `updated_at`, its balance effect, and the activation that may
/// follow. A credit back from the timeline (a payout failed) activates what it now covers; a
/// back-office move re-runs activation unless it parks the payout in `pending_funding` (it
/// waits for the next transfer or creation), and records what it activated for its answer.
/// OnSpot sends no webhooks: the events are those of the kit's moves, none.
pub(crate) fn on_transition(onspot: &OnSpot, store: &mut Store, change: &Transition) -> Vec<Event> {
    let (tenant, at) = (change.tenant.as_str(), change.at);
    let Some(t) = store.tenants.get_mut(tenant) else {
        return Vec::new();
    };
    let Some(rec) = t.payout_mut(&change.object_id) else {
        return Vec::new();
    };
    rec.updated_at = at;
    let (amount, seq) = (rec.item.amount_cents, rec.seq);
    t.moved(seq, &change.object_id, change.from(), &change.to);
    money(t, amount, change.from(), &change.to);
    let reactivates = match change.cause {
        Cause::Admin => change.to != PENDING_FUNDING,
        Cause::Timeline | Cause::Created => debited(change.from()) && !debited(&change.to),
    };
    let (activated, events) = if reactivates {
        activate(onspot, store, tenant, at)
    } else {
        Default::default()
    };
    if change.cause == Cause::Admin
        && let Some(t) = store.tenants.get_mut(tenant)
    {
        t.activated = activated;
    }
    events
}

/// Whether the back office may move a payout as `change` says: entering `active`/`paid` takes
/// the payout's amount from a live balance, which must cover it (409 otherwise).
pub(crate) fn check_move(store: &Store, change: &Transition) -> Result<(), AdminError> {
    let Some(t) = store.tenants.get(&change.tenant) else {
        return Ok(());
    };
    let Some(rec) = t.payout(&change.object_id) else {
        return Ok(());
    };
    let takes = !debited(change.from()) && debited(&change.to);
    if t.is_live() && takes && rec.item.amount_cents > t.available {
        return Err(AdminError::conflict(format!(
            "`{}` takes the payout's amount from the balance, and the balance is too low",
            change.to
        )));
    }
    Ok(())
}
