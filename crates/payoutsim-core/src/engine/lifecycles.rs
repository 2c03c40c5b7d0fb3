//! Lifecycles: starting an object on its machine, stepping it when a timed edge falls due,
//! moving it now (back office, or the provider's own rule), and the transitions log.
//!
//! Every status change comes out of here as one [`Transition`] value, and is logged in the same
//! step, with the fault rule that forced the object's outcome on its `created` record.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::Engine;
use crate::forced::Destiny;
use crate::machine::{Lifecycle, StateMachine, StatusChange};
use crate::name::Name;
use crate::timeline::{Action, Scheduled};

/// Why an object changed status.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Cause {
    /// It was created (its first status).
    Created,
    /// A timed edge of its machine fell due (or the provider moved it by its own rule, e.g.
    /// funding activating a payout).
    Timeline,
    /// The back office moved it.
    Admin,
}

impl Cause {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Created => "created",
            Self::Timeline => "timeline",
            Self::Admin => "admin",
        }
    }
}

/// One status change of one object: what the provider's transition hook is given.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Transition {
    pub tenant: String,
    pub kind: String,
    pub object_id: String,
    /// `None` for a creation.
    pub from: Option<String>,
    pub to: String,
    pub at: DateTime<Utc>,
    pub cause: Cause,
}

impl Transition {
    /// The status it left (`""` for a creation).
    pub fn from(&self) -> &str {
        self.from.as_deref().unwrap_or_default()
    }

    /// Whether it entered a status it did not already have.
    pub fn moved(&self) -> bool {
        self.from.as_deref() != Some(self.to.as_str())
    }
}

/// A status change, as `GET /__admin/transitions` shows it.
#[derive(Clone, Debug, Serialize)]
pub struct TransitionRecord {
    #[serde(serialize_with = "crate::clock::serialize_rfc3339")]
    pub at: DateTime<Utc>,
    pub provider: Name,
    pub tenant: String,
    pub kind: Name,
    pub object_id: String,
    pub from: Option<Name>,
    pub to: Name,
    /// `created`, `timeline` or `admin`.
    pub cause: &'static str,
    /// The fault rule that forced the object's terminal outcome (on its `created` record).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub forced_by: Option<String>,
}

/// A change as the log records it, borrowed (a creation is logged without building an owned
/// [`Transition`]: it is on every create request's path).
#[derive(Clone, Copy)]
struct Entry<'a> {
    tenant: &'a str,
    kind: Name,
    object_id: &'a str,
    from: Option<Name>,
    to: Name,
    at: DateTime<Utc>,
    cause: Cause,
}

impl<'a> Entry<'a> {
    /// The record of `t`, a change of an object of `kind` from `from` to `to` (the names the
    /// lifecycle and its machine hold already: none is looked up).
    fn of(t: &'a Transition, kind: Name, from: Name, to: Name) -> Self {
        Self {
            tenant: &t.tenant,
            kind,
            object_id: &t.object_id,
            from: Some(from),
            to,
            at: t.at,
            cause: t.cause,
        }
    }
}

impl Engine {
    /// Starts an object's lifecycle in the machine's initial status, destined as `destiny` says
    /// (no outcome: the machine's success), logs its creation (with the forcing rule, if any)
    /// and schedules its first timed edge.
    pub fn start_lifecycle(
        &self,
        provider: Name,
        tenant: &str,
        machine: &StateMachine,
        object_id: &str,
        destiny: Destiny,
        at: DateTime<Utc>,
    ) -> Lifecycle {
        let Destiny { outcome, forced_by } = destiny;
        // The machine's names were interned when it was built: nothing is looked up here.
        let (outcome, reason) = match outcome {
            Some((outcome, reason)) => (machine.interned(&outcome), reason),
            None => (machine.success(), None),
        };
        let status = machine.initial;
        let lc = Lifecycle {
            kind: machine.kind,
            variant: machine.variant,
            status,
            outcome,
            reason,
            history: vec![StatusChange { status, at }],
        };
        let created = Entry {
            tenant,
            kind: lc.kind,
            object_id,
            from: None,
            to: lc.status,
            at,
            cause: Cause::Created,
        };
        self.log_transition(provider, created, forced_by);
        self.schedule_next(provider, tenant, machine, object_id, &lc, at);
        lc
    }

