//! A tenant's objects, bounded (`--max-objects-per-tenant`, `EngineConfig::max_objects_per_tenant`):
//! before a creation the provider asks [`Kit::make_room`], under the store lock it holds; past
//! the bound the tenant's oldest *settled* objects (in a terminal status with no edge left to
//! take) are dropped first, through the provider's [`Bounded`] records, with what the engine
//! keeps for them (scheduled transitions). When nothing can be dropped the creation is refused
//! with [`TooManyObjects`], which the provider turns into its own error envelope (its
//! `From<TooManyObjects>`).

use std::sync::Arc;

use bytes::Bytes;

use super::{Kit, Spec};
use crate::machine::{Lifecycle, Machines};

/// The first answer of a dropped object, as bytes, for the idempotency key that named the object
/// instead of keeping its answer ([`IdempotencyStore::complete_object`]): the key keeps the bytes
/// from then on ([`IdempotencyStore::freeze`]), so a replay stays byte for byte the same.
///
/// [`IdempotencyStore::complete_object`]: crate::idempotency::IdempotencyStore::complete_object
/// [`IdempotencyStore::freeze`]: crate::idempotency::IdempotencyStore::freeze
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FrozenAnswer {
    pub key: Arc<str>,
    /// The dropped object's id.
    pub object: String,
    pub body: Bytes,
}

/// A tenant already holds `limit` objects and none of them is settled: the creation is refused
/// (each provider answers it in its own envelope, named in its README).
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("this tenant holds {limit} objects, none of them settled (--max-objects-per-tenant)")]
pub struct TooManyObjects {
    pub limit: usize,
}

/// One pass that drops settled objects makes room for 1/`SPARE_PLACES` of the bound more than
/// the creation needs (312 places under the default 10,000), so that a tenant at its bound pays
/// for the walk over its records once every few hundred creations rather than on each one. The
/// tenant never holds more than its bound; it holds up to that many fewer right after a pass.
pub const SPARE_PLACES: usize = 32;

/// A tenant's objects as [`Kit::make_room`] last counted them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) struct Counted {
    pub held: usize,
    /// The engine's [`status_changes`](crate::Engine::status_changes) when a pass over these
    /// `held` records found none of them settled; `None` once the count moved, or before any
    /// such pass.
    pub none_settled_at: Option<u64>,
}

/// Whether `lc` is settled: in a terminal status of its machine with no edge left to take, so
/// nothing will move it again unless the back office does. An object whose machine is unknown
/// is not settled.
pub fn is_settled(machines: &Machines, lc: &Lifecycle) -> bool {
    machines.get(&lc.kind, &lc.variant).is_some_and(|m| {
        m.is_terminal(&lc.status)
            && !(m.edges.iter()).any(|e| e.from == lc.status && e.to != lc.status)
    })
}

/// One tenant's records, bounded: the hook a provider implements for its per-tenant data (a
/// Dots app, a Kashpay entity, an OnePay or OnSpot tenant) so that [`Kit::make_room`] can keep
/// it under `--max-objects-per-tenant`.
pub trait Bounded {
    /// How many objects the tenant holds (every kind the bound counts).
    fn object_count(&self) -> usize;

    /// Drops up to `n` settled objects (`settled` says which lifecycles are), oldest first,
    /// with whatever of the records refers to them only (indexes, lists), keeping the books
    /// whole (money an object paid out stays counted); answers the ids dropped. Objects still in
    /// flight, and objects other records refer to, are kept.
    ///
    /// What may be dropped must change only with a status change (of any lifecycle) or with
    /// [`object_count`](Bounded::object_count): [`Kit::make_room`] does not call this again for
    /// a tenant whose last call dropped nothing while neither has moved. (Dots' funding of a
    /// payout link is the one change of another kind, and it only makes a link less droppable.)
    fn evict_settled(&mut self, settled: &dyn Fn(&Lifecycle) -> bool, n: usize) -> Vec<String>;

    /// The first answers of objects [`Bounded::evict_settled`] dropped whose idempotency keys
    /// named the object rather than keeping its answer's bytes, taken by [`Kit::make_room`] to
    /// hand to their keys (none for a provider that keeps every answer as bytes).
    fn take_frozen(&mut self) -> Vec<FrozenAnswer> {
        Vec::new()
    }
}

