//! payoutsim: composes the engine and the emulated providers into one app and serves it.
//!
//! - [`registry`]: the providers served, one entry each ([`REGISTRY`], [`ProviderId`]), and
//!   those planned; how to register a new one
//! - [`bounds`]: the engine's store bounds as `payoutsim serve` flags ([`BoundsArgs`])
//! - [`config`]: what `payoutsim serve` is given ([`ServeConfig`])
//! - [`connections`]: every listener's timeouts and connection limit ([`ConnectionLimits`])
//! - [`flags`]: each provider's own `payoutsim serve` flags, and [`RegistryFlags`], all of them
//!   as one `clap::Args` for the binary to flatten
//! - [`settings`]: [`ProviderSettings`], each provider's typed configuration, keyed by its type
//! - [`app`]: [`App`] builds the engine, the providers, their routers and the admin router
//! - [`serve`]: [`start`] binds one listener per provider plus the admin listener and runs them
//!   until [`Running::shutdown`]
//!
//! - [`persist`]: `--data-dir`, the input log in SQLite, its replay at start
//! - [`suite`]: [`suite::InProcess`], the contract suite's in-process simulator
//!
//! The `payoutsim` binary (`src/main.rs`) is a thin clap front end over [`start`] and, for
//! `payoutsim contract` (`src/contract.rs`), over the `payoutsim-contract` library.
//!
//! # Adding a provider
//!
//! A provider is its own crate plus one [`ProviderEntry`](registry::ProviderEntry) in
//! [`REGISTRY`] (and, if it has flags, their `clap::Args` struct in [`flags`]); the steps are in
//! [`registry`]. Nothing in [`app`], [`serve`], [`ServeConfig`] or the binary names a provider.

pub mod app;
pub mod bounds;
pub mod config;
pub mod connections;
pub mod flags;
pub mod persist;
pub mod registry;
pub mod serve;
pub mod settings;
pub mod suite;

pub use app::App;
pub use bounds::BoundsArgs;
pub use config::ServeConfig;
pub use connections::ConnectionLimits;
pub use flags::RegistryFlags;
pub use registry::{ProviderId, REGISTRY};
pub use serve::{Running, start};
pub use settings::ProviderSettings;
