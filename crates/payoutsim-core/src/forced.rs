//! The seam through which a fault rule forces the terminal outcome of a payout.
//!
//! DESIGN.md decides a new payout's terminal status in this order: (1) a forced outcome from a
//! fault rule, (2) a documented magic value in the request, (3) the provider's default (success).
//! The fault layer (payoutsim-faults) handles (1) without knowing any provider: when an `outcome`
//! rule matches a request, it puts an [`OutcomeSlot`] holding the [`ForcedOutcome`] into the
//! request's extensions. The provider, when that request creates a payout, [`OutcomeSlot::take`]s
//! it, so the first payout the request creates gets it and no other (an OnSpot batch of three
//! payouts forces only the first). A request that creates nothing leaves it untaken.

use std::sync::{Arc, Mutex};

/// A terminal status (one of the provider's machine's terminal statuses) and the provider's
/// reason for it, e.g. OnePay `failed` with `ACCOUNT_CLOSED`.
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

    /// Whether it has been taken (a payout was created under it).
    pub fn is_taken(&self) -> bool {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).is_none()
    }

    /// The slot of a request, if a fault rule put one there.
    pub fn of(extensions: &http::Extensions) -> Option<&Self> {
        extensions.get::<Self>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
