//! What a status change does, whether the timeline, a fault rule or the back office caused it
//! (the kit drives them all and calls [`on_transition`] once for each), and when the back office
//! may not make one ([`check_move`]).
//!
//! - payouts: `failed`, `canceled` and `reversed` give the money back to the wallet it came
//!   from (the app's for `fund: true`, else the user's); `completed` counts it as paid out;
//!   leaving a refunded status debits it again. Events: `transfer.updated` on every change,
//!   `transfer.completed` / `transfer.failed` on those.
//! - payout links: `canceled`, `expired`, `failed`, `reversed` give the held money back to the
//!   app wallet; `claimed` pays it out. Events: `payout_link.updated` on every change, and
//!   `payout_link.sent` / `payout_link.claimed` on those.
//! - payout batches: `processing` checks each item, `paying_out` pays the good ones out in
//!   order (see `batches.rs`).

use payoutsim_core::Transition;
use payoutsim_core::error::AdminError;
use payoutsim_core::kit::Event;

use crate::Dots;
use crate::state::{AppData, LINK_REFUNDED, PAYOUT_BATCH, PAYOUT_LINK, REFUNDED, Store, TRANSFER};
use crate::webhooks;

/// An object of the store moved: apply its side effects, return its events.
pub(crate) fn on_transition(dots: &Dots, store: &mut Store, change: &Transition) -> Vec<Event> {
    let Some(app) = store.apps.get_mut(&change.tenant) else {
        return Vec::new();
    };
    match change.kind.as_str() {
        TRANSFER => payout_moved(app, change),
        PAYOUT_LINK => link_moved(app, change),
        PAYOUT_BATCH => crate::batches::batch_moved(dots, &change.tenant, app, change),
        _ => Vec::new(),
    }
}

/// Whether the back office may make `change`: leaving a refunded status debits the payout or
/// link again, and its wallet must cover that (409 otherwise).
pub(crate) fn check_move(store: &Store, change: &Transition) -> Result<(), AdminError> {
    let Some(app) = store.apps.get(&change.tenant) else {
        return Ok(());
    };
    let (from, to) = (change.from(), change.to.as_str());
    let (amount, available, wallet) = match change.kind.as_str() {
        TRANSFER => {
            let Some(t) = app.transfers.get(&change.object_id) else {
                return Ok(());
            };
            if !t.refunded || REFUNDED.contains(&to) {
                return Ok(());
            }
            let available = if t.fund {
                app.wallet
            } else {
                app.users.get_uid(&t.user_id).map_or(0, |u| u.wallet)
            };
            (t.amount, available, if t.fund { "app" } else { "user" })
        }
        PAYOUT_LINK => {
            let Some(l) = app.links.get(&change.object_id) else {
                return Ok(());
            };
            if !l.refunded || LINK_REFUNDED.contains(&to) {
                return Ok(());
            }
            (l.amount, app.wallet, "app")
        }
        _ => return Ok(()),
    };
    if amount > available {
        return Err(AdminError::conflict(format!(
            "leaving `{from}` debits `{}` again ({amount} cents) and the {wallet} wallet holds {available}",
            change.object_id
        )));
    }
    Ok(())
}

/// Payout `change.object_id` moved.
fn payout_moved(app: &mut AppData, change: &Transition) -> Vec<Event> {
    let to = change.to.as_str();
    let Some(t) = app.transfers.get_mut(&change.object_id) else {
        return Vec::new();
    };
    let (amount, fund, user_id) = (t.amount, t.fund, t.user_id);
    let was_completed = change.from() == "completed";
    let refund = REFUNDED.contains(&to) && !t.refunded;
    let debit = !REFUNDED.contains(&to) && t.refunded;
    t.refunded = REFUNDED.contains(&to);
    if was_completed && to != "completed" {
        app.money_out -= amount;
    }
    if to == "completed" && !was_completed {
        app.money_out += amount;
    }
    let delta = match (refund, debit) {
        (true, _) => amount,
        (_, true) => -amount,
        _ => 0,
    };
    if fund {
        app.wallet += delta;
    } else if let Some(u) = app.users.get_uid_mut(&user_id) {
        u.wallet += delta;
    }
    webhooks::transfer_events(app, &change.object_id, to)
}

/// Payout link `change.object_id` moved.
fn link_moved(app: &mut AppData, change: &Transition) -> Vec<Event> {
    let to = change.to.as_str();
    let Some(l) = app.links.get_mut(&change.object_id) else {
        return Vec::new();
    };
    let amount = l.amount;
    let was_claimed = change.from() == "claimed";
    let refund = l.funded && LINK_REFUNDED.contains(&to) && !l.refunded;
    let debit = l.funded && !LINK_REFUNDED.contains(&to) && l.refunded;
    l.refunded = l.funded && LINK_REFUNDED.contains(&to);
    if to == "claimed" && !was_claimed {
        app.money_out += amount;
    }
    if was_claimed && to != "claimed" {
        app.money_out -= amount;
    }
    if refund {
        app.wallet += amount;
    }
    if debit {
        app.wallet -= amount;
    }
    webhooks::link_events(app, &change.object_id, to)
}
