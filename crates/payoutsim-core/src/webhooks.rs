//! The webhook outbox: targets per tenant, messages waiting to be sent, and every attempt made.
//!
//! A provider emits an event with its own payload; the engine signs it through the provider (each
//! target has its own secret) and queues one message per subscribed target. Messages are sent one
//! at a time, in order, by whoever holds the delivery lane (the background worker, or
//! `Engine::settle` in tests). A failed attempt is retried on the simulated clock after the
//! backoff of [`RetryPolicy`]; every attempt is recorded for `GET /__admin/webhooks/deliveries`.
//!
//! [`WebhookFaults`] is the seam through which fault rules drop, duplicate, delay or reorder a
//! message; the engine consults it once per message and records what it decided.

use std::collections::{BTreeMap, VecDeque};
use std::sync::Mutex;
use std::time::Duration;

use bytes::Bytes;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A URL that receives one tenant's events.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct WebhookTarget {
    pub id: String,
    pub provider: String,
    pub tenant: String,
    pub url: String,
    /// Event names delivered to this target; empty means every event.
    pub events: Vec<String>,
    /// The signing secret (provider-specific format).
    pub secret: String,
    /// Other provider-specific values (a static header token, for instance).
    pub extra: BTreeMap<String, String>,
    pub created_at: String,
}

impl WebhookTarget {
    pub fn wants(&self, event: &str) -> bool {
        self.events.is_empty() || self.events.iter().any(|e| e == event || e == "*")
    }
}

/// One delivery attempt.
#[derive(Clone, Debug, Serialize)]
pub struct Delivery {
    pub id: u64,
    pub message: u64,
    pub provider: String,
    pub tenant: String,
    pub event: String,
    pub target: String,
    pub url: String,
    pub attempt: u32,
    pub at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The fault rule that dropped, duplicated, delayed or reordered this message, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fault: Option<String>,
    pub headers: BTreeMap<String, String>,
    pub body: Value,
}

/// What a fault rule does to one webhook message.
#[derive(Clone, Debug, PartialEq)]
pub enum WebhookFault {
    Deliver,
    /// Never sent; recorded as a delivery with an error.
    Drop {
        rule: String,
    },
    /// Sent twice.
    Duplicate {
        rule: String,
    },
    /// Sent `seconds` of simulated time later.
    Delay {
        rule: String,
        seconds: f64,
    },
    /// Held until the next message to the same target has been queued, then sent after it.
    Reorder {
        rule: String,
    },
}

/// Consulted once per webhook message (one per subscribed target) before it is queued.
pub trait WebhookFaults: Send + Sync {
    fn decide(&self, provider: &str, tenant: &str, event: &str) -> WebhookFault;
}

/// Where a new message goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Queue {
    /// Sent as soon as the lane is free.
    Ready,
    /// Parked until a timeline entry unparks it.
    Parked,
    /// Held until the next message to the same target is queued.
    HeldForNext,
}

/// When and how often failed deliveries are tried again.
#[derive(Clone, Debug)]
pub struct RetryPolicy {
    /// Attempts in all, the first included. Default 6.
    pub max_attempts: u32,
    /// Simulated seconds to wait before attempt 2, 3, …; the last value repeats.
    /// Default 30 s, 2 min, 10 min, 1 h, 6 h.
    pub backoff_s: Vec<i64>,
    /// Wall-clock time allowed for one attempt. Default 5 s.
    pub timeout: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 6,
            backoff_s: vec![30, 120, 600, 3600, 21600],
            timeout: Duration::from_secs(5),
        }
    }
}

impl RetryPolicy {
    /// Seconds to wait after failed attempt number `attempt` (1-based), or `None` when spent.
    pub fn backoff_after(&self, attempt: u32) -> Option<i64> {
        if attempt >= self.max_attempts {
            return None;
        }
        let i = (attempt as usize).saturating_sub(1);
        self.backoff_s
            .get(i)
            .or(self.backoff_s.last())
            .copied()
            .or(Some(60))
    }
}

/// A message waiting for its next attempt.
#[derive(Clone, Debug)]
pub struct Message {
    pub id: u64,
    pub provider: String,
    pub tenant: String,
    pub event: String,
    pub target: String,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Bytes,
    /// Attempts made so far.
    pub attempts: u32,
    /// Simulated time the next attempt is due.
    pub due: DateTime<Utc>,
    /// The fault rule that touched it, for the delivery records.
    pub fault: Option<String>,
}

#[derive(Debug, Default)]
struct State {
    next_target: u64,
    next_message: u64,
    next_delivery: u64,
    targets: Vec<WebhookTarget>,
    ready: VecDeque<Message>,
    waiting: BTreeMap<u64, Message>,
    /// Reordered messages by target id, released behind the target's next message.
    held: BTreeMap<String, Message>,
    deliveries: VecDeque<Delivery>,
}

#[derive(Debug)]
pub struct Outbox {
    pub policy: RetryPolicy,
    deliveries_cap: usize,
    state: Mutex<State>,
}

