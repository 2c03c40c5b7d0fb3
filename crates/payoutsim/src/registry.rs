//! The providers payoutsim serves: one [`ProviderEntry`] each in [`REGISTRY`], and the names
//! still [`PLANNED`], which keep their ports.
//!
//! Everything else reads this table: [`App`](crate::App) builds the providers a
//! [`ServeConfig`](crate::ServeConfig) asks for with each entry's `build`, [`start`](crate::start)
//! binds each one on `--port-base` + its `port_offset`, and `--providers` accepts exactly the
//! names here. A name that is neither registered nor planned is refused, listing the known ones;
//! a planned one is refused as not emulated yet; neither is ever skipped in silence.
//!
//! # Registering a provider
//!
//! 1. Its crate (`crates/payoutsim-<name>/`) exports a handle `Type::new(Engine, TypeConfig)`
//!    that implements [`payoutsim_core::Provider`]; add the crate to the root `Cargo.toml`'s
//!    `[workspace.dependencies]` and to this crate's `[dependencies]`.
//! 2. Add one [`ProviderEntry`] to [`REGISTRY`], in port order. Its `name` is what
//!    `Provider::name` answers; a planned provider takes the `port_offset` [`PLANNED`] kept for
//!    it, and leaves that list.
//! 3. `build` reads its typed config from [`ProviderSettings`], which gives the config type's
//!    `Default` when nobody set one.
//! 4. If it has flags of its own, a `clap::Args` struct in [`flags`](crate::flags) declares them
//!    (`--<name>-…`, each with a `PAYOUTSIM_<NAME>_…` variable) and implements
//!    [`ProviderArgs`](crate::flags::ProviderArgs) to write them into its config; the entry says
//!    `flags: Some(Flags::of::<ItsArgs>())`, else `flags: None`.
//! 5. The README's port table and `payoutsim serve` flag table say what a user can now do.
//!
//! Nothing else changes: not `app.rs`, `serve.rs`, [`ServeConfig`](crate::ServeConfig) nor the
//! binary, which flattens every entry's flags with [`RegistryFlags`](crate::flags::RegistryFlags).
//!
//! The tests below check that names and offsets are unique, that each entry builds a provider
//! answering to its name, and that the ports are the ones the design promises.

use std::sync::Arc;

use payoutsim_core::{Engine, Provider};
use payoutsim_dots::Dots;
use payoutsim_kashpay::Kashpay;
use payoutsim_onepay::OnePay;
use payoutsim_onspot::OnSpot;
use payoutsim_tupay::Tupay;

use crate::flags::{DotsArgs, Flags, KashpayArgs, OnSpotArgs, OnePayArgs, TupayArgs};
use crate::settings::ProviderSettings;

/// One emulated provider: what it is called, where it listens, how it is built.
pub struct ProviderEntry {
    /// Its name in `--providers`, the ready file, tenants and the admin API: `onepay`, …
    pub name: &'static str,
    /// Its port is `--port-base` + this (the admin API is at offset 0).
    pub port_offset: u16,
    /// What is emulated, in a few words, for `--help`: `tokens, Create Payouts, …`.
    pub summary: &'static str,
    /// Builds the provider on `engine` with its config from the settings.
    pub build: fn(&Engine, &ProviderSettings) -> Arc<dyn Provider>,
    /// Its own `payoutsim serve` flags, if it has any: [`Flags::of`] a
    /// [`ProviderArgs`](crate::flags::ProviderArgs) struct in [`flags`](crate::flags).
    pub flags: Option<Flags>,
}

/// A provider named in the design and not emulated yet: its name is refused with a clear
/// message, and its port stays reserved.
pub struct PlannedProvider {
    pub name: &'static str,
    pub port_offset: u16,
}

/// Every emulated provider, in port order.
pub const REGISTRY: &[ProviderEntry] = &[
    ProviderEntry {
        name: "onspot",
        port_offset: 1,
        summary: "tokens, Create Payouts, environments, funding, back office",
        build: |engine, settings| Arc::new(OnSpot::new(engine.clone(), settings.get())),
        flags: Some(Flags::of::<OnSpotArgs>()),
    },
    ProviderEntry {
        name: "onepay",
        port_offset: 2,
        summary: "customers, accounts, cashouts, balances, webhooks, back office",
        build: |engine, settings| Arc::new(OnePay::new(engine.clone(), settings.get())),
        flags: Some(Flags::of::<OnePayArgs>()),
    },
    ProviderEntry {
        name: "kashpay",
        port_offset: 3,
        summary: "authentication, OKPay orders, EntitiesServices, CLABE checks",
        build: |engine, settings| Arc::new(Kashpay::new(engine.clone(), settings.get())),
        flags: Some(Flags::of::<KashpayArgs>()),
    },
    ProviderEntry {
        name: "tupay",
        port_offset: 4,
        summary: "sessions, deposits, cashouts, balance report, seeded history",
        build: |engine, settings| Arc::new(Tupay::new(engine.clone(), settings.get())),
        flags: Some(Flags::of::<TupayArgs>()),
    },
    ProviderEntry {
        name: "dots",
        port_offset: 5,
        summary: "apps, users, transfers, payouts, payout links, batches, flows, Svix webhooks",
        build: |engine, settings| Arc::new(Dots::new(engine.clone(), settings.get())),
        flags: Some(Flags::of::<DotsArgs>()),
    },
];

/// The providers the design names that are not emulated yet, with the offsets they will take.
pub const PLANNED: &[PlannedProvider] = &[];

