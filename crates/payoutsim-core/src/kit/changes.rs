//! Status changes, all driven through the engine and crossing into the provider once, through
//! [`Spec::on_transition`]:
//!
//! - [`Kit::decide`] and [`Kit::start`]: where a new object is destined (forced outcome, magic
//!   value, success) and its lifecycle started, the forcing rule logged with its creation
//! - [`Kit::apply_due`]: a timed edge fell due
//! - [`Kit::move_locked`]: the provider's own rule moves an object now (under the store lock it
//!   already holds); it emits the returned events with [`Kit::emit`] once unlocked
//! - [`Kit::force`]: the back office moves an object, found in whichever tenant holds it
//! - [`Kit::emit`]: events queued for the tenant's targets (each attempt signed later with the
//!   provider's scheme)

use chrono::{DateTime, Utc};

use super::{Event, Kit, Spec};
use crate::engine::{Cause, Transition};
use crate::error::AdminError;
use crate::forced::{Destiny, ForcedOutcome, Magic, destiny};
use crate::machine::{Lifecycle, StateMachine};
use crate::timeline::{Action, Scheduled};

/// Where a back-office move found its object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Found {
    pub tenant: String,
    pub kind: String,
}

impl<S: Spec> Kit<S> {
    /// DESIGN.md's order for a new object on `machine`: the `forced` outcome (from the request's
    /// [`crate::forced::Forced`] slot), else the provider's `magic` value, else success; a forced
    /// outcome without a reason gets [`Spec::default_reason`].
    pub fn decide<T>(
        &self,
        machine: &StateMachine,
        forced: Option<ForcedOutcome>,
        magic: Option<&Magic<T>>,
    ) -> Destiny {
        destiny(machine, forced, magic, |status| {
            S::default_reason(&machine.kind, status)
        })
    }

    /// Starts object `id`'s lifecycle on `machine` at `at`, destined as `destiny` says.
    pub fn start(
        &self,
        tenant: &str,
        machine: &StateMachine,
        id: &str,
        destiny: Destiny,
        at: DateTime<Utc>,
    ) -> Lifecycle {
        (self.engine()).start_lifecycle(self.name(), tenant, machine, id, destiny, at)
    }

    /// A timed edge fell due: step the object if it is still where the edge starts, and let the
    /// provider apply the change.
    pub(crate) fn apply_due(&self, due: &Scheduled) {
        let Action::Transition {
            kind, object_id, ..
        } = &due.action
        else {
            return;
        };
        let events = {
            let mut store = self.store();
            let Some(lc) = S::lifecycle(&mut store, &due.tenant, kind, object_id) else {
                return;
            };
            let Some(machine) = self.machine(kind, &lc.variant) else {
                return;
            };
            let Some(change) = self.engine().step_lifecycle(lc, &machine, due) else {
                return;
            };
            S::on_transition(self, &mut store, &change)
        };
        self.emit(&due.tenant, events, due.due);
    }

    /// Moves object `id` of `kind` of `tenant` to `to` now, under the store lock the caller holds
    /// (`cause`: the provider's own rule is `Timeline`, the back office `Admin`). Returns the
    /// events of [`Spec::on_transition`] for the caller to [`emit`](Self::emit) once unlocked.
    pub fn move_locked(
        &self,
        store: &mut S::Store,
        (tenant, kind, id): (&str, &str, &str),
        to: &str,
        at: DateTime<Utc>,
        cause: Cause,
    ) -> Result<Vec<Event>, AdminError> {
        let lc = S::lifecycle(store, tenant, kind, id)
            .ok_or_else(|| AdminError::not_found(format!("no {kind} `{id}`")))?;
        let machine = (self.machine(kind, &lc.variant))
            .ok_or_else(|| AdminError::bad_request(format!("no machine for {kind}")))?;
        let reason = S::default_reason(kind, to);
        let change = self
            .engine()
            .move_lifecycle(
                self.name(),
                tenant,
                &machine,
                id,
                lc,
                (to, reason),
                at,
                cause,
            )
            .map_err(AdminError::bad_request)?;
        Ok(S::on_transition(self, store, &change))
    }

