//! The webhook sender: one message per subscribed target, the fault rules' decision for each,
//! one sender per lane (receiver) making its attempts one at a time in order, each signed by the
//! provider for that attempt, and retries on the simulated clock after the backoff of the
//! message's own schedule.

use std::sync::Arc;

use bytes::Bytes;
use chrono::{DateTime, TimeDelta, Utc};

use super::{Engine, MessageProgress};
use crate::timeline::Action;
use crate::webhooks::{Message, Payload, Queue, WebhookFault, WebhookFaults, WebhookTarget};

impl Engine {
    /// Emits `event` of `provider`'s `tenant` with the serialised `body`: one message per target
    /// that wants the event, each as the fault rules decide. The provider (registered with the
    /// engine) gives the messages their stable id once, for every target alike, and their retry
    /// schedule; it signs each attempt when it is made.
    pub fn emit_webhook(
        &self,
        provider: &str,
        tenant: &str,
        event: &str,
        body: &Bytes,
        at: DateTime<Utc>,
    ) {
        let targets = self.0.outbox.targets(Some(provider), Some(tenant));
        let wanting: Vec<WebhookTarget> = targets.into_iter().filter(|t| t.wants(event)).collect();
        if wanting.is_empty() {
            return;
        }
        let sender = self.provider(provider);
        let payload = Payload {
            event: event.to_string(),
            body: body.clone(),
            message_id: (sender.as_ref()).and_then(|p| p.webhook_message_id(tenant, event)),
            retry: (sender.as_ref()).and_then(|p| p.webhook_retry()),
        };
        for target in wanting {
            let decision = self
                .webhook_faults()
                .map_or(WebhookFault::Deliver, |f| f.decide(provider, tenant, event));
            self.queue_message(Arc::new(target), payload.clone(), at, decision);
        }
        self.0.wake.notify_one();
    }

    /// Whether some target of `provider`'s `tenant` wants `event` (so a payload is worth making).
    pub fn wants_webhook(&self, provider: &str, tenant: &str, event: &str) -> bool {
        (self.0.outbox.targets(Some(provider), Some(tenant)).iter()).any(|t| t.wants(event))
    }

    fn webhook_faults(&self) -> Option<std::sync::Arc<dyn WebhookFaults>> {
        (self
            .0
            .webhook_faults
            .read()
            .unwrap_or_else(|e| e.into_inner()))
        .clone()
    }

    /// Queues one message as the fault decision says; a drop is recorded as a failed delivery
    /// with the headers its first attempt would have had.
    fn queue_message(
        &self,
        target: Arc<WebhookTarget>,
        payload: Payload,
        at: DateTime<Utc>,
        decision: WebhookFault,
    ) {
        let outbox = &self.0.outbox;
        let message =
            |note: Option<String>| Message::new(target.clone(), payload.clone(), at, note);
        match decision {
            WebhookFault::Deliver => {
                outbox.enqueue_to(message(None), Queue::Ready);
            }
            WebhookFault::Duplicate { rule } => {
                // Two copies of one message: the same payload, so the same stable id.
                let note = Some(format!("{rule}: webhook_duplicate"));
                outbox.enqueue_to(message(note.clone()), Queue::Ready);
                outbox.enqueue_to(message(note), Queue::Ready);
            }
            WebhookFault::Reorder { rule } => {
                let note = Some(format!("{rule}: webhook_reorder"));
                outbox.enqueue_to(message(note), Queue::HeldForNext);
            }
            WebhookFault::Delay { rule, seconds } => {
                let note = Some(format!("{rule}: webhook_delay {seconds}s"));
                let mut delayed = message(note);
                delayed.due = crate::clock::seconds_after(at, seconds);
                let due = delayed.due;
                let id = outbox.enqueue_to(delayed, Queue::Parked);
                let action = Action::WebhookRetry { message: id };
                (self.0.timeline).schedule(&target.provider, &target.tenant, due, action);
            }
            WebhookFault::Drop { rule } => {
                let dropped = message(Some(format!("{rule}: webhook_drop")));
                let headers = self.headers_of(&dropped, 1);
                let error = Some(format!("dropped by fault rule {rule}"));
                self.record_delivery(dropped.delivery(0, headers, (None, error)));
            }
        }
    }

    /// The headers of attempt `number` of `m`: the JSON content type, then what the provider
    /// signs for this attempt (nothing when it is no longer served).
    fn headers_of(&self, m: &Message, number: u32) -> Vec<(String, String)> {
        let mut headers = vec![("content-type".to_string(), "application/json".to_string())];
        match self.provider(&m.target.provider) {
            Some(p) => headers.extend(p.sign_webhook(&m.attempt(number, self.0.clock.wall()))),
            None => {
                tracing::warn!(provider = %m.target.provider, "webhook for a provider not served: unsigned")
            }
        }
        headers
    }

