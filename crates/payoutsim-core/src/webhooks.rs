//! The webhook outbox: targets per tenant, messages waiting to be sent, and every attempt made.
//!
//! A provider emits an event with its own payload; the engine queues one message per subscribed
//! target, each carrying the event's [`Payload`] (the body, the provider's stable message id, its
//! retry schedule). Messages go out in lanes, one per receiver (scheme, host and port): a lane's
//! messages are sent one at a time and in order by the one sender that claimed it, and lanes do
//! not wait for each other, so a receiver that hangs only holds up its own messages. At most
//! `queue_cap` messages are pending (ready, waiting for a retry, or held); past it the oldest
//! pending one is dropped, counted ([`QueueStats::dropped`]) and recorded as a failed delivery. Every attempt is signed afresh by the
//! provider from an [`Attempt`] (the target's secret, the body, the message id, the attempt's
//! number and times), so a scheme that signs a timestamp signs each attempt's own. A failed
//! attempt is retried on the simulated clock after the backoff of the message's [`RetryPolicy`];
//! every attempt is recorded, with the headers it was sent with, for
//! `GET /__admin/webhooks/deliveries`.
//!
//! [`WebhookFaults`] is the seam through which fault rules drop, duplicate, delay or reorder a
//! message; the engine consults it once per message and records what it decided.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
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
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
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

/// Where a pending message is.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Place {
    /// In its lane's send queue.
    Ready(String),
    /// Parked until a timeline entry unparks it.
    Waiting,
    /// Held (reordered) until the next message to its target is queued.
    Held,
}

/// The last number given to a webhook target, a message and a delivery record.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Numbering {
    pub targets: u64,
    pub messages: u64,
    pub deliveries: u64,
}

#[derive(Debug, Default)]
struct State {
    next_target: u64,
    next_message: u64,
    next_delivery: u64,
    targets: Vec<WebhookTarget>,
    /// Every pending message (ready, waiting or held) by number: the lowest is the oldest.
    pending: BTreeMap<u64, (Message, Place)>,
    /// Ready message numbers per lane, in sending order.
    lanes: BTreeMap<String, VecDeque<u64>>,
    /// Lanes a sender has claimed.
    busy: BTreeSet<String>,
    ready: usize,
    /// Reordered messages by target id, released behind the target's next message.
    held: BTreeMap<String, u64>,
    /// Messages taken by a sender and not yet finished, by number.
    flying: BTreeMap<u64, Message>,
    /// Messages dropped because the queue was full.
    dropped: u64,
    /// Attempts recorded since the start.
    attempts: u64,
    deliveries: VecDeque<Delivery>,
}

impl State {
    fn make_ready(&mut self, id: u64, mut message: Message) {
        let lane = lane_of(&message.target.url);
        message.id = id;
        self.lanes.entry(lane.clone()).or_default().push_back(id);
        self.pending.insert(id, (message, Place::Ready(lane)));
        self.ready += 1;
    }

    /// Removes pending message `id` from wherever it is.
    fn take(&mut self, id: u64) -> Option<Message> {
        let (message, place) = self.pending.remove(&id)?;
        match place {
            Place::Ready(lane) => {
                self.ready -= 1;
                if let Some(queue) = self.lanes.get_mut(&lane) {
                    queue.retain(|n| *n != id);
                    if queue.is_empty() {
                        self.lanes.remove(&lane);
                    }
                }
            }
            Place::Held => self.held.retain(|_, n| *n != id),
            Place::Waiting => {}
        }
        Some(message)
    }

    fn record(&mut self, mut d: Delivery, cap: usize) -> u64 {
        self.next_delivery += 1;
        d.id = self.next_delivery;
        if self.deliveries.len() >= cap {
            self.deliveries.pop_front();
        }
        self.deliveries.push_back(d);
        self.next_delivery
    }
}

/// The lane a URL's messages are sent in: its scheme, host and port (the whole URL when it does
/// not parse), so that one receiver that hangs only holds up its own messages.
fn lane_of(url: &str) -> String {
    match reqwest::Url::parse(url) {
        Ok(u) => format!(
            "{}://{}:{}",
            u.scheme(),
            u.host_str().unwrap_or_default(),
            u.port_or_known_default().unwrap_or(0)
        ),
        Err(_) => url.to_string(),
    }
}

