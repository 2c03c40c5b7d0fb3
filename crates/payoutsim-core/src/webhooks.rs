//! The webhook outbox: targets per tenant, messages waiting to be sent, and every attempt made.
//!
//! A provider emits an event with its own payload; the engine queues one message per subscribed
//! target, each carrying the event's [`Payload`] (the body, the provider's stable message id, its
//! retry schedule). Messages are sent one at a time, in order, by whoever holds the delivery lane
//! (the background worker, or `Engine::settle` in tests). Every attempt is signed afresh by the
//! provider from an [`Attempt`] (the target's secret, the body, the message id, the attempt's
//! number and times), so a scheme that signs a timestamp signs each attempt's own. A failed
//! attempt is retried on the simulated clock after the backoff of the message's [`RetryPolicy`];
//! every attempt is recorded, with the headers it was sent with, for
//! `GET /__admin/webhooks/deliveries`.
//!
//! [`WebhookFaults`] is the seam through which fault rules drop, duplicate, delay or reorder a
//! message; the engine consults it once per message and records what it decided.

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex};
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

/// What a provider's signer is given for one attempt of one message.
#[derive(Clone, Copy, Debug)]
pub struct Attempt<'a> {
    /// The target as it was when the message was queued: its secret and extras.
    pub target: &'a WebhookTarget,
    pub event: &'a str,
    /// The body exactly as sent.
    pub body: &'a [u8],
    /// The message's stable id, the same on every attempt and every copy
    /// (`Provider::webhook_message_id`), if the provider makes one.
    pub message_id: Option<&'a str>,
    /// 1 for the first attempt, 2 for the first retry, …
    pub number: u32,
    /// The simulated time the attempt fell due (the delivery record's `at`).
    pub at: DateTime<Utc>,
    /// The wall-clock time of the attempt ([`crate::clock::Clock::wall`]), for a scheme whose
    /// receivers compare a signed timestamp with their own clock.
    pub wall: DateTime<Utc>,
}

/// One delivery attempt.
#[derive(Clone, Debug, Serialize)]
pub struct Delivery {
    pub id: u64,
    pub message: u64,
    /// The provider's stable id of the message, when it makes one (`svix-id`, say).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_id: Option<String>,
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
    /// Svix's schedule (Dots' webhooks): the first attempt at once, then retries 5 s, 5 min,
    /// 30 min, 2 h, 5 h, 10 h and 10 h after the previous failure, 8 attempts in all; an attempt
    /// succeeds with a 2xx answer within 15 s.
    pub fn svix() -> Self {
        Self {
            max_attempts: 8,
            backoff_s: vec![5, 300, 1800, 7200, 18000, 36000, 36000],
            timeout: Duration::from_secs(15),
        }
    }

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

/// What every message of one event carries.
#[derive(Clone, Debug)]
pub struct Payload {
    pub event: String,
    pub body: Bytes,
    /// The provider's stable id for the event's messages (`Provider::webhook_message_id`).
    pub message_id: Option<String>,
    /// The provider's own retry schedule (`Provider::webhook_retry`); `None`: the outbox's.
    pub retry: Option<Arc<RetryPolicy>>,
}

/// A message waiting for its next attempt.
#[derive(Clone, Debug)]
pub struct Message {
    /// The outbox's number for it (each copy of a duplicated message has its own).
    pub id: u64,
    /// The target as it was when the message was queued: its secret signs every attempt.
    pub target: Arc<WebhookTarget>,
    pub payload: Payload,
    /// Attempts made so far.
    pub attempts: u32,
    /// Simulated time the next attempt is due.
    pub due: DateTime<Utc>,
    /// The fault rule that touched it, for the delivery records.
    pub fault: Option<String>,
}

impl Message {
    /// A message to `target` not yet queued (the outbox numbers it when it is).
    pub fn new(
        target: Arc<WebhookTarget>,
        payload: Payload,
        due: DateTime<Utc>,
        fault: Option<String>,
    ) -> Self {
        Self {
            id: 0,
            target,
            payload,
            attempts: 0,
            due,
            fault,
        }
    }

    /// Attempt number `number` of this message at wall-clock time `wall`, for its signer.
    pub fn attempt(&self, number: u32, wall: DateTime<Utc>) -> Attempt<'_> {
        Attempt {
            target: &self.target,
            event: &self.payload.event,
            body: &self.payload.body,
            message_id: self.payload.message_id.as_deref(),
            number,
            at: self.due,
            wall,
        }
    }