impl Outbox {
    pub fn new(policy: RetryPolicy, deliveries_cap: usize) -> Self {
        Self {
            policy,
            deliveries_cap: deliveries_cap.max(1),
            state: Mutex::new(State::default()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Stores a target; its `id` is `wh_<n>` unless one is given.
    pub fn add_target(&self, mut target: WebhookTarget) -> WebhookTarget {
        let mut s = self.lock();
        if target.id.is_empty() {
            s.next_target += 1;
            target.id = format!("wh_{}", s.next_target);
        }
        s.targets.retain(|t| t.id != target.id);
        s.targets.push(target.clone());
        target
    }

    pub fn remove_target(&self, id: &str) -> Option<WebhookTarget> {
        let mut s = self.lock();
        let i = s.targets.iter().position(|t| t.id == id)?;
        Some(s.targets.remove(i))
    }

    pub fn targets(&self, provider: Option<&str>, tenant: Option<&str>) -> Vec<WebhookTarget> {
        self.lock()
            .targets
            .iter()
            .filter(|t| provider.is_none_or(|p| t.provider == p))
            .filter(|t| tenant.is_none_or(|x| t.tenant == x))
            .cloned()
            .collect()
    }

    /// Queues a message for immediate sending.
    pub fn enqueue(
        &self,
        target: &WebhookTarget,
        event: &str,
        headers: Vec<(String, String)>,
        body: Bytes,
        due: DateTime<Utc>,
    ) -> u64 {
        self.enqueue_to(target, event, (headers, body), due, None, Queue::Ready)
    }

    /// Queues a message where `queue` says, noting the fault rule that put it there. A message
    /// queued ready releases the target's held (reordered) message behind it.
    pub fn enqueue_to(
        &self,
        target: &WebhookTarget,
        event: &str,
        (headers, body): (Vec<(String, String)>, Bytes),
        due: DateTime<Utc>,
        fault: Option<String>,
        queue: Queue,
    ) -> u64 {
        let mut s = self.lock();
        s.next_message += 1;
        let id = s.next_message;
        let message = Message {
            id,
            provider: target.provider.clone(),
            tenant: target.tenant.clone(),
            event: event.to_string(),
            target: target.id.clone(),
            url: target.url.clone(),
            headers,
            body,
            attempts: 0,
            due,
            fault,
        };
        match queue {
            Queue::Ready => {
                s.ready.push_back(message);
                if let Some(held) = s.held.remove(&target.id) {
                    s.ready.push_back(held);
                }
            }
            Queue::Parked => {
                s.waiting.insert(id, message);
            }
            Queue::HeldForNext => {
                // A second reordered message releases the first: order is never lost for good.
                if let Some(earlier) = s.held.insert(target.id.clone(), message) {
                    s.ready.push_back(earlier);
                }
            }
        }
        id
    }

    pub fn pop_ready(&self) -> Option<Message> {
        self.lock().ready.pop_front()
    }

    pub fn has_ready(&self) -> bool {
        !self.lock().ready.is_empty()
    }

    /// Parks a message until its retry falls due on the timeline.
    pub fn park(&self, message: Message) {
        self.lock().waiting.insert(message.id, message);
    }

    /// Moves a parked message back to the send queue (its retry fell due at `due`).
    pub fn unpark(&self, id: u64, due: DateTime<Utc>) -> bool {
        let mut s = self.lock();
        match s.waiting.remove(&id) {
            Some(mut m) => {
                m.due = due;
                s.ready.push_back(m);
                true
            }
            None => false,
        }
    }

    /// Records an attempt; returns its id.
    pub fn record(&self, mut d: Delivery) -> u64 {
        let mut s = self.lock();
        s.next_delivery += 1;
        d.id = s.next_delivery;
        if s.deliveries.len() >= self.deliveries_cap {
            s.deliveries.pop_front();
        }
        s.deliveries.push_back(d);
        s.next_delivery
    }

    pub fn deliveries(&self, provider: Option<&str>, tenant: Option<&str>) -> Vec<Delivery> {
        self.lock()
            .deliveries
            .iter()
            .filter(|d| provider.is_none_or(|p| d.provider == p))
            .filter(|d| tenant.is_none_or(|t| d.tenant == t))
            .cloned()
            .collect()
    }

    pub fn reset(&self, provider: Option<&str>) {
        let mut s = self.lock();
        let keep = |p: &str| provider.is_some_and(|want| want != p);
        s.targets.retain(|t| keep(&t.provider));
        s.ready.retain(|m| keep(&m.provider));
        s.waiting.retain(|_, m| keep(&m.provider));
        s.held.retain(|_, m| keep(&m.provider));
        s.deliveries.retain(|d| keep(&d.provider));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_follows_the_policy_then_stops() {
        let p = RetryPolicy::default();
        assert_eq!(p.backoff_after(1), Some(30));
        assert_eq!(p.backoff_after(5), Some(21600));
        assert_eq!(p.backoff_after(6), None);
    }

    fn target() -> WebhookTarget {
        WebhookTarget {
            id: "wh_1".into(),
            provider: "p".into(),
            tenant: "p:t".into(),
            url: "http://127.0.0.1:1/".into(),
            events: vec![],
            secret: "s".into(),
            extra: BTreeMap::new(),
            created_at: String::new(),
        }
    }

    #[test]
    fn a_held_message_goes_out_right_after_the_next_one_to_its_target() {
        let outbox = Outbox::new(RetryPolicy::default(), 10);
        let at = crate::clock::manual_epoch();
        let msg = || (vec![], Bytes::new());
        let note = Some("r: webhook_reorder".to_string());

        outbox.enqueue_to(&target(), "first", msg(), at, note, Queue::HeldForNext);
        let nothing_yet = outbox.has_ready();
        outbox.enqueue(&target(), "second", vec![], Bytes::new(), at);

        assert!(!nothing_yet);
        let order: Vec<_> = std::iter::from_fn(|| outbox.pop_ready())
            .map(|m| m.event)
            .collect();
        assert_eq!(order, ["second", "first"]);
    }

    #[test]
    fn a_target_without_events_wants_everything() {
        let mut t = target();
        assert!(t.wants("cashout.created"));
        t.events = vec!["cashout.processed".into()];
        assert!(!t.wants("cashout.created"));
        assert!(t.wants("cashout.processed"));
    }
}
