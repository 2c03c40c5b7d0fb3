//! Each provider's typed configuration, held in one map keyed by its type.
//!
//! [`ServeConfig`](crate::ServeConfig) carries one [`ProviderSettings`] rather than one field per
//! provider, so a new provider adds no field there: the code that builds a provider asks for its
//! own config type with [`ProviderSettings::get`], and gets the type's `Default` when nobody set
//! one. The type is the key, so a config can only be read back as what it is.
//!
//! ```
//! use payoutsim::ProviderSettings;
//! use payoutsim_onepay::OnePayConfig;
//!
//! let onepay = OnePayConfig { test_starting_balance: 5, ..OnePayConfig::default() };
//! let settings = ProviderSettings::default().with(onepay);
//! assert_eq!(settings.get::<OnePayConfig>().test_starting_balance, 5);
//! ```

use std::any::{Any, TypeId};
use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

/// What a provider's configuration type must be to live in [`ProviderSettings`]: any
/// `Debug + Send + Sync` type, e.g. `OnePayConfig`.
pub trait Setting: Any + fmt::Debug + Send + Sync {}

impl<T: Any + fmt::Debug + Send + Sync> Setting for T {}

/// The providers' configurations, at most one of each type. Cheap to clone.
#[derive(Clone, Default)]
pub struct ProviderSettings(BTreeMap<TypeId, Arc<dyn Setting>>);

impl ProviderSettings {
    /// Sets `config`, replacing the one of its type set before.
    pub fn set<C: Setting>(&mut self, config: C) {
        self.0.insert(TypeId::of::<C>(), Arc::new(config));
    }

    /// `self` with `config` set.
    #[must_use]
    pub fn with<C: Setting>(mut self, config: C) -> Self {
        self.set(config);
        self
    }

    /// The configuration of type `C`: the one set, else `C::default()`.
    pub fn get<C: Setting + Clone + Default>(&self) -> C {
        self.0
            .get(&TypeId::of::<C>())
            .and_then(|config| (&**config as &dyn Any).downcast_ref::<C>())
            .cloned()
            .unwrap_or_default()
    }
}

impl fmt::Debug for ProviderSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.0.values()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Clone, Debug, Default, PartialEq)]
    struct Balance(i64);

    #[derive(Clone, Debug, Default, PartialEq)]
    struct Ttl(i64);

    #[test]
    fn a_configuration_never_set_is_its_types_default() {
        let settings = ProviderSettings::default();

        assert_eq!(settings.get::<Balance>(), Balance(0));
    }

    #[test]
    fn a_configuration_set_is_read_back_by_its_type_and_only_by_it() {
        let settings = ProviderSettings::default().with(Balance(7)).with(Ttl(60));

        assert_eq!(settings.get::<Balance>(), Balance(7));
        assert_eq!(settings.get::<Ttl>(), Ttl(60));
    }

    #[test]
    fn setting_a_configuration_again_replaces_it() {
        let mut settings = ProviderSettings::default().with(Balance(7));

        settings.set(Balance(9));

        assert_eq!(settings.get::<Balance>(), Balance(9));
        assert_eq!(format!("{settings:?}"), "[Balance(9)]");
    }
}
