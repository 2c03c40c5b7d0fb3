//! Where an object's lifecycle lives, for a store that keeps one set of records per tenant by
//! name (every provider's `tenants: BTreeMap<String, TenantData>`): the provider says, per
//! tenant, where a lifecycle of a kind is ([`Records`]); the kit runs the two lookups
//! [`Spec::lifecycle`](super::Spec::lifecycle) and [`Spec::holders`](super::Spec::holders) ask
//! for over all tenants.
//!
//! - [`Records`]: one tenant's records, asked for the lifecycle of object `id` of `kind`
//! - [`lifecycle_in`]: the lifecycle of one tenant's object, to change
//! - [`holders_in`]: which tenants hold an object, for back-office moves that name none

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

/// The lifecycle of `tenant`'s object `id` of `kind`: what a provider's `Spec::lifecycle` answers.
pub fn lifecycle_in<'s, R: Records>(
    tenants: &'s mut BTreeMap<String, R>,
    tenant: &str,
    kind: &str,
    id: &str,
) -> Option<&'s mut Lifecycle> {
    tenants.get_mut(tenant)?.lifecycle_mut(kind, id)
}

/// Which tenants hold an object `id` of one of `kinds`, as `(tenant, kind)` (the first of
/// `kinds` each holds it as): what a provider's `Spec::holders` answers.
pub fn holders_in<R: Records>(
    tenants: &BTreeMap<String, R>,
    kinds: &[&str],
    id: &str,
) -> Vec<(String, String)> {
    let found = tenants.iter().filter_map(|(name, t)| {
        let kind = kinds.iter().find(|k| t.lifecycle(k, id).is_some())?;
        Some((name.clone(), kind.to_string()))
    });
    found.collect()
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

    fn lifecycle() -> Lifecycle {
        Lifecycle {
            kind: "order".into(),
            variant: String::new(),
            status: "new".into(),
            outcome: "done".into(),
            reason: None,
            history: Vec::new(),
        }
    }

    fn tenants(holding: &[&str]) -> BTreeMap<String, Orders> {
        let orders = || Orders(BTreeMap::from([("o1".to_string(), lifecycle())]));
        (holding.iter())
            .map(|t| (t.to_string(), orders()))
            .collect()
    }

    #[test]
    fn every_tenant_holding_the_object_is_named_with_its_kind() {
        let tenants = tenants(&["a", "b"]);

        let found = holders_in(&tenants, &["account", "order"], "o1");

        let want = [("a", "order"), ("b", "order")].map(|(t, k)| (t.into(), k.into()));
        assert_eq!(found, want);
        assert!(holders_in(&tenants, &["account"], "o1").is_empty());
        assert!(holders_in(&tenants, &["order"], "o2").is_empty());
    }

    #[test]
    fn a_lifecycle_is_found_in_its_own_tenant_only() {
        let mut tenants = tenants(&["a"]);

        assert!(lifecycle_in(&mut tenants, "a", "order", "o1").is_some());
        assert!(lifecycle_in(&mut tenants, "b", "order", "o1").is_none());
        assert!(lifecycle_in(&mut tenants, "a", "account", "o1").is_none());
    }
}
