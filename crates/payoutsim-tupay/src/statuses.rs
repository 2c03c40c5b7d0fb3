//! Statuses as data: the deposit and cashout state machines and their timings ([`machines`]),
//! the status values each list's `status` filter accepts, and the reasons a cashout shows.
//!
//! Deposits: Tupay's own set (PENDING, APPROVED, COMPLETED, CANCELLED, DECLINED) plus D24's
//! EXPIRED; the filter also takes D24's FOR_REVIEW and EARLY_RELEASED (nothing here reaches
//! them). Cashouts: D24's flow (`docs.d24.com/cashouts/status-flow`), PENDING -> DELIVERED ->
//! COMPLETED, with ON_HOLD, CANCELLED, REJECTED and DECLINED. A new pending deposit completes
//! within the hour; a cashout is delivered after an hour and completed one business day later
//! (decisions). Every delay is changeable at run time through the admin API (`…/machines`).

use payoutsim_core::machine::{Delay, StateMachine};

/// The kinds of object with a lifecycle, as the engine and the admin API name them.
pub const DEPOSIT: &str = "deposit";
pub const CASHOUT: &str = "cashout";

pub const PENDING: &str = "PENDING";
pub const APPROVED: &str = "APPROVED";
pub const COMPLETED: &str = "COMPLETED";
pub const CANCELLED: &str = "CANCELLED";
pub const DECLINED: &str = "DECLINED";
pub const EXPIRED: &str = "EXPIRED";
pub const ON_HOLD: &str = "ON_HOLD";
pub const DELIVERED: &str = "DELIVERED";
pub const REJECTED: &str = "REJECTED";

/// Seconds from PENDING to APPROVED: the payment is confirmed.
pub const APPROVE_AFTER_S: i64 = 600;
/// Seconds from APPROVED to COMPLETED: credited to the merchant's balance (an hour in all).
pub const COMPLETE_AFTER_S: i64 = 3_000;
/// Seconds from PENDING to DECLINED: the payment method refused it.
pub const DEPOSIT_DECLINE_AFTER_S: i64 = 60;
/// Seconds from PENDING to EXPIRED: the payer never paid.
pub const EXPIRE_AFTER_S: i64 = 86_400;
/// Seconds from PENDING to CANCELLED: the payer or the merchant gave it up.
pub const DEPOSIT_CANCEL_AFTER_S: i64 = 3_600;
/// Seconds from EXPIRED to CANCELLED, the history's D24 rule ("7 days after EXPIRED"). A live
/// deposit stays EXPIRED (terminal here), so no machine edge carries it.
pub const CANCEL_AFTER_EXPIRY_S: i64 = 7 * 86_400;

/// Seconds from PENDING to DELIVERED: sent to the bank.
pub const DELIVER_AFTER_S: i64 = 3_600;
/// Business days from DELIVERED to COMPLETED (or REJECTED by the beneficiary's bank).
pub const SETTLE_AFTER_BUSINESS_DAYS: u32 = 1;
/// Business days an ON_HOLD cashout waits for review before it goes on (or is cancelled).
pub const HOLD_BUSINESS_DAYS: u32 = 1;
/// Seconds from PENDING to CANCELLED: the merchant cancelled it.
pub const CASHOUT_CANCEL_AFTER_S: i64 = 1_800;
/// Seconds from PENDING to DECLINED: D24 declines a cashout at once ("never created").
pub const CASHOUT_DECLINE_AFTER_S: i64 = 5;