    /// The record of attempt number `attempt`, sent with `headers`, answered `status` or failed
    /// with `error`.
    pub fn delivery(
        &self,
        attempt: u32,
        headers: Vec<(String, String)>,
        (status, error): (Option<u16>, Option<String>),
    ) -> Delivery {
        let t = &self.target;
        Delivery {
            id: 0,
            message: self.id,
            message_id: self.payload.message_id.clone(),
            provider: t.provider.clone(),
            tenant: t.tenant.clone(),
            event: self.payload.event.clone(),
            target: t.id.clone(),
            url: t.url.clone(),
            attempt,
            at: crate::clock::rfc3339(self.due),
            status,
            error,
            fault: self.fault.clone(),
            headers: headers.into_iter().collect(),
            body: serde_json::from_slice(&self.payload.body).unwrap_or(Value::Null),
        }
    }
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
    pub fn enqueue(&self, target: Arc<WebhookTarget>, payload: Payload, due: DateTime<Utc>) -> u64 {
        self.enqueue_to(Message::new(target, payload, due, None), Queue::Ready)
    }

    /// Queues `message` where `queue` says, numbering it. A message queued ready releases the
    /// target's held (reordered) message behind it.
    pub fn enqueue_to(&self, mut message: Message, queue: Queue) -> u64 {
        let mut s = self.lock();
        s.next_message += 1;
        let id = s.next_message;
        message.id = id;
        let target = message.target.id.clone();
        match queue {
            Queue::Ready => {
                s.ready.push_back(message);
                if let Some(held) = s.held.remove(&target) {
                    s.ready.push_back(held);
                }
            }
            Queue::Parked => {
                s.waiting.insert(id, message);
            }
            Queue::HeldForNext => {
                // A second reordered message releases the first: order is never lost for good.
                if let Some(earlier) = s.held.insert(target, message) {
                    s.ready.push_back(earlier);
                }
            }
        }
        id
    }

    /// The schedule `message` is retried on: its provider's, else the outbox's.
    pub fn policy_of<'a>(&'a self, message: &'a Message) -> &'a RetryPolicy {
        message.payload.retry.as_deref().unwrap_or(&self.policy)
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
        s.ready.retain(|m| keep(&m.target.provider));
        s.waiting.retain(|_, m| keep(&m.target.provider));
        s.held.retain(|_, m| keep(&m.target.provider));
        s.deliveries.retain(|d| keep(&d.provider));
        // What a reset forgets goes back to the allocator, not only out of sight.
        s.targets.shrink_to_fit();
        s.ready.shrink_to_fit();
        s.deliveries.shrink_to_fit();
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

    #[test]
    fn the_svix_schedule_waits_its_own_intervals_then_stops_after_eight_attempts() {
        let p = RetryPolicy::svix();
        let waits: Vec<Option<i64>> = (1..=8).map(|n| p.backoff_after(n)).collect();
        assert_eq!(
            waits,
            [
                Some(5),
                Some(300),
                Some(1800),
                Some(7200),
                Some(18000),
                Some(36000),
                Some(36000),
                None
            ]
        );
    }

    fn target() -> Arc<WebhookTarget> {
        Arc::new(WebhookTarget {
            id: "wh_1".into(),
            provider: "p".into(),
            tenant: "p:t".into(),
            url: "http://127.0.0.1:1/".into(),
            events: vec![],
            secret: "s".into(),
            extra: BTreeMap::new(),
            created_at: String::new(),
        })
    }

    fn payload(event: &str) -> Payload {
        Payload {
            event: event.into(),
            body: Bytes::new(),
            message_id: None,
            retry: None,
        }
    }

    #[test]
    fn a_held_message_goes_out_right_after_the_next_one_to_its_target() {
        let outbox = Outbox::new(RetryPolicy::default(), 10);
        let at = crate::clock::manual_epoch();
        let note = Some("r: webhook_reorder".to_string());

        let held = Message::new(target(), payload("first"), at, note);
        outbox.enqueue_to(held, Queue::HeldForNext);
        let nothing_yet = outbox.has_ready();
        outbox.enqueue(target(), payload("second"), at);

        assert!(!nothing_yet);
        let order: Vec<_> = std::iter::from_fn(|| outbox.pop_ready())
            .map(|m| m.payload.event)
            .collect();
        assert_eq!(order, ["second", "first"]);
    }

    #[test]
    fn a_target_without_events_wants_everything() {
        let mut t = WebhookTarget::clone(&target());
        assert!(t.wants("cashout.created"));
        t.events = vec!["cashout.processed".into()];
        assert!(!t.wants("cashout.created"));
        assert!(t.wants("cashout.processed"));
    }
}