    /// Applies a due timed edge to `lc` if it still stands in the edge's `from` status, and
    /// schedules the next edge. Returns the change when the object moved.
    pub fn step_lifecycle(
        &self,
        lc: &mut Lifecycle,
        machine: &StateMachine,
        due: &Scheduled,
    ) -> Option<Transition> {
        let Action::Transition {
            object_id,
            from,
            to,
            ..
        } = &due.action
        else {
            return None;
        };
        if lc.status != *from {
            return None;
        }
        let change = self.enter(lc, &due.tenant, object_id, *to, due.due, Cause::Timeline);
        self.log_transition(due.provider, Entry::of(&change, lc.kind, *from, *to), None);
        self.schedule_next(due.provider, &due.tenant, machine, object_id, lc, due.due);
        Some(change)
    }

    /// Moves `lc` to `to` now: any status the machine knows. Pending edges of the object are
    /// dropped. Back on the way: from a terminal status to a non-terminal one, the object is
    /// destined for success again; into a terminal status, that status is its outcome (with
    /// `reason` when it had none). From a non-terminal status it goes on towards its outcome.
    #[allow(clippy::too_many_arguments)]
    pub fn move_lifecycle(
        &self,
        provider: Name,
        tenant: &str,
        machine: &StateMachine,
        object_id: &str,
        lc: &mut Lifecycle,
        (to, reason): (&str, Option<String>),
        at: DateTime<Utc>,
        cause: Cause,
    ) -> Result<Transition, String> {
        if !machine.knows(to) {
            return Err(format!(
                "`{to}` is not a status of {} (known: {})",
                machine.kind,
                machine.statuses().join(", ")
            ));
        }
        let to = machine.interned(to);
        self.0.timeline.cancel_object(tenant, object_id);
        if machine.is_terminal(&lc.status) && !machine.is_terminal(&to) {
            lc.outcome = machine.success();
            lc.reason = None;
        }
        if machine.is_terminal(&to) {
            lc.outcome = to;
            if lc.reason.is_none() {
                lc.reason = reason;
            }
        }
        let from = lc.status;
        let change = self.enter(lc, tenant, object_id, to, at, cause);
        self.log_transition(provider, Entry::of(&change, lc.kind, from, to), None);
        self.schedule_next(provider, tenant, machine, object_id, lc, at);
        Ok(change)
    }

    fn enter(
        &self,
        lc: &mut Lifecycle,
        tenant: &str,
        object_id: &str,
        status: Name,
        at: DateTime<Utc>,
        cause: Cause,
    ) -> Transition {
        let from = std::mem::replace(&mut lc.status, status);
        self.count_status_change();
        // A history grows by a few changes at most: exactly, not by doubling.
        lc.history.reserve_exact(1);
        lc.history.push(StatusChange { status, at });
        Transition {
            tenant: tenant.into(),
            kind: lc.kind.to_string(),
            object_id: object_id.into(),
            from: Some(from.to_string()),
            to: status.to_string(),
            at,
            cause,
        }
    }

    fn schedule_next(
        &self,
        provider: Name,
        tenant: &str,
        machine: &StateMachine,
        object_id: &str,
        lc: &Lifecycle,
        since: DateTime<Utc>,
    ) {
        if let Some(edge) = machine.next_edge(&lc.status, &lc.outcome) {
            let action = Action::Transition {
                kind: lc.kind,
                object_id: object_id.into(),
                from: edge.from,
                to: edge.to,
            };
            (self.0.timeline).schedule(provider, tenant, edge.after.due_from(since), action);
        }
    }

    fn log_transition(&self, provider: Name, t: Entry<'_>, forced_by: Option<String>) {
        tracing::debug!(
            provider = provider.as_str(),
            tenant = t.tenant,
            kind = %t.kind,
            object_id = t.object_id,
            from = t.from.as_deref(),
            to = %t.to,
            cause = t.cause.as_str(),
            "transition"
        );
        let mut log = self.0.transitions.lock().unwrap_or_else(|e| e.into_inner());
        if log.len() >= self.config().history_cap {
            log.pop_front();
        }
        log.push_back(TransitionRecord {
            at: t.at,
            // Interned: a record copies only the tenant's name and the object's id.
            provider,
            tenant: t.tenant.into(),
            kind: t.kind,
            object_id: t.object_id.into(),
            from: t.from,
            to: t.to,
            cause: t.cause.as_str(),
            forced_by,
        });
    }

    /// The transitions log, oldest first, optionally of one provider or object.
    pub fn transitions(
        &self,
        provider: Option<&str>,
        object_id: Option<&str>,
    ) -> Vec<TransitionRecord> {
        let log = self.0.transitions.lock().unwrap_or_else(|e| e.into_inner());
        log.iter()
            .filter(|t| provider.is_none_or(|p| t.provider == p))
            .filter(|t| object_id.is_none_or(|o| t.object_id == o))
            .cloned()
            .collect()
    }
}