/// How the queue stands, for the admin API and the shutdown log.
#[derive(Clone, Debug, Default, Serialize, PartialEq, Eq)]
pub struct QueueStats {
    /// Messages waiting, in all: `ready + retrying + held`.
    pub pending: usize,
    /// Due now, waiting for their lane's sender.
    pub ready: usize,
    /// Failed, waiting for their retry on the simulated clock (or delayed by a fault rule).
    pub retrying: usize,
    /// Held by a reorder fault until the next message to their target.
    pub held: usize,
    /// Being sent now.
    pub in_flight: usize,
    /// At most this many pending (`--webhook-queue-cap`).
    pub cap: usize,
    /// Dropped since the start because the queue was full (the oldest pending first).
    pub dropped: u64,
}

/// Messages of one target not delivered yet, for the shutdown log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TargetBacklog {
    pub target: String,
    pub url: String,
    pub pending: usize,
}

/// A tenant already has `limit` webhook targets of the provider (`--max-webhook-targets`): a new
/// one is refused, each provider in its own validation error.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("at most {limit} webhooks per account (--max-webhook-targets)")]
pub struct TooManyTargets {
    pub limit: usize,
}

#[derive(Debug)]
pub struct Outbox {
    pub policy: RetryPolicy,
    deliveries_cap: usize,
    queue_cap: usize,
    state: Mutex<State>,
}

