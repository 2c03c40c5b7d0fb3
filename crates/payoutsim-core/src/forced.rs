//! The seam through which a fault rule forces the terminal outcome of a payout.
//!
//! DESIGN.md decides a new payout's terminal status in this order: (1) a forced outcome from a
//! fault rule, (2) a documented magic value in the request, (3) the provider's default (success).
//! The fault layer (payoutsim-faults) handles (1) without knowing any provider: when an `outcome`
//! rule matches a request, it puts an [`OutcomeSlot`] holding the [`ForcedOutcome`] into the
//! request's extensions. The provider, when that request creates a payout, [`OutcomeSlot::take`]s
//! it, so the first payout the request creates gets it and no other (a batch of three
//! payouts forces only the first). A request that creates nothing leaves it untaken.
//!
//! - [`Forced`]: the extractor a handler takes the request's slot with (never rejects)
//! - [`Magic`]: a provider's magic value (a request value that decides the outcome), as data
//! - [`Destiny`] and [`destiny`]: the three-step decision, the same for every provider

use std::sync::{Arc, Mutex};

use crate::machine::StateMachine;

/// A terminal status (one of the provider's machine's terminal statuses) and the provider's
/// reason for it, e.g. `failed` with `ACCOUNT_CLOSED`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ForcedOutcome {
    pub status: String,
    pub reason: Option<String>,
    /// The id of the fault rule that forced it, for the journal and the transitions log.
    pub rule: String,
}

/// A request extension: at most one forced outcome, taken by the first payout created.
#[derive(Clone, Debug, Default)]
pub struct OutcomeSlot(Arc<Mutex<Option<ForcedOutcome>>>);

impl OutcomeSlot {
    pub fn new(outcome: ForcedOutcome) -> Self {
        Self(Arc::new(Mutex::new(Some(outcome))))
    }

    /// The forced outcome, once: later calls get `None`.
    pub fn take(&self) -> Option<ForcedOutcome> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).take()
    }

    /// The forced outcome still in the slot, left there (`--data-dir` records it with the
    /// request, to replay it).
    pub fn peek(&self) -> Option<ForcedOutcome> {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Whether it has been taken (a payout was created under it).
    pub fn is_taken(&self) -> bool {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).is_none()
    }

    /// The slot of a request, if a fault rule put one there.
    pub fn of(extensions: &http::Extensions) -> Option<&Self> {
        extensions.get::<Self>()
    }
}

/// The request's forced outcome slot, if a fault rule put one there: the one way a handler
/// reads it. Never rejects.
#[derive(Clone, Debug, Default)]
pub struct Forced(pub Option<OutcomeSlot>);

impl Forced {
    /// The forced outcome, once per request (the first payout created takes it).
    pub fn take(&self) -> Option<ForcedOutcome> {
        self.0.as_ref().and_then(OutcomeSlot::take)
    }
}

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for Forced {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut http::request::Parts,
        _state: &S,
    ) -> Result<Self, Self::Rejection> {
        Ok(Self(OutcomeSlot::of(&parts.extensions).cloned()))
    }
}

/// A magic value of a provider's: requests whose `trigger` matches are destined for `outcome`
/// (a non-terminal status: the payout stays there, stuck) with `reason`. The provider's README
/// lists them; `T` is what the provider matches on (an account number, an amount, …).
#[derive(Clone, Copy, Debug)]
pub struct Magic<T> {
    pub trigger: T,
    pub outcome: &'static str,
    /// The provider's reason code (empty when there is none, e.g. a stuck payout).
    pub reason: &'static str,
    pub description: &'static str,
}

/// Where a new payout is headed: its outcome (`None`: the machine's success) and reason, and the
/// fault rule that forced it, if one did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Destiny {
    pub outcome: Option<(String, Option<String>)>,
    pub forced_by: Option<String>,
}

