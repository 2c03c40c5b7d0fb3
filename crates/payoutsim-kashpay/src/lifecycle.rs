//! What an order's status change does, whether the timeline or the back office caused it (the
//! kit drives both and calls [`on_transition`] once for each), and when the back office may not
//! make one ([`check_move`]).
//!
//! - side effects: `uptadedAt`, the type-1 operation's status, and on `returned` the amount
//!   credited back with a type-2 operation (`DEVOLUCIÓN SPEI`); leaving `returned` debits it
//!   again with a type-1 operation
//! - [`check_move`]: leaving `returned` needs the balance to cover that debit
//! - [`DEFAULT_RETURN_REASON`]: a return's reason when none was given (`Spec::default_reason`)

use chrono::{DateTime, Utc};
use payoutsim_core::Transition;
use payoutsim_core::error::AdminError;

use crate::catalog::{ORDER, SPEI_OUT, SPEI_RETURN, reason_text, wire_status};
use crate::state::{EntityData, OperationRec, Store};

/// The reason of a return when none was given (back office, or a rule without `reason`).
pub const DEFAULT_RETURN_REASON: &str = "DEVOLUCION";

/// An order of the store moved: apply its side effects.
pub(crate) fn on_transition(store: &mut Store, change: &Transition) {
    if change.kind != ORDER {
        return;
    }
    if let Some(t) = store.entities.get_mut(&change.tenant) {
        let statuses = (change.from(), change.to.as_str());
        after_change(t, &change.object_id, statuses, change.at);
    }
}

/// Whether the back office may make `change`: leaving `returned` debits the order again, and
/// the entity's balance must cover it (409 otherwise).
pub(crate) fn check_move(store: &Store, change: &Transition) -> Result<(), AdminError> {
    let Some(t) = store.entities.get(&change.tenant) else {
        return Ok(());
    };
    let Some(order) = t.order(&change.object_id) else {
        return Ok(());
    };
    if change.from() == "returned" && change.to != "returned" && order.amount > t.balance {
        return Err(AdminError::conflict(format!(
            "leaving `returned` debits order `{}` again, and the balance is too low",
            change.object_id
        )));
    }
    Ok(())
}

/// Side effects of order `id` moving `from` -> `to` at `at`.
fn after_change(t: &mut EntityData, id: &str, (from, to): (&str, &str), at: DateTime<Utc>) {
    let Some(order) = t.order_mut(id) else { return };
    order.updated_at = at;
    let (amount, operation_id) = (order.amount, order.operation_id);
    let reason = order
        .lc
        .reason
        .clone()
        .unwrap_or_else(|| DEFAULT_RETURN_REASON.into());
    let order = order.clone();
    if let Some(op) = t.operation_mut(operation_id) {
        op.status = wire_status(to);
        op.updated_at = at;
    }
    if from == to {
        return;
    }
    let (kind, delta, response) = match (from, to) {
        (f, "returned") if f != "returned" => (SPEI_RETURN, amount, Some(reason.clone())),
        ("returned", _) => (SPEI_OUT, -amount, None),
        _ => return,
    };
    let initial = t.balance;
    t.balance += delta;
    let observation = if kind == SPEI_RETURN {
        reason_text(&reason).to_string()
    } else {
        order.concept.to_string()
    };
    t.record(OperationRec {
        id: 0,
        kind,
        status: wire_status(to),
        amount,
        initial_balance: initial,
        final_balance: t.balance,
        order_id: Some(order.id),
        response_code: response.map(Into::into),
        observation: Some(observation.into()),
        own: None,
        created_at: at,
        updated_at: at,
    });
}

#[cfg(test)]
mod tests {
    use payoutsim_core::forced::{Destiny, ForcedOutcome};
    use payoutsim_core::{Engine, EngineConfig};

    use super::*;
    use crate::catalog::{SPEI, magic_for};
    use crate::{Kashpay, KashpayConfig};

    /// Where the kit destines a new order to `account` of `amount` centavos, with Kashpay's
    /// default reasons.
    fn decide(forced: Option<ForcedOutcome>, account: &str, amount: i64) -> Destiny {
        let kashpay = Kashpay::new(
            Engine::new(EngineConfig::default()),
            KashpayConfig::default(),
        );
        let machine = kashpay.machine(ORDER, SPEI).unwrap();
        kashpay.decide(&machine, forced, magic_for(account, amount))
    }

    fn forced(status: &str) -> ForcedOutcome {
        ForcedOutcome {
            status: status.into(),
            reason: None,
            rule: "r".into(),
        }
    }

    #[test]
    fn a_forced_outcome_wins_over_a_magic_value() {
        let outcome = decide(Some(forced("settled")), "646180000000000012", 100);
        assert_eq!(outcome.outcome, Some(("settled".into(), None)));
        assert_eq!(outcome.forced_by.as_deref(), Some("r"));
    }

    #[test]
    fn a_forced_return_without_reason_gets_the_default_reason() {
        let outcome = decide(Some(forced("returned")), "002028650641359744", 100);
        let expected = Some(("returned".into(), Some(DEFAULT_RETURN_REASON.into())));
        assert_eq!(
            (outcome.outcome, outcome.forced_by),
            (expected, Some("r".into()))
        );
    }

    #[test]
    fn an_unknown_forced_status_falls_back_to_magic_values() {
        let outcome = decide(Some(forced("failed")), "646180000000000012", 100);
        let expected = Some(("returned".into(), Some("CUENTA_INEXISTENTE".into())));
        assert_eq!((outcome.outcome, outcome.forced_by), (expected, None));
        let plain = decide(None, "002028650641359744", 100);
        assert_eq!(plain, Destiny::default());
    }
}
