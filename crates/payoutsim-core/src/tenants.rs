//! Tenants: every set of credentials is a tenant with its own data.
//!
//! A tenant is named `<provider>:<public credential>` (DESIGN.md). In sandbox mode a new,
//! well-formed credential is provisioned on first use; once known, a different secret for the same
//! public credential is refused. A tenant can also be declared ahead of use (a scenario's
//! `setup.tenants`) with no secret yet: the first secret it is then given is the one it keeps.
//! The secret is kept as given: this is a local simulator whose journal shows request headers
//! anyway, and a plain comparison keeps auth off the request profile.

use std::collections::BTreeMap;
use std::sync::RwLock;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use chrono::{DateTime, Utc};
use serde::Serialize;

/// What the admin API shows of a tenant.
#[derive(Clone, Debug, Serialize)]
pub struct TenantInfo {
    pub tenant: String,
    pub provider: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub environment: Option<String>,
    pub first_seen: String,
    /// `None` for a declared tenant no client has authenticated as yet.
    #[serde(skip)]
    secret: Option<String>,
    /// When a request last entered it, as a count of entries ([`Tenants::touch`]): the least
    /// recently used tenant has the lowest.
    #[serde(skip)]
    used: Used,
}

/// [`TenantInfo::used`]: set under the map's read lock, so entering a tenant takes no writer's
/// lock.
#[derive(Debug, Default)]
struct Used(AtomicU64);

impl Clone for Used {
    fn clone(&self) -> Self {
        Self(AtomicU64::new(self.get()))
    }
}