/// The deposit and cashout machines. Edge order matters: an object bound for COMPLETED takes
/// the first edge to a non-terminal status (APPROVED, DELIVERED).
pub fn machines() -> Vec<StateMachine> {
    let s = Delay::Seconds;
    let deposit = StateMachine::new(
        DEPOSIT,
        "",
        PENDING,
        &[COMPLETED, DECLINED, CANCELLED, EXPIRED],
    )
    .edge(PENDING, APPROVED, s(APPROVE_AFTER_S))
    .edge(APPROVED, COMPLETED, s(COMPLETE_AFTER_S))
    .edge(PENDING, DECLINED, s(DEPOSIT_DECLINE_AFTER_S))
    .edge(PENDING, CANCELLED, s(DEPOSIT_CANCEL_AFTER_S))
    .edge(PENDING, EXPIRED, s(EXPIRE_AFTER_S));
    let settle = Delay::BusinessDays(SETTLE_AFTER_BUSINESS_DAYS);
    let hold = Delay::BusinessDays(HOLD_BUSINESS_DAYS);
    let cashout = StateMachine::new(
        CASHOUT,
        "",
        PENDING,
        &[COMPLETED, REJECTED, CANCELLED, DECLINED],
    )
    .edge(PENDING, DELIVERED, s(DELIVER_AFTER_S))
    .edge(DELIVERED, COMPLETED, settle)
    .edge(DELIVERED, REJECTED, settle)
    .edge(PENDING, CANCELLED, s(CASHOUT_CANCEL_AFTER_S))
    .edge(PENDING, DECLINED, s(CASHOUT_DECLINE_AFTER_S))
    .edge(ON_HOLD, PENDING, hold)
    .edge(ON_HOLD, CANCELLED, hold);
    vec![deposit, cashout]
}

/// What `/v1/deposits?status=` accepts: every value Tupay or D24 names.
pub const DEPOSIT_FILTER: &[&str] = &[
    PENDING,
    APPROVED,
    COMPLETED,
    CANCELLED,
    DECLINED,
    EXPIRED,
    "FOR_REVIEW",
    "EARLY_RELEASED",
];

/// What `/v1/cashout?status=` accepts (seed).
pub const CASHOUT_FILTER: &[&str] = &[
    ON_HOLD, PENDING, DELIVERED, COMPLETED, REJECTED, CANCELLED, DECLINED,
];

/// Why a cancelled cashout was cancelled.
pub const MERCHANT_CANCELLED: &str = "Cancelled by the merchant";

/// The reason a cashout shows for a failure nobody gave a reason for.
pub fn default_reason(kind: &str, status: &str) -> Option<String> {
    let reason = match (kind, status) {
        (CASHOUT, REJECTED) => "Rejected by the beneficiary's bank",
        (CASHOUT, DECLINED) => "Invalid beneficiary account",
        (CASHOUT, CANCELLED) => MERCHANT_CANCELLED,
        _ => return None,
    };
    Some(reason.to_string())
}

/// Reasons the history gives its rejected and declined cashouts.
pub const REJECTIONS: &[&str] = &[
    "Rejected by the beneficiary's bank",
    "Account closed",
    "Beneficiary name does not match the account holder",
];
pub const DECLINES: &[&str] = &[
    "Invalid beneficiary account",
    "Invalid beneficiary document",
    "Amount above the beneficiary's limit",
];

#[cfg(test)]
mod tests {
    use super::*;

    fn machine(kind: &str) -> StateMachine {
        machines().into_iter().find(|m| m.kind == kind).unwrap()
    }

    fn path(m: &StateMachine, outcome: &str) -> Vec<String> {
        let mut at = m.initial.to_string();
        let mut out = vec![at.clone()];
        while let Some(e) = m.next_edge(&at, outcome) {
            at = e.to.to_string();
            out.push(at.clone());
        }
        out
    }

    #[test]
    fn a_deposit_bound_for_completed_is_approved_on_the_way_and_completes_within_the_hour() {
        let m = machine(DEPOSIT);
        assert_eq!(path(&m, COMPLETED), [PENDING, APPROVED, COMPLETED]);
        const { assert!(APPROVE_AFTER_S + COMPLETE_AFTER_S <= 3_600) };
        assert_eq!(path(&m, EXPIRED), [PENDING, EXPIRED]);
        assert_eq!(path(&m, CANCELLED), [PENDING, CANCELLED]);
    }

    #[test]
    fn a_cashout_is_delivered_then_completed_or_rejected() {
        let m = machine(CASHOUT);
        assert_eq!(path(&m, COMPLETED), [PENDING, DELIVERED, COMPLETED]);
        assert_eq!(path(&m, REJECTED), [PENDING, DELIVERED, REJECTED]);
        assert!(m.knows(ON_HOLD));
        for status in CASHOUT_FILTER {
            assert!(m.knows(status), "{status}");
        }
    }

    #[test]
    fn every_tupay_deposit_status_is_known_to_the_machine() {
        let m = machine(DEPOSIT);
        for status in &DEPOSIT_FILTER[..6] {
            assert!(m.knows(status), "{status}");
        }
    }
}
