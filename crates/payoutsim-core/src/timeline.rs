//! The timeline: what falls due when, per tenant, on the simulated clock.
//!
//! Each tenant has its own queue ordered by (due time, sequence), because each tenant may have its
//! own clock offset. [`Timeline::pop_due`] hands out the earliest due entry among the tenants whose
//! clock has reached it; the engine applies entries one at a time, so a transition that schedules
//! the next one (already due too) is applied in the same pass, in time order.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::fastmap::FastMap;
use crate::name::Name;

/// What happens when an entry falls due.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Action {
    /// Move object `object_id` of `kind` to status `to`. The id is shared with the timeline's
    /// index of objects (one copy per scheduled edge, not two).
    Transition {
        kind: Name,
        #[serde(serialize_with = "serialize_text")]
        object_id: Arc<str>,
        from: Name,
        to: Name,
    },
    /// Attempt webhook message `message` again.
    WebhookRetry { message: u64 },
}

/// An entry on the timeline.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Scheduled {
    pub seq: u64,
    pub due: DateTime<Utc>,
    pub provider: Name,
    pub tenant: String,
    pub action: Action,
}

fn serialize_text<S: serde::Serializer>(text: &Arc<str>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(text)
}

type Key = (DateTime<Utc>, u64);

/// Each object's scheduled keys, by the object's id (shared with its entries' actions).
type ByObject = FastMap<Arc<str>, Vec<Key>>;

#[derive(Debug, Default)]
struct Queues {
    next_seq: u64,
    by_tenant: BTreeMap<String, BTreeMap<Key, Scheduled>>,
    /// Per tenant, each object's scheduled transitions by their keys: what
    /// [`Timeline::cancel_object`] removes, without a pass over the tenant's whole queue. An
    /// object is here only while something is scheduled for it (a settled object costs nothing).
    by_object: FastMap<String, ByObject>,
}

impl Queues {
    /// Forgets `key` of `entry` in the object index.
    fn unindex(&mut self, entry: &Scheduled, key: Key) {
        let Action::Transition { object_id, .. } = &entry.action else {
            return;
        };
        let Some(objects) = self.by_object.get_mut(&entry.tenant) else {
            return;
        };
        if let Some(keys) = objects.get_mut(&**object_id) {
            keys.retain(|k| *k != key);
            if keys.is_empty() {
                objects.remove(&**object_id);
            }
        }
        if objects.is_empty() {
            self.by_object.remove(&entry.tenant);
        }
    }

    /// The object index built again from the queues (after a provider's reset).
    fn reindex(&mut self) {
        let mut by_object: FastMap<String, ByObject> = FastMap::default();
        for (tenant, queue) in &self.by_tenant {
            for (key, entry) in queue {
                if let Action::Transition { object_id, .. } = &entry.action {
                    (by_object.entry(tenant.clone()).or_default())
                        .entry(Arc::clone(object_id))
                        .or_default()
                        .push(*key);
                }
            }
        }
        self.by_object = by_object;
    }
}

#[derive(Debug, Default)]
pub struct Timeline {
    queues: Mutex<Queues>,
}

impl Timeline {
    fn lock(&self) -> std::sync::MutexGuard<'_, Queues> {
        self.queues.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn schedule(
        &self,
        provider: impl Into<Name>,
        tenant: &str,
        due: DateTime<Utc>,
        action: Action,
    ) -> u64 {
        let mut q = self.lock();
        q.next_seq += 1;
        let seq = q.next_seq;
        if let Action::Transition { object_id, .. } = &action {
            if !q.by_object.contains_key(tenant) {
                q.by_object.insert(tenant.to_string(), Default::default());
            }
            if let Some(objects) = q.by_object.get_mut(tenant) {
                objects
                    .entry(Arc::clone(object_id))
                    .or_default()
                    .push((due, seq));
            }
        }
        let entry = Scheduled {
            seq,
            due,
            provider: provider.into(),
            tenant: tenant.into(),
            action,
        };
        // The tenant's name is copied only for its first entry.
        match q.by_tenant.get_mut(tenant) {
            Some(queue) => {
                queue.insert((due, seq), entry);
            }
            None => {
                let queue = BTreeMap::from([((due, seq), entry)]);
                q.by_tenant.insert(tenant.to_string(), queue);
            }
        }
        seq
    }

    /// Removes and returns the earliest entry that is due by its tenant's clock (`now_for`),
    /// considering only `tenant` when given.
    pub fn pop_due(
        &self,
        tenant: Option<&str>,
        now_for: impl Fn(&str) -> DateTime<Utc>,
    ) -> Option<Scheduled> {
        let mut q = self.lock();
        let mut best: Option<(String, (DateTime<Utc>, u64))> = None;
        let mut consider = |t: &String, queue: &BTreeMap<(DateTime<Utc>, u64), Scheduled>| {
            if let Some((&key, _)) = queue.first_key_value()
                && key.0 <= now_for(t)
                && best.as_ref().is_none_or(|(_, b)| key < *b)
            {
                best = Some((t.clone(), key));
            }
        };
        match tenant {
            Some(want) => {
                if let Some((t, queue)) = q.by_tenant.get_key_value(want) {
                    consider(t, queue);
                }
            }
            None => q.by_tenant.iter().for_each(|(t, queue)| consider(t, queue)),
        }
        let (t, key) = best?;
        let queue = q.by_tenant.get_mut(&t)?;
        let entry = queue.remove(&key);
        if queue.is_empty() {
            q.by_tenant.remove(&t);
        }
        if let Some(e) = &entry {
            q.unindex(e, key);
        }
        entry
    }

