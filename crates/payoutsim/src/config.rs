//! The settings of a running simulator. Every default is named here.

use std::net::{IpAddr, Ipv4Addr};
use std::path::PathBuf;

use payoutsim_core::EngineConfig;

use crate::connections::ConnectionLimits;
use crate::registry::ProviderId;
use crate::settings::ProviderSettings;

/// Everything `payoutsim serve` needs.
#[derive(Clone, Debug)]
pub struct ServeConfig {
    /// Address every listener binds. Default 127.0.0.1.
    pub bind: IpAddr,
    /// Admin port; provider ports follow (`+1` OnSpot … `+5` Dots). 0 picks free ports. Default 4700.
    pub port_base: u16,
    /// Providers to serve. Default: every registered provider.
    pub providers: Vec<ProviderId>,
    pub engine: EngineConfig,
    /// When set, the admin API requires `Authorization: Bearer <token>`. Default none.
    pub admin_token: Option<String>,
    /// Origins whose web pages may call the admin API besides its own. Default none.
    pub admin_allow_origins: Vec<String>,
    /// Host names the admin API answers to besides loopback and the bound address. Default none.
    pub admin_allow_hosts: Vec<String>,
    /// Where to write `{"admin": url, "<provider>": url, …}` once every listener is bound.
    pub ready_file: Option<PathBuf>,
    /// Most fault rules loaded at once (`--max-fault-rules`). Default 10,000.
    pub max_fault_rules: usize,
    /// Each provider's typed configuration (`OnePayConfig`, …); a provider not given one runs
    /// with its config type's default.
    pub provider_settings: ProviderSettings,
    /// Scenarios loaded at start, in order (setup, then rules). Default none.
    pub scenarios: Vec<payoutsim_faults::Scenario>,
    /// Timeouts and limits of every listener's connections, and the shutdown deadline.
    pub connections: ConnectionLimits,
    /// Where state is kept across restarts (`--data-dir`); `None`: nothing touches the disk.
    /// Default none.
    pub data_dir: Option<PathBuf>,
    /// On a data directory that holds a log, take its seed instead of `engine.seed` (the
    /// binary sets it when `--seed` is not given). Default false.
    pub seed_from_data_dir: bool,
    /// Bytes the data directory's log may hold (`--data-dir-max-bytes`): past it, what came
    /// before the last full reset is dropped, and if nothing can be, state-changing inputs are
    /// refused. Default [`DEFAULT_DATA_DIR_MAX_BYTES`].
    pub data_dir_max_bytes: u64,
}

/// `--data-dir-max-bytes`'s default: 1 GiB.
pub const DEFAULT_DATA_DIR_MAX_BYTES: u64 = 1 << 30;

impl Default for ServeConfig {
    fn default() -> Self {
        Self {
            bind: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port_base: 4700,
            providers: ProviderId::all().collect(),
            engine: EngineConfig::default(),
            admin_token: None,
            admin_allow_origins: Vec::new(),
            admin_allow_hosts: Vec::new(),
            ready_file: None,
            max_fault_rules: payoutsim_faults::store::DEFAULT_MAX_RULES,
            provider_settings: ProviderSettings::default(),
            scenarios: Vec::new(),
            connections: ConnectionLimits::default(),
            data_dir: None,
            seed_from_data_dir: false,
            data_dir_max_bytes: DEFAULT_DATA_DIR_MAX_BYTES,
        }
    }
}

impl ServeConfig {
    /// A configuration for tests: free ports, manual clock, seed 1.
    pub fn for_tests() -> Self {
        let mut config = Self {
            port_base: 0,
            ..Self::default()
        };
        config.engine.seed = 1;
        config.engine.clock.mode = payoutsim_core::clock::ClockMode::Manual;
        config
    }
}
