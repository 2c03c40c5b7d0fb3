//! Where an object's lifecycle lives, for a store that keeps one set of records per tenant by
//! name (every provider's `tenants: BTreeMap<String, TenantData>`): the provider says, per
//! tenant, where a lifecycle of a kind is ([`Records`]), and where its store keeps the tenants
//! ([`Spec::tenants`](super::Spec::tenants)); the kit's default
//! [`Spec::lifecycle`](super::Spec::lifecycle) and [`Spec::holders`](super::Spec::holders) look
//! there.
//!
//! - [`Records`]: one tenant's records, asked for the lifecycle of object `id` of `kind`
//! - [`Tenants`]: all tenants' records, asked for one tenant's lifecycle or for the tenants that
//!   hold an object; a `BTreeMap<String, impl Records>` is one

use std::collections::BTreeMap;

use crate::machine::Lifecycle;

/// One tenant's records, as the kit's lookups see them.
pub trait Records {
    /// The lifecycle of object `id` of `kind`, if this tenant has one (`None` for a kind that
    /// has no lifecycle).
    fn lifecycle(&self, kind: &str, id: &str) -> Option<&Lifecycle>;

    /// [`Records::lifecycle`], to change.
    fn lifecycle_mut(&mut self, kind: &str, id: &str) -> Option<&mut Lifecycle>;
}

/// Every tenant's records, by tenant name.
pub trait Tenants {
    /// The lifecycle of `tenant`'s object `id` of `kind`, to change.
    fn lifecycle_mut(&mut self, tenant: &str, kind: &str, id: &str) -> Option<&mut Lifecycle>;

    /// Which tenants hold an object `id` of one of `kinds`, as `(tenant, kind)` (the first of
    /// `kinds` each holds it as).
    fn holders(&self, kinds: &[&str], id: &str) -> Vec<(String, String)>;
}

impl<R: Records> Tenants for BTreeMap<String, R> {
    fn lifecycle_mut(&mut self, tenant: &str, kind: &str, id: &str) -> Option<&mut Lifecycle> {
        self.get_mut(tenant)?.lifecycle_mut(kind, id)
    }

    fn holders(&self, kinds: &[&str], id: &str) -> Vec<(String, String)> {
        let found = self.iter().filter_map(|(name, t)| {
            let kind = kinds.iter().find(|k| t.lifecycle(k, id).is_some())?;
            Some((name.clone(), kind.to_string()))
        });
        found.collect()
    }
}

/// A lifecycle in `status`, for the kit's unit tests.
#[cfg(test)]
pub(super) fn sample(kind: &str, status: &str) -> Lifecycle {
    Lifecycle {
        kind: kind.into(),
        variant: "".into(),
        status: status.into(),
        outcome: "done".into(),
        reason: None,
        history: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A tenant with order lifecycles and nothing else.
    struct Orders(BTreeMap<String, Lifecycle>);

    impl Records for Orders {
        fn lifecycle(&self, kind: &str, id: &str) -> Option<&Lifecycle> {
            self.0.get(id).filter(|_| kind == "order")
        }
        fn lifecycle_mut(&mut self, kind: &str, id: &str) -> Option<&mut Lifecycle> {
            self.0.get_mut(id).filter(|_| kind == "order")
        }
    }

    fn tenants(holding: &[&str]) -> BTreeMap<String, Orders> {
        let orders = || Orders(BTreeMap::from([("o1".to_string(), sample("order", "new"))]));
        (holding.iter())
            .map(|t| (t.to_string(), orders()))
            .collect()
    }

    #[test]
    fn every_tenant_holding_the_object_is_named_with_its_kind() {
        let tenants = tenants(&["a", "b"]);

        let found = tenants.holders(&["account", "order"], "o1");

        let want = [("a", "order"), ("b", "order")].map(|(t, k)| (t.into(), k.into()));
        assert_eq!(found, want);
        assert!(tenants.holders(&["account"], "o1").is_empty());
        assert!(tenants.holders(&["order"], "o2").is_empty());
    }

    #[test]
    fn a_lifecycle_is_found_in_its_own_tenant_only() {
        let mut tenants = tenants(&["a"]);

        assert!(tenants.lifecycle_mut("a", "order", "o1").is_some());
        assert!(tenants.lifecycle_mut("b", "order", "o1").is_none());
        assert!(tenants.lifecycle_mut("a", "account", "o1").is_none());
    }
}