    /// A back-office status change of object `id` (of one of `kinds`; of `tenant`, or whichever
    /// tenant holds it) to `to`, now: checked by [`Spec::check_move`], moved, its side effects
    /// applied, its events emitted. `render` then runs under the same lock: it records what the
    /// back office gave beside the status (a reason, say; after [`Spec::on_transition`], so the
    /// events do not see it) and reads the object's answer.
    pub fn force<R>(
        &self,
        tenant: Option<&str>,
        kinds: &[&str],
        id: &str,
        to: &str,
        render: impl FnOnce(&mut S::Store, &Found) -> R,
    ) -> Result<R, AdminError> {
        let (found, events, at, rendered) = {
            let mut store = self.store();
            let found = self.holder(&store, tenant, kinds, id)?;
            let at = self.now_for(&found.tenant);
            let lc = S::lifecycle(&mut store, &found.tenant, &found.kind, id)
                .ok_or_else(|| AdminError::not_found(format!("no {} `{id}`", found.kind)))?;
            let machine = (self.machine(&found.kind, &lc.variant))
                .ok_or_else(|| AdminError::bad_request(format!("no machine for {}", found.kind)))?;
            if !machine.knows(to) {
                return Err(AdminError::bad_request(format!(
                    "`{to}` is not a status of {} (known: {})",
                    machine.kind,
                    machine.statuses().join(", ")
                )));
            }
            let proposed = Transition {
                tenant: found.tenant.clone(),
                kind: found.kind.clone(),
                object_id: id.to_string(),
                from: Some(lc.status.to_string()),
                to: to.to_string(),
                at,
                cause: Cause::Admin,
            };
            S::check_move(&store, &proposed)?;
            let key = (found.tenant.as_str(), found.kind.as_str(), id);
            let events = self.move_locked(&mut store, key, to, at, Cause::Admin)?;
            let rendered = render(&mut store, &found);
            (found, events, at, rendered)
        };
        self.emit(&found.tenant, events, at);
        Ok(rendered)
    }

    fn holder(
        &self,
        store: &S::Store,
        tenant: Option<&str>,
        kinds: &[&str],
        id: &str,
    ) -> Result<Found, AdminError> {
        let mut holders = S::holders(store, kinds, id);
        holders.retain(|(t, _)| tenant.is_none_or(|want| want == t));
        match holders.len() {
            1 => {
                let (tenant, kind) = holders.remove(0);
                Ok(Found { tenant, kind })
            }
            0 => Err(AdminError::not_found(format!(
                "no {} `{id}`",
                kinds.join(" or ")
            ))),
            _ => {
                let names: Vec<&str> = holders.iter().map(|(t, _)| t.as_str()).collect();
                Err(AdminError::conflict(format!(
                    "{} `{id}` exists for several tenants ({}): give `tenant`",
                    kinds.join(" or "),
                    names.join(", ")
                )))
            }
        }
    }

    /// Queues each event for `tenant`'s targets, as of simulated time `at`: the messages get
    /// [`Spec::webhook_message_id`] and [`Spec::webhook_retry`], and every attempt is signed by
    /// [`Spec::sign_webhook`] when it is made.
    pub fn emit(&self, tenant: &str, events: Vec<Event>, at: DateTime<Utc>) {
        for event in events {
            (self.engine()).emit_webhook(S::NAME, tenant, event.name, &event.body, at);
        }
    }

    /// Whether some target of `tenant` wants `event` (to skip building a payload nobody takes).
    pub fn wants(&self, tenant: &str, event: &str) -> bool {
        self.engine().wants_webhook(S::NAME, tenant, event)
    }
}
