//! The webhook sender: one signed message per subscribed target, the fault rules' decision for
//! each, attempts one at a time in order, and retries on the simulated clock.

use bytes::Bytes;
use chrono::{DateTime, TimeDelta, Utc};
use serde_json::Value;

use super::Engine;
use crate::clock::rfc3339;
use crate::timeline::Action;
use crate::webhooks::{Delivery, Message, Queue, WebhookFault, WebhookFaults, WebhookTarget};

/// The headers that sign a body for a target (a provider's signing scheme).
pub type Sign<'a> = &'a (dyn Fn(&WebhookTarget, &[u8]) -> Vec<(String, String)> + Sync);

impl Engine {
    /// Emits `event` of `provider`'s `tenant` with the serialised `body`: one message per target
    /// that wants the event, each signed by `sign`, each as the fault rules decide.
    pub fn emit_webhook(
        &self,
        provider: &str,
        tenant: &str,
        event: &str,
        body: &Bytes,
        at: DateTime<Utc>,
        sign: Sign<'_>,
    ) {
        let targets = self.0.outbox.targets(Some(provider), Some(tenant));
        let mut queued = false;
        for target in targets.iter().filter(|t| t.wants(event)) {
            let mut headers = vec![("content-type".to_string(), "application/json".to_string())];
            headers.extend(sign(target, body));
            let decision = self
                .webhook_faults()
                .map_or(WebhookFault::Deliver, |f| f.decide(provider, tenant, event));
            self.queue_message(target, event, (headers, body.clone()), at, decision);
            queued = true;
        }
        if queued {
            self.0.wake.notify_one();
        }
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

    /// Queues one message as the fault decision says; a drop is recorded as a failed delivery.
    fn queue_message(
        &self,
        target: &WebhookTarget,
        event: &str,
        message: (Vec<(String, String)>, Bytes),
        at: DateTime<Utc>,
        decision: WebhookFault,
    ) {
        let outbox = &self.0.outbox;
        match decision {
            WebhookFault::Deliver => {
                outbox.enqueue_to(target, event, message, at, None, Queue::Ready);
            }
            WebhookFault::Duplicate { rule } => {
                let note = Some(format!("{rule}: webhook_duplicate"));
                let copy = message.clone();
                outbox.enqueue_to(target, event, copy, at, note.clone(), Queue::Ready);
                outbox.enqueue_to(target, event, message, at, note, Queue::Ready);
            }
            WebhookFault::Reorder { rule } => {
                let note = Some(format!("{rule}: webhook_reorder"));
                outbox.enqueue_to(target, event, message, at, note, Queue::HeldForNext);
            }
            WebhookFault::Delay { rule, seconds } => {
                let note = Some(format!("{rule}: webhook_delay {seconds}s"));
                let due = at + TimeDelta::milliseconds((seconds * 1000.0).round() as i64);
                let id = outbox.enqueue_to(target, event, message, due, note, Queue::Parked);
                let action = Action::WebhookRetry { message: id };
                (self.0.timeline).schedule(&target.provider, &target.tenant, due, action);
            }
            WebhookFault::Drop { rule } => {
                let (headers, body) = message;
                outbox.record(Delivery {
                    id: 0,
                    message: 0,
                    provider: target.provider.clone(),
                    tenant: target.tenant.clone(),
                    event: event.to_string(),
                    target: target.id.clone(),
                    url: target.url.clone(),
                    attempt: 0,
                    at: rfc3339(at),
                    status: None,
                    error: Some(format!("dropped by fault rule {rule}")),
                    fault: Some(format!("{rule}: webhook_drop")),
                    headers: headers.into_iter().collect(),
                    body: serde_json::from_slice(&body).unwrap_or(Value::Null),
                });
            }
        }
    }

    /// Sends every ready message, one at a time, recording each attempt and parking failures
    /// for a retry on the simulated clock.
    pub async fn deliver_ready(&self) {
        let _lane = self.0.lane.lock().await;
        while let Some(message) = self.0.outbox.pop_ready() {
            self.attempt(message).await;
        }
    }

    async fn attempt(&self, mut m: Message) {
        m.attempts += 1;
        let mut req = self.0.http.post(&m.url).body(m.body.clone());
        for (k, v) in &m.headers {
            req = req.header(k, v);
        }
        let (status, error) = match req.send().await {
            Ok(resp) => (Some(resp.status().as_u16()), None),
            Err(e) => (None, Some(describe_reqwest_error(&e))),
        };
        let ok = status.is_some_and(|s| (200..300).contains(&s));
        let body = serde_json::from_slice(&m.body).unwrap_or(Value::Null);
        self.0.outbox.record(Delivery {
            id: 0,
            message: m.id,
            provider: m.provider.clone(),
            tenant: m.tenant.clone(),
            event: m.event.clone(),
            target: m.target.clone(),
            url: m.url.clone(),
            attempt: m.attempts,
            at: rfc3339(m.due),
            status,
            error,
            fault: m.fault.clone(),
            headers: m.headers.iter().cloned().collect(),
            body,
        });
        if ok {
            return;
        }
        if let Some(wait) = self.0.outbox.policy.backoff_after(m.attempts) {
            let due = m.due + TimeDelta::seconds(wait);
            let action = Action::WebhookRetry { message: m.id };
            self.0
                .timeline
                .schedule(&m.provider, &m.tenant, due, action);
            self.0.outbox.park(m);
        }
    }
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
