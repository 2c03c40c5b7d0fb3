//! What `--data-dir` needs of the engine: a [`Recorder`] told of what changes outside the
//! inputs (the ticker's transitions, webhook attempts and deliveries), the input lock that orders
//! every state-changing input, a replaying mode (nothing sent, nothing recorded twice, no wait
//! for webhooks), and putting back the deliveries and the webhook progress an earlier run kept.
//!
//! The engine knows nothing of the store: `payoutsim`'s `persist` module implements the
//! recorder over SQLite.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use chrono::{DateTime, Utc};

use super::Engine;
use crate::timeline::Action;
use crate::webhooks::Delivery;

/// Where a webhook message stands after an attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MessageProgress {
    /// Delivered, given up, or never to be sent: it is no longer pending.
    Done,
    /// `attempts` made; the next one is due at `retry_at` (simulated time).
    Retrying {
        attempts: u32,
        retry_at: DateTime<Utc>,
    },
}

/// Told, in the same step, of each state change that is not an input the recorder logs itself.
/// Its methods are called from the request path and the webhook senders; they block until what
/// they record is written.
pub trait Recorder: Send + Sync {
    /// The real-clock ticker applied what fell due at global simulated time `at` (under the
    /// input lock, so in order with the inputs).
    fn ticked(&self, at: DateTime<Utc>);
    /// A delivery record was made (an attempt, or a message dropped), numbered.
    fn delivery(&self, delivery: &Delivery);
    /// Message number `message` is where `progress` says, after an attempt.
    fn message(&self, message: u64, progress: MessageProgress);
}

impl Engine {
    /// Installs the recorder (`--data-dir`); from then on the ticker takes the input lock.
    pub fn set_recorder(&self, recorder: Arc<dyn Recorder>) {
        let mut slot = self.0.recorder.write().unwrap_or_else(|e| e.into_inner());
        *slot = Some(recorder);
    }

    pub(super) fn recorder(&self) -> Option<Arc<dyn Recorder>> {
        (self.0.recorder.read().unwrap_or_else(|e| e.into_inner())).clone()
    }

    /// The lock every state-changing input is handled under when a recorder is installed, so
    /// that the order inputs are logged in is the order they changed state in (ids and outbox
    /// numbers shared across tenants included).
    pub fn input_lock(&self) -> &tokio::sync::Mutex<()> {
        &self.0.inputs
    }

    /// Replaying an earlier run's inputs: no webhook is sent, no delivery recorded (the store
    /// puts them back), and `settle` does not wait for attempts.
    pub fn set_replaying(&self, replaying: bool) {
        self.0.replaying.store(replaying, Ordering::SeqCst);
    }

    pub fn replaying(&self) -> bool {
        self.0.replaying.load(Ordering::SeqCst)
    }

    /// Records a delivery (unless replaying) and tells the recorder.
    pub(super) fn record_delivery(&self, delivery: Delivery) {
        if self.replaying() {
            return;
        }
        let recorder = self.recorder();
        let kept = recorder.as_ref().map(|_| delivery.clone());
        let id = self.0.outbox.record(delivery);
        if let (Some(r), Some(mut d)) = (recorder, kept) {
            d.id = id;
            r.delivery(&d);
        }
    }

    pub(super) fn record_progress(&self, message: u64, progress: MessageProgress) {
        if let Some(r) = self.recorder() {
            r.message(message, progress);
        }
    }

    /// Where the webhook numbering stands (targets, messages, delivery records).
    pub fn webhook_numbering(&self) -> crate::webhooks::Numbering {
        self.0.outbox.numbering()
    }

    /// Continues the webhook numbering after `numbering` (a replay that starts at a full reset).
    pub fn set_webhook_numbering(&self, numbering: crate::webhooks::Numbering) {
        self.0.outbox.set_numbering(numbering);
    }

    /// Puts back the delivery records an earlier run kept, oldest first.
    pub fn restore_deliveries(&self, history: Vec<Delivery>) {
        self.0.outbox.restore_history(history);
    }

    /// Puts back where pending message `message` stood in an earlier run: forgotten when done,
    /// else parked with its attempts until its retry falls due. False when no such message is
    /// pending (the replay did not queue it).
    pub fn restore_message(&self, message: u64, progress: MessageProgress) -> bool {
        let s = &self.0;
        match progress {
            MessageProgress::Done => s.outbox.forget(message),
            MessageProgress::Retrying { attempts, retry_at } => {
                let Some(target) = s.outbox.target_of(message) else {
                    return false;
                };
                if !s.outbox.resume(message, attempts, retry_at) {
                    return false;
                }
                let action = Action::WebhookRetry { message };
                s.timeline
                    .schedule(&target.provider, &target.tenant, retry_at, action);
                true
            }
        }
    }
}