    /// Whether an entry is due (for `tenant`, or any), without taking it.
    pub fn has_due(&self, tenant: Option<&str>, now_for: impl Fn(&str) -> DateTime<Utc>) -> bool {
        let q = self.lock();
        q.by_tenant.iter().any(|(t, queue)| {
            tenant.is_none_or(|want| want == t)
                && queue
                    .first_key_value()
                    .is_some_and(|(k, _)| k.0 <= now_for(t))
        })
    }

    /// Drops the pending transitions of one object (a back-office status change overrides them).
    pub fn cancel_object(&self, tenant: &str, object_id: &str) {
        let mut q = self.lock();
        let Some(objects) = q.by_object.get_mut(tenant) else {
            return;
        };
        let keys = objects.remove(object_id).unwrap_or_default();
        if objects.is_empty() {
            q.by_object.remove(tenant);
        }
        if let Some(queue) = q.by_tenant.get_mut(tenant) {
            for key in keys {
                queue.remove(&key);
            }
            if queue.is_empty() {
                q.by_tenant.remove(tenant);
            }
        }
    }

    /// Everything still scheduled, in due order per tenant.
    pub fn pending(&self, provider: Option<&str>) -> Vec<Scheduled> {
        let q = self.lock();
        q.by_tenant
            .values()
            .flat_map(|queue| queue.values())
            .filter(|e| provider.is_none_or(|p| e.provider == p))
            .cloned()
            .collect()
    }

    /// Drops everything scheduled for one tenant.
    pub fn forget_tenant(&self, tenant: &str) {
        let mut q = self.lock();
        q.by_tenant.remove(tenant);
        q.by_object.remove(tenant);
    }

    pub fn reset(&self, provider: Option<&str>) {
        let mut q = self.lock();
        match provider {
            None => {
                q.by_tenant.clear();
                q.by_object.clear();
            }
            Some(p) => {
                for queue in q.by_tenant.values_mut() {
                    queue.retain(|_, e| e.provider != p);
                }
                q.by_tenant.retain(|_, queue| !queue.is_empty());
                q.reindex();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeDelta;

    fn transition(id: &str) -> Action {
        Action::Transition {
            kind: "k".into(),
            object_id: id.into(),
            from: "a".into(),
            to: "b".into(),
        }
    }

    /// A timeline holding, for provider `p`, a transition per `(tenant, seconds after the
    /// epoch, object id)`, in that order; and the epoch.
    fn scheduled(entries: &[(&str, i64, &str)]) -> (Timeline, DateTime<Utc>) {
        let tl = Timeline::default();
        let t0 = crate::clock::manual_epoch();
        for (tenant, after, id) in entries {
            tl.schedule("p", tenant, t0 + TimeDelta::seconds(*after), transition(id));
        }
        (tl, t0)
    }

    #[test]
    fn entries_come_out_in_due_order_once_due() {
        let (tl, t0) = scheduled(&[("t", 20, "late"), ("t", 10, "early")]);
        assert!(tl.pop_due(None, |_| t0).is_none());
        let now = t0 + TimeDelta::seconds(30);
        let first = tl.pop_due(None, |_| now).unwrap();
        assert!(
            matches!(first.action, Action::Transition { ref object_id, .. } if &**object_id == "early")
        );
        assert!(tl.pop_due(None, |_| now).is_some());
        assert!(tl.pop_due(None, |_| now).is_none());
    }

    #[test]
    fn a_tenant_filter_leaves_other_tenants_queued() {
        let (tl, t0) = scheduled(&[("a", 0, "1"), ("b", 0, "2")]);
        assert_eq!(
            tl.pop_due(Some("b"), |_| t0).map(|e| e.tenant),
            Some("b".into())
        );
        assert!(tl.pop_due(Some("b"), |_| t0).is_none());
        assert_eq!(tl.pending(None).len(), 1);
    }

    #[test]
    fn cancel_object_drops_only_that_objects_entries() {
        let (tl, _) = scheduled(&[("a", 0, "1"), ("a", 0, "2")]);
        tl.cancel_object("a", "1");
        assert_eq!(tl.pending(None).len(), 1);
    }

    #[test]
    fn an_object_is_indexed_only_while_something_is_scheduled_for_it() {
        let (tl, t0) = scheduled(&[("a", 0, "1"), ("a", 5, "1"), ("b", 0, "1"), ("a", 0, "2")]);
        tl.cancel_object("a", "1");
        let left: Vec<(String, i64)> = (tl.pending(None).into_iter())
            .map(|e| (e.tenant, (e.due - t0).num_seconds()))
            .collect();
        assert_eq!(left, [("a".to_string(), 0), ("b".to_string(), 0)]);
        let now = t0 + TimeDelta::seconds(10);
        while tl.pop_due(None, |_| now).is_some() {}
        // Everything applied or cancelled: nothing is left in the index either.
        assert!(tl.lock().by_object.is_empty());
        assert!(tl.lock().by_tenant.is_empty());
        tl.cancel_object("a", "2");
        assert!(tl.pending(None).is_empty());
    }

    #[test]
    fn a_providers_reset_keeps_the_others_objects_cancellable() {
        let tl = Timeline::default();
        let t0 = crate::clock::manual_epoch();
        tl.schedule("p", "a", t0, transition("1"));
        tl.schedule("q", "a", t0, transition("2"));
        tl.reset(Some("p"));
        assert_eq!(tl.pending(None).len(), 1);
        tl.cancel_object("a", "2");
        assert!(tl.pending(None).is_empty());
        assert!(tl.lock().by_object.is_empty());
    }
}