    /// Starts a sender on every lane (receiver) that has ready messages and none yet; each sends
    /// its lane's messages one at a time, in order, recording each attempt and parking failures
    /// for a retry on the simulated clock. Lanes never wait for each other (past
    /// `SENDERS_AT_ONCE` lanes at once, the others wait for a free sender). Does nothing once
    /// the sender is stopped.
    pub fn dispatch(&self) {
        if *self.0.stop.borrow() || self.replaying() {
            return;
        }
        for lane in self.0.outbox.claim_lanes() {
            tokio::spawn(self.clone().send_lane(lane));
        }
    }

    async fn send_lane(self, lane: String) {
        let mut stop = self.0.stop.subscribe();
        let permit = tokio::select! {
            permit = self.0.senders.clone().acquire_owned() => permit.ok(),
            _ = stop.wait_for(|s| *s) => None,
        };
        let Some(_permit) = permit else {
            self.0.outbox.release(&lane);
            return;
        };
        loop {
            if *stop.borrow() {
                self.0.outbox.release(&lane);
                return;
            }
            let Some(message) = self.0.outbox.next_in(&lane) else {
                return;
            };
            let id = message.id;
            let stopped = tokio::select! {
                _ = self.attempt(message) => false,
                _ = stop.wait_for(|s| *s) => true,
            };
            self.0.outbox.finished(id);
            self.0.progress.send_modify(|n| *n = n.wrapping_add(1));
            if stopped {
                self.0.outbox.release(&lane);
                return;
            }
        }
    }

    /// Stops the webhook sender for good (at shutdown): attempts under way are abandoned and
    /// nothing more is sent. Answers what was left unsent, for the shutdown log (messages are not
    /// kept past the process yet).
    pub fn stop_webhooks(&self) -> Unsent {
        let unsent = Unsent {
            queue: self.0.outbox.stats(),
            targets: self.0.outbox.backlog(),
        };
        self.0.stop.send_replace(true);
        unsent
    }

    async fn attempt(&self, mut m: Message) {
        m.attempts += 1;
        let headers = self.headers_of(&m, m.attempts);
        let listener = self.admin_listener();
        // Registration refused such URLs; a name that resolves to the admin listener now (or a
        // target made before the listener was bound) is caught here, and never retried.
        if let Some(l) = &listener
            && crate::surface::resolves_to_listener(&m.target.url, l).await
        {
            let error = "not sent: the URL reaches the simulator's admin listener".to_string();
            let record = m.delivery(m.attempts, headers, (None, Some(error)));
            self.record_delivery(record);
            self.record_progress(m.id, MessageProgress::Done);
            return;
        }
        let timeout =
            (self.0.config.webhook_timeout).unwrap_or(self.0.outbox.policy_of(&m).timeout);
        let mut req = (self.http().post(&m.target.url))
            .timeout(timeout)
            .body(m.payload.body.clone());
        // The admin listener's inboxes obey the admin token; the delivery records do not show it.
        if let Some(token) = (listener.as_ref())
            .filter(|l| crate::surface::is_inbox_of(&m.target.url, l))
            .and_then(|l| l.token.as_deref())
        {
            req = req.bearer_auth(token);
        }
        for (k, v) in &headers {
            req = req.header(k, v);
        }
        let answer = match req.send().await {
            Ok(resp) => (Some(resp.status().as_u16()), None),
            Err(e) => (None, Some(describe_reqwest_error(&e))),
        };
        let ok = answer.0.is_some_and(|s| (200..300).contains(&s));
        self.record_delivery(m.delivery(m.attempts, headers, answer));
        if ok {
            self.record_progress(m.id, MessageProgress::Done);
            return;
        }
        if let Some(wait) = self.0.outbox.policy_of(&m).backoff_after(m.attempts) {
            let due = crate::clock::later(
                m.due,
                TimeDelta::try_seconds(wait).unwrap_or(TimeDelta::MAX),
            );
            let action = Action::WebhookRetry { message: m.id };
            let target = &m.target;
            (self.0.timeline).schedule(&target.provider, &target.tenant, due, action);
            let progress = MessageProgress::Retrying {
                attempts: m.attempts,
                retry_at: due,
            };
            self.record_progress(m.id, progress);
            self.0.outbox.park(m);
        } else {
            self.record_progress(m.id, MessageProgress::Done);
        }
    }
}

/// What [`Engine::settle`] (and so `advance`) saw.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Settled {
    /// Every transition and webhook attempt due by now was made before the answer.
    pub settled: bool,
    /// Webhook attempts recorded while it waited (by any sender).
    pub attempts: u64,
    /// Webhook messages due now and not yet sent, or being sent, when it answered.
    pub pending: usize,
    /// Webhook messages waiting for a retry (or a delay) on the simulated clock.
    pub retrying: usize,
}

/// What the webhook sender left unsent when it was stopped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unsent {
    pub queue: crate::webhooks::QueueStats,
    /// Per target, the most first.
    pub targets: Vec<crate::webhooks::TargetBacklog>,
}

fn describe_reqwest_error(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        "timeout".into()
    } else if e.is_connect() {
        "connection refused".into()
    } else {
        let mut msg = e.to_string();
        let mut source = std::error::Error::source(e);
        while let Some(s) = source {
            msg = format!("{msg}: {s}");
            source = s.source();
        }
        msg
    }
}
