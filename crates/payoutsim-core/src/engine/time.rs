//! Time: applying what fell due, in order; catching one tenant up before its request; advancing
//! the clock and settling what that caused, within a bounded wait.

use crate::clock::ClockMode;
use crate::timeline::Action;

use super::{Engine, Settled};

impl Engine {
    /// Applies every entry that is due (for one tenant, or all), in time order. Returns how many.
    pub fn run_due(&self, tenant: Option<&str>) -> usize {
        let s = &self.0;
        let mut applied = 0;
        while let Some(due) = s.timeline.pop_due(tenant, |t| s.clock.now_for(t)) {
            applied += 1;
            match &due.action {
                Action::Transition { .. } => match self.provider(&due.provider) {
                    Some(p) => p.apply(&due),
                    None => {
                        tracing::warn!(provider = %due.provider, "transition for a provider not served")
                    }
                },
                Action::WebhookRetry { message } => {
                    if s.outbox.unpark(*message, due.due) {
                        s.wake.notify_one();
                    }
                }
            }
        }
        // Expired keys go as time passes, whether or not anything else fell due: once the
        // earliest has expired (for one tenant, at its own time, which may be ahead of the
        // global one), and then only those that have.
        let now = tenant.map_or_else(|| s.clock.now(), |t| s.clock.now_for(t));
        (s.idempotency).sweep_if_due(now, |t| s.clock.now_for(t));
        applied
    }

    /// Brings one tenant up to date before a request is handled: with a `real` clock, applies the
    /// transitions that fell due since the last tick, so a poll never sees a status that should
    /// already have moved. (With a `manual` clock nothing falls due between advances.) The
    /// provider kit calls it for every request that enters a tenant.
    pub fn catch_up(&self, tenant: &str) {
        if self.0.clock.mode() == ClockMode::Real {
            self.run_due(Some(tenant));
        }
    }

    /// Moves simulated time (for everyone, or one tenant) and applies what fell due; see
    /// [`settle`](Self::settle) for what the call waits for.
    pub async fn advance(&self, seconds: f64, tenant: Option<&str>) -> Settled {
        self.0.clock.advance(seconds, tenant);
        if tenant.is_some() {
            // A tenant ahead of the global clock: its keys may expire before anyone else's.
            let s = &self.0;
            s.idempotency.sweep(|t| s.clock.now_for(t));
        }
        self.settle(tenant).await
    }

    /// Applies due transitions and starts sending every webhook that is ready, then waits,
    /// within a bound, until nothing more is due.
    ///
    /// What it waits for: every transition due by now is applied before it returns, always.
    /// Webhook attempts (every lane's, the background sender's included) are awaited for at most
    /// `settle_wait` of wall time in all (default 2 s; zero: not at all): with receivers that
    /// answer, every attempt due by now has been made and recorded when it returns `settled`. A
    /// receiver that hangs, or more messages than the wait allows, make it return unsettled once
    /// the wait is spent, saying how many are still pending; those go on in their lanes'
    /// senders, in order, and are recorded when made. Retries that a failure scheduled later on
    /// the simulated clock are not waited for (`retrying`).
    pub async fn settle(&self, tenant: Option<&str>) -> Settled {
        if self.replaying() {
            // Replaying: what fell due is applied; nothing is sent, so nothing is waited for.
            self.run_due(tenant);
            let queue = self.0.outbox.stats();
            return Settled {
                settled: true,
                attempts: 0,
                pending: queue.ready + queue.in_flight,
                retrying: queue.retrying,
            };
        }
        let deadline = tokio::time::Instant::now() + self.config().settle_wait;
        let before = self.0.outbox.attempts();
        let mut progress = self.0.progress.subscribe();
        let settled = loop {
            self.run_due(tenant);
            self.dispatch();
            let s = &self.0;
            let due = s.timeline.has_due(tenant, |t| s.clock.now_for(t));
            if !due && !s.outbox.has_ready() {
                break true;
            }
            if *s.stop.borrow() {
                break false;
            }
            match tokio::time::timeout_at(deadline, progress.changed()).await {
                Ok(Ok(())) => {}
                _ => {
                    self.run_due(tenant);
                    break false;
                }
            }
        };
        let queue = self.0.outbox.stats();
        Settled {
            settled,
            attempts: self.0.outbox.attempts().saturating_sub(before),
            pending: queue.ready + queue.in_flight,
            retrying: queue.retrying,
        }
    }
}