impl Used {
    fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

/// The secret presented does not match the one this credential was provisioned with.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("wrong secret for a known credential")]
pub struct WrongSecret;

impl TenantInfo {
    fn new(provider: &str, key: &str, environment: Option<&str>, now: DateTime<Utc>) -> Self {
        Self {
            tenant: key.to_string(),
            provider: provider.to_string(),
            environment: environment.map(str::to_string),
            first_seen: crate::clock::rfc3339(now),
            secret: None,
            used: Used::default(),
        }
    }
}

#[derive(Debug, Default)]
pub struct Tenants {
    /// Read by every request (its credentials and its entry), written when a tenant is added
    /// or removed.
    map: RwLock<BTreeMap<String, TenantInfo>>,
    /// Entries counted, for [`TenantInfo::used`].
    entries: AtomicU64,
    /// The map's length, set under its lock: read by every request's bound check without it.
    count: AtomicUsize,
}

impl Tenants {
    /// Resolves (or, on first use, provisions) the tenant `key` whose secret is `secret`. A
    /// declared tenant takes `secret` as its own on this first authentication. Answers whether
    /// this call bound the secret (the tenant's first use since it was made or reset): a
    /// provider provisions its own data for the tenant then, and need not look on later calls.
    pub fn authenticate(
        &self,
        provider: &str,
        key: &str,
        secret: &str,
        environment: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<bool, WrongSecret> {
        // A known tenant with its secret bound, as nearly every request finds it: a read.
        if let Some(bound) = (self.read().get(key)).and_then(|t| t.secret.as_ref()) {
            return if bound == secret {
                Ok(false)
            } else {
                Err(WrongSecret)
            };
        }
        let mut map = self.write();
        // Looked up before it is inserted: a known tenant's name is not copied per request.
        if !map.contains_key(key) {
            map.insert(
                key.to_string(),
                TenantInfo::new(provider, key, environment, now),
            );
            self.counted(&map);
        }
        let Some(known) = map.get_mut(key) else {
            unreachable!("inserted above, under the same lock")
        };
        match &known.secret {
            // Bound by a call that raced this one to the lock.
            Some(bound) if bound == secret => Ok(false),
            Some(_) => Err(WrongSecret),
            None => {
                known.secret = Some(secret.to_string());
                Ok(true)
            }
        }
    }

    /// Registers tenant `key` with no secret yet, so that it is listed before any client uses
    /// it; the first [`Tenants::authenticate`] binds its secret. A known tenant is left as it is.
    pub fn declare(
        &self,
        provider: &str,
        key: &str,
        environment: Option<&str>,
        now: DateTime<Utc>,
    ) {
        let mut map = self.write();
        map.entry(key.to_string())
            .or_insert_with(|| TenantInfo::new(provider, key, environment, now));
        self.counted(&map);
    }

    /// Records the map's length after a change made under its lock.
    fn counted(&self, map: &BTreeMap<String, TenantInfo>) {
        self.count.store(map.len(), Ordering::Relaxed);
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, BTreeMap<String, TenantInfo>> {
        self.map.read().unwrap_or_else(|e| e.into_inner())
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, BTreeMap<String, TenantInfo>> {
        self.map.write().unwrap_or_else(|e| e.into_inner())
    }

    /// Notes that a request entered `tenant` now (the most recently used).
    pub fn touch(&self, tenant: &str) {
        let n = 1 + self.entries.fetch_add(1, Ordering::Relaxed);
        if let Some(t) = self.read().get(tenant) {
            // Entries racing on one tenant keep the later count.
            t.used.0.fetch_max(n, Ordering::Relaxed);
        }
    }

    /// How many tenants there are, of every provider (as of the last change, without a lock).
    pub fn len(&self) -> usize {
        self.count.load(Ordering::Relaxed)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The least recently used tenant that `skip` does not name, with its provider.
    pub fn least_recent(&self, skip: impl Fn(&str) -> bool) -> Option<(String, String)> {
        let map = self.read();
        (map.values())
            .filter(|t| !skip(&t.tenant))
            .min_by_key(|t| t.used.get())
            .map(|t| (t.tenant.clone(), t.provider.clone()))
    }

    /// Forgets one tenant (its secret too: the next client to present its credentials binds
    /// them afresh).
    pub fn remove(&self, tenant: &str) {
        let mut map = self.write();
        map.remove(tenant);
        self.counted(&map);
    }

    pub fn list(&self, provider: Option<&str>) -> Vec<TenantInfo> {
        let map = self.read();
        map.values()
            .filter(|t| provider.is_none_or(|p| t.provider == p))
            .cloned()
            .collect()
    }

    pub fn reset(&self, provider: Option<&str>) {
        let mut map = self.write();
        map.retain(|_, t| provider.is_some_and(|p| t.provider != p));
        self.counted(&map);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_use_provisions_and_a_wrong_secret_is_refused_after() {
        let tenants = Tenants::default();
        let now = crate::clock::manual_epoch();
        assert!(tenants.authenticate("p", "p:pub", "s1", None, now).is_ok());
        assert!(tenants.authenticate("p", "p:pub", "s1", None, now).is_ok());
        assert_eq!(
            tenants.authenticate("p", "p:pub", "s2", None, now),
            Err(WrongSecret)
        );
        assert_eq!(tenants.list(Some("p")).len(), 1);
    }

    #[test]
    fn a_declared_tenant_is_listed_and_binds_the_first_secret_it_is_given() {
        let tenants = Tenants::default();
        let now = crate::clock::manual_epoch();

        tenants.declare("p", "p:pub", Some("live"), now);
        let listed = tenants.list(Some("p"));
        let first = tenants.authenticate("p", "p:pub", "s1", Some("live"), now);
        let again = tenants.authenticate("p", "p:pub", "s1", Some("live"), now);
        let other = tenants.authenticate("p", "p:pub", "s2", Some("live"), now);

        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].environment.as_deref(), Some("live"));
        assert_eq!(
            (first, again, other),
            (Ok(true), Ok(false), Err(WrongSecret))
        );
    }

    #[test]
    fn only_the_first_use_since_a_reset_is_told_it_is_the_first() {
        let tenants = Tenants::default();
        let now = crate::clock::manual_epoch();

        let first = tenants.authenticate("p", "p:a", "s", None, now);
        let again = tenants.authenticate("p", "p:a", "s", None, now);
        tenants.reset(Some("p"));
        let after_reset = tenants.authenticate("p", "p:a", "s", None, now);

        assert_eq!((first, again, after_reset), (Ok(true), Ok(false), Ok(true)));
    }

    #[test]
    fn declaring_a_known_tenant_keeps_its_secret_and_first_sighting() {
        let tenants = Tenants::default();
        let epoch = crate::clock::manual_epoch();
        tenants
            .authenticate("p", "p:pub", "s1", None, epoch)
            .unwrap();

        tenants.declare(
            "p",
            "p:pub",
            Some("test"),
            epoch + chrono::Duration::hours(1),
        );

        let listed = tenants.list(None);
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].first_seen, crate::clock::rfc3339(epoch));
        assert_eq!(listed[0].environment, None);
        assert_eq!(
            tenants.authenticate("p", "p:pub", "s2", None, epoch),
            Err(WrongSecret)
        );
    }

    #[test]
    fn the_least_recently_entered_tenant_is_found_past_those_skipped() {
        let tenants = Tenants::default();
        let now = crate::clock::manual_epoch();
        for t in ["p:a", "p:b", "p:c"] {
            tenants.authenticate("p", t, "s", None, now).unwrap();
            tenants.touch(t);
        }
        tenants.touch("p:a");

        let oldest = tenants.least_recent(|_| false);
        let past_b = tenants.least_recent(|t| t == "p:b");
        tenants.remove("p:b");

        assert_eq!(oldest, Some(("p:b".into(), "p".into())));
        assert_eq!(past_b, Some(("p:c".into(), "p".into())));
        assert_eq!(tenants.len(), 2);
        assert!(tenants.authenticate("p", "p:b", "other", None, now).is_ok());
    }

    #[test]
    fn reset_for_one_provider_keeps_the_others() {
        let tenants = Tenants::default();
        let now = crate::clock::manual_epoch();
        tenants.authenticate("a", "a:1", "s", None, now).unwrap();
        tenants.authenticate("b", "b:1", "s", None, now).unwrap();
        tenants.reset(Some("a"));
        assert_eq!(tenants.list(None).len(), 1);
        assert_eq!(tenants.list(None)[0].provider, "b");
    }
}
