//! Order status changes and their side effects, whether the timeline or the back office caused
//! them.
//!
//! - [`decide_outcome`]: where a new order is destined (forced outcome, magic value, success)
//! - [`apply`]: a timed transition fell due (`Provider::apply`)
//! - [`force`]: a back-office status change
//! - side effects, the same for both: `uptadedAt`, the type-1 operation's status, and on
//!   `returned` the amount credited back with a type-2 operation (`DEVOLUCIÓN SPEI`); leaving
//!   `returned` debits it again.

use chrono::{DateTime, Utc};
use payoutsim_core::admin::AdminError;
use payoutsim_core::forced::{Destiny, ForcedOutcome, destiny};
use payoutsim_core::machine::StateMachine;
use payoutsim_core::timeline::{Action, Scheduled};
use serde_json::Value;

use crate::Kashpay;
use crate::catalog::{self, ORDER, SPEI_OUT, SPEI_RETURN, magic_for, reason_text, wire_status};
use crate::state::{EntityData, OperationRec};

/// The reason of a return when none was given (back office, or a rule without `reason`).
pub const DEFAULT_RETURN_REASON: &str = "DEVOLUCION";

/// The status (and reason) a new order is destined for (`None` is success, `settled`), and the
/// fault rule that forced it, if one did.
///
/// DESIGN.md's order: (1) a forced outcome from a fault rule, if it names a status of the
/// machine; (2) a magic value of [`catalog::MAGIC`]; (3) success.
pub(crate) fn decide_outcome(
    forced: Option<ForcedOutcome>,
    machine: &StateMachine,
    account: &str,
    amount: i64,
) -> Destiny {
    destiny(machine, forced, magic_for(account, amount), |status| {
        (status == "returned").then(|| DEFAULT_RETURN_REASON.to_string())
    })
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
        order.concept.clone()
    };
    t.record(OperationRec {
        id: 0,
        kind,
        status: wire_status(to),
        amount,
        initial_balance: initial,
        final_balance: t.balance,
        order_id: Some(order.id.clone()),
        alphanumeric_reference: Some(order.alphanumeric_reference.clone()),
        numeric_reference: Some(order.numeric_reference.to_string()),
        transaction_id: Some(order.reference_created_payment.clone()),
        response_code: response,
        observation: Some(observation),
        target_name: Some(order.beneficiary_name.clone()),
        target_id: Some(order.account.clone()),
        target_id_code: crate::clabe::bank(&order.bank_code).map(|b| b.institution.to_string()),
        target_email: order.beneficiary_email.clone(),
        created_at: at,
        updated_at: at,
    });
}

/// A timed transition fell due.
pub(crate) fn apply(kashpay: &Kashpay, due: &Scheduled) {
    let Action::Transition {
        kind, object_id, ..
    } = &due.action
    else {
        return;
    };
    if kind != ORDER {
        return;
    }
    let mut store = kashpay.store();
    let Some(t) = store.entities.get_mut(&due.tenant) else {
        return;
    };
    let Some(order) = t.order_mut(object_id) else {
        return;
    };
    let Some(machine) = kashpay.machine(ORDER, &order.lc.variant) else {
        return;
    };
    let engine = kashpay.engine();
    if let Some((from, to, at)) = engine.step_lifecycle(&mut order.lc, &machine, due) {
        after_change(t, object_id, (&from, &to), at);
    }
}

/// A back-office status change of order `id` (of `tenant`, or whichever entity has it) to `to`
/// (a status name or its wire number). Returns the order as searchReference shows it.
pub(crate) fn force(
    kashpay: &Kashpay,
    tenant: Option<&str>,
    id: &str,
    to: &str,
) -> Result<Value, AdminError> {
    let to = catalog::status_named(to).ok_or_else(|| {
        AdminError::bad_request(format!(
            "`{to}` is not an order status (accepted/25, settled/26, returned/27)"
        ))
    })?;
    let engine = kashpay.engine();
    let mut store = kashpay.store();
    let holders: Vec<String> = (store.entities.iter())
        .filter(|(name, t)| tenant.is_none_or(|w| w == *name) && t.order(id).is_some())
        .map(|(name, _)| name.clone())
        .collect();
    let name = match holders.as_slice() {
        [one] => one.clone(),
        [] => return Err(AdminError::not_found(format!("no order `{id}`"))),
        _ => {
            return Err(AdminError(
                http::StatusCode::CONFLICT,
                format!(
                    "order `{id}` exists for several entities ({}): give `tenant`",
                    holders.join(", ")
                ),
            ));
        }
    };
    let t = (store.entities.get_mut(&name)).ok_or_else(|| AdminError::not_found(name.clone()))?;
    let balance = t.balance;
    let order = t
        .order_mut(id)
        .ok_or_else(|| AdminError::not_found(id.to_string()))?;
    let machine = (kashpay.machine(ORDER, &order.lc.variant))
        .ok_or_else(|| AdminError::bad_request("no order machine"))?;
    if order.lc.status == "returned" && to != "returned" && order.amount > balance {
        return Err(AdminError(
            http::StatusCode::CONFLICT,
            format!("leaving `returned` debits order `{id}` again, and the balance is too low"),
        ));
    }
    if machine.is_terminal(&order.lc.status) && !machine.is_terminal(to) {
        // Back on the way: towards success.
        order.lc.outcome = machine.success().to_string();
        order.lc.reason = None;
    }
    if to == "returned" && order.lc.reason.is_none() {
        order.lc.reason = Some(DEFAULT_RETURN_REASON.into());
    }
    let now = engine.now_for(&name);
    let from = engine
        .force_lifecycle("kashpay", &name, &machine, id, &mut order.lc, to, now)
        .map_err(AdminError::bad_request)?;
    after_change(t, id, (&from, to), now);
    let detail = t.order(id).map(|o| o.detail());
    Ok(serde_json::to_value(detail).unwrap_or(Value::Null))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn machine() -> StateMachine {
        catalog::machines().remove(0)
    }

    #[test]
    fn a_forced_outcome_wins_over_a_magic_value() {
        let forced = ForcedOutcome {
            status: "settled".into(),
            reason: None,
            rule: "r".into(),
        };
        let outcome = decide_outcome(Some(forced), &machine(), "646180000000000012", 100);
        assert_eq!(outcome.outcome, Some(("settled".into(), None)));
        assert_eq!(outcome.forced_by.as_deref(), Some("r"));
    }

    #[test]
    fn a_forced_return_without_reason_gets_the_default_reason() {
        let forced = ForcedOutcome {
            status: "returned".into(),
            reason: None,
            rule: "r".into(),
        };
        let outcome = decide_outcome(Some(forced), &machine(), "002028650641359744", 100);
        let expected = Some(("returned".into(), Some(DEFAULT_RETURN_REASON.into())));
        assert_eq!(
            (outcome.outcome, outcome.forced_by),
            (expected, Some("r".into()))
        );
    }

    #[test]
    fn an_unknown_forced_status_falls_back_to_magic_values() {
        let forced = ForcedOutcome {
            status: "failed".into(),
            reason: None,
            rule: "r".into(),
        };
        let outcome = decide_outcome(Some(forced), &machine(), "646180000000000012", 100);
        let expected = Some(("returned".into(), Some("CUENTA_INEXISTENTE".into())));
        assert_eq!((outcome.outcome, outcome.forced_by), (expected, None));
        let plain = decide_outcome(None, &machine(), "002028650641359744", 100);
        assert_eq!(plain, Destiny::default());
    }
}