/// DESIGN.md's order for a new payout: (1) the forced outcome taken from `forced`, when it names
/// a status of `machine` (its reason, else `default_reason` of that status); (2) `magic`, the
/// provider's magic value matched by the request; (3) success.
pub fn destiny<T>(
    machine: &StateMachine,
    forced: Option<ForcedOutcome>,
    magic: Option<&Magic<T>>,
    default_reason: impl Fn(&str) -> Option<String>,
) -> Destiny {
    if let Some(f) = forced {
        if machine.knows(&f.status) {
            let reason = f.reason.or_else(|| default_reason(&f.status));
            return Destiny {
                outcome: Some((f.status, reason)),
                forced_by: Some(f.rule),
            };
        }
        tracing::warn!(status = %f.status, rule = %f.rule, kind = %machine.kind, "forced outcome names no status of the machine; ignored");
    }
    let outcome = magic.map(|m| {
        let reason = (!m.reason.is_empty()).then(|| m.reason.to_string());
        (m.outcome.to_string(), reason)
    });
    Destiny {
        outcome,
        forced_by: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::machine::Delay;

    fn machine() -> StateMachine {
        StateMachine::new("payout", "", "pending", &["paid", "failed"])
            .edge("pending", "paid", Delay::Seconds(1))
            .edge("pending", "failed", Delay::Seconds(1))
    }

    fn forced(status: &str, reason: Option<&str>) -> ForcedOutcome {
        ForcedOutcome {
            status: status.into(),
            reason: reason.map(str::to_string),
            rule: "r1".into(),
        }
    }

    const STUCK: Magic<&str> = Magic {
        trigger: "111",
        outcome: "pending",
        reason: "",
        description: "stays pending",
    };

    const REJECTED: Magic<&str> = Magic {
        trigger: "666",
        outcome: "failed",
        reason: "BANK_REJECTED",
        description: "the bank says no",
    };

    fn no_default(_: &str) -> Option<String> {
        None
    }

    #[test]
    fn a_forced_outcome_wins_over_a_magic_value_and_names_its_rule() {
        let d = destiny(
            &machine(),
            Some(forced("failed", Some("X"))),
            Some(&STUCK),
            no_default,
        );
        assert_eq!(d.outcome, Some(("failed".into(), Some("X".into()))));
        assert_eq!(d.forced_by.as_deref(), Some("r1"));
    }

    #[test]
    fn a_forced_outcome_without_a_reason_gets_the_providers_default() {
        let d = destiny(
            &machine(),
            Some(forced("failed", None)),
            None::<&Magic<&str>>,
            |s| (s == "failed").then(|| "FORCED".to_string()),
        );
        assert_eq!(d.outcome, Some(("failed".into(), Some("FORCED".into()))));
    }

    #[test]
    fn a_forced_status_the_machine_does_not_know_falls_back_to_the_magic_value() {
        let d = destiny(
            &machine(),
            Some(forced("lost", None)),
            Some(&REJECTED),
            no_default,
        );
        assert_eq!(
            d.outcome,
            Some(("failed".into(), Some("BANK_REJECTED".into())))
        );
        assert_eq!(d.forced_by, None);
    }

    #[test]
    fn a_magic_value_without_a_reason_has_none_and_no_magic_is_success() {
        let stuck = destiny(&machine(), None, Some(&STUCK), no_default);
        assert_eq!(stuck.outcome, Some(("pending".into(), None)));
        assert_eq!(
            destiny(&machine(), None, None::<&Magic<&str>>, no_default),
            Destiny::default()
        );
    }

    #[test]
    fn a_forced_outcome_is_taken_by_the_first_payout_only() {
        let slot = OutcomeSlot::new(ForcedOutcome {
            status: "failed".into(),
            reason: Some("BANK_REJECTED".into()),
            rule: "r1".into(),
        });
        let clone = slot.clone();
        assert_eq!(clone.take().map(|o| o.status), Some("failed".into()));
        assert!(slot.is_taken());
        assert_eq!(slot.take(), None);
    }
}
