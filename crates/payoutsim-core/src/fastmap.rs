//! The hash maps of the engine's internal tables: tenants by name, objects by id, idempotency
//! keys, id streams, the interner.
//!
//! They hash with `foldhash`'s fast hasher, several times cheaper than the standard library's
//! SipHash on the short keys these maps hold, and still seeded at random per map: the keys are
//! often chosen by clients (tenant names, idempotency keys), so an unkeyed hash would let a
//! client aim its keys at one bucket. Nothing may depend on such a map's order (it differs from
//! run to run, as the standard one's does): whatever reaches an answer, a journal or a test is
//! sorted or kept in an ordered collection.

/// A hash map with the fast seeded hasher (see the module's documentation). Make one with
/// `FastMap::default()`.
pub type FastMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;

/// A hash set with the fast seeded hasher.
pub type FastSet<T> = std::collections::HashSet<T, foldhash::fast::RandomState>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fast_map_finds_string_keys_by_their_text_and_two_maps_hash_apart() {
        let mut tenants: FastMap<String, u32> = FastMap::default();
        tenants.insert("onepay:alpha".to_string(), 1);
        tenants.insert("onepay:beta".to_string(), 2);

        assert_eq!(tenants.get("onepay:alpha"), Some(&1));
        assert_eq!(tenants.get("onepay:gamma"), None);
        use std::hash::BuildHasher;
        let (a, b) = (tenants.hasher().clone(), FastMap::<String, u32>::default());
        // Seeded per map: the same key hashes differently in two maps (2^-64 to collide).
        assert_ne!(
            a.hash_one("onepay:alpha"),
            b.hasher().hash_one("onepay:alpha")
        );
    }
}