/// A registered provider: only [`REGISTRY`] makes one (through [`ProviderId::all`] or parsing a
/// name), so holding one means the provider can be built and served.
#[derive(Clone, Copy)]
pub struct ProviderId(&'static ProviderEntry);

impl ProviderId {
    /// Every registered provider, in port order.
    pub fn all() -> impl Iterator<Item = ProviderId> {
        REGISTRY.iter().map(ProviderId)
    }

    pub fn name(self) -> &'static str {
        self.0.name
    }

    /// Offset from `--port-base` (the admin API is at offset 0).
    pub fn port_offset(self) -> u16 {
        self.0.port_offset
    }

    pub fn summary(self) -> &'static str {
        self.0.summary
    }

    /// Builds the provider on `engine`, with its config from `settings`.
    pub fn build(self, engine: &Engine, settings: &ProviderSettings) -> Arc<dyn Provider> {
        (self.0.build)(engine, settings)
    }
}

/// Why a name given for a provider is not one payoutsim can serve.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ParseProviderError {
    #[error(
        "unknown provider `{name}` (emulated: {emulated}{planned})",
        emulated = emulated(),
        planned = planned()
    )]
    Unknown { name: String },
    #[error(
        "provider `{name}` is not emulated yet (this version emulates: {emulated})",
        emulated = emulated()
    )]
    Planned { name: String },
}

fn emulated() -> String {
    ProviderId::all()
        .map(ProviderId::name)
        .collect::<Vec<_>>()
        .join(", ")
}

/// `; planned: …` when some provider is still planned, else nothing.
fn planned() -> String {
    if PLANNED.is_empty() {
        return String::new();
    }
    let names: Vec<&str> = PLANNED.iter().map(|p| p.name).collect();
    format!("; planned: {}", names.join(", "))
}

impl std::str::FromStr for ProviderId {
    type Err = ParseProviderError;

    /// A registered name, in any case; a planned or unknown one is an error saying which.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let name = s.trim();
        if let Some(id) = Self::all().find(|p| p.name().eq_ignore_ascii_case(name)) {
            Ok(id)
        } else if PLANNED.iter().any(|p| p.name.eq_ignore_ascii_case(name)) {
            Err(ParseProviderError::Planned { name: s.to_owned() })
        } else {
            Err(ParseProviderError::Unknown { name: s.to_owned() })
        }
    }
}

impl PartialEq for ProviderId {
    fn eq(&self, other: &Self) -> bool {
        self.name() == other.name()
    }
}

impl Eq for ProviderId {}

/// Port order.
impl Ord for ProviderId {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (self.port_offset(), self.name()).cmp(&(other.port_offset(), other.name()))
    }
}

impl PartialOrd for ProviderId {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl std::hash::Hash for ProviderId {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.name().hash(state);
    }
}

impl std::fmt::Debug for ProviderId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ProviderId({})", self.name())
    }
}

impl std::fmt::Display for ProviderId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use payoutsim_core::EngineConfig;

    use super::*;

    /// Every name and offset, registered or planned.
    fn every_name_and_offset() -> Vec<(&'static str, u16)> {
        let registered = REGISTRY.iter().map(|e| (e.name, e.port_offset));
        registered
            .chain(PLANNED.iter().map(|p| (p.name, p.port_offset)))
            .collect()
    }

    #[test]
    fn every_provider_has_a_unique_name_and_port_offset_and_none_takes_the_admin_port() {
        let all = every_name_and_offset();

        let names: BTreeSet<_> = all.iter().map(|(n, _)| n.to_ascii_lowercase()).collect();
        let offsets: BTreeSet<_> = all.iter().map(|(_, o)| *o).collect();

        assert_eq!(names.len(), all.len(), "a name is taken twice: {all:?}");
        assert_eq!(
            offsets.len(),
            all.len(),
            "an offset is taken twice: {all:?}"
        );
        assert!(
            !offsets.contains(&0),
            "offset 0 is the admin API's: {all:?}"
        );
    }

    #[test]
    fn the_ports_are_the_ones_the_design_promises() {
        let mut all = every_name_and_offset();

        all.sort_by_key(|(_, offset)| *offset);

        let design = [
            ("onspot", 1),
            ("onepay", 2),
            ("kashpay", 3),
            ("tupay", 4),
            ("dots", 5),
        ];
        assert_eq!(all, design);
    }

    #[test]
    fn every_entry_builds_a_provider_that_answers_to_its_name() {
        let engine = Engine::new(EngineConfig::default());
        let settings = ProviderSettings::default();

        for id in ProviderId::all() {
            assert_eq!(id.build(&engine, &settings).name(), id.name());
        }
    }

    #[test]
    fn provider_names_parse_case_insensitively() {
        let id: ProviderId = " OnePay".parse().unwrap();

        assert_eq!(id.name(), "onepay");
    }

    #[test]
    fn an_unknown_provider_is_refused_with_the_names_emulated_and_planned() {
        let err = "nope".parse::<ProviderId>().unwrap_err();

        assert_eq!(
            err,
            ParseProviderError::Unknown {
                name: "nope".into()
            }
        );
        assert_eq!(
            err.to_string(),
            "unknown provider `nope` (emulated: onspot, onepay, kashpay, tupay, dots)"
        );
    }

    #[test]
    fn every_provider_of_the_design_is_emulated_and_none_is_left_planned() {
        let dots: ProviderId = "dots".parse().unwrap();

        assert_eq!((dots.name(), dots.port_offset()), ("dots", 5));
        assert!(PLANNED.is_empty());
    }
}