impl Outbox {
    /// An outbox that keeps `deliveries_cap` attempt records and at most `queue_cap` pending
    /// messages (past it, the oldest pending one is dropped and counted).
    pub fn new(policy: RetryPolicy, deliveries_cap: usize, queue_cap: usize) -> Self {
        Self {
            policy,
            deliveries_cap: deliveries_cap.max(1),
            queue_cap: queue_cap.max(1),
            state: Mutex::new(State::default()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Stores a target; its `id` is `wh_<n>` unless one is given. A target with a known id
    /// replaces it; a new one is refused when its tenant already has `max_per_tenant` of the
    /// provider's targets.
    pub fn add_target(
        &self,
        mut target: WebhookTarget,
        max_per_tenant: usize,
    ) -> Result<WebhookTarget, TooManyTargets> {
        let mut s = self.lock();
        let known = !target.id.is_empty() && s.targets.iter().any(|t| t.id == target.id);
        let same_tenant =
            |t: &&WebhookTarget| t.provider == target.provider && t.tenant == target.tenant;
        if !known && s.targets.iter().filter(same_tenant).count() >= max_per_tenant {
            return Err(TooManyTargets {
                limit: max_per_tenant,
            });
        }
        if target.id.is_empty() {
            s.next_target += 1;
            target.id = format!("wh_{}", s.next_target);
        }
        s.targets.retain(|t| t.id != target.id);
        s.targets.push(target.clone());
        Ok(target)
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
    /// target's held (reordered) message behind it. Past the queue cap, the oldest pending
    /// messages are dropped (see [`Outbox::new`]).
    pub fn enqueue_to(&self, mut message: Message, queue: Queue) -> u64 {
        let mut s = self.lock();
        s.next_message += 1;
        let id = s.next_message;
        message.id = id;
        let target = message.target.id.clone();
        match queue {
            Queue::Ready => {
                s.make_ready(id, message);
                if let Some(held) = s.held.remove(&target)
                    && let Some((m, _)) = s.pending.remove(&held)
                {
                    s.make_ready(held, m);
                }
            }
            Queue::Parked => {
                s.pending.insert(id, (message, Place::Waiting));
            }
            Queue::HeldForNext => {
                // A second reordered message releases the first: order is never lost for good.
                if let Some(earlier) = s.held.insert(target, id)
                    && let Some((m, _)) = s.pending.remove(&earlier)
                {
                    s.make_ready(earlier, m);
                }
                s.pending.insert(id, (message, Place::Held));
            }
        }
        self.enforce_cap(&mut s);
        id
    }

    /// Drops the oldest pending messages while more than the cap are pending, recording each as
    /// a failed delivery.
    fn enforce_cap(&self, s: &mut State) {
        while s.pending.len() > self.queue_cap {
            let Some(&oldest) = s.pending.keys().next() else {
                return;
            };
            let Some(m) = s.take(oldest) else { return };
            s.dropped += 1;
            let error = format!(
                "dropped: the webhook queue was full ({} pending, --webhook-queue-cap)",
                self.queue_cap
            );
            let record = m.delivery(m.attempts, Vec::new(), (None, Some(error)));
            s.record(record, self.deliveries_cap);
        }
    }

    /// The schedule `message` is retried on: its provider's, else the outbox's.
    pub fn policy_of<'a>(&'a self, message: &'a Message) -> &'a RetryPolicy {
        message.payload.retry.as_deref().unwrap_or(&self.policy)
    }

    /// Claims every lane that has ready messages and no sender: the caller starts one sender on
    /// each, which takes its messages with [`Outbox::next_in`].
    pub fn claim_lanes(&self) -> Vec<String> {
        let mut s = self.lock();
        let free: Vec<String> = (s.lanes.keys())
            .filter(|lane| !s.busy.contains(*lane))
            .cloned()
            .collect();
        s.busy.extend(free.iter().cloned());
        free
    }

    /// The next message of a claimed `lane`, now in flight (finish it with
    /// [`Outbox::finished`]); `None` releases the lane.
    pub fn next_in(&self, lane: &str) -> Option<Message> {
        let mut s = self.lock();
        let next = s.lanes.get(lane).and_then(|q| q.front().copied());
        let Some(id) = next else {
            s.busy.remove(lane);
            s.lanes.remove(lane);
            return None;
        };
        let message = s.take(id)?;
        s.flying.insert(id, message.clone());
        Some(message)
    }

    /// Message `id`, taken with [`Outbox::next_in`], is done with (delivered, parked, given up
    /// or abandoned).
    pub fn finished(&self, id: u64) {
        self.lock().flying.remove(&id);
    }

    /// Releases a claimed lane whose sender stopped (the messages left in it stay ready).
    pub fn release(&self, lane: &str) {
        self.lock().busy.remove(lane);
    }

    /// Whether messages are due now or being sent.
    pub fn has_ready(&self) -> bool {
        let s = self.lock();
        s.ready > 0 || !s.flying.is_empty()
    }

    /// Parks a message until its retry falls due on the timeline.
    pub fn park(&self, message: Message) {
        let mut s = self.lock();
        s.flying.remove(&message.id);
        s.pending.insert(message.id, (message, Place::Waiting));
        self.enforce_cap(&mut s);
    }

    /// Moves a parked message back to the send queue (its retry fell due at `due`).
    pub fn unpark(&self, id: u64, due: DateTime<Utc>) -> bool {
        let mut s = self.lock();
        if !matches!(s.pending.get(&id), Some((_, Place::Waiting))) {
            return false;
        }
        match s.pending.remove(&id) {
            Some((mut m, _)) => {
                m.due = due;
                s.make_ready(id, m);
                true
            }
            None => false,
        }
    }

    /// Records an attempt; returns its id.
    pub fn record(&self, d: Delivery) -> u64 {
        let mut s = self.lock();
        if d.attempt > 0 {
            s.attempts += 1;
        }
        s.record(d, self.deliveries_cap)
    }

    /// Where the numbering of targets, messages and delivery records stands: what a reset does
    /// not put back (numbers are never reused), kept beside a `--data-dir` log's full reset.
    pub fn numbering(&self) -> Numbering {
        let s = self.lock();
        Numbering {
            targets: s.next_target,
            messages: s.next_message,
            deliveries: s.next_delivery,
        }
    }

    /// Numbers what comes next after `numbering` (a replay that starts at a full reset, which
    /// numbered nothing before it).
    pub fn set_numbering(&self, numbering: Numbering) {
        let mut s = self.lock();
        s.next_target = s.next_target.max(numbering.targets);
        s.next_message = s.next_message.max(numbering.messages);
        s.next_delivery = s.next_delivery.max(numbering.deliveries);
    }

    /// Puts back delivery records kept from an earlier run (`--data-dir`), oldest first; new
    /// ones are numbered after the highest.
    pub fn restore_history(&self, history: Vec<Delivery>) {
        let mut s = self.lock();
        for d in history {
            s.next_delivery = s.next_delivery.max(d.id);
            if d.attempt > 0 {
                s.attempts += 1;
            }
            if s.deliveries.len() >= self.deliveries_cap {
                s.deliveries.pop_front();
            }
            s.deliveries.push_back(d);
        }
    }

    /// The target pending message `id` is queued to.
    pub fn target_of(&self, id: u64) -> Option<Arc<WebhookTarget>> {
        let s = self.lock();
        s.pending.get(&id).map(|(m, _)| m.target.clone())
    }

    /// Forgets pending message `id`: an earlier run (`--data-dir`) finished with it.
    pub fn forget(&self, id: u64) -> bool {
        self.lock().take(id).is_some()
    }

    /// Pending message `id` had `attempts` made in an earlier run (`--data-dir`) and its next one
    /// due at `due`: parked until then, as after a failed attempt. False when it is not pending.
    pub fn resume(&self, id: u64, attempts: u32, due: DateTime<Utc>) -> bool {
        let mut s = self.lock();
        let Some(mut m) = s.take(id) else {
            return false;
        };
        m.attempts = attempts;
        m.due = due;
        s.pending.insert(id, (m, Place::Waiting));
        true
    }

    /// Attempts recorded since the start.
    pub fn attempts(&self) -> u64 {
        self.lock().attempts
    }

    /// How the queue stands.
    pub fn stats(&self) -> QueueStats {
        let s = self.lock();
        let held = s.held.len();
        QueueStats {
            pending: s.pending.len(),
            ready: s.ready,
            retrying: s.pending.len() - s.ready - held,
            held,
            in_flight: s.flying.len(),
            cap: self.queue_cap,
            dropped: s.dropped,
        }
    }

    /// Messages not delivered yet (pending or in flight) per target, the most first, for the
    /// shutdown log.
    pub fn backlog(&self) -> Vec<TargetBacklog> {
        let s = self.lock();
        let mut by_target: BTreeMap<(&str, &str), usize> = BTreeMap::new();
        let pending = s.pending.values().map(|(m, _)| m);
        for m in pending.chain(s.flying.values()) {
            *by_target.entry((&m.target.id, &m.target.url)).or_default() += 1;
        }
        let mut backlog: Vec<TargetBacklog> = (by_target.into_iter())
            .map(|((target, url), pending)| TargetBacklog {
                target: target.to_string(),
                url: url.to_string(),
                pending,
            })
            .collect();
        backlog.sort_by_key(|t| std::cmp::Reverse(t.pending));
        backlog
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

    /// Drops one tenant's targets and pending messages (its delivery records stay, bounded by
    /// the history cap).
    pub fn forget_tenant(&self, tenant: &str) {
        let mut s = self.lock();
        s.targets.retain(|t| t.tenant != tenant);
        let gone: Vec<u64> = (s.pending.iter())
            .filter(|(_, (m, _))| m.target.tenant == tenant)
            .map(|(id, _)| *id)
            .collect();
        for id in gone {
            s.take(id);
        }
    }

    pub fn reset(&self, provider: Option<&str>) {
        let mut s = self.lock();
        let keep = |p: &str| provider.is_some_and(|want| want != p);
        s.targets.retain(|t| keep(&t.provider));
        let gone: Vec<u64> = (s.pending.iter())
            .filter(|(_, (m, _))| !keep(&m.target.provider))
            .map(|(id, _)| *id)
            .collect();
        for id in gone {
            s.take(id);
        }
        s.deliveries.retain(|d| keep(&d.provider));
        // What a reset forgets goes back to the allocator, not only out of sight.
        s.targets.shrink_to_fit();
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
        let outbox = Outbox::new(RetryPolicy::default(), 10, 100);
        let at = crate::clock::manual_epoch();
        let note = Some("r: webhook_reorder".to_string());

        let held = Message::new(target(), payload("first"), at, note);
        outbox.enqueue_to(held, Queue::HeldForNext);
        let nothing_yet = outbox.has_ready();
        outbox.enqueue(target(), payload("second"), at);

        assert!(!nothing_yet);
        assert_eq!(order_sent(&outbox), ["second", "first"]);
    }

    /// The events of every ready message, lane by lane, in the order each lane sends them.
    fn order_sent(outbox: &Outbox) -> Vec<String> {
        let mut sent = Vec::new();
        for lane in outbox.claim_lanes() {
            while let Some(m) = outbox.next_in(&lane) {
                sent.push(m.payload.event);
                outbox.finished(m.id);
            }
        }
        sent
    }

    fn target_at(id: &str, url: &str) -> Arc<WebhookTarget> {
        let mut t = WebhookTarget::clone(&target());
        t.id = id.into();
        t.url = url.into();
        Arc::new(t)
    }

    #[test]
    fn messages_to_different_hosts_go_in_lanes_of_their_own_each_in_order() {
        let outbox = Outbox::new(RetryPolicy::default(), 10, 100);
        let at = crate::clock::manual_epoch();
        let a = target_at("wh_a", "http://127.0.0.1:9001/a");
        let b = target_at("wh_b", "http://127.0.0.1:9002/b");
        for event in ["a1", "a2"] {
            outbox.enqueue(a.clone(), payload(event), at);
        }
        outbox.enqueue(b.clone(), payload("b1"), at);

        let lanes = outbox.claim_lanes();
        let again = outbox.claim_lanes();

        assert_eq!(lanes, ["http://127.0.0.1:9001", "http://127.0.0.1:9002"]);
        assert!(again.is_empty(), "a claimed lane is not claimed twice");
        let first = outbox.next_in(&lanes[0]).map(|m| m.payload.event);
        let other = outbox.next_in(&lanes[1]).map(|m| m.payload.event);
        let second = outbox.next_in(&lanes[0]).map(|m| m.payload.event);
        assert_eq!(
            (first.as_deref(), other.as_deref(), second.as_deref()),
            (Some("a1"), Some("b1"), Some("a2"))
        );
        assert_eq!(outbox.stats().in_flight, 3);
    }

    #[test]
    fn past_the_queue_cap_the_oldest_pending_message_is_dropped_counted_and_recorded() {
        let outbox = Outbox::new(RetryPolicy::default(), 10, 3);
        let at = crate::clock::manual_epoch();
        let parked = Message::new(target(), payload("e1"), at, None);
        outbox.enqueue_to(parked, Queue::Parked);
        for event in ["e2", "e3", "e4", "e5"] {
            outbox.enqueue(target(), payload(event), at);
        }

        let stats = outbox.stats();

        assert_eq!((stats.pending, stats.dropped, stats.cap), (3, 2, 3));
        assert_eq!((stats.ready, stats.retrying), (3, 0));
        assert_eq!(order_sent(&outbox), ["e3", "e4", "e5"]);
        let records = outbox.deliveries(None, None);
        let dropped: Vec<&str> = records.iter().map(|d| d.event.as_str()).collect();
        assert_eq!(dropped, ["e1", "e2"]);
        assert!((records.iter()).all(|d| {
            d.error
                .as_deref()
                .is_some_and(|e| e.contains("--webhook-queue-cap"))
        }));
        assert_eq!(outbox.attempts(), 0, "a drop is not an attempt");
    }

    #[test]
    fn a_dropped_parked_message_is_not_unparked() {
        let outbox = Outbox::new(RetryPolicy::default(), 10, 1);
        let at = crate::clock::manual_epoch();
        let id = outbox.enqueue_to(
            Message::new(target(), payload("old"), at, None),
            Queue::Parked,
        );
        outbox.enqueue(target(), payload("new"), at);

        assert!(!outbox.unpark(id, at));
        assert_eq!(order_sent(&outbox), ["new"]);
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