impl<S: Spec> Kit<S> {
    /// Makes room for `n` more objects of `tenant` (1, or a batch's items), whose `records` the
    /// caller holds under the store lock, once the request is valid (a refused request drops
    /// nothing): while they fit under the engine's `max_objects_per_tenant` nothing happens;
    /// past it, the tenant's oldest settled objects are dropped ([`Bounded::evict_settled`])
    /// until they fit with [`SPARE_PLACES`] to spare, and their scheduled transitions with them.
    /// `Err` when too few could be dropped for them to fit: refuse the creation.
    pub fn make_room(
        &self,
        tenant: &str,
        records: &mut impl Bounded,
        n: usize,
    ) -> Result<(), TooManyObjects> {
        let limit = self.engine().config().max_objects_per_tenant;
        let count = records.object_count();
        if count.saturating_add(n) <= limit {
            self.counted(tenant, count.saturating_add(n));
            return Ok(());
        }
        let want = count.saturating_add(n) - limit;
        // Read before the pass: a change after it is a change since it.
        let changes = self.engine().status_changes();
        if self.found_none_settled(tenant, count, changes) {
            // The last pass over these very records found none settled, and no object of any
            // tenant has changed status since: this one would find none either.
            return Err(TooManyObjects { limit });
        }
        // A pass walks the tenant's records, so it makes [`SPARE_PLACES`] spare places at once
        // for the creations that follow (none under a bound of 32).
        let spare = limit / SPARE_PLACES;
        let asked = want.saturating_add(spare);
        let dropped = records.evict_settled(&|lc| self.is_settled(lc), asked);
        for f in records.take_frozen() {
            let idempotency = self.engine().idempotency();
            idempotency.freeze(tenant, &f.key, &f.object, f.body);
        }
        for id in &dropped {
            self.engine().forget_object(tenant, id);
        }
        let left = count.saturating_sub(dropped.len());
        if dropped.len() >= want {
            self.counted(tenant, left.saturating_add(n));
            Ok(())
        } else {
            self.counted(tenant, left);
            if dropped.is_empty() {
                self.none_settled(tenant, changes);
            }
            Err(TooManyObjects { limit })
        }
    }

    /// Whether the last pass over `tenant`'s `count` records found none settled when the engine
    /// had counted `changes` status changes: with neither moved since, none is settled now.
    fn found_none_settled(&self, tenant: &str, count: usize, changes: u64) -> bool {
        let counted = self.0.counted.lock().unwrap_or_else(|e| e.into_inner());
        counted
            .get(tenant)
            .is_some_and(|c| c.held == count && c.none_settled_at == Some(changes))
    }

    /// A pass over `tenant`'s records as last counted found none settled, at `changes`.
    fn none_settled(&self, tenant: &str, changes: u64) {
        let mut counted = self.0.counted.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(c) = counted.get_mut(tenant) {
            c.none_settled_at = Some(changes);
        }
    }

    /// `tenant` holds `held` objects (with the ones about to be made): the engine's count
    /// ([`Engine::object_count`](crate::Engine::object_count)) moves by the difference from what
    /// was last counted for it.
    fn counted(&self, tenant: &str, held: usize) {
        let mut counted = self.0.counted.lock().unwrap_or_else(|e| e.into_inner());
        let now = Counted {
            held,
            none_settled_at: None,
        };
        let before = match counted.get_mut(tenant) {
            Some(c) => std::mem::replace(c, now).held,
            None => {
                counted.insert(tenant.to_string(), now);
                0
            }
        };
        self.engine().recount_objects(before, held);
    }

    /// `tenant` is forgotten (`None`: every tenant, a reset): its objects leave the engine's
    /// count.
    pub(super) fn uncount(&self, tenant: Option<&str>) {
        let mut counted = self.0.counted.lock().unwrap_or_else(|e| e.into_inner());
        let gone = match tenant {
            Some(t) => counted.remove(t).map_or(0, |c| c.held),
            None => (std::mem::take(&mut *counted).into_values())
                .map(|c| c.held)
                .sum(),
        };
        self.engine().recount_objects(gone, 0);
    }

    /// Whether `lc` is settled ([`is_settled`]) on this provider's machines.
    pub fn is_settled(&self, lc: &Lifecycle) -> bool {
        is_settled(&self.0.machines, lc)
    }
}

/// The objects of every tenant in `tenants` (a store's per-tenant records by name): a
/// provider's [`Spec::object_total`](super::Spec::object_total).
pub fn object_total<'a, R: Bounded + 'a>(
    tenants: impl IntoIterator<Item = (&'a String, &'a R)>,
) -> usize {
    tenants.into_iter().map(|(_, r)| r.object_count()).sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::machine::{Delay, StateMachine};

    #[test]
    fn only_a_terminal_status_with_no_edge_left_is_settled() {
        let machines = Machines::new(vec![
            StateMachine::new("order", "", "new", &["done", "held"])
                .edge("new", "done", Delay::Seconds(1))
                .edge("held", "done", Delay::Seconds(1)),
        ]);
        let at = |status: &str| super::super::records::sample("order", status);

        assert!(is_settled(&machines, &at("done")));
        assert!(!is_settled(&machines, &at("new")));
        assert!(
            !is_settled(&machines, &at("held")),
            "an edge still leaves it"
        );
        let other = super::super::records::sample("account", "done");
        assert!(!is_settled(&machines, &other), "no machine: not settled");
    }
}
